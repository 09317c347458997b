"""一表做总结 pages: choose a table (step 1), see its figures beside the summary (step 2), download
the summary as Word. Generating and downloading are reads: nothing is written but the session,
which keeps the last few summaries (text and figures, never an uploaded file) for the download."""

from __future__ import annotations

import re
import secrets
from urllib.parse import quote, urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from qingzhuang.assistant import access as assistant_access
from qingzhuang.assistant import summaries, summary_sources
from qingzhuang.assistant.summary_sources import SummaryError
from qingzhuang.ledger import access
from qingzhuang.ledger.models import UnitLevel
from qingzhuang.lib import periods

SESSION_KEY = "qz_summaries"
KEEP = 5
SOURCES = ("dataset", "indicators", "upload")
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


# ---------------------------------------------------------------------------------------------
# Forms


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect)):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class LengthForm(forms.Form):
    """篇幅, shared by the three sources: the one-page brief unless the full text is asked for."""

    length = forms.ChoiceField(label="篇幅", choices=[
        (summaries.BRIEF, "一页简报：只写变化最大的几项和最好、最差的单位，明细作为 Word 附表"),
        (summaries.FULL, "完整版：逐项写出每个指标（篇幅较长）"),
    ], initial=summaries.BRIEF, required=False, widget=forms.RadioSelect)

    def clean_length(self) -> str:
        return self.cleaned_data.get("length") or summaries.BRIEF


class DatasetSourceForm(LengthForm):
    # A plain text field shown as a select: an unknown or unreadable dataset answers 404, not a form error.
    dataset = forms.CharField(label="数据集", max_length=64)
    level = forms.ChoiceField(label="统计到", choices=list(summary_sources.LEVELS.items()),
                              initial=UnitLevel.TOWNSHIP, required=False)
    column = forms.CharField(label="分类统计字段", required=False, max_length=64,
                             help_text="可选：按这个字段的取值分别计数，例如按特殊群体统计各乡镇人数。")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        datasets = list(summary_sources.summary_datasets(user))
        self.fields["dataset"].widget = forms.Select(choices=[(d.code, d.name) for d in datasets])
        codes = [d.code for d in datasets]
        default = "population" if "population" in codes else (codes[0] if codes else "")
        chosen = (self.data.get("dataset") if self.is_bound else self.initial.get("dataset")) or default
        if not self.is_bound:
            self.initial.setdefault("dataset", chosen)
        dataset = next((d for d in datasets if d.code == chosen), None)
        self.fields["column"].widget = forms.Select(choices=column_choices(dataset))
        # The level below the reader's unit first; a village counts only itself.
        levels = summary_sources.summary_levels(user, dataset)
        self.fields["level"].choices = [(level, summary_sources.LEVELS[level]) for level in levels]
        self.fields["level"].initial = levels[0]
        _style(self)


def column_choices(dataset) -> list[tuple[str, str]]:
    columns = summary_sources.code_columns(dataset) if dataset is not None else []
    return [("", "不分类，只统计数量")] + [(c.element.code, c.name) for c in columns]


class IndicatorSourceForm(LengthForm):
    unit = forms.CharField(label="单位", max_length=32,
                           help_text="汇总所选单位下属各单位的指标，例如选择全县即比较各乡镇。")
    period = forms.CharField(label="月份", max_length=7, widget=forms.TextInput(attrs={"type": "month"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = summary_sources.summary_units(user)
        if not self.is_bound:
            # The latest month with values the user may read (last month when there are none yet).
            latest = access.visible_indicator_values(user).aggregate(latest=Max("period"))["latest"]
            last_month = periods.previous_period(periods.period_of(timezone.localdate()))
            self.initial.setdefault("period", latest or last_month)
        self.fields["unit"].widget = forms.Select(choices=[(u.code, f"{u.name}（{u.get_kind_display()}）")
                                                           for u in units])
        _style(self)


class UploadSourceForm(LengthForm):
    file = forms.FileField(label="表格文件", help_text="xlsx、xls 或 csv。第一列为单位或项目名称，其后为数字列；"
                           "可另加“上月”（或“上期”）、“去年同期”、“目标”列；合计行会被忽略并重新计算。")
    title = forms.CharField(label="总结标题", required=False, max_length=60,
                            widget=forms.TextInput(attrs={"placeholder": "可不填，默认按文件名生成"}))
    period = forms.CharField(label="月份", required=False, max_length=7,
                             widget=forms.TextInput(attrs={"type": "month"}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.xls,.csv"
        _style(self)


FORMS = {"dataset": DatasetSourceForm, "indicators": IndicatorSourceForm, "upload": UploadSourceForm}


# ---------------------------------------------------------------------------------------------
# Session


def _store(request, summary: summaries.Summary, back: str) -> str:
    token = secrets.token_urlsafe(12)
    kept = dict(request.session.get(SESSION_KEY, {}))
    kept[token] = {"summary": summary.to_dict(), "back": back}
    while len(kept) > KEEP:
        kept.pop(next(iter(kept)))
    request.session[SESSION_KEY] = kept
    return token


def _stored(request, token: str) -> summaries.Summary:
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if entry is None:
        raise Http404("总结已过期，请重新生成")
    return summaries.Summary.from_dict(entry["summary"])


def docx_filename(title: str) -> str:
    name = _UNSAFE_FILENAME.sub("", title).strip()[:80] or "工作总结"
    return f"{name}.docx"


# ---------------------------------------------------------------------------------------------
# Pages


def _figures(request, source: str, form: forms.Form) -> summaries.Figures:
    data = form.cleaned_data
    if source == "dataset":
        return summary_sources.dataset_figures(request.user, code=data["dataset"], level=data["level"],
                                               column=data.get("column") or "")
    if source == "indicators":
        return summary_sources.indicator_figures(request.user, unit_code=data["unit"], period=data["period"])
    return summary_sources.upload_figures(data["file"], title=data.get("title", ""),
                                          period=data.get("period", ""))


OVERVIEW_ROWS = 10  # rows of the overview shown before "show all"
OPEN_DETAIL_ROWS = 40  # a table of every item up to this size is shown open on the page
PAGE_DETAIL_ROWS = 150  # …up to this size folded; a larger one is only in the Word annex


def _result_context(summary: summaries.Summary, token: str, back: str) -> dict:
    """The result page: the summary first, then one row per measure (the first few, the rest
    folded) and the table of every item (open when short, folded when long, only in Word when huge)."""
    overview = summary.overview
    table = summary.table
    rows = len(table.rows) if table else 0
    return {
        "summary": summary, "token": token, "back": back, "tab": "summary",
        "sections": [(summaries.heading_label(i, h), p) for i, (h, p) in enumerate(summary.sections)],
        "overview": overview,
        "overview_head": overview.rows[:OVERVIEW_ROWS] if overview else [],
        "overview_rest": overview.rows[OVERVIEW_ROWS:] if overview else [],
        "table": table if rows <= PAGE_DETAIL_ROWS else None, "table_rows": rows,
        "table_open": rows <= OPEN_DETAIL_ROWS,
    }


def _back_query(source: str, form: forms.Form) -> str:
    params = {"source": source}
    params.update({k: v for k, v in form.cleaned_data.items() if k != "file" and isinstance(v, str) and v})
    return urlencode(params)


@login_required
@require_http_methods(["GET", "POST"])
def summary_wizard(request):
    """Step 1 (GET, or a POST with errors): the three sources; step 2 (a valid POST): the result."""
    source = request.POST.get("source") if request.method == "POST" else request.GET.get("source")
    source = source if source in SOURCES else "dataset"
    user = request.user
    initial = {k: v for k, v in request.GET.items() if k != "source"}
    built: dict[str, forms.Form] = {}
    for key, form_class in FORMS.items():
        # Distinct ids: the three forms share field names (period) on one page.
        auto_id = f"id_{key}_%s"
        if request.method == "POST" and key == source:
            built[key] = form_class(request.POST, request.FILES, user=user, auto_id=auto_id)
        else:
            built[key] = form_class(initial=initial if key == source else None, user=user, auto_id=auto_id)
    errors: list[str] = []
    if request.method == "POST":
        form = built[source]
        if form.is_valid():
            try:
                figures = _figures(request, source, form)
            except SummaryError as exc:
                errors = exc.messages
            else:
                use_llm = request.POST.get("use_llm") == "on"
                summary = summaries.make_summary(figures, use_llm=use_llm, length=form.cleaned_data["length"])
                back = _back_query(source, form)
                token = _store(request, summary, back)
                return render(request, "assistant/summary/result.html", _result_context(summary, token, back))
    context = {"forms": built, "source": source, "errors": errors, "tab": "summary",
               "llm": summaries.llm_available()}
    return render(request, "assistant/summary/wizard.html", context)


@login_required
@require_GET
def summary_columns(request):
    """htmx: the code columns of the chosen dataset, as <option>s of the 分类统计字段 select."""
    code = request.GET.get("dataset", "")
    dataset = assistant_access.get_summary_dataset_or_404(request.user, code)
    return render(request, "assistant/summary/_columns.html", {"choices": column_choices(dataset)})


@login_required
@require_http_methods(["GET", "POST"])
def summary_download(request, token: str):
    """The summary as a .docx, with its Chinese title as the file name."""
    summary = _stored(request, token)
    content = summaries.summary_to_docx(summary)
    response = HttpResponse(content, content_type=DOCX_TYPE)
    name = docx_filename(summary.title)
    response["Content-Disposition"] = f"attachment; filename=\"summary.docx\"; filename*=UTF-8''{quote(name)}"
    response["Content-Length"] = str(len(content))
    return response

"""Pages of the document registry (发文登记) and of 一网协同 (收文 / 发文). Thin: forms parse,
``services.documents`` and ``services.circulation`` write, ``access`` and ``queries_documents`` read."""

from __future__ import annotations

import os

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingzhuang.burden import access, queries, queries_documents
from qingzhuang.burden.models import CirculationKind, Document, DocumentKind
from qingzhuang.burden.registry_import import registry_import_upload, template
from qingzhuang.burden.services import circulation as circulation_services
from qingzhuang.burden.services import documents as services
from qingzhuang.burden.services import resolve_targets
from qingzhuang.lib import paging, tables
from qingzhuang.orgs import access as org_access
from qingzhuang.orgs.models import Unit, UnitKind

PAGE_SIZE = 50
ERRORS_SESSION_KEY = "burden_document_import_errors"
MAX_SHOWN_ERRORS = 200
SEPARATORS = "、，,；;\n\r\t "


def _codes(text: str) -> list[str]:
    for mark in SEPARATORS:
        text = text.replace(mark, " ")
    return [c for c in text.split(" ") if c]


def _style(form: forms.Form) -> None:
    for bound in form.fields.values():
        widget = bound.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def _errors_to_form(form: forms.Form, error: ValidationError, aliases: dict | None = None) -> None:
    aliases = aliases or {}
    if hasattr(error, "error_dict"):
        for name, errs in error.message_dict.items():
            name = aliases.get(name, name)
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, error.messages)


def _year(request) -> int | None:
    """The list's year filter: the burden pages' default year, or "all" (None)."""
    raw = request.GET.get("year", "")
    if raw == "all":
        return None
    try:
        year = int(raw)
    except ValueError:
        return queries.default_year()
    return year if queries.FIRST_YEAR <= year <= queries.LAST_YEAR else queries.default_year()


def _page(request, qs):
    """(pager, rows, error message, status) of one page of ``qs``."""
    try:
        pager = paging.page_numbers(request.GET.get("page"), total=qs.count(), per_page=PAGE_SIZE)
    except paging.PageOutOfRange as exc:
        return None, [], exc.message, 400
    return pager, list(qs[pager.offset: pager.offset + PAGE_SIZE]), "", 200


# ---------------------------------------------------------------------------------------------
# 发文登记


class DocumentForm(forms.Form):
    issuer = forms.ModelChoiceField(label="发文单位", queryset=Unit.objects.none(), empty_label=None)
    number = forms.CharField(label="文号", max_length=60, help_text="如 青农发〔2025〕12号")
    title = forms.CharField(label="标题", max_length=200)
    issued_on = forms.DateField(label="印发日期", widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label="文件类型", choices=DocumentKind.choices)
    chars = forms.IntegerField(label="正文字数", min_value=1, max_value=services.MAX_DOCUMENT_CHARS,
                               help_text="专项文件不超过 4000 字，综合性文件不超过 5000 字。")
    demands_materials = forms.BooleanField(label="要求基层报送材料", required=False)
    target_under = forms.ChoiceField(label="下发范围", required=False,
                                     help_text="选择乡镇（街道）即下发到其全部村（社区）；选择全县即全县所有村（社区）。")
    target_codes = forms.CharField(label="另加下发单位代码", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                   help_text="乡镇（街道）、村（社区）或网格的单位代码，用逗号、空格或换行分隔；不下发基层的留空。")
    notice_would_do = forms.BooleanField(label="可用通知代替（减负监测认定）", required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["issuer"].queryset = access.document_issuers(actor)
        reach = org_access.placing_paths(actor)
        parents = [u for u in Unit.objects.filter(kind__in=(UnitKind.COUNTY, UnitKind.TOWNSHIP, UnitKind.STREET),
                                                  is_active=True).order_by("path")
                   if any(u.path.startswith(p) for p in reach)]
        self.fields["target_under"].choices = [("", "—")] + [
            (u.code, "全县所有村（社区）" if u.kind == UnitKind.COUNTY else f"{u.name}的全部村（社区）") for u in parents]
        if not access.manages_all_documents(actor):
            del self.fields["notice_would_do"]
        _style(self)

    def document_data(self) -> services.DocumentData:
        d = self.cleaned_data
        targets = resolve_targets(actor=self.actor, codes=_codes(d.get("target_codes") or ""),
                                  under=d.get("target_under") or "")
        return services.DocumentData(
            issuer=d["issuer"], number=d["number"], title=d["title"], issued_on=d["issued_on"], kind=d["kind"],
            chars=d["chars"], demands_materials=d["demands_materials"], target_units=targets,
            notice_would_do=d.get("notice_would_do") if "notice_would_do" in self.fields else None)

    @staticmethod
    def initial_for(document: Document) -> dict:
        return {"issuer": document.issuer, "number": document.number, "title": document.title,
                "issued_on": document.issued_on, "kind": document.kind, "chars": document.chars,
                "demands_materials": document.demands_materials, "notice_would_do": document.notice_would_do,
                "target_codes": "\n".join(document.target_units.order_by("path").values_list("code", flat=True))}


DOCUMENT_ALIASES = {"target_units": "target_codes"}
EXPORT_HEADERS = ("发文单位", "文号", "标题", "印发日期", "文件类型", "正文字数", "要求报送材料", "可用通知代替",
                  "下发基层单位数", "问题")


@login_required
@require_GET
def document_list(request):
    year = _year(request)
    kind = request.GET.get("kind", "")
    kind = kind if kind in DocumentKind.values else ""
    flagged = request.GET.get("flagged") == "1"
    issuer = None
    if code := request.GET.get("unit", "").strip():
        issuer = Unit.objects.filter(code=code).first()
    qs = queries_documents.documents_list(request.user, year=year, issuer=issuer, kind=kind, flagged=flagged)
    if request.GET.get("export") == "xlsx":
        return _export(qs, year)
    pager, rows, page_error, status = _page(request, qs.select_related("issuer"))
    for row in rows:
        row.badges = queries_documents.flag_badges(row)
    shown_year = year or queries.default_year()
    issuers = access.document_issuers(request.user) if not access.sees_all_demands(request.user) else None
    issuer_rows = [r for r in queries_documents.issuer_years(year=shown_year, issuers=issuers) if r.over]
    context = {
        "rows": rows, "pager": pager, "page_error": page_error, "year": year, "kind": kind, "flagged": flagged,
        "issuer": issuer, "kinds": DocumentKind.choices, "years": range(queries.current_year(), queries.current_year() - 5, -1),
        "can_register": request.user.has_perm(access.MANAGE_DOCUMENTS) and access.document_issuers(request.user).exists(),
        "issuer_rows": issuer_rows, "shown_year": shown_year,
        "count": queries_documents.documents_list(request.user, year=shown_year).count(),
        "count_last_year": queries_documents.documents_list(request.user, year=shown_year - 1).count(),
    }
    template = "burden/documents/_rows.html" if request.headers.get("HX-Request") else "burden/documents/list.html"
    return render(request, template, context, status=status)


def _export(qs, year):
    import io

    buffer = io.BytesIO()
    rows = ([d.issuer.name, d.number, d.title, d.issued_on, d.get_kind_display(), d.chars,
             "是" if d.demands_materials else "否", "是" if d.notice_would_do else "否", d.n_targets,
             "、".join(d.flag_names)] for d in qs.select_related("issuer").iterator(chunk_size=500))
    tables.write_xlsx(buffer, EXPORT_HEADERS, rows, sheet_title="发文登记")
    buffer.seek(0)
    name = f"发文登记_{year}.xlsx" if year else "发文登记.xlsx"
    return FileResponse(buffer, as_attachment=True, filename=name)


def _require_register(user) -> None:
    if not user.has_perm(access.MANAGE_DOCUMENTS) or not access.document_issuers(user).exists():
        raise PermissionDenied(services.M_PERMISSION)


@login_required
@require_http_methods(["GET", "POST"])
def document_create(request):
    _require_register(request.user)
    form = DocumentForm(request.POST or None, actor=request.user, initial={"issued_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_create(actor=request.user, data=form.document_data(), request=request)
        except ValidationError as error:
            _errors_to_form(form, error, DOCUMENT_ALIASES)
        else:
            messages.success(request, f"已登记 {document.number}。")
            return redirect("burden:document_detail", pk=document.pk)
    return render(request, "burden/documents/form.html", {"form": form, "document": None})


@login_required
@require_GET
def document_detail(request, pk: int):
    document = access.get_document_or_404(request.user, pk)
    return render(request, "burden/documents/detail.html", {
        "document": document, "badges": queries_documents.flag_badges(document),
        "targets": document.target_units.order_by("path"),
        "can_edit": access.can_register_for(request.user, document.issuer),
        "can_judge": access.manages_all_documents(request.user),
        "circulations": access.visible_circulations(request.user).filter(document=document),
        "issuer_year": queries_documents.issuer_year(document.issuer, year=document.issued_on.year),
        "hours": services.demand_hours(document),
    })


@login_required
@require_http_methods(["GET", "POST"])
def document_edit(request, pk: int):
    document = access.get_document_or_404(request.user, pk)
    if not access.can_register_for(request.user, document.issuer):
        raise PermissionDenied(services.M_OWN_UNIT)
    form = DocumentForm(request.POST or None, actor=request.user, initial=DocumentForm.initial_for(document))
    if request.method == "POST" and form.is_valid():
        try:
            services.document_update(actor=request.user, document=document, data=form.document_data(),
                                     request=request)
        except ValidationError as error:
            _errors_to_form(form, error, DOCUMENT_ALIASES)
        else:
            messages.success(request, "已保存修改。")
            return redirect("burden:document_detail", pk=document.pk)
    return render(request, "burden/documents/form.html", {"form": form, "document": document})


@login_required
@require_POST
def document_judge(request, pk: int):
    document = access.get_document_or_404(request.user, pk)
    value = request.POST.get("notice_would_do") == "1"
    services.document_judge(actor=request.user, document=document, notice_would_do=value, request=request)
    messages.success(request, "已认定为可用通知代替。" if value else "已取消“可用通知代替”的认定。")
    return redirect("burden:document_detail", pk=document.pk)


class ExplanationForm(forms.Form):
    text = forms.CharField(label="书面说明", max_length=2000, widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}))


@login_required
@require_http_methods(["GET", "POST"])
def document_explain(request, code: str, year: int):
    if not queries.FIRST_YEAR <= year <= queries.LAST_YEAR:
        raise Http404("年份超出范围")
    issuer = Unit.objects.filter(code=code).first()
    may_see = issuer is not None and (access.sees_all_demands(request.user)
                                      or org_access.can_see_unit(request.user, issuer))
    if not may_see:
        raise Http404(org_access.UNIT_NOT_FOUND)
    row = queries_documents.issuer_year(issuer, year=year)
    can_explain = access.can_register_for(request.user, issuer)
    form = ExplanationForm(request.POST or None, initial={"text": row.explanation.text if row.explanation else ""})
    if request.method == "POST":
        if not can_explain:
            raise PermissionDenied("只能说明本单位的发文数量")
        if form.is_valid():
            try:
                services.document_explain(actor=request.user, issuer=issuer, year=year,
                                          text=form.cleaned_data["text"], request=request)
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, "已保存书面说明。")
                return redirect("burden:document_explain", code=issuer.code, year=year)
    return render(request, "burden/documents/explain.html", {"issuer": issuer, "row": row, "year": year,
                                                              "form": form, "can_explain": can_explain})


class ImportForm(forms.Form):
    file = forms.FileField(label="发文登记表（xlsx、xls 或 csv）")
    dry_run = forms.BooleanField(label="只预检，不写入", required=False)


@login_required
@require_http_methods(["GET", "POST"])
def document_import(request):
    _require_register(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = registry_import_upload(services.SPEC, actor=request.user, upload=form.cleaned_data["file"],
                                        dry_run=form.cleaned_data["dry_run"], request=request)
        if result.ok and not result.dry_run:
            messages.success(request, f"已导入 {result.created} 条发文。")
            return redirect("burden:document_list")
        request.session[ERRORS_SESSION_KEY] = [p.to_dict() for p in result.errors[:1000]]
    return render(request, "burden/documents/import.html", {
        "form": form, "result": result, "shown_errors": result.errors[:MAX_SHOWN_ERRORS] if result else []})


@login_required
@require_GET
def document_import_template(request):
    _require_register(request.user)
    return FileResponse(template(services.SPEC), as_attachment=True, filename="发文登记导入模板.xlsx")


@login_required
@require_GET
def document_import_errors(request):
    _require_register(request.user)
    kept = request.session.get(ERRORS_SESSION_KEY)
    if not kept:
        raise Http404("没有可下载的问题清单")
    return FileResponse(tables.problems_xlsx(kept), as_attachment=True, filename="发文登记_问题清单.xlsx")


# ---------------------------------------------------------------------------------------------
# 一网协同


TABS = (("inbox", "收文"), ("sent", "发文"), ("all", "全部"))


@login_required
@require_GET
def circulation_list(request):
    sees_all = access.sees_all_demands(request.user)
    tab = request.GET.get("tab", "inbox")
    tabs = [t for t in TABS if t[0] != "all" or sees_all]
    if tab not in {t[0] for t in tabs}:
        tab = "inbox"
    qs = {"inbox": queries_documents.inbox, "sent": queries_documents.sent,
          "all": queries_documents.all_circulations}[tab](request.user)
    pager, rows, page_error, status = _page(request, qs)
    year = queries.default_year()  # this year, or the latest year with asks (the demo county)
    stats = queries_documents.circulation_stats(request.user, year=year)
    template = ("burden/documents/_circulation_rows.html" if request.headers.get("HX-Request")
                else "burden/documents/circulations.html")
    return render(request, template, {
        "tab": tab, "tabs": tabs, "rows": rows, "pager": pager, "page_error": page_error, "stats": stats,
        "can_send": request.user.has_perm(access.SEND_CIRCULATION) and bool(request.user.unit_id),
        "sees_all": sees_all,
    }, status=status)


class CirculationForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=CirculationKind.choices, initial=CirculationKind.NOTICE)
    title = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 8}))
    attachment = forms.FileField(label="附件（可选）", required=False,
                                 help_text="PDF、OFD、Word、Excel、PowerPoint 或 WPS 文件，不超过 20 MB。")
    recipient_shortcut = forms.ChoiceField(label="收文范围", required=False)
    recipient_codes = forms.CharField(label="另加收文单位代码", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                      help_text="任意单位（部门、乡镇、村）的单位代码，用逗号、空格或换行分隔。")
    number = forms.CharField(label="文号（文件）", max_length=60, required=False, help_text="发送文件时必填，如 青农发〔2025〕12号；发送时自动登记到发文登记。")
    document_kind = forms.ChoiceField(label="文件类型（文件）", required=False, choices=[("", "—"), *DocumentKind.choices])
    demands_materials = forms.BooleanField(label="要求基层报送材料（文件）", required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        reach = org_access.placing_paths(actor)
        choices = [("", "—")]
        if any(org_access.is_root_path(p) or p == "/" for p in reach):
            choices.append(("townships", "全部乡镇（街道）"))
        choices += [(u.code, "全县所有村（社区）" if u.kind == UnitKind.COUNTY else f"{u.name}的全部村（社区）")
                    for u in Unit.objects.filter(kind__in=(UnitKind.COUNTY, UnitKind.TOWNSHIP, UnitKind.STREET),
                                                 is_active=True).order_by("path")
                    if any(u.path.startswith(p) for p in reach)]
        self.fields["recipient_shortcut"].choices = choices
        _style(self)

    def circulation_data(self) -> circulation_services.CirculationData:
        d = self.cleaned_data
        recipients = circulation_services.resolve_recipients(
            actor=self.actor, codes=_codes(d.get("recipient_codes") or ""), shortcut=d.get("recipient_shortcut") or "")
        return circulation_services.CirculationData(
            title=d["title"], body=d["body"], kind=d["kind"], recipients=recipients, attachment=d.get("attachment"),
            number=d.get("number") or "", document_kind=d.get("document_kind") or "",
            demands_materials=d.get("demands_materials") or False)


CIRCULATION_ALIASES = {"recipients": "recipient_codes", "target_units": "recipient_codes"}


@login_required
@require_http_methods(["GET", "POST"])
def circulation_create(request):
    if not request.user.has_perm(access.SEND_CIRCULATION):
        raise PermissionDenied(circulation_services.M_PERMISSION)
    if not request.user.unit_id:
        raise PermissionDenied(circulation_services.M_NO_UNIT)
    form = CirculationForm(request.POST or None, request.FILES or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            circulation = circulation_services.circulation_send(actor=request.user, data=form.circulation_data(),
                                                                request=request)
        except ValidationError as error:
            _errors_to_form(form, error, CIRCULATION_ALIASES)
        else:
            messages.success(request, f"已发送“{circulation.title}”。")
            return redirect("burden:circulation_detail", pk=circulation.pk)
    return render(request, "burden/documents/circulation_form.html", {"form": form})


@login_required
@require_GET
def circulation_detail(request, pk: int):
    circulation = access.get_circulation_or_404(request.user, pk)
    marked = circulation_services.circulation_open(actor=request.user, circulation=circulation, request=request)
    receipts = queries_documents.receipts_of(circulation)
    n_read = sum(1 for r in receipts if r.read_at)
    own = next((r for r in receipts if r.unit_id == request.user.unit_id), None)
    return render(request, "burden/documents/circulation.html", {
        "circulation": circulation, "marked": marked, "receipts": receipts, "own_receipt": own,
        "sees_receipts": access.sees_receipts(request.user, circulation),
        "is_sender": access.is_circulation_sender(request.user, circulation),
        "n_read": n_read, "n_unread": len(receipts) - n_read,
        "read_percent": queries_documents.percent(n_read, len(receipts)),
        "reminders": circulation.reminders.select_related("sent_by").prefetch_related("units"),
    })


@login_required
@require_POST
def circulation_remind(request, pk: int):
    circulation = access.get_circulation_or_404(request.user, pk)
    try:
        reminder = circulation_services.circulation_remind(actor=request.user, circulation=circulation,
                                                           request=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"已向 {reminder.units.count()} 个未读单位催阅。")
    return redirect("burden:circulation_detail", pk=circulation.pk)


@login_required
@require_GET
def circulation_attachment(request, pk: int):
    circulation = access.get_circulation_or_404(request.user, pk)
    if not circulation.attachment:
        raise Http404("没有附件")
    name = circulation.attachment_name or os.path.basename(circulation.attachment.name)
    return FileResponse(circulation.attachment.open("rb"), as_attachment=True, filename=name)

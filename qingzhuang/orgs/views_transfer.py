"""Pages for importing and exporting units and people."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.validators import FileExtensionValidator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from qingzhuang.lib import tables
from qingzhuang.orgs import imports
from qingzhuang.orgs.models import UnitKind

ERRORS_SESSION_KEY = "qz_import_errors"
MAX_SHOWN_ERRORS = 500
MAX_KEPT_ERRORS = 20_000


@dataclass(frozen=True)
class Transfer:
    kind: str
    title: str
    permission: str
    columns: tuple[tuple[str, str], ...]  # (header, how to fill it) in file order
    notes: tuple[str, ...]
    export_url: str
    back_url: str
    section: str


TRANSFERS = {
    "units": Transfer(
        kind="units", title="导入组织架构", permission="orgs.manage_units",
        columns=(
            ("单位代码", "必填。单位的唯一代码（如12位统计用区划代码），不超过32个字符；已有的单位按此代码更新。"),
            ("单位名称", "必填。不超过100个字符。"),
            ("单位类型", "必填。可填：" + "、".join(label for _, label in UnitKind.choices) + "（县级也可填“县”“区”“市”）。"),
            ("上级单位代码", "选填。为空表示顶级单位；上级单位可以写在下级单位之后。"),
        ),
        notes=(
            "单位类型填写：" + "、".join(label for _, label in UnitKind.choices) + "（县级也可填“县”“区”“市”）。",
            "上级单位代码为空表示顶级单位；上级单位可以写在下级单位之后。",
            "已有的单位按单位代码更新名称、类型和上级单位；相同内容不会重复修改。",
        ),
        export_url="orgs:units_export", back_url="orgs:unit_tree", section="组织架构",
    ),
    "people": Transfer(
        kind="people", title="导入干部名录", permission="orgs.manage_people",
        columns=(
            ("姓名", "必填。不超过50个字符。"),
            ("单位代码", "必填。干部所在单位的单位代码（须已在组织架构中）。"),
            ("职务", "选填。不超过100个字符。"),
            ("手机", "选填。11位手机号码。"),
            ("公民身份号码", "选填。18位，末位可为X；填写后按身份证号匹配已有人员，否则按“姓名+单位代码”匹配。"),
        ),
        notes=(
            "必填列：姓名、单位代码；职务、手机、公民身份号码可选。",
            "填写了公民身份号码的按身份证号匹配已有人员，否则按“姓名+单位代码”匹配。",
            "公民身份号码列请设为文本格式，否则 Excel 会丢失末尾几位。",
        ),
        export_url="orgs:people_export", back_url="orgs:person_list", section="干部名录",
    ),
}


class ImportForm(forms.Form):
    file = forms.FileField(
        label="文件",
        validators=[FileExtensionValidator(["xlsx", "xls", "csv"], message="请上传 xlsx、xls 或 csv 文件")],
        error_messages={"required": "请选择要导入的文件"},
    )


def _transfer_or_403(request, kind: str) -> Transfer:
    transfer = TRANSFERS[kind]
    if not request.user.has_perm(transfer.permission):
        raise PermissionDenied
    return transfer


def _import_page(request, kind: str):
    transfer = _transfer_or_403(request, kind)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        dry_run = request.POST.get("action") != "import"
        result = imports.import_upload(kind, actor=request.user, upload=form.cleaned_data["file"],
                                       dry_run=dry_run, request=request)
        request.session[ERRORS_SESSION_KEY] = {
            "kind": kind, "errors": [p.to_dict() for p in result.errors[:MAX_KEPT_ERRORS]]}
    context = {"transfer": transfer, "form": form, "result": result,
               "shown_errors": result.errors[:MAX_SHOWN_ERRORS] if result else []}
    template = "orgs/_import_result.html" if request.headers.get("HX-Request") else "orgs/import.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def units_import(request):
    return _import_page(request, "units")


@login_required
@require_http_methods(["GET", "POST"])
def people_import(request):
    return _import_page(request, "people")


@login_required
@require_GET
def import_template(request, kind: str):
    """A blank xlsx template of an import: the headers and a 填写说明 sheet with each column's notes."""
    if kind not in TRANSFERS:
        raise Http404
    transfer = _transfer_or_403(request, kind)
    buffer = tables.template_xlsx(transfer.columns, notes=transfer.notes)
    return FileResponse(buffer, as_attachment=True, filename=f"{transfer.title}_模板.xlsx")


@login_required
@require_GET
def import_errors(request):
    """The problems of the last import on this session, as xlsx."""
    kept = request.session.get(ERRORS_SESSION_KEY)
    if not kept:
        raise Http404("没有可下载的问题清单")
    _transfer_or_403(request, kept["kind"])
    buffer = tables.problems_xlsx(kept["errors"])
    return FileResponse(buffer, as_attachment=True, filename=f"{TRANSFERS[kept['kind']].title}_问题清单.xlsx")


def _export(request, kind: str):
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise Http404("不支持的导出格式")
    out = tempfile.TemporaryFile()
    if kind == "units":
        imports.units_export(user=request.user, path=out, fmt=fmt)
    else:
        imports.people_export(user=request.user, path=out, fmt=fmt, request=request)
    out.seek(0)
    name = {"units": "组织架构", "people": "干部名录"}[kind]
    return FileResponse(out, as_attachment=True, filename=f"{name}_{timezone.localdate():%Y%m%d}.{fmt}")


@login_required
@require_GET
def units_export(request):
    return _export(request, "units")


@login_required
@require_GET
def people_export(request):
    return _export(request, "people")

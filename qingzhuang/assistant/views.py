"""Pages of the assistant: 找政策 (search), 问政策 (ask), the policy library (upload, edit, index)."""

from __future__ import annotations

import os
import re
from html import escape
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingzhuang.assistant import access, answers, search, services
from qingzhuang.assistant.forms import AskForm, PolicyEditForm, SearchForm, UploadForm
from qingzhuang.assistant.models import Level
from qingzhuang.jobs import lifecycle

PAGE_SIZE = 10
LIST_PAGE_SIZE = 30
MAX_FILES = 50


def _is_htmx(request) -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


@login_required
@require_GET
def search_page(request):
    form = SearchForm(request.GET or None)
    result, pages = None, None
    if form.is_bound and form.is_valid() and any(form.cleaned_data.get(k) for k in ("q",)):
        data = form.cleaned_data
        page = data.get("page") or 1
        result = search.search(request.user, data["q"], issuer=data["issuer"].strip(), level=data["level"],
                               date_from=data["date_from"], date_to=data["date_to"], limit=PAGE_SIZE,
                               offset=(page - 1) * PAGE_SIZE)
        last = max(1, (result.total + PAGE_SIZE - 1) // PAGE_SIZE)
        params = {k: v for k, v in request.GET.items() if k != "page" and v}
        pages = {"page": page, "last": last,
                 "prev": urlencode({**params, "page": page - 1}) if page > 1 else "",
                 "next": urlencode({**params, "page": page + 1}) if page < last else ""}
    context = {"form": form, "result": result, "pages": pages, "levels": Level.choices}
    template = "assistant/_search_results.html" if _is_htmx(request) else "assistant/search.html"
    return render(request, template, context)


CITATION_RE = re.compile(r"\[(\d{1,3})\]")


def linked_answer(answer: answers.Answer) -> str:
    """The answer as HTML: escaped, line breaks kept, each [n] a link to its cited passage."""
    cited = {hit.n for hit in answer.citations}

    def link(match: re.Match) -> str:
        n = int(match.group(1))
        return f'<a href="#cite-{n}" class="qz-cite">[{n}]</a>' if n in cited else match.group(0)

    return mark_safe(CITATION_RE.sub(link, escape(answer.answer)).replace("\n", "<br>"))  # noqa: S308


@login_required
@require_GET
def ask_page(request):
    form = AskForm(request.GET or None)
    answer = None
    if form.is_bound and form.is_valid():
        answer = answers.ask(request.user, form.cleaned_data["q"])
    html = linked_answer(answer) if answer is not None else ""
    return render(request, "assistant/ask.html", {"form": form, "answer": answer, "answer_html": html})


@login_required
@require_http_methods(["GET", "POST"])
def policy_list(request):
    user = request.user
    can_manage = services.can_manage(user)
    form = UploadForm()
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(services.PERMISSION_MESSAGE)
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            _add_uploads(request, form.cleaned_data["files"])
            return redirect("assistant:policy_list")
    lifecycle.mark_if_stale(access.visible_documents(user))  # indexing of a dead worker: failed, re-indexable
    documents = access.visible_documents(user).select_related("unit").order_by("-created_at", "-id")
    q = request.GET.get("q", "").strip()[:100]
    if q:
        documents = documents.filter(title__contains=q) | documents.filter(doc_number__contains=q)
    page = Paginator(documents, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    waiting = any(not d.is_finished for d in page.object_list)
    stale = services.stale_documents(access.visible_documents(user)).count() if can_manage else 0
    return render(request, "assistant/policy_list.html", {
        "page": page, "form": form, "can_manage": can_manage, "q": q, "waiting": waiting, "stale": stale,
        "max_mb": settings.QZ_POLICY_MAX_BYTES // (1024 * 1024),
    })


def _add_uploads(request, uploads) -> None:
    if len(uploads) > MAX_FILES:
        messages.error(request, f"一次最多上传{MAX_FILES}个文件")
        return
    limit = settings.QZ_POLICY_MAX_BYTES
    for upload in uploads:
        name = os.path.basename(upload.name or "上传文件")
        if upload.size > limit:
            messages.error(request, f"{name}：文件超过{limit // (1024 * 1024)}MB，未添加")
            continue
        result = services.policy_add_upload(actor=request.user, upload=upload, request=request)
        if result.document is None:
            messages.error(request, f"{name}：未添加，{result.message}")
        elif not result.created:
            messages.warning(request, f"{name}：{result.message}，未重复添加")
        else:
            messages.success(request, f"{name}：已添加《{result.document.title}》，正在后台建立索引")


@login_required
@require_http_methods(["GET", "POST"])
def policy_detail(request, pk: int):
    user = request.user
    document = lifecycle.mark_if_stale(access.get_document_or_404(user, pk))
    can_manage = services.can_manage(user)
    initial = {"title": document.title, "issuer": document.issuer, "doc_number": document.doc_number,
               "issued_on": document.issued_on, "level": document.level, "tags": "、".join(document.tags)}
    form = PolicyEditForm(initial=initial)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(services.PERMISSION_MESSAGE)
        form = PolicyEditForm(request.POST)
        if form.is_valid():
            try:
                services.policy_update(actor=user, document=document, request=request, **form.cleaned_data)
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, "已保存文件信息")
                return redirect("assistant:policy_detail", pk=document.pk)
    passages = document.passages.order_by("position")
    return render(request, "assistant/policy_detail.html", {
        "document": document, "form": form, "can_manage": can_manage, "passages": passages,
        "waiting": not document.is_finished,
    })


@login_required
@require_POST
def policy_reindex(request, pk: int):
    document = access.get_document_or_404(request.user, pk)
    try:
        services.reindex(actor=request.user, document=document, request=request)
    except ValidationError as exc:
        messages.warning(request, "；".join(exc.messages))
    else:
        messages.success(request, "已重新排队建立索引")
    return redirect("assistant:policy_detail", pk=document.pk)


@login_required
@require_POST
def policy_reindex_stale(request):
    """Queue every document indexed under older tokenizer rules (the whole library, not one unit's:
    the index is shared)."""
    count = services.reindex_stale(actor=request.user, request=request)
    messages.success(request, f"已将{count}个文件重新排队建立索引")
    return redirect("assistant:policy_list")


@login_required
@require_POST
def policy_delete(request, pk: int):
    document = access.get_document_or_404(request.user, pk)
    services.policy_delete(actor=request.user, document=document, request=request)
    messages.success(request, f"已删除《{document.title}》")
    return redirect("assistant:policy_list")


@login_required
@require_GET
def policy_file(request, pk: int):
    document = access.get_document_or_404(request.user, pk)
    path = Path(settings.MEDIA_ROOT) / document.file if document.file else None
    if path is None or not path.is_file():
        raise Http404("原文件不存在")
    return FileResponse(open(path, "rb"), as_attachment=True, filename=document.original_name)

"""Every write of the policy library: add, index, edit, delete (each audited in its transaction).

Adding a document extracts its text at once (so a bad file is refused while the user waits, and
the metadata guessed from the text can be shown for editing) and stores the file; splitting it
into passages, segmenting them and, when configured, embedding them runs in the background
(``assistant.tasks.index_policy``). Indexing is incremental: only that document's passages are
written, and a file whose content is already in the library is not added twice. Indexing is the
document's job (``jobs.lifecycle``): claimed by one worker, shown failed and re-indexable when its
worker died.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from qingzhuang.assistant import access
from qingzhuang.assistant import text as chinese
from qingzhuang.assistant.models import DocumentStatus, IndexState, Level, PolicyDocument, PolicyPassage
from qingzhuang.jobs import lifecycle
from qingzhuang.orgs import audit

logger = logging.getLogger(__name__)


POLICY_DIR = "policies"
PERMISSION_MESSAGE = "您没有维护政策库的权限"
DUPLICATE_MESSAGE = "政策库中已有内容相同的文件：{title}"
MAX_TAGS = 10


@dataclass
class AddResult:
    document: PolicyDocument | None
    created: bool
    message: str = ""

    def to_json(self, name: str) -> dict:
        doc = self.document
        return {
            "file": name, "ok": doc is not None, "created": self.created, "message": self.message,
            "id": doc.pk if doc else None, "title": doc.title if doc else "",
            "doc_number": doc.doc_number if doc else "", "issuer": doc.issuer if doc else "",
            "issued_on": doc.issued_on.isoformat() if doc and doc.issued_on else None,
            "level": doc.level if doc else "", "status": doc.status if doc else "",
            "passages": doc.passage_count if doc else 0,
        }


def can_manage(user) -> bool:
    return user is None or (getattr(user, "is_authenticated", False) and user.has_perm("assistant.manage_policies"))


def _require(actor) -> None:
    if not can_manage(actor):
        raise PermissionDenied(PERMISSION_MESSAGE)


def _require_document(actor, document: PolicyDocument) -> PolicyDocument:
    """The permission, then ``document`` as ``actor`` may reach it (``access.get_document_or_404``:
    a document they cannot find answers like a missing one)."""
    _require(actor)
    return access.get_document_or_404(actor, document.pk)


def bump_library() -> None:
    """Mark the library changed (inside the changing transaction): every process rebuilds its index."""
    IndexState.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def policy_add(*, actor, path: str | os.PathLike, filename: str = "", index_now: bool = False,
               request=None) -> AddResult:
    """Add the file at ``path`` (named ``filename`` by the uploader) to the library.

    Raises PermissionDenied without the permission; a file that cannot be read gives a result with
    a Chinese message and writes nothing. ``index_now`` indexes in this process (the command line);
    otherwise indexing is queued for the worker when the document commits.
    """
    from qingzhuang.assistant.extract import ExtractError, extract_text
    from qingzhuang.assistant.structure import guess_metadata, normalize_doc_number

    _require(actor)
    path = Path(path)
    name = os.path.basename(filename or path.name)[:255] or "上传文件"
    try:
        extracted = extract_text(path, filename=name)
    except ExtractError as exc:
        return AddResult(None, False, exc.message)
    digest = _sha256(path)
    unit = getattr(actor, "unit", None) if actor is not None else None
    same = PolicyDocument.objects.filter(sha256=digest, unit=unit).first()
    if same is not None:
        return AddResult(same, False, DUPLICATE_MESSAGE.format(title=same.title))
    meta = guess_metadata(extracted.text)
    folder = Path(settings.MEDIA_ROOT) / POLICY_DIR
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{uuid.uuid4().hex}{Path(name).suffix.lower()[:10]}"
    shutil.copyfile(path, stored)
    try:
        with transaction.atomic():
            document = PolicyDocument.objects.create(
                title=(meta.title or Path(name).stem)[:200], issuer=meta.issuer[:100],
                doc_number=meta.doc_number[:100], doc_number_key=normalize_doc_number(meta.doc_number)[:100],
                issued_on=meta.issued_on, level=meta.level if meta.level in Level.values else Level.OTHER,
                tags=list(meta.tags)[:MAX_TAGS], unit=unit, file=f"{POLICY_DIR}/{stored.name}", original_name=name,
                format=extracted.format, sha256=digest, text=extracted.text,
                uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            audit.record(actor=actor, action="assistant.policy.add", obj=document, unit=unit,
                         after={"title": document.title, "file": name, "doc_number": document.doc_number},
                         request=request)
            if not index_now:
                transaction.on_commit(lambda: _enqueue(document.pk))
    except Exception:
        stored.unlink(missing_ok=True)
        raise
    if index_now:
        index_document(document.pk)
        document.refresh_from_db()
    return AddResult(document, True)


def policy_add_upload(*, actor, upload, request=None) -> AddResult:
    """``policy_add`` for an uploaded file (page or API): copied to a private temporary file first,
    removed when added (the library keeps its own copy under MEDIA_ROOT)."""
    name = os.path.basename(upload.name or "上传文件")
    with tempfile.TemporaryDirectory(prefix="qz-policy-") as folder:
        path = Path(folder) / ("upload" + Path(name).suffix.lower()[:10])
        with open(path, "wb") as f:
            for chunk in upload.chunks():
                f.write(chunk)
        return policy_add(actor=actor, path=path, filename=name, request=request)


def _enqueue(document_id: int) -> None:
    from qingzhuang.assistant.tasks import index_policy

    index_policy.enqueue(document_id)


def index_document(document_id: int, *, task_id: str = "") -> str:
    """Split, segment and (when configured) embed one document; its passages replace the old ones.
    Returns the document's final status, or "skipped" when another run has it. Safe to run again
    (re-indexing): a document already indexed or failed is queued again first (``jobs.lifecycle``)."""
    from qingzhuang.assistant import llm
    from qingzhuang.assistant.structure import guess_metadata, normalize_doc_number, split_passages

    document = PolicyDocument.objects.filter(pk=document_id).first()
    if document is None:
        return "skipped"
    lifecycle.retry(document)
    if not lifecycle.claim(document, message="正在切分段落…", task_id=task_id):
        return "skipped"
    message = ""
    try:
        with lifecycle.heartbeat(document):
            passages = split_passages(document.text, title=document.title)
            rows = [
                PolicyPassage(document_id=document.pk, position=i, heading=p.heading[:300], article=p.article[:60],
                              text=p.text, tokens=" ".join(chinese.tokens(f"{p.heading} {p.text}")))
                for i, p in enumerate(passages)
            ]
            if rows and llm.embeddings_configured():
                lifecycle.progress(document, done=0, total=len(rows), message="正在向量化…")
                try:
                    vectors = llm.embed([f"{document.title} {r.heading}\n{r.text}" for r in rows])
                    import numpy as np

                    for row, vector in zip(rows, vectors, strict=True):
                        row.embedding = np.asarray(vector, dtype=np.float32).tobytes()
                except llm.LLMError as exc:
                    message = f"向量化失败，仅使用关键词检索：{exc.message}"
            lifecycle.progress(document, done=len(rows), total=len(rows), message="正在写入索引…")
            with transaction.atomic():
                PolicyPassage.objects.filter(document_id=document.pk).delete()
                PolicyPassage.objects.bulk_create(rows, batch_size=500)
                guessed = {}
                if not document.metadata_edited:  # refresh what was guessed (the rules may have improved)
                    meta = guess_metadata(document.text)
                    guessed = {
                        "title": (meta.title or document.title)[:200], "issuer": meta.issuer[:100],
                        "doc_number": meta.doc_number[:100],
                        "doc_number_key": normalize_doc_number(meta.doc_number)[:100], "issued_on": meta.issued_on,
                        "level": meta.level if meta.level in Level.values else Level.OTHER, "tags": list(meta.tags)[:MAX_TAGS],
                    }
                results = {"passage_count": len(rows), "indexed_at": timezone.now(), "tokenizer": chinese.SIGNATURE,
                           **guessed}
                if rows:
                    lifecycle.finish(document, message=message, **results)
                elif not lifecycle.fail(document, "文件中没有可检索的正文段落", error="no passages", **results):
                    raise lifecycle.JobLost(f"policy document {document.pk}")
                audit.record(actor=None, action="assistant.policy.index", obj=document, unit=document.unit,
                             after={"passages": len(rows), "status": str(document.status)})
                bump_library()
            return str(document.status)
    except lifecycle.JobLost:
        logger.warning("indexing policy %s: the document was deleted or taken over by another run", document_id)
        return "skipped"
    except Exception as exc:
        logger.exception("indexing policy %s failed", document_id)
        lifecycle.fail(document, f"索引时发生系统错误，请重新索引（{type(exc).__name__}）", error=lifecycle.describe(exc))
        return DocumentStatus.FAILED


def reindex(*, actor, document: PolicyDocument, request=None) -> None:
    """Queue a document for indexing again (after a failure, or a change of the dictionary).

    A document that is being indexed (by a live worker) is refused with a ValidationError; one already
    queued has its task enqueued once more (only one run claims it).
    """
    document = _require_document(actor, document)
    with transaction.atomic():
        if not lifecycle.retry(document) and not document.is_queued:
            raise ValidationError("该文件正在建立索引，完成后才能重新索引")
        audit.record(actor=actor, action="assistant.policy.index", obj=document, unit=document.unit,
                     after={"requested": True}, request=request)
        transaction.on_commit(lambda: _enqueue(document.pk))


def stale_documents(documents=None):
    """Documents indexed under other tokenizer rules (an upgrade changed jieba or the dictionary)."""
    documents = PolicyDocument.objects.all() if documents is None else documents
    return documents.filter(status=DocumentStatus.SUCCEEDED).exclude(tokenizer=chinese.SIGNATURE)


def reindex_stale(*, actor, request=None) -> int:
    """Queue the stale documents (see ``stale_documents``) that ``actor`` can see; returns how many."""
    _require(actor)
    with transaction.atomic():
        documents = stale_documents().filter(pk__in=access.visible_documents(actor).values("pk")).order_by("pk")
        ids = [d.pk for d in documents if lifecycle.retry(d)]
        if ids:
            audit.record(actor=actor, action="assistant.policy.index", object_type="assistant.policydocument",
                         object_repr=f"重新索引{len(ids)}个文件", after={"documents": ids}, request=request)
        for pk in ids:
            transaction.on_commit(lambda pk=pk: _enqueue(pk))
    return len(ids)


EDITABLE = ("title", "issuer", "doc_number", "issued_on", "level", "tags")


def policy_update(*, actor, document: PolicyDocument, title: str, issuer: str = "", doc_number: str = "",
                  issued_on: date | None = None, level: str = Level.OTHER, tags: list[str] | None = None,
                  request=None) -> PolicyDocument:
    """Edit a document's metadata (kept across re-indexing)."""
    from qingzhuang.assistant.structure import normalize_doc_number

    document = _require_document(actor, document)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "标题不能为空"})
    if level not in Level.values:
        raise ValidationError({"level": "层级无效"})
    tags = [t.strip() for t in (tags or []) if t.strip()]
    if len(tags) > MAX_TAGS:
        raise ValidationError({"tags": f"标签最多{MAX_TAGS}个"})
    with transaction.atomic():
        locked = PolicyDocument.objects.select_for_update().get(pk=document.pk)
        before = {f: _plain(getattr(locked, f)) for f in EDITABLE}
        locked.title, locked.issuer, locked.doc_number = title[:200], issuer.strip()[:100], doc_number.strip()[:100]
        locked.doc_number_key = normalize_doc_number(locked.doc_number)[:100]
        locked.issued_on, locked.level, locked.tags = issued_on, level, tags
        locked.metadata_edited = True
        locked.save()
        after = {f: _plain(getattr(locked, f)) for f in EDITABLE}
        changed = [f for f in EDITABLE if before[f] != after[f]]
        audit.record(actor=actor, action="assistant.policy.update", obj=locked, unit=locked.unit,
                     before={f: before[f] for f in changed}, after={f: after[f] for f in changed}, request=request)
        bump_library()
    return locked


def policy_delete(*, actor, document: PolicyDocument, request=None) -> None:
    document = _require_document(actor, document)
    with transaction.atomic():
        audit.record(actor=actor, action="assistant.policy.delete", obj=document, unit=document.unit,
                     before={"title": document.title, "doc_number": document.doc_number,
                             "file": document.original_name}, request=request)
        stored = Path(settings.MEDIA_ROOT) / document.file if document.file else None
        document.delete()
        bump_library()
        if stored is not None:
            transaction.on_commit(lambda: stored.unlink(missing_ok=True))


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value

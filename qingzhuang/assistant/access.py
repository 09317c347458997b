"""What of the assistant a user reaches: policy documents and the datasets a summary may count.

The scope itself is ``orgs.access`` (and ``ledger.access`` for datasets); what is out of reach
answers like something missing: 404.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from qingzhuang.assistant.models import PolicyDocument
from qingzhuang.ledger import access as ledger_access
from qingzhuang.ledger.models import Dataset, Storage
from qingzhuang.orgs import access

DOCUMENT_NOT_FOUND = "未找到该政策文件"


def visible_documents(user) -> QuerySet[PolicyDocument]:
    """Documents ``user`` may find: of no unit, of their unit's ancestors, or of units in their scope.
    ``user`` None is the system (every document)."""
    documents = PolicyDocument.objects.all()
    if user is None:
        return documents
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return documents.none()
    return documents.filter(Q(unit__isnull=True) | access.unit_q(user, "unit") | access.above_q(user, "unit"))


def get_document_or_404(user, pk: int) -> PolicyDocument:
    try:
        return visible_documents(user).select_related("unit", "uploaded_by").get(pk=pk)
    except (PolicyDocument.DoesNotExist, ValueError, TypeError):
        raise Http404(DOCUMENT_NOT_FOUND) from None


def get_summary_dataset_or_404(user, code: str) -> Dataset:
    """A ``records`` dataset the user reads rows of (the whole of it, or their scope); else 404."""
    dataset = ledger_access.get_dataset_or_404(user, (code or "").strip())
    if dataset.storage != Storage.RECORDS:
        raise Http404("未找到该数据集")
    if not ledger_access.has_whole_dataset(user, dataset) and not access.scope_paths(user):
        raise Http404("未找到该数据集")
    return dataset

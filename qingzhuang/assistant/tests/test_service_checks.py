"""The policy-library services refuse by themselves what the pages refuse: without
``assistant.manage_policies`` PermissionDenied, and a document the actor cannot find (another
township's) the 404 of a missing one, before anything is written."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from conftest import make_user
from qingzhuang.assistant import services
from qingzhuang.assistant.models import DocumentStatus, PolicyDocument
from qingzhuang.orgs.models import AuditLog


@pytest.fixture
def manager_b(county):
    """A 督查室 user of the sibling township 乙镇: has the permission, not the scope over 甲镇."""
    return make_user("manager_b", county["town_b"], "督查室")


def _unchanged(document: PolicyDocument, audits: int) -> None:
    stored = PolicyDocument.objects.get(pk=document.pk)
    assert (stored.title, stored.status, stored.metadata_edited) == (document.title, document.status, False)
    assert AuditLog.objects.count() == audits


# --- policy_update --------------------------------------------------------------------------

def test_policy_update_by_a_manager_above(library, users):
    doc = services.policy_update(actor=users["supervision"], document=library["town"], title="甲镇值班制度（修订）")
    assert doc.title == "甲镇值班制度（修订）"
    assert AuditLog.objects.filter(action="assistant.policy.update").count() == 1


def test_policy_update_without_permission(library, users):
    audits = AuditLog.objects.count()
    with pytest.raises(PermissionDenied) as caught:
        services.policy_update(actor=users["member"], document=library["town"], title="改")
    assert str(caught.value) == "您没有维护政策库的权限"
    _unchanged(library["town"], audits)


def test_policy_update_of_a_sibling_townships_document(library, manager_b):
    audits = AuditLog.objects.count()
    with pytest.raises(Http404) as caught:
        services.policy_update(actor=manager_b, document=library["town"], title="改")
    assert str(caught.value) == "未找到该政策文件"
    _unchanged(library["town"], audits)


# --- policy_delete --------------------------------------------------------------------------

def test_policy_delete_by_a_manager_above(library, users):
    services.policy_delete(actor=users["supervision"], document=library["town"])
    assert not PolicyDocument.objects.filter(pk=library["town"].pk).exists()
    assert AuditLog.objects.filter(action="assistant.policy.delete").count() == 1


def test_policy_delete_without_permission(library, users):
    audits = AuditLog.objects.count()
    with pytest.raises(PermissionDenied) as caught:
        services.policy_delete(actor=users["member"], document=library["town"])
    assert str(caught.value) == "您没有维护政策库的权限"
    _unchanged(library["town"], audits)


def test_policy_delete_of_a_sibling_townships_document(library, manager_b):
    audits = AuditLog.objects.count()
    with pytest.raises(Http404) as caught:
        services.policy_delete(actor=manager_b, document=library["town"])
    assert str(caught.value) == "未找到该政策文件"
    _unchanged(library["town"], audits)


# --- reindex --------------------------------------------------------------------------------

def test_reindex_by_a_manager_above(library, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.reindex(actor=users["supervision"], document=library["town"])
    assert PolicyDocument.objects.get(pk=library["town"].pk).status == DocumentStatus.QUEUED
    assert AuditLog.objects.filter(action="assistant.policy.index", after={"requested": True}).count() == 1
    assert len(queued) == 1


def test_reindex_without_permission(library, users, django_capture_on_commit_callbacks):
    audits = AuditLog.objects.count()
    with django_capture_on_commit_callbacks(execute=False) as queued, pytest.raises(PermissionDenied) as caught:
        services.reindex(actor=users["member"], document=library["town"])
    assert str(caught.value) == "您没有维护政策库的权限"
    _unchanged(library["town"], audits)
    assert queued == []


def test_reindex_of_a_sibling_townships_document(library, manager_b, django_capture_on_commit_callbacks):
    audits = AuditLog.objects.count()
    with django_capture_on_commit_callbacks(execute=False) as queued, pytest.raises(Http404) as caught:
        services.reindex(actor=manager_b, document=library["town"])
    assert str(caught.value) == "未找到该政策文件"
    _unchanged(library["town"], audits)
    assert queued == []


def test_the_system_reaches_every_document(library):
    services.policy_update(actor=None, document=library["town"], title="甲镇值班制度（系统）")
    assert PolicyDocument.objects.get(pk=library["town"].pk).title == "甲镇值班制度（系统）"

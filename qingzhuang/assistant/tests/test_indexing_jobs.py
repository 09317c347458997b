"""Indexing a policy document is a job (``jobs.lifecycle``): progress, a dead worker, re-indexing."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from qingzhuang.assistant import services
from qingzhuang.assistant.models import DocumentStatus, PolicyDocument
from qingzhuang.jobs import lifecycle
from qingzhuang.orgs.models import AuditLog

STALE_MESSAGE = "索引任务已中断（服务重启或处理进程退出），请重新索引"


def stuck(document, minutes=45):
    """The document as a worker that died while indexing it leaves it."""
    PolicyDocument.objects.filter(pk=document.pk).update(
        status=DocumentStatus.RUNNING, message="正在写入索引…", attempts=1,
        started_at=timezone.now() - dt.timedelta(minutes=minutes + 1),
        heartbeat_at=timezone.now() - dt.timedelta(minutes=minutes))


def test_indexing_records_the_run(library):
    doc = library["county"]
    assert (doc.status, doc.get_status_display(), doc.attempts, doc.message) == ("indexed", "已索引", 1, "")
    assert (doc.progress_done, doc.progress_total, doc.progress_percent) == (5, 5, 100)
    assert doc.started_at <= doc.heartbeat_at <= doc.finished_at


def test_a_document_being_indexed_is_not_indexed_twice(library):
    doc = library["county"]
    PolicyDocument.objects.filter(pk=doc.pk).update(status=DocumentStatus.RUNNING, heartbeat_at=timezone.now())
    assert services.index_document(doc.pk) == "skipped"


def test_indexing_stuck_by_a_dead_worker_is_failed_on_the_page_and_reindexed(
        library, users, verified_client, django_capture_on_commit_callbacks):
    doc = library["county"]
    stuck(doc)
    client = verified_client(users["supervision"])
    page = client.get(f"/assistant/policies/{doc.pk}/").content.decode()
    assert 'data-testid="policy-status">索引失败</span>' in page and STALE_MESSAGE in page
    assert 'data-testid="policy-retry"' in page and "hx-trigger" not in page
    doc.refresh_from_db()
    assert (doc.status, doc.message) == ("failed", STALE_MESSAGE)
    assert AuditLog.objects.filter(action="jobs.stale", object_id=str(doc.pk)).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/assistant/policies/{doc.pk}/reindex/", follow=True)
    assert "已重新排队建立索引" in response.content.decode()
    doc.refresh_from_db()
    assert (doc.status, doc.message, doc.attempts, doc.passage_count) == ("indexed", "", 2, 5)


def test_a_fresh_indexing_shows_progress_and_cannot_be_requeued(library, users, verified_client):
    doc = library["county"]
    stuck(doc, minutes=0.5)  # silent for 30 seconds: within the one-minute limit
    PolicyDocument.objects.filter(pk=doc.pk).update(progress_done=2, progress_total=5)
    client = verified_client(users["supervision"])
    page = client.get(f"/assistant/policies/{doc.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert "已处理 2 / 5 个段落" in page and 'aria-label="索引进度" aria-valuenow="40"' in page
    assert "正在写入索引…" in page and 'text-bg-info">正在索引</span>' in page
    doc.refresh_from_db()
    with pytest.raises(ValidationError, match="该文件正在建立索引，完成后才能重新索引"):
        services.reindex(actor=users["supervision"], document=doc)
    response = client.post(f"/assistant/policies/{doc.pk}/reindex/", follow=True)
    assert "该文件正在建立索引，完成后才能重新索引" in response.content.decode()
    assert PolicyDocument.objects.get(pk=doc.pk).status == DocumentStatus.RUNNING


def test_the_list_page_and_the_api_show_a_dead_indexing_as_failed(library, users, verified_client):
    from qingzhuang.assistant.tests.test_views_api import _token_client

    doc = library["county"]
    stuck(doc)
    page = verified_client(users["supervision"]).get("/assistant/policies/").content.decode()
    assert f'title="{STALE_MESSAGE}">索引失败</span>' in page
    stuck(doc)
    client, auth = _token_client(users["supervision"])
    data = client.get(f"/api/v1/assistant/policies/{doc.pk}", **auth).json()
    assert (data["status"], data["status_label"], data["message"]) == ("failed", "索引失败", STALE_MESSAGE)
    assert {k: data["indexing"][k] for k in ("status", "status_label", "finished", "progress", "attempts")} == {
        "status": "failed", "status_label": "索引失败", "finished": True, "progress": 100, "attempts": 1}


def test_reindex_command_redoes_an_indexing_left_by_a_dead_worker(library):
    doc = library["county"]
    stuck(doc)
    out = io.StringIO()
    call_command("reindex_policies", "--json", stdout=out)
    assert json.loads(out.getvalue())["documents"] == [
        {"id": doc.pk, "title": "青山县测试会议管理办法", "status": "indexed"}]


def test_a_document_deleted_while_indexing_is_skipped(library, monkeypatch):
    doc = library["county"]
    real = lifecycle.progress

    def delete_then_progress(job, **kwargs):
        PolicyDocument.objects.filter(pk=job.pk).delete()
        return real(job, **kwargs)

    monkeypatch.setattr(lifecycle, "progress", delete_then_progress)
    assert services.index_document(doc.pk) == "skipped"
    assert not PolicyDocument.objects.filter(pk=doc.pk).exists()

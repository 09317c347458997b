"""The ledger import/export API: jobs (202), job status (uploader or county level), export."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from qingzhuang.accounts.services import token_create
from qingzhuang.ledger.models import ImportJob, Record
from qingzhuang.ledger.tests.import_files import VILLAGE_B, person, rows_of


def bearer(user):
    from django.db import transaction

    with transaction.atomic():
        _, raw = token_create(actor=user, user=user, name="脚本")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def csv_upload(people, name="人口.csv"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows_of(people))
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")


def post_import(client, user, people, capture, code="population", **data):
    """POST the file; the job runs when the request's transaction commits (after the 202)."""
    headers = bearer(user)
    with capture(execute=True):
        response = client.post(f"/api/v1/ledger/datasets/{code}/import", {"file": csv_upload(people), **data},
                               **headers)
    return response


def job_of(client, user, response) -> dict:
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    return client.get(f"/api/v1/ledger/jobs/{response.json()['id']}", **bearer(user)).json()


def test_import_creates_a_job_and_runs_it(client, catalog, users, django_capture_on_commit_callbacks):
    response = post_import(client, users["member"], [person(1), person(2)], django_capture_on_commit_callbacks)
    job = job_of(client, users["member"], response)
    assert job["status"] == "succeeded" and job["status_label"] == "已完成"
    assert (job["created"], job["total_rows"], job["progress"], job["finished"]) == (2, 2, 100, True)
    assert (job["processed_rows"], job["progress_done"], job["progress_total"], job["attempts"]) == (2, 2, 2, 1)
    assert job["uploaded_by"] == "member" and job["dataset"] == "population"
    assert Record.objects.count() == 2


def test_dry_run_and_period_fields(client, catalog, users, django_capture_on_commit_callbacks):
    response = post_import(client, users["member"], [person(1)], django_capture_on_commit_callbacks,
                           dry_run="true", period="2024-11")
    job = job_of(client, users["member"], response)
    assert job["dry_run"] is True and job["period"] == "2024-11" and job["created"] == 1
    assert Record.objects.count() == 0


def test_rejected_job_lists_problems(client, catalog, users, django_capture_on_commit_callbacks):
    response = post_import(client, users["member"], [person(1, village=VILLAGE_B)], django_capture_on_commit_callbacks)
    job = job_of(client, users["member"], response)
    assert job["status"] == "rejected"
    assert job["errors"] == [{"row": 2, "column": "所属村（社区）代码", "value": VILLAGE_B, "code": "unknown_unit",
                              "message": "单位代码不存在或不在您的管理范围内"}]


def test_import_without_permission_is_403(client, catalog, users, django_capture_on_commit_callbacks):
    response = post_import(client, users["leader"], [person(1)], django_capture_on_commit_callbacks)
    assert response.status_code == 403
    assert response.json() == {"detail": "您没有导入一套表数据的权限"}
    assert not ImportJob.objects.exists()


def test_unknown_dataset_is_404(client, catalog, users, django_capture_on_commit_callbacks):
    assert post_import(client, users["member"], [person(1)], django_capture_on_commit_callbacks,
                       code="nope").status_code == 404


def test_job_status_for_uploader_and_county_level_only(client, catalog, users, django_capture_on_commit_callbacks):
    job_id = post_import(client, users["member"], [person(1, 性别="?")], django_capture_on_commit_callbacks).json()["id"]
    mine = client.get(f"/api/v1/ledger/jobs/{job_id}", **bearer(users["member"]))
    assert mine.status_code == 200 and mine.json()["error_count"] == 1
    assert client.get(f"/api/v1/ledger/jobs/{job_id}", **bearer(users["leader"])).status_code == 200
    assert client.get(f"/api/v1/ledger/jobs/{job_id}", **bearer(users["outsider"])).status_code == 404
    assert client.get("/api/v1/ledger/jobs/999999", **bearer(users["member"])).status_code == 404


def test_job_errors_are_masked_for_other_viewers(client, catalog, users, django_capture_on_commit_callbacks):
    bad = person(1, 公民身份号码="110105194912310021")
    job_id = post_import(client, users["member"], [bad], django_capture_on_commit_callbacks).json()["id"]
    own = client.get(f"/api/v1/ledger/jobs/{job_id}", **bearer(users["member"])).json()
    assert own["errors"][0]["value"] == "110105194912310021"
    other = client.get(f"/api/v1/ledger/jobs/{job_id}", **bearer(users["leader"])).json()
    assert other["errors"][0]["value"] == "1101**********0021"


def test_retry(client, catalog, users, django_capture_on_commit_callbacks):
    job_id = post_import(client, users["member"], [person(1)], django_capture_on_commit_callbacks,
                         dry_run="true").json()["id"]
    headers = bearer(users["member"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/ledger/jobs/{job_id}/retry", {"dry_run": "false"}, **headers)
    job = job_of(client, users["member"], response)
    assert job["status"] == "succeeded" and job["dry_run"] is False
    assert Record.objects.count() == 1
    again = client.post(f"/api/v1/ledger/jobs/{response.json()['id']}/retry", **headers)
    assert again.status_code == 400 and again.json()["detail"] == "原文件已不存在，请重新上传"


def test_export_api_masks_and_scopes(client, catalog, users, django_capture_on_commit_callbacks):
    post_import(client, users["grassroots"], [person(1), person(2, village=VILLAGE_B)],
                django_capture_on_commit_callbacks)
    response = client.get("/api/v1/ledger/datasets/population/export?format=csv", **bearer(users["leader"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 3 and "*" in rows[1][1]
    scoped = client.get("/api/v1/ledger/datasets/population/export?format=xlsx&unit=429901002000",
                        **bearer(users["outsider"]))
    assert scoped.status_code == 200
    assert client.get("/api/v1/ledger/datasets/population/export?unit=429901001000",
                      **bearer(users["outsider"])).status_code == 404


def test_paths_are_in_the_schema(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/ledger/datasets/{code}/import" in paths
    assert "/api/v1/ledger/jobs/{job_id}" in paths
    assert "/api/v1/ledger/datasets/{code}/export" in paths

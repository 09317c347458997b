import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from qingzhuang.ledger.models import ImportJob, JobStatus
from qingzhuang.ledger.tests.view_helpers import make_job

ERRORS = [
    {"row": 3, "column": "公民身份号码", "value": "11010519491231002Y", "code": "id_check", "message": "公民身份号码校验位错误"},
    {"row": 4, "column": "性别", "value": "未知", "code": "code_list", "message": "性别应为：男、女"},
]


@pytest.fixture
def job(catalog, users):
    return make_job(catalog["population"], users["member"], status=JobStatus.REJECTED, errors=ERRORS)


def test_anonymous_redirected_to_login(client, job):
    response = client.get(reverse("ledger:job_detail", args=[job.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_uploader_sees_summary_and_errors(verified_client, users, job):
    response = verified_client(users["member"]).get(reverse("ledger:job_detail", args=[job.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "导入未通过" in body and "文件中有 2 个问题，没有写入任何数据" in body
    assert "11010519491231002Y" in body and "性别应为：男、女" in body
    # A finished job is not polled.
    assert "hx-trigger" not in body and "重新运行" not in body


def test_job_of_someone_else_is_404(verified_client, users, job):
    for who in ("outsider", "nobody"):
        client = verified_client(users[who])
        for name in ("ledger:job_detail", "ledger:job_progress", "ledger:job_errors"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404, (who, name)
        assert client.post(reverse("ledger:job_retry", args=[job.pk])).status_code == 404
    assert verified_client(users["member"]).get(reverse("ledger:job_detail", args=[job.pk + 99])).status_code == 404


def test_county_level_user_sees_every_job_masked(verified_client, users, job):
    response = verified_client(users["leader"]).get(reverse("ledger:job_detail", args=[job.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "1101**********002Y" in body and "11010519491231002Y" not in body


def test_running_job_polls_its_progress(verified_client, users, catalog):
    running = make_job(catalog["population"], users["member"], status=JobStatus.RUNNING, progress_total=200,
                       progress_done=50)
    client = verified_client(users["member"])
    body = client.get(reverse("ledger:job_detail", args=[running.pk])).content.decode()
    assert f'hx-get="/ledger/jobs/{running.pk}/progress/" hx-trigger="every 1s"' in body
    assert 'aria-valuenow="25"' in body and "width: 25%" in body
    partial = client.get(reverse("ledger:job_progress", args=[running.pk])).content.decode()
    assert "<html" not in partial and "hx-trigger" in partial
    running.status, running.created, running.progress_done = JobStatus.SUCCEEDED, 200, 200
    running.save()
    partial = client.get(reverse("ledger:job_progress", args=[running.pk])).content.decode()
    assert "hx-trigger" not in partial and "导入通过" in partial and "已全部写入" in partial


def test_error_list_download(verified_client, users, job):
    response = verified_client(users["member"]).get(reverse("ledger:job_errors", args=[job.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["行", "列", "值", "原因", "问题代码"]
    assert rows[1] == [3, "公民身份号码", "11010519491231002Y", "公民身份号码校验位错误", "id_check"]


def test_error_list_download_masked_for_county_viewer(verified_client, users, job):
    response = verified_client(users["leader"]).get(reverse("ledger:job_errors", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.cell(row=2, column=3).value == "1101**********002Y"


def test_retry_offered_for_failed_job(verified_client, users, catalog):
    failed = make_job(catalog["population"], users["member"], status=JobStatus.FAILED, message="数据库连接中断")
    body = verified_client(users["member"]).get(reverse("ledger:job_detail", args=[failed.pk])).content.decode()
    assert "重新运行" in body and "数据库连接中断" in body


def test_retry_needs_import_permission(verified_client, users, catalog):
    failed = make_job(catalog["population"], users["member"], status=JobStatus.FAILED)
    assert verified_client(users["leader"]).post(reverse("ledger:job_retry", args=[failed.pk])).status_code == 403


def test_retry_of_finished_job_changes_nothing(verified_client, users, job):
    response = verified_client(users["member"]).post(reverse("ledger:job_retry", args=[job.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("ledger:job_detail", args=[job.pk])
    assert ImportJob.objects.get(pk=job.pk).status == JobStatus.REJECTED


def test_retry_needs_post(verified_client, users, job):
    assert verified_client(users["member"]).get(reverse("ledger:job_retry", args=[job.pk])).status_code == 405


def test_retry_runs_failed_job_again(verified_client, users, catalog, settings, tmp_path,
                                     django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "imports").mkdir()
    (tmp_path / "imports" / "x.csv").write_text("姓名,公民身份号码\n", encoding="utf-8")
    failed = make_job(catalog["population"], users["member"], status=JobStatus.FAILED, file="imports/x.csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = verified_client(users["member"]).post(reverse("ledger:job_retry", args=[failed.pk]))
    retried = ImportJob.objects.exclude(pk=failed.pk).get()
    assert response["Location"] == reverse("ledger:job_detail", args=[retried.pk])
    assert retried.is_finished and retried.uploaded_by == users["member"]


def test_retry_without_the_file_says_so(verified_client, users, catalog, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    failed = make_job(catalog["population"], users["member"], status=JobStatus.FAILED)
    response = verified_client(users["member"]).post(reverse("ledger:job_retry", args=[failed.pk]), follow=True)
    assert "原文件已不存在，请重新上传" in response.content.decode()
    assert ImportJob.objects.count() == 1


def test_confirm_imports_a_passed_dry_run(verified_client, users, catalog, settings, tmp_path,
                                          django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "imports").mkdir()
    number = "11010519491231002X"
    (tmp_path / "imports" / "ok.csv").write_text(
        "姓名,公民身份号码,性别,出生日期,人员类别,所属村（社区）代码\n"
        f"张三,{number},女,1949-12-31,户籍人口,429901001201\n", encoding="utf-8")
    dry = make_job(catalog["population"], users["member"], status=JobStatus.SUCCEEDED, dry_run=True,
                   file="imports/ok.csv")
    client = verified_client(users["member"])
    assert "确认导入" in client.get(reverse("ledger:job_detail", args=[dry.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ledger:job_retry", args=[dry.pk]), {"confirm": "import"})
    real = ImportJob.objects.exclude(pk=dry.pk).get()
    assert response["Location"] == reverse("ledger:job_detail", args=[real.pk])
    assert (real.dry_run, real.status, real.created) == (False, JobStatus.SUCCEEDED, 1)


def test_finished_job_banner_says_it_once(verified_client, users, catalog):
    done = make_job(catalog["population"], users["member"], status=JobStatus.SUCCEEDED, progress_total=2,
                    created=2, message="导入完成：共2行，新增2条、更新0条，0条未变化")
    body = verified_client(users["member"]).get(reverse("ledger:job_detail", args=[done.pk])).content.decode()
    assert "已全部写入" in body and "导入完成：共2行" not in body
    failed = make_job(catalog["population"], users["member"], status=JobStatus.FAILED,
                      message="导入任务已中断（服务重启或处理进程退出），没有写入任何数据，请重试")
    body = verified_client(users["member"]).get(reverse("ledger:job_detail", args=[failed.pk])).content.decode()
    assert body.count("没有写入任何数据") == 1 and "导入任务已中断" in body

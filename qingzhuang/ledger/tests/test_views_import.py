import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qingzhuang.ledger.models import ImportJob, JobStatus, Record
from qingzhuang.ledger.tests.view_helpers import id_number, make_job

HEADER = "姓名,公民身份号码,性别,出生日期,民族,联系电话,所属村（社区）代码,居住地址,人员类别,特殊群体\n"


def csv_file(*rows: str, name: str = "人口.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (HEADER + "".join(r + "\n" for r in rows)).encode("utf-8"), "text/csv")


def good_row(serial: int, name: str = "王五") -> str:
    number = id_number(serial)
    return f"{name},{number},男,1980-01-01,汉族,13911112222,429901001201,甲村1号,户籍人口,"


def bad_id_row() -> str:
    number = id_number(3)
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    return f"赵六,{wrong},男,1980-01-01,汉族,13911113333,429901001201,甲村2号,户籍人口,低保对象"


URL = reverse("ledger:dataset_import", args=["population"])


def test_anonymous_redirected_to_login(client, catalog):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_import_page_shows_columns_form_and_my_recent_jobs(verified_client, users, catalog):
    make_job(catalog["population"], users["member"], original_name="我的文件.csv")
    make_job(catalog["population"], users["outsider"], original_name="别人的文件.csv")
    response = verified_client(users["member"]).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "公民身份号码 · 主键" in body and 'name="period"' in body
    assert "我的文件.csv" in body and "别人的文件.csv" not in body


def test_period_only_for_monthly_datasets(verified_client, users, catalog):
    body = verified_client(users["member"]).get(reverse("ledger:dataset_import", args=["housing"])).content.decode()
    assert 'name="period"' not in body


def test_import_needs_permission(verified_client, users, catalog):
    client = verified_client(users["leader"])
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"file": csv_file(good_row(1)), "action": "import"}).status_code == 403
    assert not ImportJob.objects.exists()


def test_unknown_dataset_is_404(verified_client, users, catalog):
    assert verified_client(users["member"]).get(reverse("ledger:dataset_import", args=["nothing"])).status_code == 404


def test_bad_period_is_a_chinese_form_error(verified_client, users, catalog):
    response = verified_client(users["member"]).post(
        URL, {"file": csv_file(good_row(1)), "period": "2025-13", "action": "dry_run"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"period": ["期间应填写为 YYYY-MM 格式，例如 2025-01"]}
    assert "期间应填写为 YYYY-MM 格式，例如 2025-01" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_wrong_file_type_and_missing_file(verified_client, users, catalog):
    client = verified_client(users["member"])
    response = client.post(URL, {"file": SimpleUploadedFile("人口.pdf", b"%PDF-1.4"), "action": "import"})
    assert response.context["form"].errors == {"file": ["请上传 xlsx、xls 或 csv 文件"]}
    response = client.post(URL, {"action": "import"})
    assert response.context["form"].errors == {"file": ["请选择要导入的文件"]}
    assert not ImportJob.objects.exists()


# The tests below run the import engine: the job is queued when the request's transaction
# commits and the immediate task backend runs it at once.


@pytest.fixture
def post_import(verified_client, users, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path

    def post(data, **kwargs):
        client = verified_client(users["member"])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(URL, data)
        return client.get(response["Location"]) if kwargs.get("follow") else response

    return post


def test_dry_run_redirects_to_job_and_writes_nothing(post_import, users, catalog):
    response = post_import({"file": csv_file(good_row(1), good_row(2, "钱七")), "period": "2025-05",
                            "action": "dry_run"})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("ledger:job_detail", args=[job.pk])
    assert (job.dry_run, job.period, job.status, job.uploaded_by) == (True, "2025-05", JobStatus.SUCCEEDED,
                                                                      users["member"])
    assert not Record.objects.exists()


def test_bad_row_rejects_the_file_and_job_page_lists_it(post_import, catalog):
    response = post_import({"file": csv_file(good_row(1), bad_id_row()), "action": "import"}, follow=True)
    job = ImportJob.objects.get()
    assert job.status == JobStatus.REJECTED and not Record.objects.exists()
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "公民身份号码")]
    body = response.content.decode()
    assert "导入未通过" in body and "公民身份号码校验位错误" in body


def test_import_writes_records(post_import, catalog):
    response = post_import({"file": csv_file(good_row(1), good_row(2, "钱七")), "action": "import"}, follow=True)
    job = ImportJob.objects.get()
    assert (job.status, job.created, job.dry_run) == (JobStatus.SUCCEEDED, 2, False)
    assert sorted(r.data["name"] for r in Record.objects.all()) == ["王五", "钱七"]
    assert "导入通过" in response.content.decode()


@pytest.mark.parametrize("period", ["2025-1", "25-01", "2025/01"])
def test_period_formats_rejected(verified_client, users, catalog, period):
    response = verified_client(users["member"]).post(URL, {"file": csv_file(good_row(1)), "period": period})
    assert "period" in response.context["form"].errors


def test_blank_template_lists_columns_with_notes(verified_client, users, catalog):
    from openpyxl import load_workbook

    client = verified_client(users["member"])
    url = reverse("ledger:dataset_import_template", args=["population"])
    assert f'href="{url}"' in client.get(URL).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["导入模板", "填写说明"]
    headers = [c.value for c in book["导入模板"][1]]
    assert headers == [c.name for c in catalog["population"].columns.order_by("position", "id")]
    notes = dict(row for row in book["填写说明"].iter_rows(min_row=2, max_col=2, values_only=True) if row[0])
    assert notes["公民身份号码"].startswith("必填。主键：相同主键的行更新已有记录。公民身份号码。")
    assert notes["性别"] == "必填。代码（单选）。可填：男、女。"
    assert notes["姓名"] == "必填。文本。不超过50个字符。"
    assert notes["出生日期"] == "必填。日期。如 2024-11-03、2024年11月3日。"
    assert notes["民族"].endswith("、基诺族。")
    assert verified_client(users["leader"]).get(url).status_code == 403

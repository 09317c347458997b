import pytest
from django.urls import reverse

from qingzhuang.ledger.tests.view_helpers import change_person, id_number, make_job, make_person
from qingzhuang.orgs.models import AuditLog

ZHANG = "11010519491231002X"


@pytest.fixture
def record(catalog, county, users):
    first = make_job(catalog["population"], users["member"], status="succeeded", original_name="四月人口.xlsx")
    record = make_person(catalog["population"], county["village_a"], name="张三", number=ZHANG,
                         phone="13812345678", job=first)
    job = make_job(catalog["population"], users["member"], status="succeeded", original_name="五月人口.xlsx")
    return change_person(record, job, users["member"], phone="13800001111", person_type="常住人口")


def url(record, name="ledger:record_detail"):
    return reverse(name, args=[record.dataset.code, record.pk])


def test_anonymous_redirected_to_login(client, record):
    response = client.get(url(record))
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_record_page_shows_masked_values_and_history(verified_client, users, record):
    response = verified_client(users["member"]).get(url(record))
    assert response.status_code == 200
    body = response.content.decode()
    assert "张三" in body and "1101**********002X" in body and "138****1111" in body
    assert ZHANG not in body and "13800001111" not in body and "13812345678" not in body
    assert "甲村（429901001201）" in body
    history = response.context["history"]
    assert [h.version for h in history] == [2, 1]
    assert [(f.name, f.before, f.after) for f in history[0].changes] == [
        ("联系电话", "138****5678", "138****1111"), ("人员类别", "户籍人口", "常住人口")]
    assert history[0].actor == "member" and history[0].job.original_name == "五月人口.xlsx"
    assert "导入 #" in body and "五月人口.xlsx" in body
    # The creation ends the history; its job is no longer known once the record has changed.
    assert (history[1].created, history[1].job, history[1].changes) == (True, None, [])
    # A permitted user is offered the audited reveal.
    assert "查看完整信息（将记入审计日志）" in body


def test_record_of_other_unit_is_404_like_missing(verified_client, users, record, catalog, county):
    other = make_person(catalog["population"], county["village_b"], name="李四", number=id_number(7))
    client = verified_client(users["member"])
    assert client.get(url(other)).status_code == 404
    missing = reverse("ledger:record_detail", args=["population", other.pk + 1000])
    assert client.get(missing).status_code == 404
    # The same record under another dataset's code is missing too.
    assert client.get(reverse("ledger:record_detail", args=["housing", record.pk])).status_code == 404


def test_indicator_dataset_has_no_record_page(verified_client, users, record):
    response = verified_client(users["member"]).get(reverse("ledger:record_detail", args=["indicator_values", record.pk]))
    assert response.status_code == 404


def test_reveal_shows_full_values_and_is_audited(verified_client, users, record):
    client = verified_client(users["member"])
    response = client.post(url(record, "ledger:record_reveal"))
    assert response.status_code == 200
    body = response.content.decode()
    assert ZHANG in body and "13800001111" in body
    # The history is revealed the same way.
    assert "13812345678 → 13800001111" in body and "138****5678" not in body
    entry = AuditLog.objects.get(action="record.reveal")
    assert (entry.actor, entry.object_id, entry.unit.code) == (users["member"], str(record.pk), "429901001201")
    # The audit log names the record without its ID number.
    assert ZHANG not in entry.object_repr


def test_reveal_needs_permission(verified_client, users, record):
    client = verified_client(users["leader"])
    body = client.get(url(record)).content.decode()
    assert "查看完整信息" not in body and "1101**********002X" in body
    assert client.post(url(record, "ledger:record_reveal")).status_code == 403
    assert not AuditLog.objects.filter(action="record.reveal").exists()


def test_reveal_of_other_unit_is_404(verified_client, users, record):
    assert verified_client(users["outsider"]).post(url(record, "ledger:record_reveal")).status_code == 404
    assert not AuditLog.objects.filter(action="record.reveal").exists()


def test_reveal_needs_post(verified_client, users, record):
    assert verified_client(users["member"]).get(url(record, "ledger:record_reveal")).status_code == 405


def test_new_record_history_names_its_import(verified_client, users, catalog, county):
    job = make_job(catalog["population"], users["member"], status="succeeded", original_name="四月人口.xlsx")
    record = make_person(catalog["population"], county["village_a"], name="王五", number=id_number(9), job=job)
    response = verified_client(users["member"]).get(url(record))
    [entry] = response.context["history"]
    assert (entry.version, entry.created, entry.actor, entry.job) == (1, True, "member", job)
    assert "新建记录" in response.content.decode() and "四月人口.xlsx" in response.content.decode()

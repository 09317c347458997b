"""一网协同: sending (receipts, demands, the registry entry of a 文件), reading, reminding, statistics."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from conftest import make_user
from qingzhuang.burden import access, queries, queries_documents
from qingzhuang.burden.models import Circulation, CirculationReceipt, Demand, DemandKind, Document
from qingzhuang.burden.services import circulation as services
from qingzhuang.orgs.models import AuditLog
from qingzhuang.orgs.roles import GRASSROOTS, REPORTER

UTC = dt.UTC


def send(actor, recipients, *, kind="notice", title="关于报送春耕进度的通知", attachment=None, **kwargs) -> Circulation:
    return services.circulation_send(actor=actor, data=services.CirculationData(
        title=title, body="请于3月底前完成。", kind=kind, recipients=list(recipients), attachment=attachment,
        **kwargs))


@pytest.fixture
def sent(placing, county):
    """县民政局 sends a notice to 甲村, 乙村 and 县统计局."""
    return send(placing["rep"], [county["village_a"], county["village_b"], county["stats"]])


def test_send_places_receipts_and_demands_on_grassroots(sent, placing, county):
    receipts = CirculationReceipt.objects.filter(circulation=sent).order_by("unit__path")
    assert [(r.unit, r.read_at) for r in receipts] == [(county["village_a"], None), (county["village_b"], None),
                                                       (county["stats"], None)]
    demands = Demand.objects.filter(source_id=sent.pk, source_type__model="circulation").order_by("unit__path")
    month = sent.sent_at.astimezone().strftime("%Y-%m")
    assert [(d.unit, d.kind, d.placed_by, d.month, d.title) for d in demands] == [
        (county["village_a"], DemandKind.DOCUMENT, placing["civil"], month, "关于报送春耕进度的通知"),
        (county["village_b"], DemandKind.DOCUMENT, placing["civil"], month, "关于报送春耕进度的通知"),
    ]
    assert sent.document is None
    assert AuditLog.objects.filter(action="circulation.send").count() == 1


def test_sending_a_document_registers_it_once(placing, county):
    with mock.patch("django.utils.timezone.now", return_value=dt.datetime(2025, 3, 18, 2, tzinfo=UTC)):
        circulation = send(placing["rep"], [county["village_a"], county["stats"]], kind="document",
                           number="青民发〔2025〕7号", document_kind="special")
    document = circulation.document
    # 正文字数: the body's characters without white space ("请于3月底前完成。").
    assert (document.issuer, document.number, document.chars, document.kind, document.issued_on) == (
        placing["civil"], "青民发〔2025〕7号", 9, "special", dt.date(2025, 3, 18))
    assert Demand.objects.get(kind=DemandKind.DOCUMENT).month == "2025-03"
    assert list(document.target_units.all()) == [county["village_a"]]
    # The asks come from the registered document: counted once per unit.
    assert Demand.objects.get(kind=DemandKind.DOCUMENT).source == document
    assert queries_documents.document_count(year=2025) == 1
    # Sending the registered document again links it and asks only the new units.
    again = send(placing["rep"], [county["village_a"], county["village_b"]], kind="document", document=document)
    assert again.document == document
    assert Demand.objects.filter(kind=DemandKind.DOCUMENT).count() == 2
    assert Document.objects.count() == 1


def test_a_document_needs_its_number(placing, county):
    with pytest.raises(ValidationError) as error:
        send(placing["rep"], [county["village_a"]], kind="document", document_kind="special")
    assert error.value.message_dict == {"number": ["文号应形如 青农发〔2025〕12号（机关代字、年份、序号）"]}
    assert not Circulation.objects.exists() and not Demand.objects.exists()


def test_read_by_a_recipient_user_marks_its_unit(sent, placing, county):
    second = make_user("cun2", county["village_a"], GRASSROOTS)
    assert services.circulation_open(actor=placing["cun"], circulation=sent) is True
    assert services.circulation_open(actor=second, circulation=sent) is False
    receipt = CirculationReceipt.objects.get(circulation=sent, unit=county["village_a"])
    assert receipt.read_by == placing["cun"] and receipt.read_at is not None
    # The township sees its village's circulation, read only: opening it marks nothing.
    assert access.get_circulation_or_404(placing["town_a_rep"], sent.pk) == sent
    assert services.circulation_open(actor=placing["town_a_rep"], circulation=sent) is False
    assert CirculationReceipt.objects.filter(circulation=sent, read_at__isnull=False).count() == 1
    assert AuditLog.objects.filter(action="circulation.read").count() == 1


def test_another_unit_cannot_open_it(sent, county):
    stranger = make_user("town_b_cadre", county["town_b"], GRASSROOTS)  # 乙镇 sees 乙村's, not 甲村's
    assert access.get_circulation_or_404(stranger, sent.pk) == sent
    grid = make_user("grid", county["grid_a"], GRASSROOTS)
    with pytest.raises(Http404):
        access.get_circulation_or_404(grid, sent.pk)
    other_dept = make_user("statsrep2", county["office"], REPORTER)
    with pytest.raises(Http404):
        access.get_circulation_or_404(other_dept, sent.pk)


def test_reminder_once_a_day(sent, placing, county):
    services.circulation_open(actor=placing["cun"], circulation=sent)
    reminder = services.circulation_remind(actor=placing["rep"], circulation=sent)
    assert list(reminder.units.order_by("path")) == [county["village_b"], county["stats"]]
    with pytest.raises(ValidationError, match="今天已经催阅过，每天最多催阅一次"):
        services.circulation_remind(actor=placing["rep"], circulation=sent)
    tomorrow = reminder.sent_at + dt.timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=tomorrow):
        services.circulation_remind(actor=placing["rep"], circulation=sent)
    assert sent.reminders.count() == 2


def test_reminder_only_by_the_sender_and_not_when_all_read(sent, placing, county, users):
    with pytest.raises(PermissionDenied, match="只有发送单位可以催阅"):
        services.circulation_remind(actor=users["monitor"], circulation=sent)
    for user in (placing["cun"], placing["cun_b"], make_user("statsuser", county["stats"], REPORTER)):
        services.circulation_open(actor=user, circulation=sent)
    with pytest.raises(ValidationError, match="所有收文单位都已阅读，无需催阅"):
        services.circulation_remind(actor=placing["rep"], circulation=sent)


def test_reminded_units_get_a_todo(sent, placing):
    assert [(t.label, t.count) for t in queries_documents.todos(placing["cun_b"])] == [("份收文未读", 1)]
    services.circulation_remind(actor=placing["rep"], circulation=sent)
    assert [(t.label, t.count) for t in queries.todos(placing["cun_b"])] == [("份收文被催阅，请尽快阅读", 1)]
    services.circulation_open(actor=placing["cun_b"], circulation=sent)
    assert queries_documents.todos(placing["cun_b"]) == []


def test_stats_exact(placing, county):
    with mock.patch("django.utils.timezone.now", return_value=dt.datetime(2024, 5, 1, 2, tzinfo=UTC)):
        send(placing["rep"], [county["village_a"]])
        send(placing["rep"], [county["village_b"]])
    with mock.patch("django.utils.timezone.now", return_value=dt.datetime(2025, 5, 1, 2, tzinfo=UTC)):
        first = send(placing["rep"], [county["village_a"], county["village_b"], county["stats"]])
        services.circulation_open(actor=placing["cun"], circulation=first)
    stats = queries_documents.circulation_stats(placing["rep"], year=2025)
    assert (stats.sent, stats.sent_last_year, stats.receipts, stats.read) == (1, 2, 3, 1)
    assert (str(stats.read_percent), str(stats.change_percent)) == ("33.3", "-50.0")
    assert queries_documents.circulation_count(year=2024) == 2
    assert queries_documents.circulation_stats(placing["cun"], year=2025).sent == 0


def test_inbox_unread_first(placing, county):
    with mock.patch("django.utils.timezone.now", return_value=dt.datetime(2025, 5, 1, 2, tzinfo=UTC)):
        older = send(placing["rep"], [county["village_a"]], title="旧通知")
    with mock.patch("django.utils.timezone.now", return_value=dt.datetime(2025, 6, 1, 2, tzinfo=UTC)):
        newer = send(placing["rep"], [county["village_a"]], title="新通知")
    services.circulation_open(actor=placing["cun"], circulation=newer)
    assert [(c.title, c.unread) for c in queries_documents.inbox(placing["cun"])] == [("旧通知", True),
                                                                                      ("新通知", False)]
    assert older in queries_documents.sent(placing["rep"])


def test_township_sends_to_its_villages_only(placing, county):
    cadre = make_user("xz", county["town_a"], GRASSROOTS)
    circulation = send(cadre, [county["village_a"]])
    assert Demand.objects.get(source_id=circulation.pk, source_type__model="circulation").placed_by == county["town_a"]
    with pytest.raises(ValidationError) as error:
        send(cadre, [county["village_b"]])
    assert error.value.message_dict == {"recipients": ["这些单位不在本单位可以发送的范围内：乙村"]}
    with pytest.raises(ValidationError) as error:
        send(cadre, [county["village_a"]], kind="document", number="甲发〔2025〕1号", document_kind="special")
    assert error.value.message_dict == {"kind": [services.M_GRASSROOTS_DOCUMENT]}


def test_send_refusals(placing, county, users):
    with pytest.raises(PermissionDenied, match=services.M_PERMISSION):
        send(users["leader"], [county["village_a"]])
    with pytest.raises(ValidationError) as error:
        send(placing["rep"], [])
    assert error.value.message_dict == {"recipients": ["请选择收文单位"]}
    with pytest.raises(ValidationError) as error:
        send(placing["rep"], [placing["civil"]])
    assert error.value.message_dict == {"recipients": ["不能发给本单位"]}


def test_recipient_shortcuts(placing, county):
    assert services.resolve_recipients(actor=placing["rep"], shortcut="townships") == [county["town_a"],
                                                                                        county["town_b"]]
    assert services.resolve_recipients(actor=placing["rep"], shortcut=county["town_a"].code,
                                       codes=[county["stats"].code]) == [county["village_a"], county["stats"]]
    with pytest.raises(ValidationError) as error:
        services.resolve_recipients(actor=placing["rep"], codes=["999"])
    assert error.value.message_dict == {"recipients": ["没有这些单位代码：999"]}


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_attachment_checked_by_bytes(placing, county, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    circulation = send(placing["rep"], [county["village_a"]], attachment=_upload("方案.pdf", b"%PDF-1.7 rest"))
    assert circulation.attachment_name == "方案.pdf"
    assert circulation.attachment.name.startswith("burden/circulations/") and "方案" not in circulation.attachment.name
    for name, content, message in [
        ("假.pdf", b"MZ\x90\x00 not a pdf", services.M_ATTACHMENT_CONTENT),
        ("程序.exe", b"MZ\x90\x00", services.M_ATTACHMENT_TYPE),
        ("表.xlsx", b"%PDF-1.7", services.M_ATTACHMENT_CONTENT),
    ]:
        with pytest.raises(ValidationError) as error:
            send(placing["rep"], [county["village_a"]], attachment=_upload(name, content))
        assert error.value.message_dict == {"attachment": [message]}
    big = _upload("大.pdf", b"%PDF-1.7")
    big.size = services.ATTACHMENT_MAX_BYTES + 1
    with pytest.raises(ValidationError) as error:
        send(placing["rep"], [county["village_a"]], attachment=big)
    assert error.value.message_dict == {"attachment": [services.M_ATTACHMENT_SIZE]}
    assert Circulation.objects.count() == 1

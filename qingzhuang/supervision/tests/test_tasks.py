"""工作问效 services: create, edit, cancel, progress reports with evidence, review, cards at the exact
day boundaries, the demand on a township, to-dos; each refusal with its exact message, 403 for a
wrong role and 404 for another unit's task."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.http import Http404

from qingzhuang.burden.models import Demand
from qingzhuang.orgs.models import AuditLog
from qingzhuang.supervision import queries_tasks
from qingzhuang.supervision.models import Card, NodeStatus, ReportStatus, TaskStatus
from qingzhuang.supervision.services import tasks as services
from qingzhuang.supervision.tests.task_world import NODES, make_task, upload

pytestmark = pytest.mark.django_db


def test_create_task_with_nodes_and_audit(tw):
    task = make_task(tw, source="县委常委会议定事项", target_text="差错率降到1%以下")
    assert task.status == TaskStatus.ACTIVE and task.assignee == tw["stats"]
    assert [(n.title, n.due) for n in task.nodes.all()] == [("完成方案", dt.date(2025, 3, 31)),
                                                             ("全部完成", dt.date(2025, 6, 30))]
    assert task.nodes.last().target_value == Decimal("100")
    assert AuditLog.objects.filter(action="task.create", object_id=str(task.pk)).exists()
    # A department is no grassroots unit: no demand.
    assert not Demand.objects.exists()


def test_task_on_township_places_one_demand(tw):
    task = make_task(tw, assignee=tw["town_a"])
    demand = Demand.objects.get()
    assert demand.unit == tw["town_a"] and demand.kind == "other" and demand.month == "2025-03"
    assert demand.source_id == task.pk


@pytest.mark.parametrize(("change", "errors"), [
    ({"title": " "}, {"title": ["请填写任务名称"]}),
    ({"assignee": "village_a"}, {"assignee": ["责任单位应为县直部门或乡镇（街道）：甲村"]}),
    ({"nodes": []}, {"nodes": ["请至少设置一个时间节点"]}),
    ({"nodes": [{"title": "", "due": dt.date(2025, 1, 1)}]}, {"nodes": ["第1个节点请填写节点名称"]}),
    ({"nodes": [{"title": "a", "due": None}]}, {"nodes": ["第1个节点请填写完成时限"]}),
    ({"nodes": [{"title": "a", "due": "2025-13-01"}]}, {"nodes": ["第1个节点的完成时限不是日期：2025-13-01"]}),
    ({"target_value": "很多"}, {"target_value": ["应为数字：很多"]}),
])
def test_create_refusals(tw, change, errors):
    kwargs = {"title": "任务", "assignee": tw["stats"], "nodes": NODES, **change}
    if change.get("assignee") == "village_a":
        kwargs["assignee"] = tw["village_a"]
    with pytest.raises(ValidationError) as caught:
        services.task_create(actor=tw["office"], **kwargs)
    assert caught.value.message_dict == errors


def test_create_needs_the_supervision_office(tw):
    with pytest.raises(PermissionDenied, match="只有县委（政府）督查室可以交办和审核工作问效任务"):
        make_task(tw, actor=tw["stats_reporter"])


def test_edit_before_any_report_only(tw):
    task = make_task(tw)
    task = services.task_update(actor=tw["office"], task=task, title="新名称", assignee=tw["stats"],
                                nodes=[{"title": "唯一节点", "due": dt.date(2025, 9, 30)}])
    assert task.title == "新名称" and list(task.nodes.values_list("title", flat=True)) == ["唯一节点"]
    services.report_submit(actor=tw["stats_reporter"], node=task.nodes.get(), text="已启动")
    with pytest.raises(ValidationError) as caught:
        services.task_update(actor=tw["office"], task=task, title="再改", assignee=tw["stats"], nodes=NODES)
    assert caught.value.messages == ["已有进展报送的任务不能修改"]


def test_edit_refuses_another_assignee(tw):
    task = make_task(tw)
    with pytest.raises(ValidationError) as caught:
        services.task_update(actor=tw["office"], task=task, title="x", assignee=tw["agri"], nodes=NODES)
    assert caught.value.message_dict == {"assignee": ["责任单位不能修改；如需改派，请撤销后重新交办"]}


def test_cancel_needs_reason(tw):
    task = make_task(tw)
    with pytest.raises(ValidationError) as caught:
        services.task_cancel(actor=tw["office"], task=task, reason=" ")
    assert caught.value.message_dict == {"reason": ["请填写撤销理由"]}
    task = services.task_cancel(actor=tw["office"], task=task, reason="工作调整")
    assert task.status == TaskStatus.CANCELLED
    with pytest.raises(ValidationError) as caught:
        services.task_cancel(actor=tw["office"], task=task, reason="再撤")
    assert caught.value.messages == ["只有推进中的任务可以撤销（当前状态：已撤销）"]


def test_report_with_evidence_then_approve(tw):
    task = make_task(tw)
    node = task.nodes.first()
    report = services.report_submit(actor=tw["stats_reporter"], node=node, text="方案已印发", value="1",
                                    files=[upload()])
    node.refresh_from_db()
    assert node.status == NodeStatus.SUBMITTED and report.value == Decimal("1")
    stored = report.files.get()
    assert stored.kind == "png" and "进展" not in stored.file.name
    with pytest.raises(ValidationError) as caught:
        services.report_submit(actor=tw["stats_reporter"], node=node, text="再报")
    assert caught.value.messages == ["该节点待审核，不能重复报送"]
    services.report_review(actor=tw["office"], report=report, approve=True)
    node.refresh_from_db()
    assert node.status == NodeStatus.APPROVED and node.done_on is not None
    assert AuditLog.objects.filter(action="task.approve").exists()


def test_last_node_approved_completes_task(tw):
    task = make_task(tw, nodes=[{"title": "唯一", "due": dt.date(2025, 3, 1)}])
    report = services.report_submit(actor=tw["stats_reporter"], node=task.nodes.get(), text="完成")
    services.report_review(actor=tw["office"], report=report, approve=True)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_return_needs_guidance_and_reopens_node(tw):
    task = make_task(tw)
    node = task.nodes.first()
    report = services.report_submit(actor=tw["stats_reporter"], node=node, text="进行中")
    with pytest.raises(ValidationError) as caught:
        services.report_review(actor=tw["office"], report=report, approve=False, guidance="")
    assert caught.value.message_dict == {"guidance": ["退回时请填写审核意见，指导责任单位如何补充"]}
    services.report_review(actor=tw["office"], report=report, approve=False, guidance="请补充印发文件")
    node.refresh_from_db()
    report.refresh_from_db()
    assert node.status == NodeStatus.RETURNED and report.status == ReportStatus.RETURNED
    assert report.guidance == "请补充印发文件"
    with pytest.raises(ValidationError) as caught:
        services.report_review(actor=tw["office"], report=report, approve=True)
    assert caught.value.messages == ["该报送已审核（退回）"]
    # A returned node takes a new report.
    services.report_submit(actor=tw["stats_reporter"], node=node, text="已补充")


def test_renamed_exe_refused(tw):
    node = make_task(tw).nodes.first()
    with pytest.raises(ValidationError) as caught:
        services.report_submit(actor=tw["stats_reporter"], node=node, text="x",
                               files=[upload("照片.png", b"MZ\x90\x00" + b"\x00" * 200)])
    assert caught.value.message_dict == {"files": ["文件“照片.png”不是JPEG、PNG、WebP、PDF格式"]}


def test_too_many_files_refused(tw):
    node = make_task(tw).nodes.first()
    with pytest.raises(ValidationError) as caught:
        services.report_submit(actor=tw["stats_reporter"], node=node, text="x",
                               files=[upload(f"{i}.png") for i in range(6)])
    assert caught.value.message_dict == {"files": ["文件最多5个，本次选择了6个"]}


def test_report_needs_text(tw):
    node = make_task(tw).nodes.first()
    with pytest.raises(ValidationError) as caught:
        services.report_submit(actor=tw["stats_reporter"], node=node, text="  ")
    assert caught.value.message_dict == {"text": ["请填写进展情况"]}


def test_another_department_cannot_report_or_see(tw):
    node = make_task(tw).nodes.first()
    with pytest.raises(Http404):
        services.report_submit(actor=tw["agri_reporter"], node=node, text="x")


def test_wrong_role_cannot_report_or_review(tw, users):
    node = make_task(tw).nodes.first()
    with pytest.raises(PermissionDenied, match="只有责任单位可以报送任务进展"):
        services.report_submit(actor=tw["office"], node=node, text="x")
    report = services.report_submit(actor=tw["stats_reporter"], node=node, text="x")
    with pytest.raises(PermissionDenied, match="只有县委（政府）督查室可以交办和审核工作问效任务"):
        services.report_review(actor=tw["stats_reporter"], report=report, approve=True)
    # The 督查室 role held in a township does not oversee the county.
    from conftest import make_user

    township_office = make_user("town_ducha", tw["town_a"], "督查室")
    with pytest.raises(PermissionDenied):
        services.report_review(actor=township_office, report=report, approve=True)


def test_township_cadre_reports_on_own_task(tw):
    task = make_task(tw, assignee=tw["town_a"])
    services.report_submit(actor=tw["town_user"], node=task.nodes.first(), text="已开展")
    with pytest.raises(Http404):
        services.report_submit(actor=tw["stats_reporter"], node=task.nodes.first(), text="x")


# Cards: due 2025-03-31, yellow window 3 days.
@pytest.mark.parametrize(("today", "kinds"), [
    (dt.date(2025, 3, 27), set()),            # due - 4
    (dt.date(2025, 3, 28), {"yellow"}),       # due - 3
    (dt.date(2025, 3, 31), {"yellow"}),       # the due day itself
    (dt.date(2025, 4, 1), {"red"}),           # due + 1
])
def test_card_boundaries(tw, today, kinds):
    task = make_task(tw, nodes=[{"title": "节点", "due": dt.date(2025, 3, 31)}])
    services.cards_issue(today=today)
    assert set(Card.objects.filter(node__task=task).values_list("kind", flat=True)) == kinds


def test_cards_idempotent_and_kept_after_done(tw):
    task = make_task(tw, nodes=[{"title": "节点", "due": dt.date(2025, 3, 31)}])
    assert services.cards_issue(today=dt.date(2025, 3, 29)) == {"yellow": 1, "red": 0}
    assert services.cards_issue(today=dt.date(2025, 3, 29)) == {"yellow": 0, "red": 0}
    assert services.cards_issue(today=dt.date(2025, 4, 2)) == {"yellow": 0, "red": 1}
    assert services.cards_issue(today=dt.date(2025, 4, 3)) == {"yellow": 0, "red": 0}
    report = services.report_submit(actor=tw["stats_reporter"], node=task.nodes.get(), text="补做完成")
    services.report_review(actor=tw["office"], report=report, approve=True)
    services.cards_issue(today=dt.date(2025, 4, 10))
    assert sorted(Card.objects.values_list("kind", flat=True)) == ["red", "yellow"]
    card = Card.objects.get(kind="red")
    assert card.issued_on == dt.date(2025, 4, 2) and card.assignee == tw["stats"]


def test_approved_node_gets_no_card(tw):
    task = make_task(tw, nodes=[{"title": "节点", "due": dt.date(2025, 3, 31)}])
    report = services.report_submit(actor=tw["stats_reporter"], node=task.nodes.get(), text="完成")
    services.report_review(actor=tw["office"], report=report, approve=True)  # approved today, before nothing
    task.nodes.update(done_on=dt.date(2025, 3, 20))
    services.cards_issue(today=dt.date(2025, 3, 30))
    services.cards_issue(today=dt.date(2025, 4, 30))
    assert not Card.objects.exists()


def test_yellow_days_setting(tw, settings):
    settings.QZ_TASK_YELLOW_DAYS = 7
    make_task(tw, nodes=[{"title": "节点", "due": dt.date(2025, 3, 31)}])
    assert services.cards_issue(today=dt.date(2025, 3, 24)) == {"yellow": 1, "red": 0}


def test_command_issues_cards(tw, capsys):
    make_task(tw, nodes=[{"title": "节点", "due": dt.date(2025, 3, 31)}])
    call_command("issue_task_cards", "--date", "2025-04-01", "--json")
    assert capsys.readouterr().out.strip() == '{"date": "2025-04-01", "yellow": 0, "red": 1}'
    assert AuditLog.objects.filter(action="task.cards").count() == 1
    call_command("issue_task_cards", "--date", "2025-04-01")
    assert "新亮黄牌 0 张、红牌 0 张" in capsys.readouterr().out


def test_command_bad_date(tw):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="日期格式应为 YYYY-MM-DD：2025-4"):
        call_command("issue_task_cards", "--date", "2025-4")


def test_todos(tw):
    from django.utils import timezone

    today = timezone.localdate()
    task = make_task(tw, nodes=[{"title": "快到期", "due": today + dt.timedelta(days=2)},
                                {"title": "已逾期", "due": today - dt.timedelta(days=1)}])
    services.cards_issue(today=today)
    labels = {t.label: t.count for t in queries_tasks.todos(tw["stats_reporter"])}
    assert labels == {"个任务节点即将到期（工作问效）": 1, "个任务节点已亮红牌（工作问效）": 1}
    assert queries_tasks.todos(tw["agri_reporter"]) == []
    report = services.report_submit(actor=tw["stats_reporter"], node=task.nodes.get(title="已逾期"), text="x")
    office = {t.label: t.count for t in queries_tasks.todos(tw["office"])}
    assert office == {"份任务进展待审核（工作问效）": 1, "个任务节点逾期亮红牌": 1}
    services.report_review(actor=tw["office"], report=report, approve=False, guidance="补材料")
    labels = {t.label: t.count for t in queries_tasks.todos(tw["stats_reporter"])}
    assert labels["份任务进展被退回待补充"] == 1


def test_stats_on_time_rate(tw):
    task = make_task(tw, nodes=[{"title": "a", "due": dt.date(2025, 3, 1)}, {"title": "b", "due": dt.date(2025, 4, 1)},
                                {"title": "c", "due": dt.date(2099, 1, 1)}])
    a, b, _ = task.nodes.all()
    for node, done in ((a, dt.date(2025, 2, 28)), (b, dt.date(2025, 4, 5))):
        report = services.report_submit(actor=tw["stats_reporter"], node=node, text="x")
        services.report_review(actor=tw["office"], report=report, approve=True)
        node.__class__.objects.filter(pk=node.pk).update(done_on=done)
    row = queries_tasks.assignee_stats(tw["office"], today=dt.date(2025, 6, 1))[0]
    assert (row["due"], row["on_time"], row["late"], row["rate"]) == (2, 1, 1, Decimal("50.0"))

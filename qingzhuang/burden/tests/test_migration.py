"""ledger.Demand rows move to burden.Demand with their ids, data, timestamps and fills."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("ledger", "0006_importjob_lifecycle"), ("burden", None)]


@pytest.mark.django_db(transaction=True)
def test_ledger_demands_move_to_burden():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = MigrationExecutor(connection).loader.project_state([BEFORE[0]]).apps
    Unit, User = old.get_model("orgs", "Unit"), old.get_model("accounts", "User")
    root = Unit.objects.create(code="429901000000", name="青山县", kind="county", path="/429901000000/")
    civil = Unit.objects.create(code="429901900201", name="县民政局", kind="department", parent=root,
                                path="/429901000000/429901900201/")
    village = Unit.objects.create(code="429901001201", name="甲村", kind="village", parent=root,
                                  path="/429901000000/429901001201/")
    cadre = User.objects.create(username="cun")
    dataset = old.get_model("ledger", "Dataset").objects.create(code="migration_test", name="人口", category="person")
    report = old.get_model("ledger", "Report").objects.create(name="走访月报", dataset=dataset, owner=civil,
                                                              manual_fields=["走访次数"], admission="approved")
    request = old.get_model("ledger", "DataRequest").objects.create(title="养犬登记", fields_text="家中养狗数量",
                                                                   owner=civil, admission="approved")
    OldDemand = old.get_model("ledger", "Demand")
    filled_at = timezone.now() - dt.timedelta(days=3)
    sent = OldDemand.objects.create(unit=village, report=report, round="2025-06", fields=["走访次数"],
                                    status="filled", data={"走访次数": "3"}, note="按时", filled_at=filled_at,
                                    filled_by=cadre, due_date=dt.date(2025, 7, 5))
    asked = OldDemand.objects.create(unit=village, request=request, fields=["家中养狗数量"])
    last_year = timezone.now() - dt.timedelta(days=400)
    OldDemand.objects.filter(pk=sent.pk).update(created_at=last_year)

    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    new = MigrationExecutor(connection).loader.project_state(latest).apps
    Demand, ContentType = new.get_model("burden", "Demand"), new.get_model("contenttypes", "ContentType")
    rows = {d.pk: d for d in Demand.objects.all()}
    assert set(rows) == {sent.pk, asked.pk}
    moved = rows[sent.pk]
    assert (moved.kind, moved.source_type, moved.source_id, moved.unit_id, moved.placed_by_id, moved.title) == (
        "report", ContentType.objects.get(app_label="ledger", model="report"), report.pk, village.pk, civil.pk,
        "走访月报")
    assert (moved.round, moved.fields, moved.status, moved.data, moved.note, moved.due_date) == (
        "2025-06", ["走访次数"], "filled", {"走访次数": "3"}, "按时", dt.date(2025, 7, 5))
    assert (moved.created_at, moved.filled_at, moved.filled_by_id) == (last_year, filled_at, cadre.pk)
    assert moved.month == timezone.localtime(last_year).strftime("%Y-%m")
    other = rows[asked.pk]
    assert (other.kind, other.source_id, other.title, other.round, other.status) == (
        "data_request", request.pk, "养犬登记", "", "pending")
    # Demands from before person-hours existed get their kind's default estimate (burden 0003).
    assert (moved.hours, other.hours, moved.hours_fixed) == (Decimal("2.00"), Decimal("1.50"), False)
    # New demands get ids after the kept ones (the sequence moved on PostgreSQL).
    fresh = Demand.objects.create(kind="other", source_type=other.source_type, source_id=0, unit_id=village.pk,
                                  placed_by_id=civil.pk, title="x", month="2025-06")
    assert fresh.pk > max(rows)
    assert "ledger_demand" not in connection.introspection.table_names()

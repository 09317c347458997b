"""The demo county's 一套表 (``ledger.demo``), built by ``seed_demo --scale small``."""

import csv
import datetime as dt
import json
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from qingzhuang.accounts.models import User
from qingzhuang.ledger import demo as ledger_demo
from qingzhuang.ledger.imports import import_file
from qingzhuang.ledger.models import Dataset, ImportJob, Indicator, IndicatorValue, Record
from qingzhuang.lib import ids, values
from qingzhuang.lib.periods import months_of_year
from qingzhuang.orgs import demo as org_demo
from qingzhuang.orgs.models import AuditLog, Unit

BASE = ("population", "housing", "legal_entities", "events")
SMALL = ledger_demo.RECORD_COUNTS["small"]


pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(small_demo):
    """The small demo county, seeded once for this module's tests (seeding is the slow part), inside a
    transaction that is rolled back after them; each test runs in a savepoint of its own within it.
    The tests that seed an empty database themselves are in ``test_demo_fresh.py``."""
    return small_demo


def records(code: str) -> list[Record]:
    return list(Record.objects.filter(dataset__code=code).select_related("unit").order_by("id"))


def columns(code: str):
    return list(Dataset.objects.get(code=code).columns.select_related("element").order_by("position"))


def test_small_scale_counts(seeded):
    counts = Counter(Record.objects.values_list("dataset__code", flat=True))
    assert counts == SMALL
    assert sum(SMALL.values()) == 400
    # The counts of the steps up to the assessment (the burden registries' steps add their own keys).
    expected = {"units": 21, "people": 60, "accounts": 9, "records": 400, **SMALL, "indicators": 10,
                             "indicator_values": 384, "indicator_uploads": 84, "policies": 14, "policy_passages": 283,
                             "reports": 17, "data_requests": 5, "demands_last_year": 75, "demands_this_year": 42,
                             "demands_filled": 111, "department_accounts": 3, "assessment_schemes": 1,
                             "assessment_indicators": 6, "assessment_adjustments": 0, "assessment_spot_checks": 5,
                             "assessment_runs": 2, "assessment_appeals": 1}
    assert {key: seeded.counts.get(key) for key in expected} == expected
    entry = AuditLog.objects.get(action="demo.seed")
    assert entry.after["records"] == 400 and entry.after["indicator_values"] == 384


def test_the_seed_scale_holds_the_articles_720000_records():
    assert sum(ledger_demo.RECORD_COUNTS["seed"].values()) == 720_000


def test_record_counts_and_owners_on_the_datasets(seeded):
    datasets = {d.code: d for d in Dataset.objects.select_related("owner")}
    for code in BASE:
        assert datasets[code].record_count == Record.objects.filter(dataset__code=code).count() == SMALL[code]
    assert datasets["indicator_values"].record_count == IndicatorValue.objects.count() == 384
    for dataset in datasets.values():
        assert dataset.last_updated_at is not None
    # The small county has neither 县委政法委 nor 县住房和城乡建设局: the fallbacks own those.
    assert {code: d.owner.name for code, d in datasets.items()} == {
        "population": "县委办公室", "events": "县委办公室", "housing": "县统计局",
        "legal_entities": "县统计局", "indicator_values": "县委组织部",
    }


def test_population_ids_are_valid_unique_and_agree_with_gender_and_birth_date(seeded):
    people = records("population")
    assert len({r.key for r in people}) == len(people) == SMALL["population"]
    for record in people:
        data = record.data
        assert record.key == data["id_number"]
        assert ids.id_number_error(record.key) is None, record.key
        assert record.key.startswith("429901")
        assert data["gender"] == ids.id_gender(record.key)
        assert data["birth_date"] == ids.id_birth_date(record.key).isoformat()
        assert ids.id_birth_date(record.key) <= ledger_demo.LAST_DAY
        age = ledger_demo.INDICATOR_YEAR - ids.id_birth_date(record.key).year
        groups = data.get("special_groups", "").split("、")
        assert "留守儿童" not in groups or age < 16
        assert "独居老人" not in groups or age >= 65
        if "phone" in data:
            assert ids.phone_error(data["phone"]) is None
    # Plausible shares: mostly 汉族, some with a special group, all three kinds of residents.
    assert sum(r.data["ethnicity"] == "汉族" for r in people) > 0.85 * len(people)
    assert 0 < sum("special_groups" in r.data for r in people) < 0.5 * len(people)
    assert {r.data["person_type"] for r in people} == {"户籍人口", "常住人口", "流动人口"}


def test_fast_id_check_characters_agree_with_the_library():
    maker = ledger_demo.PopulationMaker(__import__("random").Random(1))
    for age in range(0, 100, 3):
        for gender in ("男", "女"):
            value = maker.id_number(gender, maker.birth_date(age))
            assert value[17] == ids.id_check_char(value[:17])
            assert ids.id_gender(value) == gender


def test_credit_codes_are_valid(seeded):
    entities = records("legal_entities")
    assert len({r.key for r in entities}) == len(entities) == SMALL["legal_entities"]
    assert len({r.data["org_name"] for r in entities}) == len(entities)
    for record in entities:
        code = record.key
        assert code == record.data["credit_code"]
        assert ids.credit_code_error(code) is None, code
        assert code[2:8] == "429901" and code[:2] in {"91", "93", "12", "51", "52"}
        assert code[16] == ids.org_code_check_char(code[8:16])


def test_every_value_is_what_the_import_engine_stores(seeded):
    unit_codes = set(Unit.objects.values_list("code", flat=True))
    for code in BASE:
        cols = columns(code)
        elements = {c.element.code: c.element for c in cols}
        key_elements = [c.element.code for c in cols if c.is_key]
        for record in records(code):
            data = record.data
            assert set(data) <= set(elements), data
            assert all(c.element.code in data for c in cols if c.required)
            assert record.key == "|".join(data[e] for e in key_elements)
            assert data["unit_code"] == record.unit.code and record.unit.kind in ("village", "community")
            for element_code, value in data.items():
                element = elements[element_code]
                assert isinstance(value, str) and value, (element_code, value)
                if element.value_type == "unit":
                    assert value in unit_codes
                    continue
                parsed = values.parse(element.value_type, value, max_length=element.max_length,
                                      code_list=element.code_list)
                assert parsed == (value, None), (code, element_code, value, parsed)


def test_data_is_stored_as_django_stores_json(seeded):
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, data FROM ledger_record ORDER BY id")
        rows = cursor.fetchall()
    by_key = {r.key: r.data for r in Record.objects.all()}
    for key, raw in rows:
        if connection.vendor == "sqlite":  # text, byte for byte
            assert raw == json.dumps(by_key[key])
        else:  # jsonb: PostgreSQL keeps its own normal form
            assert (json.loads(raw) if isinstance(raw, str) else raw) == by_key[key]


def test_reimporting_the_demo_data_changes_nothing(seeded, tmp_path):
    for code in BASE:
        cols = columns(code)
        path = tmp_path / f"{code}.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow([c.name for c in cols])
            for record in records(code):
                writer.writerow([record.data.get(c.element.code, "") for c in cols])
        result = import_file(actor=None, dataset=Dataset.objects.get(code=code), path=path)
        assert result.ok, result.errors[:3]
        assert (result.created, result.updated, result.unchanged) == (0, 0, SMALL[code]), code


def test_houses_are_the_homes_of_households_and_events_have_reporters(seeded):
    homes = {r.data["home_address"] for r in records("population")}
    heads = {r.key for r in records("population")}
    houses = records("housing")
    dwellings = [h for h in houses if h.data["house_use"] == "住宅"]
    assert dwellings and all(h.data["house_address"] in homes for h in dwellings)
    assert all(h.data["owner_id_number"] in heads for h in dwellings)
    events = records("events")
    assert all(e.data["reporter"] and e.data["event_summary"] for e in events)
    dates = [dt.date.fromisoformat(e.data["event_date"]) for e in events]
    assert ledger_demo.EVENTS_FROM <= min(dates) and max(dates) <= ledger_demo.LAST_DAY


def test_twelve_months_of_indicator_values_for_every_township(seeded):
    townships = list(Unit.objects.filter(kind__in=["township", "street"]))
    indicators = list(Indicator.objects.select_related("owner"))
    assert {i.owner.name for i in indicators} == {"县财政局", "县农业农村局", "县统计局"}
    assert all(i.owner.kind == "department" for i in indicators)
    expected = {(t.pk, i.pk, p) for t in townships for i in indicators for p in ledger_demo.PERIODS}
    got = list(IndicatorValue.objects.filter(period__in=ledger_demo.PERIODS)
               .values_list("unit_id", "indicator_id", "period"))
    assert len(got) == len(expected) == 2 * 10 * 12 and set(got) == expected
    assert ledger_demo.PERIODS == tuple(f"2025-{m:02d}" for m in range(1, 13))
    specs = {ledger_demo.indicator_code(d, i): s
             for d, group in ledger_demo.INDICATORS.items() for i, s in enumerate(group)}
    for value in IndicatorValue.objects.select_related("indicator"):
        spec = specs[value.indicator.code]
        assert value.indicator.name == spec.name and value.indicator.direction == spec.direction
        if spec.shape == "rate":
            assert spec.floor <= value.value <= spec.cap
        else:
            assert value.value >= 0


def test_indicator_catalog_covers_the_15_departments():
    assert set(ledger_demo.INDICATORS) == set(org_demo.DEPARTMENT_NAMES)
    assert all(3 <= len(specs) <= 4 for specs in ledger_demo.INDICATORS.values())
    names = [s.name for specs in ledger_demo.INDICATORS.values() for s in specs]
    assert len(set(names)) == len(names)
    lower = {s.name for specs in ledger_demo.INDICATORS.values() for s in specs if s.direction == "lower"}
    assert "安全生产事故起数" in lower and "固定资产投资完成额" not in lower


def test_a_failure_inside_the_writer_leaves_nothing(seeded):
    population = Dataset.objects.get(code="population")
    unit = Unit.objects.filter(kind="village").first()
    before = Record.objects.count()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        with ledger_demo.RecordWriter() as writer:
            writer.add(population.pk, unit.pk, "K1", {"name": "甲"})
            1 / 0  # noqa: B018
    assert Record.objects.count() == before  # and the connection still answers



def test_fast_json_is_json_dumps():
    for data in ({}, {"name": "郑学涛"}, {"a": 'quote " and \\ backslash', "b": "line\nbreak\t", "c": "☃ 𝄞"}):
        assert ledger_demo._dumps(data) == json.dumps(data)


def test_two_years_of_history_for_the_main_economic_indicators(seeded):
    history = IndicatorValue.objects.exclude(period__in=ledger_demo.PERIODS)
    # The small county has three of the nine: 县财政局's ZB0401 and 县统计局's ZB1501 and ZB1502.
    assert sorted(set(history.values_list("indicator__code", flat=True))) == ["ZB0401", "ZB1501", "ZB1502"]
    assert set(ledger_demo.HISTORY_INDICATORS) >= {"ZB0401", "ZB1501", "ZB1502"}
    periods = {p for year in ledger_demo.HISTORY_YEARS for p in months_of_year(year)}
    assert set(history.values_list("period", flat=True)) == periods
    assert history.count() == 2 * 3 * 24
    sums = Counter()
    for unit, code, period, value in IndicatorValue.objects.filter(
            indicator__code__in=ledger_demo.HISTORY_INDICATORS).values_list(
            "unit_id", "indicator__code", "period", "value"):
        assert value >= 0
        sums[(unit, code, period[:4])] += value
    for (unit, code, year), total in sums.items():
        if year != "2025":
            later = sums[(unit, code, str(int(year) + 1))]
            assert Decimal("0.8") < total / later < Decimal("1.2"), (unit, code, year)


def test_every_indicator_value_traces_to_a_monthly_upload_of_its_department(seeded):
    # 3 departments × 12 months, and 2 of them × 24 months of history; the assessment's demo year adds
    # one upload later: the 县统计局's correction of a value after a township's appeal.
    jobs = list(ImportJob.objects.exclude(original_name__contains="（更正）").select_related("dataset", "uploaded_by"))
    assert len(jobs) == seeded.counts["indicator_uploads"] == 84
    assert ImportJob.objects.count() == 85
    assert not IndicatorValue.objects.filter(job=None).exists()
    departments = {u.name: u for u in Unit.objects.filter(kind="department")}
    tianbao = User.objects.get(username="tianbao")
    late = []
    for job in jobs:
        rows = IndicatorValue.objects.filter(job=job).select_related("indicator__owner")
        owners = {v.indicator.owner.name for v in rows}
        assert len(owners) == 1
        owner = owners.pop()
        assert {v.period for v in rows} == {job.period}
        assert job.original_name == f"{owner}{values_words(job.period)}考核指标.xlsx"
        assert (job.dataset.code, job.status, job.dry_run) == ("indicator_values", "succeeded", False)
        corrected = IndicatorValue.objects.filter(job__original_name__contains="（更正）", period=job.period,
                                                  indicator__owner__name=owner).count()
        assert job.created == job.progress_done == job.progress_total == len(rows) + corrected
        assert job.uploaded_by == (tianbao if owner == "县统计局" else None)
        assert departments[owner].kind == "department"
        local = timezone.localtime(job.created_at)
        year, month = map(int, job.period.split("-"))
        assert (local.year, local.month) == (year + month // 12, month % 12 + 1)
        assert job.created_at < job.started_at < job.finished_at
        assert local.date() < ledger_demo.REFERENCE_DATE
        assert local.day >= 3
        if local.day > 15:
            late.append(job.period)
        else:
            assert local.day <= 12
    assert len(late) == 3 and all(p in ledger_demo.PERIODS for p in late)


def values_words(period: str) -> str:
    year, month = period.split("-")
    return f"{year}年{int(month)}月"

"""A large file: one bad row anywhere leaves nothing written; the good file lands whole, chunk by chunk."""

import random

import pytest

from qingzhuang.ledger import imports
from qingzhuang.ledger.imports import import_file
from qingzhuang.ledger.models import Record, RecordChange
from qingzhuang.ledger.tests.import_files import VILLAGE_B, person, population_csv
from qingzhuang.orgs.models import AuditLog

ROWS = 20_000


@pytest.fixture
def big_people():
    return [person(i, village=VILLAGE_B if i % 3 else "429901001201") for i in range(ROWS)]


def test_random_bad_row_in_a_large_file_leaves_nothing_written(catalog, tmp_path, big_people, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK", 1000)  # many chunks staged before the bad one
    bad = random.Random(20241103).randrange(ROWS // 2, ROWS)
    big_people[bad] = {**big_people[bad], "出生日期": "1990-02-30"}
    result = import_file(actor=None, dataset=catalog["population"],
                         path=population_csv(tmp_path / "big.csv", big_people))
    assert [(p.row, p.column, p.message) for p in result.errors] == [(bad + 2, "出生日期", "不是有效的日期")]
    assert result.total == ROWS
    assert Record.objects.count() == 0
    assert not AuditLog.objects.filter(action="ledger.import").exists()


def test_large_file_lands_whole_and_reimport_changes_nothing(catalog, tmp_path, big_people, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK", 3000)
    path = population_csv(tmp_path / "big.csv", big_people)
    first = import_file(actor=None, dataset=catalog["population"], path=path)
    assert first.ok and first.created == ROWS
    assert Record.objects.count() == ROWS
    again = import_file(actor=None, dataset=catalog["population"], path=path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, ROWS)
    big_people[123] = {**big_people[123], "居住地址": "新地址"}
    third = import_file(actor=None, dataset=catalog["population"],
                        path=population_csv(tmp_path / "big2.csv", big_people))
    assert (third.updated, third.unchanged) == (1, ROWS - 1)
    assert RecordChange.objects.get().after == {"home_address": "新地址"}


def test_duplicate_far_apart_in_a_large_file(catalog, tmp_path, big_people, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK", 1000)
    big_people[-1] = {**big_people[5], "姓名": "重复"}
    result = import_file(actor=None, dataset=catalog["population"],
                         path=population_csv(tmp_path / "big.csv", big_people))
    assert [(p.row, p.code, p.message) for p in result.errors] == [(ROWS + 1, "duplicate", "公民身份号码与第7行重复")]
    assert Record.objects.count() == 0


def test_errors_are_capped_but_counted(catalog, tmp_path, big_people, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ERRORS", 100)
    people = [{**p, "性别": "?"} for p in big_people[:500]]
    result = import_file(actor=None, dataset=catalog["population"], path=population_csv(tmp_path / "b.csv", people))
    assert len(result.errors) == 100
    assert result.error_count == 500 and result.rejected == 500


def test_a_concurrent_change_rolls_everything_back(catalog, tmp_path, monkeypatch):
    people = [person(1), person(2)]
    import_file(actor=None, dataset=catalog["population"], path=population_csv(tmp_path / "a.csv", people))
    changed = [{**people[0], "姓名": "改名"}, person(3)]
    real_add = imports._RecordPlan.add

    def add_then_someone_else_writes(self, rows):
        real_add(self, rows)
        Record.objects.filter(key=people[0]["公民身份号码"]).update(version=7)

    monkeypatch.setattr(imports._RecordPlan, "add", add_then_someone_else_writes)
    result = import_file(actor=None, dataset=catalog["population"], path=population_csv(tmp_path / "b.csv", changed))
    assert [p.code for p in result.errors] == ["conflict"]
    assert not Record.objects.filter(key=person(3)["公民身份号码"]).exists()
    assert Record.objects.get(key=people[0]["公民身份号码"]).data["name"] == "居民1"


def test_a_new_record_created_meanwhile_is_a_conflict(catalog, tmp_path, monkeypatch, county):
    p = person(1)
    real_add = imports._RecordPlan.add

    def add_then_someone_else_creates(self, rows):
        real_add(self, rows)
        Record.objects.create(dataset=catalog["population"], unit=county["village_a"], key=p["公民身份号码"], data={})

    monkeypatch.setattr(imports._RecordPlan, "add", add_then_someone_else_creates)
    result = import_file(actor=None, dataset=catalog["population"],
                         path=population_csv(tmp_path / "a.csv", [person(2), p]))
    assert [p.code for p in result.errors] == ["conflict"]
    assert Record.objects.count() == 1

"""A record's history: every value change with who, when, before and after."""

from qingzhuang.ledger.history import record_history
from qingzhuang.ledger.imports import import_file
from qingzhuang.ledger.models import Record
from qingzhuang.ledger.tests.import_files import VILLAGE_B, person, population_csv


def test_history_lists_changes_newest_first(catalog, tmp_path, users):
    p = person(1)
    dataset = catalog["population"]
    import_file(actor=None, dataset=dataset, path=population_csv(tmp_path / "a.csv", [p]))
    import_file(actor=users["sysadmin"], dataset=dataset,
                path=population_csv(tmp_path / "b.csv", [{**p, "联系电话": "13912345678"}]))
    import_file(actor=users["sysadmin"], dataset=dataset,
                path=population_csv(tmp_path / "c.csv", [{**p, "联系电话": "13912345678", "所属村（社区）代码": VILLAGE_B,
                                                           "姓名": "新名字"}]))
    record = Record.objects.get()
    changes = record_history(record)
    assert [c.version for c in changes] == [3, 2]
    assert changes[0].actor == users["sysadmin"]
    assert [(f.column, f.before, f.after) for f in changes[0].fields] == [
        ("姓名", "居民1", "新名字"), ("所属村（社区）代码", "429901001201", VILLAGE_B),
    ]
    assert [(f.column, f.before, f.after) for f in changes[1].fields] == [("联系电话", "13800000001", "13912345678")]
    masked = record_history(record, reveal=False)
    assert [(f.before, f.after) for f in masked[1].fields] == [("138****0001", "139****5678")]


def test_history_of_an_unchanged_record_is_empty(catalog, tmp_path):
    import_file(actor=None, dataset=catalog["population"], path=population_csv(tmp_path / "a.csv", [person(1)]))
    assert record_history(Record.objects.get()) == []

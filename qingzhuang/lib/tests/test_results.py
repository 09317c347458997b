from dataclasses import dataclass

from qingzhuang.lib.results import ImportResult
from qingzhuang.lib.tables import Problem

P2 = Problem(row=2, column="姓名", value="", code="required", message="必填")
P3 = Problem(row=3, column="手机", value="123", code="invalid_phone", message="手机号码应为11位")
P3B = Problem(row=3, column="姓名", value="", code="required", message="必填")
FILE = Problem(row=None, column=None, value=None, code="too_large", message="文件过大")


def test_a_clean_result():
    result = ImportResult(kind="units", total=3, created=2, unchanged=1)
    assert result.ok
    document = {
        "ok": True,
        "kind": "units",
        "dry_run": False,
        "total": 3,
        "created": 2,
        "updated": 0,
        "unchanged": 1,
        "rejected": 0,
        "errors": [],
    }
    assert result.to_json() == document
    assert result.cli_json() == document


def test_reject_sorts_problems_and_counts_rows():
    result = ImportResult(kind="people", total=5, created=4).reject([P3, P2, P3B])
    assert not result.ok
    assert result.errors == [P2, P3B, P3]
    assert (result.created, result.rejected) == (0, 2)
    assert result.cli_json() == {
        "errors": [
            {"row": 2, "column": "姓名", "value": "", "code": "required", "message": "必填"},
            {"row": 3, "column": "姓名", "value": "", "code": "required", "message": "必填"},
            {
                "row": 3,
                "column": "手机",
                "value": "123",
                "code": "invalid_phone",
                "message": "手机号码应为11位",
            },
        ]
    }
    assert result.to_json()["errors"] == result.errors_json()["errors"]


def test_a_file_refused_as_a_whole():
    result = ImportResult(kind="units").reject([FILE], rows=0)
    assert result.rejected == 0
    assert result.cli_json() == {
        "errors": [{"row": None, "column": None, "value": None, "code": "too_large", "message": "文件过大"}]
    }


def test_subclasses_add_fields():
    @dataclass
    class Extended(ImportResult):
        period: str = ""

        def to_json(self) -> dict:
            return {**super().to_json(), "period": self.period}

    result = Extended(kind="x", period="2025-01")
    assert result.cli_json()["period"] == "2025-01"
    assert result.reject([P2]).cli_json() == {"errors": [P2.to_dict()]}

"""The outcome of an import, shared by every importer (org tree, people, 一套表 datasets).

Imports are all or nothing: any problem and nothing is written. A result counts the rows and
keeps the problems (``lib.tables.Problem``: row, column, value, code, Chinese message). Its JSON
is the contract of the API and of the ``--json`` commands: ``to_json`` is the whole document;
``cli_json`` is what a command prints, the whole document when the import passed and
``{"errors": [{"row", "column", "value", "code", "message"}, ...]}`` when it failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qingzhuang.lib.tables import Problem


@dataclass
class ImportResult:
    kind: str = ""
    dry_run: bool = False
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def reject(self, problems: list[Problem], *, rows: int | None = None):
        """Nothing is written: keep the problems (sorted by row and column) and zero the counts.

        ``rejected`` is ``rows`` when given (0 for a file refused as a whole), else the number of
        distinct data rows that have a problem. Returns the result.
        """
        self.errors = sorted(problems, key=lambda p: (p.row or 0, p.column or ""))
        self.created = self.updated = self.unchanged = 0
        self.rejected = len({p.row for p in problems if p.row is not None}) if rows is None else rows
        return self

    def to_json(self) -> dict:
        """The whole result as a JSON-ready dict (counts and problems)."""
        return {
            "ok": self.ok,
            "kind": self.kind,
            "dry_run": self.dry_run,
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": [p.to_dict() for p in self.errors],
        }

    def errors_json(self) -> dict:
        """The failure document: ``{"errors": [{"row", "column", "value", "code", "message"}, ...]}``."""
        return {"errors": [p.to_dict() for p in self.errors]}

    def cli_json(self) -> dict:
        """What a ``--json`` command prints: the whole result, or only the problems when it failed."""
        return self.to_json() if self.ok else self.errors_json()

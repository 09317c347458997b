"""Importing a registry (documents, meetings, work groups, apps) from a spreadsheet, all or nothing.

Each registry describes its file once as a ``RegistrySpec``: the columns (canonical name → other
header names accepted), the required ones, a ``parse(row, ctx)`` that turns one ``lib.tables.Row``
into the values of one entry or problems, and a ``write(actor, entries, request)`` service that
saves them all (and places their demands through the burden seam) inside the import's
transaction. ``registry_import`` reads the whole file first; any problem, in any row, and nothing
is written (``lib.results.ImportResult`` with every ``Problem``: row, column, value, reason). The
cell helpers below give the same Chinese messages in every registry.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from qingzhuang.lib import tables, values
from qingzhuang.lib.results import ImportResult
from qingzhuang.lib.tables import Problem, Row, TableError
from qingzhuang.orgs import audit
from qingzhuang.orgs.models import Unit
from qingzhuang.orgs.transfer import import_limits

TRUE_WORDS = ("是", "有", "Y", "YES", "TRUE", "1", "√")
FALSE_WORDS = ("否", "无", "N", "NO", "FALSE", "0", "")
CONFLICT = Problem(None, None, None, "conflict", "写入时与其他人同时进行的修改冲突，没有写入任何数据，请稍后重试")


@dataclass
class ParseContext:
    """What ``parse`` may use: the actor, units by code and by name (loaded once), and problems."""

    actor: Any
    units_by_code: dict[str, Unit]
    units_by_name: dict[str, list[Unit]]
    problems: list[Problem] = field(default_factory=list)

    def problem(self, row: Row, column: str, code: str, message: str) -> None:
        self.problems.append(Problem(row.number, column, row[column], code, message))

    # -- cells ---------------------------------------------------------------------------------

    def text(self, row: Row, column: str, *, required: bool = False, max_length: int = 200) -> str:
        value = row[column]
        if not value:
            if required:
                self.problem(row, column, "required", f"“{column}”不能为空")
            return ""
        if len(value) > max_length:
            self.problem(row, column, "too_long", f"“{column}”最多 {max_length} 个字，现有 {len(value)} 个字")
            return ""
        return value

    def date(self, row: Row, column: str, *, required: bool = True) -> dt.date | None:
        value = row[column]
        if not value:
            if required:
                self.problem(row, column, "required", f"“{column}”不能为空")
            return None
        parsed, error = values.parse_date(value)
        if error:
            self.problem(row, column, "invalid_date", f"“{column}”应为日期（如 2025-03-18），{error}")
            return None
        return dt.date.fromisoformat(parsed)

    def integer(self, row: Row, column: str, *, required: bool = True, minimum: int = 0,
                maximum: int = 10**9) -> int | None:
        value = row[column]
        if not value:
            if required:
                self.problem(row, column, "required", f"“{column}”不能为空")
            return None
        parsed, error = values.parse_integer(value)
        if error or not minimum <= int(parsed) <= maximum:
            self.problem(row, column, "invalid_integer", f"“{column}”应为 {minimum} 到 {maximum} 之间的整数")
            return None
        return int(parsed)

    def boolean(self, row: Row, column: str) -> bool | None:
        value = row[column].upper()
        if value in TRUE_WORDS:
            return True
        if value in FALSE_WORDS:
            return False
        self.problem(row, column, "invalid_choice", f"“{column}”应填“是”或“否”")
        return None

    def choice(self, row: Row, column: str, choices: Iterable[tuple[str, str]], *, required: bool = True) -> str | None:
        """A value of ``choices`` ((value, Chinese label) pairs) written as its label or its value."""
        choices = list(choices)
        value = row[column]
        if not value and not required:
            return ""
        for key, label in choices:
            if value in (key, label):
                return key
        self.problem(row, column, "invalid_choice",
                     f"“{column}”应为以下之一：{'、'.join(label for _, label in choices)}")
        return None

    def choices(self, row: Row, column: str, choices: Iterable[tuple[str, str]]) -> list[str] | None:
        """Several values of ``choices`` separated by 、，,；; or spaces (may be empty)."""
        choices = list(choices)
        parts = [p for p in _split(row[column]) if p]
        found = []
        for part in parts:
            key = next((k for k, label in choices if part in (k, label)), None)
            if key is None:
                self.problem(row, column, "invalid_choice",
                             f"“{column}”中的“{part}”不是可选项，可选：{'、'.join(label for _, label in choices)}")
                return None
            found.append(key)
        return list(dict.fromkeys(found))

    def unit(self, row: Row, column: str, *, required: bool = True, kinds: Iterable[str] = ()) -> Unit | None:
        """A unit written as its code or its exact name (a name two units share must be a code)."""
        return self._unit(row, column, row[column], required=required, kinds=tuple(kinds))

    def units(self, row: Row, column: str, *, kinds: Iterable[str] = ()) -> list[Unit] | None:
        """Several units (codes or names) separated by 、，,；; or spaces."""
        found = []
        for part in _split(row[column]):
            unit = self._unit(row, column, part, required=True, kinds=tuple(kinds))
            if unit is None:
                return None
            found.append(unit)
        return list(dict.fromkeys(found))

    def _unit(self, row: Row, column: str, value: str, *, required: bool, kinds: tuple[str, ...]) -> Unit | None:
        if not value:
            if required:
                self.problem(row, column, "required", f"“{column}”不能为空")
            return None
        unit = self.units_by_code.get(value)
        if unit is None:
            named = self.units_by_name.get(value, [])
            if len(named) > 1:
                self.problems.append(Problem(row.number, column, value, "ambiguous_unit",
                                             f"有 {len(named)} 个单位叫“{value}”，请填写单位代码"))
                return None
            unit = named[0] if named else None
        if unit is None or not unit.is_active:
            self.problems.append(Problem(row.number, column, value, "unknown_unit", f"没有这个单位：{value}"))
            return None
        if kinds and unit.kind not in kinds:
            self.problems.append(Problem(row.number, column, value, "wrong_unit_kind",
                                         f"“{unit.name}”是{unit.get_kind_display()}，这里不能填"))
            return None
        return unit


def _split(text: str) -> list[str]:
    for mark in "、，,；;\n":
        text = text.replace(mark, " ")
    return [part for part in text.split(" ") if part]


@dataclass(frozen=True)
class RegistrySpec:
    """One registry's file: columns, how a row becomes an entry, and how entries are written."""

    kind: str  # "documents": the ImportResult's kind
    label: str  # "发文登记"
    columns: Mapping[str, Iterable[str]]  # canonical column → other header names accepted
    required: tuple[str, ...]
    # parse(row, ctx) -> the entry's values (a dict) or None when the row has problems (in ctx)
    parse: Callable[[Row, ParseContext], dict | None]
    # write(actor=, entries=[(row number, values)], request=) -> number created; runs inside the
    # import's transaction; may raise ValidationError({"row N": message}) to refuse the whole file.
    write: Callable[..., int]
    permission: str  # "burden.manage_documents"
    action: str  # the audit action of the import's summary row: "document.import"
    notes: dict[str, str] = field(default_factory=dict)  # column → note in the template


def template(spec: RegistrySpec):
    """A blank xlsx template of the registry (header row and a 填写说明 sheet)."""
    return tables.template_xlsx([(name, spec.notes.get(name, "")) for name in spec.columns],
                                notes=[f"{spec.label}：一行一条；任一行有错误时整个文件都不导入。"])


def _context(actor) -> ParseContext:
    by_code, by_name = {}, {}
    for unit in Unit.objects.only("id", "code", "name", "kind", "path", "is_active"):
        by_code[unit.code] = unit
        by_name.setdefault(unit.name, []).append(unit)
    return ParseContext(actor=actor, units_by_code=by_code, units_by_name=by_name)


def registry_import(spec: RegistrySpec, *, actor, path: str | os.PathLike, dry_run: bool = False,
                    request=None, filename: str = "") -> ImportResult:
    """Read every row of ``path``; any problem and nothing is written (a dry run writes nothing anyway)."""
    if actor is not None and not actor.has_perm(spec.permission):
        raise PermissionDenied(f"没有导入{spec.label}的权限")
    result = ImportResult(kind=spec.kind, dry_run=dry_run)
    synonyms = {name: tuple(other) for name, other in spec.columns.items()}
    try:
        rows = list(tables.read_table(path, synonyms=synonyms, required=spec.required, limits=import_limits()))
    except TableError as exc:
        return result.reject([exc.problem], rows=0)
    result.total = len(rows)
    if not rows:
        return result.reject([Problem(None, None, None, "empty", "文件中没有数据行")], rows=0)
    ctx = _context(actor)
    entries = []
    for row in rows:
        before = len(ctx.problems)
        parsed = spec.parse(row, ctx)
        if parsed is not None and len(ctx.problems) == before:
            entries.append((row.number, parsed))
    if ctx.problems:
        return result.reject(ctx.problems)
    try:
        with nullcontext() if dry_run else transaction.atomic():
            if dry_run:
                result.created = len(entries)
                return result
            result.created = spec.write(actor=actor, entries=entries, request=request)
            audit.record(actor=actor, action=spec.action, unit=getattr(actor, "unit", None),
                         object_repr=filename or os.path.basename(str(path)),
                         after={"rows": result.total, "created": result.created}, request=request)
    except ValidationError as error:
        return result.reject([_problem_of(key, message) for key, messages in _messages(error) for message in messages])
    except IntegrityError:
        return result.reject([CONFLICT])
    return result


def _messages(error: ValidationError) -> list[tuple[str, list[str]]]:
    if hasattr(error, "error_dict"):
        return list(error.message_dict.items())
    return [("", error.messages)]


def _problem_of(key: str, message: str) -> Problem:
    """A ``write`` refusal: keys "row 12" (or "row 12:列名") point at a row and column."""
    row, column = None, None
    if key.startswith("row "):
        number, _, column = key[4:].partition(":")
        row = int(number) if number.isdigit() else None
    return Problem(row, column or None, None, "refused", message)


def registry_import_upload(spec: RegistrySpec, *, actor, upload, dry_run: bool = False, request=None) -> ImportResult:
    """``registry_import`` of an uploaded file (a page's or the API's)."""
    try:
        with tables.temporary_copy(upload, name=upload.name, limits=import_limits()) as path:
            return registry_import(spec, actor=actor, path=path, dry_run=dry_run, request=request,
                                   filename=upload.name)
    except TableError as exc:
        return ImportResult(kind=spec.kind, dry_run=dry_run).reject([exc.problem], rows=0)

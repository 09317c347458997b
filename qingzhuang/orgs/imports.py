"""Import and export of the org tree and of people (xlsx / xls / csv).

An import is all or nothing: every row is validated first and every problem collected (row,
column, value, code, Chinese message); when there is any problem nothing is written. A dry run
does the same checks and counts without writing. A real import writes in one transaction with
bulk statements, one audit row per created or updated object, and one summary audit row.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from qingzhuang.lib import ids, tables
from qingzhuang.lib.results import ImportResult
from qingzhuang.lib.tables import Problem, TableError
from qingzhuang.orgs import access, audit, services
from qingzhuang.orgs.models import Person, Unit, UnitKind
from qingzhuang.orgs.services import MANAGE_PEOPLE, MANAGE_UNITS
from qingzhuang.orgs.transfer import import_limits

CHUNK = 900  # below SQLite's 999 query parameters
PATH_MAX = Unit._meta.get_field("path").max_length

UNIT_HEADERS = ["单位代码", "单位名称", "单位类型", "上级单位代码"]
UNIT_COLUMNS = {
    "单位代码": ("代码", "单位编码", "机构代码", "组织机构代码"),
    "单位名称": ("名称", "机构名称"),
    "单位类型": ("类型", "机构类型"),
    "上级单位代码": ("上级代码", "上级单位编码", "上级机构代码"),
}
PEOPLE_HEADERS = ["姓名", "单位代码", "职务", "手机", "公民身份号码"]
PEOPLE_COLUMNS = {
    "姓名": ("名字",),
    "单位代码": ("所在单位代码", "单位编码"),
    "职务": ("职位", "现任职务"),
    "手机": ("手机号", "手机号码", "联系电话", "电话"),
    "公民身份号码": ("身份证号", "身份证号码", "身份证", "公民身份证号码"),
}
PEOPLE_REQUIRED = ("姓名", "单位代码")

KIND_BY_LABEL: dict[str, str] = {
    **{tables.header_key(label): value for value, label in UnitKind.choices},
    **{value: value for value in UnitKind.values},
    "县": UnitKind.COUNTY.value, "区": UnitKind.COUNTY.value, "市": UnitKind.COUNTY.value,
    "乡": UnitKind.TOWNSHIP.value, "镇": UnitKind.TOWNSHIP.value,
}
KIND_LABEL = dict(UnitKind.choices)
PERMISSIONS = {"units": MANAGE_UNITS, "people": MANAGE_PEOPLE}
PERSON_FIELD_COLUMN = {"name": "姓名", "title": "职务", "phone": "手机", "id_number": "公民身份号码"}
PERSON_FIELD_CODE = {"name": "required", "title": "too_long", "phone": "invalid_phone", "id_number": "invalid_id_number"}


def _problem(row: int, column: str, value: str, code: str, message: str) -> Problem:
    return Problem(row=row, column=column, value=value, code=code, message=message)


def _scope(actor) -> list[str] | None:
    """The actor's scope roots; None is the system, which sees everything."""
    return None if actor is None else access.scope_paths(actor)


def _in_scope(path: str, scope: list[str] | None) -> bool:
    return scope is None or any(path.startswith(p) for p in scope)


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _units_by_code(codes: Iterable[str], *, lock: bool = False) -> dict[str, Unit]:
    found: dict[str, Unit] = {}
    units = Unit.objects.select_for_update(of=("self",)) if lock else Unit.objects.all()
    for chunk in _chunks(sorted(set(codes))):
        for unit in units.filter(code__in=chunk).select_related("parent"):
            found[unit.code] = unit
    return found


def _summary_audit(*, actor, action: str, result: ImportResult, filename: str, request) -> None:
    label = {"units": "导入组织架构", "people": "导入干部名录"}[result.kind]
    audit.record(
        actor=actor, action=action, object_type="import", object_repr=f"{label}：{filename}"[:200],
        after={"file": filename, "total": result.total, "created": result.created,
               "updated": result.updated, "unchanged": result.unchanged},
        unit=getattr(actor, "unit", None),  # the importing account's unit, like any other entry
        request=request,
    )


# ---------------------------------------------------------------------------------------------
# Units


@dataclass
class UnitRow:
    number: int
    code: str
    name: str
    kind: str
    parent_code: str
    parent_ok: bool = True


def units_import(*, actor, path: str | os.PathLike, dry_run: bool = False, request=None,
                 filename: str = "") -> ImportResult:
    """Create or update units from a file with 单位代码, 单位名称, 单位类型, 上级单位代码."""
    return _run_import("units", actor=actor, path=path, dry_run=dry_run, request=request, filename=filename)


class _UnitPlan:
    """Validates unit rows against the file and the database, then works out what to write."""

    def __init__(self, table: list[tables.Row], scope: list[str] | None, *, lock: bool = False) -> None:
        self.scope = scope
        self.errors: list[Problem] = []
        self.rows: dict[str, UnitRow] = {}
        parsed = [r for r in (self._parse(row) for row in table) if r is not None]
        codes = [r.code for r in parsed] + [r.parent_code for r in parsed if r.parent_code]
        self.existing = _units_by_code(codes, lock=lock)
        for row in parsed:
            if self._check_scope(row):
                self._check_parent(row)
        self.paths: dict[str, str | None] = {}
        for code in self.rows:
            self._final_path(code)
        self.to_create: list[UnitRow] = []
        self.to_update: list[UnitRow] = []
        if not self.errors:
            self._diff()

    def _error(self, row: int, column: str, value: str, code: str, message: str) -> None:
        self.errors.append(_problem(row, column, value, code, message))

    def _parse(self, row: tables.Row) -> UnitRow | None:
        code, name, kind_text, parent = row["单位代码"], row["单位名称"], row["单位类型"], row["上级单位代码"]
        kind = KIND_BY_LABEL.get(tables.header_key(kind_text)) if kind_text else None
        if not name:
            self._error(row.number, "单位名称", name, "required", "单位名称不能为空")
        elif len(name) > 100:
            self._error(row.number, "单位名称", name, "too_long", "单位名称不能超过100个字")
        if not kind_text:
            self._error(row.number, "单位类型", kind_text, "required", "单位类型不能为空")
        elif kind is None:
            labels = "、".join(KIND_LABEL.values())
            self._error(row.number, "单位类型", kind_text, "unknown_kind", f"未知的单位类型，可选：{labels}")
        if not self._code_ok(row.number, "单位代码", code):
            return None
        if code in self.rows:
            first = self.rows[code].number
            self._error(row.number, "单位代码", code, "duplicate", f"单位代码与第{first}行重复")
            return None
        unit_row = UnitRow(row.number, code, name, kind or "", parent)
        self.rows[code] = unit_row
        return unit_row

    def _code_ok(self, number: int, column: str, code: str) -> bool:
        if not code:
            self._error(number, column, code, "required", "单位代码不能为空")
            return False
        try:
            services.validate_unit_code(code)
        except ValidationError as exc:
            self._error(number, column, code, "invalid_code", exc.message_dict["code"][0])
            return False
        return True

    def _check_scope(self, row: UnitRow) -> bool:
        unit = self.existing.get(row.code)
        if unit is not None and not _in_scope(unit.path, self.scope):
            row.parent_ok = False
            self._error(row.number, "单位代码", row.code, "out_of_scope", "单位代码不在您的管理范围内")
            return False
        if not row.parent_code and not _in_scope(f"/{row.code}/", self.scope):
            self._error(row.number, "上级单位代码", "", "out_of_scope",
                        "上级单位代码为空表示顶级单位，您只能在自己管理范围内的单位下导入")
        return True

    def _check_parent(self, row: UnitRow) -> None:
        parent = row.parent_code
        if not parent:
            return
        if parent == row.code:
            row.parent_ok = False
            self._error(row.number, "上级单位代码", parent, "cycle", "上级单位不能是本单位")
        elif parent not in self.rows and not self._parent_allowed(row):
            row.parent_ok = False
            self._error(row.number, "上级单位代码", parent, "unknown_parent",
                        "上级单位代码不存在（本文件和您可管理的单位中都没有）")

    def _parent_allowed(self, row: UnitRow) -> bool:
        """A parent in the database must be in scope, unless the row keeps its current parent."""
        parent = self.existing.get(row.parent_code)
        if parent is None:
            return False
        if _in_scope(parent.path, self.scope):
            return True
        unit = self.existing.get(row.code)
        return unit is not None and unit.parent_id == parent.pk and _in_scope(unit.path, self.scope)

    def _step(self, code: str) -> tuple[str | None, str | None]:
        """(next code up the final tree, path piece); next None means the piece is a full path."""
        row = self.rows.get(code)
        if row is not None:
            if not row.parent_ok:
                return None, None
            if not row.parent_code:
                return None, f"/{code}/"
            return row.parent_code, f"{code}/"
        # A database unit outside the file: it follows its nearest ancestor that is in the file.
        unit_path = self.existing[code].path
        codes = unit_path.strip("/").split("/")
        for i in range(len(codes) - 2, -1, -1):
            if codes[i] in self.rows:
                return codes[i], "/".join(codes[i + 1:]) + "/"
        return None, unit_path

    def _final_path(self, start: str) -> str | None:
        """The unit's path after the import, or None when its chain is broken or loops."""
        trail: list[tuple[str, str]] = []
        on_trail: dict[str, int] = {}
        node = start
        while node not in self.paths:
            if node in on_trail:
                self._report_cycle([n for n, _ in trail[on_trail[node]:]])
                for n, _ in trail:
                    self.paths[n] = None
                return None
            up, piece = self._step(node)
            if up is None:
                self.paths[node] = piece
                break
            on_trail[node] = len(trail)
            trail.append((node, piece))
            node = up
        base = self.paths[node]
        for n, piece in reversed(trail):
            base = None if base is None else base + piece
            self.paths[n] = base
        return self.paths[start]

    def _report_cycle(self, cycle: list[str]) -> None:
        for i, code in enumerate(cycle):
            row = self.rows.get(code)
            if row is None:
                continue
            chain = " → ".join(cycle[i:] + cycle[:i] + [code])
            self._error(row.number, "上级单位代码", row.parent_code, "cycle", f"上级单位形成循环：{chain}")

    def _diff(self) -> None:
        for code, row in self.rows.items():
            if len(self.paths[code]) > PATH_MAX:
                self._error(row.number, "上级单位代码", row.parent_code, "too_deep", "单位层级过深，无法保存")
                continue
            unit = self.existing.get(code)
            if unit is None:
                self.to_create.append(row)
            elif (unit.name, unit.kind, unit.parent.code if unit.parent_id else "") != (
                row.name, row.kind, row.parent_code
            ):
                self.to_update.append(row)


def _depth(path: str) -> int:
    return path.count("/") - 2


def _write_units(plan: _UnitPlan, *, actor, request) -> None:
    units = dict(plan.existing)
    entries = _create_units(plan, units, actor=actor, request=request)
    entries += _update_units(plan, units, actor=actor, request=request)
    audit.record_many(entries)


def _create_units(plan: _UnitPlan, units: dict[str, Unit], *, actor, request) -> list:
    """Insert new units level by level, so each level's parents already have ids."""
    by_depth: dict[int, list[UnitRow]] = defaultdict(list)
    for row in plan.to_create:
        by_depth[_depth(plan.paths[row.code])].append(row)
    entries = []
    for depth in sorted(by_depth):
        level = [
            Unit(code=r.code, name=r.name, kind=r.kind, parent=units.get(r.parent_code) if r.parent_code else None,
                 path=plan.paths[r.code], depth=depth)
            for r in by_depth[depth]
        ]
        Unit.objects.bulk_create(level, batch_size=500)
        if any(u.pk is None for u in level):  # a database that cannot return ids from a bulk insert
            pks = {}
            for chunk in _chunks([u.code for u in level]):
                pks.update(Unit.objects.filter(code__in=chunk).values_list("code", "pk"))
            for u in level:
                u.pk = pks[u.code]
        for unit in level:
            units[unit.code] = unit
            entries.append(audit.build(actor=actor, action="unit.create", obj=unit, after=unit.audit_dict(),
                                       request=request))
    return entries


def _update_units(plan: _UnitPlan, units: dict[str, Unit], *, actor, request) -> list:
    """Rewrite the subtrees of moved units (deepest first), then update the changed rows."""
    moved = [units[r.code] for r in plan.to_update if units[r.code].path != plan.paths[r.code]]
    for unit in sorted(moved, key=lambda u: -u.depth):
        new_path = plan.paths[unit.code]
        Unit.objects.filter(path__startswith=unit.path).exclude(pk=unit.pk).update(
            path=Concat(Value(new_path), Substr("path", len(unit.path) + 1)),
            depth=F("depth") + (_depth(new_path) - unit.depth),
        )
    now = timezone.now()
    changed, entries = [], []
    for row in plan.to_update:
        unit = units[row.code]
        before = unit.audit_dict()
        unit.name, unit.kind = row.name, row.kind
        unit.parent = units[row.parent_code] if row.parent_code else None
        unit.path, unit.depth, unit.updated_at = plan.paths[row.code], _depth(plan.paths[row.code]), now
        changed.append(unit)
        entries.append(audit.build(actor=actor, action="unit.update", obj=unit, before=before,
                                   after=unit.audit_dict(), request=request))
    Unit.objects.bulk_update(changed, ["name", "kind", "parent", "path", "depth", "updated_at"], batch_size=500)
    return entries


# ---------------------------------------------------------------------------------------------
# People


@dataclass
class PersonRow:
    number: int
    fields: dict[str, str]  # only the columns present in the file
    unit: Unit
    person: Person | None = None


def people_import(*, actor, path: str | os.PathLike, dry_run: bool = False, request=None,
                  filename: str = "") -> ImportResult:
    """Create or update people from a file with 姓名, 单位代码, 职务, 手机, 公民身份号码 (optional)."""
    return _run_import("people", actor=actor, path=path, dry_run=dry_run, request=request, filename=filename)


class _PeoplePlan:
    """Validates people rows, matches them to existing people, and works out what to write."""

    def __init__(self, table: list[tables.Row], scope: list[str] | None, *, lock: bool = False) -> None:
        self.scope = scope
        self.errors: list[Problem] = []
        self.people = Person.objects.select_for_update(of=("self",)) if lock else Person.objects.all()
        units = {
            code: unit for code, unit in _units_by_code(r["单位代码"] for r in table if r["单位代码"]).items()
            if _in_scope(unit.path, scope)
        }
        rows = self._without_duplicates([r for r in (self._parse(row, units) for row in table) if r is not None])
        self._match(rows)
        self.to_create = [r for r in rows if r.person is None]
        self.to_update = [r for r in rows if r.person is not None and _person_changes(r)]

    def _error(self, row: int, column: str, value: str, code: str, message: str) -> None:
        self.errors.append(_problem(row, column, value, code, message))

    def _parse(self, row: tables.Row, units: dict[str, Unit]) -> PersonRow | None:
        raw = {key: row[column] for key, column in PERSON_FIELD_COLUMN.items()}
        ok = True
        try:
            cleaned = services.clean_person_fields(**raw)
        except ValidationError as exc:
            ok = False
            for key, messages in exc.message_dict.items():
                self._error(row.number, PERSON_FIELD_COLUMN[key], raw[key], PERSON_FIELD_CODE[key], messages[0])
            cleaned = {}
        for key, limit in (("name", 50), ("title", 100)):
            if len(raw[key]) > limit:
                ok = False
                self._error(row.number, PERSON_FIELD_COLUMN[key], raw[key], "too_long",
                            f"{PERSON_FIELD_COLUMN[key]}不能超过{limit}个字")
        unit = self._unit(row, units)
        if not ok or unit is None:
            return None
        present = {key: value for key, value in cleaned.items() if key == "name" or row.has(PERSON_FIELD_COLUMN[key])}
        return PersonRow(row.number, present, unit)

    def _unit(self, row: tables.Row, units: dict[str, Unit]) -> Unit | None:
        code = row["单位代码"]
        if not code:
            self._error(row.number, "单位代码", code, "required", "单位代码不能为空")
            return None
        if code not in units:
            self._error(row.number, "单位代码", code, "unknown_unit", "单位代码不存在（在您可管理的单位中未找到）")
            return None
        return units[code]

    def _without_duplicates(self, rows: list[PersonRow]) -> list[PersonRow]:
        """Drop (and report) a repeated ID, and a row without ID that cannot be told from another row."""
        first_id: dict[str, int] = {}
        same_name: dict[tuple[str, str], list[PersonRow]] = defaultdict(list)
        for row in rows:
            same_name[(row.fields["name"], row.unit.code)].append(row)
        kept = []
        for row in rows:
            id_number = row.fields.get("id_number", "")
            if id_number:
                first = first_id.setdefault(id_number, row.number)
                if first != row.number:
                    self._error(row.number, "公民身份号码", id_number, "duplicate", f"公民身份号码与第{first}行重复")
                    continue
            else:
                group = same_name[(row.fields["name"], row.unit.code)]
                clash = [r for r in group if r is not row and (r.number < row.number or r.fields.get("id_number"))]
                if clash:
                    self._error(row.number, "姓名", row.fields["name"], "duplicate",
                                f"与第{clash[0].number}行姓名和单位代码相同；同名人员请填写公民身份号码以区分")
                    continue
            kept.append(row)
        return kept

    def _match(self, rows: list[PersonRow]) -> None:
        by_id = _people_by_id(self.people, [r.fields["id_number"] for r in rows if r.fields.get("id_number")])
        by_name = _people_by_name_and_unit(self.people, {r.unit.pk: r.unit for r in rows})
        matched: dict[int, int] = {}
        for row in rows:
            person = self._find(row, by_id, by_name)
            if person is None:
                continue
            first = matched.setdefault(person.pk, row.number)
            if first != row.number:
                self._error(row.number, "姓名", row.fields["name"], "duplicate",
                            f"与第{first}行是同一人，请合并为一行")
            row.person = person

    def _find(self, row: PersonRow, by_id: dict[str, Person],
              by_name: dict[tuple[str, int], list[Person]]) -> Person | None:
        id_number = row.fields.get("id_number", "")
        candidates = by_name.get((row.fields["name"], row.unit.pk), [])
        if id_number:
            person = by_id.get(id_number)
            if person is not None:
                if not _in_scope(person.unit.path, self.scope):
                    self._error(row.number, "公民身份号码", id_number, "id_registered", "该公民身份号码已登记")
                    return None
                return person
            candidates = [p for p in candidates if not p.id_number]
        if len(candidates) > 1:
            self._error(row.number, "姓名", row.fields["name"], "ambiguous",
                        "该单位有多名同名人员，请填写公民身份号码以区分")
            return None
        return candidates[0] if candidates else None


def _people_by_id(people: QuerySet[Person], id_numbers: list[str]) -> dict[str, Person]:
    found: dict[str, Person] = {}
    for chunk in _chunks(sorted(set(id_numbers))):
        for person in people.filter(id_number__in=chunk).select_related("unit"):
            found[person.id_number] = person
    return found


def _people_by_name_and_unit(people: QuerySet[Person], units: dict[int, Unit]) -> dict[tuple[str, int], list[Person]]:
    found: dict[tuple[str, int], list[Person]] = defaultdict(list)
    for chunk in _chunks(sorted(units)):
        for person in people.filter(unit_id__in=chunk).order_by("id"):
            person.unit = units[person.unit_id]  # already loaded: no join
            found[(person.name, person.unit_id)].append(person)
    return found


def _person_values(row: PersonRow) -> dict[str, Any]:
    """The new values for a matched person; a blank ID in the file never erases a registered one."""
    values: dict[str, Any] = {key: value for key, value in row.fields.items() if key != "id_number" or value}
    values["unit"] = row.unit
    return values


def _person_changes(row: PersonRow) -> bool:
    person = row.person
    return any(
        (getattr(person, key) != value if key != "unit" else person.unit_id != value.pk)
        for key, value in _person_values(row).items()
    )


def _write_people(plan: _PeoplePlan, *, actor, request) -> None:
    new = [Person(unit=r.unit, **r.fields) for r in plan.to_create]
    Person.objects.bulk_create(new, batch_size=500)
    if any(p.pk is None for p in new):
        raise IntegrityError("bulk_create did not return primary keys")
    entries = [audit.build(actor=actor, action="person.create", obj=p, after=p.audit_dict(), request=request)
               for p in new]
    now = timezone.now()
    changed = []
    for row in plan.to_update:
        person = row.person
        before = person.audit_dict()
        for key, value in _person_values(row).items():
            setattr(person, key, value)
        person.updated_at = now
        changed.append(person)
        entries.append(audit.build(actor=actor, action="person.update", obj=person, before=before,
                                   after=person.audit_dict(), request=request))
    Person.objects.bulk_update(changed, ["name", "unit", "title", "phone", "id_number", "updated_at"],
                               batch_size=500)
    audit.record_many(entries)


# ---------------------------------------------------------------------------------------------
# The import run, shared by units and people


@dataclass(frozen=True)
class _Spec:
    columns: dict
    required: tuple[str, ...]
    plan: type
    write: Any
    action: str


SPECS = {
    "units": _Spec(UNIT_COLUMNS, tuple(UNIT_HEADERS), _UnitPlan, _write_units, "unit.import"),
    "people": _Spec(PEOPLE_COLUMNS, PEOPLE_REQUIRED, _PeoplePlan, _write_people, "person.import"),
}
CONFLICT = Problem(None, None, None, "conflict",
                   "写入时与其他人同时进行的修改冲突（如公民身份号码重复），没有写入任何数据，请稍后重试")


def _run_import(kind: str, *, actor, path, dry_run: bool, request, filename: str) -> ImportResult:
    """Read, validate everything, then write all or nothing (or only count, for a dry run)."""
    access.require_permission(actor, *PERMISSIONS[kind])
    spec = SPECS[kind]
    result = ImportResult(kind=kind, dry_run=dry_run)
    try:
        table = list(tables.read_table(path, synonyms=spec.columns, required=spec.required, limits=import_limits()))
    except TableError as exc:
        return result.reject([exc.problem], rows=0)
    result.total = len(table)
    try:
        # A real import validates inside its write transaction, against the rows it locks and writes over.
        with nullcontext() if dry_run else transaction.atomic():
            plan = spec.plan(table, _scope(actor), lock=not dry_run)
            if plan.errors:
                return result.reject(plan.errors)
            result.created, result.updated = len(plan.to_create), len(plan.to_update)
            result.unchanged = result.total - result.created - result.updated
            if not dry_run:
                spec.write(plan, actor=actor, request=request)
                _summary_audit(actor=actor, action=spec.action, result=result,
                               filename=filename or os.path.basename(path), request=request)
    except IntegrityError:
        return result.reject([CONFLICT])
    return result


# ---------------------------------------------------------------------------------------------
# Uploads (pages and API)

SERVICES = {"units": units_import, "people": people_import}


def import_upload(kind: str, *, actor, upload, dry_run: bool = False, request=None) -> ImportResult:
    """Run the ``kind`` import ('units' or 'people') on an uploaded file."""
    access.require_permission(actor, *PERMISSIONS[kind])
    try:
        with tables.temporary_copy(upload, name=upload.name, limits=import_limits()) as path:
            return SERVICES[kind](actor=actor, path=path, dry_run=dry_run, request=request, filename=upload.name)
    except TableError as exc:
        return ImportResult(kind=kind, dry_run=dry_run).reject([exc.problem], rows=0)


# ---------------------------------------------------------------------------------------------
# Exports


def _counted(rows: Iterable[tuple], counter: list[int]) -> Iterator[tuple]:
    for row in rows:
        counter[0] += 1
        yield row


def units_export(*, user, path: str | os.PathLike | IO[bytes], fmt: str) -> int:
    """Write the units ``user`` can see (all for the system, user None); returns the number of rows."""
    units = Unit.objects.all() if user is None else access.visible_units(user)
    rows = (
        (code, name, KIND_LABEL.get(kind, kind), parent or "")
        for code, name, kind, parent in units.order_by("path").values_list("code", "name", "kind", "parent__code")
        .iterator(chunk_size=2000)
    )
    counter = [0]
    tables.write_table(path, fmt, UNIT_HEADERS, _counted(rows, counter))
    return counter[0]


def people_export(*, user, path: str | os.PathLike | IO[bytes], fmt: str, request=None) -> int:
    """Write the people ``user`` can see; phone and ID masked without orgs.view_personal_data.

    An unmasked export reveals personal data in bulk, so it is audited.
    """
    people = Person.objects.all() if user is None else access.visible_people(user)
    show = user is None or access.can_view_personal_data(user)
    rows = (
        _person_export_row(row, show)
        for row in people.order_by("unit__path", "id")
        .values_list("name", "unit__code", "title", "phone", "id_number").iterator(chunk_size=2000)
    )
    counter = [0]
    tables.write_table(path, fmt, PEOPLE_HEADERS, _counted(rows, counter))
    if show:
        with transaction.atomic():
            audit.record(actor=user, action="person.export", object_type="export", object_repr="导出干部名录（未脱敏）",
                         after={"rows": counter[0], "format": fmt}, request=request)
    return counter[0]


def _person_export_row(row: tuple, show: bool) -> tuple:
    if show:
        return row
    name, unit_code, title, phone, id_number = row
    return name, unit_code, title, ids.mask_phone(phone), ids.mask_id_number(id_number)

"""Where is this field already? Matching a free-Chinese list of fields against the catalog.

"身份证号、户籍地址、是否低保、手机号" is split into fields, each field is normalised (NFKC, case,
punctuation and noise words such as 是否/的/信息/情况 dropped) and compared with the catalog's
labels, normalised the same way. Each field ends in one of three outcomes:

1. **已有（同一数据项）** ``exact``: the field *is* an element's name, one of its declared synonyms,
   the name a dataset gives its column, or its code — the same fact, held by a dataset. Scored 1.00.
2. **相近（需确认）** ``related``: the ledger holds something near, which a person must confirm
   before it replaces asking: a similar name (character-bigram Dice or containment of at least
   ``THRESHOLD``: 现居住地址 → 居住地址), a near fact the catalog declares (an element's
   ``related_names``: 户籍地址 is near 居住地址 but not the same address), or an element whose
   code list holds a value matching the field (是否残疾 → 特殊群体, whose code list holds 残疾人).
   Scored at most ``RELATED_MAX``, never 1.00.
3. **未找到** ``none``: nothing in the ledger, or only an element no dataset holds: 需基层填报.

Only exact matches count as data not asked of grassroots units here; a data request also counts
the related matches a person confirmed (``services.data_requests``). A related field among several
candidates goes to the element held by the datasets that hold the list's exact fields (a person's
户籍地址 is nearer 居住地址 in 人口基础信息 than 登记地址 in 法人单位).

Each matched element is then placed in the datasets holding it, ranked by how many of the listed
fields that dataset holds (a person's phone comes from 人口基础信息, not 法人单位), then by size.
No new dependency: the catalog is a few hundred labels, so plain Python is fast enough.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils import timezone

from qingzhuang.ledger.models import DataElement, DatasetColumn, UpdatePeriod
from qingzhuang.orgs import access as org_access
from qingzhuang.orgs.models import Unit, UnitKind

THRESHOLD = 0.6
# A related match is never scored like an exact one.
RELATED_MAX = 0.9
SEPARATORS = re.compile(r"[、，,；;／/\s]+")
PUNCTUATION = re.compile(r"[()\[\]{}（）【】《》〈〉<>\"'“”‘’:：\-_—·.。?？!！*]+")
NOISE_PREFIXES = ("是否", "有无", "有没有")
NOISE_SUFFIXES = ("信息", "情况", "状况")

EXACT, RELATED, NONE = "exact", "related", "none"
OUTCOME_LABELS = {EXACT: "已有（同一数据项）", RELATED: "相近（需确认）", NONE: "未找到"}
# Labels that name the element itself, most authoritative first (breaks ties between exact matches).
KIND_ORDER = {"name": 0, "column": 1, "synonym": 2, "code": 3}
# Labels that only point near it: a declared near fact, a value of its code list.
NEAR, VALUE = "related", "value"
# Why a field is related, as a stable key (``basis``), most telling first.
SIMILAR_NAME, NEAR_FIELD, CODE_LIST = "similar_name", "near_field", "code_list"
RELATED_ORDER = {NEAR_FIELD: 0, SIMILAR_NAME: 1, CODE_LIST: 2}

# How old the last update may be before a dataset is 逾期 (a few days' grace), as on the data map.
FRESH_DAYS = {UpdatePeriod.MONTHLY: 35, UpdatePeriod.QUARTERLY: 100, UpdatePeriod.YEARLY: 380}
TARGET_KINDS = (UnitKind.VILLAGE, UnitKind.COMMUNITY)


def normalise(text: str) -> str:
    """The comparable form of a field name: "是否 低保（信息）" → "低保"."""
    raw = PUNCTUATION.sub("", re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).casefold()))
    key = raw.replace("的", "")
    for prefix in NOISE_PREFIXES:
        if key.startswith(prefix):
            key = key[len(prefix):]
    for suffix in NOISE_SUFFIXES:
        if key.endswith(suffix):
            key = key[: -len(suffix)]
    # "信息" alone is noise all through: keep the text rather than match nothing.
    return key or raw


def split_fields(text: str) -> list[str]:
    """The distinct fields of a list, in order, as typed (without surrounding blanks)."""
    fields: list[str] = []
    seen: set[str] = set()
    for part in SEPARATORS.split(unicodedata.normalize("NFKC", text or "")):
        part = part.strip()
        key = normalise(part) if part else ""
        if key and key not in seen:
            seen.add(key)
            fields.append(part[:100])
    return fields


def _bigrams(text: str) -> Counter:
    if len(text) < 2:
        return Counter([text])
    return Counter(text[i:i + 2] for i in range(len(text) - 1))


def similarity(a: str, b: str) -> float:
    """1.0 for equal strings; otherwise the better of bigram Dice and scaled containment."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    ga, gb = _bigrams(a), _bigrams(b)
    dice = 2 * sum((ga & gb).values()) / (sum(ga.values()) + sum(gb.values()))
    short, long_ = sorted((a, b), key=len)
    contained = 0.6 + 0.4 * len(short) / len(long_) if len(short) >= 2 and short in long_ else 0.0
    return round(max(dice, contained), 2)


@dataclass(frozen=True)
class Label:
    key: str
    text: str
    kind: str  # a KIND_ORDER kind, NEAR or VALUE
    element_id: int


@dataclass
class ElementInfo:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class Candidate:
    """The best reason one element answers a field."""

    element_id: int
    outcome: str  # EXACT or RELATED
    basis: str  # a KIND_ORDER kind for EXACT, a RELATED_ORDER key for RELATED
    similarity: float
    label: str

    @property
    def rank(self) -> tuple:
        """Lower is better, for one element's labels."""
        order = KIND_ORDER[self.basis] if self.outcome == EXACT else RELATED_ORDER[self.basis]
        return (self.outcome != EXACT, -self.similarity, order)

    @property
    def score(self) -> float:
        return 1.0 if self.outcome == EXACT else min(self.similarity, RELATED_MAX)


@dataclass
class DatasetHit:
    id: int
    code: str
    name: str
    owner: str
    owner_code: str
    update_period: str
    update_period_label: str
    last_updated: dt.datetime | None
    records: int
    freshness: str  # "ok", "overdue" or "empty" (never updated)

    @property
    def freshness_label(self) -> str:
        return {"ok": "按时更新", "overdue": "逾期未更新", "empty": "暂无数据"}[self.freshness]

    def to_json(self) -> dict:
        return {
            "code": self.code, "name": self.name, "owner": self.owner, "owner_code": self.owner_code,
            "update_period": self.update_period_label,
            "last_updated": self.last_updated.isoformat() if self.last_updated else None,
            "records": self.records, "freshness": self.freshness,
        }


def reason_text(outcome: str, basis: str, label: str, element_name: str) -> str:
    """Why a field has its outcome, in the words the pages show."""
    if outcome == EXACT:
        return {"name": "名称相同", "synonym": f"同义词：{label}", "column": f"数据集列名：{label}",
                "code": f"元素代码：{label}"}[basis]
    if outcome == RELATED:
        return {SIMILAR_NAME: f"名称相近：{label}", NEAR_FIELD: f"目录登记为“{element_name}”的相近字段",
                CODE_LIST: f"代码表含“{label}”"}[basis]
    if element_name:
        return f"目录中有“{element_name}”，但没有数据集收录"
    return "一套表中没有"


@dataclass
class FieldMatch:
    field: str
    normalised: str
    element: ElementInfo | None = None
    label: str = ""  # the name, synonym, column name, near field or code value that matched
    score: float = 0.0
    outcome: str = NONE
    basis: str = ""
    alternatives: list[tuple[ElementInfo, float, str]] = field(default_factory=list)
    datasets: list[DatasetHit] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        """Some element answers the field, exactly or nearly (held by a dataset or not)."""
        return self.element is not None

    @property
    def held(self) -> bool:
        """The same data item is held by a dataset of the ledger: no unit need be asked."""
        return self.outcome == EXACT

    @property
    def related(self) -> bool:
        return self.outcome == RELATED

    @property
    def same_fact(self) -> bool:
        """The field names an element of the catalog exactly (whether a dataset holds it or not)."""
        return self.element is not None and self.basis in KIND_ORDER

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    @property
    def reason(self) -> str:
        return reason_text(self.outcome, self.basis, self.label, self.element.name if self.element else "")

    @property
    def dataset(self) -> DatasetHit | None:
        return self.datasets[0] if self.datasets else None

    def to_json(self) -> dict:
        return {
            "field": self.field,
            "matched": self.held,
            "outcome": self.outcome,
            "outcome_label": self.outcome_label,
            "basis": self.basis,
            "reason": self.reason,
            "element": self.element.name if self.element else None,
            "element_code": self.element.code if self.element else None,
            "label": self.label,
            "score": self.score,
            "datasets": [d.to_json() for d in self.datasets],
            "alternatives": [{"element": e.name, "element_code": e.code, "score": s, "outcome": o}
                             for e, s, o in self.alternatives],
        }


def freshness(last_updated: dt.datetime | None, update_period: str, now: dt.datetime | None = None) -> str:
    if last_updated is None:
        return "empty"
    days = FRESH_DAYS.get(update_period)
    if days is None:
        return "ok"
    return "overdue" if (now or timezone.now()) - last_updated > dt.timedelta(days=days) else "ok"


class Catalog:
    """The labels and dataset placements of every element, loaded once (two queries)."""

    def __init__(self) -> None:
        self.elements: dict[int, ElementInfo] = {}
        self.labels: list[Label] = []
        rows = DataElement.objects.values_list("id", "code", "name", "synonyms", "related_names", "code_list")
        for pk, code, name, synonyms, related_names, code_list in rows:
            self.elements[pk] = ElementInfo(pk, code, name)
            self._add(name, "name", pk)
            self._add(code, "code", pk)
            for synonym in synonyms or ():
                self._add(str(synonym), "synonym", pk)
            for near in related_names or ():
                self._add(str(near), NEAR, pk)
            for value in code_list or ():
                self._add(str(value), VALUE, pk)
        self.placements: dict[int, list[DatasetHit]] = {}
        now = timezone.now()
        columns = DatasetColumn.objects.select_related("dataset__owner").order_by("dataset__code", "position")
        hits: dict[int, DatasetHit] = {}
        for column in columns:
            self._add(column.name, "column", column.element_id)
            ds = column.dataset
            if ds.pk not in hits:
                hits[ds.pk] = DatasetHit(
                    id=ds.pk, code=ds.code, name=ds.name, owner=ds.owner.name if ds.owner else "",
                    owner_code=ds.owner.code if ds.owner else "", update_period=ds.update_period,
                    update_period_label=ds.get_update_period_display(), last_updated=ds.last_updated_at,
                    records=ds.record_count, freshness=freshness(ds.last_updated_at, ds.update_period, now),
                )
            placed = self.placements.setdefault(column.element_id, [])
            if hits[ds.pk] not in placed:
                placed.append(hits[ds.pk])

    def _add(self, text: str, kind: str, element_id: int) -> None:
        key = normalise(text)
        if key:
            self.labels.append(Label(key, text, kind, element_id))

    def candidates(self, key: str) -> dict[int, Candidate]:
        """Each element's best reason to answer the normalised field ``key``."""
        best: dict[int, Candidate] = {}
        for label in self.labels:
            sim = similarity(key, label.key)
            if sim < THRESHOLD:
                continue
            if label.kind in KIND_ORDER:
                outcome, basis = (EXACT, label.kind) if sim == 1.0 else (RELATED, SIMILAR_NAME)
            else:
                outcome, basis = RELATED, NEAR_FIELD if label.kind == NEAR else CODE_LIST
            candidate = Candidate(label.element_id, outcome, basis, sim, label.text)
            current = best.get(label.element_id)
            if current is None or candidate.rank < current.rank:
                best[label.element_id] = candidate
        return best

    def decide(self, text: str, candidates: dict[int, Candidate], near: frozenset[int] = frozenset()) -> FieldMatch:
        """The outcome of one field among its candidates. An element no dataset holds answers
        nothing; ``near`` (datasets holding the list's exact fields) breaks ties between related ones."""
        result = FieldMatch(field=text, normalised=normalise(text))
        if not candidates:
            return result

        def order(c: Candidate) -> tuple:
            placed = self.placements.get(c.element_id, ())
            beside = any(d.id in near for d in placed)
            return (not placed, c.outcome != EXACT, -c.similarity, not beside, c.rank,
                    self.elements[c.element_id].code)

        ordered = sorted(candidates.values(), key=order)
        best = ordered[0]
        result.element, result.label, result.basis = self.elements[best.element_id], best.label, best.basis
        result.score = best.score
        result.alternatives = [(self.elements[c.element_id], c.score, c.outcome) for c in ordered[1:4]]
        result.datasets = list(self.placements.get(best.element_id, ()))
        result.outcome = best.outcome if result.datasets else NONE
        return result

    def match_one(self, text: str, near: frozenset[int] = frozenset()) -> FieldMatch:
        return self.decide(text, self.candidates(normalise(text)), near)


def find_fields(text: str, *, catalog: Catalog | None = None) -> list[FieldMatch]:
    """Match every field of ``text``; datasets holding more of the listed fields come first."""
    catalog = catalog or Catalog()
    fields = split_fields(text)
    candidates = [catalog.candidates(normalise(f)) for f in fields]
    matches = [catalog.decide(f, c) for f, c in zip(fields, candidates, strict=True)]
    near = frozenset(d.id for m in matches if m.held for d in m.datasets)
    if near:  # related fields lean to the datasets the exact ones come from
        matches = [m if m.held else catalog.decide(f, c, near)
                   for f, c, m in zip(fields, candidates, matches, strict=True)]
    holds = Counter(d.id for m in matches if m.outcome != NONE for d in m.datasets)
    for m in matches:
        m.datasets.sort(key=lambda d: (-holds[d.id], -d.records, d.code))
    return matches


def not_asked(matches: list[FieldMatch], target_units: int) -> int:
    """Data items the county need not ask of grassroots units: exact fields × target units.
    A related field counts only once a person confirms it on a data request."""
    return sum(1 for m in matches if m.held) * target_units


def default_targets(user=None):
    """Without a choice of units, a request would go to every village and community the asker may
    place demands on (``orgs.access.placing_paths``: the whole county for a county-level unit, its
    own subtree for a township); without ``user``, every one."""
    qs = Unit.objects.filter(kind__in=TARGET_KINDS, is_active=True)
    if user is None:
        return qs
    paths = org_access.placing_paths(user)
    if not paths:
        return qs.none()
    return qs.filter(reduce(or_, (Q(path__startswith=p) for p in paths)))


def targets_under(unit: Unit):
    """The villages and communities of ``unit``'s subtree (all villages of a township)."""
    return default_targets().filter(path__startswith=unit.path)


def find_result(text: str, *, target_units: int) -> dict:
    """The JSON document of ``find_data --json`` and ``GET /api/v1/ledger/find``."""
    matches = find_fields(text)
    held = sum(1 for m in matches if m.held)
    related = sum(1 for m in matches if m.related)
    return {
        "fields": [m.to_json() for m in matches],
        "held": held,
        "related": related,
        "unmatched": len(matches) - held - related,
        "remaining": len(matches) - held,
        "target_units": target_units,
        "not_asked": not_asked(matches, target_units),
    }

"""Where is this field already? Matching a free-Chinese list of fields against the catalog.

"身份证号、户籍地址、是否低保、手机号" is split into fields, each field is normalised (NFKC, case,
punctuation and noise words such as 是否/的/信息/情况 dropped) and compared with every element
name, synonym, code and dataset column name, normalised the same way:

1. an exact match scores 1.0 (a name before a column name before a synonym when several tie);
2. otherwise the best of character-bigram similarity (Dice) and containment (one string holds
   the other, scaled by how much of the longer one it covers) — Chinese field names are short
   compounds, so shared characters in order say more than word segmentation would;
3. a field scoring below ``THRESHOLD`` is unmatched: 需基层填报.

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

from django.utils import timezone

from qingzhuang.ledger.models import DataElement, DatasetColumn, UpdatePeriod
from qingzhuang.orgs.models import Unit, UnitKind

THRESHOLD = 0.6
SEPARATORS = re.compile(r"[、，,；;／/\s]+")
PUNCTUATION = re.compile(r"[()\[\]{}（）【】《》〈〉<>\"'“”‘’:：\-_—·.。?？!！*]+")
NOISE_PREFIXES = ("是否", "有无", "有没有")
NOISE_SUFFIXES = ("信息", "情况", "状况")
# Kinds of label, most authoritative first (breaks ties between exact matches).
KIND_ORDER = {"name": 0, "column": 1, "synonym": 2, "code": 3}
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
    kind: str
    element_id: int


@dataclass
class ElementInfo:
    id: int
    code: str
    name: str


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


@dataclass
class FieldMatch:
    field: str
    normalised: str
    element: ElementInfo | None = None
    label: str = ""  # the name, synonym or column name that matched
    score: float = 0.0
    alternatives: list[tuple[ElementInfo, float]] = field(default_factory=list)
    datasets: list[DatasetHit] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        return self.element is not None

    @property
    def held(self) -> bool:
        """Matched to an element that some dataset of the ledger holds: no unit need be asked."""
        return self.element is not None and bool(self.datasets)

    @property
    def dataset(self) -> DatasetHit | None:
        return self.datasets[0] if self.datasets else None

    def to_json(self) -> dict:
        return {
            "field": self.field,
            "matched": self.held,
            "element": self.element.name if self.element else None,
            "element_code": self.element.code if self.element else None,
            "label": self.label,
            "score": self.score,
            "datasets": [d.to_json() for d in self.datasets],
            "alternatives": [{"element": e.name, "element_code": e.code, "score": s} for e, s in self.alternatives],
        }


def freshness(last_updated: dt.datetime | None, update_period: str, now: dt.datetime | None = None) -> str:
    if last_updated is None:
        return "empty"
    days = FRESH_DAYS.get(update_period)
    if days is None:
        return "ok"
    return "overdue" if (now or timezone.now()) - last_updated > dt.timedelta(days=days) else "ok"


class Catalog:
    """The labels and dataset placements of every element, loaded once (three queries)."""

    def __init__(self) -> None:
        self.elements: dict[int, ElementInfo] = {}
        self.labels: list[Label] = []
        for pk, code, name, synonyms in DataElement.objects.values_list("id", "code", "name", "synonyms"):
            self.elements[pk] = ElementInfo(pk, code, name)
            self._add(name, "name", pk)
            self._add(code, "code", pk)
            for synonym in synonyms or ():
                self._add(str(synonym), "synonym", pk)
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

    def match_one(self, text: str) -> FieldMatch:
        key = normalise(text)
        result = FieldMatch(field=text, normalised=key)
        best: dict[int, tuple[float, int, str]] = {}  # element → (score, kind rank, label)
        for label in self.labels:
            score = similarity(key, label.key)
            if score < THRESHOLD:
                continue
            rank = KIND_ORDER[label.kind]
            current = best.get(label.element_id)
            if current is None or (score, -rank) > (current[0], -current[1]):
                best[label.element_id] = (score, rank, label.text)
        if not best:
            return result
        ordered = sorted(best.items(), key=lambda item: (-item[1][0], item[1][1], self.elements[item[0]].code))
        element_id, (score, _, label_text) = ordered[0]
        result.element, result.score, result.label = self.elements[element_id], score, label_text
        result.alternatives = [(self.elements[pk], s) for pk, (s, _, _) in ordered[1:4]]
        result.datasets = list(self.placements.get(element_id, ()))
        return result


def find_fields(text: str, *, catalog: Catalog | None = None) -> list[FieldMatch]:
    """Match every field of ``text``; datasets holding more of the listed fields come first."""
    catalog = catalog or Catalog()
    matches = [catalog.match_one(f) for f in split_fields(text)]
    holds = Counter(d.id for m in matches if m.element for d in m.datasets)
    for m in matches:
        m.datasets.sort(key=lambda d: (-holds[d.id], -d.records, d.code))
    return matches


def not_asked(matches: list[FieldMatch], target_units: int) -> int:
    """Data items the county need not ask of grassroots units: held fields × target units."""
    return sum(1 for m in matches if m.held) * target_units


def default_targets():
    """Without a choice of units, a request would go to every village and community."""
    return Unit.objects.filter(kind__in=TARGET_KINDS, is_active=True)


def targets_under(unit: Unit):
    """The villages and communities of ``unit``'s subtree (all villages of a township)."""
    return default_targets().filter(path__startswith=unit.path)


def find_result(text: str, *, target_units: int) -> dict:
    """The JSON document of ``find_data --json`` and ``GET /api/v1/ledger/find``."""
    matches = find_fields(text)
    held = sum(1 for m in matches if m.held)
    return {
        "fields": [m.to_json() for m in matches],
        "held": held,
        "remaining": len(matches) - held,
        "target_units": target_units,
        "not_asked": not_asked(matches, target_units),
    }

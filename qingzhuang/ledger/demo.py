"""The 一套表 of the demo county 青山县: owners, base records and the indicator database.

``seed_ledger(units, scale, people=...)`` is a step of the demo county (``qingzhuang.demo``) and runs inside its
transaction. At the ``seed`` scale it writes the article's 720,000 base records (嘉鱼县's "72万条基础
数据"): people living in the villages and communities in households, their houses, the legal
entities and two years of grid events; and 12 months of indicator values of the 15 departments for
every township (two more years for the nine main economic indicators, for the assessment's trend index),
each value traced to the monthly upload (import job) of its department. ``small`` writes a few hundred
records for tests.

Every record's ``data`` is what the import engine stores for the same row: element code →
normalised text (dates ``YYYY-MM-DD``, codes from the code lists, several codes joined by "、",
decimals as plain text without trailing zeros); an empty optional value is left out. ``key`` is the
normalised key values joined by "|".

Records are written as raw rows (``RecordWriter``): one ``COPY`` on PostgreSQL, ``executemany`` in
batches on SQLite, because 720,000 ORM objects would take minutes; ``data`` is stored as Django's
JSONField and the import engine store it. Each kind of data draws from its own ``random.Random``
with a fixed seed, so the output is the same on every run. The seed scale takes about 35 s of CPU
(SQLite or PostgreSQL), most of it making the people.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from json.encoder import encode_basestring_ascii

from django.db import connection
from django.utils import timezone

from qingzhuang.ledger.builtins import ensure_builtin_catalog
from qingzhuang.ledger.models import Dataset, ImportJob, Indicator, IndicatorValue, Record
from qingzhuang.lib import ids
from qingzhuang.lib.periods import months_of_year, parse_period, period_words, shift_period
from qingzhuang.orgs.demo import (
    COUNTY_CODE,
    COUNTY_NAME,
    DEPARTMENT_NAMES,
    GIVEN,
    MOBILE_PREFIXES,
    RURAL_STEMS,
    SURNAMES,
    URBAN_STEMS,
    DemoUnits,
)
from qingzhuang.orgs.models import Person, Unit, UnitKind

# The demo's "today". Fixed, so that ages, event dates and indicator periods never depend on the
# day the demo is built: the indicator database covers the calendar year before it.
REFERENCE_DATE = dt.date(2026, 1, 10)
INDICATOR_YEAR = REFERENCE_DATE.year - 1
PERIODS = months_of_year(INDICATOR_YEAR)
LAST_DAY = dt.date(INDICATOR_YEAR, 12, 31)  # nobody is born and nothing happens after it
EVENTS_FROM = dt.date(INDICATOR_YEAR - 1, 1, 1)

# Base records per dataset; the seed scale adds up to the article's 720,000.
RECORD_COUNTS = {
    "seed": {"population": 480_000, "housing": 170_000, "legal_entities": 18_000, "events": 52_000},
    "small": {"population": 240, "housing": 90, "legal_entities": 30, "events": 40},
}
BATCH_SIZE = 10_000
LATE_UPLOADS = 3  # department-months of the indicator year uploaded after the 15th of the next month

# Who maintains each built-in dataset: the first of these units that the demo county has.
DATASET_OWNERS = {
    "population": ("县委政法委", "县委办公室"),  # 网格化服务管理 (the grids) keeps the people
    "events": ("县委政法委", "县委办公室"),
    "housing": ("县住房和城乡建设局", "县自然资源和规划局", "县统计局"),
    "legal_entities": ("县统计局", "县商务局"),  # 基本单位名录库
    "indicator_values": ("县委组织部",),  # 考核办 hosts the indicator database
}



_JSON_KEYS: dict[str, str] = {}


def _dumps(data: dict[str, str]) -> str:
    """``json.dumps(data)`` of a dict of text, byte for byte, faster: what Django's JSONField and the
    import engine store, so demo rows and imported rows look the same in the database."""
    keys = _JSON_KEYS
    parts = []
    for key, value in data.items():
        prefix = keys.get(key)
        if prefix is None:
            prefix = keys[key] = encode_basestring_ascii(key) + ": "
        parts.append(prefix + encode_basestring_ascii(value))
    return "{" + ", ".join(parts) + "}"


# ---------------------------------------------------------------------------------------------
# Writing records fast


class RecordWriter:
    """Streams Record rows into the database with its own bulk load, in the caller's transaction.

    PostgreSQL: one ``COPY ... FROM STDIN`` open for the writer's whole life, so the server
    parses and indexes rows while Python makes the next ones. SQLite: ``executemany`` of one
    INSERT per batch, with a bigger page cache (random keys land all over the unique index), and
    into an empty table without its secondary indexes, built again at the end (a sort instead of
    a random insert per row and index; in the same transaction, so a failure rolls back to them)::

        with RecordWriter() as writer:
            writer.add(dataset_id, unit_id, key, data)

    Nothing else may use the database connection inside the ``with`` block.
    """

    SQLITE_CACHE_KIB = 256 * 1024  # an upper bound: pages are allocated as they are read

    def __init__(self, *, batch_size: int = BATCH_SIZE):
        self.batch_size = batch_size
        self.postgres = connection.vendor == "postgresql"
        self.now = timezone.now()
        self.stamp = self.now if self.postgres else connection.ops.adapt_datetimefield_value(self.now)
        self.counts: Counter[int] = Counter()  # rows added per dataset id
        self.rows: list[tuple] = []  # SQLite: the batch being built
        meta = Record._meta
        quote = connection.ops.quote_name
        self.table = quote(meta.db_table)
        columns = ", ".join(quote(meta.get_field(name).column) for name in
                            ("dataset", "unit", "key", "data", "version", "created_at", "updated_at"))
        # Table and column names come from the model, quoted; values are parameters.
        self.sql = (f"COPY {self.table} ({columns}) FROM STDIN" if self.postgres else
                    f"INSERT INTO {self.table} ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?)")  # noqa: S608
        self.raw = self.cursor = self.copy_block = self.copy = None
        self.cache_size = None
        self.deferred_indexes: list[str] = []

    def __enter__(self) -> RecordWriter:
        if not connection.in_atomic_block:
            raise RuntimeError("RecordWriter must run inside a transaction")
        if connection.vendor not in ("sqlite", "postgresql"):
            raise NotImplementedError(connection.vendor)
        connection.ensure_connection()
        self.raw = connection.connection  # the DB-API connection, in the transaction
        if self.postgres:
            self.cursor = self.raw.cursor()
            self.copy_block = self.cursor.copy(self.sql)
            self.copy = self.copy_block.__enter__()
        else:
            self.cache_size = self.raw.execute("PRAGMA cache_size").fetchone()[0]
            self.raw.execute(f"PRAGMA cache_size = -{self.SQLITE_CACHE_KIB}")
            self._defer_indexes()
        return self

    def _defer_indexes(self) -> None:
        """SQLite, an empty table: drop the indexes that back no constraint; ``__exit__`` builds them again."""
        if self.raw.execute(f"SELECT 1 FROM {self.table} LIMIT 1").fetchone():  # noqa: S608
            return
        for name, sql in self.raw.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                (Record._meta.db_table,)).fetchall():
            self.raw.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
            self.deferred_indexes.append(sql)

    def add(self, dataset_id: int, unit_id: int, key: str, data: dict[str, str]) -> None:
        row = (dataset_id, unit_id, key, _dumps(data), 1, self.stamp, self.stamp)
        self.counts[dataset_id] += 1
        if self.copy is not None:
            self.copy.write_row(row)
            return
        self.rows.append(row)
        if len(self.rows) >= self.batch_size:
            self._write_batch()

    def _write_batch(self) -> None:
        if self.rows:
            self.raw.executemany(self.sql, self.rows)
            self.rows = []

    def __exit__(self, exc_type, exc, traceback) -> None:
        try:
            if self.copy_block is not None:
                self.copy_block.__exit__(exc_type, exc, traceback)  # ends the COPY (aborts it on an error)
                self.cursor.close()
            if exc_type is None:
                self._write_batch()
                for sql in self.deferred_indexes:
                    self.raw.execute(sql)
        finally:
            if self.cache_size is not None:
                self.raw.execute(f"PRAGMA cache_size = {int(self.cache_size)}")


# ---------------------------------------------------------------------------------------------
# Identifiers

# The 主体标识码 (characters 9-17 of a 统一社会信用代码) is a GB 11714 organisation code; its
# characters are the credit code's own (no I, O, Z, S, V).
_BODY_CHARS = ids.CREDIT_CHARS


def make_credit_code(kind: str, body8: str) -> str:
    """``kind``: 登记管理部门 + 机构类别 (91 企业, 93 农民专业合作社, 12 事业单位, 11 机关, 51/52 社会组织)."""
    first17 = f"{kind}{COUNTY_CODE}{body8}{ids.org_code_check_char(body8)}"
    return first17 + ids.credit_check_char(first17)


# ---------------------------------------------------------------------------------------------
# People


_SURNAME_CHARS = tuple(s for s, _ in SURNAMES)
_SURNAME_CUM = tuple(itertools.accumulate(w for _, w in SURNAMES))
ETHNIC_MINORITIES = (("土家族", 50), ("苗族", 16), ("回族", 8), ("壮族", 6), ("侗族", 5), ("满族", 4),
                     ("蒙古族", 3), ("彝族", 3), ("瑶族", 3), ("布依族", 2))
_MINORITY_NAMES = tuple(n for n, _ in ETHNIC_MINORITIES)
_MINORITY_CUM = tuple(itertools.accumulate(w for _, w in ETHNIC_MINORITIES))
HOUSEHOLD_SIZES = ((1, 16), (2, 27), (3, 24), (4, 17), (5, 10), (6, 6))
_SIZE_VALUES = tuple(s for s, _ in HOUSEHOLD_SIZES)
_SIZE_CUM = tuple(itertools.accumulate(w for _, w in HOUSEHOLD_SIZES))
# Age bands of a household's head: (youngest, oldest, weight); one-person households are older.
HEAD_AGES = ((22, 29, 6), (30, 39, 15), (40, 49, 18), (50, 59, 22), (60, 69, 20), (70, 79, 13), (80, 94, 6))
ALONE_AGES = ((20, 29, 14), (30, 44, 12), (45, 59, 17), (60, 74, 29), (75, 96, 28))
_BAND_CUM = {bands: tuple(itertools.accumulate(b[2] for b in bands)) for bands in (HEAD_AGES, ALONE_AGES)}
# 户籍人口 / 常住人口 / 流动人口 shares (per cent) of households in a village and in a community.
PERSON_TYPES = {"village": (80, 12, 8), "community": (60, 22, 18)}
PERSON_TYPE_NAMES = ("户籍人口", "常住人口", "流动人口")
PERSON_TYPES_CUM = {kind: tuple(itertools.accumulate(shares)) for kind, shares in PERSON_TYPES.items()}
ESTATE_SUFFIXES = ("小区", "花园", "家园", "苑", "新村", "公寓")
_YEAR_START = {year: dt.date(year, 1, 1).toordinal() for year in range(1900, INDICATOR_YEAR + 1)}


def _pick(rnd, values: tuple, cum_weights: tuple):
    """``random.choices(values, cum_weights=...)[0]`` without its overhead."""
    return values[bisect.bisect(cum_weights, rnd() * cum_weights[-1])]


def _between(rnd, lo: int, hi: int) -> int:
    """``randint(lo, hi)`` from one ``random()``."""
    return lo + int(rnd() * (hi - lo + 1))


def _band_age(rnd, bands: tuple[tuple[int, int, int], ...]) -> int:
    lo, hi, _ = _pick(rnd, bands, _BAND_CUM[bands])
    return _between(rnd, lo, hi)


@dataclass
class Household:
    """People living at one address; ``members[0]`` is the head."""

    address: str
    person_type: str
    floor: int = 0  # of a flat
    members: list[dict[str, str]] = field(default_factory=list)


class Addresses:
    """Addresses inside one village (村民小组 and house numbers) or community (estates, flats).

    One object per unit, shared by the people, houses and legal entities of the unit so that no
    two of them get the same new address; each caller passes its own random generator.
    """

    def __init__(self, rng: random.Random, unit: Unit, township: str):
        self.prefix = f"{COUNTY_NAME}{township}{unit.name}"
        self.rural = unit.kind == UnitKind.VILLAGE
        self.last_floor = 0  # the floor of the latest flat (0 in a village)
        self.used: list[str] = []  # every address handed out, for events to happen at
        if self.rural:
            self.numbers = [0] * rng.randint(6, 14)  # last house number per 村民小组
        else:
            stems = rng.sample(URBAN_STEMS, 4)
            self.estates = [f"{stem}{rng.choice(ESTATE_SUFFIXES)}" for stem in stems]
            self.street = rng.choice(URBAN_STEMS).removesuffix("路") + "路"
            self.flats: set[tuple] = set()
            self.street_number = 0

    def home(self, rng: random.Random) -> str:
        if self.rural:
            group = rng.randrange(len(self.numbers))
            self.numbers[group] += rng.randint(1, 3)
            address = f"{self.prefix}{group + 1}组{self.numbers[group]}号"
        else:
            while True:
                flat = (rng.randrange(len(self.estates)), rng.randint(1, 24), rng.randint(1, 3),
                        rng.randint(1, 18), rng.randint(1, 4))
                if flat not in self.flats:
                    break
            self.flats.add(flat)
            estate, building, entrance, self.last_floor, room = flat
            address = f"{self.prefix}{self.estates[estate]}{building}栋{entrance}单元{self.last_floor}{room:02d}室"
        self.used.append(address)
        return address

    def premises(self, rng: random.Random) -> str:
        """A shop, office or workshop: on the community's street, or a house number in a village."""
        if self.rural:
            return self.home(rng)
        self.street_number += rng.randint(1, 4)
        address = f"{self.prefix}{self.street}{self.street_number}号"
        self.used.append(address)
        return address


# GB 11643 check character by table look-ups (the sum of weighted digits, split by field): the
# demo makes half a million IDs, and ``ids.id_check_char`` (which the tests check against) would
# take seconds of the seed.


def _weighted_digits(text: str, start: int) -> int:
    return sum(int(d) * w for d, w in zip(text, ids.ID_WEIGHTS[start:], strict=False))


_REGION_SUM = _weighted_digits(COUNTY_CODE, 0)
_YEAR_SUM = {year: _weighted_digits(f"{year:04d}", 6) for year in range(1900, INDICATOR_YEAR + 1)}
_MONTH_DAY_SUM = {(m, d): _weighted_digits(f"{m:02d}{d:02d}", 10) for m in range(1, 13) for d in range(1, 32)}
_SEQUENCE_SUM = tuple(_weighted_digits(f"{n:03d}", 14) for n in range(1000))


class PopulationMaker:
    """Households of plausible people with unique, valid 公民身份号码 (region 429901)."""

    def __init__(self, rng: random.Random, *, taken_ids: set[str] | None = None):
        self.rng = rng
        self.random = rng.random  # the hot paths draw ``int(random() * n)``, several times faster
        self.ids = taken_ids if taken_ids is not None else set()

    def surname(self) -> str:
        return _SURNAME_CHARS[bisect.bisect(_SURNAME_CUM, self.random() * _SURNAME_CUM[-1])]

    def name(self, gender: str, surname: str | None = None) -> str:
        rnd = self.random
        pool = GIVEN[gender]
        surname = surname or self.surname()
        if rnd() < 0.3:
            single = pool["single"]
            return surname + single[int(rnd() * len(single))]
        first, second = pool["first"], pool["second"]
        return surname + first[int(rnd() * len(first))] + second[int(rnd() * len(second))]

    def phone(self) -> str:
        rnd = self.random
        return MOBILE_PREFIXES[int(rnd() * len(MOBILE_PREFIXES))] + f"{int(rnd() * 100_000_000):08d}"

    def birth_date(self, age: int) -> dt.date:
        """Born in the year that makes ``age`` at the end of the demo's last year."""
        year = INDICATOR_YEAR - age
        days = 366 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 365
        return dt.date.fromordinal(_YEAR_START[year] + int(self.random() * days))

    def id_number(self, gender: str, birth: dt.date) -> str:
        rnd = self.random
        prefix = f"{COUNTY_CODE}{birth.year:04d}{birth.month:02d}{birth.day:02d}"
        fixed = _REGION_SUM + _YEAR_SUM[birth.year] + _MONTH_DAY_SUM[birth.month, birth.day]
        odd = 1 if gender == "男" else 0
        while True:
            draw = int(rnd() * 500)  # 2 digits of sequence and a gender digit of the right parity
            sequence = draw // 5 * 10 + draw % 5 * 2 + odd
            value = f"{prefix}{sequence:03d}{ids.ID_CHECK_CHARS[(fixed + _SEQUENCE_SUM[sequence]) % 11]}"
            if value not in self.ids:
                self.ids.add(value)
                return value

    def person(self, unit_code: str, address: str, person_type: str, *, gender: str, age: int,
               surname: str | None, ethnicity: str, groups: list[str]) -> dict[str, str]:
        rnd = self.random
        birth = self.birth_date(age)
        data = {
            "name": self.name(gender, surname),
            "id_number": self.id_number(gender, birth),
            "gender": gender,
            "birth_date": birth.isoformat(),
            "ethnicity": ethnicity,
        }
        if rnd() < (0.95 if 16 <= age < 80 else 0.35 if age >= 80 else 0.2 if age >= 14 else 0):
            data["phone"] = self.phone()
        data["unit_code"] = unit_code
        data["home_address"] = address
        data["person_type"] = person_type
        if groups:
            data["special_groups"] = "、".join(groups)
        return data

    def household(self, unit: Unit, addresses: Addresses, size: int) -> Household:
        rnd = self.random
        rural = unit.kind == UnitKind.VILLAGE
        address = addresses.home(self.rng)
        person_type = _pick(rnd, PERSON_TYPE_NAMES, PERSON_TYPES_CUM["village" if rural else "community"])
        household = Household(address, person_type, addresses.last_floor)
        ethnicity = "汉族" if rnd() < 0.965 else _pick(rnd, _MINORITY_NAMES, _MINORITY_CUM)
        poor = rnd() < (0.035 if rural else 0.018)
        # (gender, age, surname or None for a new one)
        if size == 1:
            people = [("男" if rnd() < 0.55 else "女", _band_age(rnd, ALONE_AGES), None)]
        else:
            age = _band_age(rnd, HEAD_AGES)
            if size >= 3:
                age = max(age, 24)
            head_gender = "男" if rnd() < 0.8 else "女"
            head_surname = self.surname()
            people = [(head_gender, age, head_surname)]
            father_surname = head_surname
            if rnd() < (0.8 if size == 2 else 0.9):  # a couple
                spouse_surname = self.surname()
                if head_gender == "女":
                    father_surname = spouse_surname
                people.append(("女" if head_gender == "男" else "男",
                               min(98, max(20, age + _between(rnd, -5, 3))), spouse_surname))
            elder = size >= 5 and age < 48
            grandchildren = size - len(people) - 2 if size >= 5 and age >= 48 else 0
            children = size - len(people) - grandchildren - (1 if elder else 0)
            for _ in range(children):
                child_age = age - _between(rnd, 22, 36)
                people.append(("男" if rnd() < 0.52 else "女",
                               child_age if child_age >= 0 else _between(rnd, 0, 3), father_surname))
            for _ in range(grandchildren):
                grandchild_age = age - _between(rnd, 44, 60)
                people.append(("男" if rnd() < 0.52 else "女",
                               grandchild_age if grandchild_age >= 0 else _between(rnd, 0, 5), father_surname))
            if elder:
                people.append(("男" if rnd() < 0.45 else "女", min(98, age + _between(rnd, 24, 32)),
                               father_surname if rnd() < 0.5 else None))
        alone = size == 1
        destitute = alone and people[0][1] >= 60 and rnd() < 0.08
        left_behind = rural and person_type == "户籍人口"
        for index, (gender, person_age, surname) in enumerate(people):
            groups = []  # in the code list's order
            if poor and not destitute:
                groups.append("低保对象")
            if destitute:
                groups.append("特困人员")
            if rnd() < (0.012 if person_age < 18 else 0.04 if person_age < 60 else 0.1):
                groups.append("残疾人")
            if alone and person_age >= 65 and rnd() < 0.85:
                groups.append("独居老人")
            if left_behind and person_age < 16 and rnd() < 0.22:
                groups.append("留守儿童")
            if gender == "男" and 22 <= person_age <= 75 and rnd() < 0.045:
                groups.append("退役军人")
            # A spouse may come from elsewhere.
            person_ethnicity = "汉族" if index == 1 and rnd() < 0.5 else ethnicity
            household.members.append(self.person(
                unit.code, address, person_type, gender=gender, age=person_age,
                surname=surname, ethnicity=person_ethnicity, groups=groups))
        return household

    def households(self, unit: Unit, addresses: Addresses, people: int) -> Iterator[Household]:
        """Households of ``unit`` with exactly ``people`` members in all."""
        left = people
        while left > 0:
            size = min(left, _pick(self.random, _SIZE_VALUES, _SIZE_CUM))
            left -= size
            yield self.household(unit, addresses, size)


# ---------------------------------------------------------------------------------------------
# Houses, legal entities and events


STRUCTURES = {"village": (("砖混", 60), ("钢混", 15), ("砖木", 15), ("土木", 8), ("其他", 2)),
              "community": (("钢混", 85), ("砖混", 15))}
PREMISES_USES = {"village": (("工业", 35), ("商业", 35), ("办公", 10), ("其他", 20)),
                 "community": (("商业", 55), ("办公", 25), ("工业", 5), ("其他", 15))}


def _decimal(value: float, places: int) -> str:
    """Plain decimal text without trailing zeros, as the import engine normalises decimals."""
    text = f"{value:.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


_WEIGHTED: dict[tuple, tuple[tuple, tuple]] = {}


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    """One of the values of ``pairs`` ((value, weight), ...) by weight."""
    table = _WEIGHTED.get(pairs)
    if table is None:
        table = _WEIGHTED[pairs] = (tuple(p[0] for p in pairs), tuple(itertools.accumulate(p[1] for p in pairs)))
    return _pick(rng.random, *table)


def house(rng: random.Random, unit: Unit, number: int, addresses: Addresses,
          household: Household | None, owner_ids: list[str]) -> dict[str, str]:
    """A house of ``unit``: the home of ``household``, or (None) premises of a business."""
    kind = "village" if unit.kind == UnitKind.VILLAGE else "community"
    data = {"house_no": f"FW{unit.code}{number:05d}", "unit_code": unit.code}
    if household is not None:
        data["house_address"] = household.address
        data["house_use"] = "住宅"
        if kind == "village":
            floors = rng.choices((1, 2, 3, 4), weights=(20, 45, 30, 5))[0]
            area, built = rng.uniform(60, 110) * floors, rng.randint(1975, 2023)
        else:
            floors = rng.choice([f for f in (6, 7, 11, 18, 26, 33) if f >= household.floor])
            area, built = rng.uniform(45, 160), rng.randint(1992 if floors <= 7 else 2005, 2023)
        owner = household.members[0]["id_number"]
        rented = household.person_type == "流动人口" or rng.random() < (0.04 if kind == "village" else 0.12)
    else:
        data["house_address"] = addresses.premises(rng)
        data["house_use"] = _weighted(rng, PREMISES_USES[kind])
        floors = rng.randint(1, 4)
        area, built = rng.uniform(40, 900), rng.randint(1985, 2024)
        owner = rng.choice(owner_ids) if owner_ids and rng.random() < 0.6 else ""
        rented = rng.random() < 0.45
    data["floor_area"] = _decimal(area, 2)
    data["built_year"] = str(built)
    data["structure"] = _weighted(rng, STRUCTURES[kind]) if built >= 1990 or kind == "community" else \
        rng.choice(("砖木", "土木", "砖混"))
    data["floors"] = str(floors)
    if owner:
        data["owner_id_number"] = owner
    data["is_rented"] = "是" if rented else "否"
    return data


BRAND_STEMS = (
    "鑫源", "恒达", "华宇", "鼎盛", "宏图", "金誉", "盛世", "博远", "天成", "瑞丰", "嘉禾", "中诚", "隆泰", "永盛",
    "顺发", "利民", "广源", "汇通", "聚福", "创新", "福瑞", "润泽", "弘毅", "信达", "安泰", "鸿运", "宝丰", "众联",
    "康源", "明珠", "新锐", "兴旺", "佳美", "卓越", "长青", "丰瑞", "荣昌", "德润", "恒信", "华兴",
)
# (trade word, 行业类别, weight in a village, weight in a community)
TRADES = (
    ("建材", "制造业", 6, 2), ("食品", "制造业", 5, 2), ("纺织", "制造业", 3, 1), ("机械制造", "制造业", 4, 1),
    ("电子科技", "制造业", 2, 2), ("生态农业", "农、林、牧、渔业", 9, 1), ("茶业", "农、林、牧、渔业", 4, 1),
    ("水产养殖", "农、林、牧、渔业", 4, 0), ("建筑工程", "建筑业", 6, 5), ("商贸", "批发和零售业", 8, 12),
    ("汽车销售服务", "批发和零售业", 1, 3), ("医药连锁", "批发和零售业", 1, 3), ("物流", "交通运输、仓储和邮政业", 3, 4),
    ("餐饮管理", "住宿和餐饮业", 3, 6), ("酒店", "住宿和餐饮业", 1, 3), ("信息技术", "信息传输、软件和信息技术服务业", 1, 4),
    ("房地产开发", "房地产业", 1, 3), ("物业管理", "房地产业", 1, 4), ("劳务", "租赁和商务服务业", 3, 3),
    ("文化传媒", "文化、体育和娱乐业", 1, 3), ("旅游开发", "租赁和商务服务业", 2, 1), ("新能源", "电力、热力、燃气及水生产和供应业", 1, 1),
    ("环保科技", "水利、环境和公共设施管理业", 1, 1), ("家政服务", "居民服务、修理和其他服务业", 1, 4),
    ("检测技术", "科学研究和技术服务业", 1, 2), ("矿业", "采矿业", 1, 0), ("小额贷款", "金融业", 0, 1),
)
COMPANY_FORMS = (("有限公司", 80), ("有限责任公司", 15), ("股份有限公司", 5))
PUBLIC_INSTITUTIONS = (
    ("小学", "教育"), ("幼儿园", "教育"), ("卫生室", "卫生和社会工作"), ("中学", "教育"),
    ("农业技术服务站", "农、林、牧、渔业"), ("文化站", "文化、体育和娱乐业"), ("卫生院", "卫生和社会工作"),
    ("养老服务中心", "卫生和社会工作"),
)
SOCIAL_ORGANISATIONS = (("老年人协会", "51"), ("志愿者协会", "51"), ("红白理事会", "51"),
                        ("社会工作服务中心", "52"), ("托育服务中心", "52"), ("儿童之家", "52"))
COOP_PRODUCTS = ("水稻种植", "蔬菜种植", "茶叶", "生猪养殖", "水产养殖", "油茶", "中药材种植", "农机服务", "柑橘", "莲藕")


class EntityMaker:
    """Legal entities with unique names and valid 统一社会信用代码."""

    def __init__(self, rng: random.Random, people: PopulationMaker):
        self.rng = rng
        self.people = people
        self.codes: set[str] = set()
        self.names: set[str] = set()

    def _body(self, founded: dt.date, kind: str) -> str:
        """The 8 characters before the organisation code's check: "MA…"/"MJ…" since 2015, digits before."""
        rng = self.rng
        if founded >= dt.date(2015, 10, 1):
            prefix = "MJ" if kind.startswith("5") else "MA"
            return prefix + "".join(rng.choice(_BODY_CHARS) for _ in range(6))
        return str(rng.randint(3, 7)) + f"{rng.randrange(10_000_000):07d}"

    def _credit_code(self, kind: str, founded: dt.date) -> str:
        while True:
            code = make_credit_code(kind, self._body(founded, kind))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def _name(self, draw) -> str:
        """A name no other entity has: ``draw()`` proposes one; a few more tries, then a number."""
        for _ in range(30):
            name = draw()
            if name not in self.names:
                self.names.add(name)
                return name
        for n in itertools.count(2):
            numbered = f"{name.removesuffix('有限公司')}{n}号有限公司" if name.endswith("有限公司") else f"{name}（{n}）"
            if numbered not in self.names:
                self.names.add(numbered)
                return numbered
        raise AssertionError  # pragma: no cover

    def entity(self, unit: Unit, township: str, addresses: Addresses) -> dict[str, str]:
        rng = self.rng
        rural = unit.kind == UnitKind.VILLAGE
        stem = unit.name.removesuffix("社区").removesuffix("村")
        place = (COUNTY_NAME, f"{COUNTY_NAME}{township}", "湖北")
        roll = rng.random()
        if roll < 0.74:  # an enterprise
            trade_word, industry = self._trade(rural)
            form = _weighted(rng, COMPANY_FORMS)
            name = self._name(lambda: f"{rng.choice(place)}{rng.choice(BRAND_STEMS + RURAL_STEMS)}{trade_word}{form}")
            kind, founded, employees = "91", self._founded(1995), int(min(800, rng.lognormvariate(2.3, 1.0))) + 1
        elif roll < (0.86 if rural else 0.78):  # 农民专业合作社
            name = self._name(lambda: f"{COUNTY_NAME}{rng.choice((stem, township[:-1] + stem, *BRAND_STEMS))}"
                                      f"{rng.choice(COOP_PRODUCTS)}专业合作社")
            kind, industry, founded, employees = "93", "农、林、牧、渔业", self._founded(2008), rng.randint(5, 60)
        elif roll < 0.94:  # 事业单位: schools, clinics, centres
            what, industry = rng.choice(PUBLIC_INSTITUTIONS)
            name = self._name(lambda: f"{COUNTY_NAME}{township}{rng.choice((stem, '', '第二', '第三'))}{what}")
            kind, founded, employees = "12", self._founded(1980), rng.randint(4, 120)
        else:  # 社会组织
            what, kind = rng.choice(SOCIAL_ORGANISATIONS)
            name = self._name(lambda: f"{COUNTY_NAME}{township}{rng.choice((stem, ''))}{what}")
            industry, founded, employees = "公共管理、社会保障和社会组织", self._founded(2005), rng.randint(1, 30)
        data = {
            "credit_code": self._credit_code(kind, founded),
            "org_name": name,
            "legal_rep": self.people.name("男" if rng.random() < 0.72 else "女"),
            "unit_code": unit.code,
            "reg_address": addresses.premises(rng),
            "industry": industry,
            "employees": str(employees),
        }
        if rng.random() < 0.9:
            data["phone"] = self.people.phone()
        data["founded"] = founded.isoformat()
        return data

    def _trade(self, rural: bool) -> tuple[str, str]:
        trade = self.rng.choices(TRADES, weights=[t[2] if rural else t[3] for t in TRADES])[0]
        return trade[0], trade[1]

    def _founded(self, earliest: int) -> dt.date:
        """More recent years are likelier (the register grows)."""
        start = dt.date(earliest, 1, 1).toordinal()
        span = LAST_DAY.toordinal() - start
        return dt.date.fromordinal(start + int(span * math.sqrt(self.rng.random())))


EVENT_TYPES = (("矛盾纠纷", 30), ("安全隐患", 25), ("环境卫生", 22), ("求助求诉", 15), ("其他", 8))
EVENT_TEMPLATES = {
    "矛盾纠纷": ("{a}与{b}因宅基地界址发生纠纷，网格员到场调解", "{a}与{b}因土地承包经营权流转费用发生争执",
             "{a}反映邻居{b}家装修噪音扰民", "{a}家庭因赡养老人问题产生矛盾，申请调解",
             "{a}反映务工工资被拖欠，涉及金额约{n}千元", "{a}与{b}因山林权属发生争议",
             "{a}反映物业服务不到位，与物业公司发生争执", "{a}与{b}因排水沟堵塞发生邻里纠纷"),
    "安全隐患": ("{p}发现电动车在楼道内充电，存在火灾隐患", "{p}燃气管道老化，存在泄漏隐患",
             "{p}消防通道被杂物堵塞", "{p}一处自建房存在墙体开裂情况", "{p}池塘边缺少防护栏，存在溺水隐患",
             "{p}一处广告牌松动，存在坠落风险", "{p}路段护栏损坏，存在交通安全隐患"),
    "环境卫生": ("{p}生活垃圾堆放未及时清运", "{p}生活污水外溢，影响周边环境", "{p}发现焚烧秸秆现象",
             "{p}路边乱堆乱放建筑垃圾", "{p}公厕卫生状况差，群众反映强烈", "{p}沟渠淤塞，需要清淤"),
    "求助求诉": ("独居老人{a}反映行动不便，请求帮助代购生活用品", "{a}咨询城乡居民医保缴费事宜",
             "{a}反映家中自来水停水超过{n}天", "{a}申请临时救助，家庭因病支出较大",
             "{a}反映路灯损坏，夜间出行不便", "{a}咨询公益性岗位报名条件"),
    "其他": ("{a}反映流浪犬伤人隐患", "{p}发现疑似非法集资宣传单", "{a}咨询土地确权证书办理进度",
           "{p}共享单车乱停放影响通行"),
}


def event(rng: random.Random, unit: Unit, day: dt.date, number: int, place: str, reporter: str,
          names: PopulationMaker) -> dict[str, str]:
    kind = _weighted(rng, EVENT_TYPES)
    summary = rng.choice(EVENT_TEMPLATES[kind]).format(
        a=names.name("男" if rng.random() < 0.55 else "女"), b=names.name("男" if rng.random() < 0.55 else "女"),
        p=place.removeprefix(COUNTY_NAME), n=rng.randint(2, 30))
    age = (REFERENCE_DATE - day).days
    if age < 15:
        status = _weighted(rng, (("已受理", 50), ("办理中", 40), ("已办结", 10)))
    elif age < 60:
        status = _weighted(rng, (("已受理", 5), ("办理中", 25), ("已办结", 70)))
    else:
        status = "已办结" if rng.random() < 0.97 else "办理中"
    return {
        "event_no": f"SJ{day:%Y%m%d}{unit.code[6:]}{number:02d}",
        "event_type": kind,
        "event_date": day.isoformat(),
        "unit_code": unit.code,
        "event_place": place,
        "event_summary": summary,
        "event_status": status,
        "reporter": reporter,
    }


# ---------------------------------------------------------------------------------------------
# The indicator database


@dataclass(frozen=True)
class IndicatorSpec:
    name: str
    measure_unit: str
    shape: str  # flow: a monthly amount; count: how many in the month; stock: a running total;
    #             rate: a percentage; progress: the share of the year's plan done so far (%)
    base: float  # January, for a township of average size (rates: the county's typical level)
    trend: float = 0.0  # per month: a fraction (flow, count, stock) or points (rate)
    decimals: int = 1
    direction: str = "higher"
    spread: float = 3.0  # rates: how far townships lie from ``base`` (points)
    cap: float = 100.0  # rates: the upper bound
    floor: float = 0.0  # rates: the lower bound
    season: str = "flat"
    urban: float = 1.0  # a street's amount relative to a township of the same size


SEASONS = {
    "flat": (1,) * 12,
    "investment": (0.78, 0.62, 0.98, 1.0, 1.02, 1.12, 0.96, 0.97, 1.06, 1.0, 1.05, 1.44),
    "retail": (1.12, 1.08, 0.93, 0.92, 0.97, 0.98, 0.94, 0.95, 1.0, 1.07, 1.03, 1.11),
    "tourism": (0.85, 1.35, 0.9, 1.05, 1.25, 0.9, 1.05, 1.1, 0.95, 1.45, 0.75, 0.6),
    "farming": (0.4, 0.3, 1.2, 1.5, 1.3, 1.0, 0.8, 0.8, 1.1, 1.4, 1.3, 0.9),
    "fire": (1.3, 1.5, 1.2, 1.0, 0.8, 0.7, 0.8, 0.8, 0.9, 1.0, 1.2, 1.4),
}

# 15 departments × 3-4 monthly indicators, reported per township (street); codes ZB<dept><seq>.
INDICATORS: dict[str, tuple[IndicatorSpec, ...]] = {
    "县发展和改革局": (
        IndicatorSpec("固定资产投资完成额", "万元", "flow", 9000, 0.006, season="investment", urban=1.3),
        IndicatorSpec("重点项目开工数", "个", "count", 1.3, 0.02, 0),
        IndicatorSpec("重点项目年度投资计划完成率", "%", "progress", 100, spread=8, cap=125),
        IndicatorSpec("招商引资到位资金", "万元", "flow", 3500, 0.01, season="investment", urban=1.2),
    ),
    "县工业和信息化局": (
        IndicatorSpec("规上工业增加值增速", "%", "rate", 6.5, 0.05, spread=2.5, cap=30, floor=-15),
        IndicatorSpec("规上工业企业数", "家", "stock", 28, 0.005, 0),
        IndicatorSpec("工业用电量", "万千瓦时", "flow", 520, 0.004, season="retail"),
        IndicatorSpec("技术改造投资完成额", "万元", "flow", 1200, 0.008, season="investment"),
    ),
    "县科学技术局": (
        IndicatorSpec("高新技术企业数", "家", "stock", 6, 0.012, 0, urban=1.5),
        IndicatorSpec("科技型中小企业入库数", "家", "stock", 9, 0.02, 0, urban=1.4),
        IndicatorSpec("技术合同成交额", "万元", "flow", 260, 0.015, urban=1.5),
    ),
    "县财政局": (
        IndicatorSpec("一般公共预算收入", "万元", "flow", 1100, 0.004, season="retail", urban=1.4),
        IndicatorSpec("税收收入占一般公共预算收入比重", "%", "rate", 72, 0.1, spread=5, cap=95, floor=40),
        IndicatorSpec("一般公共预算支出进度", "%", "progress", 100, spread=5, cap=110),
    ),
    "县人力资源和社会保障局": (
        IndicatorSpec("城镇新增就业人数", "人", "count", 55, 0.0, 0, urban=1.6),
        IndicatorSpec("农村劳动力转移就业人数", "人", "count", 120, 0.0, 0, urban=0.4),
        IndicatorSpec("城乡居民基本养老保险参保率", "%", "rate", 95.5, 0.05, spread=1.5, floor=85),
        IndicatorSpec("劳动保障监察案件结案率", "%", "rate", 96, 0.1, spread=2.5, floor=80),
    ),
    "县自然资源和规划局": (
        IndicatorSpec("新增违法占地面积", "亩", "flow", 3.5, -0.03, direction="lower", urban=0.6),
        IndicatorSpec("违法用地案件查处率", "%", "rate", 92, 0.3, spread=4, floor=70),
        IndicatorSpec("不动产登记按时办结率", "%", "rate", 98.5, 0.05, spread=0.8, floor=90),
    ),
    "县生态环境分局": (
        IndicatorSpec("空气质量优良天数比例", "%", "rate", 84, 0.2, spread=4, floor=55),
        IndicatorSpec("地表水考核断面水质达标率", "%", "rate", 90, 0.3, spread=6, floor=60),
        IndicatorSpec("生态环境信访投诉件数", "件", "count", 4.5, -0.02, 0, direction="lower", urban=1.3),
    ),
    "县住房和城乡建设局": (
        IndicatorSpec("农村危房改造完成户数", "户", "count", 6, 0.03, 0, urban=0.2),
        IndicatorSpec("城镇老旧小区改造完成户数", "户", "count", 12, 0.03, 0, urban=3.0),
        IndicatorSpec("房屋安全隐患排查整治率", "%", "rate", 88, 0.8, spread=5, floor=60),
        IndicatorSpec("生活垃圾无害化处理率", "%", "rate", 97, 0.1, spread=2, floor=85),
    ),
    "县交通运输局": (
        IndicatorSpec("农村公路养护里程", "公里", "flow", 42, 0.0, urban=0.3),
        IndicatorSpec("交通建设投资完成额", "万元", "flow", 1600, 0.008, season="investment"),
        IndicatorSpec("道路交通事故起数", "起", "count", 2.2, -0.02, 0, direction="lower"),
    ),
    "县农业农村局": (
        IndicatorSpec("高标准农田建设面积", "亩", "flow", 650, 0.01, 0, season="farming", urban=0.15),
        IndicatorSpec("农村人居环境整治达标村比例", "%", "rate", 82, 0.9, spread=6, floor=50),
        IndicatorSpec("农民专业合作社数", "家", "stock", 35, 0.004, 0, urban=0.2),
        IndicatorSpec("农产品质量安全抽检合格率", "%", "rate", 98, 0.05, spread=1, floor=90),
    ),
    "县商务局": (
        IndicatorSpec("外贸进出口总额", "万元", "flow", 1300, 0.01, urban=1.5),
        IndicatorSpec("网络零售额", "万元", "flow", 900, 0.015, season="retail", urban=1.8),
        IndicatorSpec("限额以上商贸企业数", "家", "stock", 22, 0.006, 0, urban=2.0),
    ),
    "县文化和旅游局": (
        IndicatorSpec("接待游客人次", "万人次", "flow", 4.2, 0.008, 2, season="tourism"),
        IndicatorSpec("旅游综合收入", "万元", "flow", 3800, 0.01, season="tourism"),
        IndicatorSpec("公共文化活动场次", "场", "count", 9, 0.01, 0),
    ),
    "县卫生健康局": (
        IndicatorSpec("家庭医生签约服务覆盖率", "%", "rate", 62, 0.6, spread=6, floor=40),
        IndicatorSpec("65岁及以上老年人健康管理率", "%", "rate", 68, 0.7, spread=6, floor=40),
        IndicatorSpec("传染病报告及时率", "%", "rate", 98.5, 0.05, spread=1, floor=90),
    ),
    "县应急管理局": (
        IndicatorSpec("安全生产事故起数", "起", "count", 0.8, -0.03, 0, direction="lower"),
        IndicatorSpec("安全隐患整改率", "%", "rate", 93, 0.3, spread=3, floor=70),
        IndicatorSpec("森林火灾起数", "起", "count", 0.3, -0.02, 0, direction="lower", season="fire", urban=0.2),
    ),
    "县统计局": (
        IndicatorSpec("社会消费品零售总额", "万元", "flow", 8500, 0.005, season="retail", urban=1.8),
        IndicatorSpec("规上服务业营业收入", "万元", "flow", 2600, 0.007, urban=1.8),
        IndicatorSpec("统计数据报送及时率", "%", "rate", 97, 0.1, spread=2, floor=85),
    ),
}
assert set(INDICATORS) == set(DEPARTMENT_NAMES)


def indicator_code(department: str, index: int) -> str:
    return f"ZB{DEPARTMENT_NAMES.index(department) + 1:02d}{index + 1:02d}"


def indicator_series(rng: random.Random, spec: IndicatorSpec, size: float, street: bool) -> list[Decimal]:
    """12 monthly values for one township: level by size, season, trend and noise."""
    # A township improves faster or slower than the county (what the assessment should see).
    pace = rng.uniform(-0.5, 1.8)
    level = size * (spec.urban if street else 1.0) * rng.uniform(0.85, 1.15)
    season = SEASONS[spec.season]
    values: list[float] = []
    if spec.shape in ("flow", "count"):
        for month in range(12):
            mean = spec.base * level * season[month] * (1 + spec.trend * pace) ** month
            if spec.shape == "flow":
                values.append(max(0.0, mean * (1 + rng.gauss(0, 0.07))))
            else:  # a count: Poisson-like noise
                values.append(max(0.0, mean + rng.gauss(0, math.sqrt(mean))))
    elif spec.shape == "stock":
        total = spec.base * level
        for _month in range(12):
            total += max(0.0, spec.base * level * spec.trend * pace + rng.gauss(0, 0.4))
            values.append(total)
    elif spec.shape == "rate":
        start = spec.base + rng.gauss(0, spec.spread)
        for month in range(12):
            raw = start + spec.trend * pace * month + rng.gauss(0, spec.spread / 6)
            values.append(min(spec.cap, max(spec.floor, raw)))
    else:  # progress: the share of the year's plan done by the end of each month
        speed = 1 + rng.gauss(0, spec.spread / 100)
        for month in range(12):
            raw = spec.base * speed * (month + 1) / 12 * (1 + rng.gauss(0, 0.03))
            values.append(min(spec.cap, max(values[-1] if values else 0.0, raw)))
    return [Decimal(_decimal(v, spec.decimals)) for v in values]


# Not everything has arrived by the demo's "today": 县统计局 has not reported December's 统计数据报送及时率
# (ZB1503) for the last two townships of the county (数据完整度 shows the gap; scorecards flag it).
UNREPORTED_CODE = "ZB1503"


def unreported(units: DemoUnits) -> set[tuple[str, str, int]]:
    """(indicator code, period, unit id) of the values not reported yet; none in a county of two."""
    if len(units.townships) <= 2:
        return set()
    return {(UNREPORTED_CODE, PERIODS[-1], township.pk) for township in units.townships[-2:]}


def build_indicators(units: DemoUnits, scale: str, township_sizes: dict[int, float]) -> tuple[int, int, int]:
    """The indicator catalog of the county's departments, 12 months of values per township, two more years
    of the main economic indicators (``HISTORY_INDICATORS``) and the uploads (import jobs) they came from;
    returns how many indicators, values and uploads."""
    rng = _rng("ledger-indicators", scale)
    departments = {u.name: u for u in units.departments}
    indicators: list[Indicator] = []
    for name, specs in INDICATORS.items():
        if name not in departments:
            continue
        for index, spec in enumerate(specs):
            indicators.append(Indicator(
                code=indicator_code(name, index), name=spec.name, owner=departments[name],
                measure_unit=spec.measure_unit, direction=spec.direction,
                description=f"{name}每月按乡镇（街道）报送。"))
    Indicator.objects.bulk_create(indicators)
    if any(i.pk is None for i in indicators):  # a backend that cannot return ids from a bulk insert
        pks = dict(Indicator.objects.values_list("code", "pk"))
        for indicator in indicators:
            indicator.pk = pks[indicator.code]
    specs = {indicator_code(name, i): spec for name, group in INDICATORS.items() for i, spec in enumerate(group)}
    values = []
    for indicator in indicators:
        for township in units.townships:
            series = indicator_series(rng, specs[indicator.code], township_sizes[township.pk],
                                      township.kind == UnitKind.STREET)
            values.extend(IndicatorValue(unit=township, indicator=indicator, period=period, value=value)
                          for period, value in zip(PERIODS, series, strict=True))
    values.extend(indicator_history(units, scale, indicators, values, specs))
    gaps = unreported(units)
    values = [v for v in values if (v.indicator.code, v.period, v.unit.pk) not in gaps]
    jobs = attach_import_jobs(units, scale, values)
    IndicatorValue.objects.bulk_create(values, batch_size=2000)
    return len(indicators), len(values), len(jobs)


# The main economic indicators, with two more years of history for the 附加题 trend index (assessment).
HISTORY_INDICATORS = ("ZB0101", "ZB0104", "ZB0203", "ZB0401", "ZB1101", "ZB1102", "ZB1202", "ZB1501", "ZB1502")
HISTORY_YEARS = (INDICATOR_YEAR - 2, INDICATOR_YEAR - 1)


def township_growth(rng: random.Random) -> float:
    """A township's yearly growth of its economy: most grow, about one in five shrinks."""
    return rng.uniform(-0.09, -0.02) if rng.random() < 0.2 else rng.uniform(0.02, 0.14)


def indicator_history(units: DemoUnits, scale: str, indicators: list[Indicator], values: list[IndicatorValue],
                      specs: dict[str, IndicatorSpec]) -> list[IndicatorValue]:
    """The ``HISTORY_YEARS`` of the ``HISTORY_INDICATORS``, back-cast month by month from the year after with
    each township's own growth (and a little noise per indicator, year and month).

    Its own random stream: the indicator year's values stay what they were without the history."""
    rng = _rng("ledger-indicator-history", scale)
    growth = {t.pk: township_growth(rng) for t in units.townships}
    later = {(v.unit.pk, v.indicator.code, v.period): v.value for v in values}
    history: list[IndicatorValue] = []
    for indicator in indicators:
        if indicator.code not in HISTORY_INDICATORS:
            continue
        spec = specs[indicator.code]
        for township in units.townships:
            rate = growth[township.pk] + rng.gauss(0, 0.015)
            for year in reversed(HISTORY_YEARS):
                yearly = rate + rng.gauss(0, 0.01)
                for period in months_of_year(year):
                    after = later[(township.pk, indicator.code, shift_period(period, 12))]
                    value = max(0.0, float(after) / (1 + yearly) * (1 + rng.gauss(0, 0.04)))
                    later[(township.pk, indicator.code, period)] = amount = Decimal(_decimal(value, spec.decimals))
                    history.append(IndicatorValue(unit=township, indicator=indicator, period=period, value=amount))
    history.sort(key=lambda v: (v.indicator.code, v.unit.code, v.period))
    return history


def _upload_time(rng: random.Random, period: str, *, late: bool) -> dt.datetime:
    """When a department uploaded a month's file: the 3rd to the 12th of the next month (late: after the
    15th), in office hours, never after the demo's today."""
    year, month = parse_period(period)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    last = 25 if late else 12
    if following.year == REFERENCE_DATE.year and following.month == REFERENCE_DATE.month:
        last = REFERENCE_DATE.day - 1
    day = rng.randint(16 if late else 3, last)
    minutes = rng.randint(8 * 60 + 30, 17 * 60 + 30)
    return dt.datetime(following.year, following.month, day, minutes // 60, minutes % 60, rng.randrange(60),
                       tzinfo=timezone.get_default_timezone())


def attach_import_jobs(units: DemoUnits, scale: str, values: list[IndicatorValue]) -> list[ImportJob]:
    """One succeeded import of the ``indicator_values`` dataset per department and month, uploaded by the
    department's 填报员 when the demo has one by now; sets each value's ``job``. A few uploads of the
    indicator year came after the 15th (late)."""
    from qingzhuang.accounts.models import User
    from qingzhuang.orgs import roles

    rng = _rng("ledger-indicator-uploads", scale)
    dataset = Dataset.objects.filter(code="indicator_values").first()
    if dataset is None:
        ensure_builtin_catalog()
        dataset = Dataset.objects.get(code="indicator_values")
    reporters: dict[int, User] = {}
    for user in (User.objects.filter(unit__in=units.departments, groups__name=roles.REPORTER, is_active=True)
                 .order_by("pk")):
        reporters.setdefault(user.unit_id, user)
    by_upload: dict[tuple[int, str], list[IndicatorValue]] = {}
    for value in values:
        by_upload.setdefault((value.indicator.owner_id, value.period), []).append(value)
    departments = {u.pk: u for u in units.departments}
    keys = sorted(by_upload, key=lambda k: (departments[k[0]].code, k[1]))
    # Late uploads: three department-months of the indicator year, not December (its deadline is after today).
    candidates = [k for k in keys if k[1] in PERIODS[:-1]]
    late = set(rng.sample(candidates, min(LATE_UPLOADS, len(candidates))))
    jobs, times = [], []
    for department_id, period in keys:
        department, rows = departments[department_id], len(by_upload[(department_id, period)])
        jobs.append(ImportJob(
            dataset=dataset, uploaded_by=reporters.get(department_id), status=ImportJob.Status.SUCCEEDED,
            file=f"imports/demo/{department.code}-{period}.xlsx",
            original_name=f"{department.name}{period_words(period)}考核指标.xlsx", period=period,
            progress_done=rows, progress_total=rows, created=rows, attempts=1,
            message=f"导入完成：共{rows}行，新增{rows}条、更新0条，0条未变化"))
        times.append(_upload_time(rng, period, late=(department_id, period) in late))
    ImportJob.objects.bulk_create(jobs)
    if any(job.pk is None for job in jobs):  # a backend that cannot return ids from a bulk insert
        pks = dict(ImportJob.objects.filter(dataset=dataset, file__startswith="imports/demo/")
                   .values_list("file", "pk"))
        for job in jobs:
            job.pk = pks[job.file]
    for job, created_at in zip(jobs, times, strict=True):
        job.created_at = created_at
        job.started_at = created_at + dt.timedelta(seconds=1)
        job.finished_at = job.heartbeat_at = created_at + dt.timedelta(seconds=2 + job.created // 40)
    # created_at is set on insert (auto_now_add): the upload times are written afterwards.
    ImportJob.objects.bulk_update(jobs, ["created_at", "started_at", "finished_at", "heartbeat_at"], batch_size=500)
    for (department_id, period), job in zip(keys, jobs, strict=True):
        for value in by_upload[(department_id, period)]:
            value.job = job
    return jobs


# ---------------------------------------------------------------------------------------------
# The step


def _rng(step: str, scale: str) -> random.Random:
    return random.Random(f"qingzhuang-demo/{step}/{scale}")


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder; ties by position)."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (-(shares[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def assign_owners(units: DemoUnits) -> dict[str, Dataset]:
    ensure_builtin_catalog()
    by_name = {u.name: u for u in units.all}
    datasets = {d.code: d for d in Dataset.objects.filter(code__in=DATASET_OWNERS)}
    for code, names in DATASET_OWNERS.items():
        owner = next((by_name[n] for n in names if n in by_name), units.root)
        Dataset.objects.filter(pk=datasets[code].pk).update(owner=owner)
        datasets[code].owner = owner
    return datasets


def _reporters(units: DemoUnits, people: Iterable[Person]) -> dict[int, list[str]]:
    """Who reports a unit's events: its grid workers (专职网格员), else its own cadres."""
    grid_workers: dict[int, list[str]] = {}
    cadres: dict[int, list[str]] = {}
    for person in people:
        unit = person.unit
        if unit.kind == UnitKind.GRID and unit.parent is not None:
            grid_workers.setdefault(unit.parent.pk, []).append(person.name)
        elif unit.kind in (UnitKind.VILLAGE, UnitKind.COMMUNITY):
            cadres.setdefault(unit.pk, []).append(person.name)
    return {u.pk: grid_workers.get(u.pk) or cadres.get(u.pk) or ["网格员"] for u in units.subunits}


def unit_weights(rng: random.Random, subunits: list[Unit], grids: list[Unit]) -> list[float]:
    """How many people live in each village or community, relatively: communities are bigger."""
    grid_count = Counter(g.parent.pk for g in grids if g.parent is not None)
    return [(rng.uniform(1.4, 2.2) if u.kind == UnitKind.COMMUNITY else rng.uniform(0.6, 1.3))
            * (1 + grid_count[u.pk]) for u in subunits]


def write_records(writer: RecordWriter, units: DemoUnits, scale: str, datasets: dict[str, Dataset],
                  people: Iterable[Person]) -> dict[int, int]:
    """The base records, unit by unit; returns how many people live in each township (by pk)."""
    counts = RECORD_COUNTS[scale]
    subunits = sorted(units.subunits, key=lambda u: u.code)
    townships = {u.pk: u.name for u in units.townships}
    population_rng, housing_rng = _rng("ledger-population", scale), _rng("ledger-housing", scale)
    entity_rng, event_rng = _rng("ledger-legal-entities", scale), _rng("ledger-events", scale)
    weights = unit_weights(population_rng, subunits, units.grids)
    residents = apportion(counts["population"], weights)
    houses = apportion(counts["housing"], weights)
    entities = apportion(counts["legal_entities"], [
        w * (2.2 if u.kind == UnitKind.COMMUNITY else 0.7) for u, w in zip(subunits, weights, strict=True)])
    events = apportion(counts["events"], weights)

    maker = PopulationMaker(population_rng)
    entity_maker = EntityMaker(entity_rng, PopulationMaker(entity_rng))
    event_names = PopulationMaker(event_rng)
    reporters = _reporters(units, people)
    population, housing = datasets["population"].pk, datasets["housing"].pk
    legal_entities, events_dataset = datasets["legal_entities"].pk, datasets["events"].pk
    event_days = LAST_DAY.toordinal() - EVENTS_FROM.toordinal() + 1
    township_people: Counter[int] = Counter()
    for i, unit in enumerate(subunits):
        township = townships[unit.parent.pk]
        township_people[unit.parent.pk] += residents[i]
        addresses = Addresses(population_rng, unit, township)
        # People, household by household; their homes become the unit's first houses.
        households: list[Household] = []
        for household in maker.households(unit, addresses, residents[i]):
            for member in household.members:
                writer.add(population, unit.pk, member["id_number"], member)
            households.append(household)
        heads = [h.members[0]["id_number"] for h in households]
        for number in range(houses[i]):
            home = households[number] if number < len(households) else None
            data = house(housing_rng, unit, number + 1, addresses, home, heads)
            writer.add(housing, unit.pk, data["house_no"], data)
        for _ in range(entities[i]):
            data = entity_maker.entity(unit, township, addresses)
            writer.add(legal_entities, unit.pk, data["credit_code"], data)
        # Events happen at the unit's addresses, over the two years before the reference date.
        per_day: Counter[int] = Counter()
        days = sorted(EVENTS_FROM.toordinal() + event_rng.randrange(event_days) for _ in range(events[i]))
        for ordinal in days:
            per_day[ordinal] += 1
            data = event(event_rng, unit, dt.date.fromordinal(ordinal), per_day[ordinal],
                         event_rng.choice(addresses.used), event_rng.choice(reporters[unit.pk]), event_names)
            writer.add(events_dataset, unit.pk, data["event_no"], data)
    return township_people


def seed_ledger(units: DemoUnits, scale: str, *, people: Iterable[Person] = ()) -> dict[str, int]:
    """Owners, base records and the indicator database of the demo county; returns row counts."""
    datasets = assign_owners(units)
    with RecordWriter() as writer:
        township_people = write_records(writer, units, scale, datasets, people)
    # A township's size relative to the average scales its indicator amounts.
    average = sum(township_people.values()) / max(1, len(units.townships)) or 1
    sizes = {t.pk: township_people[t.pk] / average for t in units.townships}
    n_indicators, n_values, n_uploads = build_indicators(units, scale, sizes)

    for code, dataset in datasets.items():
        n = n_values if code == "indicator_values" else writer.counts[dataset.pk]
        Dataset.objects.filter(pk=dataset.pk).update(record_count=n, last_updated_at=writer.now)
    result = {code: writer.counts[datasets[code].pk] for code in RECORD_COUNTS[scale]}
    return {"records": sum(result.values()), **result, "indicators": n_indicators, "indicator_values": n_values,
            "indicator_uploads": n_uploads}


def seed_step(result) -> dict[str, int]:
    """The ledger's step of the demo county (see ``qingzhuang/registry.py``)."""
    return seed_ledger(result.units, result.scale, people=result.people)


def summary(result) -> str:
    counts = result.counts
    return (f"一套表：基础数据 {counts['records']} 条（人口 {counts['population']}、房屋 {counts['housing']}、"
            f"法人单位 {counts['legal_entities']}、事件 {counts['events']}），"
            f"指标 {counts['indicators']} 个、指标值 {counts['indicator_values']} 条"
            f"（各部门按月上传 {counts['indicator_uploads']} 次）。")

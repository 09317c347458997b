"""Reads of the document registry and of 一网协同: the yearly counters of the county overview
(``document_count``, ``document_counts_by_issuer``, ``circulation_count``), the registry's rule
alerts (``alerts``, listed in ``burden.alerts.ALERT_SOURCES``), list filters, circulation
statistics and the workbench's circulation to-dos. Scope comes from ``burden.access``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from qingzhuang.burden import access
from qingzhuang.burden.alerts import Alert
from qingzhuang.burden.models import (
    Circulation,
    CirculationReceipt,
    CirculationReminder,
    Document,
    DocumentExplanation,
)
from qingzhuang.burden.models.documents import DOCUMENT_RULES, MAX_CHARS, OVER_LAST_YEAR, OVER_LAST_YEAR_NAME
from qingzhuang.lib.numbers import round_half_up
from qingzhuang.orgs.models import Unit
from qingzhuang.registry import Todo


def _in_year(year: int) -> Q:
    return Q(issued_on__gte=dt.date(year, 1, 1), issued_on__lt=dt.date(year + 1, 1, 1))


# ---------------------------------------------------------------------------------------------
# Yearly counters (the county overview calls these; keep the names and signatures)


def document_count(*, year: int) -> int:
    """Documents issued in ``year``, county-wide."""
    return Document.objects.filter(_in_year(year)).count()


def document_counts_by_issuer(*, year: int) -> dict[int, int]:
    """Documents issued in ``year`` per issuing unit (unit id → count; issuers without any left out)."""
    rows = Document.objects.filter(_in_year(year)).order_by().values("issuer_id").annotate(n=Count("id"))
    return {row["issuer_id"]: row["n"] for row in rows}


def circulation_count(*, year: int) -> int:
    """Circulations (documents and notices) sent in ``year``, county-wide."""
    from qingzhuang.burden.queries import year_bounds

    start, end = year_bounds(year)
    return Circulation.objects.filter(sent_at__gte=start, sent_at__lt=end).count()


# ---------------------------------------------------------------------------------------------
# Rule alerts


def _number(n: int) -> str:
    return f"{n:,}"


def _document_alert(document: Document, code: str) -> Alert:
    name, level = DOCUMENT_RULES[code]
    if code == "document.special_too_long":
        message = f"专项文件 {_number(document.chars)} 字，超过 {_number(MAX_CHARS['special'])} 字"
    elif code == "document.comprehensive_too_long":
        message = f"综合性文件 {_number(document.chars)} 字，超过 {_number(MAX_CHARS['comprehensive'])} 字"
    elif code == "document.materials":
        message = f"要求下发的 {document.n_targets} 个基层单位报送材料"
    else:
        message = "减负监测认定该文件可用通知代替"
    return Alert(rule=code, rule_name=name, subject=f"{document.issuer.name} {document.number} {document.title}",
                 message=message, unit_name=document.issuer.name,
                 url=reverse("burden:document_detail", args=[document.pk]), on=document.issued_on, level=level)


@dataclass(frozen=True)
class IssuerYear:
    """One issuer's documents in a year against the year before, and its explanation if any."""

    issuer: Unit
    year: int
    count: int
    last_year: int
    explanation: DocumentExplanation | None
    exceeded_on: dt.date | None  # the day its count passed last year's

    @property
    def over(self) -> bool:
        return self.count > self.last_year

    @property
    def needs_explanation(self) -> bool:
        return self.over and self.explanation is None


def issuer_years(*, year: int, issuers: QuerySet[Unit] | None = None) -> list[IssuerYear]:
    """Every issuer with documents in ``year`` or the year before (of ``issuers`` when given)."""
    this, last = document_counts_by_issuer(year=year), document_counts_by_issuer(year=year - 1)
    ids = set(this) | set(last)
    units = Unit.objects.filter(pk__in=ids).order_by("path")
    if issuers is not None:
        units = units.filter(pk__in=issuers.values("pk"))
    explained = {e.issuer_id: e for e in DocumentExplanation.objects.filter(year=year, issuer_id__in=ids)
                 .select_related("explained_by")}
    found = []
    for unit in units:
        count, before = this.get(unit.pk, 0), last.get(unit.pk, 0)
        exceeded_on = None
        if count > before:
            exceeded_on = (Document.objects.filter(_in_year(year), issuer=unit).order_by("issued_on", "pk")
                           .values_list("issued_on", flat=True)[before])
        found.append(IssuerYear(unit, year, count, before, explained.get(unit.pk), exceeded_on))
    return found


def issuer_year(issuer: Unit, *, year: int) -> IssuerYear:
    rows = issuer_years(year=year, issuers=Unit.objects.filter(pk=issuer.pk))
    return rows[0] if rows else IssuerYear(issuer, year, 0, 0, DocumentExplanation.objects.filter(
        issuer=issuer, year=year).first(), None)


def alerts(*, year: int) -> list[Alert]:
    """The registry's rule alerts of ``year``: each document's own rules, and each issuer whose
    count in ``year`` passed last year's full count without a written explanation."""
    found = []
    documents = (Document.objects.filter(_in_year(year)).exclude(flags=[]).select_related("issuer")
                 .annotate(n_targets=Count("target_units")))
    for document in documents:
        found += [_document_alert(document, code) for code in document.flags if code in DOCUMENT_RULES]
    for row in issuer_years(year=year):
        if row.needs_explanation:
            found.append(Alert(
                rule=OVER_LAST_YEAR, rule_name=OVER_LAST_YEAR_NAME, subject=f"{row.issuer.name} {year}年发文",
                message=f"{year}年已发文 {row.count} 件，{year - 1}年全年 {row.last_year} 件，未书面说明",
                unit_name=row.issuer.name, url=reverse("burden:document_explain", args=[row.issuer.code, year]),
                on=row.exceeded_on, level="danger"))
    return found


# ---------------------------------------------------------------------------------------------
# The registry's list


def documents_list(user, *, year: int | None = None, issuer: Unit | None = None, kind: str = "",
                   flagged: bool = False) -> QuerySet[Document]:
    qs = access.visible_documents(user).annotate(n_targets=Count("target_units"))
    if year:
        qs = qs.filter(_in_year(year))
    if issuer is not None:
        qs = qs.filter(issuer=issuer)
    if kind:
        qs = qs.filter(kind=kind)
    if flagged:
        qs = qs.exclude(flags=[])
    return qs.order_by("-issued_on", "-pk")


def flag_badges(document: Document) -> list[tuple[str, str]]:
    """(Chinese rule name, figure) of each flag of a document, for red badges."""
    figures = {"document.special_too_long": f"{_number(document.chars)}字",
               "document.comprehensive_too_long": f"{_number(document.chars)}字"}
    return [(DOCUMENT_RULES[code][0], figures.get(code, "")) for code in document.flags if code in DOCUMENT_RULES]


# ---------------------------------------------------------------------------------------------
# 一网协同


def inbox(user) -> QuerySet[Circulation]:
    """What was sent to units of the user's scope, unread (by the user's own unit) first."""
    from qingzhuang.orgs import access as org_access

    received = CirculationReceipt.objects.filter(org_access.unit_q(user, "unit")).values("circulation_id")
    own_unread = CirculationReceipt.objects.filter(circulation=OuterRef("pk"), unit_id=user.unit_id or 0,
                                                   read_at__isnull=True)
    return (access.visible_circulations(user).filter(pk__in=received)
            .annotate(unread=Exists(own_unread)).order_by("-unread", "-sent_at", "-pk"))


def sent(user) -> QuerySet[Circulation]:
    """What the user's own unit sent, with its receipts counted."""
    qs = access.visible_circulations(user).filter(sender_id=user.unit_id or 0)
    return with_receipt_counts(qs).order_by("-sent_at", "-pk")


def all_circulations(user) -> QuerySet[Circulation]:
    return with_receipt_counts(access.visible_circulations(user)).order_by("-sent_at", "-pk")


def with_receipt_counts(qs: QuerySet[Circulation]) -> QuerySet[Circulation]:
    return qs.annotate(n_receipts=Count("receipts"), n_read=Count("receipts", filter=Q(receipts__read_at__isnull=False)))


def percent(part: int, whole: int) -> Decimal | None:
    return round_half_up(Decimal(part) * 100 / whole, 1) if whole else None


@dataclass(frozen=True)
class CirculationStats:
    year: int
    sent: int
    sent_last_year: int
    receipts: int
    read: int

    @property
    def read_percent(self) -> Decimal | None:
        return percent(self.read, self.receipts)

    @property
    def change_percent(self) -> Decimal | None:
        """This year's sendings against last year's, in percent (−30.0 = 30% fewer)."""
        return percent(self.sent - self.sent_last_year, self.sent_last_year)


def circulation_stats(user, *, year: int) -> CirculationStats:
    """Sendings of ``year`` against the year before and the share of receipts read: of every
    circulation for those who oversee the county, of their own unit's for the others."""
    from qingzhuang.burden.queries import year_bounds

    qs = Circulation.objects.all() if access.sees_all_demands(user) else Circulation.objects.filter(
        sender_id=user.unit_id or 0)
    start, end = year_bounds(year)
    last_start, _ = year_bounds(year - 1)
    this_year = qs.filter(sent_at__gte=start, sent_at__lt=end)
    receipts = CirculationReceipt.objects.filter(circulation__in=this_year)
    return CirculationStats(
        year=year, sent=this_year.count(), sent_last_year=qs.filter(sent_at__gte=last_start, sent_at__lt=start).count(),
        receipts=receipts.count(), read=receipts.filter(read_at__isnull=False).count())


def receipts_of(circulation: Circulation) -> list[CirculationReceipt]:
    return list(circulation.receipts.select_related("unit", "read_by").order_by("read_at", "unit__path"))


def todos(user) -> list[Todo]:
    """Workbench to-dos of the user's own unit: circulations it has not read, and those reminded."""
    if not getattr(user, "is_authenticated", False) or not user.unit_id:
        return []
    unread = CirculationReceipt.objects.filter(unit_id=user.unit_id, read_at__isnull=True)
    found = []
    reminded = unread.filter(Exists(CirculationReminder.units.through.objects.filter(
        circulationreminder__circulation_id=OuterRef("circulation_id"), unit_id=user.unit_id))).count()
    url = reverse("burden:circulation_list")
    if reminded:
        found.append(Todo("份收文被催阅，请尽快阅读", reminded, url, tone="danger"))
    if n := unread.count() - reminded:
        found.append(Todo("份收文未读", n, url, tone="warning"))
    return found

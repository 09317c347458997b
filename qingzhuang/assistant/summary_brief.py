"""The one-page brief: the default 一表做总结 text.

A table of a few measures is written in full (each measure, each unit that stands out: it fits on
a page). A longer one, such as a county's 50 indicators over 12 townships, is condensed: how many
indicators moved for the better and for the worse, the few that moved most each way (with their
totals, changes and the unit that moved most), the unit that is best in the most indicators and
the one that is worst in the most, and what was not reported. The brief never exceeds
``BRIEF_MAX_CHARS`` of body text: it names fewer indicators until it fits.

Every number comes from ``Figures`` (and is in ``Figures.allowed_numbers``); a section with
nothing to say is left out.
"""

from __future__ import annotations

from decimal import Decimal

from qingzhuang.assistant.summaries import (
    AVG,
    BRIEF_ALL_MEASURES,
    BRIEF_MAX_CHARS,
    LOWER,
    NEUTRAL,
    SECTION_HEADINGS,
    Figures,
    Measure,
    _amount,
    _change_words,
    _good,
    _names,
    _numbered,
    _period_words,
    _qty,
    full_sections,
    pct_change,
)

MOVERS = 5  # indicators named as moving most, each way (fewer when the text would not fit)

Sections = list[tuple[str, list[str]]]


def body_chars(sections: Sections) -> int:
    return sum(len(p) for _, paragraphs in sections for p in paragraphs)


def brief_sections(figures: Figures) -> Sections:
    """The sections of the one-page summary of ``figures`` (which have something to summarise)."""
    if figures.kind == "dataset" or len(figures.measures) <= BRIEF_ALL_MEASURES:
        sections = full_sections(figures)
        if figures.kind == "dataset" or body_chars(sections) <= BRIEF_MAX_CHARS:
            return sections
    for limit in range(MOVERS, 0, -1):
        sections = condensed_sections(figures, limit=limit)
        if body_chars(sections) <= BRIEF_MAX_CHARS:
            break
    return sections


def basis_of(figures: Figures) -> str:
    """What changes are measured against: "yoy" (the same month last year) when at least half the
    measures have it, else "mom" (the previous period) when any has that, else ""."""
    ranked = [m for m in figures.measures if m.direction != NEUTRAL]
    with_yoy = sum(1 for m in ranked if m.yoy is not None)
    if with_yoy and with_yoy * 2 >= len(ranked):
        return "yoy"
    return "mom" if any(m.mom is not None for m in ranked) else ""


def _against(figures: Figures, basis: str) -> str:
    return figures.previous_label if basis == "mom" else "去年同期"


def _score(m: Measure, basis: str) -> Decimal | None:
    """How much a measure moved for the better (positive) or worse (negative), in percent of its
    base: comparable across measures (a rate's points are taken relative to its base too)."""
    if m.direction == NEUTRAL:
        return None
    relative = pct_change(m.total, m.previous_total if basis == "mom" else m.last_year_total)
    if relative is None:
        return None
    return -relative if m.direction == LOWER else relative


def movers(figures: Figures, basis: str, *, better: bool, limit: int) -> tuple[list[Measure], int]:
    """The ``limit`` measures that moved most for the better (or worse), and how many did in all."""
    scored = [(m, _score(m, basis)) for m in figures.measures]
    scored = [(m, s) for m, s in scored if s is not None and s != 0 and (s > 0) == better]
    scored.sort(key=lambda pair: abs(pair[1]), reverse=True)  # stable: ties keep table order
    return [m for m, _ in scored[:limit]], len(scored)


def _mover_sentence(figures: Figures, m: Measure, basis: str, *, better: bool) -> str:
    if figures.single:
        text = f"{m.name}为{_qty(m, m.total)}"
    elif m.aggregate == AVG:
        text = f"{m.name}平均为{_qty(m, m.total)}"
    else:
        text = f"{m.name}合计{_qty(m, m.total)}"
    changes = [("mom", m.mom, figures.previous_label), ("yoy", m.yoy, "去年同期")]
    changes.sort(key=lambda c: c[0] != basis)
    text += "".join(f"，{_change_words(m, change, against)}" for _, change, against in changes if change is not None)
    if not figures.single:
        moved = [(i, i.mom if basis == "mom" else i.yoy) for i in m.reported]
        moved = [(i, c) for i, c in moved if c is not None and _good(m, c) is better]
        if moved:
            item, change = max(moved, key=lambda pair: abs(pair[1]))
            if m.points:
                word = "提高最多" if change > 0 else "降低最多"
            else:
                word = "增幅最大" if change > 0 else "降幅最大"
            text += f"，其中{item.name}{word}，为{_amount(m, change)}"
    return text


def _movement_sentence(figures: Figures) -> str:
    parts = []
    for basis in ("mom", "yoy"):
        better, worse, same = figures.movement(basis)
        counted = [(n, word) for n, word in ((better, "向好"), (worse, "变差"), (same, "持平")) if n]
        if counted:
            parts.append(f"与{_against(figures, basis)}相比，" + "、".join(f"{n}项{word}" for n, word in counted))
    return "；".join(parts) + "。" if parts else ""


def condensed_sections(figures: Figures, *, limit: int = MOVERS) -> Sections:
    noun, single = figures.noun, figures.single
    count = len(figures.measures)
    basis = basis_of(figures)
    if single:
        scope = f"{figures.subject}纳入统计的指标共{count}项"
    else:
        scope = f"{figures.subject or '纳入统计的'}{figures.item_count}个{noun}共有指标{count}项"
    overall = [f"{_period_words(figures)}{scope}。{_movement_sentence(figures)}"]

    up, _ = movers(figures, basis, better=True, limit=limit) if basis else ([], 0)
    down, n_down = movers(figures, basis, better=False, limit=limit) if basis else ([], 0)
    best, worst = figures.unit_ranks()
    missing_units = list(dict.fromkeys(n for m in figures.measures for n in m.missing))
    n_missing = sum(len(m.missing) for m in figures.measures) if figures.kind == "indicators" else 0

    achievements = []
    if up:
        achievements.append("从指标变化看，" + "；".join(
            _mover_sentence(figures, m, basis, better=True) for m in up) + "。")
    if best is not None:
        achievements.append(f"分{noun}看，{best[0]}表现最好，有{best[1]}项指标在各{noun}中排名第一。")

    problems = []
    if down:
        problems.append("；".join(_mover_sentence(figures, m, basis, better=False) for m in down) + "。")
    if worst is not None:
        problems.append(f"{worst[0]}相对落后，有{worst[1]}项指标在各{noun}中排名最后。")
    if n_missing:
        if single:
            problems.append(f"本月有{n_missing}项指标未报送。")
        elif len(missing_units) == 1:
            problems.append(f"{missing_units[0]}有{n_missing}项指标本月未报送。")
        else:
            problems.append(f"{_names(missing_units, noun)}共有{n_missing}项次指标本月未报送。")

    plans = []
    if down:
        # "下降" or "上升" by each indicator's direction: fewer accidents are better, more are worse.
        moves = "、".join(f"{m.name}{'上升' if m.direction == LOWER else '下降'}" for m in down)
        moves += "等情况" if n_down > len(down) else "的情况"
        plans.append(f"针对{moves}，深入分析原因，制定针对性措施" if single else
                     f"针对{moves}，督促相关{noun}深入分析原因，制定针对性措施")
    if worst is not None:
        plans.append(f"加强对{worst[0]}的指导帮扶，推动各{noun}均衡发展")
    if n_missing:
        plans.append("按时报送全部指标数据" if single else f"督促{_names(missing_units, noun)}按时报送指标数据")
    if figures.kind == "indicators":
        plans.append("按时在一套表中报送指标数据，做到一次报送、多方共用" if single else
                     "继续依托一套表按月汇总指标数据，减少向基层重复索要报表，切实为基层减负")
    else:
        plans.append("持续跟踪数据变化，定期通报进展情况")

    sections = [(SECTION_HEADINGS[0], overall), (SECTION_HEADINGS[1], achievements),
                (SECTION_HEADINGS[2], problems), (SECTION_HEADINGS[3], _numbered(plans))]
    return [(heading, paragraphs) for heading, paragraphs in sections if paragraphs]

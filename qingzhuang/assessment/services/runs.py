"""Scorecard runs: start (numbered, queued), compute (in the background), publish, delete, diff.

A run is a ``jobs`` job. ``run_start`` numbers it within its scheme and enqueues ``tasks.compute_run``
when the transaction commits; ``run_compute`` reads the inputs (``inputs.load``), scores them
(``engine.score``), adds the 附加题 trend and writes every unit's ``RunLine`` with its ``detail``: each
value with its source, so a later correction never changes this run. A 模拟测算 (``kind="whatif"``)
carries weight and parameter overrides and can never be published. Publishing locks the scheme.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import JSONField, Max
from django.utils import timezone

from qingzhuang.assessment import access, runs_rules
from qingzhuang.assessment import inputs as inputs_mod
from qingzhuang.assessment.engine import EngineError
from qingzhuang.assessment.models import Paper, RawJSON, Run, RunKind, RunLine, Scheme
from qingzhuang.assessment.services.schemes import scheme_lock
from qingzhuang.jobs import lifecycle
from qingzhuang.lib.gcpause import no_cycle_collection
from qingzhuang.lib.numbers import round_half_up
from qingzhuang.orgs import audit

logger = logging.getLogger(__name__)

NOTE_MAX = 200
APPEAL_DAYS_MAX = 90
FAILED_MESSAGE = "成绩计算失败，请联系系统管理员"

CENT = Decimal("0.01")


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(CENT))


def line_json(line: RunLine) -> dict:
    """A line as the command's JSON (and the API's summary of it)."""
    return {
        "unit": line.unit.code, "unit_name": line.unit.name, "daily": _money(line.daily), "exam": _money(line.exam),
        "bonus": _money(line.bonus), "deductions": _money(line.deductions), "total": _money(line.total),
        "rank": line.rank, "grade": line.grade, "veto": list(line.veto or []), "coaching": bool(line.coaching),
        "flags": list(line.flags or []),
    }


# ---------------------------------------------------------------- start, publish, delete


def _enqueue(run_id: int) -> None:
    from qingzhuang.assessment.tasks import compute_run

    compute_run.enqueue(run_id)


@transaction.atomic
def run_start(*, actor, scheme: Scheme, kind: str = RunKind.OFFICIAL, note: str = "", based_on: Run | None = None,
              overrides: dict | None = None, request=None, enqueue: bool = True) -> Run:
    """A new numbered run of ``scheme``, computed in the background once this transaction commits."""
    access.require_manage(actor)
    if kind not in RunKind.values:
        raise ValidationError({"kind": "类别应为正式计算或模拟测算"})
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": f"说明不能超过{NOTE_MAX}字"})
    if based_on is not None and based_on.scheme_id != scheme.pk:
        raise ValidationError({"based_on": "对比批次应属于同一考核方案"})
    weights = dict(scheme.indicators.values_list("indicator__code", "weight"))
    if not weights:
        raise ValidationError("该考核方案还没有指标，不能计算成绩")
    if overrides and kind != RunKind.WHATIF:
        raise ValidationError({"overrides": "只有模拟测算可以调整权重和参数"})
    clean = runs_rules.check_overrides(overrides, weights) if kind == RunKind.WHATIF else {}
    Scheme.objects.select_for_update().filter(pk=scheme.pk).first()  # numbers are given one at a time
    number = (Run.objects.filter(scheme=scheme).aggregate(n=Max("number"))["n"] or 0) + 1
    run = Run.objects.create(
        scheme=scheme, number=number, kind=kind, note=note, based_on=based_on,
        inputs={"overrides": clean}, created_by=actor if getattr(actor, "is_authenticated", False) else None,
        message="排队等待计算…",
    )
    audit.record(actor=actor, action="assessment.run.start", obj=run, request=request,
                 after={"scheme": scheme.code, "number": number, "kind": kind, "note": note,
                        "based_on": based_on.number if based_on else None, "overrides": clean})
    if enqueue:
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


@transaction.atomic
def run_publish(*, actor, run: Run, appeal_days: int = 15, request=None) -> Run:
    """Publish a succeeded official run: its units see it, may appeal until ``appeal_until``; locks the scheme."""
    access.require_manage(actor)
    run = Run.objects.select_for_update().select_related("scheme").get(pk=run.pk)
    if run.kind != RunKind.OFFICIAL:
        raise ValidationError("模拟测算的结果不能发布")
    if run.is_published:
        raise ValidationError("该批次已经发布，不能重复发布")
    if not run.is_succeeded:
        raise ValidationError("只有计算完成的批次才能发布")
    try:
        days = int(appeal_days)
    except (TypeError, ValueError):
        days = -1
    if not 1 <= days <= APPEAL_DAYS_MAX:
        raise ValidationError({"appeal_days": f"申诉期应为 1 到 {APPEAL_DAYS_MAX} 天"})
    now = timezone.now()
    run.published_at = now
    run.published_by = actor if getattr(actor, "is_authenticated", False) else None
    run.appeal_until = timezone.localdate(now) + dt.timedelta(days=days)
    run.save(update_fields=["published_at", "published_by", "appeal_until"])
    scheme_lock(scheme=run.scheme)
    audit.record(actor=actor, action="assessment.run.publish", obj=run, request=request,
                 after={"scheme": run.scheme.code, "number": run.number,
                        "appeal_until": run.appeal_until.isoformat()})
    return run


@transaction.atomic
def run_delete(*, actor, run: Run, request=None) -> None:
    """Delete an unpublished, finished run (a published one is the record and stays)."""
    access.require_manage(actor)
    run = Run.objects.select_for_update().select_related("scheme").get(pk=run.pk)
    if run.is_published:
        raise ValidationError("已发布的批次不能删除")
    lifecycle.mark_if_stale(run)
    if not run.is_finished:
        raise ValidationError("该批次正在计算，不能删除")
    audit.record(actor=actor, action="assessment.run.delete", obj=run, request=request,
                 before={"scheme": run.scheme.code, "number": run.number, "kind": run.kind})
    run.delete()


# ---------------------------------------------------------------- compute


def _num(value) -> str | None:
    """A Decimal as plain text without exponent or trailing zeros (``8123.5000`` → ``8123.5``)."""
    if value is None:
        return None
    value = value if isinstance(value, Decimal) else Decimal(str(value))
    return format(value.normalize(), "f")


def _text(value) -> str | None:
    return None if value is None else str(value)


def _params(params: dict) -> dict:
    return {k: (v if isinstance(v, str | dict | list) or v is None else _num(v)) if not isinstance(v, bool) else v
            for k, v in (params or {}).items()}


def exam_score(grades: dict, criteria: dict, values: dict) -> Decimal:
    """One spot check's score: Σ criterion weight × grade value ÷ 100, 2 places."""
    total = sum((Decimal(str(w)) * Decimal(str(values.get(grades.get(c), 0))) for c, w in criteria.items()),
                Decimal(0))
    return round_half_up(total / 100, 2)


def _periods_used(line, year: int) -> set[int]:
    years = {year}
    if line.aggregate == "yoy":
        years.add(year - 1)
    if line.used_year:
        years.add(int(line.used_year))
        if line.aggregate == "yoy":
            years.add(int(line.used_year) - 1)
    return years


def _veto(score, adjustments) -> list[str]:
    veto = getattr(score, "veto", None)
    if isinstance(veto, list | tuple):
        return [str(v) for v in veto]
    if isinstance(veto, str):
        return [veto] if veto else []
    if veto:
        return [a.reason for a in adjustments if a.kind == "veto"]
    return []


def line_detail(*, scheme: Scheme, rules, data: inputs_mod.SchemeInputs, unit, score, trend) -> dict:
    """The frozen ``RunLine.detail`` of ``unit``: every number with where it came from."""
    year = scheme.year
    values = data.values.get(unit.pk, {})
    sources = data.sources.get(unit.pk, {})
    rule_by_code = {r.code: r for r in rules.indicators}
    indicators = []
    for line in score.lines:
        indicator = data.indicators.get(line.code)
        years = _periods_used(line, year)
        months = []
        for period in sorted(values.get(line.code, {})):
            if int(period[:4]) not in years:
                continue
            source = sources[line.code][period]
            months.append({"period": period, "value": _num(values[line.code][period]), **source.to_json()})
        rule = rule_by_code.get(line.code)
        indicators.append({
            "code": line.code, "name": indicator.name if indicator else line.code,
            "department": indicator.owner.name if indicator else "",
            "measure_unit": indicator.measure_unit if indicator else "",
            "direction": (indicator.direction if indicator else
                          ("higher" if rule is None or rule.higher_is_better else "lower")),
            "weight": _num(line.weight), "effective_weight": _num(line.effective_weight),
            "aggregate": str(line.aggregate), "method": str(line.method), "params": _params(line.params),
            "missing_policy": str(rule.missing) if rule else "zero",
            "values": months, "value": _num(line.value), "months": int(line.months or 0),
            "score": _text(line.score), "points": _text(line.points), "missing": str(line.missing or ""),
            "used_year": int(line.used_year) if line.used_year else None, "explanation": str(line.explanation or ""),
        })
    checks = data.spot_checks.get(unit.pk, [])
    exam_scores = list(getattr(score, "exam_scores", None) or [])
    paper_labels = dict(Paper.choices)
    spot_checks = []
    for i, check in enumerate(checks):
        value = exam_scores[i] if len(exam_scores) == len(checks) else exam_score(
            check.grades, rules.exam_criteria, rules.exam_grades)
        spot_checks.append({"id": check.pk, "date": check.checked_on.isoformat(), "scene": check.scene,
                            "paper": paper_labels.get(check.paper, check.paper), "grades": dict(check.grades),
                            "score": _text(round_half_up(value, 2))})
    adjustments = [{"id": a.pk, "kind": a.kind, "item": a.item.name if a.item_id else "", "points": _num(a.points),
                    "reason": a.reason, "evidence": bool(a.evidence)} for a in data.adjustments.get(unit.pk, [])]
    trend_json = None
    if trend is not None:
        trend_json = {"index": _text(trend.index), "growth": {k: _text(v) for k, v in (trend.growth or {}).items()},
                      "coaching": bool(trend.coaching), "reason": str(trend.reason or "")}
    return {
        "parts": {"daily": _text(score.daily), "exam": _text(score.exam),
                  "daily_weight": _num(score.daily_weight_used), "exam_weight": _num(score.exam_weight_used)},
        "indicators": indicators, "spot_checks": spot_checks, "adjustments": adjustments, "trend": trend_json,
    }


def _late_flags(detail: dict) -> list[str]:
    flags = []
    for item in detail["indicators"]:
        late = [v["period"] for v in item["values"] if v["late"]]
        if late:
            flags.append(f"{item['name']}（{item['code']}）有{len(late)}个月的数据逾期报送：{'、'.join(late)}")
    return flags


def unit_inputs(data: inputs_mod.SchemeInputs, unit):
    from qingzhuang.assessment import engine

    adjustments = data.adjustments.get(unit.pk, [])
    return engine.UnitInputs(
        values=data.values.get(unit.pk, {}),
        exams=[dict(c.grades) for c in data.spot_checks.get(unit.pk, [])],
        bonus=[(a.item.name if a.item_id else "", a.points) for a in adjustments if a.kind == "bonus"],
        deductions=[(a.item.name if a.item_id else "", a.points) for a in adjustments if a.kind == "deduction"],
        vetoes=[a.reason for a in adjustments if a.kind == "veto"],
    )


def _trend(scheme: Scheme, rules, data: inputs_mod.SchemeInputs) -> dict:
    """The 附加题 per unit id (empty when the scheme has none)."""
    if not scheme.trend:
        return {}
    from qingzhuang.assessment import trend as trend_mod

    config = trend_mod.TrendConfig.from_scheme(scheme.trend)
    if config is None:
        return {}
    groups = {u.pk: ("street" if u.kind == "street" else "township") for u in data.units}
    higher = {code: ind.direction != "lower" for code, ind in data.indicators.items()}
    values = {u.pk: {code: data.values.get(u.pk, {}).get(code, {}) for code in config.indicators}
              for u in data.units}
    names = {code: ind.name for code, ind in data.indicators.items()}
    return trend_mod.trend(config, scheme.year, values=values, groups=groups, higher_is_better=higher, names=names)


def compute_lines(run: Run, *, on_progress=None) -> list[RunLine]:
    """The run's lines, unsaved: read, score, explain. ``on_progress(done, total)`` every 10% of units."""
    from qingzhuang.assessment import engine

    scheme = run.scheme
    rules = runs_rules.with_overrides(runs_rules.rules_of(scheme), (run.inputs or {}).get("overrides"))
    data = inputs_mod.load(scheme)
    if not data.units:
        raise ValidationError("该考核方案没有可考核的单位")
    scores = engine.score(rules, {u.pk: unit_inputs(data, u) for u in data.units})
    trends = _trend(scheme, rules, data)
    total = len(data.units)
    step = max(1, total // 10)
    lines = []
    for i, unit in enumerate(data.units, start=1):
        score = scores[unit.pk]
        trend = trends.get(unit.pk)
        detail = line_detail(scheme=scheme, rules=rules, data=data, unit=unit, score=score, trend=trend)
        flags = [str(f) for f in (score.flags or [])] + _late_flags(detail)
        lines.append(RunLine(
            run=run, unit=unit, daily=round_half_up(score.daily, 2),
            exam=None if score.exam is None else round_half_up(score.exam, 2),
            bonus=round_half_up(score.bonus, 2), deductions=round_half_up(score.deductions, 2),
            total=round_half_up(score.total, 2), rank=score.rank, grade=str(score.grade),
            veto=_veto(score, data.adjustments.get(unit.pk, [])),
            coaching=bool(trend and trend.coaching), coaching_reason=(str(trend.reason or "")[:300] if trend else ""),
            trend_index=(round_half_up(trend.index, 4) if trend and trend.index is not None else None),
            flags=flags, detail=RawJSON(json.dumps(detail, ensure_ascii=False, separators=(",", ":"))),
        ))
        if on_progress and (i % step == 0 or i == total):
            on_progress(i, total)
    return lines


# The columns a line is written with (``write_lines``).
LINE_COLUMNS = ("run", "unit", "daily", "exam", "bonus", "deductions", "total", "rank", "grade", "veto", "coaching",
                "coaching_reason", "trend_index", "flags", "detail")


def write_lines(lines: list[RunLine]) -> None:
    """Insert a run's lines. On PostgreSQL through ``COPY``: the frozen details of a province are
    hundreds of megabytes of JSON, which an ``INSERT`` would quote character by character on the
    client (client-side parameter binding)."""
    if connection.vendor != "postgresql":
        RunLine.objects.bulk_create(lines, batch_size=200)
        return
    fields = [RunLine._meta.get_field(name) for name in LINE_COLUMNS]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {connection.ops.quote_name(RunLine._meta.db_table)} ({columns}) FROM STDIN") as copy:
        for line in lines:
            row = []
            for field in fields:
                value = getattr(line, field.attname)
                if isinstance(value, RawJSON):
                    value = value.text
                elif isinstance(field, JSONField):
                    value = json.dumps(value, ensure_ascii=False)
                row.append(value)
            copy.write_row(row)


def run_compute(run_id: int, *, task_id: str = "") -> str:
    """Compute a queued run (the task's body); returns its final status. A run computes at most once."""
    run = Run.objects.select_related("scheme").filter(pk=run_id).first()
    if run is None or not lifecycle.claim(run, message="正在读取指标数据…", task_id=task_id):
        return "skipped"
    try:
        with lifecycle.heartbeat(run), no_cycle_collection():
            lines = compute_lines(run, on_progress=lambda done, total: lifecycle.progress(
                run, done=done, total=total, message=f"正在计算：{done}/{total} 个单位"))
            with transaction.atomic():
                RunLine.objects.filter(run=run).delete()
                write_lines(lines)
                inputs = {**(run.inputs or {}), "scheme": runs_rules.snapshot(run.scheme),
                          "computed_at": timezone.now().isoformat()}
                lifecycle.finish(run, message=f"已完成：{len(lines)} 个单位", inputs=inputs,
                                 progress_done=len(lines), progress_total=len(lines))
    except lifecycle.JobLost:
        logger.warning("assessment run %s was taken over by another worker: its result was rolled back", run_id)
        return "skipped"
    except ValidationError as exc:
        lifecycle.fail(run, "成绩计算失败：" + "；".join(exc.messages), error=lifecycle.describe(exc))
        return run.status
    except (EngineError, ValueError) as exc:  # the engine's and the trend's messages are Chinese
        lifecycle.fail(run, f"成绩计算失败：{exc}", error=lifecycle.describe(exc))
        return run.status
    except Exception as exc:
        logger.exception("assessment run %s failed", run_id)
        lifecycle.fail(run, FAILED_MESSAGE, error=lifecycle.describe(exc))
        return run.status
    return run.status


# ---------------------------------------------------------------- diff


def _summary(line: RunLine | None) -> dict | None:
    if line is None:
        return None
    return {"total": str(line.total), "rank": line.rank, "grade": line.grade,
            "daily": str(line.daily), "exam": _text(line.exam)}


def _source_words(value: dict) -> str:
    who = "、".join(x for x in (value.get("uploaded_by") or "", value.get("job_file") or "") if x)
    at = (value.get("uploaded_at") or "")[:10]
    return f"（{at}{' ' if at and who else ''}{who}）" if at or who else ""


def _indicator_changes(old: dict | None, new: dict | None) -> list[str]:
    reasons: list[str] = []
    if old is None:
        return ["新增指标"]
    if new is None:
        return ["指标已移出方案"]
    for key, word in (("weight", "权重"), ("method", "计分方法"), ("aggregate", "汇总方式")):
        if old.get(key) != new.get(key):
            reasons.append(f"{word}由 {old.get(key)} 改为 {new.get(key)}")
    if old.get("params") != new.get("params"):
        reasons.append(f"参数由 {old.get('params')} 改为 {new.get('params')}")
    old_values = {v["period"]: v for v in old.get("values", [])}
    new_values = {v["period"]: v for v in new.get("values", [])}
    for period in sorted(set(old_values) | set(new_values)):
        a, b = old_values.get(period), new_values.get(period)
        if a is not None and b is not None and a["value"] == b["value"]:
            continue
        late = "，逾期报送" if b is not None and b.get("late") else ""
        if a is None:
            reasons.append(f"{period} 新报送数值 {b['value']}{_source_words(b)}{late}")
        elif b is None:
            reasons.append(f"{period} 数值 {a['value']} 已不存在")
        else:
            reasons.append(f"{period} 数值由 {a['value']} 改为 {b['value']}{_source_words(b)}{late}")
    if not reasons and old.get("missing") != new.get("missing"):
        reasons.append(f"缺报处理由 {old.get('missing') or '无'} 改为 {new.get('missing') or '无'}")
    if not reasons and (old.get("score") != new.get("score") or old.get("points") != new.get("points")):
        reasons.append("其他单位数据变化影响相对得分")
    return reasons


def _line_changes(old: RunLine, new: RunLine) -> tuple[list[dict], list[str]]:
    old_ind = {i["code"]: i for i in (old.detail or {}).get("indicators", [])}
    new_ind = {i["code"]: i for i in (new.detail or {}).get("indicators", [])}
    changed = []
    for code in list(new_ind) + [c for c in old_ind if c not in new_ind]:
        a, b = old_ind.get(code), new_ind.get(code)
        if a is not None and b is not None and a.get("points") == b.get("points") and a.get("value") == b.get(
                "value") and a.get("values") == b.get("values"):
            continue
        ref = b or a
        changed.append({
            "code": code, "name": ref.get("name", code),
            "old_value": a.get("value") if a else None, "new_value": b.get("value") if b else None,
            "old_points": a.get("points") if a else None, "new_points": b.get("points") if b else None,
            "reasons": _indicator_changes(a, b),
        })
    other = []
    if old.exam != new.exam:
        other.append(f"期末考试成绩由 {_text(old.exam) or '无'} 改为 {_text(new.exam) or '无'}")
    if old.bonus != new.bonus:
        other.append(f"加分由 {old.bonus} 改为 {new.bonus}")
    if old.deductions != new.deductions:
        other.append(f"扣分由 {old.deductions} 改为 {new.deductions}")
    if old.veto != new.veto:
        other.append(f"一票否决由 {'、'.join(old.veto) or '无'} 改为 {'、'.join(new.veto) or '无'}")
    return changed, other


def run_diff(old: Run, new: Run) -> list[dict]:
    """The units whose total, rank or grade differ between two runs, with the indicators that changed and why."""
    old_lines = {line.unit_id: line for line in old.lines.select_related("unit")}
    new_lines = {line.unit_id: line for line in new.lines.select_related("unit")}
    result = []
    for unit_id in set(old_lines) | set(new_lines):
        a, b = old_lines.get(unit_id), new_lines.get(unit_id)
        if a is not None and b is not None and (a.total, a.rank, a.grade) == (b.total, b.rank, b.grade):
            continue
        unit = (b or a).unit
        if a is not None and b is not None:
            changed, other = _line_changes(a, b)
        else:
            changed, other = [], ["新增被考核单位" if a is None else "该单位不在新批次中"]
        result.append({"unit": unit.code, "unit_name": unit.name, "old": _summary(a), "new": _summary(b),
                       "old_line": a.pk if a else None, "new_line": b.pk if b else None,
                       "indicators": changed, "other": other})
    result.sort(key=lambda d: ((d["new"] or d["old"])["rank"], d["unit"]))
    return result

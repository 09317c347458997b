"""The demo county's assessment year 2025 (a step of ``seed_demo``, after the ledger and the accounts).

Everything goes through the services, with the demo's accounts where a person acts: the 考核办
(``kaohe``) imports the example scheme (``examples/township-2025.yaml``), records the bonus,
deductions and a veto, and the spot checks of Nov–Dec 2025 in both papers (two units are left
without one, so the "未开展期末考试" flag shows); it computes run 1 and publishes it with an appeal
window open from today. The township account (``xiangzhen``) appeals its November 社会消费品零售总额;
the 县统计局's reporter (``tianbao``) uploads the corrected value through the ledger's import of the
indicator database (a new import job, late by now); run 2 (based on run 1) is computed and left for
the office to review, and the appeal is answered (upheld) naming it.

The small county has only the indicators of its three departments: the example is imported with
the indicators the ledger holds, their weights apportioned to 100. Spot checks draw from their own
fixed-seed ``random.Random``: the same grades on every run.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

EXAMPLE = Path(__file__).with_name("examples") / "township-2025.yaml"
YEAR = 2025
APPEAL_DAYS = 20  # publication is "now": the window stays open for the demo's visitors
APPEAL_INDICATOR = "ZB1501"  # 社会消费品零售总额, reported by 县统计局
APPEAL_PERIOD = f"{YEAR}-11"
CORRECTION = Decimal("1.18")  # two enterprises' sales were missing from the month's figure

# Units recorded with an adjustment (skipped where the county has no such unit, e.g. the small one).
ADJUSTMENTS = (
    ("白沙镇", "bonus", "省级以上表彰", "3",
     "白沙镇被省委、省政府表彰为2025年度全省乡村振兴示范镇（省委农办2025年12月通报）。"),
    ("云台乡", "bonus", "改革创新经验被上级推广", "2",
     "云台乡“村级事务一窗代办”做法被市委改革办在全市推广（市委改革办改革简报2025年第9期）。"),
    ("龙泉镇", "deduction", "安全生产责任事故", "3",
     "2025年6月龙泉镇辖区一家建材企业发生一般生产安全事故，造成1人死亡，经县应急管理局调查认定为责任事故。"),
    ("新店镇", "deduction", "被上级通报批评", "2",
     "2025年第三季度新店镇中央生态环境保护督察反馈问题整改不到位，被市政府办公室通报批评。"),
    ("双河镇", "veto", None, None,
     "2025年8月双河镇辖区一处非法采砂点发生较大生产安全事故，造成3人死亡，经调查认定属地监管责任未落实，"
     "按县委考核办法实行安全生产一票否决。"),
)
# Units the assessors did not reach before the year's end.
WITHOUT_SPOT_CHECK = ("青峰街道", "长岭镇")
# How well a unit does in the field, from -1 (poorly) to 1 (well); the others draw theirs.
FIELD_LEVEL = {"白沙镇": 0.9, "新店镇": -0.6}
GRADES = ("好", "较好", "一般", "较差", "很差")

# Paper → (scene, what the assessor noted when it went well, when it did not).
SCENES = {
    "livelihood": (
        ("便民服务中心窗口办事体验", "窗口人员主动引导，材料一次性告知，社保卡补办约15分钟办结。",
         "窗口排队较长，群众反映需往返两次补交材料，导办人员不在岗。"),
        ("村（社区）党群服务中心代办服务", "代办员熟悉事项清单，老人养老认证当场代办，台账记录完整。",
         "代办事项清单未公示，值班人员对医保转移接续流程不熟悉。"),
        ("农村人居环境整治现场察看", "村庄主干道和沟渠清理干净，垃圾分类收集点管理有序。",
         "部分农户房前屋后杂物堆放，沟渠有漂浮垃圾，长效保洁机制落实不够。"),
        ("养老服务站运营情况", "助餐点按时供餐，老人对餐食和服务评价较高，台账清楚。",
         "助餐点开放时间不固定，部分老人不知道服务项目。"),
        ("12345热线工单办理回访", "随机回访5件工单，群众对处理结果均表示满意，办理时限符合要求。",
         "回访工单中有2件群众表示问题未实际解决，存在“办结即销号”的情况。"),
        ("农村饮水安全入户察看", "入户察看8户，供水正常，水质检测记录按月公示。",
         "个别高处农户夏季用水时断时续，维修响应较慢。"),
    ),
    "enterprise": (
        ("企业走访：用地审批进度", "镇里专人跟踪项目用地报批，企业对进度和沟通表示满意。",
         "企业反映用地报批材料多次退回补正，镇里与部门衔接不够。"),
        ("企业走访：水电气报装服务", "新建厂房供电报装由镇里协调，较承诺时限提前完成。",
         "企业反映天然气接入迟迟未落实，镇里答复不清楚。"),
        ("工业园区项目推进现场", "园区在建项目按计划推进，项目专班每周调度，问题清单逐项销号。",
         "两个项目停工待料，问题清单更新不及时。"),
        ("惠企政策兑现情况", "抽查3家企业的稳岗补贴和技改奖补均已按时兑现。",
         "有企业不了解可申报的奖补政策，政策宣传和上门辅导不够。"),
        ("个体工商户开办登记体验", "全程网办指导到位，营业执照当天领取。",
         "线上申报退回后未及时告知原因，经营者多跑一趟。"),
        ("企业诉求办理跟踪", "企业提出的道路维修诉求已列入计划并开工，企业评价较好。",
         "企业反映的用工招聘诉求登记后未见回复。"),
    ),
}


def _rng(step: str, scale: str) -> random.Random:
    return random.Random(f"qingzhuang-demo/{step}/{scale}")


def _account(username: str):
    from qingzhuang.accounts.models import User

    return User.objects.filter(username=username, is_active=True).select_related("unit").first()


def apportion(total: int, weights: list[Decimal]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` into whole numbers (largest remainder; ties by position)."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (-(shares[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def scheme_text(known: set[str]) -> bytes:
    """The example scheme file; where the ledger lacks some of its indicators (the small county), the
    file without them, the remaining weights apportioned to 100."""
    from qingzhuang.assessment import schemefile

    raw = EXAMPLE.read_bytes()
    document, problems = schemefile.parse(raw, EXAMPLE.name)
    if problems:
        raise ValueError("；".join(p.message for p in problems))

    def available(row: dict) -> bool:
        names = set(re.findall(r"ZB\d{4}", str((row.get("params") or {}).get("expr", ""))))
        return row["indicator"] in known and names <= known

    rows = document["indicators"]
    if all(available(row) for row in rows):
        return raw
    rows = [row for row in rows if available(row)]
    for row, weight in zip(rows, apportion(100, [Decimal(str(r["weight"])) for r in rows]), strict=True):
        row["weight"] = weight
    document["indicators"] = rows
    trend = {code: w for code, w in (document.get("trend") or {}).get("indicators", {}).items() if code in known}
    if trend:
        document["trend"]["indicators"] = trend
    else:
        document.pop("trend", None)
    return schemefile.dump(document).encode("utf-8")


def _working_days(rng: random.Random, count: int) -> list[dt.date]:
    """``count`` different working days of 3 November to 19 December, in order."""
    start = dt.date(YEAR, 11, 3)
    days = [start + dt.timedelta(days=n) for n in range(47)]
    return sorted(rng.sample([d for d in days if d.weekday() < 5], count))


def _grades(rng: random.Random, level: float, criteria: list[str]) -> dict[str, str]:
    grades = {}
    for criterion in criteria:
        index = round(1.6 - 1.6 * level + rng.gauss(0, 0.7))
        grades[criterion] = GRADES[min(len(GRADES) - 1, max(0, index))]
    return grades


def seed_spot_checks(*, actor, scheme, units, scale: str) -> int:
    """Spot checks in both papers for every target unit but ``WITHOUT_SPOT_CHECK``: 2–3 each."""
    from qingzhuang.assessment.services.spotchecks import spotcheck_add
    from qingzhuang.orgs.models import UnitKind

    rng = _rng("assessment-spot-checks", scale)
    criteria = list(scheme.exam_criteria)
    count = 0
    for unit in units:
        level = FIELD_LEVEL.get(unit.name, rng.uniform(-0.5, 0.7))
        papers = ["livelihood", "enterprise"] + ([rng.choice(["livelihood", "enterprise"])] if rng.random() < 0.5
                                                  else [])
        if unit.name in WITHOUT_SPOT_CHECK:
            continue
        scenes = {paper: rng.sample(SCENES[paper], 2) for paper in SCENES}
        for day, paper in zip(_working_days(rng, len(papers)), papers, strict=True):
            scene, good, poor = scenes[paper].pop()
            grades = _grades(rng, level, criteria)
            mean = sum(GRADES.index(g) for g in grades.values()) / len(grades)
            notes = good if mean <= 1.5 else poor
            if unit.kind == UnitKind.STREET:
                notes = notes.replace("镇里", "街道")
            spotcheck_add(actor=actor, scheme=scheme, unit=unit, checked_on=day, scene=scene, paper=paper,
                          grades=grades, notes=notes)
            count += 1
    return count


def seed_adjustments(*, actor, scheme, units) -> int:
    from qingzhuang.assessment.services.schemes import adjustment_add

    by_name = {u.name: u for u in units}
    items = {item.name: item for item in scheme.items.all()}
    count = 0
    for name, kind, item, points, reason in ADJUSTMENTS:
        if name not in by_name:
            continue
        adjustment_add(actor=actor, scheme=scheme, unit=by_name[name], kind=kind,
                       item=items[item] if item else None, points=Decimal(points) if points else None, reason=reason)
        count += 1
    return count


def _compute(run):
    from qingzhuang.assessment.services.runs import run_compute

    run_compute(run.pk)
    run.refresh_from_db()
    if not run.is_succeeded:
        raise RuntimeError(f"demo run {run.number} failed: {run.message}")
    return run


def correct_value(*, reporter, unit, value: Decimal):
    """The department's upload of the corrected value: the ledger's import of the indicator database."""
    from qingzhuang.ledger.imports import job_create, run_job
    from qingzhuang.ledger.models import Dataset
    from qingzhuang.lib.periods import period_words

    content = f"单位代码,指标代码,期间,数值\n{unit.code},{APPEAL_INDICATOR},{APPEAL_PERIOD},{value}\n"
    name = f"{reporter.unit.name}{period_words(APPEAL_PERIOD)}社会消费品零售总额（更正）.csv"
    job = job_create(actor=reporter, dataset=Dataset.objects.get(code="indicator_values"),
                     upload=SimpleUploadedFile(name, content.encode("utf-8")), period=APPEAL_PERIOD)
    run_job(job.pk)
    job.refresh_from_db()
    if job.status != "succeeded":
        raise RuntimeError(f"demo correction was not imported: {job.message}")
    return job


def seed_reminders(*, actor, scheme) -> int:
    """The office reminds each department with values still missing (at seed scale 县统计局, which
    has not reported December's 统计数据报送及时率 for two townships); its reporters see a to-do."""
    from qingzhuang.assessment import completeness
    from qingzhuang.assessment.services.reminders import reminder_send

    sent = 0
    for row in completeness.completeness(scheme).rows:
        if row.missing:
            reminder_send(actor=actor, scheme=scheme, department=row.department,
                          message=f"{scheme.name}还缺{row.missing}项指标数据，请尽快通过一套表补报。")
            sent += 1
    return sent


def seed_step(result) -> dict[str, int]:
    """The assessment's step of the demo county (see ``qingzhuang/registry.py``)."""
    from qingzhuang.assessment import inputs
    from qingzhuang.assessment.models import AppealStatus, RunLine
    from qingzhuang.assessment.services.appeals import appeal_answer, appeal_file
    from qingzhuang.assessment.services.runs import run_publish, run_start
    from qingzhuang.assessment.services.schemes import scheme_import
    from qingzhuang.ledger.models import Indicator, IndicatorValue
    from qingzhuang.orgs.models import UnitKind

    office = _account("kaohe")
    known = set(Indicator.objects.values_list("code", flat=True))
    imported = scheme_import(actor=office, text=scheme_text(known), filename=EXAMPLE.name)
    if not imported.ok:
        raise RuntimeError("demo scheme was refused: " + "；".join(p.message for p in imported.errors))
    scheme = imported.scheme
    units = inputs.scheme_units(scheme)
    adjustments = seed_adjustments(actor=office, scheme=scheme, units=units)
    spot_checks = seed_spot_checks(actor=office, scheme=scheme, units=units, scale=result.scale)
    reminders = seed_reminders(actor=office, scheme=scheme)

    first = _compute(run_start(actor=office, scheme=scheme, note=f"{YEAR}年度考核（12月数据报送后）", enqueue=False))
    run_publish(actor=office, run=first, appeal_days=APPEAL_DAYS)
    counts = {"assessment_schemes": 1, "assessment_indicators": scheme.indicators.count(),
              "assessment_adjustments": adjustments, "assessment_spot_checks": spot_checks,
              "assessment_runs": 1, "assessment_appeals": 0}
    if reminders:
        counts["assessment_reminders"] = reminders

    township, reporter = _account("xiangzhen"), _account("tianbao")
    line = RunLine.objects.filter(run=first, unit=getattr(township, "unit", None)).select_related("unit").first()
    value = IndicatorValue.objects.filter(unit=getattr(line, "unit", None), indicator__code=APPEAL_INDICATOR,
                                          period=APPEAL_PERIOD).first()
    if line is None or reporter is None or value is None:
        return counts
    unit = line.unit
    corrected = (value.value * CORRECTION).quantize(Decimal("0.1"))
    old = f"{value.value.normalize():f}"
    appeal = appeal_file(actor=township, line=line, indicator_code=APPEAL_INDICATOR, reason=(
        f"我{'街道' if unit.kind == UnitKind.STREET else unit.name[-1]}{YEAR}年11月社会消费品零售总额报送为{old}万元，漏计了当月新纳入限额以上统计的"
        f"2家商贸企业的零售额，应为{corrected}万元，请核实更正。"))
    job = correct_value(reporter=reporter, unit=unit, value=corrected)
    second = _compute(run_start(actor=office, scheme=scheme, based_on=first,
                                note=f"采纳{unit.name}申诉，更正后重新计算", enqueue=False))
    appeal_answer(actor=office, appeal=appeal, status=AppealStatus.UPHELD, answer=(
        f"经核实，{reporter.unit.name}已于{timezone.localtime(job.created_at):%Y年%m月%d日}重新报送{unit.name}{YEAR}年11月社会消费品零售总额"
        f"（{old}万元更正为{corrected}万元）。已按更正后的数据重新计算（第{second.number}批次），审定后发布。"))
    counts.update(assessment_runs=2, assessment_appeals=1)
    return counts


def summary(result) -> str:
    c = result.counts
    if "assessment_runs" not in c:
        return ""
    line = (f"无感考核：{YEAR}年度方案 {c['assessment_indicators']} 个指标，期末考试抽查 {c['assessment_spot_checks']} 次，"
            f"加减分和一票否决 {c['assessment_adjustments']} 项；第1批次成绩已发布")
    if c["assessment_appeals"]:
        line += f"，申诉 {c['assessment_appeals']} 件（已采纳），更正数据后的第2批次待发布"
    return line + "。"

"""What of the assessment a user reaches. The only scope code of the app (see docs/architecture.md).

- The assessment office (``assessment.manage_scheme``, county-wide) manages schemes, records
  adjustments and spot checks, computes and publishes runs and answers appeals: it sees everything.
- ``assessment.view_all_runs`` (leaders) reads every line of published runs.
- Everyone else reads only the lines of their own scope's units in *published* runs; an assessed
  unit never sees a spot check record itself, nor anything of a run before it is published.

Forbidden and missing answer the same 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from qingzhuang.assessment.models import Adjustment, Appeal, Run, RunLine, Scheme, SpotCheck
from qingzhuang.orgs import access

MANAGE = "assessment.manage_scheme"
VIEW_ALL = "assessment.view_all_runs"
FILE_APPEAL = "assessment.file_appeal"

MANAGE_DENIED = "只有考核办可以管理考核方案和成绩"
SCHEME_NOT_FOUND = "未找到该考核方案"
RUN_NOT_FOUND = "未找到该成绩计算批次"
LINE_NOT_FOUND = "未找到该单位的成绩单"
SPOTCHECK_NOT_FOUND = "未找到该关键事项记录"
ADJUSTMENT_NOT_FOUND = "未找到该加减分记录"
APPEAL_NOT_FOUND = "未找到该申诉"


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def can_manage(user) -> bool:
    """The assessment office: the permission, county-wide. ``None`` is the system."""
    if user is None:
        return True
    return _active(user) and user.has_perm(MANAGE) and access.is_county_wide(user)


def can_view_all(user) -> bool:
    """Reads every unit's lines of published runs (leaders), or everything (the office)."""
    if can_manage(user):
        return True
    return _active(user) and user.has_perm(VIEW_ALL) and access.is_county_wide(user)


def require_manage(actor) -> None:
    if not can_manage(actor):
        raise PermissionDenied(MANAGE_DENIED)


def visible_schemes(user) -> QuerySet[Scheme]:
    """Schemes: all for the office; for others, schemes with a run they may read."""
    schemes = Scheme.objects.all()
    if can_manage(user):
        return schemes
    if not _active(user):
        return schemes.none()
    return schemes.filter(pk__in=visible_runs(user).values("scheme_id"))


def get_scheme_or_404(user, *, code: str | None = None, pk: int | None = None) -> Scheme:
    try:
        lookup = {"code": code} if code is not None else {"pk": pk}
        return visible_schemes(user).select_related("owner").get(**lookup)
    except (Scheme.DoesNotExist, ValueError, TypeError):
        raise Http404(SCHEME_NOT_FOUND) from None


def visible_runs(user) -> QuerySet[Run]:
    """Runs: all for the office; published ones for leaders and for units with a line in them."""
    runs = Run.objects.all()
    if can_manage(user):
        return runs
    if not _active(user):
        return runs.none()
    published = runs.filter(published_at__isnull=False)
    if can_view_all(user):
        return published
    return published.filter(pk__in=visible_lines(user).values("run_id"))


def get_run_or_404(user, pk: int) -> Run:
    try:
        return visible_runs(user).select_related("scheme").get(pk=pk)
    except (Run.DoesNotExist, ValueError, TypeError):
        raise Http404(RUN_NOT_FOUND) from None


def visible_lines(user) -> QuerySet[RunLine]:
    """Lines: all for the office; published ones for leaders; else the own scope's published lines."""
    lines = RunLine.objects.all()
    if can_manage(user):
        return lines
    if not _active(user):
        return lines.none()
    published = lines.filter(run__published_at__isnull=False)
    if can_view_all(user):
        return published
    return published.filter(access.unit_q(user, "unit"))


def get_line_or_404(user, pk: int) -> RunLine:
    try:
        return visible_lines(user).select_related("run", "run__scheme", "unit").get(pk=pk)
    except (RunLine.DoesNotExist, ValueError, TypeError):
        raise Http404(LINE_NOT_FOUND) from None


def visible_spot_checks(user) -> QuerySet[SpotCheck]:
    """Spot check records: the office only. An assessed unit sees them only inside a published line."""
    checks = SpotCheck.objects.all()
    return checks if can_manage(user) else checks.none()


def get_spot_check_or_404(user, pk: int) -> SpotCheck:
    try:
        return visible_spot_checks(user).select_related("scheme", "unit", "assessor").get(pk=pk)
    except (SpotCheck.DoesNotExist, ValueError, TypeError):
        raise Http404(SPOTCHECK_NOT_FOUND) from None


def visible_adjustments(user) -> QuerySet[Adjustment]:
    adjustments = Adjustment.objects.all()
    return adjustments if can_manage(user) else adjustments.none()


def get_adjustment_or_404(user, pk: int) -> Adjustment:
    try:
        return visible_adjustments(user).select_related("scheme", "unit", "item").get(pk=pk)
    except (Adjustment.DoesNotExist, ValueError, TypeError):
        raise Http404(ADJUSTMENT_NOT_FOUND) from None


def visible_appeals(user) -> QuerySet[Appeal]:
    """Appeals: all for the office; else those against lines the user reads."""
    appeals = Appeal.objects.all()
    if can_manage(user):
        return appeals
    if not _active(user):
        return appeals.none()
    return appeals.filter(line__in=visible_lines(user))


def get_appeal_or_404(user, pk: int) -> Appeal:
    try:
        return visible_appeals(user).select_related("line", "line__run", "line__unit").get(pk=pk)
    except (Appeal.DoesNotExist, ValueError, TypeError):
        raise Http404(APPEAL_NOT_FOUND) from None


def can_appeal(user, line: RunLine) -> bool:
    """Whether ``user`` may appeal ``line``: the permission, and the line's unit in their own scope."""
    return (_active(user) and user.has_perm(FILE_APPEAL)
            and line.run.is_published and access.can_see_unit(user, line.unit))

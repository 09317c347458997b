"""The scheme pages' targets of the permission matrix: a scheme of the county office and a veto of
甲镇 whose reason names 张三 (a marker the matrix looks for in answers to outsiders)."""

from decimal import Decimal

from django.db import transaction


def objects(ctx) -> dict:
    from qingzhuang.assessment.models import Adjustment, Scheme, SchemeItem

    county = ctx["county"]
    with transaction.atomic():
        scheme = Scheme.objects.create(code="matrix-2025", name="矩阵测试方案", year=2025,
                                       target_kinds=["township"], owner=county["root"],
                                       grades=[{"name": "优秀", "min": "90"}, {"name": "较差", "min": "0"}])
        SchemeItem.objects.create(scheme=scheme, kind="bonus", name="表彰", max_points=Decimal(3))
        adjustment = Adjustment.objects.create(scheme=scheme, unit=county["town_a"], kind="veto",
                                               reason="张三所在甲村一网格发生事故")
    return {"scheme": scheme, "adjustment": adjustment}


def targets(ctx) -> dict:
    scheme, adjustment = ctx["scheme"].pk, ctx["adjustment"].pk
    return {
        "assessment:scheme_detail": {"pk": scheme},
        "assessment:scheme_export": {"pk": scheme},
        "assessment:scheme_edit": {"pk": scheme},
        "assessment:scheme_copy": {"pk": scheme},
        "assessment:scheme_delete": {"pk": scheme},
        "assessment:adjustment_list": {"pk": scheme},
        "assessment:adjustment_delete": {"pk": scheme, "adjustment_id": adjustment},
        "assessment:adjustment_evidence": {"pk": scheme, "adjustment_id": adjustment},
        "api:get_scheme": {"code": "matrix-2025"},
        "api:export_scheme": {"code": "matrix-2025"},
        "api:copy_scheme": {"code": "matrix-2025"},
        "api:list_adjustments": {"code": "matrix-2025"},
        "api:add_adjustment": {"code": "matrix-2025"},
    }

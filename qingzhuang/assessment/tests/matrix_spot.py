"""期末考试 and 数据完整度 targets of the permission matrix: a scheme of the county office and a spot
check of 甲镇 (its scene names 甲村一网格, so a leak would show) with a photo row."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

SCHEME_CODE = "matrix-spot-2025"


def objects(ctx) -> dict:
    from qingzhuang.assessment.models import SpotCheck, SpotCheckPhoto
    from qingzhuang.assessment.tests.spot_world import GOOD, make_scheme

    county = ctx["county"]
    with transaction.atomic():
        scheme = make_scheme(county["root"], code=SCHEME_CODE)
        check = SpotCheck.objects.create(scheme=scheme, unit=county["town_a"], checked_on=dt.date(2025, 6, 3),
                                         scene="甲村一网格旁的便民服务点", paper="livelihood", grades=dict(GOOD),
                                         notes="张三反映排队较长", assessor=ctx["users"]["assessment"])
        # A row only: the matrix writes no file (the office would get 404 for the missing file too).
        photo = SpotCheckPhoto.objects.create(spot_check=check, image="assessment/photos/matrix.jpg",
                                              original_name="甲村一网格.jpg")
    return {"spot_scheme": scheme, "spot_check": check, "spot_photo": photo}


def targets(ctx) -> dict:
    check, photo = ctx["spot_check"].pk, ctx["spot_photo"].pk
    return {
        "assessment:spotcheck_detail": {"pk": check},
        "assessment:spotcheck_delete": {"pk": check},
        "assessment:spotcheck_photo": {"pk": check, "photo": photo},
        "api:get_spot_check": {"check_id": check},
        "api:delete_spot_check": {"check_id": check},
        "api:get_completeness": {"scheme_code": SCHEME_CODE},
    }

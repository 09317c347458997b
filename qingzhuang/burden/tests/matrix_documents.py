"""The document registry's and 一网协同's targets of the permission matrix: a 县统计局 document
reaching 甲村一网格, and a circulation the 县统计局 sent to 甲村一网格 (both named after it)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction


def objects(ctx) -> dict:
    from qingzhuang.burden.models import Circulation, CirculationReceipt, Document

    county = ctx["county"]
    grid = county["grid_a"]
    with transaction.atomic():
        document = Document.objects.create(issuer=county["stats"], number="青统发〔2025〕1号", title="甲村一网格走访通知",
                                           issued_on=dt.date(2025, 3, 1), kind="special", chars=100)
        document.target_units.set([grid])
        circulation = Circulation.objects.create(title="甲村一网格收文", body="甲村一网格：请阅。", kind="notice",
                                                 sender=county["stats"], sent_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC))
        CirculationReceipt.objects.create(circulation=circulation, unit=grid)
    return {"document": document, "circulation": circulation}


def targets(ctx) -> dict:
    document, circulation = ctx["document"].pk, ctx["circulation"].pk
    return {
        "burden:document_detail": {"pk": document},
        "burden:document_edit": {"pk": document},
        "burden:document_judge": {"pk": document},
        "burden:document_explain": {"code": ctx["county"]["stats"].code, "year": 2025},
        "burden:circulation_detail": {"pk": circulation},
        "burden:circulation_remind": {"pk": circulation},
        "burden:circulation_attachment": {"pk": circulation},
        "api:get_document": {"document_id": document},
        "api:update_document": {"document_id": document},
        "api:get_circulation": {"circulation_id": circulation},
        "api:read_circulation": {"circulation_id": circulation},
        "api:remind_circulation": {"circulation_id": circulation},
    }

"""The ledger's targets of the permission matrix (tests/test_permission_matrix.py): a 甲村 record of
张三, a failed import of it by 甲镇's member, a 统计局 report and data request asking 甲村一网格,
and a demand on it."""

from django.db import transaction


def objects(ctx) -> dict:
    from qingzhuang.burden.models import Demand, DemandKind
    from qingzhuang.ledger.builtins import ensure_builtin_catalog
    from qingzhuang.ledger.models import (
        Admission,
        DataElement,
        DataRequest,
        DataRequestField,
        Dataset,
        ImportJob,
        Record,
        Report,
    )

    county = ctx["county"]
    with transaction.atomic():
        ensure_builtin_catalog()
        population = Dataset.objects.get(code="population")
        data = {"name": "张三", "id_number": "11010519491231002X", "phone": "13812345678",
                "unit_code": county["village_a"].code}
        record = Record.objects.create(dataset=population, unit=county["village_a"], key=data["id_number"],
                                       data=data)
        job = ImportJob.objects.create(
            dataset=population, uploaded_by=ctx["users"]["member"], file="ledger/imports/x.csv",
            original_name="甲村一网格.csv", status="failed",
            errors=[{"row": 2, "column": "姓名", "value": "张三", "code": "x", "message": "有误"}])
        grid = county["grid_a"]
        report = Report.objects.create(name="甲村一网格走访月报", owner=county["stats"], manual_fields=["走访次数"],
                                       dataset=population, admission=Admission.APPROVED)
        report.target_units.set([grid])
        data_request = DataRequest.objects.create(title="甲村一网格低保核查", owner=county["stats"],
                                                  fields_text="身份证号、家中养狗数量", admission=Admission.APPROVED)
        data_request.target_units.set([grid])
        field = DataRequestField.objects.create(request=data_request, text="户籍地址", outcome="related",
                                                element=DataElement.objects.get(code="home_address"),
                                                dataset=population)
        demand = Demand.objects.create(kind=DemandKind.REPORT, source=report, unit=grid, placed_by=county["stats"],
                                       title=report.name, month="2025-06", round="2025-06", fields=["走访次数"])
    return {"record": record, "job": job, "report": report, "data_request": data_request, "demand": demand,
            "request_field": field}


def targets(ctx) -> dict:
    village = ctx["county"]["village_a"].code
    record, job = ctx["record"].pk, ctx["job"].pk
    report, data_request = ctx["report"].pk, ctx["data_request"].pk
    return {
        "ledger:dataset_detail": {"code": "population"},
        "ledger:dataset_units": {"code": "population"},
        "ledger:dataset_export": {"code": "population"},
        "ledger:dataset_import": {"code": "population"},
        "ledger:dataset_import_template": {"code": "population"},
        "ledger:record_detail": {"code": "population", "pk": record},
        "ledger:record_reveal": {"code": "population", "pk": record},
        "ledger:job_detail": {"pk": job},
        "ledger:job_progress": {"pk": job},
        "ledger:job_errors": {"pk": job},
        "ledger:job_retry": {"pk": job},
        "api:get_dataset": {"code": "population"},
        "api:list_records": {"code": "population"},
        "api:get_record": {"code": "population", "pk": record},
        "api:import_dataset": {"code": "population"},
        "api:export_dataset": {"code": "population"},
        "api:get_job": {"job_id": job},
        "api:retry_job": {"job_id": job},
        **{f"ledger:{name}": {"pk": report} for name in (
            "report_detail", "report_edit", "report_fill", "report_export", "report_submit", "report_review",
            "report_register", "report_send")},
        **{f"ledger:{name}": {"pk": data_request} for name in (
            "request_detail", "request_edit", "request_submit", "request_review", "request_send")},
        "ledger:request_field_confirm": {"pk": data_request, "field_id": ctx["request_field"].pk},
        "api:confirm_data_request_field": {"request_id": data_request, "field_id": ctx["request_field"].pk},
        "burden:demand_detail": {"pk": ctx["demand"].pk},
        "burden:burden_unit": {"code": village},
        **{f"api:{name}": {"report_id": report} for name in (
            "get_report", "submit_report", "review_report", "register_report", "fill_report", "send_report")},
        **{f"api:{name}": {"request_id": data_request} for name in (
            "get_data_request", "submit_data_request", "review_data_request", "send_data_request")},
        "api:fill_demand": {"demand_id": ctx["demand"].pk},
    }

"""The scorecard pages' matrix targets: a published run whose 甲镇 line names 张三 (an uploader) and
甲村一网格 (a spot check's scene); 乙镇 has its own line in it."""


def objects(ctx) -> dict:
    from qingzhuang.assessment.tests.pages_data import make_run

    run = make_run(ctx["county"], number=901)
    line = run.lines.get(unit=ctx["county"]["town_a"])
    for item in line.detail["indicators"]:
        for value in item["values"]:
            value["uploaded_by"] = "张三"
    line.detail["spot_checks"][0]["scene"] = "甲村一网格走访"
    line.save()
    return {"assessment_run": run, "assessment_line": line}


def targets(ctx) -> dict:
    run, line = ctx["assessment_run"], ctx["assessment_line"]
    return {
        "assessment:run_detail": {"pk": run.pk},
        "assessment:run_export": {"pk": run.pk},
        "assessment:line_detail": {"pk": line.pk},
        "assessment:line_docx": {"pk": line.pk},
    }

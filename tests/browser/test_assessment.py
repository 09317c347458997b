"""A township's scorecard in real Chromium: the radar chart and the trend chart are drawn at phone
and desktop widths, nothing is wider than the screen, and the appeal form is there."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}


def watch(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def painted(canvas) -> int:
    """How many pixels of the canvas are not transparent, once ECharts' animation has run."""
    count = 0
    for _ in range(20):
        count = canvas.evaluate(
            "c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;"
            " for (let i = 3; i < d.length; i += 4) { if (d[i]) n++; } return n; }")
        if count > 1000:
            break
        canvas.page.wait_for_timeout(100)
    return count


def test_line_detail_draws_its_charts(page, phone_page, live_server, county, users):
    from qingzhuang.assessment.tests.pages_data import make_run

    line = make_run(county).lines.get(unit=county["town_a"])
    for current, width in ((phone_page, 390), (page, DESKTOP["width"])):
        if current is page:
            page.set_viewport_size(DESKTOP)
        errors = watch(current)
        login(current, live_server, "member", PASSWORD)
        current.goto(f"{live_server.url}/assessment/lines/{line.pk}/")
        expect(current.get_by_test_id("line-total")).to_contain_text("88.81")
        for key in ("chart-radar", "chart-trend"):
            container = current.get_by_test_id(key)
            expect(container).to_have_attribute("data-drawn", "true")
            canvas = container.locator("canvas").first
            expect(canvas).to_be_visible()
            box = canvas.bounding_box()
            assert 200 < box["width"] <= width and box["height"] >= 200
            # Something is painted on it (not a blank canvas).
            assert painted(canvas) > 1000
        assert current.evaluate("document.documentElement.scrollWidth") <= width
        expect(current.get_by_test_id("appeal-form")).to_be_visible()
        assert errors == []


def test_scheme_editor_totals_the_weights_as_they_are_typed(page, live_server, county, users):
    from qingzhuang.assessment.services import schemes as services
    from qingzhuang.assessment.tests.scheme_world import EXAMPLE, make_indicators

    make_indicators(county)
    scheme = services.scheme_import(actor=users["assessment"], text=EXAMPLE.read_bytes(), filename="a.yaml").scheme
    errors = watch(page)
    page.set_viewport_size(DESKTOP)
    login(page, live_server, users["assessment"].username, PASSWORD)
    page.goto(f"{live_server.url}/assessment/schemes/{scheme.pk}/edit/")
    total = page.get_by_test_id("weight-total")
    expect(total).to_have_text("100（正确）")
    first = page.locator(".js-weight").first
    before = first.input_value()
    first.fill(str(int(before) + 1) if before.isdigit() else "1")
    expect(total).to_contain_text("（应为 100）")
    first.fill(before)
    expect(total).to_have_text("100（正确）")
    first.fill("五")
    expect(total).to_have_text("有权重不是数字")
    assert errors == []

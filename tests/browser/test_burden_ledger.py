"""A village's burden ledger page in real Chromium: the stacked chart of asks by month and kind is
drawn at phone and desktop widths, and nothing is wider than the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from qingzhuang.burden.tests.conftest import placing  # noqa: F401
from qingzhuang.burden.tests.ledger_world import YEAR, world  # noqa: F401
from tests.browser.conftest import login
from tests.browser.test_assessment import painted, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_unit_page_draws_its_chart(page, phone_page, live_server, world):  # noqa: F811
    for current, width in ((phone_page, 390), (page, 1366)):
        if current is page:
            page.set_viewport_size({"width": 1366, "height": 900})
        errors = watch(current)
        login(current, live_server, world["cun"].username, PASSWORD)
        current.goto(f"{live_server.url}/burden/units/429901001201/?year={YEAR}")
        expect(current.get_by_test_id("unit-count")).to_have_text("4 项")
        container = current.get_by_test_id("chart-burden-unit-by-month")
        expect(container).to_have_attribute("data-drawn", "true")
        canvas = container.locator("canvas").first
        expect(canvas).to_be_visible()
        box = canvas.bounding_box()
        assert 200 < box["width"] <= width and box["height"] >= 200
        assert painted(canvas) > 1000
        assert current.evaluate("document.documentElement.scrollWidth") <= width
        # The entries filter by kind in place (htmx).
        current.get_by_label("类型", exact=True).select_option("meeting")
        expect(current.get_by_test_id("entry")).to_have_count(2)
        assert errors == []

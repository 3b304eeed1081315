"""The demo trainee opens their dashboard: the readiness verdict and the charts drawn.

Ayesha reads Urdu, so the test reads the page's structure (ids, classes), not its words.
"""

from playwright.sync_api import expect

from demo.seed import DEMO_PASSWORD


def test_the_demo_trainee_sees_the_readiness_verdict_and_a_drawn_chart(
    page, live_server, demo, console_errors
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("trainee")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/trainee/")
    expect(page.locator("html")).to_have_attribute("lang", "ur")

    # The demo's payload specialist is not yet ready: the verdict and what is missing.
    readiness = page.locator("section[aria-labelledby='readiness-heading']")
    expect(readiness.locator(".badge.tt-not-ready")).to_be_visible()
    expect(readiness.locator("ul li").first).to_be_visible()
    # One of her qualifications is expiring, as the demo was built to show.
    expect(page.locator(".badge.tt-currency-expiring").first).to_be_visible()

    hours = page.locator("#hours-chart")
    expect(hours).to_have_attribute("data-chart-ready", "true")
    box = hours.bounding_box()
    assert box["width"] > 100 and box["height"] > 100
    drawn = page.evaluate(
        """() => {
            const chart = window.Chart.getChart(document.getElementById("hours-chart"));
            return chart ? chart.data.datasets.length : 0;
        }"""
    )
    assert drawn >= 1
    # Each fitness metric is drawn too, with its standard where it has one.
    metrics = page.locator("canvas[data-chart='metric']")
    assert metrics.count() >= 3
    expect(metrics.first).to_have_attribute("data-chart-ready", "true")
    assert console_errors == []

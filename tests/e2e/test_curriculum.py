"""The demo admin changes the curriculum in the browser: a draft, a module, publish."""

import re

from playwright.sync_api import expect

from curriculum.models import Module, ProgrammeRevision
from demo.seed import DEMO_PASSWORD


def test_the_demo_admin_adds_a_module_with_a_prerequisite_and_publishes(
    page, live_server, demo, console_errors
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme")

    page.get_by_role("button", name="Start a new revision").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("revision 2")
    page.get_by_role("link", name="Add a module").click()
    page.get_by_label("Code").fill("SR-410")
    page.get_by_label("Title").fill("Plant growth in microgravity")
    page.get_by_label("Category").select_option(label="Scientific research techniques")
    page.get_by_label("Required hours").fill("6")
    page.get_by_label(re.compile(r"\bSR-401\b")).check()
    page.get_by_role("button", name="Save").click()

    module = page.locator("article", has_text="SR-410 Plant growth in microgravity")
    expect(module).to_contain_text("Prerequisites: SR-401")
    page.get_by_role("link", name="Publish").click()
    page.get_by_role("button", name="Publish").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Programme")
    expect(page.get_by_text("Revision 2, published")).to_be_visible()
    item = page.locator("li", has_text="SR-410 Plant growth in microgravity")
    expect(item).to_contain_text("after SR-401")
    revision = ProgrammeRevision.objects.get(number=2)
    assert revision.is_published
    added = Module.objects.get(revision=revision, code="SR-410")
    assert list(added.prerequisites.values_list("code", flat=True)) == ["SR-401"]
    assert console_errors == []

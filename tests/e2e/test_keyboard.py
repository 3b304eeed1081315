"""The session-logging form works by keyboard alone.

No click and no `fill`: the test presses Tab, Shift+Tab, arrow keys, Space and Enter and types,
as someone without a mouse would, and reads only where the focus is and whether it shows.
"""

from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.e2e.test_sign_in import sign_in
from tests.factories import TraineeFactory, TrainingSessionFactory
from trainees.models import SessionAttendance, TrainingSession

FOCUSED = """() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    return {
        name: element.getAttribute("name") || "",
        tag: element.tagName.toLowerCase(),
        text: (element.innerText || element.value || "").trim(),
        focusVisible: element.matches(":focus-visible"),
        // The browser's ring or Bootstrap's: an outline or a box shadow, not neither.
        shows: style.outlineStyle !== "none" && style.outlineWidth !== "0px"
            || style.boxShadow !== "none",
    };
}"""


def tab_to(page, wanted, limit=80):
    """Press Tab until the focus is on the element `wanted(focused)` picks; check it shows."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if wanted(focused):
            assert focused["focusVisible"] and focused["shows"], focused
            return focused
    raise AssertionError("the keyboard never reached the element")


def test_a_trainer_logs_a_session_by_keyboard_alone(
    page, live_server, world, trainer, console_errors
):
    cohort = world["cohort_a"]
    crew = [world["trainee_a"], TraineeFactory(cohort=cohort)]
    session = TrainingSessionFactory(cohort=cohort, trainer=trainer, status="scheduled")
    assert session.module.competencies.exists()
    session.trainees.set(crew)
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, trainer.username)
    page.goto(f"{live_server.url}/sessions/{session.pk}/log/")

    for index in range(len(crew)):
        tab_to(page, lambda f: f["tag"] == "select" and "attendance" in f["name"])
        # A closed select changes with the arrow keys: present -> late.
        page.keyboard.press("ArrowDown")
        tab_to(page, lambda f: "hours_credited" in f["name"])
        page.keyboard.press("Control+A")
        page.keyboard.type("1.5")
        tab_to(page, lambda f: f["tag"] == "select" and "-c" in f["name"])
        for _ in range(4):  # Not observed -> 1 -> 2 -> 3 -> 4
            page.keyboard.press("ArrowDown")
        tab_to(page, lambda f: "remarks" in f["name"])
        page.keyboard.type(f"Line {index + 1}, typed without a mouse.")

    tab_to(page, lambda f: f["tag"] in {"button", "input"} and f["text"] == "Save the log")
    page.keyboard.press("Enter")
    expect(page.locator(".alert-success")).to_contain_text("The session is logged.")

    session.refresh_from_db()
    assert session.status == TrainingSession.Status.COMPLETED
    logged = SessionAttendance.objects.filter(session=session).order_by("remarks")
    assert [line.remarks for line in logged] == [
        "Line 1, typed without a mouse.",
        "Line 2, typed without a mouse.",
    ]
    assert {(line.attendance, str(line.hours_credited)) for line in logged} == {("late", "1.50")}
    # The first competency graded 4 by the arrow keys, the rest left "Not observed".
    competencies = session.module.competencies.count()
    for line in logged:
        grades = sorted(line.grades.values_list("grade", flat=True), key=str)
        assert grades == [4] + [None] * (competencies - 1), grades
    assert console_errors == []

"""The vendored faces load for an Urdu and a Chinese page.

The pages name their own fonts (static/css/app.css: "TT Urdu" is Noto Nastaliq Urdu, "TT
Chinese" a Noto Sans SC subset), each limited by unicode-range to its script, so a machine without
system CJK or Arabic-script fonts still draws the text, not empty boxes. `document.fonts.check`
alone would say true for a face the page never declared; the test also asks that the declared
face itself was fetched and loaded, and that its glyphs are what the text is drawn with.
"""

import pytest
from django.conf import settings

FACES = [
    ("ur", "TT Urdu", "اردو"),
    ("zh-hans", "TT Chinese", "训练"),
]
LOADED = """async ([family, sample]) => {
    await document.fonts.ready;
    const faces = [...document.fonts].filter((face) => face.family.replace(/"/g, "") === family);
    // The vendored face against a generic fallback: drawn with it, the sample's width differs.
    const canvas = document.createElement("canvas").getContext("2d");
    canvas.font = `32px "${family}", monospace`;
    const withFace = canvas.measureText(sample).width;
    canvas.font = "32px monospace";
    const fallback = canvas.measureText(sample).width;
    return {
        declared: faces.length,
        loaded: faces.filter((face) => face.status === "loaded").length,
        check: document.fonts.check(`16px "${family}"`, sample),
        bodyFont: getComputedStyle(document.body).fontFamily,
        differs: withFace !== fallback,
    };
}"""


@pytest.mark.parametrize("language, family, sample", FACES, ids=["ur", "zh-hans"])
def test_the_vendored_face_loads_for_the_script(
    page, live_server, console_errors, language, family, sample
):
    fonts = []
    page.on("response", lambda r: "/static/fonts/" in r.url and fonts.append(r.status))
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == language

    state = page.evaluate(LOADED, [family, sample])
    assert state["declared"] >= 1, state
    assert state["loaded"] >= 1, state
    assert state["check"], state
    assert state["differs"], state
    assert family in state["bodyFont"], state
    assert fonts and all(status == 200 for status in fonts), fonts
    assert console_errors == []

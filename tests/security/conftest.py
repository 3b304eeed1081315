from collections import defaultdict

COVERED: dict[str, dict] = defaultdict(
    lambda: {"pages": set(), "forms": 0, "parameters": set(), "examples": 0}
)


def pytest_runtest_logreport(report):
    if report.when != "call":
        return
    for name, counts in report.user_properties:
        if name != "hostile":
            continue
        kind = COVERED[counts["kind"]]
        kind["pages"].update(counts["pages"])
        kind["forms"] += counts["forms"]
        kind["parameters"].update(counts["parameters"])
        kind["examples"] += counts["examples"]


def pytest_terminal_summary(terminalreporter):
    if not COVERED:
        return
    pages = set().union(*(kind["pages"] for kind in COVERED.values()))
    total = sum(kind["examples"] for kind in COVERED.values())
    terminalreporter.write_line(
        f"hostile input: {total} examples on {len(pages)} pages, "
        f"{sum(k['forms'] for k in COVERED.values())} forms, "
        f"{len(set().union(*(k['parameters'] for k in COVERED.values())))} query parameters"
    )
    for name, kind in sorted(COVERED.items()):
        terminalreporter.write_line(
            f"  {name}: {kind['examples']} examples, {len(kind['pages'])} pages, "
            f"{kind['forms']} forms, {len(kind['parameters'])} parameters"
        )

from . import EXAMPLES


def pytest_terminal_summary(terminalreporter):
    if EXAMPLES:
        terminalreporter.write_line(
            f"hostile input: {sum(EXAMPLES.values())} examples posted to {len(EXAMPLES)} pages"
        )

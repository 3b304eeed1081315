# Examples posted per page by test_hostile_input, printed at the end of the run (conftest.py).
EXAMPLES: dict[str, int] = {}

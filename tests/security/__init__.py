"""What the hostile-input tests covered, printed at the end of the run (conftest.py).

Each test records its counts in its report (`record`), so they add up across pytest-xdist's
worker processes as in one process. `examples(n)`: n per run in the normal suite, many more
under `HYPOTHESIS_PROFILE=fuzz` (`make fuzz`).
"""

import os

from hypothesis import HealthCheck, settings

FUZZ = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
# How many times more examples a fuzz run makes than the normal suite (which draws new ones on
# every run: no example database).
FUZZ_SCALE = int(os.environ.get("FUZZ_SCALE", "8"))
settings.register_profile(
    "fuzz",
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
if FUZZ:
    settings.load_profile("fuzz")


def examples(n: int) -> int:
    return n * FUZZ_SCALE if FUZZ else n


def record(request, kind: str, *, pages=(), forms=0, parameters=(), examples=0) -> None:
    """Add to the run's counts: `kind` (forms, query, htmx, url, import), the pages reached, the
    forms posted to, the query parameters sent, and the examples."""
    request.node.user_properties.append(
        (
            "hostile",
            {
                "kind": kind,
                "pages": sorted(pages),
                "forms": forms,
                "parameters": sorted(parameters),
                "examples": examples,
            },
        )
    )

"""Seed a served database for tests/api/test_schemathesis.py: the personas, the world and a
read and a read-write token of the trainer's, printed as JSON. Run as
`python -m tests.api.served` with the server's environment."""

import json

import django


def main() -> None:
    django.setup()
    from django.db import transaction

    from tests.api.conftest import token_for
    from tests.conftest import build_world, make_personas

    with transaction.atomic():
        personas = make_personas()
        world = build_world(personas)
        tokens = {
            "read": token_for(personas["trainer"], "read"),
            "write": token_for(personas["trainer"], "write"),
            "medic": token_for(personas["medic"], "read"),
        }
    print(json.dumps({"tokens": tokens, "cohort": world["cohort_a"].pk}))


if __name__ == "__main__":
    main()

"""Run the test OpenID provider: `python -m tests.oidc_provider.serve PORT SETUP_JSON`.

Migrates its SQLite file, makes the people and the tracker's client that SETUP_JSON lists, then
answers on 127.0.0.1:PORT until it is stopped. Prints "ready" once it listens.
"""

import json
import os
import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def main() -> None:
    port, setup = int(sys.argv[1]), json.loads(sys.argv[2])
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    for person in setup["people"]:
        User.objects.create_user(
            username=person["username"],
            password=person["password"],
            email=person["email"],
            last_name=person.get("last_name", ""),
        )
    client = setup["client"]
    Application.objects.create(
        name="Training tracker",
        client_id=client["id"],
        client_secret=client["secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=client["redirect_uri"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    server = make_server("127.0.0.1", port, WSGIHandler(), handler_class=QuietHandler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

"""bench/run: the app under gunicorn with production settings, driven by wrk. See
docs/benchmarks.md.

Steps: migrate, collectstatic into a temporary STATIC_ROOT, `seed_demo --scale N` (once), make
the session-log pool (bench/prepare.py), start gunicorn, sign in over HTTP with the header a TLS
proxy would add (`X-Forwarded-Proto: https`), then for each page and each number of users run
wrk from a second process. Prints a table and writes bench/results/<time>.json.

More scenarios (the weekly reports, say) are added to SCENARIOS or as a function
called from `main`, writing their numbers into the same result dictionary.
"""

import argparse
import datetime as dt
import html.parser
import http.client
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PASSWORD = "tiangong-demo"


def run(cmd, env, **kwargs):
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, **kwargs)


class Browser:
    """Just enough of one: keeps the cookies (Secure ones too, since TLS is simulated)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.origin = f"https://{HOST}:{port}"

    def request(
        self, method: str, path: str, form: dict | str | None = None, token: str | None = None
    ):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        headers = {
            "Host": f"{HOST}:{self.port}",
            "X-Forwarded-Proto": "https",
            "Cookie": self.cookie_header(),
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = None
        if form is not None:
            body = form if isinstance(form, str) else urllib.parse.urlencode(form)
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": self.origin + path,
                "Origin": self.origin,
            }
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode()
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        conn.close()
        return response.status, response.headers, text

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def sign_in(self, username: str) -> None:
        status, _, page = self.request("GET", "/accounts/login/")
        fields = FormFields.of(page, having="password")
        fields.update(username=username, password=PASSWORD)
        status, _headers, _ = self.request("POST", "/accounts/login/", fields)
        if status != 302:
            raise SystemExit(f"Signing in as {username} failed ({status}).")


class FormFields(html.parser.HTMLParser):
    """The values a browser would submit from the page's first POST form having a field."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self.fields: dict[str, str] | None = None
        self.select = None
        self.textarea = None

    @classmethod
    def of(cls, page: str, having: str) -> dict:
        parser = cls()
        parser.feed(page)
        return next(f for f in parser.forms if having in f)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.fields = {}
            self.forms.append(self.fields)
        if self.fields is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields[name] = a.get("value", "on")
            elif kind not in ("submit", "button"):
                self.fields[name] = a.get("value") or ""
        elif tag == "select" and name:
            self.select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self.select and "selected" in a:
            self.fields[self.select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self.textarea = name
            self.fields[name] = ""

    def handle_data(self, data):
        if self.textarea and self.fields is not None:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.fields = None


def machine() -> dict:
    def out(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()
        except FileNotFoundError:
            return ""

    return {
        "nproc": os.cpu_count(),
        "memory": out(["free", "-g"]),
        "uname": platform.uname()._asdict(),
        "python": platform.python_version(),
        "wrk": out(["wrk", "-v"]).splitlines()[0] if out(["wrk", "-v"]) else "",
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def wrk(*, port, path, users, seconds, browser, pool_file=None, token=None, post_path=None) -> dict:
    threads = min(2, users)
    env = os.environ | {
        "BENCH_COOKIE": browser.cookie_header(),
        # The API's scenario: the personal access token (the cookie opens no API endpoint).
        "BENCH_AUTHORIZATION": f"Bearer {token}" if token else "",
        "BENCH_ORIGIN": browser.origin,
        "BENCH_HOST": f"{HOST}:{port}",
        "BENCH_THREADS": str(threads),
    }
    if pool_file:
        env["BENCH_POOL"] = str(pool_file)
    if post_path:
        env["BENCH_POST_PATH"] = post_path
    load_before = load_average()
    result = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{users}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "-s",
            str(ROOT / "bench" / "wrk.lua"),
            f"http://{HOST}:{port}{path}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("BENCH "))
    numbers = json.loads(line[len("BENCH ") :])
    numbers["load_before"] = load_before
    numbers["drained_after_s"] = drain(port)
    return numbers


def wait_for(port: int, server) -> None:
    for _ in range(100):
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped while starting")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz/live", headers={"X-Forwarded-Proto": "https"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer")


def drain(port: int) -> float:
    """Wait until the server has worked off what the last run left queued: a slow page at 50
    users leaves up to 50 requests behind wrk, which would otherwise be measured as the next
    run's latency. The trivial view answers quickly once they are done. Returns the wait."""
    started = time.monotonic()
    while time.monotonic() - started < 120:
        asked = time.monotonic()
        conn = http.client.HTTPConnection(HOST, port, timeout=120)
        conn.request("GET", "/healthz/live", headers={"X-Forwarded-Proto": "https"})
        conn.getresponse().read()
        if time.monotonic() - asked < 0.05:
            break
    return round(time.monotonic() - started, 1)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=5, help="seed_demo --scale N (default 5)")
    parser.add_argument("--duration", type=int, default=15, help="seconds per page and level")
    parser.add_argument("--users", default="1,10,50", help="concurrency levels (default 1,10,50)")
    parser.add_argument(
        "--warmup", type=int, default=3, help="seconds of uncounted load before a page (0: none)"
    )
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--pages", default="", help="only these scenarios (comma-separated)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.users.split(",")]

    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp / 'bench.sqlite3'}"
    env = os.environ | {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": f"{HOST},localhost",
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://{HOST}:{args.port}",
        "DJANGO_STATIC_ROOT": str(tmp / "static"),
        "DJANGO_VAR_DIR": str(tmp / "var"),
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": database,
        # Sign-in attempts are many and quick here; lockouts would only measure axes.
        "AXES_FAILURE_LIMIT": "1000",
        # One token drives the API's listing: its rate limit would only measure the 429s.
        "DJANGO_API_TOKEN_RATE_PER_MINUTE": "10000000",
    }
    python = sys.executable
    print(f"Database: {database.split('@')[-1]}; preparing (migrate, collectstatic, seed)...")
    run([python, "manage.py", "migrate", "-v0"], env)
    run([python, "manage.py", "collectstatic", "--noinput", "-v0"], env)
    started = time.monotonic()
    run(
        [python, "manage.py", "seed_demo", "--force", "--scale", str(args.scale)],
        env,
        stdout=subprocess.DEVNULL,
    )
    seed_seconds = round(time.monotonic() - started, 1)
    # Enough unlogged sessions for 80 logs a second at every level (this machine manages ~30);
    # an exhausted pool shows as 200s among the POST's statuses, which should all be 302s.
    pool_size = 80 * args.duration * len(levels)
    # One write a second during each level of the two pages read under writes, and their warm-ups.
    other_pool_size = 2 * len(levels) * (args.duration + args.warmup + 5) + 10
    prepared = json.loads(
        run(
            [python, "-m", "bench.prepare", str(pool_size), str(other_pool_size)],
            env,
            capture_output=True,
            text=True,
        ).stdout
    )
    server = subprocess.Popen(
        [
            str(Path(python).parent / "gunicorn"),
            "trainingtracker.wsgi",
            "--bind",
            f"{HOST}:{args.port}",
            "--workers",
            str(args.workers),
            "--error-logfile",
            str(tmp / "gunicorn.log"),
            "--forwarded-allow-ips",
            "*",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        wait_for(args.port, server)
        results, warmups = measure(args, levels, prepared, tmp)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)

    report = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": "postgresql" if database.startswith("postgres") else "sqlite",
        "database_version": database_version(env, python),
        "scale": args.scale,
        "seed_seconds": seed_seconds,
        "data": {
            k: v
            for k, v in prepared.items()
            if k not in ("pool", "other_pool", "schedule_slots", "schedule_trainees")
        },
        "gunicorn_workers": args.workers,
        "duration_seconds": args.duration,
        "machine": machine(),
        "load_average_end": load_average(),
        "results": results,
        "warmup_seconds": args.warmup,
        "warmups": warmups,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{report['when'].replace(':', '')[:17]}-{report['database']}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print_table(results)
    print(f"Written: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    shutil.rmtree(tmp, ignore_errors=True)


def database_version(env, python) -> str:
    code = (
        "import django, os\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'trainingtracker.settings')\n"
        "django.setup()\n"
        "from django.db import connection as c\n"
        "print(c.vendor, '.'.join(map(str, c.get_database_version())))"
    )
    return run([python, "-c", code], env, capture_output=True, text=True).stdout.strip()


def log_body(browser: "Browser", session: int) -> str:
    """The session-log form of `session` as a browser would submit it, with {KEY}, {START} and
    {END} for the one-time key and the times of each session logged with it."""
    status, _, page = browser.request("GET", f"/sessions/{session}/log/")
    if status != 200:
        raise SystemExit(f"The session-log form answered {status}")
    fields = FormFields.of(page, having="submission_key")
    fields["submission_key"] = "{KEY}"
    fields["starts_at"], fields["ends_at"] = "{START}", "{END}"
    return urllib.parse.urlencode(fields, safe="{}")


def schedule_body(browser: "Browser", prepared: dict) -> str:
    """The schedule form as the trainer submits it for the cohort of 100: its first module,
    every trainee expected, the benchmark's simulator, with {KEY}, {START} and {END} for each
    time slot: every POST checks the trainer, 100 trainees and the simulator for clashes and
    the roster's readiness, then books them all."""
    status, _, page = browser.request("GET", f"/cohorts/{prepared['cohort_pk']}/sessions/new/")
    if status != 200:
        raise SystemExit(f"The schedule form answered {status}")
    token = FormFields.of(page, having="submission_key")["csrfmiddlewaretoken"]
    fields = [
        ("csrfmiddlewaretoken", token),
        ("submission_key", "{KEY}"),
        ("module", prepared["schedule_module"]),
        ("trainer", prepared["schedule_trainer"]),
        ("starts_at", "{START}"),
        ("ends_at", "{END}"),
        ("resources", prepared["schedule_resource"]),
        *(("trainees", pk) for pk in prepared["schedule_trainees"]),
    ]
    return urllib.parse.urlencode(fields, safe="{}")


class Writer(threading.Thread):
    """Logs one session of another cohort a second, as a trainer on the floor would, while a
    page of the big cohort is measured: what the writes cost the reads of a cohort they do not
    touch."""

    def __init__(self, browser: "Browser", body: str, pool: list):
        super().__init__(daemon=True)
        self.browser, self.body, self.pool = browser, body, pool
        self.stop = threading.Event()
        self.statuses: dict[str, int] = {}

    def run(self) -> None:
        while not self.stop.wait(1.0) and self.pool:
            session, starts, ends = self.pool.pop(0)
            form = (
                self.body.replace("{KEY}", str(uuid.uuid4()))
                .replace("{START}", urllib.parse.quote(starts))
                .replace("{END}", urllib.parse.quote(ends))
            )
            status, _, _ = self.browser.request("POST", f"/sessions/{session}/log/", form)
            self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1


def measure(args, levels, prepared, tmp) -> dict:
    trainee = Browser(args.port)
    trainee.sign_in(prepared["trainee_username"])
    trainer = Browser(args.port)
    trainer.sign_in(prepared["trainer_username"])
    admin = Browser(args.port)
    admin.sign_in(prepared["admin_username"])
    visitor = Browser(args.port)  # signed in as nobody: the sign-in page
    writer = Browser(args.port)
    writer.sign_in(prepared["trainer_username"])
    form_path = f"/sessions/{prepared['form_session']}/log/"
    body = log_body(trainer, prepared["form_session"])
    other_body = (
        log_body(writer, prepared["other_form_session"]) if prepared["other_pool"] else None
    )
    other_pool = list(prepared["other_pool"])
    pool_file = tmp / "pool.txt"
    # The pooled POSTs: (form body, where it goes, its pool). One slice of a pool per level,
    # so that every POST logs a session never logged before, or books a slot never booked.
    pooled = {
        "session_log_post": (body, "/sessions/{ID}/log/", prepared["pool"]),
        "session_schedule_post": (
            schedule_body(trainer, prepared),
            f"/cohorts/{prepared['cohort_pk']}/sessions/new/",
            prepared["schedule_slots"],
        ),
    }
    board = f"/cohorts/{prepared['cohort_pk']}/board/"
    # name: (who, path, whether another cohort is written to meanwhile)
    scenarios = {
        "trivial": (trainee, "/healthz/live", False),
        "sign_in": (visitor, "/accounts/login/", False),
        "trainee_dashboard": (trainee, "/trainee/", False),
        "cohort_board": (trainer, board, False),
        "trainer_home": (trainer, "/trainer/", False),
        "programme": (admin, "/programme/", False),
        "session_log_get": (trainer, form_path, False),
        "session_log_post": (trainer, None, False),
        "session_schedule_post": (trainer, None, False),
        "transcript": (trainee, f"/trainees/{prepared['trainee_pk']}/transcript/", False),
        "dashboard_under_writes": (trainee, "/trainee/", True),
        "board_under_writes": (trainer, board, True),
        # The API: a page of 50 of the cohort of 100's sessions (UTC times, expected trainees).
        "api_sessions": (
            trainer,
            f"/api/v1/sessions/?cohort={prepared['cohort_pk']}&page_size=50",
            False,
        ),
    }
    # Timetables (issue 29): a week of the scale centre (every scale cohort's sessions book it)
    # and of the cohort of 100, the week of its last session, as the scale trainer.
    week = f"?view=week&on={prepared['timetable_on']}"
    scenarios["timetable_resource_week"] = (
        trainer,
        f"/resources/{prepared['timetable_resource']}/timetable/{week}",
        False,
    )
    scenarios["timetable_cohort_week"] = (
        trainer,
        f"/cohorts/{prepared['cohort_pk']}/timetable/{week}",
        False,
    )
    tokens = {"api_sessions": prepared["api_token"]}
    chosen = [s for s in args.pages.split(",") if s] or list(scenarios)
    for base in ("sign_in", "trivial"):
        if base not in chosen:
            chosen.insert(0, base)
    results, warmups = {}, {}
    for name in chosen:
        browser, path, writes = scenarios[name]
        if writes and other_body is None:
            print(f"{name}: no other cohort to write to (--scale too small); skipped")
            continue
        results[name] = {}
        if path is not None and args.warmup:
            # What a page costs when its cached parts are not there yet (the first request after
            # a write), then a short run that is not counted: each gunicorn worker loads its
            # templates and fills the progress cache once, as in a server that has been up a while.
            started = time.perf_counter()
            browser.request("GET", path, token=tokens.get(name))
            cold_ms = round(1000 * (time.perf_counter() - started), 1)
            # As many connections as workers: enough to reach each of them, and no backlog of
            # queued requests (a slow page's would spill into the next level's measurement).
            warm = wrk(
                port=args.port,
                path=path,
                users=args.workers,
                seconds=args.warmup,
                browser=browser,
                token=tokens.get(name),
            )
            warmups[name] = {"first_request_ms": cold_ms, **warm}
            print(
                f"{name:<24} first request {cold_ms:7.1f} ms; {args.warmup} s warm-up not counted"
            )
        for index, users in enumerate(levels):
            pool_path = post_path = None
            if path is None:
                form, post_path, pool = pooled[name]
                per_level = len(pool) // len(levels)
                pool_path = pool_file.with_suffix(f".{name}.{users}.txt")
                chunk = pool[index * per_level : (index + 1) * per_level]
                pool_path.write_text(form + "\n" + "".join(f"{a} {b} {c}\n" for a, b, c in chunk))
                path = form_path
            background = Writer(writer, other_body, other_pool) if writes else None
            if background:
                background.start()
            numbers = wrk(
                port=args.port,
                path=path,
                users=users,
                seconds=args.duration,
                browser=browser,
                pool_file=pool_path,
                post_path=post_path,
                token=tokens.get(name),
            )
            if background:
                background.stop.set()
                background.join(timeout=60)
                numbers["writes_to_another_cohort"] = background.statuses
                if set(background.statuses) != {"302"}:
                    print(f"WARNING: the writes answered {background.statuses}, not only 302")
            if pool_path:
                path = None
                if set(numbers["statuses"]) != {"302"}:
                    print(f"WARNING: {name} answered {numbers['statuses']}, not only 302")
            results[name][str(users)] = numbers
            print(
                f"{name:<24} {users:>3} users: {numbers['rps']:8.1f} req/s  "
                f"p50 {numbers['p50_ms']:7.1f}  p95 {numbers['p95_ms']:7.1f}  "
                f"p99 {numbers['p99_ms']:7.1f} ms  {numbers['statuses']}",
                flush=True,
            )
    for levels_ in results.values():
        for users, numbers in levels_.items():
            for base in ("trivial", "sign_in"):
                floor = results[base][users]["rps"]
                numbers[f"ratio_to_{base}"] = round(numbers["rps"] / floor, 3) if floor else None
    return results, warmups


def print_table(results: dict) -> None:
    print(
        f"\n{'page':<24} {'users':>5} {'req/s':>8} {'p50':>7} {'p95':>7} {'p99':>7} "
        f"{'/trivial':>8} {'/sign-in':>8}"
    )
    for name, levels in results.items():
        for users, n in levels.items():
            print(
                f"{name:<24} {users:>5} {n['rps']:8.1f} {n['p50_ms']:7.1f} {n['p95_ms']:7.1f} "
                f"{n['p99_ms']:7.1f} {n['ratio_to_trivial']:8.3f} {n['ratio_to_sign_in']:8.3f}"
            )


if __name__ == "__main__":
    main()

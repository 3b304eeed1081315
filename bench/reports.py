"""The weekly report run at scale (issue 12, item 3): wall time and peak memory for 100 and for
1,000 trainees, end to end in one process each. See docs/benchmarks.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_reports \
        python -m bench.reports [--scale 45] [--sizes 100,1000]

It seeds `seed_demo --scale N` once (N = 45 gives 45 cohorts of 20 and one of 100: 1,000 scale
trainees), then for each size runs a child process that:

1. opens the cohort of 100 and as many 20-trainee cohorts as make up the size, closes the others
   (the weekly job reports on trainees of open cohorts only), forgets the previous run's claims
   and notifications, sets the schedule to Monday 00:00 (so the week's run is due), clears
   quiet hours (so every e-mail goes out now, not in the morning) and raises the progress
   generation (so nothing cached by an earlier run is reused);
2. runs `reports.tasks.weekly_reports_send` with Celery eager (its chunks run in the process)
   inside `notifications.services.deliveries_inline()`: every delivery is rendered (progress,
   boards, CSV and PDF attachments) and sent at commit, through `bench.mailsink`, which builds
   each message's MIME bytes and keeps only counts;
3. prints wall time, CPU time, peak resident memory (`ru_maxrss`, of the whole process, Django
   included, and its growth over the run), queries, e-mails and bytes as JSON.

The parent prints a table, the cost per trainee at each size and their ratio (linear growth
keeps it near 1), and writes bench/results/<time>-reports-<database>.json.
"""

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60
TARGET_MB = 500


def _env() -> dict:
    return os.environ | {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-reports-" + "x" * 50),
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_EMAIL_BACKEND": "bench.mailsink.EmailBackend",
    }


def child(size: int) -> dict:
    """One run for `size` trainees in this process; returns its numbers."""
    import resource

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trainingtracker.settings")
    django.setup()
    from django.db import connection
    from django.db.models import Count

    from accounts.models import User
    from bench.mailsink import SENT
    from notifications.models import Delivery, Notification
    from notifications.services import deliveries_inline
    from reports.models import ReportKind, ReportSchedule, ReportSend
    from reports.tasks import weekly_reports_send
    from trainees.demo_scale import BIG_COHORT, SCALE_PROGRAMME_CODE
    from trainees.models import Cohort
    from trainees.progress_cache import progress_changed
    from trainingtracker.celery import app

    scale = list(
        Cohort.objects.filter(revision__programme__code=SCALE_PROGRAMME_CODE).order_by("name")
    )
    big = [c for c in scale if c.name == BIG_COHORT]
    small = [c for c in scale if c.name != BIG_COHORT]
    wanted = (size - 100) // 20
    if not big or len(small) < wanted:
        raise SystemExit(f"Not enough scale cohorts for {size} trainees: seed a larger --scale.")
    today = dt.date.today()
    for cohort in scale:
        closed = None if cohort in big or cohort in small[:wanted] else today
        Cohort.objects.filter(pk=cohort.pk).update(closed_on=closed)
    kinds = list(ReportKind.values)
    ReportSend.objects.filter(kind__in=kinds).delete()
    Delivery.objects.filter(notification__kind__in=kinds).delete()
    Notification.objects.filter(kind__in=kinds).delete()
    schedule = ReportSchedule.load()
    schedule.enabled, schedule.weekday, schedule.local_time = True, 0, dt.time(0, 0)
    schedule.save()
    User.objects.update(quiet_hours_start=None, quiet_hours_end=None)
    # The bulk updates above raise no generation: raise it, so that the run starts cold, as a
    # week of records would leave it, and reuses nothing cached by a previous run.
    progress_changed()
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    with connection.execute_wrapper(count), deliveries_inline():
        queued = weekly_reports_send()
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    sent = dict(
        Delivery.objects.filter(notification__kind__in=kinds, status="sent")
        .values_list("notification__kind")
        .annotate(n=Count("pk"))
        .values_list("notification__kind", "n")
    )
    unsent = Delivery.objects.filter(notification__kind__in=kinds).exclude(status="sent").count()
    by_kind = dict(
        Notification.objects.filter(kind__in=kinds)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    return {
        "size": size,
        "trainees": by_kind.get(ReportKind.TRAINEE_WEEKLY, 0),
        "reports": by_kind,
        "queued": queued,
        "deliveries_sent": sent,
        "deliveries_not_sent": unsent,
        "emails": SENT["messages"],
        "email_bytes": SENT["bytes"],
        "attachments": SENT["attachments"],
        "queries": queries,
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime - cpu, 2),
        # ru_maxrss is in kilobytes on Linux.
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "rss_growth_mb": round((usage.ru_maxrss - rss_before) / 1024, 1),
        "load_average": list(os.getloadavg()),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="bench.reports", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=45, help="seed_demo --scale N (default 45)")
    parser.add_argument("--sizes", default="100,1000", help="trainees per run (default 100,1000)")
    parser.add_argument("--no-seed", action="store_true", help="the data is there already")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child)))
        return
    env = _env()
    python = sys.executable
    if not args.no_seed:
        subprocess.run([python, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
        subprocess.run(
            [python, "manage.py", "seed_demo", "--force", "--scale", str(args.scale)],
            env=env,
            cwd=ROOT,
            check=True,
        )
    database = "postgresql" if env.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    runs = []
    for size in [int(s) for s in args.sizes.split(",")]:
        done = subprocess.run(
            [python, "-m", "bench.reports", "--child", str(size)],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["ms_per_trainee"] = round(1000 * result["wall_s"] / max(result["trainees"], 1), 1)
        runs.append(result)
        print(
            f"{result['trainees']:>5} trainees ({sum(result['reports'].values())} reports, "
            f"{result['emails']} e-mails): {result['wall_s']} s wall, {result['cpu_s']} s CPU, "
            f"peak RSS {result['peak_rss_mb']} MB (+{result['rss_growth_mb']}), "
            f"{result['queries']} queries, {result['ms_per_trainee']} ms per trainee, "
            f"load {result['load_average'][0]:.2f}"
        )
    report = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": database,
        "runs": runs,
    }
    if len(runs) >= 2:
        first, last = runs[0], runs[-1]
        report["per_trainee_ratio"] = round(last["ms_per_trainee"] / first["ms_per_trainee"], 2)
        report["queries_per_trainee"] = [round(r["queries"] / r["trainees"], 1) for r in runs]
        print(
            f"per-trainee cost at {last['trainees']} / at {first['trainees']}: "
            f"{report['per_trainee_ratio']} (1.0 = linear)"
        )
    largest = runs[-1]
    report["targets"] = {
        "seconds": {"target": TARGET_SECONDS, "measured": largest["wall_s"]},
        "peak_mb": {"target": TARGET_MB, "measured": largest["peak_rss_mb"]},
        "met": largest["wall_s"] < TARGET_SECONDS and largest["peak_rss_mb"] < TARGET_MB,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H%M%S")
    path = out / f"{stamp}-reports-{database}.json"
    path.write_text(json.dumps(report, indent=2))
    print(f"Written: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    main()

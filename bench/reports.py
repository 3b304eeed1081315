"""The weekly report run at scale: wall time and peak memory for 100 and for
1,000 trainees, end to end, in one process or by a Celery worker. See docs/benchmarks.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_reports \
        python -m bench.reports [--scale 45] [--sizes 100,1000] [--workers 2]

It seeds `seed_demo --scale N` once (N = 45 gives 45 cohorts of 20 and one of 100: 1,000 scale
trainees), then for each size runs a child process that:

1. opens the cohort of 100 and as many 20-trainee cohorts as make up the size, closes the others
   (the weekly job reports on trainees of open cohorts only), forgets the previous run's claims
   and notifications, sets the schedule to Monday 00:00 (so the week's run is due), clears
   quiet hours (so every e-mail goes out now, not in the morning) and raises every row's
   cache version (so nothing cached by an earlier run is reused);
2. runs `reports.tasks.weekly_reports_send` with Celery eager (its chunks run in the process)
   inside `notifications.services.deliveries_inline()`: every delivery is rendered (progress,
   boards, CSV and PDF attachments) and sent at commit, through `bench.mailsink`, which builds
   each message's MIME bytes and keeps only counts;
3. prints wall time, CPU time, peak resident memory (`ru_maxrss`, of the whole process, Django
   included, and its growth over the run), queries, e-mails and bytes as JSON.

With `--workers N`, step 2 is production's instead (the Procfile's worker, `--concurrency 2`):
the child starts `celery worker --concurrency N`, waits until it is ready, queues the job as
beat does and waits until every report is claimed and every delivery sent; the chunks and each
delivery run as tasks through the broker (set REDIS_URL: the file-system broker polls once a
second). CPU is the worker processes' over the run; the peak is that of their summed PSS; the
e-mails are counted by the worker's `bench.mailsink` in a file; queries are not counted.

The parent prints a table, the cost per trainee at each size and their ratio (linear growth
keeps it near 1), and writes bench/results/<time>-reports-<database>.json.
"""

import argparse
import datetime as dt
import json
import os
import re
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


def child(size: int, workers: int = 0) -> dict:
    """One run for `size` trainees, in this process or (`workers` > 0) by a Celery worker of that
    concurrency; returns its numbers."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trainingtracker.settings")
    django.setup()
    from django.db.models import Count
    from django.utils import timezone

    from accounts.models import User
    from demo.scale import BIG_COHORT, SCALE_PROGRAMME_CODE
    from notifications.models import Delivery, Notification
    from reports.models import ReportKind, ReportSchedule, ReportSend
    from trainees.models import Cohort
    from trainees.progress_cache import versions_raise_all

    scale = list(
        Cohort.objects.filter(revision__programme__code=SCALE_PROGRAMME_CODE).order_by("name")
    )
    big = [c for c in scale if c.name == BIG_COHORT]
    small = [c for c in scale if c.name != BIG_COHORT]
    wanted = (size - 100) // 20
    if not big or len(small) < wanted:
        raise SystemExit(f"Not enough scale cohorts for {size} trainees: seed a larger --scale.")
    today = timezone.localdate()
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
    # The bulk updates above raise no version: raise them all, so that the run starts cold, as a
    # week of records would leave it, and reuses nothing cached by a previous run.
    versions_raise_all()
    run = _run_by_worker(workers, kinds) if workers else _run_in_process()
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
    emails = run.pop("emails")
    return {
        "size": size,
        "mode": f"celery worker --concurrency {workers}" if workers else "in-process",
        "trainees": by_kind.get(ReportKind.TRAINEE_WEEKLY, 0),
        "reports": by_kind,
        "queued": run.pop("queued"),
        "deliveries_sent": sent,
        "deliveries_not_sent": unsent,
        "emails": emails["messages"],
        "email_bytes": emails["bytes"],
        "attachments": emails["attachments"],
        **run,
        "load_average": list(os.getloadavg()),
    }


def _run_in_process() -> dict:
    """The weekly job with Celery eager: its chunks, and the deliveries they queue, run here."""
    import resource

    from django.db import connection

    from bench.mailsink import SENT
    from notifications.services import deliveries_inline
    from reports.tasks import weekly_reports_send
    from trainingtracker.celery import app

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
    return {
        "queued": queued,
        "emails": dict(SENT),
        "queries": queries,
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime - cpu, 2),
        # ru_maxrss is in kilobytes on Linux.
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "rss_growth_mb": round((usage.ru_maxrss - rss_before) / 1024, 1),
    }


def _run_by_worker(workers: int, kinds: list[str]) -> dict:
    """The weekly job as production runs it (Procfile): `celery worker --concurrency N` runs the
    chunks and then each delivery as its own task, through the broker.

    The worker is started and ready before the clock starts; the run ends when every report is
    claimed and none of their deliveries is pending or being sent (polled every 0.2 s). The job
    itself is queued too, as beat does, so this process only watches: CPU is that of the
    worker's processes over the run (/proc), the peak the largest *sum* of their proportional
    set sizes (PSS: the pages that the pool's forked processes share counted once), sampled at
    each poll."""
    import tempfile

    from notifications.models import Delivery, DeliveryStatus
    from reports.models import ReportSend
    from reports.services import weekly_reports_due
    from reports.tasks import weekly_reports_send
    from trainingtracker.celery import app

    app.conf.task_always_eager = False
    app.control.purge()  # nothing left in the queue by an earlier, interrupted run
    folder = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    tally, log = folder / "mail.tally", folder / "worker.log"
    with open(log, "w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "trainingtracker", "worker",
             "--loglevel=INFO", f"--concurrency={workers}",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            env=os.environ | {"BENCH_MAILSINK_TALLY": str(tally)},
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        _wait_ready(worker, log)
        queued = len(weekly_reports_due())  # what the job will find
        before = _cpu_by_pid(_tree(worker.pid))
        rss_before = _pss(_tree(worker.pid))
        peak = rss_before
        started = time.perf_counter()
        weekly_reports_send.delay()
        busy = [DeliveryStatus.PENDING, DeliveryStatus.SENDING]
        while True:
            pids = _tree(worker.pid)
            peak = max(peak, _pss(pids))
            claimed = ReportSend.objects.filter(kind__in=kinds).count()
            waiting = Delivery.objects.filter(notification__kind__in=kinds, status__in=busy)
            if claimed >= queued and not waiting.exists():
                break
            if worker.poll() is not None:
                raise SystemExit(f"The worker stopped; its log: {log}")
            if time.perf_counter() - started > 1800:
                raise SystemExit(f"Not done after 30 minutes; the worker's log: {log}")
            time.sleep(0.2)
        wall = time.perf_counter() - started
        after = _cpu_by_pid(_tree(worker.pid))
    finally:
        worker.terminate()
        worker.wait(timeout=120)
    sizes = [line.split() for line in tally.read_text().splitlines()] if tally.exists() else []
    # The longest task (the time limits must hold it): from the worker's "succeeded in 1.2s".
    runtimes = [float(t) for t in re.findall(r" succeeded in ([0-9.]+)s", log.read_text())]
    return {
        "queued": queued,
        "emails": {
            "messages": len(sizes),
            "bytes": sum(int(size) for size, _ in sizes),
            "attachments": sum(int(n) for _, n in sizes),
        },
        "queries": None,  # made in the worker's processes: counted by the in-process mode
        "wall_s": round(wall, 2),
        "cpu_s": round(sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items()), 2),
        "peak_rss_mb": round(peak / 2**20, 1),
        "rss_growth_mb": round((peak - rss_before) / 2**20, 1),
        "worker_pids": len(after),
        "tasks": len(runtimes),
        "longest_task_s": round(max(runtimes, default=0.0), 2),
    }


def _wait_ready(worker: subprocess.Popen, log: Path) -> None:
    """Until the worker logs that it is ready (its pool started)."""
    for _ in range(600):
        if " ready." in log.read_text():
            return
        if worker.poll() is not None:
            raise SystemExit(f"The worker did not start; its log: {log}")
        time.sleep(0.2)
    raise SystemExit(f"The worker was not ready after 2 minutes; its log: {log}")


def _stat(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command's name (the 3rd field first)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _tree(pid: int) -> list[int]:
    """`pid` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                children.setdefault(int(_stat(int(entry.name))[1]), []).append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
    found, todo = [], [pid]
    while todo:
        found.append(todo.pop())
        todo += children.get(found[-1], [])
    return found


def _cpu_by_pid(pids: list[int]) -> dict[int, float]:
    """Each process's user + system CPU seconds so far."""
    tick = os.sysconf("SC_CLK_TCK")
    cpu = {}
    for pid in pids:
        try:
            fields = _stat(pid)
        except OSError:
            continue
        cpu[pid] = (int(fields[11]) + int(fields[12])) / tick
    return cpu


def _pss(pids: list[int]) -> int:
    """The processes' proportional set sizes, summed, in bytes, now."""
    total = 0
    for pid in pids:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        pss = next(line for line in rollup.splitlines() if line.startswith("Pss:"))
        total += int(pss.split()[1])  # in kB
    return total * 1024


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="bench.reports", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=45, help="seed_demo --scale N (default 45)")
    parser.add_argument("--sizes", default="100,1000", help="trainees per run (default 100,1000)")
    parser.add_argument("--no-seed", action="store_true", help="the data is there already")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="run by `celery worker --concurrency N` (the Procfile's 2) instead of in-process",
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.workers)))
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
            [python, "-m", "bench.reports", "--child", str(size), "--workers", str(args.workers)],
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
            f"{result['emails']} e-mails, {result['mode']}): {result['wall_s']} s wall, "
            f"{result['cpu_s']} s CPU, peak RSS {result['peak_rss_mb']} MB "
            f"(+{result['rss_growth_mb']}), {result['queries']} queries, "
            f"{result['ms_per_trainee']} ms per trainee, load {result['load_average'][0]:.2f}"
            + (f", longest task {result['longest_task_s']} s" if args.workers else "")
        )
    report = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": database,
        "runs": runs,
    }
    if len(runs) >= 2:
        first, last = runs[0], runs[-1]
        report["per_trainee_ratio"] = round(last["ms_per_trainee"] / first["ms_per_trainee"], 2)
        report["queries_per_trainee"] = [
            round(r["queries"] / r["trainees"], 1) if r["queries"] else None for r in runs
        ]
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

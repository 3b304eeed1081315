"""Profile one page with pyinstrument: `python -m bench.profile USERNAME PATH [REPEAT]`.

Runs against the database in DATABASE_URL (and the cache in REDIS_URL), through Django's WSGI
handler with production settings as `bench.cpu` does, after warm-up requests (the progress
cache on, as in production); prints pyinstrument's text report of the repeated requests.
"""

import sys

from pyinstrument import Profiler

from bench.cpu import Requester


def main(username: str, path: str, repeat: int = 50) -> None:
    requester = Requester(username)
    for _ in range(5):
        status, _size = requester.get(path)
    if not status.startswith("200"):
        raise SystemExit(f"{path} answered {status} to {username}")
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(repeat):
            requester.get(path)
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *(int(a) for a in sys.argv[3:4]))

import pytest

from notifications import services


@pytest.fixture
def enqueued(monkeypatch):
    """The delivery ids the services hand to Celery, in order; `run()` plays the worker (twice
    over when asked, as a redelivering broker would)."""

    class Queue(list):
        def run(self, times=1):
            ids, self[:] = list(self), []
            for _ in range(times):
                for delivery_id in ids:
                    services.delivery_send(delivery_id=delivery_id)

    queue = Queue()
    monkeypatch.setattr(services, "_enqueue", queue.append)
    return queue

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import health


@login_not_required
@never_cache
@require_safe
def healthz(request):
    """200 when the database and the broker both answer, 503 otherwise; names both."""
    services = {
        "database": {"ok": health.database_answers(), "backend": connection.vendor},
        "broker": {"ok": health.broker_answers(), "transport": health.broker_transport()},
    }
    healthy = all(service["ok"] for service in services.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "services": services},
        status=200 if healthy else 503,
    )


@login_not_required
@never_cache
@require_safe
def liveness(request):
    """200 while the process serves requests: no database, no broker (a liveness probe, and
    the floor that bench/run compares every page's throughput with)."""
    return HttpResponse("ok", content_type="text/plain")

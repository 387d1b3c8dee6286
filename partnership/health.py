"""Liveness and readiness endpoints for the image's health check, the compose file and a load balancer.

``/health/live/`` answers 200 while the process can serve Python at all (no database, no broker: a restart
would not help a database outage). ``/health/ready/`` answers 200 only when the database and the broker both
answer within a short timeout, and 503 with the failing part named otherwise, so a proxy stops sending traffic
to an instance that cannot do its work. Neither needs a session, and neither says more than "ok" or which part
is down: no versions, hosts or error texts reach an anonymous caller.
"""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)
CHECK_TIMEOUT_SECONDS = 2


def database_answers() -> bool:
    """True when the default database answers ``SELECT 1`` (a restarted server costs one reconnect)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure means "not ready"; the reason goes to the log, never to the caller
        logger.warning("readiness: the database did not answer", exc_info=True)
        connection.close()  # a broken connection is not reused by the next request
        return False


def broker_answers() -> bool:
    """True when the Redis behind the Celery broker and the cache answers PING within the timeout."""
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL,
            socket_connect_timeout=CHECK_TIMEOUT_SECONDS,
            socket_timeout=CHECK_TIMEOUT_SECONDS,
        )
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError):
        logger.warning("readiness: the broker did not answer", exc_info=True)
        return False


@login_not_required
@never_cache
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    """The process is up and serving requests."""
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    """The database and the broker answer: this instance can do its work."""
    checks = {"database": database_answers(), "broker": broker_answers()}
    ok = all(checks.values())
    body = {"status": "ok" if ok else "unavailable", "checks": {k: "ok" if v else "down" for k, v in checks.items()}}
    return JsonResponse(body, status=200 if ok else 503)

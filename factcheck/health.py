"""/healthz: whether the site can serve, for a load balancer or a monitor."""

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("factcheck.health")


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 if the database answers ``SELECT 1``, else 503; anyone may ask.

    Cheap on purpose: one query, no session, no template.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer.")
        return JsonResponse(
            {"status": "unavailable", "database": "unreachable"},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok"})

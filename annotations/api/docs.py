"""The API's root (links for the browsable API) and its Swagger UI."""

from typing import Any

from csp.decorators import csp_update
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBase
from django.utils.decorators import method_decorator
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView


class ApiRoot(APIView):
    """The fact-check desk's API. Every list is paged by a cursor, in id order."""

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        names = {
            "articles": "api-article-list",
            "speakers": "api-speaker-list",
            "claims": "api-claim-list",
            "schema": "api-schema",
            "docs": "api-docs",
        }
        return Response({key: reverse(name, request=request) for key, name in names.items()})


# Swagger UI's page carries a <style> element of its own; inline scripts stay refused.
@method_decorator(csp_update({"style-src": ["'unsafe-inline'"]}), name="dispatch")
class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI; someone not logged in is sent to the login page first.

    The split view serves the page's start-up script from ``?script=`` rather than
    inline, so that the Content-Security-Policy needs no inline script.
    """

    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)

"""What every resource of the API shares: role checks, JSON by orjson, id-ordered cursor pages,
Idempotency-Key on POSTs."""

from typing import Any

from django.db.models import QuerySet
from rest_framework import renderers
from rest_framework.pagination import BasePagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer, Serializer
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from .idempotency import IdempotentPostMixin
from .pagination import IdCursorPagination
from .renderers import OrjsonRenderer


class RolePermission(BasePermission):
    """Let a user read with the model's view permission and act with the one each action names.

    These are the groups' coarse rights, checked before the input is read; the
    services then decide per object (own drafts, open claims). Django reads the
    user's permissions once per request and keeps them for the services' checks.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        action = view.operation(request.method)
        if action is None:
            return True  # no operation answers this method here: let the view say 405
        if request.method in SAFE_METHODS:
            perm = view.read_permission
        else:
            perm = view.action_permissions.get(action)
        if perm is None:
            return False
        return request.user.has_perm(perm)


# Comments, not docstrings, on the base classes: the schema would show a docstring on
# every operation. Authentication is the settings' (DRF's token, then the session).
# Every POST honours an Idempotency-Key header (idempotency.py).
class DeskViewSet(IdempotentPostMixin, GenericViewSet):
    permission_classes = [*GenericViewSet.permission_classes, RolePermission]
    renderer_classes = [
        OrjsonRenderer,
        *(r for r in GenericViewSet.renderer_classes if r is not renderers.JSONRenderer),
    ]
    pagination_class = IdCursorPagination
    read_permission: str
    action_permissions: dict[str, str] = {}
    input_serializers: dict[str, type[BaseSerializer]] = {}
    output_serializer: type[BaseSerializer]

    def operation(self, method: str) -> str | None:
        """Return the action that answers ``method``, also while OPTIONS describes the others."""
        if self.action == "metadata":
            return self.action_map.get(method.lower(), "metadata")
        return self.action

    def get_serializer_class(self) -> type[BaseSerializer]:
        # The browsable API and OPTIONS build forms from this; the schema uses extend_schema.
        action = self.operation(self.request.method) if self.request else self.action
        return self.input_serializers.get(action, self.output_serializer)

    def valid_input(self, serializer_class: type[Serializer], data: Any) -> dict[str, Any]:
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def page(
        self,
        queryset: QuerySet[Any],
        serializer_class: type[BaseSerializer],
        paginator: BasePagination | None = None,
    ) -> Response:
        """Answer with one page of ``queryset``, by the view's paginator unless given another."""
        paginator = paginator or self.paginator
        rows = paginator.paginate_queryset(queryset, self.request, view=self)
        return paginator.get_paginated_response(serializer_class(rows, many=True).data)

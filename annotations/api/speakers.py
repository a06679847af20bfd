"""/api/speakers/: search by name or alias (the page's type-ahead), read, add."""

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from annotations import selectors, services
from annotations.models import Speaker

from .base import DeskViewSet
from .errors import RACED, error_answers
from .pagination import SearchCursorPagination
from .serializers import (
    SpeakerCreateInput,
    SpeakerOutput,
    SpeakerSearchInput,
    SpeakerSearchOutput,
)


@extend_schema_view(
    list=extend_schema(
        summary="List or search speakers",
        description="Without `search`, every speaker in the order they were added (by id). "
        "With it, the speakers whose name or an alias contains it, ignoring case: names "
        "that start with it first, then by name; `matched_alias` says which alias matched "
        "when the name did not.",
        parameters=[SpeakerSearchInput],
        responses={200: SpeakerSearchOutput(many=True), **error_answers(400)},
    ),
    retrieve=extend_schema(
        summary="Read a speaker", responses={200: SpeakerOutput, **error_answers(404)}
    ),
    create=extend_schema(
        summary="Add a speaker",
        request=SpeakerCreateInput,
        responses={201: SpeakerOutput, **error_answers(400), **RACED},
    ),
)
class SpeakerViewSet(DeskViewSet):
    read_permission = "annotations.view_speaker"
    action_permissions = {"create": "annotations.add_speaker"}
    input_serializers = {"create": SpeakerCreateInput}
    output_serializer = SpeakerOutput

    def get_queryset(self) -> QuerySet[Speaker]:
        return selectors.speakers_matching()

    def list(self, request: Request) -> Response:
        search = self.valid_input(SpeakerSearchInput, request.query_params).get("search", "")
        speakers = selectors.speakers_searched(search)
        if not search.strip():
            return self.page(speakers, SpeakerSearchOutput)
        return self.page(speakers, SpeakerSearchOutput, SearchCursorPagination())

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(SpeakerOutput(self.get_object()).data)

    def create(self, request: Request) -> Response:
        data = self.valid_input(SpeakerCreateInput, request.data)
        speaker = services.speaker_create(user=request.user, **data)
        speaker = self.get_queryset().get(pk=speaker.pk)
        return Response(
            SpeakerOutput(speaker).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api-speaker-detail", args=[speaker.pk])},
        )

"""/api/speakers/: search by name or alias (the page's type-ahead), read, add, merge."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from annotations import selectors, services
from annotations.models import Speaker

from .base import DeskViewSet
from .errors import RACED, error_answers
from .pagination import SearchCursorPagination
from .serializers import (
    MergedSpeakerOutput,
    PossibleDuplicatesOutput,
    SpeakerCreateInput,
    SpeakerMergeInput,
    SpeakerOutput,
    SpeakerSearchInput,
    SpeakerSearchOutput,
)


@extend_schema_view(
    list=extend_schema(
        summary="List or search speakers",
        description="Without `search`, every speaker in the order they were added (by id). "
        "With it, the speakers whose name or an alias contains it, ignoring case, accents "
        "and punctuation: names that start with it first, then by name; `matched_alias` "
        "says which alias matched when the name did not. Merged speakers are left out.",
        parameters=[SpeakerSearchInput],
        responses={200: SpeakerSearchOutput(many=True), **error_answers(400)},
    ),
    retrieve=extend_schema(
        summary="Read a speaker",
        description="A speaker merged into another answers 301 with the survivor's address "
        "in `Location` and its id in `merged_into`.",
        responses={
            200: SpeakerOutput,
            301: OpenApiResponse(MergedSpeakerOutput, description="Merged into another."),
            **error_answers(404),
        },
    ),
    create=extend_schema(
        summary="Add a speaker",
        description="A name that is already a speaker's name or alias (the same letters, "
        "whatever their case or Unicode form) is refused with 400 naming the speaker. A name "
        "close to one in the register (the same without accents, or a near match) is refused "
        "with 400 listing `possible_duplicates`, unless `confirm_new` is true.",
        request=SpeakerCreateInput,
        responses={
            201: SpeakerOutput,
            400: OpenApiResponse(
                PossibleDuplicatesOutput,
                description="Invalid input, each key naming a field; or possible duplicates.",
            ),
            **error_answers(),
            **RACED,
        },
    ),
)
class SpeakerViewSet(DeskViewSet):
    read_permission = "annotations.view_speaker"
    action_permissions = {
        "create": "annotations.add_speaker",
        "merge": "annotations.merge_speaker",
    }
    input_serializers = {"create": SpeakerCreateInput, "merge": SpeakerMergeInput}
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
        speaker = get_object_or_404(selectors.speakers_matching(include_merged=True), pk=pk)
        if speaker.merged_into_id is not None:
            into = speaker.merged_into_id
            return Response(
                {"detail": f"{speaker.name} was merged into speaker {into}.", "merged_into": into},
                status=status.HTTP_301_MOVED_PERMANENTLY,
                headers={"Location": reverse("api-speaker-detail", args=[into])},
            )
        return Response(SpeakerOutput(speaker).data)

    def create(self, request: Request) -> Response:
        data = self.valid_input(SpeakerCreateInput, request.data)
        speaker = services.speaker_create(user=request.user, **data)
        speaker = self.get_queryset().get(pk=speaker.pk)
        return Response(
            SpeakerOutput(speaker).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api-speaker-detail", args=[speaker.pk])},
        )

    @extend_schema(
        summary="Merge this speaker into another (moderators)",
        description="Every claim of this speaker moves to `into`; its name and aliases "
        "become aliases of `into`; this speaker is kept, hidden, with `merged_into` set. "
        "Answers with the speaker merged into.",
        request=SpeakerMergeInput,
        responses={200: SpeakerOutput, **error_answers(400, 404)},
    )
    def merge(self, request: Request, pk: int) -> Response:
        speaker = get_object_or_404(selectors.speakers_matching(include_merged=True), pk=pk)
        into_id = self.valid_input(SpeakerMergeInput, request.data)["into"]
        into = Speaker.objects.filter(pk=into_id).first()
        if into is None:
            return Response({"into": [f"There is no speaker {into_id}."]}, status=400)
        services.speaker_merge(user=request.user, speaker=speaker, into=into)
        return Response(SpeakerOutput(self.get_queryset().get(pk=into.pk)).data)

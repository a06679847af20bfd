"""Reads with their joins made, for the pages, the admin and the API."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Concat, Lower, Substr
from django.utils import timezone

from .models import Article, Claim, Source, Speaker, SpeakerAlias, SuggestionDismissal, Verdict
from .shapes import CLAIM_FIELD_NAMES, CLAIM_FIELDS, iso_datetime
from .suggestions.store import article_suggestions, quote_sha256

_CLAIM_DATETIMES = tuple(f.name for f in CLAIM_FIELDS if f.is_datetime)


def claims_with_context() -> QuerySet[Claim]:
    """Return claims with their article, speaker, people and verdicts fetched in bulk."""
    return Claim.objects.select_related(
        "article", "speaker", "created_by", "moderated_by", "published_verdict__reviewer"
    ).prefetch_related(
        Prefetch("verdicts", queryset=Verdict.objects.select_related("reviewer").order_by("id"))
    )


def articles_with_claim_counts() -> QuerySet[Article]:
    """Return articles, newest first, each with its number of claims."""
    return Article.objects.annotate(claim_count=Count("claims")).order_by("-created_at", "-id")


def claims_filtered(
    *,
    article_id: int | None = None,
    speaker_id: int | None = None,
    side: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[Claim]:
    """Return the claims matching every filter given, with their speaker and people joined.

    ``side`` is the speaker's; ``updated_since`` also finds claims whose sources
    or verdicts changed (the services touch ``updated_at`` for those).
    """
    filters = {
        "article_id": article_id,
        "speaker_id": speaker_id,
        "speaker__side": side,
        "kind": kind,
        "status": status,
        "updated_at__gte": updated_since,
    }
    return Claim.objects.select_related("speaker", "created_by", "moderated_by").filter(
        **{lookup: value for lookup, value in filters.items() if value is not None}
    )


class UTCISOText(Func):
    """A datetime column as ISO 8601 text in UTC, as isoformat() writes it, "Z" for +00:00.

    For rows read by the thousand: the drivers' own datetime parsing costs more
    than the rest of a row (psycopg's, as Django registers it, and Django's SQLite
    converter each run a regular expression per value), and writing the value
    back out costs as much again. Like isoformat(), it leaves out a zero fraction
    of a second. SQLite keeps datetimes as ``YYYY-MM-DD HH:MM:SS[.ffffff]`` in UTC
    (as Django writes them when the database has no TIME_ZONE of its own, as here).
    """

    output_field = TextField()
    template = "REPLACE(%(expressions)s, ' ', 'T') || 'Z'"

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        utc = "TO_CHAR(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
        return self.as_sql(
            compiler, connection, template=f"REPLACE({utc}, '.000000Z', 'Z')", **extra_context
        )


def claim_rows_filtered(**filters: Any) -> QuerySet[Claim, tuple[Any, ...]]:
    """Return claims_filtered(**filters) as rows of the claim's shape, in its order.

    Rows, not models: building a model instance and running a serializer over it
    costs far more than the query. Datetimes come as UTCISOText. Each row is a
    named tuple (``row.id``), which the cursor pagination reads its position from.
    """
    texts = {f"{f.lookup}_utc": UTCISOText(f.lookup) for f in CLAIM_FIELDS if f.is_datetime}
    lookups = [f"{f.lookup}_utc" if f.is_datetime else f.lookup for f in CLAIM_FIELDS]
    return claims_filtered(**filters).annotate(**texts).values_list(*lookups, named=True)


def claim_dicts(rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """Return the API's dictionary of each claim for rows of ``claim_rows_filtered``."""
    output = [dict(zip(CLAIM_FIELD_NAMES, row, strict=True)) for row in rows]
    tz = timezone.get_current_timezone()
    if getattr(tz, "key", None) != "UTC":  # the rows' datetimes are written in UTC
        for data in output:
            for key in _CLAIM_DATETIMES:
                if data[key] is not None:
                    data[key] = iso_datetime(datetime.fromisoformat(data[key]), tz)
    return output


def claims_api_data(**filters: Any) -> list[dict[str, Any]]:
    """Return the claims matching the filters as GET /api/claims/ gives them, in id order.

    The filters are claims_filtered's (``article_id=7``); the dictionaries are the
    API's, field for field.
    """
    return claim_dicts(claim_rows_filtered(**filters).order_by("id"))


def claim_api_data(claim: Claim) -> dict[str, Any]:
    """Return the API's dictionary of one claim instance.

    Related rows not already loaded are read as attribute access reads them.
    """
    data: dict[str, Any] = {}
    for field in CLAIM_FIELDS:
        value: Any = claim
        for attr in field.path:
            value = getattr(value, attr)
            if value is None:
                break
        data[field.name] = value
    tz = timezone.get_current_timezone()
    for key in _CLAIM_DATETIMES:
        if data[key] is not None:
            data[key] = iso_datetime(data[key], tz)
    return {name: data[name] for name in CLAIM_FIELD_NAMES}


def speakers_matching(search: str = "") -> QuerySet[Speaker]:
    """Return the speakers whose name or an alias contains ``search``, ignoring case."""
    speakers = Speaker.objects.select_related("created_by").prefetch_related("aliases")
    search = " ".join(search.split())
    if search:
        by_alias = Speaker.objects.filter(aliases__name__icontains=search).values("pk")
        speakers = speakers.filter(Q(name__icontains=search) | Q(pk__in=by_alias))
    return speakers


def speakers_searched(search: str) -> QuerySet[Speaker]:
    """Return speakers_matching ``search``, each with ``matched_alias`` and ``search_rank``.

    ``matched_alias`` is the alias that matched when the name did not (the first by
    name), else None. Ordered by ``search_rank``, names that start with the search
    come first, then by name; it is unique, as lowered names are, so a cursor can
    page by it.
    """
    search = " ".join(search.split())
    aliases = SpeakerAlias.objects.filter(speaker=OuterRef("pk"), name__icontains=search)
    alias = Subquery(aliases.order_by(Lower("name")).values("name")[:1])
    starts = Case(When(name__istartswith=search, then=Value("0")), default=Value("1"))
    return speakers_matching(search).annotate(
        matched_alias=Case(
            When(name__icontains=search, then=Value(None, output_field=CharField())),
            default=alias,
            output_field=CharField(),
        ),
        search_rank=Concat(starts, Lower("name"), output_field=TextField()),
    )


def sources_of_claim(claim_id: int) -> QuerySet[Source]:
    return Source.objects.filter(claim_id=claim_id).select_related("added_by")


def verdicts_of_claim(claim_id: int) -> QuerySet[Verdict]:
    return Verdict.objects.filter(claim_id=claim_id).select_related("reviewer")


# The reviewers' pages ---------------------------------------------------------


def articles_for_desk(search: str = "") -> QuerySet[Article]:
    """Return articles, newest first, with their claim counts by status, without their texts.

    Each carries ``opening``, the start of its text, to name the untitled; the
    search looks in the titles, or in that opening when there is no title.
    """
    counts = {
        f"{status}_count": Count("claims", filter=Q(claims__status=status))
        for status in Claim.Status.values
    }
    articles = Article.objects.defer("text").annotate(
        opening=Substr("text", 1, 300), claim_count=Count("claims"), **counts
    )
    search = " ".join(search.split())
    if search:
        articles = articles.filter(
            Q(title__icontains=search) | Q(title="", opening__icontains=search)
        )
    return articles.order_by(F("published_on").desc(nulls_last=True), "-created_at", "-id")


def speakers_of_article(article_id: int) -> QuerySet[Speaker]:
    """Return the speakers the article's claims name, each once, by name."""
    return Speaker.objects.filter(claims__article_id=article_id).distinct().order_by("name")


def suggestions_for_reviewer(article: Article, user: Any) -> list[dict[str, Any]]:
    """Return the suggested claims of ``article`` that ``user`` has still to decide on.

    Hidden: those the user dismissed (same span, same quote) and those with the
    span of a claim already made on the article, by anyone.
    """
    suggestions = article_suggestions(article)
    claimed = set(Claim.objects.filter(article=article).values_list("start", "end"))
    dismissed = set(
        SuggestionDismissal.objects.filter(user=user, article=article).values_list(
            "start", "end", "quote_sha256"
        )
    )
    spans = {(start, end) for start, end, _ in dismissed}
    return [
        s
        for s in suggestions
        if (s["start"], s["end"]) not in claimed
        and not (
            (s["start"], s["end"]) in spans
            and (s["start"], s["end"], quote_sha256(s["quote"])) in dismissed
        )
    ]

"""Reads with their joins made, for the pages, the admin and the API."""

from datetime import datetime
from typing import Any

from django.db.models import (
    Case,
    Count,
    F,
    Func,
    Prefetch,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Lower, Substr

from .models import Article, Claim, Source, Speaker, Verdict


def speaker_by_name(name: str) -> Speaker | None:
    """Return the speaker with this name or alias, ignoring case and extra spaces."""
    name = " ".join(name.split())
    return (
        Speaker.objects.filter(Q(name__iexact=name) | Q(aliases__name__iexact=name))
        .order_by(Lower("name"))
        .first()
    )


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


# What the API gives of a claim (ClaimOutput's fields, in its order), each with the lookup
# that reads it as a plain value: a list of a thousand claims is then one query of rows.
CLAIM_API_FIELDS = {
    "id": "id",
    "article": "article_id",
    "start": "start",
    "end": "end",
    "quote": "quote",
    "prefix": "prefix",
    "suffix": "suffix",
    "restatement": "restatement",
    "kind": "kind",
    "speaker": "speaker_id",
    "speaker_name": "speaker__name",
    "attribution": "attribution",
    "cue": "cue",
    "cue_start": "cue_start",
    "cue_end": "cue_end",
    "note": "note",
    "status": "status",
    "published_verdict": "published_verdict_id",
    "moderated_by": "moderated_by__username",
    "moderated_at": "moderated_at",
    "rejection_reason": "rejection_reason",
    "version": "version",
    "created_by": "created_by__username",
    "created_at": "created_at",
    "updated_at": "updated_at",
}
# Of those, the datetimes: claim_rows_filtered reads them as UTCISOText.
CLAIM_API_DATETIMES = ("moderated_at", "created_at", "updated_at")


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
    """Return claims_filtered(**filters) as rows of CLAIM_API_FIELDS' values, in that order.

    Rows, not models: building a model instance and running a serializer over it
    costs far more than the query. The CLAIM_API_DATETIMES come as UTCISOText. Each
    row is a named tuple (``row.id``), which the cursor pagination reads its
    position from.
    """
    texts = {f"{name}_utc": UTCISOText(name) for name in CLAIM_API_DATETIMES}
    lookups = [
        f"{lookup}_utc" if lookup in CLAIM_API_DATETIMES else lookup
        for lookup in CLAIM_API_FIELDS.values()
    ]
    return claims_filtered(**filters).annotate(**texts).values_list(*lookups, named=True)


def speakers_matching(search: str = "") -> QuerySet[Speaker]:
    """Return the speakers whose name or an alias contains ``search``, ignoring case."""
    speakers = Speaker.objects.select_related("created_by").prefetch_related("aliases")
    search = " ".join(search.split())
    if search:
        by_alias = Speaker.objects.filter(aliases__name__icontains=search).values("pk")
        speakers = speakers.filter(Q(name__icontains=search) | Q(pk__in=by_alias))
    return speakers


def sources_of_claim(claim_id: int) -> QuerySet[Source]:
    return Source.objects.filter(claim_id=claim_id).select_related("added_by")


def verdicts_of_claim(claim_id: int) -> QuerySet[Verdict]:
    return Verdict.objects.filter(claim_id=claim_id).select_related("reviewer")


def claims_published() -> QuerySet[Claim]:
    """Return the verified claims with their article (text deferred), speaker, verdict, sources.

    What the exports and the public pages show: the published verdict's reviewer
    is joined, the sources are prefetched (one more query per evaluation).
    """
    return (
        Claim.objects.filter(status=Claim.Status.VERIFIED)
        .select_related("article", "speaker", "published_verdict__reviewer")
        .defer("article__text")
        .prefetch_related("sources")
    )


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


# What the article page draws and lists of each claim, its speaker's with it.
CLAIM_PAGE_FIELDS = (
    "id",
    "start",
    "end",
    "quote",
    "kind",
    "status",
    "attribution",
    "speaker_id",
    "created_by_id",
    "version",
    "verdict_count",
    "speaker__name",
    "speaker__kind",
    "speaker__side",
    "speaker__role",
)


def claims_for_article_page(article_id: int) -> QuerySet[Claim, dict[str, Any]]:
    """Return the article's claims in text order as rows of CLAIM_PAGE_FIELDS.

    Rows, not models: a page may hold a thousand claims, and building model
    instances would cost most of its time.
    """
    return (
        Claim.objects.filter(article_id=article_id)
        .annotate(verdict_count=Count("verdicts"))
        .order_by("start", "-end", "id")
        .values(*CLAIM_PAGE_FIELDS)
    )


def speakers_for_typeahead(search: str, *, limit: int) -> list[Speaker]:
    """Return up to ``limit`` speakers_matching ``search``, names that start with it first."""
    search = " ".join(search.split())
    starts = Case(When(name__istartswith=search, then=Value(0)), default=Value(1))
    return list(speakers_matching(search).order_by(starts, Lower("name"))[:limit])

"""Reads with their joins made, for the pages, the admin and the API."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from . import names, permissions
from .models import (
    Article,
    Claim,
    Source,
    Speaker,
    SpeakerAlias,
    Status,
    SuggestionDismissal,
    Verdict,
)
from .shapes import CLAIM_FIELD_NAMES, CLAIM_FIELDS, iso_datetime
from .suggestions.store import article_suggestions, quote_sha256

_CLAIM_DATETIMES = tuple(f.name for f in CLAIM_FIELDS if f.is_datetime)


def claims_with_context() -> QuerySet[Claim]:
    """Return claims with their article, speaker, people and verdicts fetched in bulk."""
    return Claim.objects.select_related(
        "article", "speaker__side", "created_by", "moderated_by", "published_verdict__reviewer"
    ).prefetch_related(
        Prefetch("verdicts", queryset=Verdict.objects.select_related("reviewer").order_by("id"))
    )


def articles_with_claim_counts() -> QuerySet[Article]:
    """Return articles, newest first, each with its number of claims."""
    return Article.objects.annotate(claim_count=Count("claims")).order_by("-created_at", "-id")


def claims_filtered(
    *,
    needs_verdict_of: AbstractBaseUser | None = None,
    article_id: int | None = None,
    speaker_id: int | None = None,
    side: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    updated_since: datetime | None = None,
) -> QuerySet[Claim]:
    """Return the claims matching every filter given, with their speaker and people joined.

    ``side`` is the speaker's; ``updated_since`` also finds claims whose sources
    or verdicts changed (the services touch ``updated_at`` for those);
    ``needs_verdict_of`` keeps the claims waiting for that user's verdict
    (``waiting_for_verdict``).
    """
    filters = {
        "article_id": article_id,
        "speaker_id": speaker_id,
        "speaker__side_id": side,
        "kind": kind,
        "status": status,
        "updated_at__gte": updated_since,
    }
    claims = Claim.objects.select_related("speaker__side", "created_by", "moderated_by").filter(
        **{lookup: value for lookup, value in filters.items() if value is not None}
    )
    if needs_verdict_of is not None:
        claims = claims.filter(waiting_for_verdict(needs_verdict_of))
    return claims


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


def speakers_matching(search: str = "", *, include_merged: bool = False) -> QuerySet[Speaker]:
    """Return the speakers whose name or an alias contains ``search``, by their bare keys.

    The bare key (``names.bare_key``) ignores case, accents and punctuation:
    "ismail" finds "İsmail Test" and "muftuoglu" finds "Hüseyin Müftüoğlu".
    Merged speakers are left out unless ``include_merged``.
    """
    speakers = Speaker.objects.select_related("created_by").prefetch_related("aliases")
    if not include_merged:
        speakers = speakers.filter(merged_into__isnull=True)
    bare = names.bare_key(search)
    if bare:
        by_alias = SpeakerAlias.objects.filter(bare_key__contains=bare).values("speaker_id")
        speakers = speakers.filter(Q(bare_key__contains=bare) | Q(pk__in=by_alias))
    return speakers


def speakers_searched(search: str) -> QuerySet[Speaker]:
    """Return speakers_matching ``search``, each with ``matched_alias`` and ``search_rank``.

    ``matched_alias`` is the alias that matched when the name did not (the first by
    key), else None. Ordered by ``search_rank``: names whose bare key starts with the
    search come first, then by name key; it is unique, as name keys are, so a cursor
    can page by it.
    """
    bare = names.bare_key(search)
    aliases = SpeakerAlias.objects.filter(speaker=OuterRef("pk"), bare_key__contains=bare)
    alias = Subquery(aliases.order_by("name_key").values("name")[:1])
    starts = Case(When(bare_key__startswith=bare, then=Value("0")), default=Value("1"))
    return speakers_matching(search).annotate(
        matched_alias=Case(
            When(bare_key__contains=bare, then=Value(None, output_field=CharField())),
            default=alias,
            output_field=CharField(),
        ),
        search_rank=Concat(starts, "name_key", output_field=TextField()),
    )


class RegisterName(NamedTuple):
    """One name of an active speaker: its own name or one of its aliases."""

    speaker_id: int
    speaker_name: str
    name: str
    bare_key: str


class NearSpeaker(NamedTuple):
    """A speaker close to a name: its best-matching name or alias and the score (0-100)."""

    speaker_id: int
    name: str
    matched_name: str
    score: float


def register_names() -> list[RegisterName]:
    """Return every name and alias of the active (not merged) speakers, with its bare key.

    One RegisterName (speaker_id, speaker_name, name, bare_key) per name or alias,
    ordered by speaker id, the speaker's own name first. For matching names in
    bulk, as ``speakers_near`` and the duplicates report do; two queries.
    """
    speakers = Speaker.objects.filter(merged_into__isnull=True).order_by("pk")
    found = [
        RegisterName(pk, name, name, bare)
        for pk, name, bare in speakers.values_list("pk", "name", "bare_key")
    ]
    own = {row.speaker_id: row.speaker_name for row in found}
    aliases = SpeakerAlias.objects.filter(speaker__merged_into__isnull=True).order_by(
        "speaker_id", "name_key"
    )
    found += [
        RegisterName(speaker_id, own[speaker_id], name, bare)
        for speaker_id, name, bare in aliases.values_list("speaker_id", "name", "bare_key")
    ]
    found.sort(key=lambda row: (row.speaker_id, row.name != row.speaker_name))
    return found


def speakers_near(name: str, *, limit: int = 5, min_score: float = 0) -> list[NearSpeaker]:
    """Return the active speakers closest to ``name``, closest first, at most ``limit``.

    Each speaker comes once, with its name or alias that scores best against
    ``name`` by ``names.similarity`` of their bare keys (100 when the bare keys
    are equal, as "Vitály Churkin" and "Vitaly Churkin"), and only if it scores
    ``min_score`` or more; between its names of equal score, its own name first.
    Ties between speakers go by speaker id. Reads the whole register
    (``register_names``) and scores it in one call into rapidfuzz: about 0.1 s
    for 5,000 names.
    """
    bare = names.bare_key(name)
    if not bare:
        return []
    rows = register_names()
    best: dict[int, NearSpeaker] = {}
    kept_at: dict[int, int] = {}  # where each kept match is: the first of equal scores wins
    for at, score in names.near_matches(bare, [row.bare_key for row in rows], cutoff=min_score):
        row = rows[at]
        kept = best.get(row.speaker_id)
        if kept is None or (score, -at) > (kept.score, -kept_at[row.speaker_id]):
            best[row.speaker_id] = NearSpeaker(row.speaker_id, row.speaker_name, row.name, score)
            kept_at[row.speaker_id] = at
    return sorted(best.values(), key=lambda near: (-near.score, near.speaker_id))[:limit]


class DuplicatePair(NamedTuple):
    """Two active speakers whose names or aliases are close: the likely same one twice."""

    first: Speaker
    second: Speaker
    first_name: str
    second_name: str
    score: float


def likely_duplicate_pairs() -> list[DuplicatePair]:
    """Return the pairs of active speakers with close names or aliases, closest first.

    Close: the same bare key, or ``names.similarity`` at least ``names.NEAR_MATCH``.
    Each pair comes once, with its closest names.
    """
    rows = register_names()
    best: dict[tuple[int, int], tuple[float, str, str]] = {}
    for i, j, score in names.near_pairs([row.bare_key for row in rows]):
        a, b = rows[i], rows[j]
        if a.speaker_id == b.speaker_id:
            continue
        if a.speaker_id > b.speaker_id:
            a, b = b, a
        key = (a.speaker_id, b.speaker_id)
        if key not in best or score > best[key][0]:
            best[key] = (score, a.name, b.name)
    speakers = Speaker.objects.select_related("side").in_bulk({pk for pair in best for pk in pair})
    pairs = [
        DuplicatePair(speakers[a], speakers[b], first_name, second_name, score)
        for (a, b), (score, first_name, second_name) in best.items()
    ]
    pairs.sort(key=lambda p: (-p.score, p.first.pk, p.second.pk))
    return pairs


def sources_of_claim(claim_id: int) -> QuerySet[Source]:
    return Source.objects.filter(claim_id=claim_id).select_related("added_by")


def verdicts_of_claim(claim_id: int) -> QuerySet[Verdict]:
    return Verdict.objects.filter(claim_id=claim_id).select_related("reviewer")


# Blind review, the quorum and the queues ----------------------------------------------


def visible_verdicts(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Verdict]:
    """Return the verdicts the user may read, by ``permissions.verdicts_visible_to``'s rule.

    All of them for a moderator; for anyone else, those on verified or rejected
    claims and on the claims the user has rated.
    """
    verdicts = Verdict.objects.all()
    if permissions.is_moderator(user):
        return verdicts
    if not user.is_authenticated:
        return verdicts.none()
    own = Verdict.objects.filter(claim_id=OuterRef("claim_id"), reviewer_id=user.pk)
    return verdicts.filter(Q(claim__status__in=permissions.DECIDED) | Exists(own))


def waiting_for_verdict(user: AbstractBaseUser) -> Q:
    """Return the condition of a claim waiting for the user's verdict.

    In review, not written by the user (unless the desk lets authors rate their
    own claims), and not rated by them yet.
    """
    rated = Verdict.objects.filter(claim_id=OuterRef("pk"), reviewer_id=user.pk)
    condition = Q(status=Status.IN_REVIEW) & ~Exists(rated)
    if not settings.FACTCHECK_AUTHOR_MAY_RATE:
        condition &= ~Q(created_by_id=user.pk)
    return condition


def claims_waiting_for(user: AbstractBaseUser) -> QuerySet[Claim]:
    """Return the reviewer's queue: claims waiting for their verdict, oldest first.

    Without the articles' texts: each carries ``article_opening``, the start of its
    article's text, to name an untitled article as Article.display_title does.
    """
    return (
        Claim.objects.filter(waiting_for_verdict(user))
        .select_related("article", "created_by")
        .defer("article__text")
        .annotate(article_opening=Substr("article__text", 1, 300))
        .order_by("created_at", "id")
    )


# Ratings this many points apart or more make a claim in review disputed.
DISPUTED_SPREAD = 2


def claims_with_spread(claims: QuerySet[Claim]) -> QuerySet[Claim]:
    """Annotate each claim with ``spread`` and ``disputed``, for the moderators' queue.

    ``spread``: how many points apart its highest and lowest ratings are (NULL
    with fewer than two on the scale: Unverifiable has no number).
    ``disputed``: 1 for a claim in review whose spread is DISPUTED_SPREAD or
    more, else 0, so that disputed claims sort first.
    """
    number = Case(
        *(When(verdicts__rating=rating, then=Value(n)) for rating, n in Verdict.SCALE.items()),
        default=Value(None),
        output_field=IntegerField(),
    )
    spread = Max(number) - Min(number)
    return claims.annotate(spread=spread).annotate(
        disputed=Case(
            When(status=Status.IN_REVIEW, spread__gte=DISPUTED_SPREAD, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
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


def speakers_of_article(article_id: int) -> QuerySet[Speaker]:
    """Return the speakers the article's claims name, each once, by name."""
    return Speaker.objects.filter(claims__article_id=article_id).distinct().order_by("name_key")


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

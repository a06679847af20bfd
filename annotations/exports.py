"""Export the verified claims: one writer per format, streamed batch by batch.

Every format reads the same iterator of claims (``verified_claims``: keyset
pages of ``BATCH_SIZE`` claims in id order, two queries a page and a few
more the first time a page names an article, speaker or reviewer) and yields
UTF-8 bytes piece by piece, so memory stays flat however many claims there
are. The endpoint (``ExportView``, GET /api/export/) and ``manage.py
export_claims`` both stream through ``stream_bytes``: one implementation of
each format.

Claims are read as plain rows into light records (``ExportClaim``), not as
model instances: building seven instances a claim cost most of an export's
time. What many claims share (an article, a speaker, a reviewer, a rating) is
built once and reused, and JSON is encoded by orjson, which writes non-ASCII
text as is, exactly as ``json`` with ``ensure_ascii=False`` does.

The same data always gives the same bytes: nothing in an export depends on
the time it was made. Absolute links come from the request (the endpoint) or
from settings.FACTCHECK_SITE_URL (the command).
"""

import csv
import re
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, tzinfo
from functools import cached_property, partial
from itertools import islice
from typing import Any, NamedTuple
from urllib.parse import urlencode

import orjson
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Model, QuerySet, TextField
from django.db.models.functions import Cast
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.permissions import BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from .models import Article, Claim, Source, Speaker, Verdict

# Claims read per query: big enough that making the queries costs little per
# claim, small enough that a page of rows stays a few megabytes.
BATCH_SIZE = 2000
# Bytes gathered before a chunk is handed to the server or the file.
CHUNK_BYTES = 64 * 1024
# Claims a writer encodes before it hands their bytes on as one piece: one at
# a time, the handing on would cost about as much as the encoding.
ITEMS_PER_PIECE = 64
# Articles, speakers or reviewers remembered at most, so that an export of a
# desk with very many of them still runs in flat memory.
SHARED_LIMIT = 10_000

W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
SCHEMA_ORG_CONTEXT = "https://schema.org"
LD_JSON = "application/ld+json"


# What the exports read of a claim ------------------------------------------------


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _iso(moment: datetime) -> str:
    """Return the moment as ISO 8601 in UTC ending in Z, as the JSON formats write it.

    As ``isoformat`` would, microseconds only when there are some, in a third
    of its time.
    """
    return orjson.dumps(_in_utc(moment), option=orjson.OPT_UTC_Z)[1:-1].decode()


def _in_utc(moment: datetime) -> datetime:
    """Return the moment in UTC, which orjson writes as ISO 8601 ending in Z (as ``_iso``).

    A naive moment is in UTC already: SQLite keeps them so.
    """
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """Return the value as a CSV cell that no spreadsheet runs as a formula."""
    return _text_cell("" if value is None else str(value))


def _text_cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _from_model(cls: type[Any], instance: Model) -> Any:
    """Return the record of ``instance``: its fields of the same names, in the record's order."""
    return cls(*(getattr(instance, field.name) for field in fields(cls)))


@dataclass(frozen=True)
class ExportArticle:
    """An article as the exports give it; what its claims share is built on first use."""

    id: int
    title: str
    url: str
    outlet: str
    byline: str
    published_on: date | None
    language: str
    text_sha256: str

    @classmethod
    def from_model(cls, article: Article) -> "ExportArticle":
        return _from_model(cls, article)

    @cached_property
    def record(self) -> orjson.Fragment:
        """The article in the json and jsonl formats, encoded once for all its claims."""
        record = asdict(self) | {"published_on": _day(self.published_on)}
        return orjson.Fragment(orjson.dumps(record))

    @cached_property
    def csv_cells(self) -> tuple[str, ...]:
        """The article's cells of a CSV row: id, title, url, outlet, published_on."""
        values = (self.id, self.title, self.url, self.outlet, _day(self.published_on))
        return tuple(csv_cell(value) for value in values)

    @cached_property
    def appearance(self) -> dict[str, Any]:
        """Where the claim appeared, as a ClaimReview's schema.org CreativeWork."""
        appearance: dict[str, Any] = {"@type": "CreativeWork"}
        if self.url:
            appearance["url"] = self.url
        if self.title:
            appearance["headline"] = self.title
        if self.published_on:
            appearance["datePublished"] = self.published_on.isoformat()
        if self.outlet:
            appearance["publisher"] = {"@type": "Organization", "name": self.outlet}
        return appearance

    @cached_property
    def own_voice(self) -> dict[str, Any] | None:
        """Who makes a claim in the article's own voice: its outlet, if it names one."""
        return {"@type": "Organization", "name": self.outlet} if self.outlet else None


@dataclass(frozen=True)
class ExportSpeaker:
    """A speaker as the exports give it; what its claims share is built on first use."""

    id: int
    name: str
    kind: str
    side: str
    role: str
    reference_url: str

    @classmethod
    def from_model(cls, speaker: Speaker) -> "ExportSpeaker":
        return _from_model(cls, speaker)

    @cached_property
    def record(self) -> orjson.Fragment:
        """The speaker in the json and jsonl formats, encoded once for all its claims."""
        return orjson.Fragment(orjson.dumps(asdict(self)))

    @cached_property
    def csv_cells(self) -> tuple[str, ...]:
        """The speaker's cells of a CSV row: name, kind, side, role, reference_url."""
        values = (self.name, self.kind, self.side, self.role, self.reference_url)
        return tuple(csv_cell(value) for value in values)

    @cached_property
    def author(self) -> dict[str, Any]:
        """Who made the claim, as a ClaimReview's schema.org Person or Organization."""
        if self.kind == Speaker.Kind.PERSON:
            author: dict[str, Any] = {"@type": "Person", "name": self.name}
            if self.role:
                author["jobTitle"] = self.role
        else:
            author = {"@type": "Organization", "name": self.name}
        if self.reference_url:
            author["sameAs"] = self.reference_url
        return author


@dataclass(frozen=True)
class ExportReviewer:
    """The reviewer of a published verdict, by public name only (see ``public_name``)."""

    id: int
    name: str

    @cached_property
    def csv_cell(self) -> str:
        return csv_cell(self.name)

    @cached_property
    def creator(self) -> dict[str, Any]:
        """The reviewer as a W3C Web Annotation's creator."""
        return {"type": "Person", "name": self.name}


def _sources_by_claim(rows: Iterable[tuple[Any, ...]]) -> dict[int, list[dict[str, Any]]]:
    """Return the sources of _SOURCE_COLUMNS rows as every format reads them, by claim id.

    Each is its record in the json format, where the encoder writes the date
    as ISO 8601. Written out as one loop: this runs for every source of every
    claim, and a call a source would cost about as much again.
    """
    grouped: dict[int, list[dict[str, Any]]] = {}
    for claim_id, url, title, publisher, published_on, excerpt, stance in rows:
        source = {
            "url": url,
            "title": title,
            "publisher": publisher,
            "published_on": published_on,
            "excerpt": excerpt,
            "stance": stance,
        }
        if claim_id in grouped:
            grouped[claim_id].append(source)
        else:
            grouped[claim_id] = [source]
    return grouped


class ExportClaim(NamedTuple):
    """A verified claim with its published verdict, as every format reads it.

    A tuple rather than a model instance: made from a row of ``_CLAIM_COLUMNS``
    in a fraction of the time. The moments are in UTC. The article, speaker
    and reviewer are shared by every claim of theirs in an export (and may be
    a little older than the claim, read with an earlier page): do not change
    them.
    """

    id: int
    quote: str
    start: int
    end: int
    prefix: str
    suffix: str
    restatement: str
    kind: str
    attribution: str
    cue: str
    cue_start: int | None
    cue_end: int | None
    created_at: datetime
    updated_at: datetime
    verified_at: datetime
    rating: str
    rationale: str
    article: ExportArticle
    speaker: ExportSpeaker | None
    reviewer: ExportReviewer
    sources: list[dict[str, Any]]  # as _sources_by_claim gives them

    @classmethod
    def from_model(cls, claim: Claim) -> "ExportClaim":
        """Return the verified claim as the exports read it, from a model instance.

        For one claim at a time (the public page): the instance should come
        with its article, speaker, published verdict and reviewer joined and
        its sources prefetched, as selectors.claims_published gives it.
        """
        verdict = claim.published_verdict
        if verdict is None:
            raise ValueError(f"Claim {claim.pk} has no published verdict: it is not verified.")
        return cls(
            claim.pk,
            claim.quote,
            claim.start,
            claim.end,
            claim.prefix,
            claim.suffix,
            claim.restatement,
            claim.kind,
            claim.attribution,
            claim.cue,
            claim.cue_start,
            claim.cue_end,
            _in_utc(claim.created_at),
            _in_utc(claim.updated_at),
            _in_utc(claim.moderated_at),  # type: ignore[arg-type]  # a verified claim has it
            verdict.rating,
            verdict.rationale,
            ExportArticle.from_model(claim.article),
            None if claim.speaker is None else ExportSpeaker.from_model(claim.speaker),
            ExportReviewer(verdict.reviewer_id, public_name(verdict.reviewer)),
            _sources_by_claim(
                (claim.pk, s.url, s.title, s.publisher, s.published_on, s.excerpt, s.stance)
                for s in claim.sources.all()
            ).get(claim.pk, []),
        )


# Reading --------------------------------------------------------------------

# One row a claim, in ExportClaim's order, with its published verdict joined.
# Its article, speaker and reviewer come by id, each read once (see _Shared):
# joining them would read and decode the same columns again on every row.
_CLAIM_COLUMNS = (
    "id",
    "quote",
    "start",
    "end",
    "prefix",
    "suffix",
    "restatement",
    "kind",
    "attribution",
    "cue",
    "cue_start",
    "cue_end",
    # The moments as text (annotated below): the driver's own datetime loader
    # costs several times the whole of the rest of a row.
    "created_text",
    "updated_text",
    "verified_text",
    "published_verdict__rating",
    "published_verdict__rationale",
    "article_id",
    "speaker_id",
    "published_verdict__reviewer_id",
)
_MOMENTS = {
    "created_text": Cast("created_at", TextField()),
    "updated_text": Cast("updated_at", TextField()),
    "verified_text": Cast("moderated_at", TextField()),
}
_ARTICLE_COLUMNS = (
    "id",
    "title",
    "url",
    "outlet",
    "byline",
    "published_on",
    "language",
    "text_sha256",
)
_SPEAKER_COLUMNS = ("id", "name", "kind", "side", "role", "reference_url")
_REVIEWER_COLUMNS = ("id", "first_name", "last_name", "username")
_SOURCE_COLUMNS = ("claim_id", "url", "title", "publisher", "published_on", "excerpt", "stance")


def verified_claims(
    *, updated_since: datetime | None = None, batch_size: int | None = None
) -> Iterator[ExportClaim]:
    """Yield every verified claim in id order, reading ``batch_size`` (BATCH_SIZE) at a time.

    Keyset pagination (``id > last id``) rather than OFFSET: each page costs the
    same however deep into the table it is, and a claim added during the pull
    cannot shift the pages. Each page is two queries, the claims with their
    published verdicts and then their sources, and one more for each of the
    articles, speakers and reviewers when it names some not yet read.
    """
    batch_size = batch_size or BATCH_SIZE
    claims = Claim.objects.filter(status=Claim.Status.VERIFIED)
    if updated_since is not None:
        claims = claims.filter(updated_at__gte=updated_since)
    rows_of = claims.annotate(**_MOMENTS).order_by("pk").values_list(*_CLAIM_COLUMNS)
    shared = _Shared()
    # ExportClaim._make without its length check, and the text of each moment
    # read back; both cost more than the rest of the loop as functions of ours.
    new_claim = partial(tuple.__new__, ExportClaim)
    moment = datetime.fromisoformat
    last_id = 0
    while True:
        rows = list(rows_of.filter(pk__gt=last_id)[:batch_size])
        if not rows:
            return
        sources = _sources_of(claims, rows)
        articles, speakers, reviewers = shared.for_rows(rows)
        for row in rows:
            created, updated, verified = moment(row[12]), moment(row[13]), moment(row[14])
            if not created.tzinfo is updated.tzinfo is verified.tzinfo is UTC:
                created, updated, verified = map(_in_utc, (created, updated, verified))
            speaker_id = row[18]
            yield new_claim(
                (
                    *row[:12],
                    created,
                    updated,
                    verified,
                    row[15],
                    row[16],
                    articles[row[17]],
                    None if speaker_id is None else speakers[speaker_id],
                    reviewers[row[19]],
                    sources.get(row[0], []),
                )
            )
        if len(rows) < batch_size:
            return
        last_id = rows[-1][0]
        del rows, sources  # let the page go before the next one is read


def _sources_of(
    claims: QuerySet[Claim], rows: list[tuple[Any, ...]]
) -> dict[int, list[dict[str, Any]]]:
    """Return the sources of the page's claims by claim id, in the order their pages list them.

    The database reads them by the range of the page's claim ids, straight
    from their index; the sources of other claims in the range are read too
    but never looked up. When the page's claims are only a few of the ids in
    the range (an incremental pull, say), the page's claims narrow them down
    in a subquery instead: a list of the ids would cost more to pass than the
    sources cost to read.
    """
    first_id, last_id = rows[0][0], rows[-1][0]
    sources = Source.objects.filter(claim_id__gte=first_id, claim_id__lte=last_id)
    if last_id - first_id >= 2 * len(rows):
        page = claims.filter(pk__gte=first_id, pk__lte=last_id).values("pk")
        sources = sources.filter(claim__in=page)
    return _sources_by_claim(
        sources.order_by("claim_id", "created_at", "id").values_list(*_SOURCE_COLUMNS)
    )


class _Shared:
    """The articles, speakers and reviewers of an export, each read and built once.

    Many claims name the same few, so a page of claims mostly finds them here
    already; at most SHARED_LIMIT of each are kept, so memory stays flat.
    """

    def __init__(self) -> None:
        self.articles: dict[int, ExportArticle] = {}
        self.speakers: dict[int, ExportSpeaker] = {}
        self.reviewers: dict[int, ExportReviewer] = {}

    def for_rows(
        self, rows: list[tuple[Any, ...]]
    ) -> tuple[dict[int, ExportArticle], dict[int, ExportSpeaker], dict[int, ExportReviewer]]:
        """Return them by id, having read those the rows name that are not known yet."""
        self._read(
            self.articles, {row[17] for row in rows}, Article, _ARTICLE_COLUMNS, ExportArticle
        )
        speaker_ids = {row[18] for row in rows}
        speaker_ids.discard(None)
        self._read(self.speakers, speaker_ids, Speaker, _SPEAKER_COLUMNS, ExportSpeaker)
        user = get_user_model()
        self._read(self.reviewers, {row[19] for row in rows}, user, _REVIEWER_COLUMNS, _reviewer)
        return self.articles, self.speakers, self.reviewers

    @staticmethod
    def _read(
        known: dict[int, Any],
        ids: set[int],
        model: type[Model],
        columns: tuple[str, ...],
        build: Callable[..., Any],
    ) -> None:
        missing = ids.difference(known)
        if not missing:
            return
        if len(known) + len(missing) > SHARED_LIMIT:
            # Forget the others, but keep those this page needs.
            for pk in [pk for pk in known if pk not in ids]:
                del known[pk]
        rows = model._default_manager.filter(pk__in=missing).order_by().values_list(*columns)
        for row in rows:
            known[row[0]] = build(*row)


def _reviewer(pk: int, first_name: str, last_name: str, username: str) -> ExportReviewer:
    # The full name as User.get_full_name makes it.
    return ExportReviewer(pk, _public_name(pk, f"{first_name} {last_name}", username))


def parse_updated_since(value: str) -> datetime:
    """Return the moment an ISO 8601 date or date-time names; ValueError if it names none.

    Without an offset the site's time zone applies (settings.TIME_ZONE). A "+"
    left unencoded in a query string arrives as a space, so "12:00:00 02:00"
    is read as "12:00:00+02:00".
    """
    text = re.sub(r"(T[\d:.,]+) (\d\d(?::?\d\d)?)$", r"\1+\2", value.strip())
    try:
        moment = datetime.fromisoformat(text)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: a moment before year 1 in UTC
        raise ValueError(
            f"updated_since must be an ISO 8601 date or date-time such as "
            f"2024-05-01 or 2024-05-01T12:00:00Z, not {value!r}."
        ) from None


# What every format needs -------------------------------------------------------

_SENTINEL = 918273645  # an id no real row has, to split a reversed URL around


class ExportContext:
    """Absolute links, the publisher and the time zone, the same for every claim of one export."""

    def __init__(self, *, base_url: str, updated_since: datetime | None = None) -> None:
        # base_url is scheme://host (and any path the site is served under).
        self.base_url = base_url.rstrip("/")
        self.updated_since = updated_since
        # Reverse once and fill in ids: reverse() costs some 20 µs a call, and each claim needs two.
        self._claim_url = self._url_around_id("public-claim")
        self._article_url = self._url_around_id("api-article-detail")
        self.publisher: dict[str, Any] = {
            "@type": "Organization",
            "name": settings.FACTCHECK_PUBLISHER_NAME,
            "url": settings.FACTCHECK_PUBLISHER_URL or self.base_url + "/",
        }
        # Looked up once: finding the active time zone costs more than using it.
        self.timezone: tzinfo = timezone.get_current_timezone()
        # In UTC (the default), a moment's day needs no conversion.
        self._days_in_utc = self.timezone is UTC or getattr(self.timezone, "key", None) == "UTC"

    @classmethod
    def for_request(
        cls, request: HttpRequest, *, updated_since: datetime | None = None
    ) -> "ExportContext":
        return cls(base_url=request.build_absolute_uri("/"), updated_since=updated_since)

    @classmethod
    def for_command(cls, *, updated_since: datetime | None = None) -> "ExportContext":
        return cls(base_url=settings.FACTCHECK_SITE_URL, updated_since=updated_since)

    def _url_around_id(self, name: str) -> tuple[str, str]:
        head, tail = reverse(name, kwargs={"pk": _SENTINEL}).split(str(_SENTINEL))
        return self.base_url + head, tail

    def claim_url(self, claim_id: int) -> str:
        """Return the absolute URL of the claim's public fact-check page."""
        head, tail = self._claim_url
        return f"{head}{claim_id}{tail}"

    def article_url(self, article_id: int) -> str:
        """Return the absolute URL of the article in the API (for articles without a URL)."""
        head, tail = self._article_url
        return f"{head}{article_id}{tail}"

    def export_url(self, format_name: str) -> str:
        query = {"format": format_name}
        if self.updated_since is not None:
            query["updated_since"] = _iso(self.updated_since)
        return f"{self.base_url}{reverse('export')}?{urlencode(query)}"

    def local_day(self, moment: datetime) -> str:
        """Return the day the moment falls on in the site's time zone, as ISO 8601."""
        if self._days_in_utc:
            return _in_utc(moment).date().isoformat()
        return moment.astimezone(self.timezone).date().isoformat()


def public_name(user: AbstractBaseUser) -> str:
    """Return how a reviewer is named in public: full name, else username, never an e-mail."""
    return _public_name(user.pk, user.get_full_name(), user.get_username())  # type: ignore[attr-defined]


def _public_name(pk: int, full_name: str, username: str) -> str:
    full_name = full_name.strip()
    if full_name:
        return full_name
    # Some desks use e-mail addresses as usernames; those stay private.
    return f"Reviewer #{pk}" if "@" in username else username


# The claim in JSON: orjson writes UTF-8 as is (no \u escapes but for control
# characters, as json's ensure_ascii=False), with no spaces, and the UTC
# datetimes of the records as ISO 8601 with a Z.
_JSON_OPTIONS = orjson.OPT_UTC_Z


def _encode(obj: Any) -> bytes:
    return orjson.dumps(obj, option=_JSON_OPTIONS)


_LABELS: dict[str, str] = {str(rating): str(label) for rating, label in Verdict.Rating.choices}
# A rating's number on the scale; none for Unverifiable.
_SCALE: dict[str, int] = {str(rating): value for rating, value in Verdict.SCALE.items()}


# One claim, as a plain record (json, jsonl) ------------------------------------


def claim_record(claim: ExportClaim, context: ExportContext) -> dict[str, Any]:
    """Return the claim as the json and jsonl formats give it.

    Unknown text is an empty string; an unknown date or number, or a missing
    object (the speaker of a claim in the article's own voice), is null. For
    orjson to encode: the moments are datetimes in UTC, which it writes as ISO
    8601 with a Z, and the article and speaker come encoded already.
    """
    # One unpacking costs less than the twenty lookups by name it replaces.
    (
        claim_id,
        quote,
        start,
        end,
        prefix,
        suffix,
        restatement,
        kind,
        attribution,
        cue,
        cue_start,
        cue_end,
        created_at,
        updated_at,
        verified_at,
        rating,
        rationale,
        article,
        speaker,
        reviewer,
        sources,
    ) = claim
    return {
        "id": claim_id,
        "url": context.claim_url(claim_id),
        "article": article.record,
        "quote": quote,
        "start": start,
        "end": end,
        "prefix": prefix,
        "suffix": suffix,
        "restatement": restatement,
        "kind": kind,
        "attribution": attribution,
        "cue": cue,
        "cue_start": cue_start,
        "cue_end": cue_end,
        "speaker": None if speaker is None else speaker.record,
        "verdict": {
            "rating": rating,
            "label": _LABELS.get(rating, rating),
            "rating_value": _SCALE.get(rating),
            "rationale": rationale,
            "reviewer": reviewer.name,
        },
        "sources": sources,
        "created_at": created_at,
        "updated_at": updated_at,
        "verified_at": verified_at,
    }


# One claim, as schema.org ClaimReview ------------------------------------------


def _review_rating(rating: str) -> dict[str, Any]:
    """Return the rating as a schema.org Rating; Unverifiable has only its label."""
    review_rating: dict[str, Any] = {
        "@type": "Rating",
        "alternateName": _LABELS.get(rating, rating),
    }
    value = _SCALE.get(rating)
    if value is not None:
        review_rating.update(ratingValue=value, bestRating=Verdict.BEST, worstRating=Verdict.WORST)
    return review_rating


_REVIEW_RATINGS = {rating: _review_rating(rating) for rating in Verdict.Rating.values}


def claim_review(claim: ExportClaim, context: ExportContext) -> dict[str, Any]:
    """Return the claim's ClaimReview, as its public page embeds it and the export lists it.

    Google's required properties (claimReviewed, reviewRating.alternateName,
    url) and recommended ones (author, datePublished, itemReviewed with its
    author, appearance and datePublished). An Unverifiable verdict has no
    number on the scale, so its rating gives only the label. Parts are shared
    with other ClaimReviews of the same export: do not change them.
    """
    article, speaker, rating = claim.article, claim.speaker, claim.rating
    item: dict[str, Any] = {"@type": "Claim"}
    # Who made the claim: the speaker, or the outlet for the article's own voice.
    author = article.own_voice if speaker is None else speaker.author
    if author:
        item["author"] = author
    if article.published_on:
        item["datePublished"] = article.appearance["datePublished"]
    item["appearance"] = article.appearance
    item["firstAppearance"] = article.appearance
    return {
        "@context": SCHEMA_ORG_CONTEXT,
        "@type": "ClaimReview",
        "url": context.claim_url(claim.id),
        "claimReviewed": claim.restatement or claim.quote,
        "datePublished": context.local_day(claim.verified_at),
        "author": context.publisher,
        "reviewRating": _REVIEW_RATINGS.get(rating) or _review_rating(rating),
        "reviewBody": claim.rationale,
        "itemReviewed": item,
    }


# One claim, as a W3C Web Annotation -------------------------------------------

_TAGS = {
    rating: {"type": "TextualBody", "purpose": "tagging", "value": label}
    for rating, label in _LABELS.items()
}


def web_annotation(claim: ExportClaim, context: ExportContext) -> dict[str, Any]:
    """Return the claim as a W3C Web Annotation that assesses the article's text.

    The target keeps both selectors side by side, as hypothesis does: the
    quote with its context, and the position in code points. The moments are
    datetimes in UTC, written as ISO 8601 with a Z; parts are shared with
    other annotations of the same export: do not change them.
    """
    article, rating = claim.article, claim.rating
    label = _LABELS.get(rating, rating)
    quote_selector = {"type": "TextQuoteSelector", "exact": claim.quote}
    if claim.prefix:
        quote_selector["prefix"] = claim.prefix
    if claim.suffix:
        quote_selector["suffix"] = claim.suffix
    return {
        "@context": W3C_CONTEXT,
        "id": context.claim_url(claim.id),
        "type": "Annotation",
        "motivation": "assessing",
        "created": claim.created_at,
        "modified": claim.updated_at,
        "creator": claim.reviewer.creator,
        "body": [
            {
                "type": "TextualBody",
                "purpose": "assessing",
                "value": f"{label}. {claim.rationale}",
                "format": "text/plain",
            },
            _TAGS.get(rating) or {"type": "TextualBody", "purpose": "tagging", "value": label},
        ],
        "target": {
            "source": article.url or context.article_url(article.id),
            "selector": [
                quote_selector,
                {"type": "TextPositionSelector", "start": claim.start, "end": claim.end},
            ],
        },
    }


# The formats ------------------------------------------------------------------

Writer = Callable[[Iterable[ExportClaim], ExportContext], Iterator[bytes]]


def _write_json(claims: Iterable[ExportClaim], context: ExportContext) -> Iterator[bytes]:
    """One object: {"updated_since": ..., "items": [one claim a line], "count": n}.

    The count comes last, once every item has been written: a client can
    check it, and a stream cut short is not valid JSON.
    """
    since = _iso(context.updated_since) if context.updated_since else None
    record = claim_record
    yield b'{"updated_since":' + _encode(since) + b',"items":['
    count = yield from _json_items(record(claim, context) for claim in claims)
    yield b'\n],"count":%d}\n' % count


def _json_items(objects: Iterable[dict[str, Any]]) -> Generator[bytes, None, int]:
    """Yield the objects as the items of a JSON array, one a line; return how many."""
    encoded = map(partial(orjson.dumps, option=_JSON_OPTIONS), objects)
    count = 0
    while items := list(islice(encoded, ITEMS_PER_PIECE)):
        yield (b",\n" if count else b"\n") + b",\n".join(items)
        count += len(items)
    return count


def _write_jsonl(claims: Iterable[ExportClaim], context: ExportContext) -> Iterator[bytes]:
    record = claim_record
    lines = map(
        partial(orjson.dumps, option=_JSON_OPTIONS | orjson.OPT_APPEND_NEWLINE),
        (record(claim, context) for claim in claims),
    )
    while piece := b"".join(islice(lines, ITEMS_PER_PIECE)):
        yield piece


CSV_COLUMNS = (
    "id",
    "url",
    "article_id",
    "article_title",
    "article_url",
    "article_outlet",
    "article_published_on",
    "quote",
    "start",
    "end",
    "prefix",
    "suffix",
    "restatement",
    "kind",
    "attribution",
    "cue",
    "speaker_name",
    "speaker_kind",
    "speaker_side",
    "speaker_role",
    "speaker_reference_url",
    "verdict_rating",
    "verdict_label",
    "verdict_rating_value",
    "verdict_rationale",
    "verdict_reviewer",
    "sources",
    "created_at",
    "updated_at",
    "verified_at",
)

_STANCES = dict(Source.Stance.choices)
_NO_SPEAKER = ("",) * 5
_RATING_CELLS = {
    rating: tuple(csv_cell(value) for value in (rating, label, _SCALE.get(rating)))
    for rating, label in _LABELS.items()
}


def _csv_row(claim: ExportClaim, context: ExportContext) -> list[Any]:
    """Return the claim's CSV row, every cell in the order of CSV_COLUMNS.

    Ids and offsets are written as numbers: they are never negative, so they
    never start a formula; kind and attribution are choices the database
    holds to, none of which does either.
    """
    speaker, rating = claim.speaker, claim.rating
    sources = "\n".join(
        f"{_STANCES.get(s['stance'], s['stance'])}: "
        f"{s['title'] + ' — ' if s['title'] else ''}{s['url']}"
        for s in claim.sources
    )
    return [
        claim.id,
        _text_cell(context.claim_url(claim.id)),
        *claim.article.csv_cells,
        _text_cell(claim.quote),
        claim.start,
        claim.end,
        _text_cell(claim.prefix),
        _text_cell(claim.suffix),
        _text_cell(claim.restatement),
        claim.kind,
        claim.attribution,
        _text_cell(claim.cue),
        *(_NO_SPEAKER if speaker is None else speaker.csv_cells),
        *(_RATING_CELLS.get(rating) or (csv_cell(rating), csv_cell(rating), "")),
        _text_cell(claim.rationale),
        claim.reviewer.csv_cell,
        _text_cell(sources),
        _iso(claim.created_at),
        _iso(claim.updated_at),
        _iso(claim.verified_at),
    ]


class _Lines(list[str]):
    """A file for csv.writer that keeps the lines written to it, to be taken a piece at a time."""

    write = list.append


def _write_csv(claims: Iterable[ExportClaim], context: ExportContext) -> Iterator[bytes]:
    """A header row, then one row a claim; UTF-8 with a BOM so that Excel reads it as UTF-8."""
    lines = _Lines()
    lines.write("\ufeff")
    writer = csv.writer(lines)  # the excel dialect: CRLF, quoted where needed
    writer.writerow(CSV_COLUMNS)
    rows = (_csv_row(claim, context) for claim in claims)
    while True:
        writer.writerows(islice(rows, ITEMS_PER_PIECE))
        if len(lines) == 0:
            return
        yield "".join(lines).encode()
        lines.clear()


def _write_claimreview(claims: Iterable[ExportClaim], context: ExportContext) -> Iterator[bytes]:
    """A JSON-LD list of ClaimReviews, each with its own @context, one a line."""
    yield b"["
    yield from _json_items(claim_review(claim, context) for claim in claims)
    yield b"\n]\n"


def _write_w3c(claims: Iterable[ExportClaim], context: ExportContext) -> Iterator[bytes]:
    """An AnnotationCollection whose one embedded AnnotationPage holds every annotation.

    The total comes last, once every annotation has been written.
    """
    collection_id = context.export_url("w3c")
    page_id = f"{collection_id}#page-1"
    collection = {
        "@context": W3C_CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": f"Claims verified by {settings.FACTCHECK_PUBLISHER_NAME}",
        "last": page_id,
    }
    page = {"id": page_id, "type": "AnnotationPage", "startIndex": 0}
    # Both objects stay open: the page's items and the collection's total follow.
    yield _encode(collection)[:-1] + b',"first":' + _encode(page)[:-1] + b',"items":['
    count = yield from _json_items(web_annotation(claim, context) for claim in claims)
    yield b'\n]},"total":%d}\n' % count


@dataclass(frozen=True)
class ExportFormat:
    name: str
    content_type: str
    extension: str
    description: str
    write: Writer
    # Media types in an Accept header that choose this format.
    accepts: tuple[str, ...] = ()


FORMATS: dict[str, ExportFormat] = {
    fmt.name: fmt
    for fmt in (
        ExportFormat(
            "json",
            "application/json",
            "json",
            'One JSON object: {"updated_since", "items": [claims], "count"}.',
            _write_json,
            accepts=("application/json",),
        ),
        ExportFormat(
            "jsonl",
            "application/x-ndjson",
            "jsonl",
            "JSON Lines: one claim a line, as in the json format's items.",
            _write_jsonl,
            accepts=("application/x-ndjson", "application/jsonl", "application/x-jsonlines"),
        ),
        ExportFormat(
            "csv",
            "text/csv; charset=utf-8; header=present",
            "csv",
            "CSV: UTF-8 with a BOM, a header row, one row a claim; cells that a spreadsheet "
            "would run as a formula start with an apostrophe.",
            _write_csv,
            accepts=("text/csv",),
        ),
        ExportFormat(
            "claimreview",
            LD_JSON,
            "jsonld",
            "A JSON-LD list of schema.org ClaimReview objects.",
            _write_claimreview,
        ),
        ExportFormat(
            "w3c",
            f'{LD_JSON}; profile="{W3C_CONTEXT}"',
            "jsonld",
            "A W3C Web Annotation AnnotationCollection with one AnnotationPage of annotations.",
            _write_w3c,
        ),
    )
}
DEFAULT_FORMAT = "json"


def stream_bytes(
    fmt: ExportFormat, claims: Iterable[ExportClaim], context: ExportContext
) -> Iterator[bytes]:
    """Yield the export as UTF-8, in chunks of about CHUNK_BYTES bytes."""
    pieces: list[bytes] = []
    size = 0
    for piece in fmt.write(claims, context):
        pieces.append(piece)
        size += len(piece)
        if size >= CHUNK_BYTES:
            yield b"".join(pieces)
            pieces, size = [], 0
    if pieces:
        yield b"".join(pieces)


def stream_text(
    fmt: ExportFormat, claims: Iterable[ExportClaim], context: ExportContext
) -> Iterator[str]:
    """Yield the export as text, chunk by chunk (each chunk is whole characters)."""
    for chunk in stream_bytes(fmt, claims, context):
        yield chunk.decode("utf-8")


# Choosing the format ------------------------------------------------------------


def _formats_listed() -> dict[str, str]:
    return {name: fmt.content_type for name, fmt in FORMATS.items()}


def _format_for_media_type(media_type: str, params: dict[str, str]) -> ExportFormat | None:
    if media_type in ("*/*", "application/*"):
        return FORMATS[DEFAULT_FORMAT]
    if media_type == "text/*":
        return FORMATS["csv"]
    if media_type == LD_JSON:
        # Both JSON-LD formats share the type; the W3C profile picks the annotations.
        profiles = params.get("profile", "").strip('"').split()
        return FORMATS["w3c" if W3C_CONTEXT in profiles else "claimreview"]
    return next((fmt for fmt in FORMATS.values() if media_type in fmt.accepts), None)


def format_from_accept(header: str) -> ExportFormat | None:
    """Return the format the Accept header prefers, the default if it names none, else None."""
    ranges = []
    for position, part in enumerate(header.split(",")):
        media_type, *raw_params = (item.strip() for item in part.split(";"))
        if not media_type:
            continue
        params = {}
        for raw in raw_params:
            key, _, value = raw.partition("=")
            params[key.strip().lower()] = value.strip()
        try:
            quality = float(params.pop("q", "1"))
        except ValueError:
            quality = 0.0
        if quality <= 0:
            continue
        specificity = 0 if media_type == "*/*" else 1 if media_type.endswith("/*") else 2
        ranges.append((-quality, -specificity, position, media_type.lower(), params))
    if not ranges:
        return FORMATS[DEFAULT_FORMAT] if not header.strip() else None
    for *_, media_type, params in sorted(ranges, key=lambda r: r[:3]):
        fmt = _format_for_media_type(media_type, params)
        if fmt is not None:
            return fmt
    return None


def format_for_request(request: Request) -> ExportFormat:
    """Return the format named by ?format=, or else preferred by the Accept header."""
    name = request.query_params.get("format")
    if name is not None:
        if name not in FORMATS:
            raise exceptions.ValidationError(
                {
                    "format": [
                        f"“{name}” is not an export format; choose one of: {', '.join(FORMATS)}."
                    ],
                    "formats": _formats_listed(),
                }
            )
        return FORMATS[name]
    fmt = format_from_accept(request.headers.get("Accept", ""))
    if fmt is None:
        raise exceptions.NotAcceptable(
            {
                "detail": "No export format has a media type the Accept header allows; "
                "ask for one of these, or name it with ?format=.",
                "formats": _formats_listed(),
            }
        )
    return fmt


# The endpoint --------------------------------------------------------------------


def can_export(user: AbstractBaseUser) -> bool:
    """Return whether the user may pull the export (anyone, when it is public)."""
    return settings.FACTCHECK_PUBLIC_EXPORT or user.has_perm("annotations.view_claim")


class CanExport(BasePermission):
    message = "Exporting claims needs the permission to view claims (Reviewers and Moderators)."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return can_export(request.user)


class _ErrorsAsJSON(BaseContentNegotiation):
    """Leave the export's format to the view; render errors with the one JSON renderer.

    DRF's own negotiation would answer an unknown ?format= with 404 and refuse
    text/csv, which no DRF renderer here produces.
    """

    def select_parser(self, request: Request, parsers: list[BaseParser]) -> BaseParser | None:
        return parsers[0] if parsers else None

    def select_renderer(
        self, request: Request, renderers: list[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        return renderers[0], renderers[0].media_type


_EXPORT_PARAMETERS = [
    OpenApiParameter(
        "format",
        str,
        enum=list(FORMATS),
        description="The export format; overrides the Accept header. Without either: json.\n\n"
        + "\n".join(f"- **{fmt.name}**: {fmt.description}" for fmt in FORMATS.values()),
    ),
    OpenApiParameter(
        "updated_since",
        OpenApiTypes.DATETIME,
        description="Only claims changed at or after this moment (ISO 8601; without an "
        "offset, the site's time zone). A change to a claim's sources or verdicts counts.",
    ),
]


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "nullable": True}


_STR = {"type": "string"}
_INT = {"type": "integer"}
_DAY = {"type": "string", "format": "date"}
_MOMENT = {"type": "string", "format": "date-time"}
_RECORD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A verified claim. Offsets count Unicode code points.",
    "properties": {
        "id": _INT,
        "url": {**_STR, "format": "uri", "description": "The claim's public fact-check page."},
        "article": {
            "type": "object",
            "properties": {
                "id": _INT,
                "title": _STR,
                "url": _STR,
                "outlet": _STR,
                "byline": _STR,
                "published_on": _nullable(_DAY),
                "language": _STR,
                "text_sha256": _STR,
            },
        },
        "quote": _STR,
        "start": _INT,
        "end": _INT,
        "prefix": _STR,
        "suffix": _STR,
        "restatement": _STR,
        "kind": _STR,
        "attribution": _STR,
        "cue": _STR,
        "cue_start": _nullable(_INT),
        "cue_end": _nullable(_INT),
        "speaker": _nullable(
            {
                "type": "object",
                "description": "Null for a claim in the article's own voice.",
                "properties": {
                    "id": _INT,
                    "name": _STR,
                    "kind": _STR,
                    "side": _STR,
                    "role": _STR,
                    "reference_url": _STR,
                },
            }
        ),
        "verdict": {
            "type": "object",
            "description": "The published verdict.",
            "properties": {
                "rating": _STR,
                "label": _STR,
                "rating_value": _nullable(
                    {**_INT, "description": "1 (False) to 5 (True); null for Unverifiable."}
                ),
                "rationale": _STR,
                "reviewer": {**_STR, "description": "Full name, else username."},
            },
        },
        "sources": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "url": _STR,
                    "title": _STR,
                    "publisher": _STR,
                    "published_on": _nullable(_DAY),
                    "excerpt": _STR,
                    "stance": {"type": "string", "enum": ["supports", "refutes", "context"]},
                },
            },
        },
        "created_at": _MOMENT,
        "updated_at": _MOMENT,
        "verified_at": _MOMENT,
    },
}
_JSON_SCHEMA = {
    "type": "object",
    "properties": {
        "updated_since": _nullable(_MOMENT),
        "items": {"type": "array", "items": _RECORD_SCHEMA},
        "count": _INT,
    },
}


class ExportView(APIView):
    """Every verified claim, streamed in id order, in the format asked for."""

    # Token first, so that a client without credentials gets 401 with WWW-Authenticate.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [CanExport]
    renderer_classes = [JSONRenderer]  # for errors only: the export is streamed as is
    content_negotiation_class = _ErrorsAsJSON

    @extend_schema(
        operation_id="export_claims",
        summary="Export the verified claims",
        description=(
            "Streams every verified claim with its article, quote and offsets (Unicode code "
            "points), speaker, attribution, published verdict and sources, in ascending id "
            "order. Choose the format with ?format= or the Accept header: application/json, "
            "application/x-ndjson (or application/jsonl), text/csv, application/ld+json "
            '(ClaimReview) or application/ld+json; profile="http://www.w3.org/ns/anno.jsonld" '
            "(W3C Web Annotations). Needs the permission to view claims, unless the export is "
            "public (FACTCHECK_PUBLIC_EXPORT)."
        ),
        parameters=_EXPORT_PARAMETERS,
        responses={
            (200, "application/json"): OpenApiResponse(_JSON_SCHEMA, description="json"),
            (200, "application/x-ndjson"): OpenApiResponse(
                OpenApiTypes.STR, description="jsonl: one record of the json format a line."
            ),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="csv"),
            (200, LD_JSON): OpenApiResponse(
                {"type": "array", "items": {"type": "object"}},
                description="claimreview (or w3c, with the Web Annotation profile): JSON-LD.",
            ),
            (400, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="A bad format or updated_since: the key names the parameter; "
                "formats lists the formats.",
            ),
            (401, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="No credentials, or invalid ones."
            ),
            (403, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="No permission to view claims."
            ),
            (406, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="The Accept header allows no export format."
            ),
        },
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        fmt = format_for_request(request)
        updated_since = None
        if "updated_since" in request.query_params:
            try:
                updated_since = parse_updated_since(request.query_params["updated_since"])
            except ValueError as exc:
                raise exceptions.ValidationError({"updated_since": [str(exc)]}) from None
        context = ExportContext.for_request(request, updated_since=updated_since)
        claims = verified_claims(updated_since=updated_since)
        response = StreamingHttpResponse(
            stream_bytes(fmt, claims, context), content_type=fmt.content_type
        )
        response["Content-Disposition"] = (
            f"{'attachment' if fmt.name == 'csv' else 'inline'}; "
            f'filename="verified-claims.{fmt.extension}"'
        )
        patch_vary_headers(response, ("Accept",))
        return response

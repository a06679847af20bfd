"""Export the verified claims: one writer per format, streamed batch by batch.

Every format reads the same iterator of claims (``verified_claims``: keyset
pages of ``BATCH_SIZE`` claims in id order, two queries a page) and yields
text piece by piece, so memory stays flat however many claims there are. The
endpoint (``ExportView``, GET /api/export/) and ``manage.py export_claims``
both stream through ``stream_text``: one implementation of each format.

The same data always gives the same bytes: nothing in an export depends on
the time it was made. Absolute links come from the request (the endpoint) or
from settings.FACTCHECK_SITE_URL (the command).
"""

import csv
import json
import re
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
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

from . import selectors
from .models import Claim, Source, Speaker, Verdict

# Claims read per query: big enough that the queries cost little per claim,
# small enough that a page of model instances stays a few megabytes.
BATCH_SIZE = 1000
# Characters gathered before a chunk is handed to the server or the file.
CHUNK_CHARS = 64 * 1024

W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
SCHEMA_ORG_CONTEXT = "https://schema.org"
LD_JSON = "application/ld+json"


# Reading --------------------------------------------------------------------


def verified_claims(
    *, updated_since: datetime | None = None, batch_size: int | None = None
) -> Iterator[Claim]:
    """Yield every verified claim in id order, reading ``batch_size`` (BATCH_SIZE) at a time.

    Keyset pagination (``id > last id``) rather than OFFSET: each page costs the
    same however deep into the table it is, and a claim added during the pull
    cannot shift the pages. Each page is two queries: the claims with their
    joins, then their sources.
    """
    batch_size = batch_size or BATCH_SIZE
    claims = selectors.claims_published()
    if updated_since is not None:
        claims = claims.filter(updated_at__gte=updated_since)
    last_id = 0
    while True:
        batch = list(claims.filter(pk__gt=last_id).order_by("pk")[:batch_size])
        yield from batch
        if len(batch) < batch_size:
            return
        last_id = batch[-1].pk
        del batch  # let the page go before the next one is read


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
    """Absolute links and the publisher, the same for every claim of one export."""

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


def public_name(user: AbstractBaseUser) -> str:
    """Return how a reviewer is named in public: full name, else username, never an e-mail."""
    full_name = user.get_full_name().strip()  # type: ignore[attr-defined]
    if full_name:
        return full_name
    username = user.get_username()
    # Some desks use e-mail addresses as usernames; those stay private.
    return f"Reviewer #{user.pk}" if "@" in username else username


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


# One claim, as a plain record (json, jsonl, csv) ------------------------------


def claim_record(claim: Claim, context: ExportContext) -> dict[str, Any]:
    """Return the claim as the json and jsonl formats give it.

    Unknown text is an empty string; an unknown date or number, or a missing
    object (the speaker of a claim in the article's own voice), is null.
    """
    article, speaker, verdict = claim.article, claim.speaker, claim.published_verdict
    return {
        "id": claim.pk,
        "url": context.claim_url(claim.pk),
        "article": {
            "id": article.pk,
            "title": article.title,
            "url": article.url,
            "outlet": article.outlet,
            "byline": article.byline,
            "published_on": _day(article.published_on),
            "language": article.language,
            "text_sha256": article.text_sha256,
        },
        "quote": claim.quote,
        "start": claim.start,
        "end": claim.end,
        "prefix": claim.prefix,
        "suffix": claim.suffix,
        "restatement": claim.restatement,
        "kind": claim.kind,
        "attribution": claim.attribution,
        "cue": claim.cue,
        "cue_start": claim.cue_start,
        "cue_end": claim.cue_end,
        "speaker": None
        if speaker is None
        else {
            "id": speaker.pk,
            "name": speaker.name,
            "kind": speaker.kind,
            "side": speaker.side,
            "role": speaker.role,
            "reference_url": speaker.reference_url,
        },
        "verdict": {
            "rating": verdict.rating,
            "label": verdict.get_rating_display(),
            "rating_value": verdict.rating_value,
            "rationale": verdict.rationale,
            "reviewer": public_name(verdict.reviewer),
        },
        "sources": [
            {
                "url": source.url,
                "title": source.title,
                "publisher": source.publisher,
                "published_on": _day(source.published_on),
                "excerpt": source.excerpt,
                "stance": source.stance,
            }
            for source in claim.sources.all()
        ],
        "created_at": _iso(claim.created_at),
        "updated_at": _iso(claim.updated_at),
        "verified_at": _iso(claim.moderated_at),
    }


# One claim, as schema.org ClaimReview ------------------------------------------


def claim_review(claim: Claim, context: ExportContext) -> dict[str, Any]:
    """Return the claim's ClaimReview, as its public page embeds it and the export lists it.

    Google's required properties (claimReviewed, reviewRating.alternateName,
    url) and recommended ones (author, datePublished, itemReviewed with its
    author, appearance and datePublished). An Unverifiable verdict has no
    number on the scale, so its rating gives only the label.
    """
    article, verdict = claim.article, claim.published_verdict
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": verdict.get_rating_display()}
    if verdict.rating_value is not None:
        rating.update(
            ratingValue=verdict.rating_value, bestRating=Verdict.BEST, worstRating=Verdict.WORST
        )
    appearance: dict[str, Any] = {"@type": "CreativeWork"}
    if article.url:
        appearance["url"] = article.url
    if article.title:
        appearance["headline"] = article.title
    if article.published_on:
        appearance["datePublished"] = article.published_on.isoformat()
    if article.outlet:
        appearance["publisher"] = {"@type": "Organization", "name": article.outlet}
    item: dict[str, Any] = {"@type": "Claim"}
    author = _claim_author(claim)
    if author:
        item["author"] = author
    if article.published_on:
        item["datePublished"] = article.published_on.isoformat()
    item["appearance"] = appearance
    item["firstAppearance"] = appearance
    return {
        "@context": SCHEMA_ORG_CONTEXT,
        "@type": "ClaimReview",
        "url": context.claim_url(claim.pk),
        "claimReviewed": claim.restatement or claim.quote,
        "datePublished": timezone.localdate(claim.moderated_at).isoformat(),
        "author": context.publisher,
        "reviewRating": rating,
        "reviewBody": verdict.rationale,
        "itemReviewed": item,
    }


def _claim_author(claim: Claim) -> dict[str, Any] | None:
    """Return who made the claim: the speaker, or the outlet for the article's own voice."""
    speaker = claim.speaker
    if speaker is None:
        outlet = claim.article.outlet
        return {"@type": "Organization", "name": outlet} if outlet else None
    if speaker.kind == Speaker.Kind.PERSON:
        author: dict[str, Any] = {"@type": "Person", "name": speaker.name}
        if speaker.role:
            author["jobTitle"] = speaker.role
    else:
        author = {"@type": "Organization", "name": speaker.name}
    if speaker.reference_url:
        author["sameAs"] = speaker.reference_url
    return author


# One claim, as a W3C Web Annotation -------------------------------------------


def web_annotation(claim: Claim, context: ExportContext) -> dict[str, Any]:
    """Return the claim as a W3C Web Annotation that assesses the article's text.

    The target keeps both selectors side by side, as hypothesis does: the
    quote with its context, and the position in code points.
    """
    article, verdict = claim.article, claim.published_verdict
    label = verdict.get_rating_display()
    quote_selector = {"type": "TextQuoteSelector", "exact": claim.quote}
    if claim.prefix:
        quote_selector["prefix"] = claim.prefix
    if claim.suffix:
        quote_selector["suffix"] = claim.suffix
    return {
        "@context": W3C_CONTEXT,
        "id": context.claim_url(claim.pk),
        "type": "Annotation",
        "motivation": "assessing",
        "created": _iso(claim.created_at),
        "modified": _iso(claim.updated_at),
        "creator": {"type": "Person", "name": public_name(verdict.reviewer)},
        "body": [
            {
                "type": "TextualBody",
                "purpose": "assessing",
                "value": f"{label}. {verdict.rationale}",
                "format": "text/plain",
            },
            {"type": "TextualBody", "purpose": "tagging", "value": label},
        ],
        "target": {
            "source": article.url or context.article_url(article.pk),
            "selector": [
                quote_selector,
                {"type": "TextPositionSelector", "start": claim.start, "end": claim.end},
            ],
        },
    }


# The formats ------------------------------------------------------------------

Writer = Callable[[Iterable[Claim], ExportContext], Iterator[str]]


def _write_json(claims: Iterable[Claim], context: ExportContext) -> Iterator[str]:
    """One object: {"updated_since": ..., "items": [one claim a line], "count": n}.

    The count comes last, once every item has been written: a client can
    check it, and a stream cut short is not valid JSON.
    """
    since = _iso(context.updated_since) if context.updated_since else None
    yield f'{{"updated_since":{_encode(since)},"items":['
    count = yield from _json_items(claim_record(claim, context) for claim in claims)
    yield f'\n],"count":{count}}}\n'


def _json_items(objects: Iterable[dict[str, Any]]) -> Generator[str, None, int]:
    """Yield the objects as the items of a JSON array, one a line; return how many."""
    count = 0
    for obj in objects:
        yield ("\n" if count == 0 else ",\n") + _encode(obj)
        count += 1
    return count


def _write_jsonl(claims: Iterable[Claim], context: ExportContext) -> Iterator[str]:
    for claim in claims:
        yield _encode(claim_record(claim, context)) + "\n"


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
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """Return the value as a CSV cell that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


_STANCES = dict(Source.Stance.choices)


def _csv_row(record: dict[str, Any]) -> list[str]:
    article = record["article"]
    speaker = record["speaker"] or {}
    verdict = record["verdict"]
    sources = "\n".join(
        f"{_STANCES[s['stance']]}: {s['title'] + ' — ' if s['title'] else ''}{s['url']}"
        for s in record["sources"]
    )
    values = (
        record["id"],
        record["url"],
        article["id"],
        article["title"],
        article["url"],
        article["outlet"],
        article["published_on"],
        record["quote"],
        record["start"],
        record["end"],
        record["prefix"],
        record["suffix"],
        record["restatement"],
        record["kind"],
        record["attribution"],
        record["cue"],
        speaker.get("name"),
        speaker.get("kind"),
        speaker.get("side"),
        speaker.get("role"),
        speaker.get("reference_url"),
        verdict["rating"],
        verdict["label"],
        verdict["rating_value"],
        verdict["rationale"],
        verdict["reviewer"],
        sources,
        record["created_at"],
        record["updated_at"],
        record["verified_at"],
    )
    return [csv_cell(value) for value in values]


class _Line:
    """A file for csv.writer that hands back what it is given instead of storing it."""

    def write(self, text: str) -> str:
        return text


def _write_csv(claims: Iterable[Claim], context: ExportContext) -> Iterator[str]:
    """A header row, then one row a claim; UTF-8 with a BOM so that Excel reads it as UTF-8."""
    writer = csv.writer(_Line())  # the excel dialect: CRLF, quoted where needed
    yield "\ufeff" + writer.writerow(CSV_COLUMNS)
    for claim in claims:
        yield writer.writerow(_csv_row(claim_record(claim, context)))


def _write_claimreview(claims: Iterable[Claim], context: ExportContext) -> Iterator[str]:
    """A JSON-LD list of ClaimReviews, each with its own @context, one a line."""
    yield "["
    first = True
    for claim in claims:
        yield ("\n" if first else ",\n") + _encode(claim_review(claim, context))
        first = False
    yield "\n]\n"


def _write_w3c(claims: Iterable[Claim], context: ExportContext) -> Iterator[str]:
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
    yield f'{_encode(collection)[:-1]},"first":{_encode(page)[:-1]},"items":['
    count = yield from _json_items(web_annotation(claim, context) for claim in claims)
    yield f'\n]}},"total":{count}}}\n'


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


def stream_text(
    fmt: ExportFormat, claims: Iterable[Claim], context: ExportContext
) -> Iterator[str]:
    """Yield the export in chunks of about CHUNK_CHARS characters."""
    pieces: list[str] = []
    size = 0
    for piece in fmt.write(claims, context):
        pieces.append(piece)
        size += len(piece)
        if size >= CHUNK_CHARS:
            yield "".join(pieces)
            pieces, size = [], 0
    if pieces:
        yield "".join(pieces)


def stream_bytes(
    fmt: ExportFormat, claims: Iterable[Claim], context: ExportContext
) -> Iterator[bytes]:
    for chunk in stream_text(fmt, claims, context):
        yield chunk.encode("utf-8")


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

"""Read the verified claims for the exports, batch by batch, as plain rows.

``verified_claims`` yields keyset pages of ``BATCH_SIZE`` claims in id order:
two queries a page, and a few more the first time a page names an article,
speaker or reviewer. Claims are read as rows into ``ExportClaim`` records, not
model instances; what many claims share is read and built once (``_Shared``).
"""

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from ..models import Article, Claim, Source, Speaker
from .records import (
    EXPORT_CLAIM_FIELDS,
    ExportArticle,
    ExportClaim,
    ExportReviewer,
    ExportSpeaker,
    in_utc,
    name_in_public,
    sources_by_claim,
)
from .shape import ARTICLE_KEYS, SOURCE_KEYS, SPEAKER_KEYS

# Claims read per query: big enough that making the queries costs little per
# claim, small enough that a page of rows stays a few megabytes.
BATCH_SIZE = 2000
# Articles, speakers or reviewers remembered at most, so that an export of a
# desk with very many of them still runs in flat memory.
SHARED_LIMIT = 10_000


def published() -> QuerySet[Claim]:
    """Return the claims the site publishes (in the exports and on public pages): the verified."""
    return Claim.objects.filter(status=Claim.Status.VERIFIED)


# One row a claim, in ExportClaim's order (its sources, read apart, aside),
# with its published verdict joined. Its article, speaker and reviewer come by
# id, each read once (see _Shared): joining them would read and decode the
# same columns again on every row. The moments are read as text: the driver's
# own datetime loader costs several times the whole of the rest of a row.
_COLUMN_OF = {
    "created_at": "created_text",
    "updated_at": "updated_text",
    "verified_at": "verified_text",
    "rating": "published_verdict__rating",
    "rationale": "published_verdict__rationale",
    "article": "article_id",
    "speaker": "speaker_id",
    "reviewer": "published_verdict__reviewer_id",
}
_CLAIM_COLUMNS = tuple(_COLUMN_OF.get(name, name) for name in EXPORT_CLAIM_FIELDS[:-1])
_MOMENTS = {
    "created_text": Cast("created_at", TextField()),
    "updated_text": Cast("updated_at", TextField()),
    "verified_text": Cast("moderated_at", TextField()),
}
# Where the row holds what is not copied as is.
_CREATED, _UPDATED, _VERIFIED, _ARTICLE, _SPEAKER, _REVIEWER = (
    _CLAIM_COLUMNS.index(_COLUMN_OF[name])
    for name in ("created_at", "updated_at", "verified_at", "article", "speaker", "reviewer")
)
_REVIEWER_COLUMNS = ("id", "first_name", "last_name", "username")
_SOURCE_COLUMNS = (*SOURCE_KEYS, "claim_id")


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
    claims = published()
    if updated_since is not None:
        claims = claims.filter(updated_at__gte=updated_since)
    rows_of = claims.annotate(**_MOMENTS).order_by("pk").values_list(*_CLAIM_COLUMNS)
    shared = _Shared()
    # An ExportClaim made from the tuple of its values, as a tuple subclass is
    # (the row's layout fixes their number), and the text of each moment read
    # back; both cost more than the rest of the loop as functions of ours.
    new_claim = partial(tuple.__new__, ExportClaim)
    moment = datetime.fromisoformat
    # The row's layout, as locals: the loop runs once a claim.
    created_at, updated_at, verified_at = _CREATED, _UPDATED, _VERIFIED
    article_at, speaker_at, reviewer_at = _ARTICLE, _SPEAKER, _REVIEWER
    last_id = 0
    while True:
        rows = list(rows_of.filter(pk__gt=last_id)[:batch_size])
        if not rows:
            return
        sources = _sources_of(claims, rows)
        articles, speakers, reviewers = shared.for_rows(rows)
        # The whole page is built before any of it is yielded: the endpoint reads
        # the first page before it answers, so a bad row there is a JSON 500
        # rather than a file cut short.
        page: list[ExportClaim] = []
        for row in rows:
            created = moment(row[created_at])
            updated = moment(row[updated_at])
            verified = moment(row[verified_at])
            if not created.tzinfo is updated.tzinfo is verified.tzinfo is UTC:
                created, updated, verified = map(in_utc, (created, updated, verified))
            speaker_id = row[speaker_at]
            page.append(
                new_claim(
                    (
                        *row[:created_at],
                        created,
                        updated,
                        verified,
                        *row[verified_at + 1 : article_at],
                        articles[row[article_at]],
                        None if speaker_id is None else speakers[speaker_id],
                        reviewers[row[reviewer_at]],
                        sources.get(row[0], []),
                    )
                )
            )
        yield from page
        if len(rows) < batch_size:
            return
        last_id = rows[-1][0]
        del rows, sources, page  # let the page go before the next one is read


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
    return sources_by_claim(
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
        article_ids = {row[_ARTICLE] for row in rows}
        self._read(self.articles, article_ids, Article.objects.all(), ARTICLE_KEYS, _article)
        speaker_ids = {row[_SPEAKER] for row in rows}
        speaker_ids.discard(None)
        self._read(self.speakers, speaker_ids, Speaker.objects.all(), SPEAKER_KEYS, _speaker)
        users = get_user_model().objects.all()
        reviewer_ids = {row[_REVIEWER] for row in rows}
        self._read(self.reviewers, reviewer_ids, users, _REVIEWER_COLUMNS, _reviewer)
        return self.articles, self.speakers, self.reviewers

    @staticmethod
    def _read(
        known: dict[int, Any],
        ids: set[int],
        rows_of: QuerySet[Any],
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
        rows = rows_of.filter(pk__in=missing).order_by().values_list(*columns)
        for row in rows:
            known[row[0]] = build(*row)


def _article(*row: Any) -> ExportArticle:
    return ExportArticle(**dict(zip(ARTICLE_KEYS, row, strict=True)))


def _speaker(*row: Any) -> ExportSpeaker:
    return ExportSpeaker(**dict(zip(SPEAKER_KEYS, row, strict=True)))


def _reviewer(pk: int, first_name: str, last_name: str, username: str) -> ExportReviewer:
    # The full name as User.get_full_name makes it.
    return ExportReviewer(pk, name_in_public(pk, f"{first_name} {last_name}", username))


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

"""What every format reads of a verified claim: light records, not model instances.

Building seven model instances a claim cost most of an export's time, so the
reader makes these records from plain rows. What many claims share (an
article, a speaker, a reviewer) is one record, and each format builds its own
part of it once (``shared``) and reuses it for every claim that names it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, NamedTuple, TypeVar

import orjson
from django.contrib.auth.models import AbstractBaseUser

from ..models import Article, Claim, Speaker, Verdict
from .shape import ARTICLE_KEYS, CLAIM_OWN, SOURCE_KEYS, SPEAKER_KEYS, Field

T = TypeVar("T")

# A rating's label, and its number on the scale (none for Unverifiable).
LABELS: dict[str, str] = {str(rating): str(label) for rating, label in Verdict.Rating.choices}
SCALE: dict[str, int] = {str(rating): value for rating, value in Verdict.SCALE.items()}


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def iso(moment: datetime) -> str:
    """Return the moment as ISO 8601 in UTC ending in Z, as the JSON formats write it.

    As ``isoformat`` would, microseconds only when there are some, in a third
    of its time.
    """
    return orjson.dumps(in_utc(moment), option=orjson.OPT_UTC_Z)[1:-1].decode()


def in_utc(moment: datetime) -> datetime:
    """Return the moment in UTC, which orjson writes as ISO 8601 ending in Z (as ``iso``).

    A naive moment is in UTC already: SQLite keeps them so.
    """
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


def public_name(user: AbstractBaseUser) -> str:
    """Return how a reviewer is named in public: full name, else username, never an e-mail."""
    return name_in_public(user.pk, user.get_full_name(), user.get_username())  # type: ignore[attr-defined]


def name_in_public(pk: int, full_name: str, username: str) -> str:
    """Return the public name of the user with this id, full name and username."""
    full_name = full_name.strip()
    if full_name:
        return full_name
    # Some desks use e-mail addresses as usernames; those stay private.
    return f"Reviewer #{pk}" if "@" in username else username


# What each format built of a shared record, by the function that built it.
Memo = dict[Callable[[Any], Any], Any]


class Shared:
    """A record many claims share: each format builds its part of it once."""

    memo: Memo

    def shared(self, present: Callable[[Any], T]) -> T:
        """Return ``present(self)``, made on the first call and remembered."""
        try:
            return self.memo[present]  # type: ignore[no-any-return]
        except KeyError:
            made = self.memo[present] = present(self)
            return made


@dataclass(frozen=True)
class ExportArticle(Shared):
    """An article as the exports give it: the fields of shape.ARTICLE, in its order."""

    id: int
    title: str
    url: str
    outlet: str
    byline: str
    published_on: date | None
    language: str
    text_sha256: str
    memo: Memo = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def from_model(cls, article: Article) -> "ExportArticle":
        return cls(**{name: getattr(article, name) for name in ARTICLE_KEYS})


@dataclass(frozen=True)
class ExportSpeaker(Shared):
    """A speaker as the exports give it: the fields of shape.SPEAKER, in its order."""

    id: int
    name: str
    kind: str
    side: str
    role: str
    reference_url: str
    wikidata_id: str
    memo: Memo = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def from_model(cls, speaker: Speaker) -> "ExportSpeaker":
        # serializable_value: a foreign key's value (the side's slug), as the reader reads it.
        return cls(**{name: speaker.serializable_value(name) for name in SPEAKER_KEYS})


@dataclass(frozen=True)
class ExportReviewer(Shared):
    """The reviewer of a published verdict, by public name only (see ``public_name``)."""

    id: int
    name: str
    memo: Memo = field(default_factory=dict, init=False, repr=False, compare=False)


def sources_by_claim(rows: Iterable[tuple[Any, ...]]) -> dict[int, list[dict[str, Any]]]:
    """Return the sources of the rows (shape.SOURCE's fields, then the claim id) by claim id.

    Each is its record in the json format, where the encoder writes the date
    as ISO 8601. This runs for every source of every claim: zip stops at the
    last key, before the claim id, which saves slicing each row.
    """
    grouped: dict[int, list[dict[str, Any]]] = {}
    keys = SOURCE_KEYS
    for row in rows:
        source = dict(zip(keys, row))  # noqa: B905 (the row is one longer, on purpose)
        claim_id = row[-1]
        if claim_id in grouped:
            grouped[claim_id].append(source)
        else:
            grouped[claim_id] = [source]
    return grouped


def _python_type(field: Field) -> Any:
    kind = datetime if field.format == "date-time" else int if field.type == "integer" else str
    return kind | None if field.nullable else kind


# ExportClaim's fields and their types, in order: the claim's own fields
# (shape.CLAIM_OWN), then its published verdict's and the shared records,
# the sources last. The reader reads a row in this order.
_FIELD_TYPES = (
    *((field.name, _python_type(field)) for field in CLAIM_OWN),
    ("rating", str),
    ("rationale", str),
    ("article", ExportArticle),
    ("speaker", ExportSpeaker | None),
    ("reviewer", ExportReviewer),
    ("sources", list[dict[str, Any]]),  # as sources_by_claim gives them
)
EXPORT_CLAIM_FIELDS = tuple(name for name, _ in _FIELD_TYPES)
_ExportClaimFields = NamedTuple("_ExportClaimFields", _FIELD_TYPES)  # type: ignore[misc]


class ExportClaim(_ExportClaimFields):
    """A verified claim with its published verdict, as every format reads it.

    A tuple rather than a model instance: made from a row in a fraction of the
    time. Its fields begin with the claim's own as shape.CLAIM_OWN names them,
    so a field the declaration exports is read without an edit here. The
    moments are in UTC. The article, speaker and reviewer are shared by every
    claim of theirs in an export (and may be a little older than the claim,
    read with an earlier page): do not change them.
    """

    __slots__ = ()

    @classmethod
    def from_model(cls, claim: Claim) -> "ExportClaim":
        """Return the verified claim as the exports read it, from a model instance.

        For one claim at a time (the public page): the instance should come
        with its article, speaker, published verdict and reviewer joined and
        its sources prefetched, as public.claims_for_pages gives it.
        """
        verdict = claim.published_verdict
        if verdict is None:
            raise ValueError(f"Claim {claim.pk} has no published verdict: it is not verified.")
        own = (getattr(claim, field.source) for field in CLAIM_OWN)
        return cls(
            *(in_utc(value) if isinstance(value, datetime) else value for value in own),
            verdict.rating,
            verdict.rationale,
            ExportArticle.from_model(claim.article),
            None if claim.speaker is None else ExportSpeaker.from_model(claim.speaker),
            ExportReviewer(verdict.reviewer_id, public_name(verdict.reviewer)),
            sources_by_claim(
                (*(getattr(source, name) for name in SOURCE_KEYS), claim.pk)
                for source in claim.sources.all()
            ).get(claim.pk, []),
        )

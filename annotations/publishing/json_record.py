"""One claim as a plain JSON record, as the json and jsonl formats give it.

Its keys, and those of the objects in it, are shape.CLAIM's. orjson writes
UTF-8 as is (no \\u escapes but for control characters, as json's
ensure_ascii=False), with no spaces, the dates as ISO 8601 and the UTC
datetimes of the records as ISO 8601 with a Z.
"""

from operator import itemgetter
from typing import Any

import orjson

from .context import ExportContext
from .records import EXPORT_CLAIM_FIELDS, LABELS, SCALE, ExportArticle, ExportClaim, ExportSpeaker
from .shape import ARTICLE_KEYS, RECORD_KEYS, SPEAKER_KEYS, VERDICT_KEYS

JSON_OPTIONS = orjson.OPT_UTC_Z


def encode(obj: Any) -> bytes:
    return orjson.dumps(obj, option=JSON_OPTIONS)


def article_record(article: ExportArticle) -> orjson.Fragment:
    """Return the article in the json and jsonl formats, encoded once for all its claims."""
    return orjson.Fragment(encode({name: getattr(article, name) for name in ARTICLE_KEYS}))


def speaker_record(speaker: ExportSpeaker) -> orjson.Fragment:
    """Return the speaker in the json and jsonl formats, encoded once for all its claims."""
    return orjson.Fragment(encode({name: getattr(speaker, name) for name in SPEAKER_KEYS}))


# A published verdict's rating, label and number on the scale, made once for each rating.
_RATED = {
    rating: dict(zip(VERDICT_KEYS, (rating, label, SCALE.get(rating))))  # noqa: B905 (the first 3)
    for rating, label in LABELS.items()
}


def _unrated(rating: str) -> dict[str, Any]:
    """Return the first fields of a verdict whose rating has no label: the rating as its label."""
    return dict(zip(VERDICT_KEYS, (rating, rating, None)))  # noqa: B905 (the first 3)


# What the export makes of each claim besides its own fields, in this order.
_MADE = ("url", "article", "speaker", "verdict")
# The record's values in RECORD_KEYS order, from the made values followed by the claim.
_record_values = itemgetter(
    *(
        _MADE.index(key) if key in _MADE else len(_MADE) + EXPORT_CLAIM_FIELDS.index(key)
        for key in RECORD_KEYS
    )
)


def claim_record(claim: ExportClaim, context: ExportContext) -> dict[str, Any]:
    """Return the claim as the json and jsonl formats give it.

    Unknown text is an empty string; an unknown date or number, or a missing
    object (the speaker of a claim in the article's own voice), is null. For
    orjson to encode: the moments are datetimes in UTC, which it writes as ISO
    8601 with a Z, and the article and speaker come encoded already. The
    values are given in shape.CLAIM's order: the claim's own fields as they
    are, the others as the export makes them.
    """
    rating, speaker = claim.rating, claim.speaker
    verdict = (_RATED.get(rating) or _unrated(rating)).copy()
    verdict["rationale"] = claim.rationale
    verdict["reviewer"] = claim.reviewer.name
    made = (
        context.claim_url(claim.id),
        claim.article.shared(article_record),
        None if speaker is None else speaker.shared(speaker_record),
        verdict,
    )
    # The same length: test_export_shape.
    return dict(zip(RECORD_KEYS, _record_values(made + claim)))  # noqa: B905

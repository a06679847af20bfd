"""One claim as a CSV row, in the columns shape.CLAIM declares, no cell a formula.

A spreadsheet runs a cell that starts with "=", "+", "-", "@", a tab or a
carriage return as a formula: such cells get a leading apostrophe.
"""

from collections.abc import Callable
from datetime import datetime
from operator import call, itemgetter
from typing import Any

import orjson

from ..models import Source
from .context import ExportContext
from .records import (
    EXPORT_CLAIM_FIELDS,
    LABELS,
    SCALE,
    ExportArticle,
    ExportClaim,
    ExportReviewer,
    ExportSpeaker,
    iso,
)
from .shape import ARTICLE, CLAIM_OWN, CSV_COLUMNS, SPEAKER, VERDICT, Field

__all__ = ["CSV_COLUMNS", "FORMULA_TRIGGERS", "csv_cell", "csv_row", "text_cell"]

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """Return the value as a CSV cell that no spreadsheet runs as a formula."""
    return text_cell("" if value is None else str(value))


def text_cell(text: str) -> str:
    """Return the text as a CSV cell that no spreadsheet runs as a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


_ARTICLE_COLUMNS = tuple(field.name for field in ARTICLE.fields if field.csv)
_SPEAKER_COLUMNS = tuple(field.name for field in SPEAKER.fields if field.csv)


def article_cells(article: ExportArticle) -> tuple[str, ...]:
    """Return the article's cells of a CSV row (id, title, url, outlet, published_on)."""
    return tuple(csv_cell(getattr(article, name)) for name in _ARTICLE_COLUMNS)


def speaker_cells(speaker: ExportSpeaker) -> tuple[str, ...]:
    """Return the speaker's cells of a CSV row (name, kind, side, role, reference_url)."""
    return tuple(csv_cell(getattr(speaker, name)) for name in _SPEAKER_COLUMNS)


def reviewer_cell(reviewer: ExportReviewer) -> str:
    return csv_cell(reviewer.name)


# One orjson call writes all of a claim's moments as iso() writes each, in a third of the time.
_MOMENT_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC


def _moment_cells(moments: tuple[datetime, ...]) -> list[str]:
    """Return the moments (in UTC) as ISO 8601 ending in Z, as iso() writes them."""
    if not moments:
        return []
    return orjson.dumps(moments, option=_MOMENT_OPTIONS)[2:-2].decode().split('","')


def _nullable_moment_cell(moment: datetime | None) -> str:
    return "" if moment is None else iso(moment)


def _pick(fields: list[Field]) -> Callable[[ExportClaim], tuple[Any, ...]]:
    """Return what picks these fields of a claim, as a tuple, however many they are."""
    at = [EXPORT_CLAIM_FIELDS.index(field.name) for field in fields]
    if len(at) > 1:
        return itemgetter(*at)
    return lambda claim: tuple(claim[i] for i in at)  # one field, or none


def _kind_of_cell(field: Field) -> str:
    """Return how one of the claim's own fields becomes a cell.

    "text" may start a formula; a "moment" is written as iso() writes it; a
    "nullable" text or moment has a maker of its own; a number, or a choice
    the database holds to (none of which starts a formula), is written "as is".
    """
    is_moment = field.format == "date-time"
    if not is_moment and (field.type != "string" or field.enum):
        return "as is"
    if field.nullable:
        return "nullable"
    return "moment" if is_moment else "text"


# The claim's own fields with a column, by how each becomes a cell.
_OWN_BY_KIND = {
    kind: [field for field in CLAIM_OWN if field.csv and _kind_of_cell(field) == kind]
    for kind in ("text", "moment", "nullable", "as is")
}
_texts, _moments, _nullables, _as_is = map(_pick, _OWN_BY_KIND.values())
_HAS_NULLABLE = bool(_OWN_BY_KIND["nullable"])
_nullable_cells = tuple(
    _nullable_moment_cell if field.format == "date-time" else csv_cell
    for field in _OWN_BY_KIND["nullable"]
)

_STANCES = dict(Source.Stance.choices)
_NO_SPEAKER = ("",) * len(_SPEAKER_COLUMNS)
_RATING_CELLS = {
    rating: tuple(csv_cell(value) for value in (rating, label, SCALE.get(rating)))
    for rating, label in LABELS.items()
}
# What csv_row gathers, in its order: the cells of what is not the claim's own (the url,
# the article's, the speaker's, the published verdict's in shape.VERDICT's order, the
# sources), then the claim's own by kind of cell.
_GATHERED = (
    "url",
    *(f"article_{name}" for name in _ARTICLE_COLUMNS),
    *(f"speaker_{name}" for name in _SPEAKER_COLUMNS),
    *(f"verdict_{field.name}" for field in VERDICT.fields if field.csv),
    "sources",
    *(field.name for fields in _OWN_BY_KIND.values() for field in fields),
)
# The row in CSV_COLUMNS' order from what csv_row gathers.
_row = itemgetter(*map(_GATHERED.index, CSV_COLUMNS))


def csv_row(claim: ExportClaim, context: ExportContext) -> tuple[Any, ...]:
    """Return the claim's CSV row, every cell in the order of CSV_COLUMNS."""
    sources = "\n".join(
        f"{_STANCES.get(s['stance'], s['stance'])}: "
        f"{s['title'] + ' — ' if s['title'] else ''}{s['url']}"
        for s in claim.sources
    )
    speaker, rating = claim.speaker, claim.rating
    return _row(  # type: ignore[no-any-return]
        (
            text_cell(context.claim_url(claim.id)),
            *claim.article.shared(article_cells),
            *(_NO_SPEAKER if speaker is None else speaker.shared(speaker_cells)),
            *(_RATING_CELLS.get(rating) or (csv_cell(rating), csv_cell(rating), "")),
            text_cell(claim.rationale),
            claim.reviewer.shared(reviewer_cell),
            text_cell(sources),
            *map(text_cell, _texts(claim)),
            *_moment_cells(_moments(claim)),
            *(map(call, _nullable_cells, _nullables(claim)) if _HAS_NULLABLE else ()),
            *_as_is(claim),
        )
    )

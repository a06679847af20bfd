"""One claim as a W3C Web Annotation that assesses the article's text."""

from typing import Any

from .context import ExportContext
from .records import LABELS, ExportClaim, ExportReviewer

W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"

_TAGS = {
    rating: {"type": "TextualBody", "purpose": "tagging", "value": label}
    for rating, label in LABELS.items()
}


def creator(reviewer: ExportReviewer) -> dict[str, Any]:
    """Return the reviewer as a W3C Web Annotation's creator."""
    return {"type": "Person", "name": reviewer.name}


def web_annotation(claim: ExportClaim, context: ExportContext) -> dict[str, Any]:
    """Return the claim as a W3C Web Annotation that assesses the article's text.

    The target keeps both selectors side by side, as hypothesis does: the
    quote with its context, and the position in code points. The moments are
    datetimes in UTC, written as ISO 8601 with a Z; parts are shared with
    other annotations of the same export: do not change them.
    """
    article, rating = claim.article, claim.rating
    label = LABELS.get(rating, rating)
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
        "creator": claim.reviewer.shared(creator),
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

"""The public fact-check page of a verified claim, /checks/<id>/: no login, with its ClaimReview.

The page is where the fact-check is published, so the ClaimReview it embeds
(and the one the export lists) names this page as its url. Only verified
claims have a page; settings.FACTCHECK_PUBLIC_PAGES turns them all off.
Anonymous readers get it cacheable, with validators (caching.public_cache).
"""

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import F, IntegerField, QuerySet
from django.db.models.functions import Greatest, Length, Substr
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import SafeString, mark_safe

from ..models import Claim, Verdict, title_from_opening
from .caching import page_context_for, page_etag, page_last_modified, public_cache
from .claimreview import claim_review
from .context import ExportContext
from .credits import credit_contributors, other_reviewers
from .reader import published
from .records import ExportClaim

# Characters of the article read on each side of the quote: enough for the
# paragraph around it, without reading a whole long article for one page.
CONTEXT_WINDOW = 600
# Characters of the article read to name it when it has no title.
OPENING_CHARS = 200

# What HTML's parser could take for markup inside a <script> element
# (as django.utils.html.json_script escapes them).
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@dataclass(frozen=True)
class Passage:
    """The quote in its paragraph, as plain text on either side."""

    before: str
    quote: str
    after: str
    cut_before: bool
    cut_after: bool


def claims_for_pages() -> QuerySet[Claim]:
    """Return the published claims with what a page shows of each, the article's text deferred.

    The article, speaker and published verdict with its reviewer are joined;
    the sources are prefetched (one more query per evaluation).
    """
    return (
        published()
        .select_related("article", "speaker__side", "published_verdict__reviewer")
        .defer("article__text")
        .prefetch_related("sources")
    )


def json_ld(data: dict[str, Any]) -> SafeString:
    """Return JSON to put inside a <script> element: no "</script>" can end it early."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))  # noqa: S308 (<, > and & are escaped)


def _passage(claim: Claim) -> Passage:
    """Return the paragraph around the quote, cut at a word if it runs past the window."""
    window: str = claim.window  # type: ignore[attr-defined]
    window_start: int = claim.window_start  # type: ignore[attr-defined]
    lo, hi = claim.start - window_start, claim.end - window_start
    para_start = window.rfind("\n", 0, lo) + 1
    para_end = window.find("\n", hi)
    if para_end == -1:
        para_end = len(window)
    before, after = window[para_start:lo], window[hi:para_end]
    cut_before = para_start == 0 and window_start > 0
    cut_after = para_end == len(window) and window_start + len(window) < claim.text_length  # type: ignore[attr-defined]
    if cut_before and " " in before:
        before = before.split(" ", 1)[1]
    if cut_after and " " in after:
        after = after.rsplit(" ", 1)[0]
    return Passage(
        before=before.replace("\r", ""),
        quote=window[lo:hi].replace("\r", ""),
        after=after.replace("\r", ""),
        cut_before=cut_before,
        cut_after=cut_after,
    )


@public_cache(etag=page_etag, last_modified=page_last_modified)
def claim_page(request: HttpRequest, pk: int) -> HttpResponse:
    if not settings.FACTCHECK_PUBLIC_PAGES:
        raise Http404("Public fact-check pages are turned off.")
    window_start = Greatest(F("start") - CONTEXT_WINDOW, 0, output_field=IntegerField())
    claims = claims_for_pages().annotate(
        window_start=window_start,
        window=Substr("article__text", window_start + 1, F("end") + CONTEXT_WINDOW - window_start),
        text_length=Length("article__text"),
        opening=Substr("article__text", 1, OPENING_CHARS),
    )
    claim = get_object_or_404(claims, pk=pk)
    verdict = claim.published_verdict
    # The same light record the export reads, so that both publish the same ClaimReview.
    record = ExportClaim.from_model(claim)
    review = claim_review(record, ExportContext.for_request(request))
    others = other_reviewers(claim)  # none unless FACTCHECK_CREDIT_ALL_REVIEWERS
    credit_contributors(review, others)
    context = {
        "claim": claim,
        "article": claim.article,
        # As Article.display_title names it, from the opening read with the claim.
        "article_title": claim.article.title or title_from_opening(claim.opening),  # type: ignore[attr-defined]
        "speaker": claim.speaker,
        "verdict": verdict,
        "reviewer_name": record.reviewer.name,
        "other_reviewers": others,
        "sources": claim.sources.all(),
        "passage": _passage(claim),
        "canonical_url": review["url"],
        "headline": review["claimReviewed"],
        "publisher": review["author"],
        "scale": [
            {"label": Verdict.Rating(rating).label, "value": value}
            for rating, value in Verdict.SCALE.items()
        ],
        "claim_review": json_ld(review),
        **page_context_for(request),
    }
    return render(request, "annotations/public_claim.html", context)

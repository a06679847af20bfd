"""One claim as a schema.org ClaimReview, as its public page embeds it and the export lists it."""

from typing import Any

from ..models import Speaker, Verdict
from .context import ExportContext
from .records import LABELS, SCALE, ExportArticle, ExportClaim, ExportSpeaker

SCHEMA_ORG_CONTEXT = "https://schema.org"


def appearance(article: ExportArticle) -> dict[str, Any]:
    """Return where the claim appeared, as a ClaimReview's schema.org CreativeWork."""
    work: dict[str, Any] = {"@type": "CreativeWork"}
    if article.url:
        work["url"] = article.url
    if article.title:
        work["headline"] = article.title
    if article.published_on:
        work["datePublished"] = article.published_on.isoformat()
    if article.outlet:
        work["publisher"] = {"@type": "Organization", "name": article.outlet}
    return work


def own_voice(article: ExportArticle) -> dict[str, Any] | None:
    """Return who makes a claim in the article's own voice: its outlet, if it names one."""
    return {"@type": "Organization", "name": article.outlet} if article.outlet else None


def author(speaker: ExportSpeaker) -> dict[str, Any]:
    """Return who made the claim, as a ClaimReview's schema.org Person or Organization."""
    if speaker.kind == Speaker.Kind.PERSON:
        made_by: dict[str, Any] = {"@type": "Person", "name": speaker.name}
        if speaker.role:
            made_by["jobTitle"] = speaker.role
    else:
        made_by = {"@type": "Organization", "name": speaker.name}
    same_as = [url for url in (speaker.reference_url, wikidata_url(speaker.wikidata_id)) if url]
    if same_as:
        # One address as a string, as before Wikidata ids; both as a list (schema.org takes either).
        made_by["sameAs"] = same_as[0] if len(same_as) == 1 else same_as
    return made_by


def wikidata_url(wikidata_id: str) -> str:
    """Return the Wikidata page of an item (Q42), or "" for none."""
    return f"https://www.wikidata.org/wiki/{wikidata_id}" if wikidata_id else ""


def _review_rating(rating: str) -> dict[str, Any]:
    """Return the rating as a schema.org Rating; Unverifiable has only its label."""
    review_rating: dict[str, Any] = {
        "@type": "Rating",
        "alternateName": LABELS.get(rating, rating),
    }
    value = SCALE.get(rating)
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
    made_by = article.shared(own_voice) if speaker is None else speaker.shared(author)
    if made_by:
        item["author"] = made_by
    where = article.shared(appearance)
    if article.published_on:
        item["datePublished"] = where["datePublished"]
    item["appearance"] = where
    item["firstAppearance"] = where
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

"""Helpers for the export and public-page tests.

Verified claims are made through the write path (``make_verified``); ``parse``
reads any export format back into a list of items; ``schema_org_loader``
serves a local schema.org context to PyLD, so nothing is fetched.
"""

import csv
import io
import json
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from annotations import services
from annotations.models import Article, Claim, Verdict

from ..factories import UserFactory, make_claim_in_review

FORMATS = ("json", "jsonl", "csv", "claimreview", "w3c")
EXPORT_URL = "/api/export/"


def verify(
    claim: Claim,
    *,
    reviewer: User,
    moderator: User,
    rating: str = Verdict.Rating.MOSTLY_TRUE,
    rationale: str = "The ministry's own figures say so.",
) -> Claim:
    """Give the reviewer's verdict and have the moderator publish it.

    The moderator rates the claim too: the desk's quorum is two reviewers' verdicts.
    """
    verdict = services.verdict_give(claim=claim, user=reviewer, rating=rating, rationale=rationale)
    services.verdict_give(claim=claim, user=moderator, rating=rating, rationale="I agree.")
    return services.claim_verify(claim=claim, user=moderator, verdict=verdict)


def make_verified(
    *,
    article: Article,
    phrase: str,
    reviewer: User,
    moderator: User,
    rating: str = Verdict.Rating.MOSTLY_TRUE,
    rationale: str = "The ministry's own figures say so.",
    sources: tuple[tuple[str, str], ...] = (),
    **fields: Any,
) -> Claim:
    """Make a claim on the phrase, add its sources, and verify it with the reviewer's verdict.

    Another reviewer highlights it: the desk does not let a claim's author rate it.
    """
    author = UserFactory(username="claim-author", groups=["Reviewers"])
    claim = make_claim_in_review(user=author, article=article, phrase=phrase, **fields)
    for url, stance in sources:
        services.source_add(
            claim=claim, user=reviewer, url=url, stance=stance, title=f"Evidence at {url}"
        )
    return verify(claim, reviewer=reviewer, moderator=moderator, rating=rating, rationale=rationale)


def export_bytes(client: Client, fmt: str, **params: str) -> bytes:
    response = client.get(EXPORT_URL, {"format": fmt, **params})
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


def parse(fmt: str, data: bytes) -> list[dict[str, Any]]:
    """Return the items of an export: claims, rows, ClaimReviews or annotations."""
    if fmt == "csv":
        assert data.startswith(b"\xef\xbb\xbf")  # the BOM
        return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    text = data.decode("utf-8")
    if fmt == "jsonl":
        return [json.loads(line) for line in text.splitlines()]
    document = json.loads(text)
    if fmt == "json":
        assert document["count"] == len(document["items"])
        return document["items"]
    if fmt == "w3c":
        assert document["total"] == len(document["first"]["items"])
        return document["first"]["items"]
    return document


def item_ids(fmt: str, data: bytes) -> list[str]:
    """Return the claim ids in an export, in order (as the public page URLs end)."""
    items = parse(fmt, data)
    if fmt in ("json", "jsonl", "csv"):
        return [str(item["id"]) for item in items]
    key = "url" if fmt == "claimreview" else "id"
    return [item[key].rstrip("/").rsplit("/", 1)[1] for item in items]


# schema.org for PyLD, without the network --------------------------------------

SCHEMA = "http://schema.org/"
# The terms the ClaimReview export uses, each defined explicitly (no @vocab):
# a misspelt or invented term is dropped by expansion, and the tests notice.
SCHEMA_ORG_CONTEXT = {
    "@context": {
        "schema": SCHEMA,
        **{
            term: f"schema:{term}"
            for term in (
                "ClaimReview",
                "Claim",
                "CreativeWork",
                "Organization",
                "Person",
                "Rating",
                "claimReviewed",
                "reviewRating",
                "reviewBody",
                "itemReviewed",
                "author",
                "appearance",
                "firstAppearance",
                "headline",
                "publisher",
                "name",
                "jobTitle",
                "alternateName",
                "ratingValue",
                "bestRating",
                "worstRating",
            )
        },
        "url": {"@id": "schema:url", "@type": "@id"},
        "sameAs": {"@id": "schema:sameAs", "@type": "@id"},
        "datePublished": {"@id": "schema:datePublished", "@type": "schema:Date"},
    }
}
SCHEMA_ORG_URLS = {"https://schema.org", "https://schema.org/", "http://schema.org", SCHEMA}


def schema_org_loader(url: str, options: dict[str, Any]) -> dict[str, Any]:
    """A PyLD document loader that knows schema.org's context and refuses everything else."""
    if url not in SCHEMA_ORG_URLS:
        raise AssertionError(f"The test tried to fetch {url}; only schema.org is served.")
    return {"contextUrl": None, "documentUrl": url, "document": SCHEMA_ORG_CONTEXT}

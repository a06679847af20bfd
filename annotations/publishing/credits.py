"""Who a published fact-check credits: the reviewer whose verdict was published, or everyone.

FACTCHECK_CREDIT_ALL_REVIEWERS (off by default) names every reviewer who rated
the claim on its public page and in that page's ClaimReview (as contributors).
The exports credit the published verdict's reviewer only, as before.
"""

from typing import Any

from django.conf import settings

from ..models import Claim, Verdict
from .records import public_name


def other_reviewers(claim: Claim) -> list[str]:
    """Return the public names of the claim's other reviewers, in the order they rated it.

    Empty unless the desk credits every reviewer; one query when it does.
    """
    if not settings.FACTCHECK_CREDIT_ALL_REVIEWERS:
        return []
    verdicts = (
        Verdict.objects.filter(claim_id=claim.pk)
        .exclude(pk=claim.published_verdict_id)
        .select_related("reviewer")
        .order_by("created_at", "id")
    )
    return [public_name(verdict.reviewer) for verdict in verdicts]


def credit_contributors(review: dict[str, Any], names: list[str]) -> None:
    """Name the other reviewers in the ClaimReview as schema.org contributors."""
    if names:
        review["contributor"] = [{"@type": "Person", "name": name} for name in names]

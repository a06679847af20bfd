"""Reads with their joins made, for the pages, the admin and the API."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Lower

from .models import Article, Claim, Speaker, Verdict


def speaker_by_name(name: str) -> Speaker | None:
    """Return the speaker with this name or alias, ignoring case and extra spaces."""
    name = " ".join(name.split())
    return (
        Speaker.objects.filter(Q(name__iexact=name) | Q(aliases__name__iexact=name))
        .order_by(Lower("name"))
        .first()
    )


def claims_with_context() -> QuerySet[Claim]:
    """Return claims with their article, speaker, people and verdicts fetched in bulk."""
    return Claim.objects.select_related(
        "article", "speaker", "created_by", "moderated_by", "published_verdict__reviewer"
    ).prefetch_related(
        Prefetch("verdicts", queryset=Verdict.objects.select_related("reviewer").order_by("id"))
    )


def articles_with_claim_counts() -> QuerySet[Article]:
    """Return articles, newest first, each with its number of claims."""
    return Article.objects.annotate(claim_count=Count("claims")).order_by("-created_at", "-id")

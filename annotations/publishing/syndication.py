"""How search engines and aggregators find the checks: /sitemap.xml and the feed /checks/feed/.

Both list exactly the published checks (reader.published) and are cacheable
like the pages (caching.public_cache, with the lists' own ETag).
"""

from datetime import datetime

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from ..models import Claim
from .caching import checks_with_changes

# Checks in the feed: the latest published.
FEED_ITEMS = 50


def _require_public_pages() -> None:
    if not settings.FACTCHECK_PUBLIC_PAGES:
        raise Http404("Public fact-check pages are turned off.")


def headline(claim: Claim) -> str:
    """Return the claim as checked, as its page and its ClaimReview name it."""
    return claim.restatement or claim.quote


class ChecksSitemap(Sitemap):
    """Every published check's page, with the moment it last changed (its Last-Modified)."""

    changefreq = "weekly"
    # Django splits a sitemap into pages of this many (?p=2, ...), the protocol's maximum.
    limit = 50_000

    def items(self) -> QuerySet[Claim]:
        _require_public_pages()
        return checks_with_changes().only("pk").order_by("pk")

    def location(self, item: Claim) -> str:
        return reverse("public-claim", args=[item.pk])

    def lastmod(self, item: Claim) -> datetime:
        return item.changed_at  # type: ignore[attr-defined]


SITEMAPS = {"checks": ChecksSitemap}


class LatestChecksFeed(Feed):
    """An Atom feed of the latest published checks: the claim, the rating and the page."""

    feed_type = Atom1Feed

    def title(self) -> str:
        return f"{settings.FACTCHECK_PUBLISHER_NAME}: latest fact checks"

    def subtitle(self) -> str:
        return "Claims in the news, checked: each with its rating and the evidence."

    def link(self) -> str:
        return reverse("public-feed")

    def author_name(self) -> str:
        return settings.FACTCHECK_PUBLISHER_NAME

    def author_link(self) -> str:
        return settings.FACTCHECK_PUBLISHER_URL

    def items(self) -> QuerySet[Claim]:
        _require_public_pages()
        return (
            checks_with_changes()
            .select_related("published_verdict")
            .only(
                "pk",
                "quote",
                "restatement",
                "moderated_at",
                "published_verdict__rating",
            )
            .order_by("-moderated_at", "-pk")[:FEED_ITEMS]
        )

    def item_title(self, item: Claim) -> str:
        return headline(item)

    def item_description(self, item: Claim) -> str:
        rating = item.published_verdict.get_rating_display()  # type: ignore[union-attr]
        return f"Our verdict: {rating}. “{headline(item)}”"

    def item_categories(self, item: Claim) -> tuple[str]:
        return (item.published_verdict.get_rating_display(),)  # type: ignore[union-attr]

    def item_link(self, item: Claim) -> str:
        return reverse("public-claim", args=[item.pk])

    def item_pubdate(self, item: Claim) -> datetime | None:
        return item.moderated_at

    def item_updateddate(self, item: Claim) -> datetime:
        return item.changed_at  # type: ignore[attr-defined]

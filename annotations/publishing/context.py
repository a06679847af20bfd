"""What every format needs besides the claims: absolute links, the publisher, the time zone.

Absolute links come from the request (the endpoint, the public page) or from
settings.FACTCHECK_SITE_URL (the command).
"""

from datetime import UTC, datetime, tzinfo
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from .records import in_utc, iso

_SENTINEL = 918273645  # an id no real row has, to split a reversed URL around


class ExportContext:
    """Absolute links, the publisher and the time zone, the same for every claim of one export."""

    def __init__(self, *, base_url: str, updated_since: datetime | None = None) -> None:
        # base_url is scheme://host (and any path the site is served under).
        self.base_url = base_url.rstrip("/")
        self.updated_since = updated_since
        # Reverse once and fill in ids: reverse() costs some 20 µs a call, and each claim needs two.
        self._claim_url = self._url_around_id("public-claim")
        self._article_url = self._url_around_id("api-article-detail")
        self.publisher: dict[str, Any] = {
            "@type": "Organization",
            "name": settings.FACTCHECK_PUBLISHER_NAME,
            "url": settings.FACTCHECK_PUBLISHER_URL or self.base_url + "/",
        }
        # Looked up once: finding the active time zone costs more than using it.
        self.timezone: tzinfo = timezone.get_current_timezone()
        # In UTC (the default), a moment's day needs no conversion.
        self._days_in_utc = self.timezone is UTC or getattr(self.timezone, "key", None) == "UTC"

    @classmethod
    def for_request(
        cls, request: HttpRequest, *, updated_since: datetime | None = None
    ) -> "ExportContext":
        return cls(base_url=request.build_absolute_uri("/"), updated_since=updated_since)

    @classmethod
    def for_command(cls, *, updated_since: datetime | None = None) -> "ExportContext":
        return cls(base_url=settings.FACTCHECK_SITE_URL, updated_since=updated_since)

    def _url_around_id(self, name: str) -> tuple[str, str]:
        head, tail = reverse(name, kwargs={"pk": _SENTINEL}).split(str(_SENTINEL))
        return self.base_url + head, tail

    def claim_url(self, claim_id: int) -> str:
        """Return the absolute URL of the claim's public fact-check page."""
        head, tail = self._claim_url
        return f"{head}{claim_id}{tail}"

    def article_url(self, article_id: int) -> str:
        """Return the absolute URL of the article in the API (for articles without a URL)."""
        head, tail = self._article_url
        return f"{head}{article_id}{tail}"

    def export_url(self, format_name: str) -> str:
        query = {"format": format_name}
        if self.updated_since is not None:
            query["updated_since"] = iso(self.updated_since)
        return f"{self.base_url}{reverse('export')}?{urlencode(query)}"

    def local_day(self, moment: datetime) -> str:
        """Return the day the moment falls on in the site's time zone, as ISO 8601."""
        if self._days_in_utc:
            return in_utc(moment).date().isoformat()
        return moment.astimezone(self.timezone).date().isoformat()

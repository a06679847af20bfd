"""HTTP caching of the public side: the fact-check pages, the sitemap and the feed.

An anonymous reader (no session cookie) gets an answer any cache may keep:
``Cache-Control: public`` with the ages from settings, a strong ``ETag`` (and
on a page its ``Last-Modified``), no cookie and no ``Vary: Cookie``; a
conditional request that matches gets 304 without the page being rendered.
The validators come from one small query of what the page shows, never from
the rendered page. A reader with a session (a reviewer, say) gets the page
uncached (``private``), as before, with the controls the login brings.

What a page shows must be in ``check_versions`` below, or a change to it would
not reach readers until the caches' ages run out.
"""

import hashlib
from collections.abc import Callable
from datetime import datetime
from functools import cache, wraps
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, DateTimeField, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404, HttpRequest, HttpResponseBase
from django.template.loader import get_template
from django.templatetags.static import static
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import condition
from django.views.defaults import page_not_found

from ..models import Claim, Source, Speaker
from .reader import published

# The templates and style sheets the public side renders with: a release that changes
# them changes every ETag, so that no cache keeps a page in the old layout.
PAGE_TEMPLATES = ("annotations/public_claim.html", "base.html", "annotations/sitemap.xml")
PAGE_STATIC = ("css/site.css", "css/public.css", "favicon.svg")


def is_anonymous_reader(request: HttpRequest) -> bool:
    """Return whether the request carries no session: without loading one, so nothing varies."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


@cache
def release_fingerprint() -> str:
    """Return a digest of the public side's templates and static file names, once a process."""
    digest = hashlib.sha256()
    for name in PAGE_TEMPLATES:
        digest.update(Path(get_template(name).origin.name).read_bytes())
    for name in PAGE_STATIC:
        digest.update(static(name).encode())
    return digest.hexdigest()


def _strong_etag(*parts: Any) -> str:
    digest = hashlib.sha256(repr((release_fingerprint(), *parts)).encode())
    return digest.hexdigest()[:40]


def _publisher() -> tuple[str, str]:
    return settings.FACTCHECK_PUBLISHER_NAME, settings.FACTCHECK_PUBLISHER_URL


def _latest_history(model: type[Any], **match: Any) -> Subquery:
    """Return the moment of the latest change of the rows that match, from their history."""
    changes = model.history.model.objects.filter(**match).order_by("-history_date")
    return Subquery(changes.values("history_date")[:1], output_field=DateTimeField())


def checks_with_changes() -> QuerySet[Claim]:
    """Return the published claims, each annotated with ``changed_at``: when its page last changed.

    The claim's own moment moves with any edit of it, of its sources and of its
    verdicts, and with verifying and reopening; the published verdict's and the
    article's with theirs; the speaker and the sources have no such column, so
    their history says when they last changed (a source removed included).
    """
    speaker_changed = _latest_history(Speaker, id=OuterRef("speaker_id"))
    sources_changed = _latest_history(Source, claim_id=OuterRef("pk"))
    return published().annotate(
        changed_at=Greatest(
            "updated_at",
            "published_verdict__updated_at",
            "article__updated_at",
            Coalesce(speaker_changed, "updated_at"),
            Coalesce(sources_changed, "updated_at"),
            output_field=DateTimeField(),
        )
    )


# What the page shows, as columns: the claim's moments and the ids of what it names
# (what their names and texts are is covered by the moments in changed_at), the
# speaker's and the reviewer's names, which change without a moment of their own.
PAGE_COLUMNS = (
    "pk",
    "version",
    "updated_at",
    "moderated_at",
    "published_verdict_id",
    "article_id",
    "speaker_id",
    "speaker__name",
    "speaker__role",
    "speaker__kind",
    "speaker__side",
    "speaker__side__name",
    "speaker__reference_url",
    "published_verdict__reviewer__username",
    "published_verdict__reviewer__first_name",
    "published_verdict__reviewer__last_name",
    "changed_at",
)


@cache
def _page_rows() -> QuerySet[Claim]:
    # Built once a process and only filtered for each request: building the query
    # (its annotations, the history models' managers) costs more than running it.
    return checks_with_changes().values_list(*PAGE_COLUMNS).order_by()


def check_versions(pk: int) -> tuple[str, datetime] | None:
    """Return the ETag and last modification of a published check's page; None if it has none."""
    row = next(iter(_page_rows().filter(pk=pk)), None)
    if row is None:
        return None
    return _strong_etag("check", row, _publisher()), row[-1]


def checks_list_etag() -> str:
    """Return the ETag of the lists of checks (the sitemap, the feed) from one aggregate query.

    Any check published, reopened or changed moves one of these: the count, the
    latest moments of the published claims, their verdicts and articles, and the
    latest change of any speaker or source (a conservative stand-in for theirs).
    """
    figures = published().aggregate(
        count=Count("pk"),
        last_id=Max("pk"),
        claims=Max("updated_at"),
        verdicts=Max("published_verdict__updated_at"),
        articles=Max("article__updated_at"),
    )
    figures["speakers"] = Speaker.history.aggregate(latest=Max("history_date"))["latest"]
    figures["sources"] = Source.history.aggregate(latest=Max("history_date"))["latest"]
    return _strong_etag("list", sorted(figures.items()), _publisher())


def _page_versions(request: HttpRequest, pk: int) -> tuple[str, datetime] | None:
    # The ETag and Last-Modified of one request come from one query (condition asks twice).
    if not hasattr(request, "check_versions"):
        request.check_versions = (  # type: ignore[attr-defined]
            check_versions(pk) if settings.FACTCHECK_PUBLIC_PAGES else None
        )
    return request.check_versions  # type: ignore[attr-defined]


def page_etag(request: HttpRequest, pk: int) -> str | None:
    versions = _page_versions(request, pk)
    return None if versions is None else versions[0]


def page_last_modified(request: HttpRequest, pk: int) -> datetime | None:
    versions = _page_versions(request, pk)
    return None if versions is None else versions[1]


def list_etag(request: HttpRequest, *args: Any, **kwargs: Any) -> str:
    return checks_list_etag()


def cache_for_the_public(response: HttpResponseBase) -> HttpResponseBase:
    """Let browsers and shared caches keep the answer for the ages settings give."""
    patch_cache_control(
        response,
        public=True,
        max_age=settings.FACTCHECK_PUBLIC_MAX_AGE,
        s_maxage=settings.FACTCHECK_PUBLIC_S_MAXAGE,
    )
    return response


def public_cache(
    *,
    etag: Callable[..., str | None],
    last_modified: Callable[..., datetime | None] | None = None,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Make a public view cacheable for anonymous readers, with ``etag`` and ``last_modified``.

    For anonymous readers, Django's ``condition`` answers 304 to a matching
    If-None-Match (or, without one, If-Modified-Since) before the view runs;
    200 and 304 say ``Cache-Control: public`` with the ages from settings. A
    404 (a check reopened since, say) says ``no-store``, so that no cache keeps
    it, and a cache that revalidates its copy of the page gets it and serves it
    no more. A request with a session gets the view's own answer, ``private``.
    """

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        conditional = condition(etag_func=etag, last_modified_func=last_modified)(view)

        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not is_anonymous_reader(request):
                response = view(request, *args, **kwargs)
                patch_cache_control(response, private=True, no_cache=True)
                patch_vary_headers(response, ("Cookie",))
                return response
            try:
                response = conditional(request, *args, **kwargs)
            except Http404 as gone:
                response = page_not_found(request, gone)
                patch_cache_control(response, no_store=True)
                return response
            if response.status_code in (200, 304):
                cache_for_the_public(response)
            return response

        return wrapper

    return decorator


def page_context_for(request: HttpRequest) -> dict[str, Any]:
    """Return what a public template's context must hold so that rendering reads no session.

    base.html asks whether the user is logged in and lists the messages; both
    would load the session and so make the answer vary on the cookie. An
    anonymous reader has neither.
    """
    if not is_anonymous_reader(request):
        return {}
    return {"user": AnonymousUser(), "messages": ()}

"""The reviewers' pages, server-rendered: the article list, the article page, a claim's panel.

The article page's script (static/js/desk.js) draws the claims it is handed in
the API's claim shape, and sends every write to /api/ with the session and the
CSRF token. What it fetches from here is HTML: a claim's panel.
"""

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from .. import permissions, selectors
from ..models import Article, Attribution, ClaimKind, Side, Status, title_from_opening
from .forms import ClaimEditForm, ClaimForm, SourceForm, SpeakerForm, VerdictForm

DESK_PERMISSION = "annotations.view_claim"
NOT_ON_THE_DESK = (
    "Your account is not on the desk yet: ask an editor to add you to the Reviewers group."
)
ARTICLES_PER_PAGE = 25
# The reviewer's queue on the article list shows the oldest this many; the API gives them all.
WAITING_SHOWN = 10
# The article's own voice has no speaker, hence no side; the page colours it apart.
AUTHOR_SIDE = "author"
SPEAKER_FIELDS = ("id", "name", "kind", "side", "role")  # side: its slug

View = Callable[..., HttpResponse]


def desk_page(view: View) -> View:
    """Let in only logged-in members of the desk: others log in first, outsiders get a 403 page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm(DESK_PERMISSION):
            return render(
                request, "annotations/forbidden.html", {"message": NOT_ON_THE_DESK}, status=403
            )
        return view(request, *args, **kwargs)

    return wrapper


def desk_fragment(view: View) -> View:
    """Answer the page's script with a fragment, or with a short message it can show.

    A fetch cannot follow a redirect to the log-in form: an anonymous call gets
    401, and the message says the session has ended.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return _message(
                "Your session has ended: log in again in another tab, then retry.", status=401
            )
        if not request.user.has_perm(DESK_PERMISSION):
            return _message(NOT_ON_THE_DESK, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _message(message: str, *, status: int) -> HttpResponse:
    return HttpResponse(message, content_type="text/plain; charset=utf-8", status=status)


def paragraphs(text: str) -> list[dict[str, Any]]:
    """Return the text's non-blank lines with their offsets in code points (Python indices).

    Each also carries ``gap``: the text between it and the one before (line breaks,
    blank lines), as HTML. The page draws the gaps between the paragraphs' elements,
    so that the text container's textContent is the article's text, code point for
    code point, as W3C selectors expect. An HTML parser reads a bare carriage return
    as a line feed, so it is written as a character reference.
    """
    found = [
        {"start": m.start(), "end": m.end(), "text": m.group()}
        for m in re.finditer(r"[^\r\n]+", text)
        if m.group().strip()
    ]
    at = 0
    for paragraph in found:
        paragraph["gap"] = _text_html(text[at : paragraph["start"]])
        at = paragraph["end"]
    return found


def _text_html(text: str) -> str:
    return mark_safe(escape(text).replace("\r", "&#13;"))  # noqa: S308 (escaped just before)


def page_claims(article_id: int) -> list[dict[str, Any]]:
    """Return the article's claims as GET /api/claims/ gives them, in text order."""
    claims = selectors.claims_api_data(article_id=article_id)
    claims.sort(key=lambda c: (c["start"], -c["end"], c["id"]))
    return claims


@require_GET
@desk_page
def home(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    page = Paginator(selectors.articles_for_desk(search), ARTICLES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    # The untitled are named as Article.display_title names them, from the
    # opening of their text (the list does not load whole texts).
    articles = [(a, a.title or title_from_opening(a.opening)) for a in page.object_list]
    waiting = selectors.claims_waiting_for(request.user)
    return render(
        request,
        "annotations/home.html",
        {
            "page": page,
            "articles": articles,
            "search": search,
            "waiting": [
                (claim, claim.article.title or title_from_opening(claim.article_opening))
                for claim in waiting[:WAITING_SHOWN]
            ],
            "waiting_count": waiting.count(),
        },
    )


@require_GET
@desk_page
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk)
    claims = page_claims(article.pk)
    # The speakers the claims name, for their sides (the claims carry ids and names only).
    speakers = list(selectors.speakers_of_article(article.pk).values(*SPEAKER_FIELDS))
    sides = [*Side.objects.values_list("slug", "name"), (AUTHOR_SIDE, "Article's own voice")]
    counts = {status: 0 for status in Status.values}
    for claim in claims:
        counts[claim["status"]] += 1
    data = {
        "article": article.pk,
        "text": article.text,
        "user": request.user.get_username(),
        "claims": claims,
        "speakers": speakers,
        "labels": {
            "kind": dict(ClaimKind.choices),
            "status": dict(Status.choices),
            "side": dict(sides),
            "attribution": dict(Attribution.choices),
        },
        "csrfToken": get_token(request),
        "urls": {
            "claims": reverse("api-claim-list"),
            "speakers": reverse("api-speaker-list"),
            "suggestions": reverse("api-suggestion-list", args=[article.pk]),
            "dismissSuggestion": reverse("api-suggestion-dismiss", args=[article.pk]),
            # The script puts a claim's id in place of the 0.
            "panel": reverse("claim_panel", args=[0]),
        },
    }
    return render(
        request,
        "annotations/article.html",
        {
            "article": article,
            "paragraphs": (drawn := paragraphs(article.text)),
            "text_tail": _text_html(article.text[drawn[-1]["end"] :] if drawn else article.text),
            "data": data,
            "claim_count": len(claims),
            "status_counts": [(value, label, counts[value]) for value, label in Status.choices],
            "sides": sides,
            "kinds": ClaimKind.choices,
            "statuses": Status.choices,
            "can_create": permissions.can_create_claim(request.user),
            "form": ClaimForm(auto_id="new-%s"),
            "speaker_form": SpeakerForm(auto_id="new-%s"),
        },
    )


# A side's highlight is its colour at this opacity (a hexadecimal alpha); its line, the colour.
SIDE_WASH_ALPHA = "38"


@require_GET
@desk_fragment
def sides_css(request: HttpRequest) -> HttpResponse:
    """Return the stylesheet of the sides' colours, from the table moderators keep."""
    rules = ["/* The desk's sides: the colours of their highlights and legend. */"]
    for slug, colour in Side.objects.values_list("slug", "colour"):
        # Slugs hold letters, digits, - and _ only; colours are #rrggbb (validated).
        wash = f"{colour}{SIDE_WASH_ALPHA}"
        rules.append(f'[data-side="{slug}"] {{ --side-bg: {wash}; --side-line: {colour}; }}')
    return HttpResponse("\n".join(rules) + "\n", content_type="text/css; charset=utf-8")


@require_GET
@desk_fragment
def claim_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the claim's panel (details, sources, verdicts and the forms the user may use)."""
    claim = selectors.claims_filtered().filter(pk=pk).first()
    if claim is None:
        return _message(
            "This claim no longer exists: someone may have deleted it. Reload the page.",
            status=404,
        )
    user = request.user
    sources = list(selectors.sources_of_claim(claim.pk))
    verdicts = list(selectors.verdicts_of_claim(claim.pk).order_by("created_at", "id"))
    own = next((v for v in verdicts if v.reviewer_id == user.pk), None)
    published = next((v for v in verdicts if v.pk == claim.published_verdict_id), None)
    # Blind review: until the user has rated it, the claim shows how many verdicts it has.
    sighted = permissions.verdicts_visible_to(user, claim, rated=own is not None)
    author_barred = claim.created_by_id == user.pk and not settings.FACTCHECK_AUTHOR_MAY_RATE
    can_edit = permissions.can_edit_claim(user, claim)
    edit_form = None
    if can_edit:
        edit_form = ClaimEditForm(
            auto_id="edit-%s",
            initial={
                "restatement": claim.restatement,
                "kind": claim.kind,
                "attribution": claim.attribution,
                "cue": claim.cue,
                "cue_start": claim.cue_start,
                "cue_end": claim.cue_end,
                "note": claim.note,
                "version": claim.version,
            },
        )
    for source in sources:
        source.claim = claim  # the rule asks whether the claim is open: no query per source
    removable = {
        s.pk for s in sources if permissions.can_change_source(user, s, perm="delete_source")
    }
    return render(
        request,
        "annotations/_claim_panel.html",
        {
            "claim": claim,
            "sources": sources,
            "removable": removable,
            "verdicts": verdicts if sighted else [],
            "verdicts_hidden": not sighted,
            "verdict_count": len(verdicts),
            "own_verdict": own,
            "published": published,
            "edit_form": edit_form,
            "speaker_form": SpeakerForm(auto_id="edit-%s") if can_edit else None,
            "can_submit": permissions.can_submit_claim(user, claim),
            "can_delete": permissions.can_delete_claim(user, claim)
            and not permissions.others_worked_on(
                user, [s.added_by_id for s in sources] + [v.reviewer_id for v in verdicts]
            ),
            "can_add_source": permissions.can_add_source(user, claim),
            "can_give_verdict": permissions.can_give_verdict(user, claim, own)
            and not author_barred,
            "author_barred": author_barred and claim.is_open,
            "source_form": SourceForm(auto_id="source-%s"),
            "verdict_form": VerdictForm(
                auto_id="verdict-%s",
                initial={"rating": own.rating, "rationale": own.rationale} if own else None,
            ),
            "is_mine": claim.created_by_id == user.pk,
            "admin_url": (
                reverse("admin:annotations_claim_change", args=[claim.pk])
                if user.is_staff
                else None
            ),
        },
    )


IMPORT_PERMISSION = "annotations.import_article"


@require_GET
@desk_page
def article_import(request: HttpRequest) -> HttpResponse:
    """The import page: its script previews through the API (a dry run), then imports."""
    if not request.user.has_perm(IMPORT_PERMISSION):
        return render(
            request,
            "annotations/forbidden.html",
            {"message": "You may not import articles: ask an editor for the permission."},
            status=403,
        )
    data = {
        "csrfToken": get_token(request),
        "urls": {
            "import": reverse("api-article-import"),
            # The script puts the new article's id in place of the 0.
            "article": reverse("article_detail", args=[0]),
        },
    }
    return render(request, "annotations/import.html", {"data": data})

"""The reviewers' pages: the article list, the article page and what its script posts.

Pages are server-rendered. The article page's script (static/js/annotate.js)
posts each form's FormData, CSRF token included, and gets JSON back: the saved
object's data; ``{"errors": {field: [messages]}}`` with status 400; a message
with 403 when the user may not do it, 409 when the claim changed since it was
loaded, 404 when the object is gone and 401 when the session has ended. Each
view that writes calls exactly one service.
"""

import re
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.text import Truncator
from django.views.decorators.http import require_GET, require_POST

from . import permissions, selectors, services
from .forms import (
    ClaimEditForm,
    ClaimForm,
    SourceForm,
    SpeakerForm,
    VerdictForm,
    error_dict,
)
from .models import Article, Attribution, Claim, ClaimKind, Side, Source, Speaker, Status, Verdict

DESK_PERMISSION = "annotations.view_claim"
NOT_ON_THE_DESK = (
    "Your account is not on the desk yet: ask an editor to add you to the Reviewers group."
)
ARTICLES_PER_PAGE = 25
SPEAKER_RESULTS = 8
# The article's own voice has no speaker, hence no side; the page colours it apart.
AUTHOR_SIDE = "author"

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


def desk_json(view: View) -> View:
    """Answer the page's script in JSON, whatever happens.

    Unlike a page, a fetch cannot follow a redirect to the log-in form: an
    anonymous call gets 401, and the script says the session has ended.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return _message(
                "Your session has ended: log in again in another tab, then retry. "
                "What you entered is still here.",
                status=401,
            )
        if not request.user.has_perm(DESK_PERMISSION):
            return _message(NOT_ON_THE_DESK, status=403)
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return _message(str(exc) or "You may not do this.", status=403)
        except services.StaleVersion as exc:
            return JsonResponse(
                {"error": str(exc), "current_version": exc.current_version}, status=409
            )
        except Http404:
            return _message(
                "This no longer exists: someone may have deleted it. Reload the page.", status=404
            )

    return wrapper


def _message(message: str, *, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _invalid(form: Form | None, exc: ValidationError | None = None) -> JsonResponse:
    return JsonResponse({"errors": error_dict(form, exc)}, status=400)


def _require(allowed: bool, message: str) -> None:
    """Refuse before reading the form, so that a refused user learns that first."""
    if not allowed:
        raise PermissionDenied(message)


# Data the page's script works with -------------------------------------------


def speaker_data(speaker: Speaker) -> dict[str, Any]:
    return {
        "id": speaker.pk,
        "name": speaker.name,
        "kind": speaker.kind,
        "side": speaker.side,
        "role": speaker.role,
    }


def claim_data(row: Mapping[str, Any]) -> dict[str, Any]:
    """Return what the article page draws and lists for a claim, from its page row."""
    return {
        "id": row["id"],
        "start": row["start"],
        "end": row["end"],
        "quote": row["quote"],
        "kind": row["kind"],
        "status": row["status"],
        "attribution": row["attribution"],
        "speaker": row["speaker_id"],
        "verdicts": row["verdict_count"],
        "author": row["created_by_id"],
        "version": row["version"],
    }


# The claim's own fields among those the page reads (the rest are counted or joined).
CLAIM_FIELDS = [f for f in selectors.CLAIM_PAGE_FIELDS if f != "verdict_count" and "__" not in f]


def _claim_response(claim: Claim, *, status: int = 200, **extra: Any) -> JsonResponse:
    """Answer a write with the claim as the page knows it, and its speaker."""
    row = {field: getattr(claim, field) for field in CLAIM_FIELDS}
    row["verdict_count"] = claim.verdicts.count()
    payload = {
        "claim": claim_data(row),
        "speaker": speaker_data(claim.speaker) if claim.speaker else None,
        **extra,
    }
    return JsonResponse(payload, status=status)


def paragraphs(text: str) -> list[dict[str, Any]]:
    """Return the text's non-blank lines with their offsets in code points (Python indices)."""
    return [
        {"start": m.start(), "end": m.end(), "text": m.group()}
        for m in re.finditer(r"[^\r\n]+", text)
        if m.group().strip()
    ]


# Pages ---------------------------------------------------------------------


@require_GET
@desk_page
def home(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    page = Paginator(selectors.articles_for_desk(search), ARTICLES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    # The untitled are named as Article.display_title names them, from the
    # opening of their text (the list does not load whole texts).
    articles = [(a, a.title or Truncator(a.opening).words(10)) for a in page.object_list]
    return render(
        request, "annotations/home.html", {"page": page, "articles": articles, "search": search}
    )


@require_GET
@desk_page
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk)
    rows = list(selectors.claims_for_article_page(article.pk))
    speakers = {
        row["speaker_id"]: {
            "id": row["speaker_id"],
            **{field: row[f"speaker__{field}"] for field in ("name", "kind", "side", "role")},
        }
        for row in rows
        if row["speaker_id"] is not None
    }
    counts = {status: 0 for status in Status.values}
    for row in rows:
        counts[row["status"]] += 1
    data = {
        "article": article.pk,
        "text": article.text,
        "user": request.user.pk,
        "claims": [claim_data(row) for row in rows],
        "speakers": sorted(speakers.values(), key=lambda s: s["name"].casefold()),
        "labels": {
            "kind": dict(ClaimKind.choices),
            "status": dict(Status.choices),
            "side": {**dict(Side.choices), AUTHOR_SIDE: "Article's own voice"},
            "attribution": dict(Attribution.choices),
        },
        "urls": {
            "create": reverse("claim_create", args=[article.pk]),
            # The script puts a claim's id in place of the 0.
            "panel": reverse("claim_panel", args=[0]),
            "speakerSearch": reverse("speaker_search"),
            "speakerCreate": reverse("speaker_create"),
        },
    }
    return render(
        request,
        "annotations/article.html",
        {
            "article": article,
            "paragraphs": paragraphs(article.text),
            "data": data,
            "claim_count": len(rows),
            "status_counts": [(value, label, counts[value]) for value, label in Status.choices],
            "sides": [*Side.choices, (AUTHOR_SIDE, "Article's own voice")],
            "kinds": ClaimKind.choices,
            "statuses": Status.choices,
            "can_create": permissions.can_create_claim(request.user),
            "form": ClaimForm(auto_id="new-%s"),
            "speaker_form": SpeakerForm(auto_id="new-%s"),
        },
    )


@require_GET
@desk_json
def claim_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the claim's panel (details, sources, verdicts and the forms the user may use)."""
    claim = get_object_or_404(selectors.claims_filtered(), pk=pk)
    user = request.user
    sources = list(selectors.sources_of_claim(claim.pk))
    verdicts = list(selectors.verdicts_of_claim(claim.pk).order_by("created_at", "id"))
    own = next((v for v in verdicts if v.reviewer_id == user.pk), None)
    published = next((v for v in verdicts if v.pk == claim.published_verdict_id), None)
    can_edit = permissions.can_edit_claim(user, claim)
    edit_form = None
    if can_edit:
        edit_form = ClaimEditForm(
            auto_id="edit-%s",
            initial={
                "restatement": claim.restatement,
                "kind": claim.kind,
                "speaker": claim.speaker_id,
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
            "verdicts": verdicts,
            "own_verdict": own,
            "published": published,
            "edit_form": edit_form,
            "speaker_form": SpeakerForm(auto_id="edit-%s") if can_edit else None,
            "can_submit": permissions.can_submit_claim(user, claim),
            "can_delete": permissions.can_delete_claim(user, claim),
            "can_add_source": permissions.can_add_source(user, claim),
            "can_give_verdict": permissions.can_give_verdict(user, claim, own),
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


@require_GET
@desk_json
def speaker_search(request: HttpRequest) -> HttpResponse:
    """Return the speakers whose name or alias holds ``q``, with the alias that matched."""
    search = " ".join(request.GET.get("q", "").split())
    results = []
    for speaker in selectors.speakers_for_typeahead(search, limit=SPEAKER_RESULTS):
        found = speaker_data(speaker)
        found["alias"] = None
        if search.casefold() not in speaker.name.casefold():
            found["alias"] = next(
                (a.name for a in speaker.aliases.all() if search.casefold() in a.name.casefold()),
                None,
            )
        results.append(found)
    return JsonResponse({"results": results})


# Writes: one service each ------------------------------------------------------


@require_POST
@desk_json
def speaker_create(request: HttpRequest) -> HttpResponse:
    form = SpeakerForm(request.POST)
    if not form.is_valid():
        return _invalid(form)
    try:
        speaker = services.speaker_create(user=request.user, **form.cleaned_data)
    except ValidationError as exc:
        return _invalid(form, exc)
    return JsonResponse({"speaker": speaker_data(speaker)}, status=201)


@require_POST
@desk_json
def claim_create(request: HttpRequest, pk: int) -> HttpResponse:
    # The service reads the slices of the text it checks; the page needs no more.
    article = get_object_or_404(Article.objects.only("pk"), pk=pk)
    _require(permissions.can_create_claim(request.user), "You may not create claims.")
    form = ClaimForm(request.POST)
    if not form.is_valid():
        return _invalid(form)
    try:
        claim = services.claim_create(user=request.user, article=article, **form.service_kwargs())
    except ValidationError as exc:
        return _invalid(form, exc)
    return _claim_response(claim, status=201)


def _claim(pk: int) -> Claim:
    return get_object_or_404(Claim.objects.select_related("speaker"), pk=pk)


@require_POST
@desk_json
def claim_edit(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim(pk)
    _require(
        permissions.can_edit_claim(request.user, claim),
        "You may only edit your own claims, and only while they are drafts or in review.",
    )
    form = ClaimEditForm(request.POST)
    if not form.is_valid():
        return _invalid(form)
    try:
        claim = services.claim_update(claim=claim, user=request.user, **form.service_kwargs())
    except ValidationError as exc:
        return _invalid(form, exc)
    return _claim_response(claim)


@require_POST
@desk_json
def claim_submit(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim(pk)
    try:
        claim = services.claim_submit(claim=claim, user=request.user)
    except ValidationError as exc:
        return _invalid(None, exc)
    return _claim_response(claim)


@require_POST
@desk_json
def claim_delete(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim(pk)
    services.claim_delete(claim=claim, user=request.user)
    return JsonResponse({"deleted": pk})


@require_POST
@desk_json
def source_add(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim(pk)
    _require(permissions.can_add_source(request.user, claim), "You may not add sources here.")
    form = SourceForm(request.POST)
    if not form.is_valid():
        return _invalid(form)
    try:
        source = services.source_add(claim=claim, user=request.user, **form.cleaned_data)
    except ValidationError as exc:
        return _invalid(form, exc)
    return _claim_response(claim, status=201, source=source_data(source))


def source_data(source: Source) -> dict[str, Any]:
    return {
        "id": source.pk,
        "claim": source.claim_id,
        "url": source.url,
        "title": source.title,
        "publisher": source.publisher,
        "published_on": source.published_on,
        "excerpt": source.excerpt,
        "stance": source.stance,
        "added_by": source.added_by_id,
    }


@require_POST
@desk_json
def source_remove(request: HttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(Source.objects.select_related("claim__speaker"), pk=pk)
    services.source_remove(source=source, user=request.user)
    return _claim_response(source.claim, removed_source=pk)


@require_POST
@desk_json
def verdict_give(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim(pk)
    form = VerdictForm(request.POST)
    if not form.is_valid():
        existing = Verdict.objects.filter(claim=claim, reviewer=request.user).first()
        _require(
            permissions.can_give_verdict(request.user, claim, existing),
            "You may not give verdicts on this claim.",
        )
        return _invalid(form)
    try:
        verdict = services.verdict_give(claim=claim, user=request.user, **form.cleaned_data)
    except ValidationError as exc:
        return _invalid(form, exc)
    return _claim_response(
        claim,
        verdict={
            "id": verdict.pk,
            "claim": claim.pk,
            "rating": verdict.rating,
            "rationale": verdict.rationale,
            "reviewer": verdict.reviewer_id,
        },
    )

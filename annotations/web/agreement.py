"""The moderators' agreement page: alpha for the desk, per pair, per article, and over time.

The plot is SVG drawn on the server (no script, no style attribute: the CSP
allows neither); its geometry is computed here and the template only places it.
"""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models.functions import Substr
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import permissions
from ..agreement import (
    UNVERIFIABLE_NOTE,
    Alpha,
    MonthAlpha,
    agreement_of,
    article_alphas,
    desk_ratings,
)
from ..models import Article, title_from_opening
from .views import desk_page

# Krippendorff's own marks: 0.8 for conclusions, 0.667 for tentative ones.
RELIABLE = 0.8
TENTATIVE = 0.667

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 40, 16, 40


class AgreementFilterForm(forms.Form):
    article = forms.ModelChoiceField(
        queryset=Article.objects.defer("text").order_by("title", "id"),
        required=False,
        empty_label="All articles",
    )
    since = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Claims from"
    )
    until = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="to"
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "This day is before the first one.")
        return cleaned


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    month: str
    alpha: float
    claims: int


def plot(months: list[MonthAlpha]) -> dict[str, Any]:
    """Return the geometry of alpha month by month: points, line segments, axes' ticks.

    A month whose alpha is undefined breaks the line and is marked on the axis.
    """
    defined = [m.agreement.alpha for m in months if m.agreement.alpha is not None]
    low = min([0.0, *defined])
    low = -1.0 if low < -0.5 else (-0.5 if low < 0 else 0.0)
    span_x = WIDTH - LEFT - RIGHT
    span_y = HEIGHT - TOP - BOTTOM
    step = span_x / max(len(months) - 1, 1)

    def x_of(i: int) -> float:
        return round(LEFT + (i * step if len(months) > 1 else span_x / 2), 1)

    def y_of(value: float) -> float:
        return round(TOP + (1 - (value - low) / (1 - low)) * span_y, 1)

    points: list[Point] = []
    segments: list[str] = []
    run: list[Point] = []
    gaps: list[dict[str, Any]] = []
    for i, month in enumerate(months):
        alpha = month.agreement.alpha
        if alpha is None:
            gaps.append({"x": x_of(i), "month": month.month})
            if len(run) > 1:
                segments.append(" ".join(f"{p.x},{p.y}" for p in run))
            run = []
            continue
        point = Point(x_of(i), y_of(alpha), month.month, alpha, month.agreement.claims)
        points.append(point)
        run.append(point)
    if len(run) > 1:
        segments.append(" ".join(f"{p.x},{p.y}" for p in run))
    ticks = [
        {"y": y_of(v), "label": f"{v:g}"}
        for v in (low, *[t / 10 for t in range(int(low * 10) + 2, 11, 2)])
    ]
    labels_every = max(1, len(months) // 12)
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
        "label_y": HEIGHT - BOTTOM + 18,
        "points": points,
        "segments": segments,
        "gaps": gaps,
        "ticks": ticks,
        "months": [
            {"x": x_of(i), "label": m.month} for i, m in enumerate(months) if i % labels_every == 0
        ],
        "reliable": y_of(RELIABLE),
        "tentative": y_of(TENTATIVE),
    }


@require_GET
@desk_page
def agreement_page(request: HttpRequest) -> HttpResponse:
    if not permissions.is_moderator(request.user):
        return render(
            request,
            "annotations/forbidden.html",
            {"message": "The agreement between reviewers is for moderators."},
            status=403,
        )
    form = AgreementFilterForm(request.GET or None)
    filters: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    article = filters.get("article")
    ratings = desk_ratings(
        article_id=article.pk if article else None,
        since=filters.get("since"),
        until=filters.get("until"),
    )
    agreement = agreement_of(ratings)
    by_article = article_alphas(ratings)
    titles = (
        Article.objects.filter(pk__in=by_article)
        .defer("text")
        .annotate(opening=Substr("text", 1, 300))
        .order_by("title", "id")
    )
    articles: list[tuple[Article, str, Alpha]] = [
        (a, a.title or title_from_opening(a.opening), by_article[a.pk]) for a in titles
    ]
    return render(
        request,
        "annotations/agreement.html",
        {
            "form": form,
            "agreement": agreement,
            "plot": plot(agreement.months),
            "articles": articles,
            "note": UNVERIFIABLE_NOTE,
            "reliable": RELIABLE,
            "tentative": TENTATIVE,
        },
    )

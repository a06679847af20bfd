"""How often the desk's reviewers agree: Krippendorff's alpha over their verdicts.

Each claim is a unit, each reviewer a coder, each verdict a value on the
ordinal scale of ``Verdict.SCALE`` (False 1 < Mostly false 2 < Mixed 3 <
Mostly true 4 < True 5). The computation is the ``krippendorff`` package's,
with the ordinal distance over that whole scale.

Unverifiable stands outside the scale: it is left out of alpha (as a missing
value) and counted apart, in ``unverifiable``. Alpha is undefined (None, never
zero) when there is nothing to compare: no claim with two ratings on the
scale, or ratings that never vary, so that no disagreement could be expected.

A claim belongs to the month it was created in; ``since`` and ``until`` pick
claims by that date too.

numpy and krippendorff are imported on first use, so that app servers hold them
only once someone asks for agreement.
"""

import itertools
import math
import warnings
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from django.db.models import QuerySet
from django.utils import timezone

from .models import Verdict

SCALE_VALUES = sorted(Verdict.SCALE.values())
LEVEL = "ordinal"
UNVERIFIABLE_NOTE = (
    "Unverifiable stands outside the scale: it is left out of alpha and counted apart "
    "(unverifiable)."
)


@dataclass(frozen=True)
class Rating:
    """One verdict as agreement reads it."""

    claim: int
    reviewer: str
    value: int | None  # None for Unverifiable
    month: str  # "2026-09", the claim's
    article: int = 0


@dataclass(frozen=True)
class Alpha:
    """Alpha over some claims, with what it rests on."""

    alpha: float | None  # None: undefined, nothing to compare
    claims: int  # claims with two or more ratings on the scale: the units compared
    verdicts: int  # the ratings on the scale on those claims
    unverifiable: int  # Unverifiable verdicts on the claims read, left out of alpha


@dataclass(frozen=True)
class PairAlpha:
    """Alpha between two reviewers, over the claims both rated on the scale."""

    reviewers: tuple[str, str]
    alpha: float | None
    claims: int


@dataclass(frozen=True)
class MonthAlpha:
    month: str
    agreement: Alpha


@dataclass(frozen=True)
class Agreement:
    """The desk's agreement: overall, between each pair of reviewers, and month by month."""

    overall: Alpha
    pairs: list[PairAlpha] = field(default_factory=list)
    months: list[MonthAlpha] = field(default_factory=list)


def alpha_of_matrix(matrix: Sequence[Sequence[float]]) -> float | None:
    """Return ordinal alpha of a reliability matrix (coders × units, NaN for missing), or None.

    None when it is undefined: no unit rated twice, or no variation at all.
    """
    import krippendorff
    import numpy as np

    data = np.asarray(matrix, dtype=float)
    if data.ndim != 2 or data.shape[0] < 2 or data.size == 0:
        return None
    if not ((~np.isnan(data)).sum(axis=0) >= 2).any():
        return None
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        value = krippendorff.alpha(
            reliability_data=data, level_of_measurement=LEVEL, value_domain=SCALE_VALUES
        )
    return None if np.isnan(value) else float(value)


def _matrix(ratings: Iterable[Rating]) -> tuple[list[list[float]], int, int]:
    """Return the reliability matrix of the ratings on the scale, its units and its values.

    Only claims with two or more ratings on the scale are units: a claim rated once
    compares nothing.
    """
    by_claim: dict[int, dict[str, int]] = defaultdict(dict)
    for rating in ratings:
        if rating.value is not None:
            by_claim[rating.claim][rating.reviewer] = rating.value
    units = {claim: values for claim, values in by_claim.items() if len(values) >= 2}
    reviewers = sorted({reviewer for values in units.values() for reviewer in values})
    claims = sorted(units)
    matrix = [[units[c].get(r, math.nan) for c in claims] for r in reviewers]
    return matrix, len(claims), sum(len(v) for v in units.values())


def alpha_of(ratings: Sequence[Rating]) -> Alpha:
    """Return alpha over the ratings, with the claims and verdicts it rests on."""
    matrix, claims, verdicts = _matrix(ratings)
    unverifiable = sum(1 for r in ratings if r.value is None)
    alpha = alpha_of_matrix(matrix) if claims else None
    return Alpha(alpha=alpha, claims=claims, verdicts=verdicts, unverifiable=unverifiable)


def pair_alphas(ratings: Sequence[Rating]) -> list[PairAlpha]:
    """Return alpha for every pair of reviewers who rated at least one claim in common."""
    by_reviewer: dict[str, dict[int, int]] = defaultdict(dict)
    for rating in ratings:
        if rating.value is not None:
            by_reviewer[rating.reviewer][rating.claim] = rating.value
    pairs = []
    for a, b in itertools.combinations(sorted(by_reviewer), 2):
        common = sorted(by_reviewer[a].keys() & by_reviewer[b].keys())
        if not common:
            continue
        matrix = [[by_reviewer[a][c] for c in common], [by_reviewer[b][c] for c in common]]
        pairs.append(PairAlpha(reviewers=(a, b), alpha=alpha_of_matrix(matrix), claims=len(common)))
    return pairs


def month_alphas(ratings: Sequence[Rating]) -> list[MonthAlpha]:
    """Return alpha month by month (the claims' months), oldest first."""
    by_month: dict[str, list[Rating]] = defaultdict(list)
    for rating in ratings:
        by_month[rating.month].append(rating)
    return [MonthAlpha(month, alpha_of(by_month[month])) for month in sorted(by_month)]


def article_alphas(ratings: Sequence[Rating]) -> dict[int, Alpha]:
    """Return alpha for each article the ratings are on, by the article's id."""
    by_article: dict[int, list[Rating]] = defaultdict(list)
    for rating in ratings:
        by_article[rating.article].append(rating)
    return {article: alpha_of(group) for article, group in by_article.items()}


def agreement_of(ratings: Sequence[Rating]) -> Agreement:
    return Agreement(
        overall=alpha_of(ratings), pairs=pair_alphas(ratings), months=month_alphas(ratings)
    )


def ratings_of(verdicts: QuerySet[Verdict]) -> list[Rating]:
    """Return the verdicts as ratings: one query, the reviewers' usernames joined."""
    rows = verdicts.values_list(
        "claim_id", "reviewer__username", "rating", "claim__created_at", "claim__article_id"
    )
    tz = timezone.get_current_timezone()
    return [
        Rating(claim, reviewer, Verdict.SCALE.get(rating), _month(created, tz), article)
        for claim, reviewer, rating, created, article in rows.order_by()
    ]


def _month(moment: datetime, tz: tzinfo) -> str:
    return timezone.localtime(moment, tz).strftime("%Y-%m")


def desk_ratings(
    *, article_id: int | None = None, since: date | None = None, until: date | None = None
) -> list[Rating]:
    """Return the ratings of every verdict, or an article's, between two dates (one query).

    ``since`` and ``until`` (both included) pick claims by the day they were created.
    """
    verdicts = Verdict.objects.all()
    if article_id is not None:
        verdicts = verdicts.filter(claim__article_id=article_id)
    if since is not None:
        verdicts = verdicts.filter(claim__created_at__date__gte=since)
    if until is not None:
        verdicts = verdicts.filter(claim__created_at__date__lte=until)
    return ratings_of(verdicts)


def desk_agreement(
    *, article_id: int | None = None, since: date | None = None, until: date | None = None
) -> Agreement:
    """Return the desk's agreement, or an article's, between two dates (see desk_ratings)."""
    return agreement_of(desk_ratings(article_id=article_id, since=since, until=until))

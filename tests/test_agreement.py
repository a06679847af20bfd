"""Krippendorff's alpha over the desk's verdicts: the library's value, undefined when it is."""

import math
from datetime import UTC, date, datetime

import krippendorff
import numpy as np
import pytest
from django.contrib.auth.models import User

from annotations import agreement, services
from annotations.agreement import Rating, alpha_of, alpha_of_matrix, desk_agreement
from annotations.models import Article, Claim, Verdict
from tests.factories import ARTICLE_TEXT, ArticleFactory, make_claim_in_review

NAN = np.nan
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": four coders, twelve
# units, values 1 to 5, missing values as NaN. Nominal alpha 0.743 and interval 0.849 are
# the paper's.
TEXTBOOK = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]

R = Verdict.Rating
PHRASES = ("total blockade", "June 2012", "some 2250 people", "mostly fighters", "central Syria")


def test_the_textbook_matrix_gives_the_librarys_ordinal_alpha() -> None:
    expected = krippendorff.alpha(reliability_data=TEXTBOOK, level_of_measurement="ordinal")
    assert alpha_of_matrix(TEXTBOOK) == pytest.approx(expected)
    assert alpha_of_matrix(TEXTBOOK) == pytest.approx(0.8154, abs=1e-4)
    # The same library reads the paper's own figures from the same matrix.
    nominal = krippendorff.alpha(reliability_data=TEXTBOOK, level_of_measurement="nominal")
    assert nominal == pytest.approx(0.743, abs=1e-3)


def test_the_textbook_matrix_read_as_ratings_gives_the_same() -> None:
    ratings = [
        Rating(claim=unit, reviewer=f"coder{coder}", value=int(value), month="2026-01")
        for coder, row in enumerate(TEXTBOOK)
        for unit, value in enumerate(row)
        if not math.isnan(value)
    ]
    result = alpha_of(ratings)
    assert result.alpha == pytest.approx(alpha_of_matrix(TEXTBOOK))
    # Unit 11 has one value only: it compares nothing.
    assert (result.claims, result.verdicts, result.unverifiable) == (11, 40, 0)


@pytest.mark.parametrize(
    "matrix",
    [
        [],  # no rating at all
        [[1, NAN], [NAN, 4]],  # no claim rated twice
        [[3, 3], [3, 3]],  # no variation: no disagreement could be expected
        [[2, 5, 1]],  # one reviewer
    ],
)
def test_alpha_is_undefined_not_zero_when_there_is_nothing_to_compare(matrix: list) -> None:
    assert alpha_of_matrix(matrix) is None


def test_unverifiable_is_left_out_and_counted_apart() -> None:
    ratings = [
        Rating(1, "bob", 5, "2026-01"),
        Rating(1, "dana", 4, "2026-01"),
        Rating(1, "erin", None, "2026-01"),
        Rating(2, "bob", 1, "2026-01"),
        Rating(2, "dana", 2, "2026-01"),
        Rating(3, "bob", None, "2026-01"),
        Rating(3, "dana", 3, "2026-01"),  # with bob's Unverifiable, nothing to compare
    ]
    result = alpha_of(ratings)
    expected = krippendorff.alpha(
        reliability_data=[[5, 1], [4, 2]],
        level_of_measurement="ordinal",
        value_domain=[1, 2, 3, 4, 5],
    )
    assert result.alpha == pytest.approx(expected)
    assert (result.claims, result.verdicts, result.unverifiable) == (2, 4, 2)


# On the desk ------------------------------------------------------------------------------


def _rate(claim: Claim, user: User, rating: str) -> None:
    services.verdict_give(claim=claim, user=user, rating=rating, rationale="Checked.")


@pytest.fixture
def desk_data(alice: User, bob: User, dana: User, morgan: User) -> dict:
    """Two articles, five claims, three reviewers, in two months; one Unverifiable."""
    first = ArticleFactory(title="First")
    second = ArticleFactory(title="Second", text=ARTICLE_TEXT + "\nA second edition.")
    claims = [make_claim_in_review(user=alice, article=first, phrase=p) for p in PHRASES[:3]] + [
        make_claim_in_review(user=alice, article=second, phrase=p) for p in PHRASES[3:]
    ]
    table = {  # claim index: {reviewer: rating}
        0: {bob: R.TRUE, dana: R.MOSTLY_TRUE, morgan: R.TRUE},
        1: {bob: R.FALSE, dana: R.MOSTLY_FALSE},
        2: {bob: R.MIXED, dana: R.UNVERIFIABLE},
        3: {bob: R.MOSTLY_TRUE, morgan: R.FALSE},
        4: {dana: R.TRUE, morgan: R.MOSTLY_TRUE},
    }
    for index, ratings in table.items():
        for user, rating in ratings.items():
            _rate(claims[index], user, rating)
    # The first article's claims in September, the second's in October.
    Claim.objects.filter(article=first).update(created_at=datetime(2026, 9, 10, tzinfo=UTC))
    Claim.objects.filter(article=second).update(created_at=datetime(2026, 10, 5, tzinfo=UTC))
    return {"first": first, "second": second, "claims": claims}


def _library(matrix: list[list[float]]) -> float:
    return krippendorff.alpha(
        reliability_data=matrix, level_of_measurement="ordinal", value_domain=[1, 2, 3, 4, 5]
    )


def test_the_desks_alpha_is_the_librarys_on_the_same_matrix(desk_data: dict) -> None:
    result = desk_agreement()
    # Reviewers bob, dana, morgan × claims 0, 1, 3, 4 (claim 2 has one rating on the scale).
    matrix = [
        [5, 1, 4, NAN],
        [4, 2, NAN, 5],
        [5, NAN, 1, 4],
    ]
    assert result.overall.alpha == pytest.approx(_library(matrix))
    assert (result.overall.claims, result.overall.verdicts, result.overall.unverifiable) == (
        4,
        9,
        1,
    )


def test_each_pair_of_reviewers_gets_its_alpha(desk_data: dict) -> None:
    pairs = {p.reviewers: p for p in desk_agreement().pairs}
    assert set(pairs) == {("bob", "dana"), ("bob", "morgan"), ("dana", "morgan")}
    assert pairs["bob", "dana"].claims == 2
    assert pairs["bob", "dana"].alpha == pytest.approx(_library([[5, 1], [4, 2]]))
    assert pairs["bob", "morgan"].alpha == pytest.approx(_library([[5, 4], [5, 1]]))
    assert pairs["dana", "morgan"].alpha == pytest.approx(_library([[4, 5], [5, 4]]))


def test_each_month_and_each_article_gets_its_alpha(desk_data: dict) -> None:
    months = {m.month: m.agreement for m in desk_agreement().months}
    assert list(months) == ["2026-09", "2026-10"]
    assert months["2026-09"].alpha == pytest.approx(_library([[5, 1], [4, 2], [5, NAN]]))
    assert months["2026-10"].alpha == pytest.approx(_library([[4, NAN], [NAN, 5], [1, 4]]))
    second = desk_agreement(article_id=desk_data["second"].pk)
    assert second.overall.alpha == months["2026-10"].alpha
    by_article = agreement.article_alphas(agreement.desk_ratings())
    assert by_article[desk_data["first"].pk].alpha == months["2026-09"].alpha


def test_the_dates_pick_the_claims_by_when_they_were_made(desk_data: dict) -> None:
    october = desk_agreement(since=date(2026, 10, 1))
    assert [m.month for m in october.months] == ["2026-10"]
    september = desk_agreement(until=date(2026, 9, 30))
    assert [m.month for m in september.months] == ["2026-09"]
    assert desk_agreement(since=date(2027, 1, 1)).overall.alpha is None


def test_a_desk_without_two_ratings_of_one_claim_has_no_alpha(
    alice: User, bob: User, article: Article
) -> None:
    claim = make_claim_in_review(user=alice, article=article, phrase="total blockade")
    _rate(claim, bob, R.TRUE)
    result = desk_agreement()
    assert result.overall.alpha is None
    assert (result.overall.claims, result.pairs) == (0, [])
    assert desk_agreement(article_id=article.pk + 1000).overall.alpha is None


def test_it_reads_the_verdicts_in_one_query(desk_data: dict, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        desk_agreement()

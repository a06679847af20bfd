"""/agreement/: the moderators' page of alpha figures with a plot drawn on the server."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from annotations import services
from annotations.agreement import Alpha, MonthAlpha
from annotations.models import Article, Claim, Verdict
from annotations.web.agreement import plot
from tests.factories import make_claim_in_review

R = Verdict.Rating
URL = "/agreement/"


@pytest.fixture
def rated(alice: User, bob: User, dana: User, article: Article) -> None:
    for month, phrase, ratings in (
        (8, "total blockade", (R.TRUE, R.MOSTLY_TRUE)),
        (9, "June 2012", (R.FALSE, R.TRUE)),
        (10, "some 2250 people", (R.MIXED, R.MIXED)),
    ):
        claim = make_claim_in_review(user=alice, article=article, phrase=phrase)
        for user, rating in zip((bob, dana), ratings, strict=True):
            services.verdict_give(claim=claim, user=user, rating=rating, rationale="Checked.")
        Claim.objects.filter(pk=claim.pk).update(created_at=datetime(2026, month, 2, tzinfo=UTC))


def test_it_sends_anonymous_visitors_to_log_in(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_refuses_reviewers(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.get(URL)
    assert response.status_code == 403
    assert "for moderators" in response.content.decode()


def test_it_shows_a_moderator_the_figures_and_the_plot(
    client: Client, morgan: User, rated: None
) -> None:
    client.force_login(morgan)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    agreement = response.context["agreement"]
    assert f"{agreement.overall.alpha:.3f}" in page
    assert "bob and dana" in page
    # October's two Mixed verdicts agree, but with nothing varying alpha is undefined there.
    assert page.count('<circle class="dot"') == 2
    assert page.count('class="gap-label"') == 1
    assert "<polyline" in page
    assert "2026-08" in page and "2026-10" in page
    assert ' style="' not in page  # the CSP allows no style attribute
    assert "Unverifiable stands outside the scale" in page


def test_it_says_not_enough_data_rather_than_zero(client: Client, morgan: User) -> None:
    client.force_login(morgan)
    page = client.get(URL).content.decode()
    assert "not enough data" in page
    assert "<svg" not in page


def test_it_filters_and_says_what_is_wrong_with_a_filter(
    client: Client, morgan: User, article: Article, rated: None
) -> None:
    client.force_login(morgan)
    response = client.get(URL, {"article": article.pk, "since": "2026-09-01"})
    assert [m.month for m in response.context["agreement"].months] == ["2026-09", "2026-10"]
    response = client.get(URL, {"since": "2026-10-02", "until": "2026-10-01"})
    assert response.status_code == 200
    assert "This day is before the first one." in response.content.decode()


def test_the_desk_links_to_it_for_moderators(client: Client, morgan: User, alice: User) -> None:
    client.force_login(morgan)
    assert f'href="{URL}"' in client.get(reverse("admin:index")).content.decode()
    assert f'href="{URL}"' in client.get(reverse("home")).content.decode()
    client.force_login(alice)
    assert f'href="{URL}"' not in client.get(reverse("home")).content.decode()


def _month(month: str, alpha: float | None) -> MonthAlpha:
    return MonthAlpha(month, Alpha(alpha=alpha, claims=2, verdicts=4, unverifiable=0))


def test_the_plot_breaks_its_line_at_a_month_without_alpha() -> None:
    drawn = plot(
        [
            _month("2026-01", 0.9),
            _month("2026-02", 0.7),
            _month("2026-03", None),
            _month("2026-04", 0.5),
            _month("2026-05", 0.6),
        ]
    )
    assert len(drawn["segments"]) == 2
    assert [g["month"] for g in drawn["gaps"]] == ["2026-03"]
    ys = [p.y for p in drawn["points"]]
    assert ys[0] < ys[1] < ys[3]  # higher alpha is drawn higher (smaller y)
    assert drawn["top"] <= min(ys) and max(ys) <= drawn["bottom"]


def test_the_plot_reaches_below_zero_when_alpha_does() -> None:
    drawn = plot([_month("2026-01", -0.3), _month("2026-02", 0.4)])
    assert drawn["ticks"][0]["label"] == "-0.5"
    assert all(drawn["top"] <= p.y <= drawn["bottom"] for p in drawn["points"])

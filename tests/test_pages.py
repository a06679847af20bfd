"""Log in, log out and the article list: search, newest first, counts by status, pages."""

from datetime import date

from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations import services

from .factories import ArticleFactory, make_claim, make_claim_in_review


def test_an_anonymous_visitor_is_sent_to_log_in_and_back(client: Client) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_a_reviewer_logs_in_and_sees_the_articles_with_claim_counts(
    client: Client, alice: User
) -> None:
    article = ArticleFactory(title="Homs <deal>")
    make_claim(user=alice, article=article, phrase="some 2250 people")
    response = client.post(
        reverse("login"),
        {"username": "alice", "password": "correct horse battery staple", "next": "/"},
    )
    assert response.status_code == 302
    page = client.get(reverse("home")).content.decode()
    assert "Homs &lt;deal&gt;" in page  # escaped
    assert '<td class="num">1</td>' in page


def test_a_wrong_password_shows_an_error_on_the_form(client: Client, alice: User) -> None:
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_logging_out_takes_a_post_and_ends_the_session(client: Client, alice: User) -> None:
    client.force_login(alice)
    assert client.get(reverse("home")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_only_staff_see_the_link_to_moderation(client: Client, alice: User, morgan: User) -> None:
    client.force_login(alice)
    assert "Moderation" not in client.get(reverse("home")).content.decode()
    client.force_login(morgan)
    assert "Moderation" in client.get(reverse("home")).content.decode()


def test_an_outsider_is_refused_the_article_list(client: Client, charlie: User) -> None:
    ArticleFactory(title="Homs deal")
    client.force_login(charlie)

    response = client.get(reverse("home"))

    assert response.status_code == 403
    assert "Homs deal" not in response.content.decode()


def test_the_list_counts_each_articles_claims_by_status(
    client: Client, alice: User, morgan: User
) -> None:
    article = ArticleFactory(title="Homs deal")
    make_claim(user=alice, article=article, phrase="some 2250 people")
    make_claim_in_review(user=alice, article=article, phrase="mostly fighters")
    rejected = make_claim_in_review(user=alice, article=article, phrase="central Syria")
    services.claim_reject(claim=rejected, user=morgan, reason="Not checkable.")
    client.force_login(alice)

    page = client.get(reverse("home")).content.decode()

    assert "1 draft<" in page
    assert "1 in review<" in page
    assert "1 rejected<" in page
    assert "verified<" not in page
    assert '<td class="num">3</td>' in page
    assert f'href="{reverse("article_detail", args=[article.pk])}"' in page


def test_the_list_shows_the_newest_articles_first(client: Client, alice: User) -> None:
    ArticleFactory(title="Undated, added last", text="Third text.")
    ArticleFactory(title="Older", text="First text.", published_on=date(2014, 5, 4))
    ArticleFactory(title="Newer", text="Second text.", published_on=date(2014, 5, 9))
    client.force_login(alice)

    page = client.get(reverse("home")).content.decode()

    assert page.index("Newer") < page.index("Older") < page.index("Undated, added last")


def test_an_untitled_article_is_named_by_its_opening_words(client: Client, alice: User) -> None:
    ArticleFactory(title="")
    client.force_login(alice)

    page = client.get(reverse("home")).content.decode()

    assert "The deal over the Old City of Homs, under total…</a>" in page


def test_the_search_finds_articles_by_title_or_by_the_opening_of_untitled_ones(
    client: Client, alice: User
) -> None:
    ArticleFactory(title="Homs evacuation deal")
    ArticleFactory(title="Aleppo siege", text="Another text about Aleppo.")
    ArticleFactory(title="", text="Untitled: the Homs ceasefire holds.")
    client.force_login(alice)

    page = client.get(reverse("home"), {"q": "  homs "}).content.decode()

    assert "Homs evacuation deal" in page
    assert "Untitled: the Homs ceasefire holds." in page
    assert "Aleppo siege" not in page
    assert 'value="homs"' in page


def test_a_search_that_finds_nothing_says_so(client: Client, alice: User) -> None:
    ArticleFactory(title="Homs deal")
    client.force_login(alice)

    page = client.get(reverse("home"), {"q": "<b>Mars</b>"}).content.decode()

    assert "No article's title holds “&lt;b&gt;Mars&lt;/b&gt;”" in page


def test_the_list_is_paginated_by_25(client: Client, alice: User) -> None:
    for n in range(30):
        ArticleFactory(title=f"Report {n:02}", text=f"Text of report {n}.")
    client.force_login(alice)

    first = client.get(reverse("home")).content.decode()
    second = client.get(reverse("home"), {"page": 2}).content.decode()

    assert first.count('class="article-title"') == 25
    assert second.count('class="article-title"') == 5
    assert "Page 2 of 2" in second
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_the_list_costs_the_same_queries_for_5_or_25_articles(client: Client, alice: User) -> None:
    for n in range(5):
        make_claim(
            user=alice,
            article=ArticleFactory(text=f"{n}: some 2250 people"),
            phrase="some 2250 people",
        )
    client.force_login(alice)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for n in range(20):
        ArticleFactory(text=f"More {n}")

    with CaptureQueriesContext(connection) as many:
        client.get(reverse("home"))

    assert len(many) == len(few)

"""Log in, log out and the article list."""

from django.test import Client
from django.urls import reverse

from .factories import ArticleFactory, make_claim


def test_an_anonymous_visitor_is_sent_to_log_in_and_back(client: Client) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_a_reviewer_logs_in_and_sees_the_articles_with_claim_counts(client: Client, alice) -> None:
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


def test_a_wrong_password_shows_an_error_on_the_form(client: Client, alice) -> None:
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_logging_out_takes_a_post_and_ends_the_session(client: Client, alice) -> None:
    client.force_login(alice)
    assert client.get(reverse("home")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_only_staff_see_the_link_to_moderation(client: Client, alice, morgan) -> None:
    client.force_login(alice)
    assert "Moderation" not in client.get(reverse("home")).content.decode()
    client.force_login(morgan)
    assert "Moderation" in client.get(reverse("home")).content.decode()

"""A claim's panel, the HTML fragment the article page loads: what it shows, and the forms it
offers to whom (the page sends them to /api/)."""

import re

from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations import services
from annotations.models import Article, Claim

from .factories import SpeakerFactory, give_verdict, make_claim, make_claim_in_review, verify

PHRASE = "some 2250 people"


def panel(client: Client, claim: Claim) -> str:
    response = client.get(reverse("claim_panel", args=[claim.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_author_is_offered_edit_submit_and_delete_on_her_draft(
    client: Client, alice: User, article: Article
) -> None:
    claim = make_claim(user=alice, article=article, phrase=PHRASE, restatement="2250 leave.")
    client.force_login(alice)

    html = panel(client, claim)

    assert 'data-ajax="edit"' in html
    assert 'data-ajax="submit"' in html
    assert 'data-ajax="delete"' in html
    assert 'name="version" value="1"' in html


def test_a_reviewer_is_offered_no_edit_of_another_reviewers_claim(
    client: Client, alice: User, bob: User, article: Article
) -> None:
    claim = make_claim(user=alice, article=article, phrase=PHRASE)
    client.force_login(bob)

    html = panel(client, claim)

    assert 'data-ajax="edit"' not in html
    assert 'data-ajax="submit"' not in html
    assert 'data-ajax="delete"' not in html
    assert "Only its author or a moderator can edit this claim." in html
    assert 'data-ajax="source"' in html
    assert 'data-ajax="verdict"' in html


def test_a_moderator_may_edit_and_is_linked_to_the_moderation_desk(
    client: Client, alice: User, morgan: User, article: Article
) -> None:
    claim = make_claim_in_review(user=alice, article=article, phrase=PHRASE)
    client.force_login(morgan)

    html = panel(client, claim)

    assert 'data-ajax="edit"' in html
    assert reverse("admin:annotations_claim_change", args=[claim.pk]) in html
    assert 'data-ajax="delete"' not in html  # only its author deletes it


def test_reviewers_get_no_link_to_the_moderation_desk(
    client: Client, alice: User, article: Article
) -> None:
    claim = make_claim(user=alice, article=article, phrase=PHRASE)
    client.force_login(alice)

    assert "/admin/" not in panel(client, claim)


def test_it_lists_sources_and_verdicts_and_prefills_the_users_own(
    client: Client, alice: User, bob: User, dana: User, article: Article
) -> None:
    claim = make_claim_in_review(user=alice, article=article, phrase=PHRASE)
    services.source_add(
        claim=claim, user=bob, url="https://example.org/un", stance="refutes", title="UN count"
    )
    give_verdict(claim, dana, rating="true")
    services.verdict_give(claim=claim, user=bob, rating="false", rationale="Bob's reading.")
    client.force_login(bob)

    html = panel(client, claim)

    assert "UN count" in html
    assert "Refutes" in html
    assert "dana checked the record." in html
    assert "Change your verdict" in html
    assert re.search(r'<input type="radio" name="rating" value="false"[^>]* checked>', html)
    assert "Bob&#x27;s reading.</textarea>" in html  # the rationale, ready to change


def test_only_the_author_of_a_source_sees_its_remove_button(
    client: Client, alice: User, bob: User, article: Article
) -> None:
    claim = make_claim_in_review(user=alice, article=article, phrase=PHRASE)
    source = services.source_add(claim=claim, user=bob, url="https://example.org", stance="context")
    remove = f'data-ajax="source-remove" data-source="{source.pk}"'

    client.force_login(alice)
    assert remove not in panel(client, claim)
    client.force_login(bob)
    assert remove in panel(client, claim)


def test_a_closed_claim_offers_no_forms(
    client: Client, alice: User, bob: User, morgan: User, article: Article
) -> None:
    claim = make_claim_in_review(user=alice, article=article, phrase=PHRASE)
    verify(claim, moderator=morgan, verdict=give_verdict(claim, bob))
    client.force_login(alice)

    html = panel(client, claim)

    assert "<form" not in html
    assert "Published verdict: Mostly true, by bob" in html
    assert "its sources and verdicts are closed" in html


def test_it_escapes_hostile_text(client: Client, alice: User, article: Article) -> None:
    hostile = "<script>alert(1)</script>"
    claim = make_claim(
        user=alice,
        article=article,
        phrase=PHRASE,
        speaker=SpeakerFactory(name=f"Speaker {hostile}"),
        attribution=Claim.Attribution.REPORTED_SPEECH,
        restatement=f"Restated {hostile}",
        note=f"Note {hostile}",
    )
    services.source_add(
        claim=claim, user=alice, url="https://example.org", stance="context", title=hostile
    )
    client.force_login(alice)

    html = panel(client, claim)

    assert "<script>" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 4


def test_the_panel_costs_as_many_queries_with_many_sources_and_verdicts(
    client: Client, alice: User, bob: User, morgan: User, article: Article
) -> None:
    few = make_claim_in_review(user=alice, article=article, phrase=PHRASE)
    many = make_claim_in_review(user=alice, article=article, phrase="mostly fighters")
    for n in range(10):
        services.source_add(claim=many, user=bob, url=f"https://example.org/{n}", stance="context")
    for user in (bob, morgan):
        give_verdict(many, user)
    client.force_login(bob)
    panel(client, few)

    with CaptureQueriesContext(connection) as for_few:
        panel(client, few)
    with CaptureQueriesContext(connection) as for_many:
        panel(client, many)

    assert len(for_many) == len(for_few)


def test_anonymous_and_outsiders_get_no_panel(
    client: Client, charlie: User, alice: User, article: Article
) -> None:
    claim = make_claim(user=alice, article=article, phrase=PHRASE)
    url = reverse("claim_panel", args=[claim.pk])

    response = client.get(url)
    assert response.status_code == 401
    assert "session has ended" in response.content.decode()
    client.force_login(charlie)
    response = client.get(url)
    assert response.status_code == 403
    assert "Reviewers group" in response.content.decode()
    assert PHRASE not in response.content.decode()


def test_the_panel_of_a_missing_claim_is_not_found(client: Client, alice: User) -> None:
    client.force_login(alice)

    response = client.get(reverse("claim_panel", args=[999]))

    assert response.status_code == 404
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "no longer exists" in response.content.decode()


def test_the_panel_is_only_read(client: Client, alice: User, article: Article) -> None:
    claim = make_claim(user=alice, article=article, phrase=PHRASE)
    client.force_login(alice)

    assert client.post(reverse("claim_panel", args=[claim.pk])).status_code == 405

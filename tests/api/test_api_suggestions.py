"""GET /api/articles/{id}/suggestions/ and POST …/suggestions/dismissed/."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from annotations import services
from annotations.api.serializers import SuggestedAttributionOutput, SuggestionOutput
from annotations.models import Article, Speaker, SuggestionDismissal
from annotations.suggestions import store
from annotations.suggestions.engine import suggest
from tests.factories import make_claim

Clients = Callable[[User], APIClient]
BLOCKADE = "The deal over the Old City of Homs"
ARRANGEMENT = 'it was an "arrangement" rather than a deal'


def url(article: Article) -> str:
    return f"/api/articles/{article.pk}/suggestions/"


def dismiss_url(article: Article) -> str:
    return f"/api/articles/{article.pk}/suggestions/dismissed/"


def quotes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [s["quote"] for s in response.json()]


def test_a_reviewer_gets_the_suggestions_with_their_attribution(
    client_for: Clients, alice: User, article: Article, regime: Speaker
) -> None:
    response = client_for(alice).get(url(article))
    first, second = response.json()
    assert first["quote"].startswith(BLOCKADE)
    assert first["quote"] == article.text[first["start"] : first["end"]]
    assert first["kind"] == "quantity"
    assert "a number: 2250" in first["reasons"]
    assert first["attribution"]["kind"] == "author"
    assert second["quote"] == ARRANGEMENT
    assert second["attribution"] == {
        "kind": "reported",
        "cue": "said",
        "cue_start": article.text.index("said"),
        "cue_end": article.text.index("said") + 4,
        "speaker": {"id": regime.pk, "name": "Regime representatives"},
        "speaker_text": "regime representatives",
        "speaker_start": article.text.index("regime"),
        "speaker_end": article.text.index("regime") + len("regime representatives"),
        "new_speaker": None,
    }


def test_an_unknown_speaker_comes_as_a_new_speaker_with_a_kind(
    client_for: Clients, alice: User, article: Article
) -> None:
    second = client_for(alice).get(url(article)).json()[1]
    assert second["attribution"]["speaker"] is None
    assert second["attribution"]["new_speaker"] == {
        "name": "Regime representatives",
        "kind": "unnamed",
    }


def test_the_fields_are_the_engines_and_the_serializers(article: Article) -> None:
    [one, *_] = suggest(article.text, [])
    as_dict = one.as_dict()
    assert set(as_dict) == set(SuggestionOutput().fields)
    assert set(as_dict["attribution"]) == set(SuggestedAttributionOutput().fields)


@pytest.mark.parametrize("who", ["alice", "morgan"])
def test_reviewers_and_moderators_may_read_them(
    request: pytest.FixtureRequest, client_for: Clients, who: str, article: Article
) -> None:
    assert len(quotes(client_for(request.getfixturevalue(who)).get(url(article)))) == 2


def test_the_page_reads_them_with_its_session(alice: User, article: Article) -> None:
    client = APIClient()
    client.force_login(alice)
    assert len(quotes(client.get(url(article)))) == 2


def test_an_anonymous_client_gets_401(api_client: APIClient, article: Article) -> None:
    assert api_client.get(url(article)).status_code == 401
    assert api_client.post(dismiss_url(article), {"start": 0, "end": 3}).status_code == 401


def test_a_user_outside_the_groups_gets_403(
    client_for: Clients, charlie: User, article: Article
) -> None:
    assert client_for(charlie).get(url(article)).status_code == 403
    response = client_for(charlie).post(dismiss_url(article), {"start": 0, "end": 3})
    assert response.status_code == 403
    assert not SuggestionDismissal.objects.exists()


def test_an_unknown_article_is_404(client_for: Clients, alice: User) -> None:
    assert client_for(alice).get("/api/articles/999999/suggestions/").status_code == 404
    response = client_for(alice).post(
        "/api/articles/999999/suggestions/dismissed/", {"start": 0, "end": 3}, format="json"
    )
    assert response.status_code == 404


def test_dismissing_hides_it_for_that_reviewer_only(
    client_for: Clients, alice: User, bob: User, article: Article
) -> None:
    second = client_for(alice).get(url(article)).json()[1]
    span = {"start": second["start"], "end": second["end"]}
    response = client_for(alice).post(dismiss_url(article), span, format="json")
    assert response.status_code == 201
    assert response.json() == {**span, "quote": ARRANGEMENT}
    assert quotes(client_for(alice).get(url(article))) == [
        client_for(bob).get(url(article)).json()[0]["quote"]
    ]
    assert len(quotes(client_for(bob).get(url(article)))) == 2
    again = client_for(alice).post(dismiss_url(article), span, format="json")
    assert again.status_code == 200
    assert SuggestionDismissal.objects.count() == 1


def test_a_claim_on_the_same_span_hides_it_for_everyone(
    client_for: Clients, alice: User, bob: User, article: Article
) -> None:
    make_claim(user=bob, article=article, phrase=ARRANGEMENT)
    assert ARRANGEMENT not in quotes(client_for(alice).get(url(article)))


def test_a_claim_on_another_span_leaves_it(
    client_for: Clients, alice: User, article: Article
) -> None:
    make_claim(user=alice, article=article, phrase="some 2250 people")
    assert len(quotes(client_for(alice).get(url(article)))) == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start": 10, "end": 10}, "end"),
        ({"start": 20, "end": 10}, "end"),
        ({"start": 0, "end": 100_000}, "end"),
        ({"start": 100_000, "end": 100_001}, "start"),
        ({"start": "0", "end": 3}, "start"),
        ({"start": -1, "end": 3}, "start"),
        ({"end": 3}, "start"),
        ({"start": 0}, "end"),
    ],
)
def test_a_bad_span_is_400_naming_the_field(
    client_for: Clients, alice: User, article: Article, body: dict, field: str
) -> None:
    response = client_for(alice).post(dismiss_url(article), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not SuggestionDismissal.objects.exists()


def test_they_are_computed_once_per_text_and_register(
    client_for: Clients, alice: User, article: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = store.suggest
    monkeypatch.setattr(store, "suggest", lambda *args: calls.append(1) or real(*args))
    client_for(alice).get(url(article))
    client_for(alice).get(url(article))
    assert len(calls) == 1
    services.speaker_create(
        user=alice, name="Regime representatives", kind="unnamed", side="government"
    )
    second = client_for(alice).get(url(article)).json()[1]
    assert len(calls) == 2
    assert second["attribution"]["speaker"]["name"] == "Regime representatives"


def test_a_new_alias_is_a_new_register(alice: User, morgan: User, article: Article) -> None:
    speaker = services.speaker_create(
        user=alice, name="Damascus officials", kind="unnamed", side="government"
    )
    before = store.cache_key(article)
    services.speaker_update(user=morgan, speaker=speaker, aliases=["Regime representatives"])
    assert store.cache_key(article) != before


def test_a_merged_speakers_name_suggests_the_one_it_was_merged_into(
    client_for: Clients, alice: User, morgan: User, article: Article, regime: Speaker
) -> None:
    survivor = services.speaker_create(
        user=alice, name="Syrian government", kind="organisation", side="government"
    )
    services.speaker_merge(user=morgan, speaker=regime, into=survivor)
    second = client_for(alice).get(url(article)).json()[1]
    assert second["attribution"]["speaker"] == {"id": survivor.pk, "name": "Syrian government"}

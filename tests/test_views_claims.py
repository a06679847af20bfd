"""What the article page posts about claims: create, edit, submit, delete."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from annotations import services
from annotations.models import Article, Claim, Speaker

from .factories import ARTICLE_TEXT, make_claim, make_claim_in_review

PHRASE = "some 2250 people"


def claim_fields(article: Article, phrase: str = PHRASE, **fields: Any) -> dict[str, Any]:
    """Return what the page posts for a highlight of the phrase."""
    start = article.text.index(phrase)
    end = start + len(phrase)
    return {
        "start": start,
        "end": end,
        "quote": phrase,
        "prefix": article.text[max(0, start - 32) : start],
        "suffix": article.text[end : end + 32],
        "restatement": "",
        "kind": "quantity",
        "speaker": "",
        "attribution": "author",
        "cue": "",
        "cue_start": "",
        "cue_end": "",
        "note": "",
        **fields,
    }


def create(client: Client, article: Article, **fields: Any) -> HttpResponse:
    return client.post(reverse("claim_create", args=[article.pk]), claim_fields(article, **fields))


def edit_fields(claim: Claim, **fields: Any) -> dict[str, Any]:
    return {
        "version": claim.version,
        "restatement": claim.restatement,
        "kind": claim.kind,
        "speaker": claim.speaker_id or "",
        "attribution": claim.attribution,
        "cue": claim.cue,
        "cue_start": "" if claim.cue_start is None else claim.cue_start,
        "cue_end": "" if claim.cue_end is None else claim.cue_end,
        "note": claim.note,
        **fields,
    }


def edit(client: Client, claim: Claim, **fields: Any) -> HttpResponse:
    return client.post(reverse("claim_edit", args=[claim.pk]), edit_fields(claim, **fields))


@pytest.fixture
def alices_draft(alice: User, article: Article) -> Claim:
    return make_claim(user=alice, article=article, phrase=PHRASE, restatement="2250 leave.")


@pytest.fixture
def bobs_draft(bob: User, article: Article) -> Claim:
    return make_claim(
        user=bob, article=article, phrase="mostly fighters", restatement="Most fight."
    )


# Creating ---------------------------------------------------------------------


def test_it_creates_a_draft_from_a_highlight_and_returns_its_data(
    client: Client, alice: User, article: Article, opposition: Speaker
) -> None:
    client.force_login(alice)

    response = create(
        client,
        article,
        speaker=opposition.pk,
        attribution="reported",
        restatement=" About 2,250 people leave. ",
        cue="say",
        note="Check the UN count.",
    )

    assert response.status_code == 201
    claim = Claim.objects.get()
    assert response.json() == {
        "claim": {
            "id": claim.pk,
            "start": ARTICLE_TEXT.index(PHRASE),
            "end": ARTICLE_TEXT.index(PHRASE) + len(PHRASE),
            "quote": PHRASE,
            "kind": "quantity",
            "status": "draft",
            "attribution": "reported",
            "speaker": opposition.pk,
            "verdicts": 0,
            "author": alice.pk,
            "version": 1,
        },
        "speaker": {
            "id": opposition.pk,
            "name": "Opposition sources",
            "kind": "unnamed",
            "side": "opposition",
            "role": "",
        },
    }
    assert claim.restatement == "About 2,250 people leave."
    assert (claim.cue, claim.note, claim.created_by) == ("say", "Check the UN count.", alice)


def test_save_and_submit_sends_the_new_claim_to_review(
    client: Client, alice: User, article: Article
) -> None:
    client.force_login(alice)

    response = create(client, article, restatement="2250 leave.", submit_for_review="on")

    assert response.status_code == 201
    assert response.json()["claim"]["status"] == "in_review"
    assert Claim.objects.get().status == Claim.Status.IN_REVIEW


def test_a_quote_across_paragraphs_keeps_its_line_break(
    client: Client, alice: User, article: Article
) -> None:
    client.force_login(alice)

    response = create(client, article, phrase="central Syria.\nBut regime")

    assert response.status_code == 201
    assert Claim.objects.get().quote == "central Syria.\nBut regime"


def test_a_moderator_creates_claims_too(client: Client, morgan: User, article: Article) -> None:
    client.force_login(morgan)

    assert create(client, article).status_code == 201


def test_an_anonymous_post_is_refused_with_401_and_writes_nothing(
    client: Client, article: Article
) -> None:
    response = create(client, article)

    assert response.status_code == 401
    assert "log in again" in response.json()["error"]
    assert not Claim.objects.exists()


def test_an_outsider_cannot_create_claims(client: Client, charlie: User, article: Article) -> None:
    client.force_login(charlie)

    response = create(client, article)

    assert response.status_code == 403
    assert "Reviewers group" in response.json()["error"]
    assert not Claim.objects.exists()


def test_a_claim_on_a_missing_article_is_not_found(
    client: Client, alice: User, article: Article
) -> None:
    client.force_login(alice)

    response = client.post(reverse("claim_create", args=[999]), claim_fields(article))

    assert response.status_code == 404
    assert "no longer exists" in response.json()["error"]


def test_creating_takes_only_a_post(client: Client, alice: User, article: Article) -> None:
    client.force_login(alice)

    assert client.get(reverse("claim_create", args=[article.pk])).status_code == 405


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"quote": "some 2250 peoples"}, "quote", "must be the exact text at its offsets"),
        ({"quote": ""}, "quote", "The quote is empty"),
        ({"start": "ten"}, "start", "whole numbers"),
        ({"end": ""}, "end", "This field is required"),
        ({"end": 99999}, "end", "lies beyond the article's text"),
        ({"start": 20, "end": 10}, "end", "must be greater than the start"),
        ({"prefix": "not what comes before"}, "prefix", "The text before the quote is"),
        ({"kind": "rumour"}, "kind", "“rumour” is not a kind of claim"),
        ({"attribution": ""}, "attribution", "Choose a kind of attribution"),
        ({"attribution": "reported"}, "speaker", "Say who makes the claim"),
        ({"speaker": 999}, "speaker", "That speaker no longer exists"),
        ({"cue_start": 5}, "cue_end", "Give both ends of the cue's span"),
        ({"cue_start": 5, "cue_end": 9, "cue": "nope"}, "cue", "The text at the cue's offsets"),
        ({"submit_for_review": "on"}, "restatement", "in your own words before submitting"),
    ],
    ids=[
        "quote-mismatch",
        "quote-empty",
        "start-not-a-number",
        "end-missing",
        "end-beyond-text",
        "end-before-start",
        "prefix-mismatch",
        "kind-unknown",
        "attribution-missing",
        "speaker-missing",
        "speaker-unknown",
        "cue-half-span",
        "cue-mismatch",
        "submit-without-restatement",
    ],
)
def test_every_bad_input_gets_400_with_its_fields_message_and_writes_nothing(
    client: Client, alice: User, article: Article, fields: dict[str, Any], field: str, message: str
) -> None:
    client.force_login(alice)

    response = create(client, article, **fields)

    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"][field])
    assert not Claim.objects.exists()


# Editing ----------------------------------------------------------------------


def test_a_reviewer_edits_her_own_draft(
    client: Client, alice: User, alices_draft: Claim, regime: Speaker
) -> None:
    client.force_login(alice)

    response = edit(
        client,
        alices_draft,
        restatement="About 2,250 people, most of them fighters.",
        speaker=regime.pk,
        attribution="reported",
        kind="quantity",
    )

    assert response.status_code == 200
    assert response.json()["claim"]["version"] == 2
    assert response.json()["speaker"]["name"] == "Regime representatives"
    alices_draft.refresh_from_db()
    assert alices_draft.restatement == "About 2,250 people, most of them fighters."
    assert (alices_draft.speaker, alices_draft.kind, alices_draft.version) == (
        regime,
        "quantity",
        2,
    )


def test_a_reviewer_edits_her_own_claim_in_review(
    client: Client, alice: User, article: Article
) -> None:
    claim = make_claim_in_review(user=alice, article=article, phrase=PHRASE)
    client.force_login(alice)

    response = edit(client, claim, note="Asked the UN.")

    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.note == "Asked the UN."


def test_it_refuses_an_edit_of_another_reviewers_claim(
    client: Client, alice: User, bobs_draft: Claim
) -> None:
    client.force_login(alice)

    response = edit(client, bobs_draft, restatement="Alice's words now")

    assert response.status_code == 403
    assert "your own claims" in response.json()["error"]
    bobs_draft.refresh_from_db()
    assert (bobs_draft.restatement, bobs_draft.version) == ("Most fight.", 1)


def test_it_refuses_an_edit_of_another_reviewers_claim_even_when_malformed(
    client: Client, alice: User, bobs_draft: Claim
) -> None:
    client.force_login(alice)

    response = edit(client, bobs_draft, kind="rumour", version="")

    assert response.status_code == 403


def test_a_moderator_edits_any_open_claim(client: Client, morgan: User, bobs_draft: Claim) -> None:
    client.force_login(morgan)

    response = edit(client, bobs_draft, restatement="Most of them are fighters.")

    assert response.status_code == 200
    bobs_draft.refresh_from_db()
    assert bobs_draft.restatement == "Most of them are fighters."


def test_an_edit_made_on_an_old_version_is_refused_with_409(
    client: Client, alice: User, alices_draft: Claim
) -> None:
    services.claim_update(claim=alices_draft, user=alice, note="first")
    client.force_login(alice)

    response = edit(client, alices_draft, version=1, restatement="Stale")

    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    assert "changed since you loaded it" in response.json()["error"]
    alices_draft.refresh_from_db()
    assert alices_draft.restatement == "2250 leave."


def test_a_closed_claim_cannot_be_edited(
    client: Client, alice: User, morgan: User, article: Article
) -> None:
    claim = make_claim_in_review(user=alice, article=article, phrase=PHRASE)
    services.claim_reject(claim=claim, user=morgan, reason="Not checkable.")
    client.force_login(alice)

    response = edit(client, claim, note="Late")

    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.note == ""


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"attribution": "reported", "speaker": ""}, "speaker", "Say who makes the claim"),
        ({"kind": "rumour"}, "kind", "is not a kind of claim"),
        ({"version": ""}, "version", "lost track of the claim's version"),
        ({"cue_start": 0, "cue_end": 4, "cue": "said"}, "cue", "The text at the cue's offsets"),
    ],
    ids=["speaker-missing", "kind-unknown", "version-missing", "cue-mismatch"],
)
def test_a_bad_edit_gets_400_and_changes_nothing(
    client: Client,
    alice: User,
    alices_draft: Claim,
    fields: dict[str, Any],
    field: str,
    message: str,
) -> None:
    client.force_login(alice)

    response = edit(client, alices_draft, **fields)

    assert response.status_code == 400
    assert message in " ".join(response.json()["errors"][field])
    alices_draft.refresh_from_db()
    assert alices_draft.version == 1


def test_an_edit_of_a_claim_in_review_keeps_its_restatement(
    client: Client, alice: User, article: Article
) -> None:
    claim = make_claim_in_review(user=alice, article=article, phrase=PHRASE)
    client.force_login(alice)

    response = edit(client, claim, restatement="  ")

    assert response.status_code == 400
    assert "in your own words" in response.json()["errors"]["restatement"][0]


def test_editing_a_missing_claim_is_not_found(client: Client, alice: User) -> None:
    client.force_login(alice)

    assert client.post(reverse("claim_edit", args=[999]), {}).status_code == 404


# Submitting and deleting ----------------------------------------------------------


def test_a_reviewer_submits_her_draft(client: Client, alice: User, alices_draft: Claim) -> None:
    client.force_login(alice)

    response = client.post(reverse("claim_submit", args=[alices_draft.pk]))

    assert response.status_code == 200
    assert response.json()["claim"]["status"] == "in_review"
    alices_draft.refresh_from_db()
    assert alices_draft.status == Claim.Status.IN_REVIEW


def test_a_draft_without_restatement_cannot_be_submitted(
    client: Client, alice: User, article: Article
) -> None:
    claim = make_claim(user=alice, article=article, phrase=PHRASE)
    client.force_login(alice)

    response = client.post(reverse("claim_submit", args=[claim.pk]))

    assert response.status_code == 400
    assert "restatement" in response.json()["errors"]
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DRAFT


def test_a_claim_in_review_cannot_be_submitted_again(
    client: Client, alice: User, article: Article
) -> None:
    claim = make_claim_in_review(user=alice, article=article, phrase=PHRASE)
    client.force_login(alice)

    response = client.post(reverse("claim_submit", args=[claim.pk]))

    assert response.status_code == 400
    assert "Only drafts can be submitted" in response.json()["errors"]["status"][0]


def test_it_refuses_to_submit_another_reviewers_draft(
    client: Client, alice: User, bobs_draft: Claim
) -> None:
    client.force_login(alice)

    response = client.post(reverse("claim_submit", args=[bobs_draft.pk]))

    assert response.status_code == 403
    bobs_draft.refresh_from_db()
    assert bobs_draft.status == Claim.Status.DRAFT


def test_a_moderator_submits_anyones_draft(client: Client, morgan: User, bobs_draft: Claim) -> None:
    client.force_login(morgan)

    assert client.post(reverse("claim_submit", args=[bobs_draft.pk])).status_code == 200


def test_a_reviewer_deletes_her_own_draft(client: Client, alice: User, alices_draft: Claim) -> None:
    client.force_login(alice)

    response = client.post(reverse("claim_delete", args=[alices_draft.pk]))

    assert response.status_code == 200
    assert response.json() == {"deleted": alices_draft.pk}
    assert not Claim.objects.exists()


@pytest.mark.parametrize("actor", ["alice", "morgan"])
def test_nobody_deletes_another_reviewers_draft(
    client: Client, request: pytest.FixtureRequest, bobs_draft: Claim, actor: str
) -> None:
    client.force_login(request.getfixturevalue(actor))

    response = client.post(reverse("claim_delete", args=[bobs_draft.pk]))

    assert response.status_code == 403
    assert Claim.objects.filter(pk=bobs_draft.pk).exists()


def test_a_submitted_claim_stays_on_the_record(
    client: Client, alice: User, article: Article
) -> None:
    claim = make_claim_in_review(user=alice, article=article, phrase=PHRASE)
    client.force_login(alice)

    response = client.post(reverse("claim_delete", args=[claim.pk]))

    assert response.status_code == 403
    assert "stays on the record" in response.json()["error"]
    assert Claim.objects.filter(pk=claim.pk).exists()


@pytest.mark.parametrize("name", ["claim_submit", "claim_delete"])
def test_anonymous_and_outsiders_cannot_submit_or_delete(
    client: Client, charlie: User, alices_draft: Claim, name: str
) -> None:
    url = reverse(name, args=[alices_draft.pk])

    assert client.post(url).status_code == 401
    client.force_login(charlie)
    assert client.post(url).status_code == 403
    alices_draft.refresh_from_db()
    assert alices_draft.status == Claim.Status.DRAFT


@pytest.mark.parametrize("name", ["claim_submit", "claim_delete"])
def test_submitting_or_deleting_a_missing_claim_is_not_found(
    client: Client, alice: User, name: str
) -> None:
    client.force_login(alice)

    assert client.post(reverse(name, args=[999])).status_code == 404

"""The claims on the moderators' desk: who reaches them, the list, the change form."""

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations import services
from annotations.models import Article, Claim, Speaker, Verdict

from .factories import (
    ArticleFactory,
    UserFactory,
    give_verdict,
    make_claim,
    make_claim_in_review,
    verify,
)

PHRASE = "some 2250 people"


def changelist_url() -> str:
    return reverse("admin:annotations_claim_changelist")


def change_url(claim: Claim) -> str:
    return reverse("admin:annotations_claim_change", args=[claim.pk])


def form_data(response: HttpResponse, **changes: Any) -> dict[str, Any]:
    """Return what a browser posts back from the admin change form on the page, with changes."""
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data |= {management.add_prefix(n): management[n].value() for n in management.fields}
    return {k: "" if v is None else v for k, v in data.items()} | changes


@pytest.fixture
def claim(alice: User, bob: User, article: Article, opposition: Speaker) -> Claim:
    """alice's claim in review, reported speech of the opposition, with bob's verdict."""
    claim = make_claim_in_review(
        user=alice,
        article=article,
        phrase=PHRASE,
        speaker=opposition,
        attribution=Claim.Attribution.REPORTED_SPEECH,
    )
    give_verdict(claim, bob)
    return claim


@pytest.fixture
def sam(db: None) -> User:
    """A reviewer who is staff, so reaches the admin, but may not moderate."""
    return UserFactory(username="sam", is_staff=True, groups=["Reviewers"])


# Who reaches the desk ------------------------------------------------------


def test_it_redirects_anonymous_to_the_admin_login(client: Client, claim: Claim) -> None:
    for url in (changelist_url(), change_url(claim)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("username", ["charlie", "alice"])
def test_it_keeps_out_who_is_not_staff(
    client: Client, claim: Claim, charlie: User, username: str
) -> None:
    client.force_login(User.objects.get(username=username))
    response = client.get(changelist_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    response = client.post(change_url(claim), {"restatement": "Hijacked", "expected_version": 1})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.restatement != "Hijacked"


def test_the_desk_welcomes_staff(client: Client, morgan: User) -> None:
    client.force_login(morgan)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<div id="site-name"><a href="/admin/">Fact-check desk</a></div>' in page
    models = {m["object_name"] for app in response.context["app_list"] for m in app["models"]}
    assert models == {"Article", "Claim", "Side", "Source", "Speaker", "Verdict"}


def test_the_desk_names_the_sites_icon(client: Client, morgan: User) -> None:
    # Without it the browser asks for /favicon.ico on every admin page, and gets a 404.
    client.force_login(morgan)
    page = client.get(reverse("admin:index")).content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page


# The list ------------------------------------------------------------------


def test_it_lists_the_quote_in_context_with_speaker_side_and_verdicts(
    client: Client, morgan: User, dana: User, claim: Claim
) -> None:
    give_verdict(claim, dana, Verdict.Rating.FALSE)
    client.force_login(morgan)
    response = client.get(changelist_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "…ckade since June 2012, will see <mark>some 2250 people</mark>, mostly fighters, "
        "evacuate the …"
    ) in page
    assert "Opposition sources" in page
    assert '<td class="field-speaker_side">Opposition</td>' in page
    assert "bob: Mostly true<br>dana: False" in page
    assert "In review" in page


def test_it_escapes_the_text_around_the_quote(client: Client, morgan: User, alice: User) -> None:
    article = ArticleFactory(
        text="Officials said <b>500</b> people left <script>x()</script> at dawn."
    )
    make_claim_in_review(user=alice, article=article, phrase="<b>500</b> people")
    client.force_login(morgan)
    page = client.get(changelist_url()).content.decode()
    assert "Officials said <mark>&lt;b&gt;500&lt;/b&gt; people</mark> left &lt;script&gt;" in page
    assert "<script>x()" not in page


def test_it_marks_the_published_verdict(
    client: Client, morgan: User, bob: User, claim: Claim
) -> None:
    verify(claim, moderator=morgan, verdict=claim.verdicts.get(reviewer=bob))
    client.force_login(morgan)
    page = client.get(changelist_url()).content.decode()
    assert "<strong>bob: Mostly true</strong>" in page


def _claims(
    count: int, *, alice: User, bob: User, dana: User, article: Article, speakers: list[Speaker]
) -> None:
    for i in range(count):
        claim = make_claim_in_review(
            user=alice,
            article=article,
            phrase=PHRASE,
            speaker=speakers[i % len(speakers)],
            attribution=Claim.Attribution.REPORTED_SPEECH,
        )
        give_verdict(claim, bob)
        give_verdict(claim, dana, Verdict.Rating.FALSE)


def test_the_changelist_query_count_does_not_grow_with_the_claims(
    client: Client,
    morgan: User,
    alice: User,
    bob: User,
    dana: User,
    article: Article,
    opposition: Speaker,
    regime: Speaker,
) -> None:
    services.speaker_update(speaker=opposition, user=None, aliases=["SOHR"])
    client.force_login(morgan)
    client.get(changelist_url())  # warm the caches (content types, permissions)
    _claims(3, alice=alice, bob=bob, dana=dana, article=article, speakers=[opposition, regime])
    with CaptureQueriesContext(connection) as few:
        response = client.get(changelist_url())
    assert len(response.context["cl"].result_list) == 3

    _claims(27, alice=alice, bob=bob, dana=dana, article=article, speakers=[opposition, regime])
    with CaptureQueriesContext(connection) as many:
        response = client.get(changelist_url())
    assert len(response.context["cl"].result_list) == 30
    page = response.content.decode()
    assert page.count("bob: Mostly true<br>dana: False") == 30
    assert page.count('<td class="field-speaker_side">Government</td>') == 1 + 13
    assert len(many.captured_queries) == len(few.captured_queries)


def test_it_finds_a_claim_by_its_speakers_alias(
    client: Client, morgan: User, alice: User, article: Article, claim: Claim, regime: Speaker
) -> None:
    services.speaker_update(
        speaker=claim.speaker, user=None, aliases=["Syrian Observatory for Human Rights"]
    )
    other = make_claim_in_review(
        user=alice,
        article=article,
        phrase="regime representatives",
        speaker=regime,
        attribution=Claim.Attribution.REPORTED_SPEECH,
    )
    client.force_login(morgan)
    response = client.get(changelist_url(), {"q": "observatory"})
    found = list(response.context["cl"].result_list)
    assert found == [claim]
    assert other not in found


def test_it_searches_restatements_and_speaker_names(
    client: Client, morgan: User, claim: Claim
) -> None:
    client.force_login(morgan)
    for query, hits in (("article says", 1), ("Opposition sources", 1), ("nowhere", 0)):
        response = client.get(changelist_url(), {"q": query})
        assert len(response.context["cl"].result_list) == hits, query


def test_it_filters_by_side_kind_attribution_status_and_verdict_rating(
    client: Client,
    morgan: User,
    alice: User,
    dana: User,
    article: Article,
    claim: Claim,
    regime: Speaker,
) -> None:
    other = make_claim(
        user=alice,
        article=article,
        phrase='an "arrangement"',
        speaker=regime,
        attribution=Claim.Attribution.DIRECT_QUOTE,
        kind=Claim.Kind.CHARACTERISATION,
    )
    give_verdict(other, dana, Verdict.Rating.FALSE)
    client.force_login(morgan)
    filters = {
        "speaker__side__exact": ("government", other),
        "kind__exact": ("characterisation", other),
        "attribution__exact": ("reported", claim),
        "status__exact": ("in_review", claim),
        "verdicts__rating__exact": ("false", other),
        "speaker__id__exact": (str(claim.speaker_id), claim),
        "article__id__exact": (str(article.pk), None),
    }
    for param, (value, expected) in filters.items():
        response = client.get(changelist_url(), {param: value})
        assert response.status_code == 200, param
        found = list(response.context["cl"].result_list)
        assert found == ([expected] if expected else [other, claim]), param
    page = client.get(changelist_url()).content.decode()
    assert "By speaker&#x27;s side" in page
    assert "By verdict rating" in page


def test_it_offers_neither_adding_nor_deleting(client: Client, morgan: User, claim: Claim) -> None:
    client.force_login(morgan)
    assert client.get(reverse("admin:annotations_claim_add")).status_code == 403
    delete_url = reverse("admin:annotations_claim_delete", args=[claim.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    response = client.get(changelist_url())
    actions = [value for value, _ in response.context["action_form"].fields["action"].choices]
    assert actions == ["", "verify", "reject", "reopen"]
    client.post(
        changelist_url(),
        {"action": "delete_selected", "_selected_action": [claim.pk], "post": "yes", "index": 0},
    )
    assert Claim.objects.filter(pk=claim.pk).exists()


# The change form -----------------------------------------------------------


def test_it_shows_sources_and_verdicts_read_only_on_the_claim_page(
    client: Client, morgan: User, alice: User, claim: Claim
) -> None:
    services.source_add(
        claim=claim,
        user=alice,
        url="https://example.org/report",
        stance="supports",
        title="UN situation report",
    )
    client.force_login(morgan)
    response = client.get(change_url(claim))
    assert response.status_code == 200
    page = response.content.decode()
    assert "UN situation report" in page
    assert "bob checked the record." in page
    assert "<mark>some 2250 people</mark>" in page
    for inline in response.context["inline_admin_formsets"]:
        assert not inline.has_add_permission
        assert not inline.has_change_permission
        assert not inline.has_delete_permission
    form = response.context["adminform"].form
    assert set(form.fields) == {
        "restatement",
        "kind",
        "speaker",
        "attribution",
        "cue",
        "cue_start",
        "cue_end",
        "note",
        "expected_version",
    }


def test_it_saves_an_edit_through_claim_update(
    client: Client, morgan: User, claim: Claim, regime: Speaker
) -> None:
    client.force_login(morgan)
    data = form_data(
        client.get(change_url(claim)),
        restatement="About 2,250 people left the Old City.",
        kind=Claim.Kind.QUANTITY,
        speaker=regime.pk,
    )
    response = client.post(change_url(claim), data)
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.restatement == "About 2,250 people left the Old City."
    assert claim.kind == Claim.Kind.QUANTITY
    assert claim.speaker == regime
    assert claim.version == 2
    assert claim.history.first().history_user == morgan


def test_it_refuses_a_bad_cue_span_with_a_form_error(
    client: Client, morgan: User, claim: Claim
) -> None:
    client.force_login(morgan)
    data = form_data(client.get(change_url(claim)), cue_start=40, cue_end=30)
    response = client.post(change_url(claim), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The cue&#x27;s span 40–30 is empty or negative" in page
    assert "claim_cue_span_valid" not in page  # the service's words, not the constraint's
    assert "cue_end" in response.context["adminform"].form.errors
    claim.refresh_from_db()
    assert (claim.cue_start, claim.cue_end, claim.version) == (None, None, 1)


def test_it_refuses_a_cue_beyond_the_text(client: Client, morgan: User, claim: Claim) -> None:
    client.force_login(morgan)
    data = form_data(client.get(change_url(claim)), cue_start=10, cue_end=9999)
    response = client.post(change_url(claim), data)
    assert response.status_code == 200
    assert "lies beyond the article" in response.context["adminform"].form.errors["cue_end"][0]
    claim.refresh_from_db()
    assert claim.cue_end is None


def test_it_takes_the_cue_from_its_span(
    client: Client, morgan: User, alice: User, article: Article, regime: Speaker
) -> None:
    claim = make_claim_in_review(
        user=alice,
        article=article,
        phrase='it was an "arrangement" rather than a deal',
        speaker=regime,
        attribution=Claim.Attribution.REPORTED_SPEECH,
    )
    said = article.text.index(" said ") + 1
    client.force_login(morgan)
    data = form_data(client.get(change_url(claim)), cue_start=said, cue_end=said + 4)
    assert client.post(change_url(claim), data).status_code == 302
    claim.refresh_from_db()
    assert (claim.cue, claim.cue_start, claim.cue_end) == ("said", said, said + 4)


def test_it_refuses_reported_speech_with_no_speaker(
    client: Client, morgan: User, claim: Claim
) -> None:
    client.force_login(morgan)
    data = form_data(client.get(change_url(claim)), speaker="")
    response = client.post(change_url(claim), data)
    assert response.status_code == 200
    assert "Say who makes the claim" in response.content.decode()
    assert "speaker" in response.context["adminform"].form.errors
    claim.refresh_from_db()
    assert claim.speaker is not None
    assert claim.version == 1


def test_it_accepts_no_speaker_for_the_articles_own_voice(
    client: Client, morgan: User, claim: Claim
) -> None:
    client.force_login(morgan)
    data = form_data(client.get(change_url(claim)), speaker="", attribution="author")
    assert client.post(change_url(claim), data).status_code == 302
    claim.refresh_from_db()
    assert (claim.speaker, claim.attribution) == (None, "author")


def test_it_refuses_an_empty_restatement_in_review(
    client: Client, morgan: User, claim: Claim
) -> None:
    client.force_login(morgan)
    data = form_data(client.get(change_url(claim)), restatement="  ")
    response = client.post(change_url(claim), data)
    assert response.status_code == 200
    assert services.RESTATEMENT_NEEDED in response.context["adminform"].form.errors["restatement"]
    claim.refresh_from_db()
    assert claim.restatement == f"The article says: {PHRASE}"


def test_it_refuses_an_edit_based_on_an_old_version(
    client: Client, morgan: User, alice: User, claim: Claim
) -> None:
    client.force_login(morgan)
    data = form_data(client.get(change_url(claim)), note="Check the UN figure.")
    services.claim_update(claim=claim, user=alice, restatement="alice's newer wording")
    response = client.post(change_url(claim), data)
    assert response.status_code == 200
    assert "The claim has changed since you loaded it" in response.content.decode()
    claim.refresh_from_db()
    assert (claim.restatement, claim.note, claim.version) == ("alice's newer wording", "", 2)


def test_it_reports_an_edit_that_lost_a_race(
    client: Client, morgan: User, alice: User, claim: Claim, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.force_login(morgan)
    data = form_data(client.get(change_url(claim)), note="Check the UN figure.")
    claim_update = services.claim_update

    def alice_first(**kwargs: Any) -> Claim:
        # alice's edit lands between the form's validation and morgan's save.
        claim_update(claim=claim, user=alice, restatement="alice got there first")
        return claim_update(**kwargs)

    monkeypatch.setattr(services, "claim_update", alice_first)
    response = client.post(change_url(claim), data)
    assert response.status_code == 302
    assert response["Location"] == change_url(claim)
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("Nothing was saved: The claim has changed since you loaded it")
    claim.refresh_from_db()
    assert (claim.note, claim.version) == ("", 1)


def test_it_shows_a_verified_claim_read_only(
    client: Client, morgan: User, bob: User, claim: Claim
) -> None:
    verify(claim, moderator=morgan, verdict=claim.verdicts.get(reviewer=bob))
    client.force_login(morgan)
    response = client.get(change_url(claim))
    assert response.status_code == 200
    assert 'name="restatement"' not in response.content.decode()
    response = client.post(change_url(claim), {"restatement": "Changed after the fact"})
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.restatement == f"The article says: {PHRASE}"


def test_a_staff_reviewer_edits_only_their_own_claims(
    client: Client, sam: User, claim: Claim, article: Article
) -> None:
    client.force_login(sam)
    assert client.get(changelist_url()).status_code == 200
    response = client.post(
        change_url(claim), {"restatement": "sam's wording", "expected_version": 1}
    )
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.restatement == f"The article says: {PHRASE}"

    own = make_claim(user=sam, article=article, phrase="flashpoint city")
    data = form_data(client.get(change_url(own)), restatement="The city is a flashpoint.")
    assert client.post(change_url(own), data).status_code == 302
    own.refresh_from_db()
    assert own.restatement == "The city is a flashpoint."


def test_it_does_not_revert_history(client: Client, morgan: User, claim: Claim) -> None:
    services.claim_update(claim=claim, user=morgan, restatement="Second wording")
    first = claim.history.earliest()
    url = reverse("admin:annotations_claim_simple_history", args=[claim.pk, first.history_id])
    client.force_login(morgan)
    assert client.get(url).status_code == 200
    response = client.post(url, {"restatement": first.restatement, "expected_version": 2})
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.restatement == "Second wording"


# History ---------------------------------------------------------------------


def history_url(claim: Claim) -> str:
    return reverse("admin:annotations_claim_history", args=[claim.pk])


def changes_shown(response: HttpResponse) -> list[dict[str, str]]:
    """Return the changes each record of the history page lists, newest first."""
    return [
        {change["field"]: f"{change['old']} → {change['new']}" for change in changes}
        for changes in (
            getattr(record, "history_delta_changes", []) for record in response.context["page_obj"]
        )
    ]


def test_the_history_names_statuses_and_people_and_shows_nothing_as_a_dash(
    client: Client, morgan: User, bob: User, claim: Claim
) -> None:
    verify(claim, moderator=morgan, verdict=claim.verdicts.get(reviewer=bob))
    services.claim_reopen(claim=claim, user=morgan, reason="The UN revised its count.")
    client.force_login(morgan)
    response = client.get(history_url(claim))
    assert response.status_code == 200
    reopened, verified, created = changes_shown(response)
    assert verified["Status"] == "In review → Verified"
    assert verified["Published verdict"] == "— → Mostly true by bob"
    assert verified["Moderated by"] == "— → morgan"
    assert verified["Moderated at"].startswith("— → ")
    assert reopened["Status"] == "Verified → In review"
    assert reopened["Published verdict"] == "Mostly true by bob → —"
    assert reopened["Moderated by"] == "morgan → —"
    assert created == {}
    page = response.content.decode()
    assert "pk=None" not in page
    assert "Deleted" not in page
    assert "in_review" not in page


def test_the_history_leaves_the_reason_empty_when_there_is_none(
    client: Client, morgan: User, alice: User, claim: Claim
) -> None:
    services.claim_update(claim=claim, user=alice, note="Check the UN figure.")
    client.force_login(morgan)
    response = client.get(history_url(claim))
    assert response.status_code == 200
    assert [r.history_change_reason for r in response.context["page_obj"]] == [None, None]
    assert changes_shown(response)[0]["Note"] == "— → Check the UN figure."
    page = response.content.decode()
    headers = [" ".join(h.split()) for h in re.findall(r"<th[^>]*>(.*?)</th>", page, re.S)]
    column = headers.index("Change reason")
    rows = re.findall(r"<tr>(.*?)</tr>", page.split("</thead>", 1)[1], re.S)
    reasons = [" ".join(re.findall(r"<td>(.*?)</td>", row, re.S)[column].split()) for row in rows]
    assert reasons == ["", ""]

"""The speaker register through /api/ and through the page's own use of it.

Names by one rule (a refused duplicate is a 400 naming the field and the speaker,
never a 409 or 500), possible duplicates and confirm_new, search without accents,
merging and the merged speaker's address, sides as data, Wikidata ids.
"""

import json
import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from annotations import services
from annotations.models import Article, Claim, Side, Speaker
from tests.factories import give_verdict, make_claim_in_review, verify

from .export_helpers import export_bytes, parse

Clients = Callable[[User], APIClient]


def post_speaker(client: APIClient | Client, **body) -> object:
    body.setdefault("kind", "person")
    return client.post("/api/speakers/", body, format="json")


# Names by one rule -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("existing", "again"),
    [
        ("İnci Sample", "İNCI SAMPLE"),
        ("Émile Zola", "émile zola"),
        ("Café Owners", "Cafe\u0301 Owners"),
        ("Straße Committee", "strasse committee"),
        ("\u212a2 Group", "k2 group"),
    ],
)
def test_a_name_already_taken_is_a_400_naming_the_field_and_the_speaker(
    client_for: Clients, alice: User, existing: str, again: str
) -> None:
    first = services.speaker_create(user=alice, name=existing, kind="person")
    response = post_speaker(client_for(alice), name=again, confirm_new=True)
    assert response.status_code == 400
    (message,) = response.json()["name"]
    assert message.endswith(f"already exists: {first.name} (id {first.pk}).")
    assert Speaker.objects.count() == 1


def test_an_alias_taken_by_another_speaker_is_a_400_naming_the_speaker(
    client_for: Clients, alice: User
) -> None:
    ismail = services.speaker_create(user=alice, name="İsmail Test", kind="person")
    response = post_speaker(
        client_for(alice), name="Another Person", aliases=["İSMAIL TEST"], confirm_new=True
    )
    assert response.status_code == 400
    assert response.json() == {
        "aliases": [f"“İsmail Test” is another speaker's name: İsmail Test (id {ismail.pk})."]
    }


@pytest.mark.parametrize(
    ("existing", "new"),
    [
        ("İnci Sample", "inci sample"),
        ("Vitaly Churkin", "Vitály Churkin"),
        ("Hüseyin Müftüoğlu", "Huseyin Muftuoglu"),
    ],
)
def test_a_close_name_is_a_400_listing_the_possible_duplicates_until_confirmed(
    client_for: Clients, alice: User, existing: str, new: str
) -> None:
    first = services.speaker_create(user=alice, name=existing, kind="person")
    client = client_for(alice)

    response = post_speaker(client, name=new)
    assert response.status_code == 400
    body = response.json()
    assert body["possible_duplicates"] == [
        {"id": first.pk, "name": existing, "matched_name": existing, "score": 100.0}
    ]
    assert "may be a speaker already in the register" in body["name"][0]

    response = post_speaker(client, name=new, confirm_new=True)
    assert response.status_code == 201
    assert response.json()["name"] == new


def test_confirm_new_takes_a_json_boolean_only(client_for: Clients, alice: User) -> None:
    response = post_speaker(client_for(alice), name="Someone", confirm_new="yes")
    assert response.status_code == 400
    assert list(response.json()) == ["confirm_new"]


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("ismail", "İsmail Test"),
        ("muftuoglu", "Hüseyin Müftüoğlu"),
        ("MÜFTÜOĞLU", "Hüseyin Müftüoğlu"),
    ],
)
def test_a_search_finds_names_without_their_accents(
    client_for: Clients, alice: User, search: str, found: str
) -> None:
    for name in ("İsmail Test", "Hüseyin Müftüoğlu", "Talal Barazi"):
        services.speaker_create(user=alice, name=name, kind="person")
    response = client_for(alice).get("/api/speakers/", {"search": search})
    assert [row["name"] for row in response.json()["results"]] == [found]


# Merging -------------------------------------------------------------------------------


@pytest.fixture
def pair(alice: User, article: Article) -> tuple[Speaker, Speaker, Claim]:
    survivor = services.speaker_create(user=alice, name="Vitaly Churkin", kind="person")
    merged = services.speaker_create(
        user=alice, name="Vitály Churkin", kind="person", aliases=["Churkin"], confirm_new=True
    )
    claim = make_claim_in_review(
        user=alice,
        article=article,
        phrase="some 2250 people",
        speaker=merged,
        attribution="reported",
    )
    return survivor, merged, claim


def test_a_moderator_merges_by_the_api_and_the_claims_follow(
    client_for: Clients, morgan: User, pair
) -> None:
    survivor, merged, claim = pair
    response = client_for(morgan).post(
        f"/api/speakers/{merged.pk}/merge/", {"into": survivor.pk}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], sorted(body["aliases"])) == (survivor.pk, ["Churkin", "Vitály Churkin"])
    claim.refresh_from_db()
    assert claim.speaker_id == survivor.pk
    listed = client_for(morgan).get("/api/speakers/").json()["results"]
    assert [row["id"] for row in listed] == [survivor.pk]


def test_a_reviewer_may_not_merge(client_for: Clients, alice: User, pair) -> None:
    survivor, merged, _claim = pair
    response = client_for(alice).post(
        f"/api/speakers/{merged.pk}/merge/", {"into": survivor.pk}, format="json"
    )
    assert response.status_code == 403
    merged.refresh_from_db()
    assert merged.merged_into is None


def test_an_anonymous_client_may_not_merge(api_client: APIClient, pair) -> None:
    survivor, merged, _claim = pair
    response = api_client.post(
        f"/api/speakers/{merged.pk}/merge/", {"into": survivor.pk}, format="json"
    )
    assert response.status_code == 401


@pytest.mark.parametrize(("into", "field"), [(None, "into"), ("1", "into"), (999_999, "into")])
def test_a_merge_into_nothing_is_a_400_naming_into(
    client_for: Clients, morgan: User, pair, into, field: str
) -> None:
    _survivor, merged, _claim = pair
    body = {} if into is None else {"into": into}
    response = client_for(morgan).post(f"/api/speakers/{merged.pk}/merge/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_merge_into_itself_is_a_400(client_for: Clients, morgan: User, pair) -> None:
    _survivor, merged, _claim = pair
    response = client_for(morgan).post(
        f"/api/speakers/{merged.pk}/merge/", {"into": merged.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"into": ["A speaker cannot be merged into itself."]}


def test_a_merged_speakers_address_answers_where_it_went(
    client_for: Clients, morgan: User, alice: User, pair
) -> None:
    survivor, merged, _claim = pair
    services.speaker_merge(user=morgan, speaker=merged, into=survivor)
    response = client_for(alice).get(f"/api/speakers/{merged.pk}/")
    assert response.status_code == 301
    assert response["Location"] == f"/api/speakers/{survivor.pk}/"
    assert response.json()["merged_into"] == survivor.pk
    followed = client_for(alice).get(response["Location"])
    assert followed.json()["name"] == "Vitaly Churkin"


def test_a_merged_speaker_is_refused_for_a_new_claim(
    client_for: Clients, morgan: User, alice: User, article: Article, pair
) -> None:
    survivor, merged, _claim = pair
    services.speaker_merge(user=morgan, speaker=merged, into=survivor)
    start = article.text.index("central Syria")
    response = client_for(alice).post(
        "/api/claims/",
        {
            "article": article.pk,
            "start": start,
            "end": start + len("central Syria"),
            "quote": "central Syria",
            "attribution": "reported",
            "speaker": merged.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert f"merged into speaker {survivor.pk}" in response.json()["speaker"][0]


# Sides and Wikidata ---------------------------------------------------------------------


@pytest.fixture
def turkey_backed(db) -> Side:
    return Side.objects.create(
        slug="turkey_backed_opposition", name="Turkey-backed opposition", colour="#a0522d"
    )


def test_a_desk_attributes_a_claim_to_its_own_side_and_the_export_shows_the_slug(
    client_for: Clients,
    alice: User,
    bob: User,
    morgan: User,
    article: Article,
    turkey_backed: Side,
) -> None:
    response = post_speaker(
        client_for(alice),
        name="Spokesperson of the Aleppo rebels",
        side="turkey_backed_opposition",
        wikidata_id="Q42",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["side"] == "turkey_backed_opposition"
    speaker = Speaker.objects.get()
    claim = make_claim_in_review(
        user=alice,
        article=article,
        phrase="some 2250 people",
        speaker=speaker,
        attribution="reported",
    )
    verify(claim, moderator=morgan, verdict=give_verdict(claim, bob, "mixed"))

    listed = client_for(alice).get("/api/claims/", {"side": "turkey_backed_opposition"})
    assert [row["id"] for row in listed.json()["results"]] == [claim.pk]
    client = Client()
    client.force_login(alice)
    (item,) = parse("json", export_bytes(client, "json"))
    assert (item["speaker"]["side"], item["speaker"]["wikidata_id"]) == (
        "turkey_backed_opposition",
        "Q42",
    )
    (row,) = parse("csv", export_bytes(client, "csv"))
    assert (row["speaker_side"], row["speaker_wikidata_id"]) == ("turkey_backed_opposition", "Q42")
    (review,) = parse("claimreview", export_bytes(client, "claimreview"))
    assert review["itemReviewed"]["author"]["sameAs"] == "https://www.wikidata.org/wiki/Q42"


def test_an_unknown_side_is_a_400(client_for: Clients, alice: User) -> None:
    response = post_speaker(client_for(alice), name="Someone", side="rebels")
    assert response.status_code == 400
    assert list(response.json()) == ["side"]
    response = client_for(alice).get("/api/claims/", {"side": "rebels"})
    assert response.status_code == 400
    assert list(response.json()) == ["side"]


@pytest.mark.parametrize("value", ["42", "Q0", "q42", "Q42x", "https://www.wikidata.org/wiki/Q42"])
def test_a_malformed_wikidata_id_is_a_400(client_for: Clients, alice: User, value: str) -> None:
    response = post_speaker(client_for(alice), name="Someone", wikidata_id=value)
    assert response.status_code == 400
    assert list(response.json()) == ["wikidata_id"]


def test_a_speaker_gives_its_wikidata_link(client_for: Clients, alice: User) -> None:
    response = post_speaker(client_for(alice), name="Someone", wikidata_id="Q4115189")
    body = client_for(alice).get(response["Location"]).json()
    assert (body["wikidata_id"], body["wikidata_url"]) == (
        "Q4115189",
        "https://www.wikidata.org/wiki/Q4115189",
    )


# The page's own use of the API ------------------------------------------------------------


def page_session(user: User, article: Article) -> tuple[Client, dict, str]:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    page = browser.get(reverse("article_detail", args=[article.pk])).content.decode()
    data = json.loads(re.search(r'id="desk-data" type="application/json">(.*?)</script>', page)[1])
    return browser, data, page


def test_the_page_is_offered_the_possible_duplicates_and_confirms_a_new_speaker(
    alice: User, article: Article
) -> None:
    inci = services.speaker_create(user=alice, name="İnci Sample", kind="person")
    browser, data, page = page_session(alice, article)
    assert 'name="speaker-confirm_new"' in page
    headers = {"X-CSRFToken": data["csrfToken"]}

    found = browser.get(data["urls"]["speakers"], {"search": "inci"}).json()["results"]
    assert [row["name"] for row in found] == ["İnci Sample"]
    refused = browser.post(
        data["urls"]["speakers"],
        {"name": "inci sample", "kind": "person", "side": "unknown"},
        content_type="application/json",
        headers=headers,
    )
    assert refused.status_code == 400
    assert [c["id"] for c in refused.json()["possible_duplicates"]] == [inci.pk]
    again = browser.post(
        data["urls"]["speakers"],
        {"name": "İNCI SAMPLE", "kind": "person", "confirm_new": True},
        content_type="application/json",
        headers=headers,
    )
    assert again.status_code == 400
    assert again.json()["name"][0].endswith(f"already exists: İnci Sample (id {inci.pk}).")
    created = browser.post(
        data["urls"]["speakers"],
        {"name": "inci sample", "kind": "person", "side": "unknown", "confirm_new": True},
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201


def test_the_page_lists_the_desks_sides_and_their_colours(
    alice: User, article: Article, turkey_backed: Side
) -> None:
    browser, data, page = page_session(alice, article)
    assert data["labels"]["side"]["turkey_backed_opposition"] == "Turkey-backed opposition"
    assert '<option value="turkey_backed_opposition">Turkey-backed opposition</option>' in page
    assert f'<link rel="stylesheet" href="{reverse("sides_css")}">' in page
    css = browser.get(reverse("sides_css"))
    assert css["Content-Type"] == "text/css; charset=utf-8"
    rules = css.content.decode()
    assert (
        '[data-side="turkey_backed_opposition"] { --side-bg: #a0522d38; --side-line: #a0522d; }'
        in rules
    )
    assert '[data-side="opposition"] { --side-bg: #d2691e38; --side-line: #d2691e; }' in rules


def test_the_sides_stylesheet_is_for_the_desk_only(client: Client, charlie: User) -> None:
    assert client.get(reverse("sides_css")).status_code == 401
    client.force_login(charlie)
    assert client.get(reverse("sides_css")).status_code == 403

"""/api/speakers/: read and search by name or alias; reviewers and moderators add them."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from annotations import services
from annotations.models import Speaker

Clients = Callable[[User], APIClient]

SOHR = {
    "name": "Syrian Observatory for Human Rights",
    "kind": "organisation",
    "side": "independent_monitor",
    "role": "monitoring group",
    "reference_url": "https://www.wikidata.org/wiki/Q1126063",
    "aliases": ["SOHR", "the Observatory"],
}


@pytest.fixture
def sohr(alice: User) -> Speaker:
    return services.speaker_create(user=alice, **SOHR)


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/speakers/"), ("get", "/api/speakers/1/"), ("post", "/api/speakers/")],
)
def test_it_answers_anonymous_clients_with_401(
    db: None, api_client: APIClient, method: str, path: str
) -> None:
    response = getattr(api_client, method)(path, SOHR, format="json")
    assert response.status_code == 401
    assert not Speaker.objects.exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/speakers/"), ("get", "/api/speakers/{pk}/"), ("post", "/api/speakers/")],
)
def test_it_refuses_outsiders_with_403(
    client_for: Clients, charlie: User, sohr: Speaker, method: str, path: str
) -> None:
    response = getattr(client_for(charlie), method)(
        path.format(pk=sohr.pk), {**SOHR, "name": "Another"}, format="json"
    )
    assert response.status_code == 403
    assert Speaker.objects.count() == 1


def test_it_shows_a_speaker_with_aliases_and_the_author_by_username(
    client_for: Clients, bob: User, sohr: Speaker
) -> None:
    response = client_for(bob).get(f"/api/speakers/{sohr.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == SOHR["name"]
    assert sorted(body["aliases"]) == ["SOHR", "the Observatory"]
    assert body["created_by"] == "alice"
    assert "alice@" not in response.content.decode()


@pytest.mark.parametrize(
    "search", ["observatory", "  Human   RIGHTS ", "sohr", "the obs"], ids=str.strip
)
def test_it_finds_a_speaker_by_part_of_its_name_or_an_alias(
    client_for: Clients, alice: User, sohr: Speaker, opposition: Speaker, search: str
) -> None:
    response = client_for(alice).get("/api/speakers/", {"search": search})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [sohr.pk]


def test_it_lists_a_speaker_once_when_its_name_and_alias_both_match(
    client_for: Clients, alice: User, sohr: Speaker
) -> None:
    response = client_for(alice).get("/api/speakers/", {"search": "o"})
    assert [row["id"] for row in response.json()["results"]] == [sohr.pk]


def test_it_lists_every_speaker_without_a_search(
    client_for: Clients, alice: User, sohr: Speaker, opposition: Speaker, regime: Speaker
) -> None:
    response = client_for(alice).get("/api/speakers/")
    assert [row["id"] for row in response.json()["results"]] == sorted(
        [sohr.pk, opposition.pk, regime.pk]
    )


def test_it_refuses_a_search_with_a_null_character(client_for: Clients, alice: User) -> None:
    response = client_for(alice).get("/api/speakers/", {"search": "SO\x00HR"})
    assert response.status_code == 400
    assert "search" in response.json()


def test_it_refuses_a_search_longer_than_200_characters(client_for: Clients, alice: User) -> None:
    client = client_for(alice)
    assert client.get("/api/speakers/", {"search": "o" * 200}).status_code == 200
    response = client.get("/api/speakers/", {"search": "o" * 201})
    assert response.status_code == 400
    assert list(response.json()) == ["search"]


# The page's type-ahead ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("search", "alias"),
    [("sohr", "SOHR"), ("the obs", "the Observatory"), ("observatory", None), ("rights", None)],
)
def test_it_gives_the_alias_a_search_matched_when_the_name_did_not(
    client_for: Clients, alice: User, sohr: Speaker, search: str, alias: str | None
) -> None:
    response = client_for(alice).get("/api/speakers/", {"search": search})
    (row,) = response.json()["results"]
    assert (row["id"], row["matched_alias"]) == (sohr.pk, alias)


def test_it_gives_no_alias_without_a_search(
    client_for: Clients, alice: User, sohr: Speaker
) -> None:
    (row,) = client_for(alice).get("/api/speakers/").json()["results"]
    assert row["matched_alias"] is None


def test_it_gives_names_that_start_with_the_search_first_then_by_name(
    client_for: Clients, alice: User
) -> None:
    for name in ("Syrian army", "The Syrian government", "Syria Direct", "A Syrian activist"):
        services.speaker_create(user=alice, name=name, kind="organisation")
    response = client_for(alice).get("/api/speakers/", {"search": "syria"})
    assert [row["name"] for row in response.json()["results"]] == [
        "Syria Direct",
        "Syrian army",
        "A Syrian activist",
        "The Syrian government",
    ]


def test_it_pages_through_a_search_in_the_same_order(client_for: Clients, alice: User) -> None:
    names = [f"Witness {n:02}" for n in range(7)] + [f"A witness {n:02}" for n in range(5)]
    for name in names:
        services.speaker_create(user=alice, name=name, kind="unnamed", confirm_new=True)
    client = client_for(alice)
    page = client.get("/api/speakers/", {"search": "witness", "page_size": 5}).json()
    seen = [row["name"] for row in page["results"]]
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [row["name"] for row in page["results"]]
    assert seen == sorted(names, key=lambda name: (not name.startswith("W"), name.lower()))
    previous = client.get(page["previous"]).json()
    assert [row["name"] for row in previous["results"]] == seen[5:10]


def test_it_refuses_a_search_cursor_it_did_not_give(client_for: Clients, alice: User) -> None:
    response = client_for(alice).get("/api/speakers/", {"search": "syria", "cursor": "bad"})
    assert response.status_code == 400
    assert list(response.json()) == ["cursor"]


# Adding ------------------------------------------------------------------------------


def test_it_lets_a_reviewer_add_a_speaker(client_for: Clients, alice: User) -> None:
    response = client_for(alice).post("/api/speakers/", SOHR, format="json")
    assert response.status_code == 201, response.json()
    speaker = Speaker.objects.get()
    assert response["Location"] == f"/api/speakers/{speaker.pk}/"
    assert speaker.created_by == alice
    assert sorted(a.name for a in speaker.aliases.all()) == ["SOHR", "the Observatory"]
    assert response.json()["side"] == "independent_monitor"


def test_it_defaults_the_side_to_unknown(client_for: Clients, bob: User) -> None:
    response = client_for(bob).post(
        "/api/speakers/", {"name": "A resident", "kind": "unnamed"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["side"] == "unknown"


def test_it_names_the_name_when_a_speaker_exists_already(
    client_for: Clients, bob: User, sohr: Speaker
) -> None:
    response = client_for(bob).post(
        "/api/speakers/", {**SOHR, "name": "syrian observatory for human rights"}, format="json"
    )
    assert response.status_code == 400
    assert "already exists" in response.json()["name"][0]
    assert Speaker.objects.count() == 1


def test_it_names_the_aliases_when_one_belongs_to_another_speaker(
    client_for: Clients, bob: User, sohr: Speaker
) -> None:
    response = client_for(bob).post(
        "/api/speakers/",
        {"name": "Rami Abdulrahman", "kind": "person", "aliases": ["Sohr"]},
        format="json",
    )
    assert response.status_code == 400
    assert "already an alias of Syrian Observatory" in response.json()["aliases"][0]
    assert Speaker.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("kind", "alien"), ("side", "rebels"), ("aliases", "SOHR"), ("name", ""), ("name", None)],
)
def test_it_names_the_field_that_is_wrong(
    client_for: Clients, alice: User, field: str, value: object
) -> None:
    response = client_for(alice).post("/api/speakers/", {**SOHR, field: value}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Speaker.objects.exists()


def test_it_answers_404_for_a_missing_speaker(client_for: Clients, alice: User) -> None:
    response = client_for(alice).get("/api/speakers/424242/")
    assert response.status_code == 404
    assert response.json()["detail"] == "No Speaker matches the given query."

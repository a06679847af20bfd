"""The speaker type-ahead and the new speaker made inside a claim's form."""

from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from annotations import services
from annotations.models import Speaker

from .factories import SpeakerFactory


def search(client: Client, query: str) -> HttpResponse:
    return client.get(reverse("speaker_search"), {"q": query})


def names(response: HttpResponse) -> list[str]:
    return [result["name"] for result in response.json()["results"]]


def test_it_finds_speakers_by_part_of_their_name_ignoring_case(
    client: Client, alice: User, opposition: Speaker, regime: Speaker
) -> None:
    client.force_login(alice)

    response = search(client, "OPPOSITION sou")

    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": opposition.pk,
            "name": "Opposition sources",
            "kind": "unnamed",
            "side": "opposition",
            "role": "",
            "alias": None,
        }
    ]


def test_it_finds_speakers_by_alias_and_says_which(
    client: Client, alice: User, morgan: User
) -> None:
    services.speaker_create(
        user=morgan,
        name="Syrian Observatory for Human Rights",
        kind=Speaker.Kind.ORGANISATION,
        aliases=["SOHR"],
    )
    client.force_login(alice)

    response = search(client, "sohr")

    assert names(response) == ["Syrian Observatory for Human Rights"]
    assert response.json()["results"][0]["alias"] == "SOHR"


def test_names_that_start_with_the_query_come_first(client: Client, alice: User) -> None:
    SpeakerFactory(name="Syrian army")
    SpeakerFactory(name="Army of Islam")
    SpeakerFactory(name="Free Syrian Army")
    client.force_login(alice)

    assert names(search(client, "army")) == ["Army of Islam", "Free Syrian Army", "Syrian army"]


def test_it_returns_at_most_eight_speakers(client: Client, alice: User) -> None:
    for n in range(12):
        SpeakerFactory(name=f"Rebel commander {n:02}")
    client.force_login(alice)

    assert len(names(search(client, "rebel"))) == 8
    assert len(names(search(client, ""))) == 8  # an empty query lists the first ones


def test_anonymous_and_outsiders_cannot_search_speakers(
    client: Client, charlie: User, opposition: Speaker
) -> None:
    assert search(client, "op").status_code == 401
    client.force_login(charlie)
    response = search(client, "op")
    assert response.status_code == 403
    assert "Opposition" not in response.content.decode()


def test_a_reviewer_creates_a_speaker_on_the_spot(client: Client, alice: User) -> None:
    client.force_login(alice)

    response = client.post(
        reverse("speaker_create"),
        {
            "speaker-name": "  Abul Hareth  al-Khalidi ",
            "speaker-kind": "person",
            "speaker-side": "opposition",
        },
    )

    assert response.status_code == 201
    speaker = Speaker.objects.get()
    assert response.json()["speaker"] == {
        "id": speaker.pk,
        "name": "Abul Hareth al-Khalidi",
        "kind": "person",
        "side": "opposition",
        "role": "",
    }
    assert speaker.created_by == alice


def test_a_taken_name_is_refused_beside_the_name_field(
    client: Client, alice: User, opposition: Speaker
) -> None:
    client.force_login(alice)

    response = client.post(
        reverse("speaker_create"),
        {
            "speaker-name": "opposition SOURCES",
            "speaker-kind": "unnamed",
            "speaker-side": "unknown",
        },
    )

    assert response.status_code == 400
    assert "already exists" in response.json()["errors"]["speaker-name"][0]
    assert Speaker.objects.count() == 1


def test_a_new_speaker_needs_a_name_and_a_kind(client: Client, alice: User) -> None:
    client.force_login(alice)

    response = client.post(reverse("speaker_create"), {"speaker-side": "unknown"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"speaker-name", "speaker-kind"}
    assert not Speaker.objects.exists()


def test_anonymous_and_outsiders_create_no_speakers(client: Client, charlie: User) -> None:
    data = {"speaker-name": "Someone", "speaker-kind": "person", "speaker-side": "unknown"}

    assert client.post(reverse("speaker_create"), data).status_code == 401
    client.force_login(charlie)
    assert client.post(reverse("speaker_create"), data).status_code == 403
    assert not Speaker.objects.exists()

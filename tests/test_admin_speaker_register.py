"""The speaker register on the moderators' desk: names by one rule, duplicates, merging, sides."""

from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from annotations import services
from annotations.models import Side, Speaker

from .factories import UserFactory, make_claim_in_review


def url(name: str, *args: Any) -> str:
    return reverse(f"admin:annotations_{name}", args=args)


def speaker_data(**changes: Any) -> dict[str, Any]:
    return {
        "name": "Someone",
        "aliases": "",
        "kind": "person",
        "side": "unknown",
        "role": "",
        "reference_url": "",
        "wikidata_id": "",
    } | changes


@pytest.fixture
def moderator(client: Client, morgan: User) -> Client:
    client.force_login(morgan)
    return client


@pytest.mark.parametrize(
    ("existing", "again"),
    [("İnci Sample", "İNCI SAMPLE"), ("Émile Zola", "émile zola"), ("Café", "Cafe\u0301")],
)
def test_a_name_already_taken_is_shown_on_the_form(
    moderator: Client, alice: User, existing: str, again: str
) -> None:
    first = services.speaker_create(user=alice, name=existing, kind="person")
    response = moderator.post(url("speaker_add"), speaker_data(name=again, confirm_new="on"))
    assert response.status_code == 200
    (message,) = response.context["adminform"].form.errors["name"]
    assert message.endswith(f"already exists: {first.name} (id {first.pk}).")
    assert Speaker.objects.count() == 1


def test_a_close_name_asks_for_confirmation_on_the_form(moderator: Client, alice: User) -> None:
    inci = services.speaker_create(user=alice, name="İnci Sample", kind="person")
    response = moderator.post(url("speaker_add"), speaker_data(name="inci sample"))
    assert response.status_code == 200
    (message,) = response.context["adminform"].form.errors["name"]
    assert f"İnci Sample (id {inci.pk})" in message
    assert "This is a new speaker" in response.content.decode()
    response = moderator.post(
        url("speaker_add"), speaker_data(name="inci sample", confirm_new="on")
    )
    assert response.status_code == 302
    assert Speaker.objects.count() == 2


def test_a_wikidata_id_is_checked_and_shown_as_a_link(moderator: Client) -> None:
    response = moderator.post(url("speaker_add"), speaker_data(wikidata_id="Q0"))
    assert "wikidata_id" in response.context["adminform"].form.errors
    response = moderator.post(url("speaker_add"), speaker_data(wikidata_id="Q42"))
    assert response.status_code == 302
    page = moderator.get(url("speaker_changelist")).content.decode()
    assert '<a href="https://www.wikidata.org/wiki/Q42" rel="noopener noreferrer">Q42</a>' in page


def test_the_list_finds_names_without_their_accents(moderator: Client, alice: User) -> None:
    mufti = services.speaker_create(user=alice, name="Hüseyin Müftüoğlu", kind="person")
    services.speaker_create(user=alice, name="Talal Barazi", kind="person")
    response = moderator.get(url("speaker_changelist"), {"q": "muftuoglu"})
    assert list(response.context["cl"].result_list) == [mufti]


# The report and the merge --------------------------------------------------------------


@pytest.fixture
def pair(alice: User) -> tuple[Speaker, Speaker]:
    survivor = services.speaker_create(user=alice, name="Vitaly Churkin", kind="person")
    merged = services.speaker_create(
        user=alice, name="Vitály Churkin", kind="person", confirm_new=True
    )
    return survivor, merged


def test_the_list_links_to_the_report_of_likely_duplicates(moderator: Client, pair) -> None:
    page = moderator.get(url("speaker_changelist")).content.decode()
    assert f'<a href="{url("speaker_duplicates")}">Likely duplicates</a>' in page
    response = moderator.get(url("speaker_duplicates"))
    assert response.status_code == 200
    survivor, merged = pair
    assert [(p.first, p.second) for p in response.context["pairs"]] == [(survivor, merged)]
    merge = f"{url('speaker_merge', merged.pk)}?into={survivor.pk}"
    assert f'<a href="{merge}">Vitály Churkin into Vitaly Churkin</a>' in response.content.decode()


def test_a_moderator_merges_in_the_admin_and_the_claims_follow(
    moderator: Client, morgan: User, alice: User, article, pair
) -> None:
    survivor, merged = pair
    claim = make_claim_in_review(
        user=alice,
        article=article,
        phrase="some 2250 people",
        speaker=merged,
        attribution="reported",
    )
    page = moderator.get(url("speaker_merge", merged.pk), {"into": survivor.pk})
    assert page.status_code == 200
    assert "has 1 claim" in page.content.decode()
    response = moderator.post(url("speaker_merge", merged.pk), {"into": survivor.pk})
    assert response.status_code == 302
    assert response["Location"] == url("speaker_change", survivor.pk)
    claim.refresh_from_db()
    merged.refresh_from_db()
    assert (claim.speaker, merged.merged_into) == (survivor, survivor)
    assert merged.history.latest().history_user == morgan
    # Hidden from the list, kept for its address and history, and no longer editable.
    listed = moderator.get(url("speaker_changelist")).context["cl"].result_list
    assert list(listed) == [survivor]
    shown = moderator.get(url("speaker_changelist"), {"register": "merged"})
    assert list(shown.context["cl"].result_list) == [merged]
    change = moderator.get(url("speaker_change", merged.pk))
    assert change.status_code == 200
    assert change.context["has_change_permission"] is False


def test_the_action_takes_two_speakers_to_the_merge_page(moderator: Client, pair) -> None:
    survivor, merged = pair
    response = moderator.post(
        url("speaker_changelist"),
        {"action": "merge_selected", "_selected_action": [survivor.pk, merged.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{url('speaker_merge', merged.pk)}?into={survivor.pk}"
    response = moderator.post(
        url("speaker_changelist"),
        {"action": "merge_selected", "_selected_action": [survivor.pk]},
        follow=True,
    )
    assert "Select exactly two speakers" in response.content.decode()


def test_staff_without_the_merge_permission_may_not_merge(client: Client, pair) -> None:
    editor = UserFactory(username="editor", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="view_speaker"))
    client.force_login(editor)
    survivor, merged = pair
    assert client.post(url("speaker_merge", merged.pk), {"into": survivor.pk}).status_code == 403
    page = client.get(url("speaker_changelist")).content.decode()
    assert "merge_selected" not in page
    merged.refresh_from_db()
    assert merged.merged_into is None


def test_a_reviewer_sees_neither_the_report_nor_the_merge(client: Client, alice: User, pair):
    client.force_login(alice)
    survivor, merged = pair
    assert client.get(url("speaker_duplicates")).status_code == 302  # to the admin's log-in
    assert client.post(url("speaker_merge", merged.pk), {"into": survivor.pk}).status_code == 302
    merged.refresh_from_db()
    assert merged.merged_into is None


def test_a_merge_into_itself_is_refused_on_the_form(moderator: Client, pair) -> None:
    _, merged = pair
    response = moderator.post(url("speaker_merge", merged.pk), {"into": merged.pk})
    assert response.status_code == 200
    assert "into" in response.context["form"].errors


# Sides ---------------------------------------------------------------------------------


def test_a_moderator_adds_a_side_and_gives_it_to_a_speaker(
    moderator: Client, morgan: User, alice: User
) -> None:
    response = moderator.post(
        url("side_add"),
        {
            "slug": "turkey_backed_opposition",
            "name": "Turkey-backed opposition",
            "description": "Rebels backed by Turkey, as in Aleppo in 2016.",
            "colour": "#a0522d",
            "position": "75",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    side = Side.objects.get(slug="turkey_backed_opposition")
    assert side.history.latest().history_user == morgan
    speaker = services.speaker_create(user=alice, name="Spokesperson", kind="person")
    response = moderator.post(
        url("speaker_change", speaker.pk),
        speaker_data(name="Spokesperson", side="turkey_backed_opposition"),
    )
    assert response.status_code == 302
    speaker.refresh_from_db()
    assert speaker.side == side
    assert speaker.history.latest().history_user == morgan


def test_a_sides_slug_cannot_change_and_a_bad_colour_is_refused(moderator: Client) -> None:
    page = moderator.get(url("side_change", "opposition"))
    assert "slug" not in page.context["adminform"].form.fields
    response = moderator.post(
        url("side_change", "opposition"),
        {"name": "Opposition", "description": "", "colour": "red", "position": "10"},
    )
    assert "colour" in response.context["adminform"].form.errors


def test_a_reviewer_may_not_manage_sides(client: Client, alice: User) -> None:
    client.force_login(alice)
    assert client.get(url("side_add")).status_code == 302


def test_a_moderator_undoes_a_merge_from_the_speakers_page(
    moderator: Client, morgan: User, pair
) -> None:
    survivor, merged = pair
    page = moderator.get(url("speaker_change", survivor.pk)).content.decode()
    assert f'<a href="{url("speaker_merge", survivor.pk)}">Merge into another…</a>' in page
    services.speaker_merge(user=morgan, speaker=merged, into=survivor)
    page = moderator.get(url("speaker_change", merged.pk)).content.decode()
    assert f'<a href="{url("speaker_unmerge", merged.pk)}">Undo the merge</a>' in page
    assert moderator.get(url("speaker_unmerge", merged.pk)).status_code == 200
    response = moderator.post(url("speaker_unmerge", merged.pk))
    assert response.status_code == 302
    merged.refresh_from_db()
    assert merged.merged_into is None
    assert list(survivor.aliases.all()) == []
    again = moderator.post(url("speaker_unmerge", merged.pk))
    assert "is not merged" in again.content.decode()

"""The speaker register through its services: names by one rule, duplicates, merging, sides.

Each case runs on the database the suite runs on (SQLite by default, PostgreSQL
with DATABASE_URL): the keys are computed in Python and stored, so both refuse
the same names.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from annotations import names, selectors, services
from annotations.models import Claim, Side, Speaker, SpeakerAlias

from .factories import make_claim


def add(user, name: str, **fields) -> Speaker:
    fields.setdefault("kind", Speaker.Kind.PERSON)
    return services.speaker_create(user=user, name=name, **fields)


def refusal(exc: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return " ".join(exc.value.message_dict[field])


# The same name, whatever its case or Unicode form -------------------------------------


@pytest.mark.parametrize(
    ("existing", "again"),
    [
        ("Émile Zola", "émile zola"),  # case beyond ASCII, which SQLite's NOCASE ignores
        ("Café Owners", "Cafe\u0301 Owners"),  # combining accent beside the precomposed one
        ("Straße Committee", "STRASSE COMMITTEE"),  # ß and ss
        ("\u212a2 Group", "k2 group"),  # the Kelvin sign and k
        ("İsmail Test", "İSMAIL TEST"),  # only the first letter is a dotted İ
        ("Işık Sample", "IşıK SAMPLE"),  # dotless ı kept; capital I folds to i
        ("المرصد السوري", "المرصد  السوري "),
    ],
)
def test_a_name_already_in_the_register_is_refused_naming_the_speaker(
    alice, existing: str, again: str
) -> None:
    first = add(alice, existing)
    with pytest.raises(ValidationError) as exc:
        add(alice, again, confirm_new=True)
    assert refusal(exc, "name") == (
        f"A speaker named “{names.clean_name(again)}” already exists: {first.name} (id {first.pk})."
    )
    assert Speaker.objects.count() == 1


def test_the_database_refuses_the_same_key_the_service_does(alice) -> None:
    first = add(alice, "Café Owners")
    with pytest.raises(IntegrityError), transaction.atomic():
        Speaker.objects.create(
            name="CAFE\u0301 OWNERS", name_key=names.name_key("CAFE\u0301 OWNERS"), kind="person"
        )
    assert list(Speaker.objects.all()) == [first]


def test_a_name_is_stored_clean_with_its_keys(alice) -> None:
    speaker = add(alice, "  Cafe\u0301   Owners ", aliases=["Cafe\u0301s  du Centre"])
    speaker.refresh_from_db()
    assert speaker.name == "Café Owners"
    assert (speaker.name_key, speaker.bare_key) == ("café owners", "cafe owners")
    alias = speaker.aliases.get()
    assert (alias.name, alias.name_key, alias.bare_key) == (
        "Cafés du Centre",
        "cafés du centre",
        "cafes du centre",
    )


def test_an_alias_that_is_another_speakers_name_is_refused(alice) -> None:
    ismail = add(alice, "İsmail Test")
    with pytest.raises(ValidationError) as exc:
        add(alice, "Ismail T.", aliases=["İSMAIL TEST"], confirm_new=True)
    assert refusal(exc, "aliases") == (
        f"“İsmail Test” is another speaker's name: İsmail Test (id {ismail.pk})."
    )


def test_a_name_that_is_another_speakers_alias_is_refused(alice) -> None:
    sohr = add(alice, "Syrian Observatory", kind="organisation", aliases=["Straße Monitor"])
    with pytest.raises(ValidationError) as exc:
        add(alice, "STRASSE MONITOR", confirm_new=True)
    assert refusal(exc, "name") == (
        f"“STRASSE MONITOR” is already an alias of Syrian Observatory (id {sohr.pk})."
    )


def test_an_alias_already_given_to_another_speaker_is_refused(alice) -> None:
    first = add(alice, "Syrian Observatory", kind="organisation", aliases=["Café Monitor"])
    other = add(alice, "Rami Abdulrahman")
    with pytest.raises(ValidationError) as exc:
        services.speaker_update(speaker=other, user=None, aliases=["CAFE\u0301 MONITOR"])
    assert refusal(exc, "aliases") == (
        f"“Café Monitor” is already an alias of Syrian Observatory (id {first.pk})."
    )


def test_the_same_alias_twice_in_one_list_is_kept_once(alice) -> None:
    speaker = add(alice, "Syrian Observatory", aliases=["Straße", "STRASSE", "strasse "])
    assert list(speaker.aliases.values_list("name", flat=True)) == ["Straße"]


def test_a_different_letter_is_a_different_name(alice) -> None:
    # Dotted İ folds to i and a combining dot: "inci" is not the same name, only a near one.
    inci = add(alice, "İnci Sample")
    other = add(alice, "inci sample", confirm_new=True)
    assert {inci.name_key, other.name_key} == {"i\u0307nci sample", "inci sample"}


# Possible duplicates -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("existing", "new"),
    [
        ("İnci Sample", "inci sample"),
        ("Vitaly Churkin", "Vitály Churkin"),
        ("Hüseyin Müftüoğlu", "Huseyin Muftuoglu"),
        ("Talal al-Barazi", "Talal al Barazi"),
        ("Abul Hareth al-Khalidi", "Abu al-Hareth al-Khalidi"),
    ],
)
def test_a_name_close_to_the_registers_is_refused_until_confirmed(
    alice, existing: str, new: str
) -> None:
    first = add(alice, existing)
    with pytest.raises(services.PossibleDuplicates) as exc:
        add(alice, new)
    (candidate,) = exc.value.candidates
    assert (candidate.speaker_id, candidate.name, candidate.matched_name) == (
        first.pk,
        existing,
        existing,
    )
    assert candidate.score >= names.NEAR_MATCH
    assert "may be a speaker already in the register" in refusal(exc, "name")
    assert Speaker.objects.count() == 1
    second = add(alice, new, confirm_new=True)
    assert second.name == new


def test_a_name_close_to_an_alias_names_the_alias(alice) -> None:
    sohr = add(alice, "Syrian Observatory", kind="organisation", aliases=["Rami Abdulrahman"])
    with pytest.raises(services.PossibleDuplicates) as exc:
        add(alice, "Rami Abdul-Rahman")
    assert [(c.speaker_id, c.matched_name) for c in exc.value.candidates] == [
        (sohr.pk, "Rami Abdulrahman")
    ]


def test_a_name_far_from_the_register_needs_no_confirmation(alice) -> None:
    add(alice, "Vitaly Churkin")
    assert add(alice, "Talal Barazi").pk


def test_speakers_near_returns_the_closest_first_with_the_matched_name(alice) -> None:
    churkin = add(alice, "Vitaly Churkin", aliases=["V. Churkin"])
    other = add(alice, "Vitaly Chirkov", confirm_new=True)
    add(alice, "Talal Barazi")
    near = selectors.speakers_near("vitály churkin", limit=2)
    assert (near[0].speaker_id, near[0].matched_name, near[0].score) == (
        churkin.pk,
        "Vitaly Churkin",
        100.0,
    )
    assert [n.speaker_id for n in near] == [churkin.pk, other.pk]
    assert len(selectors.speakers_near("vitaly churkin", limit=5)) == 3
    assert selectors.speakers_near("", limit=5) == []


def test_register_names_lists_every_active_name_and_alias(alice, morgan) -> None:
    sohr = add(alice, "Syrian Observatory", aliases=["SOHR"])
    gone = add(alice, "Syrian Observatory for Human Rights", confirm_new=True)
    services.speaker_merge(user=morgan, speaker=gone, into=sohr)
    rows = selectors.register_names()
    assert rows == [
        (sohr.pk, "Syrian Observatory", "Syrian Observatory", "syrian observatory"),
        (sohr.pk, "Syrian Observatory", "SOHR", "sohr"),
        (
            sohr.pk,
            "Syrian Observatory",
            "Syrian Observatory for Human Rights",
            "syrian observatory for human rights",
        ),
    ]


def test_the_report_lists_the_likely_duplicate_pairs(alice) -> None:
    churkin = add(alice, "Vitaly Churkin")
    churkin2 = add(alice, "Vitály Churkin", confirm_new=True)
    mufti = add(alice, "Hüseyin Müftüoğlu")
    mufti2 = add(alice, "Ahmet Yilmaz", aliases=["Huseyin Muftuoglu"], confirm_new=True)
    add(alice, "Talal Barazi")
    pairs = selectors.likely_duplicate_pairs()
    assert [(p.first, p.second, p.score) for p in pairs] == [
        (churkin, churkin2, 100.0),
        (mufti, mufti2, 100.0),
    ]
    assert (pairs[1].first_name, pairs[1].second_name) == (
        "Hüseyin Müftüoğlu",
        "Huseyin Muftuoglu",
    )


# Search by the bare key ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("ismail", "İsmail Test"),
        ("İSMAİL", "İsmail Test"),
        ("muftuoglu", "Hüseyin Müftüoğlu"),
        ("MÜFTÜ", "Hüseyin Müftüoğlu"),
        ("cafe owners", "Café Owners"),
        ("strasse", "Straße Committee"),
        ("السوري", "المرصد السوري"),
    ],
)
def test_a_search_ignores_case_accents_and_forms(alice, search: str, found: str) -> None:
    for name in ("İsmail Test", "Hüseyin Müftüoğlu", "Café Owners", "Straße Committee"):
        add(alice, name)
    add(alice, "المرصد السوري", kind="organisation")
    assert [s.name for s in selectors.speakers_searched(search)] == [found]


def test_a_search_finds_a_speaker_by_an_alias_without_its_accents(alice) -> None:
    speaker = add(alice, "Syrian Observatory", aliases=["Gözlemevi"])
    (found,) = selectors.speakers_searched("gozlemevi")
    assert (found, found.matched_alias) == (speaker, "Gözlemevi")


# Merging -----------------------------------------------------------------------------------


@pytest.fixture
def pair(alice):
    survivor = add(alice, "Vitaly Churkin", aliases=["V. Churkin"])
    merged = add(alice, "Vitály Churkin", aliases=["Churkin"], confirm_new=True)
    return survivor, merged


def test_a_merge_moves_the_claims_and_keeps_the_names_as_aliases(
    alice, morgan, article, pair
) -> None:
    survivor, merged = pair
    claim = make_claim(
        user=alice,
        article=article,
        phrase="some 2250 people",
        speaker=merged,
        attribution="reported",
    )
    services.speaker_merge(user=morgan, speaker=merged, into=survivor)
    claim.refresh_from_db()
    merged.refresh_from_db()
    assert claim.speaker == survivor
    assert claim.version == 2
    assert merged.merged_into == survivor
    assert sorted(survivor.aliases.values_list("name", flat=True)) == [
        "Churkin",
        "V. Churkin",
        "Vitály Churkin",
    ]
    assert [s.name for s in selectors.speakers_searched("churkin")] == ["Vitaly Churkin"]


def test_a_merge_is_in_the_history_with_who_merged_what(alice, morgan, article, pair) -> None:
    survivor, merged = pair
    claim = make_claim(
        user=alice,
        article=article,
        phrase="some 2250 people",
        speaker=merged,
        attribution="reported",
    )
    services.speaker_merge(user=morgan, speaker=merged, into=survivor)
    reason = f"Merged Vitály Churkin (id {merged.pk}) into Vitaly Churkin (id {survivor.pk})"
    for record in (
        merged.history.latest(),
        survivor.history.latest(),
        claim.history.latest(),
        SpeakerAlias.history.filter(name="Churkin").latest(),
    ):
        assert (record.history_user, record.history_change_reason) == (morgan, reason)
    assert claim.history.latest().speaker_id == survivor.pk
    # What the merge changed can be read back, to restore it by hand if it was wrong.
    assert merged.history.earliest().merged_into_id is None


def test_only_moderators_merge(alice, pair) -> None:
    survivor, merged = pair
    with pytest.raises(PermissionDenied):
        services.speaker_merge(user=alice, speaker=merged, into=survivor)
    merged.refresh_from_db()
    assert merged.merged_into is None


def test_a_speaker_is_not_merged_into_itself_nor_twice(morgan, alice, pair) -> None:
    survivor, merged = pair
    with pytest.raises(ValidationError) as exc:
        services.speaker_merge(user=morgan, speaker=merged, into=merged)
    assert "into itself" in refusal(exc, "into")
    services.speaker_merge(user=morgan, speaker=merged, into=survivor)
    with pytest.raises(ValidationError):
        services.speaker_merge(user=morgan, speaker=merged, into=survivor)
    third = add(alice, "Someone Else")
    with pytest.raises(ValidationError) as exc:
        services.speaker_merge(user=morgan, speaker=third, into=merged)
    assert f"merged into speaker {survivor.pk}" in refusal(exc, "into")


def test_speakers_merged_earlier_follow_the_next_merge(morgan, alice, pair) -> None:
    survivor, merged = pair
    third = add(alice, "V Churkin Vitaly", confirm_new=True)
    services.speaker_merge(user=morgan, speaker=third, into=merged)
    services.speaker_merge(user=morgan, speaker=merged, into=survivor)
    third.refresh_from_db()
    assert third.merged_into == survivor


def test_a_claim_cannot_be_given_a_merged_speaker(alice, morgan, article, pair) -> None:
    survivor, merged = pair
    services.speaker_merge(user=morgan, speaker=merged, into=survivor)
    with pytest.raises(ValidationError) as exc:
        make_claim(
            user=alice,
            article=article,
            phrase="some 2250 people",
            speaker=merged.pk,
            attribution="reported",
        )
    assert f"merged into speaker {survivor.pk}" in refusal(exc, "speaker")
    assert not Claim.objects.exists()


def test_the_merged_name_cannot_come_back_as_a_new_speaker(alice, morgan, pair) -> None:
    survivor, merged = pair
    services.speaker_merge(user=morgan, speaker=merged, into=survivor)
    with pytest.raises(ValidationError) as exc:
        add(alice, "VITÁLY CHURKIN", confirm_new=True)
    assert f"Vitaly Churkin (id {survivor.pk})" in refusal(exc, "name")


# Sides -----------------------------------------------------------------------------------


def test_the_seeded_sides_keep_the_values_the_code_had(db) -> None:
    assert list(Side.objects.values_list("slug", flat=True)) == list(Speaker.Side.values)


def test_a_desk_adds_a_side_and_gives_it_to_a_speaker_with_history(alice, morgan) -> None:
    side = Side.objects.create(
        slug="turkey_backed_opposition",
        name="Turkey-backed opposition",
        description="Rebel groups backed by Turkey.",
        colour="#a0522d",
    )
    speaker = add(alice, "Spokesperson of the rebels")
    assert speaker.side_id == "unknown"
    services.speaker_update(speaker=speaker, user=morgan, side="turkey_backed_opposition")
    speaker.refresh_from_db()
    assert speaker.side == side
    latest = speaker.history.latest()
    assert (latest.side_id, latest.history_user) == ("turkey_backed_opposition", morgan)
    assert latest.prev_record.side_id == "unknown"


def test_an_unknown_side_is_refused_naming_the_sides(alice) -> None:
    with pytest.raises(ValidationError) as exc:
        add(alice, "Someone", side="rebels")
    assert refusal(exc, "side").startswith(
        "“rebels” is not one of the desk's sides; choose one of:"
    )


# Wikidata ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["Q42", "Q1", "Q4115189"])
def test_a_wikidata_id_is_kept(alice, value: str) -> None:
    speaker = add(alice, "Someone", wikidata_id=f" {value} ")
    assert speaker.wikidata_id == value
    assert speaker.wikidata_url == f"https://www.wikidata.org/wiki/{value}"


@pytest.mark.parametrize("value", ["42", "Q0", "Q042", "q42", "P31", "Q42 ", "Q4x", "Q42\n1"])
def test_a_wikidata_id_of_another_form_is_refused(alice, value: str) -> None:
    with pytest.raises(ValidationError) as exc:
        add(alice, "Someone", wikidata_id=value + "x" if value == "Q42 " else value)
    assert "Enter a Wikidata identifier" in refusal(exc, "wikidata_id")


def test_a_merge_is_undone_from_its_history(alice, morgan, article, pair) -> None:
    survivor, merged = pair
    earlier = add(alice, "Churkin Vitaly V.", confirm_new=True)
    services.speaker_merge(user=morgan, speaker=earlier, into=merged)
    claim = make_claim(
        user=alice,
        article=article,
        phrase="some 2250 people",
        speaker=merged,
        attribution="reported",
    )
    services.speaker_merge(user=morgan, speaker=merged, into=survivor)

    services.speaker_unmerge(user=morgan, speaker=merged)

    claim.refresh_from_db()
    merged.refresh_from_db()
    earlier.refresh_from_db()
    assert (claim.speaker, claim.version) == (merged, 3)
    assert merged.merged_into is None
    assert earlier.merged_into == merged
    assert list(survivor.aliases.values_list("name", flat=True)) == ["V. Churkin"]
    assert sorted(merged.aliases.values_list("name", flat=True)) == [
        "Churkin",
        "Churkin Vitaly V.",
    ]
    assert [s.name for s in selectors.speakers_searched("vitály")] == [
        "Vitaly Churkin",
        "Vitály Churkin",
    ]
    record = merged.history.latest()
    assert (record.history_user, record.history_change_reason) == (
        morgan,
        f"Undid: Merged Vitály Churkin (id {merged.pk}) into Vitaly Churkin (id {survivor.pk})",
    )


def test_only_moderators_undo_a_merge_and_only_of_a_merged_speaker(alice, morgan, pair) -> None:
    survivor, merged = pair
    with pytest.raises(ValidationError):
        services.speaker_unmerge(user=morgan, speaker=merged)
    services.speaker_merge(user=morgan, speaker=merged, into=survivor)
    with pytest.raises(PermissionDenied):
        services.speaker_unmerge(user=alice, speaker=merged)
    merged.refresh_from_db()
    assert merged.merged_into == survivor

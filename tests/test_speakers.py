"""speaker_create and speaker_update: one speaker per name or alias, whatever its case."""

import pytest
from django.core.exceptions import ValidationError

from annotations import services
from annotations.models import Speaker, SpeakerAlias


def messages(exc: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return " ".join(exc.value.message_dict[field])


def aliases_of(speaker: Speaker) -> list[str]:
    return sorted(speaker.aliases.values_list("name", flat=True))


@pytest.fixture
def sohr(morgan) -> Speaker:
    return services.speaker_create(
        user=morgan,
        name="Syrian Observatory for Human Rights",
        kind=Speaker.Kind.ORGANISATION,
        side=Speaker.Side.INDEPENDENT_MONITOR,
        aliases=["SOHR", "the Observatory"],
    )


def test_it_creates_a_speaker_with_aliases(alice):
    speaker = services.speaker_create(
        user=alice,
        name="  Rami   Abdel  Rahman ",
        kind=Speaker.Kind.PERSON,
        side=Speaker.Side.INDEPENDENT_MONITOR,
        role=" director ",
        aliases=["Rami Abdulrahman"],
    )

    speaker.refresh_from_db()
    assert speaker.name == "Rami Abdel Rahman"
    assert speaker.role == "director"
    assert speaker.created_by == alice
    assert aliases_of(speaker) == ["Rami Abdulrahman"]
    assert speaker.history.get().history_user == alice


def test_it_drops_blank_and_repeated_aliases(alice):
    speaker = services.speaker_create(
        user=alice,
        name="Observatory",
        kind=Speaker.Kind.ORGANISATION,
        aliases=["SOHR", "  sohr ", "", "   ", "S.O.H.R."],
    )

    assert aliases_of(speaker) == ["S.O.H.R.", "SOHR"]


def test_it_refuses_a_name_differing_only_in_case(alice, opposition):
    with pytest.raises(ValidationError) as exc:
        services.speaker_create(user=alice, name="OPPOSITION  sources", kind=Speaker.Kind.UNNAMED)

    assert "already exists" in messages(exc, "name")
    assert Speaker.objects.count() == 1


def test_it_refuses_a_name_that_is_another_speakers_alias(alice, sohr):
    with pytest.raises(ValidationError) as exc:
        services.speaker_create(user=alice, name="sohr", kind=Speaker.Kind.ORGANISATION)

    assert "already an alias of Syrian Observatory for Human Rights" in messages(exc, "name")


def test_it_refuses_an_alias_that_is_another_speakers_name(alice, opposition):
    with pytest.raises(ValidationError) as exc:
        services.speaker_create(
            user=alice,
            name="Rebels",
            kind=Speaker.Kind.UNNAMED,
            aliases=["opposition SOURCES"],
        )

    assert "another speaker's name" in messages(exc, "aliases")
    assert not Speaker.objects.filter(name="Rebels").exists()


def test_it_refuses_an_alias_that_is_another_speakers_alias(alice, sohr):
    with pytest.raises(ValidationError) as exc:
        services.speaker_create(
            user=alice,
            name="Observatory (UK)",
            kind=Speaker.Kind.ORGANISATION,
            aliases=["Sohr"],
        )

    assert "already an alias of Syrian Observatory" in messages(exc, "aliases")


def test_it_refuses_an_alias_that_is_the_speakers_own_name(alice):
    with pytest.raises(ValidationError) as exc:
        services.speaker_create(
            user=alice,
            name="Rebels",
            kind=Speaker.Kind.UNNAMED,
            aliases=["rebels"],
        )

    assert "the speaker's name, not an alias" in messages(exc, "aliases")


def test_it_refuses_a_blank_name(alice):
    with pytest.raises(ValidationError) as exc:
        services.speaker_create(user=alice, name="   ", kind=Speaker.Kind.PERSON)

    assert "name" in exc.value.message_dict


def test_it_refuses_a_kind_not_in_the_choices(alice):
    with pytest.raises(ValidationError) as exc:
        services.speaker_create(user=alice, name="Rebels", kind="army")

    assert "army" in messages(exc, "kind")


def test_it_refuses_a_reference_that_is_not_a_web_address(alice):
    with pytest.raises(ValidationError) as exc:
        services.speaker_create(
            user=alice,
            name="Rebels",
            kind=Speaker.Kind.UNNAMED,
            reference_url="javascript:x()",
        )

    assert "http:// or https://" in messages(exc, "reference_url")


def test_update_replaces_the_aliases(morgan, sohr):
    services.speaker_update(speaker=sohr, user=morgan, aliases=["SOHR", "OSDH"])

    assert aliases_of(sohr) == ["OSDH", "SOHR"]
    assert not SpeakerAlias.objects.filter(name="the Observatory").exists()


def test_update_takes_a_new_case_for_an_alias(morgan, sohr):
    services.speaker_update(speaker=sohr, user=morgan, aliases=["Sohr", "the Observatory"])

    assert aliases_of(sohr) == ["Sohr", "the Observatory"]


def test_update_removes_every_alias_when_given_none(morgan, sohr):
    services.speaker_update(speaker=sohr, user=morgan, aliases=[])

    assert aliases_of(sohr) == []


def test_update_keeps_the_aliases_when_not_given(morgan, sohr):
    services.speaker_update(speaker=sohr, user=morgan, role="UK-based monitor")

    sohr.refresh_from_db()
    assert sohr.role == "UK-based monitor"
    assert aliases_of(sohr) == ["SOHR", "the Observatory"]


def test_update_refuses_a_name_that_is_still_one_of_its_own_aliases(morgan, sohr):
    with pytest.raises(ValidationError) as exc:
        services.speaker_update(speaker=sohr, user=morgan, name="sohr")

    assert "remove it from the aliases" in messages(exc, "name")
    sohr.refresh_from_db()
    assert sohr.name == "Syrian Observatory for Human Rights"


def test_update_takes_an_alias_as_the_name_when_the_aliases_give_it_up(morgan, sohr):
    services.speaker_update(speaker=sohr, user=morgan, name="SOHR", aliases=["the Observatory"])

    sohr.refresh_from_db()
    assert sohr.name == "SOHR"
    assert aliases_of(sohr) == ["the Observatory"]


def test_update_may_change_the_case_of_the_speakers_own_name(morgan, opposition):
    services.speaker_update(speaker=opposition, user=morgan, name="opposition Sources")

    opposition.refresh_from_db()
    assert opposition.name == "opposition Sources"


def test_update_refuses_another_speakers_name(morgan, opposition, regime):
    with pytest.raises(ValidationError) as exc:
        services.speaker_update(speaker=regime, user=morgan, name="Opposition Sources")

    assert "already exists" in messages(exc, "name")
    regime.refresh_from_db()
    assert regime.name == "Regime representatives"


def test_update_refuses_an_alias_that_is_another_speakers_alias(morgan, sohr, opposition):
    with pytest.raises(ValidationError) as exc:
        services.speaker_update(speaker=opposition, user=morgan, aliases=["the observatory"])

    assert "already an alias of Syrian Observatory" in messages(exc, "aliases")
    assert aliases_of(opposition) == []


def test_update_refuses_unknown_fields(morgan, opposition):
    with pytest.raises(TypeError, match="created_by"):
        services.speaker_update(speaker=opposition, user=morgan, created_by=None)


def test_update_records_the_editor_in_the_history(morgan, sohr):
    services.speaker_update(speaker=sohr, user=morgan, aliases=["SOHR"])

    assert sohr.history.first().history_user == morgan
    removed = SpeakerAlias.history.get(name="the Observatory", history_type="-")
    assert removed.history_user == morgan


def test_check_speaker_refuses_what_speaker_create_refuses_and_writes_nothing(morgan, sohr):
    with pytest.raises(ValidationError) as exc:
        services.check_speaker(
            user=morgan, name="Observatory", kind="organisation", aliases=["sohr"]
        )

    assert "already an alias of Syrian Observatory" in messages(exc, "aliases")
    speaker, aliases = services.check_speaker(
        user=morgan, name=" Free  Syrian Army ", kind="organisation", aliases=["FSA", "fsa"]
    )
    assert (speaker.pk, speaker.name, aliases) == (None, "Free Syrian Army", ["FSA"])
    assert Speaker.objects.count() == 1


def test_check_speaker_leaves_the_speaker_it_checks_unchanged(morgan, sohr):
    speaker, aliases = services.check_speaker(user=morgan, speaker=sohr, role="UK-based monitor")

    assert (speaker.role, aliases) == ("UK-based monitor", None)
    assert sohr.role == ""
    sohr.refresh_from_db()
    assert sohr.role == ""

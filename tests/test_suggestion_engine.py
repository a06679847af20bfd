"""The suggestion engine on its own: sentences, kinds, attribution, the register's match."""

import json
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from annotations.names import SCORER as SIMILARITY_SCORER
from annotations.names import bare_key, similarity
from annotations.suggestions.engine import Suggestion, suggest
from annotations.suggestions.evaluate import register_from_gold
from annotations.suggestions.segment import sentences
from annotations.suggestions.speakers import Register, describe

HOMS = json.loads(Path("fixtures/homs_article.json").read_text(encoding="utf-8"))[0]["fields"][
    "text"
]
REGISTER = register_from_gold(
    [
        {"name": "Opposition sources", "aliases": ["The opposition"]},
        {"name": "Abul Hareth al-Khalidi"},
        {"name": "Regime representatives"},
        {"name": "Security official"},
        {"name": "Syrian Observatory for Human Rights", "aliases": ["SOHR"]},
    ]
)


def one(suggestions: list[Suggestion], words: str) -> Suggestion:
    found = [s for s in suggestions if words in s.quote]
    assert len(found) == 1, [s.quote for s in suggestions]
    return found[0]


def test_every_suggestion_is_an_exact_span_of_the_text() -> None:
    text = "Fünf 👩🏽‍⚕️ medics said 12 people died on Sunday. " + HOMS
    for suggestion in suggest(text, REGISTER):
        assert suggestion.quote == text[suggestion.start : suggestion.end]
        attribution = suggestion.attribution
        if attribution["cue_start"] is not None:
            assert attribution["cue"] == text[attribution["cue_start"] : attribution["cue_end"]]


def test_sentences_keep_abbreviations_and_quotations_whole() -> None:
    text = 'Gen. Lee met Mr. Smith in the U.S. on Jan. 5. "It was bad. Very bad," he said. Why?'
    assert [text[s.start : s.end] for s in sentences(text)] == [
        "Gen. Lee met Mr. Smith in the U.S. on Jan. 5.",
        '"It was bad. Very bad," he said.',
        "Why?",
    ]


def test_a_line_break_ends_a_sentence() -> None:
    text = "First line without a stop\nSecond line."
    assert [text[s.start : s.end] for s in sentences(text)] == [
        "First line without a stop",
        "Second line.",
    ]


def test_the_attribution_at_the_end_is_trimmed_off() -> None:
    suggestion = one(suggest(HOMS, REGISTER), "Rebels will head")
    assert suggestion.quote == (
        "Rebels will head to opposition-held areas in the north of Homs province, "
        "handing over control to the army"
    )
    attribution = suggestion.attribution
    assert attribution["kind"] == "reported"
    assert attribution["cue"] == "say"
    assert attribution["speaker_text"] == "opposition sources"
    assert attribution["speaker"]["name"] == "Opposition sources"


def test_direct_speech_gives_the_quotation_and_the_named_speaker() -> None:
    suggestion = one(suggest(HOMS, REGISTER), "An agreement occurred")
    assert suggestion.quote.startswith("An agreement occurred")
    assert suggestion.quote.endswith("from the Old City")
    assert suggestion.attribution["kind"] == "direct"
    assert suggestion.attribution["cue"] == "said"
    assert suggestion.attribution["speaker_text"] == "rebel negotiator Abul Hareth al-Khalidi"
    assert suggestion.attribution["speaker"]["name"] == "Abul Hareth al-Khalidi"


def test_he_is_the_last_person_quoted() -> None:
    suggestion = one(suggest(HOMS, REGISTER), "the talk had now moved")
    assert suggestion.quote == "the talk had now moved onto the implementation phase"
    assert suggestion.attribution["speaker_text"] == "He"
    assert suggestion.attribution["speaker"]["name"] == "Abul Hareth al-Khalidi"
    assert any("'He' is Abul Hareth al-Khalidi" in reason for reason in suggestion.reasons)


def test_according_to_first() -> None:
    suggestion = one(suggest(HOMS, REGISTER), "the deal includes")
    assert suggestion.quote.startswith("the deal includes the exchange")
    assert suggestion.attribution["cue"] == "According to"
    assert suggestion.attribution["speaker"]["name"] == "Opposition sources"  # by its alias


def test_the_articles_own_voice_where_nothing_attributes() -> None:
    suggestion = one(suggest(HOMS, REGISTER), "some 2250 people")
    assert suggestion.attribution["kind"] == "author"
    assert suggestion.attribution["speaker"] is None
    assert suggestion.attribution["cue_start"] is None
    assert suggestion.kind == "quantity"
    assert "a number: 2250" in suggestion.reasons
    assert "a date: June 2012" in suggestion.reasons


@pytest.mark.parametrize(
    ("sentence", "kind", "reason"),
    [
        ("The town has seen the heaviest shelling of the war.", "comparison", "the heaviest"),
        ("Prices rose because the border was closed for trade.", "causal", "because"),
        ("The siege of the old town has lasted since June 2012.", "date", "June 2012"),
        ("Critics dubbed the plan a surrender to the militias.", "characterisation", "dubbed"),
        ("Government forces seized the airport from the rebels.", "event", "seized"),
    ],
)
def test_kinds_and_their_reasons(sentence: str, kind: str, reason: str) -> None:
    [suggestion] = suggest(sentence, [])
    assert suggestion.kind == kind
    assert any(reason in r for r in suggestion.reasons), suggestion.reasons


def test_a_statement_with_nothing_to_check_is_not_suggested() -> None:
    assert suggest("The weather in the valley was pleasant and mild.", []) == []
    assert suggest("Is this the end of the affair for them?", []) == []


def test_the_observatory_and_sohr_find_the_syrian_observatory() -> None:
    register = Register(REGISTER)
    for phrase in ("SOHR", "the Observatory", "the Syrian Observatory for Human Rights"):
        assert register.match(describe(phrase)) == (5, "Syrian Observatory for Human Rights")


def test_initials_find_a_speaker_without_an_alias() -> None:
    register = Register(register_from_gold([{"name": "Syrian Observatory for Human Rights"}]))
    assert register.match(describe("SOHR")) == (1, "Syrian Observatory for Human Rights")


def test_a_near_spelling_finds_the_speaker() -> None:
    register = Register(REGISTER)
    assert register.match(describe("Abu Hareth al-Khalidi")) == (2, "Abul Hareth al-Khalidi")
    assert register.match(describe("Vitaly Churkin")) is None


def test_an_unknown_speaker_is_offered_with_a_kind() -> None:
    text = (
        '"The convoy was fired on twice near the bridge," said Vitaly Churkin, the envoy.\n'
        "The Ministry of Health said 40 people were wounded in the attack.\n"
        "A military source said the road to the north was cut on Friday.\n"
        "The report says 300 homes were destroyed by the floods."
    )
    proposed = [s.attribution["new_speaker"] for s in suggest(text, [])]
    assert proposed == [
        {"name": "Vitaly Churkin", "kind": "person"},
        {"name": "Ministry of Health", "kind": "organisation"},
        {"name": "Military source", "kind": "unnamed"},
        {"name": "Report", "kind": "document"},
    ]


def test_a_person_keeps_the_role_before_the_name() -> None:
    mention = describe("rebel negotiator Abul Hareth al-Khalidi")
    assert (mention.name, mention.kind, mention.role) == (
        "Abul Hareth al-Khalidi",
        "person",
        "rebel negotiator",
    )
    assert describe("Hydrologist Dr Sarah Okafor of Northfield University").name == "Sarah Okafor"


def test_a_quotation_alone_continues_the_last_speaker() -> None:
    text = (
        '"We asked for 40,000 bags in October," Mayor Tomas Lindqvist said.\n'
        '"That shortfall is why Mill Street flooded."'
    )
    second = suggest(text, [])[1]
    assert second.quote == "That shortfall is why Mill Street flooded"
    assert second.attribution["kind"] == "direct"
    assert second.attribution["new_speaker"]["name"] == "Tomas Lindqvist"


def test_a_transcript_gives_each_turn_to_its_label() -> None:
    text = (
        "MINISTER OSEI: The deficit has halved since 2019.\n"
        "Q: Minister, the opposition says 8,000 nurses have left. Is that true?\n"
        "MINISTER OSEI: Nurse numbers are higher than ever before."
    )
    first, reported, last = suggest(text, [])
    assert first.quote == "The deficit has halved since 2019"
    assert first.attribution["speaker_text"] == "MINISTER OSEI"
    assert first.attribution["new_speaker"] == {"name": "Osei", "kind": "person"}
    assert reported.attribution["speaker_text"] == "the opposition"
    assert last.attribution["kind"] == "direct"


def test_a_sentence_of_two_clauses_gives_two_suggestions() -> None:
    text = (
        "Homs was dubbed the capital of the revolution in 2011, "
        "and it has seen some of the heaviest violence in the war."
    )
    assert [s.kind for s in suggest(text, [])] == ["characterisation", "comparison"]


def test_the_register_scorer_is_the_one_names_uses() -> None:
    a, b = bare_key("Abul Hareth al-Khalidi"), bare_key("al-Khalidi, Abul Hareth")
    assert SIMILARITY_SCORER is fuzz.token_sort_ratio
    assert similarity(a, b) == SIMILARITY_SCORER(a, b)


def test_the_source_and_it_name_the_speaker_named_before() -> None:
    text = (
        "A military source said 40 rebels were killed near the airport on Friday.\n"
        "The source added that the road to the north had been cut.\n"
        "The Syrian Observatory for Human Rights said 12 civilians died in the shelling.\n"
        "It said the toll would rise because dozens were badly wounded."
    )
    _first, added, observatory, toll = suggest(text, REGISTER)
    assert added.attribution["speaker_text"] == "The source"
    assert added.attribution["new_speaker"] == {"name": "Military source", "kind": "unnamed"}
    assert toll.attribution["speaker_text"] == "It"
    assert toll.attribution["speaker"] == observatory.attribution["speaker"]
    assert toll.attribution["speaker"]["name"] == "Syrian Observatory for Human Rights"

"""The one rule for speakers' names: the clean form, the key, the bare key, near matches."""

import unicodedata

import pytest

from annotations import names


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Straße", "STRASSE"),  # ß folds to ss
        ("\u212a2 Group", "K2 group"),  # the Kelvin sign folds to k
        ("Café Owners", "Cafe\u0301 Owners"),  # precomposed é and e with a combining accent
        ("  Émile   Zola ", "émile zola"),  # case beyond ASCII; spaces trimmed and collapsed
        ("ΣΩΚΡΆΤΗΣ", "σωκράτης"),  # final sigma folds to sigma
    ],
)
def test_the_same_name_has_the_same_key(a: str, b: str) -> None:
    assert names.name_key(a) == names.name_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("İnci Sample", "inci sample"),  # İ folds to i with a combining dot: not the same
        ("Işık", "isik"),  # dotless ı is a letter of its own
        ("Vitály Churkin", "Vitaly Churkin"),
        ("Hüseyin Müftüoğlu", "Huseyin Muftuoglu"),
    ],
)
def test_names_that_differ_by_a_mark_or_a_letter_have_different_keys(a: str, b: str) -> None:
    assert names.name_key(a) != names.name_key(b)
    assert names.bare_key(a) == names.bare_key(b)  # ...but search finds one from the other


def test_the_clean_name_is_nfc_trimmed_and_single_spaced() -> None:
    cleaned = names.clean_name("  Cafe\u0301\t Owners\n")
    assert cleaned == "Café Owners"
    assert unicodedata.is_normalized("NFC", cleaned)


def test_the_key_of_dotted_capital_i_keeps_its_dot_as_a_mark() -> None:
    assert names.name_key("İnci") == "i\u0307nci"
    assert names.bare_key("İnci") == "inci"


def test_the_bare_key_drops_marks_and_punctuation_and_spells_plain_letters() -> None:
    assert names.bare_key("Abul-Hareth al-Khalidi") == "abul hareth al khalidi"
    assert names.bare_key("Łódź") == "lodz"
    assert names.bare_key("Søren Ørsted") == "soren orsted"
    assert names.bare_key("Işıl") == "isil"
    assert names.bare_key("İsmail Test") == "ismail test"


def test_arabic_letters_are_kept_as_they_are() -> None:
    name = "المرصد السوري لحقوق الإنسان"
    assert names.clean_name(name) == name
    assert names.name_key(name) == name
    assert names.bare_key(name) == "المرصد السوري لحقوق الانسان"  # the hamza below is a mark


def test_arabic_with_vowel_marks_matches_without_them() -> None:
    assert names.bare_key("مُحَمَّد") == names.bare_key("محمد")
    assert names.name_key("مُحَمَّد") != names.name_key("محمد")


def test_similarity_ignores_word_order_and_scores_near_names_high() -> None:
    assert names.similarity("churkin vitaly", "vitaly churkin") == 100
    assert names.similarity("huseyin muftuoglu", "huseyn muftuoglu") >= names.NEAR_MATCH
    assert names.similarity("talal barazi", "abul hareth al khalidi") < names.NEAR_MATCH


def test_near_pairs_agrees_with_similarity() -> None:
    keys = ["vitaly churkin", "vitaly churkn", "talal barazi", "churkin vitaly", "sohr"]
    expected = [
        (i, j, names.similarity(keys[i], keys[j]))
        for i in range(len(keys))
        for j in range(i + 1, len(keys))
        if names.similarity(keys[i], keys[j]) >= names.NEAR_MATCH
    ]
    assert names.near_pairs(keys) == expected
    assert {(i, j) for i, j, _ in expected} == {(0, 1), (0, 3), (1, 3)}


def test_near_pairs_of_fewer_than_two_is_none() -> None:
    assert names.near_pairs([]) == []
    assert names.near_pairs(["sohr"]) == []


def test_near_matches_agrees_with_similarity() -> None:
    keys = ["vitaly churkin", "churkin vitaly", "talal barazi", "vitali churkin"]
    found = names.near_matches("vitaly churkin", keys, cutoff=50)
    assert sorted(found) == [
        (i, names.similarity("vitaly churkin", key))
        for i, key in enumerate(keys)
        if names.similarity("vitaly churkin", key) >= 50
    ]

"""The one rule for the names of speakers and their aliases.

Three forms of a name:

- ``clean_name``: what is stored and shown. Unicode NFC, trimmed, inner
  whitespace collapsed to single spaces.
- ``name_key``: what uniqueness compares. The clean name, then full case
  folding (``str.casefold``: ß folds to ss, the Kelvin sign to k, İ to i with
  a combining dot above), then NFC again. Two names with the same key are the
  same name, on every database, because the key is computed here and stored.
- ``bare_key``: what search and near-match compare. The key without accents
  or other combining marks, with the few Latin letters that carry their mark
  inside them (ı, ł, ø, đ...) spelled plainly, and punctuation turned into
  spaces. "muftuoglu" finds "Hüseyin Müftüoğlu" and "ismail" finds
  "İsmail Test" this way.

``similarity`` scores two bare keys from 0 to 100 with rapidfuzz, and
``NEAR_MATCH`` is the score from which two different names are worth a
second look as the same speaker.
"""

import unicodedata
from collections.abc import Sequence

from rapidfuzz import fuzz, process

# Letters that do not decompose into a base letter and a combining mark.
_PLAIN_LETTERS = str.maketrans(
    {
        "ı": "i",
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "þ": "th",
        "æ": "ae",
        "œ": "oe",
        "ŀ": "l",
    }
)

NEAR_MATCH = 88
# What ``similarity`` scores with, for callers that hand many keys to rapidfuzz at once.
SCORER = fuzz.token_sort_ratio


def clean_name(value: str) -> str:
    """Return ``value`` as a name is stored: NFC, trimmed, single spaces."""
    return " ".join(unicodedata.normalize("NFC", value).split())


def name_key(value: str) -> str:
    """Return the key two names must not share: NFC, full case folding, NFC."""
    return unicodedata.normalize("NFC", clean_name(value).casefold())


def bare_key(value: str) -> str:
    """Return the key for search and near matches: folded, without marks or punctuation."""
    decomposed = unicodedata.normalize("NFKD", clean_name(value).casefold())
    letters = []
    for char in decomposed.translate(_PLAIN_LETTERS):
        category = unicodedata.category(char)
        if category.startswith("M"):
            continue
        letters.append(char if category[0] in "LN" else " ")
    return " ".join("".join(letters).split())


def similarity(bare_a: str, bare_b: str) -> float:
    """Score two bare keys from 0 to 100, whatever the order of their words."""
    return SCORER(bare_a, bare_b)


def _sorted_words(bare: str) -> str:
    # token_sort_ratio is the plain ratio of the words sorted: sorting once per key, rather
    # than once per comparison, makes comparing a whole register about five times faster.
    return " ".join(sorted(bare.split()))


def near_matches(
    bare: str, bare_keys: Sequence[str], *, cutoff: float = 0
) -> list[tuple[int, float]]:
    """Return (index, score) of the bare keys that score ``cutoff`` or more against ``bare``.

    The score is ``similarity``'s, computed for all keys in one call into rapidfuzz.
    """
    found = process.extract(
        _sorted_words(bare),
        [_sorted_words(key) for key in bare_keys],
        scorer=fuzz.ratio,
        score_cutoff=cutoff,
        limit=None,
    )
    return [(at, float(score)) for _, score, at in found]


def near_pairs(
    bare_keys: Sequence[str], *, cutoff: float = NEAR_MATCH
) -> list[tuple[int, int, float]]:
    """Return (i, j, score) for every i < j whose bare keys score ``cutoff`` or more.

    The score is ``similarity``'s, each key against the ones after it in one call
    into rapidfuzz's compiled loop (5,000 names: about 3 s).
    """
    words = [_sorted_words(key) for key in bare_keys]
    pairs = []
    for i, key in enumerate(words[:-1]):
        found = process.extract(
            key, words[i + 1 :], scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
        )
        pairs.extend((i, i + 1 + at, float(score)) for _, score, at in found)
    pairs.sort()
    return pairs

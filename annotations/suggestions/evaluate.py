"""Measure the suggestions against a gold file.

A gold file is JSON:

    {
      "title": "Wire copy: a ceasefire in two towns",     (what it is; printed)
      "text": "The article's text ...",                    (or "article": an article's id)
      "register": [                                         (optional: the register to use;
        {"name": "Syrian Observatory for Human Rights",      without it, the site's own)
         "aliases": ["SOHR"]}
      ],
      "claims": [
        {"quote": "some 2250 people",                       (the claim's core words, as in the text;
         "speakers": ["Opposition sources", "the opposition"],  the first occurrence counts)
         "kind": "quantity"}                                (speakers [] is the article's own voice)
      ]
    }

A gold claim is **found** when a suggestion's span covers its core quote; the
shortest such suggestion is the one whose speaker and kind are judged. Its
speaker is right when one of its names (the words in the text, the register's
speaker, the proposed new speaker) has the bare key of one of the gold names,
a leading "the", "a" or "an" aside; for the article's own voice, when the
suggestion is in the article's own voice too.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from annotations.names import bare_key

from .engine import Suggestion, suggest
from .speakers import RegisterName, strip_determiner


class GoldError(ValueError):
    """A gold file that cannot be read as documented."""


@dataclass(frozen=True, slots=True)
class Score:
    title: str
    claims: int
    found: int
    suggestions: int
    speakers_right: int
    kinds_right: int

    @property
    def recall(self) -> float:
        return self.found / self.claims if self.claims else 0.0

    @property
    def per_claim(self) -> float:
        return self.suggestions / self.claims if self.claims else 0.0

    @property
    def speaker_accuracy(self) -> float:
        return self.speakers_right / self.found if self.found else 0.0

    @property
    def kind_accuracy(self) -> float:
        return self.kinds_right / self.found if self.found else 0.0


CLAIM_KINDS = ("quantity", "date", "event", "characterisation", "comparison", "causal", "other")


def read_gold(data: Any) -> dict[str, Any]:
    """Return a gold file's content after checking its shape; raise GoldError if it is wrong."""
    if not isinstance(data, dict):
        raise GoldError("a gold file is a JSON object.")
    if not isinstance(data.get("text"), str) and not isinstance(data.get("article"), int):
        raise GoldError('give the article\'s "text" (a string) or "article" (an id).')
    claims = data.get("claims")
    if not isinstance(claims, list) or not claims:
        raise GoldError('"claims" is a list of at least one claim.')
    for number, claim in enumerate(claims, start=1):
        if not isinstance(claim, dict) or not isinstance(claim.get("quote"), str):
            raise GoldError(f'claim {number} has no "quote".')
        speakers = claim.get("speakers", [])
        if not isinstance(speakers, list) or not all(isinstance(n, str) for n in speakers):
            raise GoldError(f'claim {number}: "speakers" is a list of names.')
        if claim.get("kind") not in CLAIM_KINDS:
            raise GoldError(f'claim {number}: "kind" is one of {", ".join(CLAIM_KINDS)}.')
    register = data.get("register", [])
    if not isinstance(register, list) or not all(
        isinstance(entry, dict) and isinstance(entry.get("name"), str) for entry in register
    ):
        raise GoldError('"register" is a list of {"name": ..., "aliases": [...]}.')
    return data


def register_from_gold(entries: Iterable[dict[str, Any]]) -> list[RegisterName]:
    """Return a register's names from a gold file's "register" list (ids count from 1)."""
    names: list[RegisterName] = []
    for number, entry in enumerate(entries, start=1):
        names.append((number, entry["name"], entry["name"], bare_key(entry["name"])))
        names += [
            (number, entry["name"], alias, bare_key(alias)) for alias in entry.get("aliases", [])
        ]
    return names


def _key(value: str | None) -> str:
    return bare_key(strip_determiner(value or "")) if value else ""


def speaker_names(suggestion: Suggestion) -> set[str]:
    """Return the bare keys of every name a suggestion gives its speaker."""
    attribution = suggestion.attribution
    names = {_key(attribution.get("speaker_text"))}
    if attribution.get("speaker"):
        names.add(_key(attribution["speaker"]["name"]))
    if attribution.get("new_speaker"):
        names.add(_key(attribution["new_speaker"]["name"]))
    return names - {""}


def score(
    title: str, text: str, claims: Sequence[dict[str, Any]], register: Sequence[RegisterName]
) -> Score:
    """Return how the suggestions for ``text`` fare against the gold ``claims``."""
    suggestions = suggest(text, register)
    found = speakers_right = kinds_right = 0
    for claim in claims:
        quote = claim["quote"]
        start = text.find(quote)
        if start < 0:
            raise GoldError(f"{title}: the quote {quote!r} is not in the text.")
        end = start + len(quote)
        covering = [s for s in suggestions if s.start <= start and end <= s.end]
        if not covering:
            continue
        found += 1
        best = min(covering, key=lambda s: s.end - s.start)
        gold_names = {_key(name) for name in claim.get("speakers", [])}
        if gold_names:
            right = bool(gold_names & speaker_names(best))
        else:
            right = best.attribution["kind"] == "author"
        speakers_right += right
        kinds_right += best.kind == claim.get("kind")
    return Score(title, len(claims), found, len(suggestions), speakers_right, kinds_right)


def total(scores: Sequence[Score]) -> Score:
    """Return the scores of several files taken together."""
    return Score(
        "all files",
        sum(s.claims for s in scores),
        sum(s.found for s in scores),
        sum(s.suggestions for s in scores),
        sum(s.speakers_right for s in scores),
        sum(s.kinds_right for s in scores),
    )

"""Suggested claims for an article's text: spans, kinds, scores, reasons, attribution.

Pure Python: give it the text and the register's names, get suggestions back.
``ENGINE_VERSION`` changes whenever the rules change, so cached answers made
by older rules are not served.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .attribution import Attribution, attribute, trim_content, whole_quotation
from .kinds import Feature, features, kind_of
from .segment import Span, sentences, word_set
from .speakers import Mention, Register, RegisterName, describe, pronoun_class

ENGINE_VERSION = "1"

# Scores: a base for who says it, plus each feature's weight; below THRESHOLD, not suggested.
BASE = {"direct": 0.35, "reported": 0.35, "author": 0.2}
THRESHOLD = 0.35
MIN_WORDS = 4
# How far back a pronoun or "the source" looks for its speaker.
RECENT_SPEAKERS = 12

_TRANSCRIPT_LABEL = re.compile(
    r"(?P<label>(?:[A-Z][A-Z.'’-]*(?:\s+[A-Z][A-Z.'’-]*){0,4})"
    r"|(?:[A-Z][a-z.'’-]+(?:\s+(?:al-|el-|de\s|van\s)?[A-Z][\w.'’-]*){0,4}))\s*:\s+"
)
_CLAUSE_BREAK = re.compile(
    r";\s+|,\s+(?:and|but|while|whereas)\s+(?=(?:he|she|it|they|we|the|a|an|its|their|this|"
    r"that|there|[A-Z])\b)"
)
# "the source", "the group", "the Britain-based monitor": a noun that names an earlier speaker.
_ANAPHOR = re.compile(r"(?:the|this|that)\s+(?:[\w-]+\s+){0,2}(?P<noun>[a-z]+)\Z", re.IGNORECASE)
# Nouns for one person, whom "he" or "she" may name later.
PERSON_NOUNS = word_set(
    "spokesman spokeswoman spokesperson official source commander minister negotiator envoy "
    "ambassador doctor resident witness activist officer diplomat analyst director chief "
    "leader president mayor governor mother father woman man"
)
ANAPHOR_CLASSES = {
    "source": ("unnamed", "person"),
    "official": ("unnamed", "person"),
    "spokesman": ("unnamed", "person"),
    "spokeswoman": ("unnamed", "person"),
    "group": ("organisation", "unnamed"),
    "monitor": ("organisation",),
    "organisation": ("organisation",),
    "organization": ("organisation",),
    "agency": ("organisation",),
    "report": ("document",),
    "statement": ("document",),
    "document": ("document",),
}


@dataclass(slots=True)
class Speech:
    """A speaker already named in the article, for pronouns that come after."""

    mention: Mention
    match: tuple[int, str] | None


@dataclass(slots=True)
class Suggestion:
    start: int
    end: int
    quote: str
    kind: str
    score: float
    reasons: list[str]
    attribution: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "kind": self.kind,
            "score": self.score,
            "reasons": list(self.reasons),
            "attribution": self.attribution,
        }


def _whole_end(text: str, end: int) -> int:
    """Move ``end`` past combining marks, so a span never cuts a character in two."""
    while end < len(text) and unicodedata.category(text[end]).startswith("M"):
        end += 1
    return end


def _clauses(text: str, content: Span) -> list[Span]:
    """Split a statement at "; " and ", and <subject>" when both parts are long enough."""
    parts = []
    start = content.start
    for match in _CLAUSE_BREAK.finditer(text, content.start, content.end):
        left = text[start : match.start()]
        right = text[match.end() : content.end]
        if len(left.split()) >= 5 and len(right.split()) >= 5:
            parts.append(Span(start, match.start()))
            start = match.end()
    parts.append(Span(start, content.end))
    return parts


def _transcript_turns(text: str, spans: list[Span]) -> dict[int, tuple[Span, int]]:
    """Return, for a transcript, each sentence's turn: (label span, where the speech starts).

    A text is a transcript when at least two of its paragraphs open with a
    speaker's label ("PRESIDENT OKAFOR:", "Minister Dlamini:"); a turn runs
    until the next label.
    """
    labels: dict[int, re.Match[str]] = {}
    for span in spans:
        at_paragraph = (
            span.start == 0
            or text[span.start - 1] == "\n"
            or (text[: span.start].rstrip(" \t").endswith("\n"))
        )
        if at_paragraph:
            match = _TRANSCRIPT_LABEL.match(text, span.start, span.end)
            if match and len(match.group("label")) <= 60:
                labels[span.start] = match
    if len(labels) < 2:
        return {}
    turns: dict[int, tuple[Span, int]] = {}
    current: tuple[Span, int] | None = None
    for span in spans:
        match = labels.get(span.start)
        if match:
            current = (Span(match.start("label"), match.end("label")), match.end())
            turns[span.start] = current
        elif current:
            turns[span.start] = (current[0], span.start)
    return turns


class _Speakers:
    """Names speakers and resolves pronouns to the most recent fitting one."""

    def __init__(self, register: Register) -> None:
        self.register = register
        self.history: list[Speech] = []

    def _recent(self, kinds: tuple[str, ...], noun: str | None = None) -> Speech | None:
        if noun:
            for speech in reversed(self.history):
                if noun in speech.mention.text.lower():
                    return speech
        for speech in reversed(self.history):
            if speech.mention.kind in kinds:
                return speech
            words = speech.mention.text.lower().split()
            if "person" in kinds and PERSON_NOUNS.intersection(words[:3]):
                return speech
        return None

    def resolve(self, phrase: str) -> tuple[Speech | None, str | None]:
        """Return the speech a phrase names and, for a pronoun, the reason it resolved so."""
        phrase = " ".join(phrase.strip(' "“”').split())
        pronoun = pronoun_class(phrase)
        if pronoun:
            kinds = {
                "person": ("person",),
                "group": ("unnamed", "organisation"),
                "thing": ("organisation", "document"),
            }[pronoun]
            found = self._recent(kinds)
            if found:
                self._named_again(found)
                return found, f"'{phrase}' is {found.mention.name}, the last {kinds[0]} named"
            return None, None
        anaphor = _ANAPHOR.fullmatch(phrase)
        if anaphor and anaphor.group("noun").islower():
            noun = anaphor.group("noun").lower()
            kinds = ANAPHOR_CLASSES.get(noun)
            if kinds:
                found = self._recent(kinds, noun)
                if found:
                    self._named_again(found)
                    return found, f"'{phrase}' is {found.mention.name}, named before"
        mention = describe(phrase)
        speech = Speech(mention, self.register.match(mention))
        if speech.match is None and mention.kind in ("person", "organisation"):
            # A surname or a head noun already named in this article ("Churkin", "the Observatory").
            last = phrase.split()[-1].lower()
            for earlier in reversed(self.history):
                if len(phrase.split()) <= 2 and last in earlier.mention.text.lower().split():
                    self._named_again(earlier)
                    return earlier, f"'{phrase}' is {earlier.mention.name}, named before"
        self._named_again(speech)
        return speech, None

    def _named_again(self, speech: Speech) -> None:
        """Make ``speech`` the most recent speaker, for the pronouns that follow."""
        if speech in self.history:
            self.history.remove(speech)
        self.history.append(speech)
        del self.history[:-RECENT_SPEAKERS]


def _attribution_out(
    text: str, kind: str, cue: Span | None, speech: Speech | None, speaker_span: Span | None
) -> dict[str, Any]:
    speaker = None
    new_speaker = None
    speaker_text = None
    if speaker_span is not None:
        speaker_text = text[speaker_span.start : speaker_span.end]
    if speech is not None:
        speaker_text = speaker_text or speech.mention.text
        if speech.match:
            speaker = {"id": speech.match[0], "name": speech.match[1]}
        else:
            new_speaker = {"name": speech.mention.name, "kind": speech.mention.kind}
            if speech.mention.role:
                new_speaker["role"] = speech.mention.role
    return {
        "kind": kind,
        "cue": text[cue.start : cue.end] if cue else "",
        "cue_start": cue.start if cue else None,
        "cue_end": cue.end if cue else None,
        "speaker": speaker,
        "speaker_text": speaker_text,
        "speaker_start": speaker_span.start if speaker_span else None,
        "speaker_end": speaker_span.end if speaker_span else None,
        "new_speaker": new_speaker,
    }


def _who_reason(kind: str, cue: str, transcript: bool) -> str:
    if transcript:
        return "a transcript: the speaker's label"
    if kind == "direct":
        return f"direct speech: quote marks and '{cue}'" if cue else "direct speech: quote marks"
    if kind == "reported":
        return f"reported speech: '{cue}'"
    return "the article's own voice"


def suggest(text: str, register_names: Iterable[RegisterName]) -> list[Suggestion]:
    """Return the suggested claims of ``text`` in text order."""
    register = Register(register_names)
    speakers = _Speakers(register)
    spans = sentences(text)
    turns = _transcript_turns(text, spans)
    suggestions: list[Suggestion] = []
    last_direct: tuple[Span | None, Speech | None, str | None] | None = None

    for sentence in spans:
        turn = turns.get(sentence.start)
        if turn:
            label, speech_start = turn
            if speech_start >= sentence.end:
                continue
            # Within a turn, the speaker may report someone else ("the opposition says ...").
            statements = [
                statement
                for statement in attribute(text, Span(speech_start, sentence.end))
                if statement.kind != "author"
            ] or [
                Attribution("direct", trim_content(text, speech_start, sentence.end), None, label)
            ]
        else:
            statements = attribute(text, sentence)
            quotation = whole_quotation(text, sentence)
            if (
                len(statements) == 1
                and statements[0].kind == "author"
                and quotation
                and last_direct is not None
            ):
                statements = [Attribution("direct", quotation, last_direct[0], None)]
        for statement in statements:
            speech = None
            resolved_reason = None
            if statement.speaker is not None:
                phrase = text[statement.speaker.start : statement.speaker.end]
                speech, resolved_reason = speakers.resolve(phrase)
            elif statement.kind == "direct" and last_direct is not None:
                speech = last_direct[1]
            if statement.kind == "direct":
                last_direct = (statement.cue, speech, None)
            elif statement.kind == "reported":
                last_direct = None
            cue_text = text[statement.cue.start : statement.cue.end] if statement.cue else ""
            attribution = _attribution_out(
                text, statement.kind, statement.cue, speech, statement.speaker
            )
            who = _who_reason(statement.kind, cue_text, bool(turn))
            for clause in _clauses(text, statement.content):
                quote_text = text[clause.start : clause.end]
                if len(quote_text.split()) < MIN_WORDS:
                    continue
                found: list[Feature] = features(quote_text)
                if not found and statement.kind == "author":
                    continue
                score = BASE[statement.kind] + sum(f.weight for f in found)
                if score < THRESHOLD:
                    continue
                reasons = [who] + [f.reason for f in found]
                if resolved_reason:
                    reasons.append(resolved_reason)
                end = _whole_end(text, clause.end)
                suggestions.append(
                    Suggestion(
                        start=clause.start,
                        end=end,
                        quote=text[clause.start : end],
                        kind=kind_of(found, direct=statement.kind == "direct"),
                        score=round(min(score, 0.99), 2),
                        reasons=reasons,
                        attribution=attribution,
                    )
                )
        if (
            not turn
            and statements
            and statements[-1].kind != "direct"
            and not whole_quotation(text, sentence)
        ):
            last_direct = None
    return suggestions

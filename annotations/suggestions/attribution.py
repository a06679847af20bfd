"""Who says a statement, after PARC: the source (speaker), the cue and the content.

Rules, tried in this order on each sentence:

1. **Direct speech.** A quotation of four words or more with a cue outside it:
   ``"…," SPEAKER said``, ``"…," said SPEAKER`` or ``SPEAKER said: "…"``. The
   content is the quotation without its marks. A sentence that is a quotation
   and nothing else continues the previous sentence's direct speech.
2. **"According to" first.** ``According to SPEAKER, CONTENT``.
3. **Attribution at the end.** ``CONTENT, SPEAKER say(s/said) [on Sunday]``,
   ``CONTENT, said SPEAKER[, role]`` or ``CONTENT, according to SPEAKER``:
   the claim is the part before the comma.
4. **Attribution first.** ``SPEAKER [also] said [on Sunday] [that] CONTENT``,
   ``SPEAKER told OBJECT [that] CONTENT``; a later ``, saying [that] …`` moves
   the content to what follows it.
5. Otherwise the article's own voice.

A speaker phrase is short (at most ten words), has no comma, and starts with
a capital letter, a determiner or a pronoun.
"""

import re
from dataclasses import dataclass

from .segment import Span

# Verbs of saying that open or close an attribution; "reports", "claims" and
# "states" are nouns too often ("member states said"), so they count only before "that".
CUES = (
    "said|say|says|told|tells|announced|announces|confirmed|confirms|added|adds|warned|warns|"
    "insisted|insists|explained|noted|argued|stressed|denied|denies|acknowledged|admitted|"
    "wrote|writes|tweeted|declared|reported|estimated|alleged|alleges|stated|claimed|"
    "specified|specifies|predicted|revealed|suggested|maintained|asserted|believes|"
    "contended|conceded|recalled|complained|charged|pledged|promised|estimate|called|calls|"
    "described|describes"
)
THAT_ONLY_CUES = "reports|claims|states|estimates|shows|showed|found|finds|suggests|indicates"
QUOTE_CUES = CUES + "|asked|replied|continued|concluded|shouted"


# What may come before a leading speaker: a conjunction, or a short phrase and a comma
# ("On Sunday, ", "In Homs, ", "Prime Minister, " addressing someone).
_OPENERS = re.compile(
    r"(?:(?:But|And|Yet|So|Also|However|Meanwhile|Later|Earlier|Separately|Instead|Still)\b,?\s+"
    r"|(?!According\b)[A-Z][\w'’-]*(?:\s+[\w'’-]+){0,4},\s+(?=(?:the|a|an|he|she|they|it|we|[A-Z])\b))*"
)
_SPEAKER = r"(?P<speaker>[^\s,;:\"“”.!?][^,;:\"“”.!?]{0,80}?)"
_ADVERB = (
    r"(?:\s+(?:also|later|earlier|previously|has|have|had|again|then|now|further|separately"
    r"|once\s+again|repeatedly))*"
)
_TIME = (
    r"(?:\s+(?:on\s+\w+(?:\s+(?:night|morning|evening|afternoon))?|yesterday|today|last\s+\w+"
    r"|this\s+\w+|earlier|later|in\s+a\s+(?:statement|interview|speech|report|briefing|tweet)"
    r"|on\s+state\s+television|at\s+a\s+(?:news\s+conference|briefing|press\s+conference)))*"
)
_LEADING = re.compile(rf"{_SPEAKER}{_ADVERB}\s+(?P<cue>{CUES}|(?:{THAT_ONLY_CUES})(?=\s+that\b))\b")
# "SPEAKER, which relies on ..., said", "NAME, the organisation's director, said".
_LEADING_APPOSITIVE = re.compile(
    rf"{_SPEAKER},\s+[^,;:\"“”]{{1,120}},{_ADVERB}\s+(?P<cue>{CUES}|(?:{THAT_ONLY_CUES})(?=\s+that\b))\b"
)
_ACCORDING_FIRST = re.compile(r"(?P<cue>[Aa]ccording\s+to)\s+(?P<speaker>[^,;:]{2,80}?),\s+")
_TRAILING = re.compile(
    rf",\s+{_SPEAKER}{_ADVERB}\s+(?P<cue>{CUES})\b(?P<tail>[^,;\"“”]{{0,80}})"
    r"(?:,[^,;\"“”]{0,80})?[.!?\"”’]*\s*\Z"
)
_TRAILING_INVERTED = re.compile(
    r",\s+(?P<cue>said|says|added|according\s+to|wrote|told)\s+"
    r"(?P<speaker>[A-Za-z\"“][^,;\"“”]{1,80}?)(?:,[^;\"“”]{0,120})?[.!?]*\s*\Z"
)
_TOLD_OBJECT = re.compile(
    r"\s+(?:(?:the\s+)?[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)*|reporters|journalists|parliament|"
    r"(?:the|a|an)\s+\w+(?:\s+\w+)?|him|her|them|us|me)"
)
_THAT = re.compile(rf"{_TIME}(?:\s*,)?\s+(?:that\s+)?")
_SAYING = re.compile(r",\s+(?P<cue>saying|adding|warning|insisting|noting|claiming)(?:\s+that)?\s+")
_QUOTE = re.compile(r"[\"“](?P<inner>[^\"“”]+)[\"”]")
_AFTER_QUOTE = re.compile(
    rf"\s*,?\s*(?:{_SPEAKER}{_ADVERB}\s+(?P<cue>{QUOTE_CUES})\b"
    rf"|(?P<cue2>{QUOTE_CUES})\s+(?P<speaker2>[A-Za-z][^,;\"“”.!?]{{1,80}}?)(?=[,.;!?]|\s*\Z))"
)
_BEFORE_QUOTE = re.compile(rf"{_SPEAKER}{_ADVERB}\s+(?P<cue>{QUOTE_CUES})\b{_TIME}\s*[:,]?\s*\Z")


@dataclass(slots=True)
class Attribution:
    """How one statement of a sentence is attributed; offsets index the article's text."""

    kind: str  # "direct", "reported" or "author"
    content: Span
    cue: Span | None = None
    speaker: Span | None = None


def _span(base: int, match: re.Match[str], group: str) -> Span:
    return Span(base + match.start(group), base + match.end(group))


def trim_content(text: str, start: int, end: int) -> Span:
    """Trim white space, a closing full stop and stray commas from a content span."""
    while start < end and (text[start].isspace() or text[start] in ",;:-–—"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:.-–—"):
        end -= 1
    return Span(start, end)


def _word_count(value: str) -> int:
    return len(value.split())


_NOT_A_SPEAKER = re.compile(
    r"^(?:but|and|or|yet|so|while|as|if|when|because|although)\b"
    r"|\b(?:is|are|was|were|be|been|being|will|would|could|should|can|may|must|had|has|have"
    r"|do|does|did|not|no)\b"
)


def _plausible_speaker(value: str) -> bool:
    """Return whether ``value`` reads as a speaker: short, and no clause of its own."""
    words = value.split()
    if not words or len(words) > 10:
        return False
    return not _NOT_A_SPEAKER.search(value.lower())


def _direct(text: str, sentence: Span) -> list[Attribution]:
    body = text[sentence.start : sentence.end]
    quotes = [m for m in _QUOTE.finditer(body) if _word_count(m.group("inner")) >= 4]
    results = []
    for quote in quotes:
        after = _AFTER_QUOTE.match(body, quote.end())
        speaker = cue = None
        if after:
            if after.group("cue"):
                if _plausible_speaker(after.group("speaker")):
                    speaker, cue = (
                        _span(sentence.start, after, "speaker"),
                        _span(sentence.start, after, "cue"),
                    )
            elif _plausible_speaker(after.group("speaker2")):
                speaker, cue = (
                    _span(sentence.start, after, "speaker2"),
                    _span(sentence.start, after, "cue2"),
                )
        if speaker is None:
            before = _BEFORE_QUOTE.search(body, 0, quote.start())
            if before and _plausible_speaker(before.group("speaker")):
                speaker = _span(sentence.start, before, "speaker")
                cue = _span(sentence.start, before, "cue")
        if speaker is None and results:
            speaker, cue = results[-1].speaker, results[-1].cue
        if speaker is None:
            continue
        inner = trim_content(
            text, sentence.start + quote.start("inner"), sentence.start + quote.end("inner")
        )
        results.append(Attribution("direct", inner, cue, speaker))
    return results


def whole_quotation(text: str, sentence: Span) -> Span | None:
    """Return the inside of a sentence that is one quotation and nothing else."""
    body = text[sentence.start : sentence.end]
    match = re.fullmatch(r"[\"“](?P<inner>[^\"“”]+)[\"”]?", body)
    if match and _word_count(match.group("inner")) >= 3:
        return trim_content(
            text, sentence.start + match.start("inner"), sentence.start + match.end("inner")
        )
    return None


def _content_after_cue(text: str, sentence: Span, cue_end: int, cue_word: str) -> int:
    """Return where the content starts after a leading cue (and its object, time, "that")."""
    at = cue_end
    if cue_word in ("told", "tells"):
        obj = _TOLD_OBJECT.match(text, at, sentence.end)
        if obj:
            at = obj.end()
    that = _THAT.match(text, at, sentence.end)
    return that.end() if that else at


def attribute(text: str, sentence: Span) -> list[Attribution]:
    """Return the attributed statements of one sentence (one unless it quotes twice)."""
    direct = _direct(text, sentence)
    if direct:
        return direct
    body = text[sentence.start : sentence.end]
    opener = _OPENERS.match(body)
    lead = opener.end() if opener else 0

    according = _ACCORDING_FIRST.match(body, lead)
    if according and _plausible_speaker(according.group("speaker")):
        content = trim_content(text, sentence.start + according.end(), sentence.end)
        if content.start < content.end:
            return [
                Attribution(
                    "reported",
                    content,
                    _span(sentence.start, according, "cue"),
                    _span(sentence.start, according, "speaker"),
                )
            ]

    for pattern in (_TRAILING, _TRAILING_INVERTED):
        trailing = pattern.search(body)
        if trailing and _plausible_speaker(trailing.group("speaker")):
            content = trim_content(text, sentence.start, sentence.start + trailing.start())
            if _word_count(text[content.start : content.end]) >= 3:
                return [
                    Attribution(
                        "reported",
                        content,
                        _span(sentence.start, trailing, "cue"),
                        _span(sentence.start, trailing, "speaker"),
                    )
                ]

    leading = _LEADING.match(body, lead)
    if not (leading and _plausible_speaker(leading.group("speaker"))):
        leading = _LEADING_APPOSITIVE.match(body, lead)
    if leading and _plausible_speaker(leading.group("speaker")):
        cue = _span(sentence.start, leading, "cue")
        start = _content_after_cue(text, sentence, cue.end, leading.group("cue"))
        saying = _SAYING.search(text, start, sentence.end)
        if saying:
            start = saying.end()
        content = trim_content(text, start, sentence.end)
        if _word_count(text[content.start : content.end]) >= 3:
            return [
                Attribution("reported", content, cue, _span(sentence.start, leading, "speaker"))
            ]

    return [Attribution("author", trim_content(text, sentence.start, sentence.end))]

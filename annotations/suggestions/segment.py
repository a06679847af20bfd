"""Sentences and clauses of an article, as code-point spans of its text.

A small rule-based segmenter rather than a library: offsets are exact by
construction (every span is a pair of indices into the text, never a copy
searched for again), a quotation that runs over several sentences stays one
piece (its speaker is named once, after it), and it costs nothing to import.

Rules, in order:

- A line break always ends a sentence (articles come as one paragraph a line).
- ``.``, ``!`` or ``?``, with any closing quotes or brackets after it, ends a
  sentence when white space and then an upper-case letter, a digit or an
  opening quote follow, unless the word before the full stop is a known
  abbreviation ("Mr.", "Gen.", "Jan.") or a single capital ("J. Smith", "U.S.").
- Inside an open quotation no sentence ends before the quotation closes.
"""

import re
from dataclasses import dataclass


def word_set(words: str) -> frozenset[str]:
    """Return the set of the white-space separated words of ``words``."""
    return frozenset(words.split())


ABBREVIATIONS = word_set(
    """mr mrs ms dr prof gen col lt sgt capt cpt maj cmdr adm gov sen rep pres st mt
    jan feb mar apr jun jul aug sep sept oct nov dec no vs etc inc ltd co corp dept est
    approx fig e.g i.e u.s u.k u.n a.m p.m"""
)


_END = re.compile(r"[.!?]+[\"”’»')\]]*")
_WORD_BEFORE = re.compile(r"([\w.]+)\Z")
_NEXT_STARTS = re.compile(r"\s+(?=[\"“‘«(\[]?[A-Z0-9À-Þ])")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


_QUOTE_MARK = re.compile(r"[\"“«”»]")


def _quote_depth_changes(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Return (index, depth after it) for each quote mark between start and end.

    Curly and angle quotes open and close; a straight quote opens when none is
    open and closes the open one otherwise. (Single quotes are apostrophes too
    often to count.)
    """
    changes = []
    depth = 0
    straight_open = False
    for match in _QUOTE_MARK.finditer(text, start, end):
        char = match.group()
        if char in "“«":
            depth += 1
        elif char in "”»":
            depth = max(0, depth - 1)
        else:
            straight_open = not straight_open
            depth = depth + 1 if straight_open else max(0, depth - 1)
        changes.append((match.start(), depth))
    return changes


def _is_abbreviation(text: str, stop: int, line_start: int) -> bool:
    match = _WORD_BEFORE.search(text, line_start, stop)
    if not match:
        return False
    word = match.group(1).lower().rstrip(".")
    if word in ABBREVIATIONS:
        return True
    # A single capital letter: an initial ("J. Smith") or part of one ("U.S.").
    last = word.rsplit(".", 1)[-1]
    return len(last) == 1 and text[stop - 1].isupper()


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if start < end else None


def sentences(text: str) -> list[Span]:
    """Return the sentences of ``text`` in order, trimmed of surrounding white space."""
    spans: list[Span] = []
    line_start = 0
    length = len(text)
    while line_start < length:
        newline = text.find("\n", line_start)
        line_end = length if newline < 0 else newline
        changes = _quote_depth_changes(text, line_start, line_end)
        sentence_start = line_start
        for match in _END.finditer(text, line_start, line_end):
            stop = match.start()
            after = match.end()
            if not _NEXT_STARTS.match(text, after, line_end):
                continue
            if text[stop] == "." and _is_abbreviation(text, stop, line_start):
                continue
            depth = 0
            for index, depth_after in changes:
                if index >= after:
                    break
                depth = depth_after
            if depth > 0:
                continue
            span = _trim(text, sentence_start, after)
            if span:
                spans.append(span)
            sentence_start = after
        span = _trim(text, sentence_start, line_end)
        if span:
            spans.append(span)
        line_start = line_end + 1
    return spans

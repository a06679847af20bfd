"""What makes a statement checkable, and which kind of claim it is.

Each feature is a regular expression over the statement with a reason a
reviewer reads ("a number: 2250") and a weight towards the score. The kind is
the strongest feature found, in this order: comparison, causal, quantity, date
or duration, quotation or characterisation, event. A statement with none of
them is not suggested unless someone is quoted or reported saying it.
"""

import re
from dataclasses import dataclass

MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
NUMBER_WORDS = (
    "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
    "fifty|sixty|seventy|eighty|ninety|hundred|hundreds|thousand|thousands|million|millions|"
    "billion|billions|dozens|dozen|tens of thousands|a third|a quarter|two thirds|half|"
    "twofold|threefold|fourfold|fivefold|tenfold|hundredfold"
)
NUMBER_OR_WORD = rf"(?:\d+|a|an|one|several|few|many|{NUMBER_WORDS})"
UNITS = "days?|weeks?|months?|years?|decades?|hours?|minutes?"

_NUMBER = re.compile(
    r"(?<![\w.])(?:[$€£]\s?)?\d[\d,.]*(?:\s?(?:%|per ?cent|percent|million|billion|bn|m|km|kg))?"
    rf"|\b(?:{NUMBER_WORDS})\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_DATE = re.compile(
    rf"\b(?:(?:\d{{1,2}}\s+)?(?:{MONTHS})\.?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?(?!\d))?(?:,?\s+\d{{4}})?"
    rf"|(?:on|last|next|since|by|until)\s+(?:{WEEKDAYS})"
    rf"|(?:in|since|by|until|from|before|after)\s+(?:1[89]|20)\d\d"
    rf"|(?:for|over|within|in|after)\s+(?:the\s+)?(?:past|last|next|coming|{NUMBER_OR_WORD})"
    rf"\s+(?:{UNITS})"
    rf"|(?:next|last|this|that)\s+(?:week|month|year|weekend|spring|summer|autumn|winter)"
    rf"|(?:on|until|by|since|before|after)\s+(?:at\s+least\s+)?(?:{WEEKDAYS})"
    rf"|\d{{1,2}}(?:[:.]\d\d)?\s*(?:a\.m\.|p\.m\.|am\b|pm\b)|\d{{4}}\s+GMT"
    rf"|(?:{WEEKDAYS})"
    rf"|(?:for|over)\s+(?:several|a few|many)\s+(?:{UNITS})"
    rf"|since\s+(?:the\s+)?(?:start|beginning|end)\b)",
)
_COMPARISON = re.compile(
    r"\b(?:the\s+(?:first\s+time|(?!(?:rest|west|interest|request|protest|contest|arrest|forest|guest|harvest|northwest|southwest|honest|modest|latest)\b)\w+est|most\s+\w+|least\s+\w+|largest|biggest|worst|best|only)"
    r"|(?:more|less|fewer|higher|lower|greater|larger|bigger|smaller|worse|better)"
    r"(?:\s+[a-z]+){0,3}?\s+than(?!\s+(?:\d|a\s|an\s|half|one|two|three|four|five|ten|a\s+third))"
    r"|compared\s+(?:with|to)|twice\s+as|(?:doubled|tripled|halved)"
    r"|(?:rose|fell|increased|decreased|dropped|climbed|grew|declined)\s+(?:by|to|from)"
    r"|\w+'s\s+(?:\w+est|largest|biggest)|record\s+(?:high|low)"
    r"|rather\s+than)\b",
    re.IGNORECASE,
)
_CAUSAL = re.compile(
    r"\b(?:because(?:\s+of)?|due\s+to|as\s+a\s+result(?:\s+of)?|led\s+to|leads\s+to|lead\s+to"
    r"|caused|causes|causing|resulted\s+in|results\s+in|blamed\b[^.]{0,60}?\bfor|responsible\s+for"
    r"|thanks\s+to|owing\s+to|in\s+response\s+to|so\s+that|which\s+(?:meant|means)|(?:is|was|that's)\s+why)\b",
    re.IGNORECASE,
)
_CHARACTERISING = re.compile(
    r"\b(?:dubbed|branded|labelled|labeled|described\s+as|hailed\s+as|denounced\s+as"
    r"|condemned\s+as|called\s+(?:it|them|the\s+\w+|\w+)\s+(?:a|an|the)\b|(?:is|was)\s+simply\s+\w+)",
    re.IGNORECASE,
)
_QUOTED_PHRASE = re.compile(r"[\"“]([^\"“”\n]{2,80})[\"”]")
_EVENT = re.compile(
    r"\b(?:killed|kill|wounded|flew|flown|strikes|raids|missions|injured|attacked|attack|struck|strike|seized|captured|took\s+control"
    r"|advanced|advances|advance|withdrew|withdraw|evacuated?|evacuation|fled|flee|died|"
    r"shelled|bombed|bombardment|besieged|siege|agreed|agreement|signed|deal|ceasefire|truce|"
    r"launched|arrested|released|freed|exchanged?|exchange|voted|vote|approved|passed|"
    r"won|lost|elected|resigned|announced|opened|closed|banned|imposed|lifted|delivered|"
    r"arrived|entered|occurred|happened|met|held|hit|fired|destroyed|collapsed|"
    r"head|handing\s+over|escorted|allowed|moved|meeting|talks|election|elections|uprising|"
    r"increase|decrease|cut|cuts|raise|rise|violence|war|fighting|battle|protests?|invasion|offensive|raid|explosion|blast)\b",
    re.IGNORECASE,
)
_QUESTION_OR_GREETING = re.compile(
    r"^(?:thank\s+you|thanks|good\s+(?:morning|afternoon|evening)|ladies\s+and\s+gentlemen"
    r"|hello|welcome)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Feature:
    kind: str
    reason: str
    weight: float


KIND_ORDER = ("quantity", "comparison", "causal", "date", "characterisation", "event")


def _clip(value: str, limit: int = 40) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def features(statement: str) -> list[Feature]:
    """Return the checkable features of ``statement``, at most one per kind, first found first."""
    found: dict[str, Feature] = {}
    if _QUESTION_OR_GREETING.match(statement) or statement.rstrip('"”’ ').endswith("?"):
        return []
    dates = [m for m in _DATE.finditer(statement) if m.group().strip()]
    date_spans = [(m.start(), m.end()) for m in dates]
    for match in _COMPARISON.finditer(statement):
        found["comparison"] = Feature("comparison", f"a comparison: '{_clip(match.group())}'", 0.35)
        break
    for match in _CAUSAL.finditer(statement):
        found["causal"] = Feature("causal", f"cause and effect: '{_clip(match.group())}'", 0.3)
        break
    for match in _NUMBER.finditer(statement):
        inside_date = any(s <= match.start() < e for s, e in date_spans)
        if inside_date or _YEAR.fullmatch(match.group().strip()):
            continue
        value = match.group().strip().rstrip(",.")
        if not value:
            continue
        found["quantity"] = Feature("quantity", f"a number: {value}", 0.4)
        break
    if dates:
        found["date"] = Feature("date", f"a date: {_clip(dates[0].group())}", 0.3)
    elif _YEAR.search(statement):
        found["date"] = Feature("date", f"a date: {_YEAR.search(statement).group()}", 0.3)
    characterising = _CHARACTERISING.search(statement)
    if characterising:
        found["characterisation"] = Feature(
            "characterisation", f"a characterisation: '{_clip(characterising.group())}'", 0.3
        )
    for match in _QUOTED_PHRASE.finditer(statement):
        if characterising:
            break
        found["characterisation"] = Feature(
            "characterisation", f"a quoted phrase: '{_clip(match.group(1))}'", 0.25
        )
        break
    match = _EVENT.search(statement)
    if match:
        found["event"] = Feature("event", f"an event: '{_clip(match.group())}'", 0.2)
    ordered = [found[kind] for kind in KIND_ORDER if kind in found]
    if characterising:
        # A statement that names something as something is a characterisation first.
        ordered.sort(key=lambda feature: feature.kind != "characterisation")
    return ordered


def kind_of(found: list[Feature], *, direct: bool) -> str:
    """Return the claim kind for a statement with ``found`` features.

    A direct quotation with no stronger feature is a characterisation (what
    someone said, in their words); otherwise an event.
    """
    for feature in found:
        if feature.kind == "event":
            break
        return feature.kind
    if direct:
        return "characterisation"
    return found[0].kind if found else "event"

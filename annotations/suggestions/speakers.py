"""Speakers as the text names them: their kind, their name, the register's match.

Matching a phrase to the register (each speaker's name and aliases, compared
through ``annotations.names``), first rule that finds one speaker wins:

1. **Same name**: the bare key of the phrase, of the name inside it ("rebel
   negotiator Abul Hareth al-Khalidi" → "Abul Hareth al-Khalidi") or of that
   name without a title ("President …"), without a leading "the"/"a", equals a
   name's or alias's bare key.
2. **Initials**: a phrase in capitals ("SOHR") equals the initials of a name's
   words, skipping "of", "for", "the", "and" (Syrian Observatory for Human Rights).
3. **Head noun or surname**: a phrase of one capitalised word after an optional
   "the" ("the Observatory", "Churkin") that is one of the words of the names of
   exactly one speaker.
4. **Near match**: ``names.similarity`` of at least ``names.NEAR_MATCH``, best first.

A phrase that finds nobody is offered as a new speaker with a proposed kind.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import process

from annotations.names import NEAR_MATCH, SCORER, bare_key

from .segment import word_set

# (speaker id, speaker's name, name or alias, its bare key), as register.load_register gives.
RegisterName = tuple[int, str, str, str]

DOCUMENT_NOUNS = word_set(
    "report statement text document deal agreement resolution communique communiqué letter "
    "study survey data figures census memo plan bill law decree order ruling verdict "
    "transcript indictment charter treaty accord"
)
ORGANISATION_NOUNS = word_set(
    "ministry agency observatory army government council committee group front forces police "
    "office court union bank commission party organisation organization coalition network "
    "institute centre center association company monitor authority authorities movement "
    "brigade brigades militia regime embassy mission command media news channel television "
    "tv newspaper broadcaster secretariat assembly parliament senate congress cabinet "
    "administration department service services board fund programme program red crescent "
    "cross nations federation alliance"
)
GROUP_NOUNS = word_set(
    "sources officials residents activists witnesses analysts diplomats medics doctors "
    "rebels fighters people experts observers representatives negotiators leaders "
    "politicians critics opponents supporters lawmakers officers soldiers monitors "
    "investigators inspectors workers employees staff"
)
TITLES = word_set(
    "president prime minister foreign defence defense interior deputy vice secretary general "
    "gen col colonel lt lieutenant major maj capt captain sgt sergeant commander cmdr "
    "ambassador envoy mr mrs ms dr prof professor sheikh king queen prince emir chief "
    "spokesman spokeswoman spokesperson senator sen governor gov mayor judge justice "
    "pope cardinal bishop rev imam ayatollah"
)
NAME_PARTICLES = word_set("al al- el el- bin ibn bint abu de da di van von der du la le ben")
PRONOUNS = {"he": "person", "she": "person", "they": "group", "it": "thing", "we": "group"}
NAME_CONNECTORS = word_set("of for and")
INITIALS_SKIP = word_set("of for the and in on to")

_WORD = re.compile(r"[\w'’.-]+")


@dataclass(frozen=True, slots=True)
class Mention:
    """A speaker phrase as the article writes it, with what the rules make of it."""

    text: str  # the words in the article
    name: str  # the name inside it, for the register and for a new speaker
    kind: str  # person, organisation, unnamed or document
    role: str  # the words before the name ("rebel negotiator"), if any


def strip_determiner(value: str) -> str:
    lowered = value.lower()
    for determiner in ("the ", "a ", "an "):
        if lowered.startswith(determiner):
            return value[len(determiner) :]
    return value


def _is_capitalised(word: str) -> bool:
    return (
        word[:1].isupper()
        or word.lower() in NAME_PARTICLES
        or word.lower().startswith(("al-", "el-"))
    )


_AFFILIATION = re.compile(r"\s+(?:of|from|at)\s+(?=(?:the\s+)?[A-Z])")


def _without_affiliation(text: str) -> str:
    """Return a person's phrase without "of/from/at ORGANISATION" ("Dr Okafor of X University").

    Only when the words before name a person: "Syrian Observatory for Human
    Rights" and "Ministry of Defence" keep their words.
    """
    match = _AFFILIATION.search(text)
    if not match:
        return text
    left = text[: match.start()]
    left_words = [w.lower().strip(".,'’s") for w in left.split()]
    capitalised = [
        w for w in left.split() if w[:1].isupper() and w.lower().rstrip(".") not in TITLES
    ]
    if len(capitalised) >= 2 and not ORGANISATION_NOUNS.intersection(left_words):
        return left
    return text


def describe(phrase: str) -> Mention:
    """Return the name, kind and role in a speaker phrase."""
    text = " ".join(phrase.strip(" \"“”'").split())
    words = _WORD.findall(strip_determiner(_without_affiliation(text)))
    # The trailing run of capitalised words is the name ("rebel negotiator Abul Hareth al-Khalidi").
    run_start = len(words)
    while (
        run_start > 0
        and (
            _is_capitalised(words[run_start - 1])
            # "Observatory for Human Rights", "Ministry of Defence": one name.
            or (
                words[run_start - 1].lower() in NAME_CONNECTORS
                and run_start >= 2
                and words[run_start - 2][:1].isupper()
            )
        )
    ):
        run_start -= 1
    while run_start < len(words) and words[run_start].lower() in NAME_PARTICLES:
        run_start += 1
    name_words = words[run_start:]
    role_words = words[:run_start]
    lowered = [w.lower().strip(".'’s") for w in words]
    head = lowered[-1] if lowered else ""
    if name_words and len(name_words) < len(words) and not role_words[-1][:1].isupper():
        role = " ".join(role_words)
    else:
        role = ""
    # After a title, the name ("Hydrologist Dr Sarah Okafor", "President Bashar al-Assad").
    titled = [i for i, w in enumerate(name_words) if w.lower().rstrip(".") in TITLES]
    after_title = name_words[titled[-1] + 1 :] if titled else name_words
    person_name = [w for w in after_title if w.lower().rstrip(".") not in TITLES]
    if (
        len(person_name) >= 2
        and not ORGANISATION_NOUNS.intersection(w.lower() for w in name_words)
        and not ORGANISATION_NOUNS.intersection(lowered[-1:])
    ):
        kind = "person"
    elif head in DOCUMENT_NOUNS:
        kind = "document"
    elif any(w in ORGANISATION_NOUNS for w in lowered) or (
        len(words) == 1 and words[0].isupper() and len(words[0]) >= 2
    ):
        kind = "organisation" if (name_words or head in ORGANISATION_NOUNS) else "unnamed"
        if head in GROUP_NOUNS or head in ("official", "source", "spokesman", "spokeswoman"):
            kind = "unnamed"
    elif len([w for w in name_words if w.lower() not in TITLES]) >= 2 or (
        name_words and any(w.lower().rstrip(".") in TITLES for w in name_words)
    ):
        kind = "person"
    elif len(name_words) == 1 and not role_words:
        kind = "person"  # a surname on its own
    else:
        kind = "unnamed"
    if kind == "person" and name_words:
        name = " ".join(person_name or name_words)
        if name.isupper() and len(name) > 3:
            name = name.title()  # a transcript's label, "PRIME MINISTER ADEYEMI"
    elif kind == "unnamed":
        name = strip_determiner(text)
        name = name[:1].upper() + name[1:]
    else:
        name = strip_determiner(text)
        name = name[:1].upper() + name[1:]
    return Mention(text=text, name=name, kind=kind, role=role)


def pronoun_class(phrase: str) -> str | None:
    """Return "person", "group" or "thing" for a pronoun, else None."""
    return PRONOUNS.get(phrase.strip().lower())


def _initials(bare: str) -> str:
    return "".join(word[0] for word in bare.split() if word not in INITIALS_SKIP)


class Register:
    """The register's names, loaded once per computation, with their keys precomputed."""

    def __init__(self, names: Iterable[RegisterName]) -> None:
        self.names: Sequence[RegisterName] = list(names)
        self._by_bare: dict[str, tuple[int, str]] = {}
        self._by_initials: dict[str, set[tuple[int, str]]] = {}
        self._by_word: dict[str, set[tuple[int, str]]] = {}
        for speaker_id, speaker_name, _name, bare in self.names:
            who = (speaker_id, speaker_name)
            stripped = strip_determiner(bare)  # a bare key is already folded and spaced
            self._by_bare.setdefault(bare, who)
            self._by_bare.setdefault(stripped, who)
            if len(stripped.split()) >= 2:
                self._by_initials.setdefault(_initials(stripped), set()).add(who)
            for word in stripped.split():
                if word not in INITIALS_SKIP and len(word) > 2:
                    self._by_word.setdefault(word, set()).add(who)
        self._keys = [entry[3] for entry in self.names]
        self._cache: dict[str, tuple[int, str] | None] = {}

    def match(self, mention: Mention) -> tuple[int, str] | None:
        """Return (id, name) of the register's speaker for ``mention``, or None."""
        key = mention.text
        if key not in self._cache:
            self._cache[key] = self._match(mention)
        return self._cache[key]

    def _match(self, mention: Mention) -> tuple[int, str] | None:
        candidates = []
        for value in (mention.text, mention.name):
            bare = bare_key(strip_determiner(value))
            if bare and bare not in candidates:
                candidates.append(bare)
        for bare in candidates:
            if bare in self._by_bare:
                return self._by_bare[bare]
        phrase = strip_determiner(mention.text).strip()
        if phrase.isupper() and 2 <= len(phrase) <= 8 and " " not in phrase:
            found = self._by_initials.get(phrase.lower(), set())
            if len(found) == 1:
                return next(iter(found))
        words = phrase.split()
        if len(words) == 1 and words[0][:1].isupper():
            found = self._by_word.get(
                bare_key(words[0]).split()[-1] if bare_key(words[0]) else "", set()
            )
            if len(found) == 1:
                return next(iter(found))
        best: tuple[float, tuple[int, str]] | None = None
        for bare in candidates:
            # names.similarity's own scorer, run over the whole register in one call.
            found = process.extractOne(bare, self._keys, scorer=SCORER, score_cutoff=NEAR_MATCH)
            if found and (best is None or found[1] > best[0]):
                speaker_id, speaker_name, _name, _bare = self.names[found[2]]
                best = (found[1], (speaker_id, speaker_name))
        return best[1] if best else None

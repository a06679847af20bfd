"""The domain of the fact-check desk.

A claim is a span of an article's text, stored as rows with integer offsets
counted in Unicode code points (Python string indices), after the W3C Web
Annotation model's TextPositionSelector and TextQuoteSelector. Writes go
through ``annotations.services``: the models hold data and constraints only.
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from . import names
from .text import clip

CONTEXT_CHARS = 32

# The longest text the services take in each text column that the database leaves
# unbounded, in characters (code points); the API's schema and the forms show them.
ARTICLE_TEXT_MAX = 1_000_000  # a long report is some 100,000; a request holds 2.5 MB
QUOTE_MAX = 5_000
RESTATEMENT_MAX = 2_000
NOTE_MAX = 5_000
EXCERPT_MAX = 5_000
RATIONALE_MAX = 10_000
REASON_MAX = 5_000

http_url_validator = URLValidator(
    schemes=["http", "https"], message="Enter a web address that starts with http:// or https://."
)


class WebAddressField(models.URLField):
    """A URL field that takes http and https addresses only, and says so in one message."""

    default_validators = [http_url_validator]


language_validator = RegexValidator(
    r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$",
    "Enter a language tag such as en, ar or fr-CA.",
)


class SpeakerKind(models.TextChoices):
    PERSON = "person", "Named person"
    ORGANISATION = "organisation", "Organisation"
    UNNAMED = "unnamed", "Unnamed source or group"
    DOCUMENT = "document", "Document"


class SeedSide(models.TextChoices):
    """The sides every desk starts with (migration 0006 seeds them as ``Side`` rows).

    Their values are the slugs the exports give; a desk adds its own sides in the admin.
    """

    OPPOSITION = "opposition", "Opposition"
    GOVERNMENT = "government", "Government"
    PRO_GOVERNMENT_ALLY = "pro_government_ally", "Pro-government ally"
    INDEPENDENT_MONITOR = "independent_monitor", "Independent monitor"
    INTERNATIONAL_BODY = "international_body", "International body"
    MEDIA = "media", "Media"
    UNKNOWN = "unknown", "Unknown"


class ClaimKind(models.TextChoices):
    QUANTITY = "quantity", "Quantity"
    DATE = "date", "Date or duration"
    EVENT = "event", "Event"
    CHARACTERISATION = "characterisation", "Quotation or characterisation"
    COMPARISON = "comparison", "Comparison"
    CAUSAL = "causal", "Causal"
    OTHER = "other", "Other"


class Attribution(models.TextChoices):
    DIRECT_QUOTE = "direct", "Direct quote"
    REPORTED_SPEECH = "reported", "Reported speech"
    AUTHOR = "author", "The article's own voice"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"


class Stance(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    REFUTES = "refutes", "Refutes"
    CONTEXT = "context", "Adds context"


class Rating(models.TextChoices):
    FALSE = "false", "False"
    MOSTLY_FALSE = "mostly_false", "Mostly false"
    MIXED = "mixed", "Mixed"
    MOSTLY_TRUE = "mostly_true", "Mostly true"
    TRUE = "true", "True"
    UNVERIFIABLE = "unverifiable", "Unverifiable"


TITLE_WORDS = 10


def title_from_opening(opening: str) -> str:
    """Return the first words of an article's text, to name an article that has no title.

    ``opening`` may be the whole text or only its start (a list reads a few
    hundred characters rather than whole texts): the title is the same as long
    as it holds the first TITLE_WORDS words and the start of the next.
    """
    words = opening.split(maxsplit=TITLE_WORDS)
    if len(words) > TITLE_WORDS:
        return " ".join(words[:TITLE_WORDS]) + "…"
    return " ".join(words)


class ArticleManager(models.Manager["Article"]):
    def get_by_natural_key(self, text_sha256: str) -> "Article":
        return self.get(text_sha256=text_sha256)


class Article(models.Model):
    """A news article whose text is annotated; only what the source says is recorded."""

    title = models.CharField(max_length=500, blank=True)
    outlet = models.CharField(max_length=200, blank=True)
    byline = models.CharField(max_length=300, blank=True)
    url = WebAddressField("URL", max_length=2000, blank=True)
    published_on = models.DateField("publication date", null=True, blank=True)
    language = models.CharField(
        max_length=35,
        default="en",
        validators=[language_validator],
        help_text="BCP 47 language tag of the text, such as en or ar.",
    )
    text = models.TextField(help_text="The body text exactly as loaded.")
    text_sha256 = models.CharField(
        "SHA-256 of the text", max_length=64, unique=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ArticleManager()

    class Meta:
        ordering = ["-published_on", "-created_at", "-id"]
        permissions = [("import_article", "Can import articles")]
        constraints = [
            # One article per canonical address; articles pasted without one share the blank.
            models.UniqueConstraint(
                fields=["url"], condition=~Q(url=""), name="article_url_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    def natural_key(self) -> tuple[str]:
        return (self.text_sha256,)

    @property
    def display_title(self) -> str:
        """Return the title, or the opening words of the text when the source gave none."""
        return self.title or title_from_opening(self.text)


UNKNOWN_SIDE = SeedSide.UNKNOWN.value

side_colour_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", "Enter a colour as # and six hexadecimal digits, such as #d2691e."
)
wikidata_id_validator = RegexValidator(
    r"^Q[1-9][0-9]*\Z", "Enter a Wikidata identifier: Q and a number, such as Q42."
)


class SideManager(models.Manager["Side"]):
    def get_by_natural_key(self, slug: str) -> "Side":
        return self.get(slug=slug)


class Side(models.Model):
    """A party to the events a desk covers; each desk keeps its own list.

    The ``slug`` is the primary key and the stable value the exports and the API
    give (``opposition``): it cannot change once made. The name, description and
    colour may change freely.
    """

    slug = models.SlugField(
        primary_key=True,
        max_length=40,
        help_text="The stable machine value exports give, such as turkey_backed_opposition; "
        "it cannot change once saved.",
    )
    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=300, blank=True)
    colour = models.CharField(
        max_length=7,
        default="#7d7d7d",
        validators=[side_colour_validator],
        help_text="The colour of its highlights and legend on the article page.",
    )
    position = models.PositiveSmallIntegerField(
        default=100, help_text="Sides are listed by this number, then by name."
    )

    history = HistoricalRecords()
    objects = SideManager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class SpeakerManager(models.Manager["Speaker"]):
    def get_by_natural_key(self, name: str) -> "Speaker":
        return self.get(name_key=names.name_key(name))


class Speaker(models.Model):
    """The one a claim is attributed to: a person, an organisation, a group, a document.

    ``name_key`` and ``bare_key`` are the name's keys (``annotations.names``), set
    by the services: the database keeps ``name_key`` unique. A merged speaker
    stays, with ``merged_into`` naming the one that took its claims and names.
    """

    Kind = SpeakerKind

    Side = SeedSide

    name = models.CharField(max_length=200)
    name_key = models.CharField(max_length=400, editable=False)
    bare_key = models.CharField(max_length=400, db_index=True, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    side = models.ForeignKey(
        "Side", on_delete=models.PROTECT, default=UNKNOWN_SIDE, related_name="speakers"
    )
    role = models.CharField(max_length=200, blank=True, help_text="For example “rebel negotiator”.")
    reference_url = WebAddressField(
        "reference URL",
        max_length=2000,
        blank=True,
        help_text="A page that identifies the speaker, such as its Wikidata entry.",
    )
    wikidata_id = models.CharField(
        "Wikidata ID",
        max_length=20,
        blank=True,
        validators=[wikidata_id_validator],
        help_text="The speaker's Wikidata item, such as Q42, so other tools can match it.",
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_speakers",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = SpeakerManager()

    class Meta:
        ordering = ["name_key"]
        permissions = [("merge_speaker", "Can merge speakers")]
        constraints = [
            models.UniqueConstraint(fields=["name_key"], name="speaker_name_key_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=SpeakerKind.values), name="speaker_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(name_key=""), name="speaker_name_key_set"),
            models.CheckConstraint(
                condition=~Q(merged_into=F("id")), name="speaker_not_merged_into_itself"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.name,)

    @property
    def wikidata_url(self) -> str:
        """Return the speaker's Wikidata page, or "" without an identifier."""
        return f"https://www.wikidata.org/wiki/{self.wikidata_id}" if self.wikidata_id else ""


class SpeakerAliasManager(models.Manager["SpeakerAlias"]):
    def get_by_natural_key(self, name: str) -> "SpeakerAlias":
        return self.get(name_key=names.name_key(name))


class SpeakerAlias(models.Model):
    """Another name a speaker goes by, such as “SOHR”; unique across speakers and their names."""

    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    name_key = models.CharField(max_length=400, editable=False)
    bare_key = models.CharField(max_length=400, db_index=True, editable=False)

    history = HistoricalRecords()
    objects = SpeakerAliasManager()

    class Meta:
        ordering = ["name_key"]
        verbose_name_plural = "speaker aliases"
        constraints = [
            models.UniqueConstraint(fields=["name_key"], name="speaker_alias_name_key_unique"),
            models.CheckConstraint(condition=~Q(name_key=""), name="speaker_alias_name_key_set"),
        ]

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.name,)


class Claim(models.Model):
    """A checkable statement highlighted in an article, attributed to its speaker."""

    Kind = ClaimKind

    Attribution = Attribution

    Status = Status

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="claims")

    # TextPositionSelector, in code points; TextQuoteSelector.
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quote = models.TextField()
    prefix = models.CharField(max_length=CONTEXT_CHARS, blank=True)
    suffix = models.CharField(max_length=CONTEXT_CHARS, blank=True)

    restatement = models.TextField(
        blank=True, help_text="The checkable claim in the reviewer's own words."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)

    # Attribution after PARC: source (speaker), cue, content (the quote).
    speaker = models.ForeignKey(
        Speaker, on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    attribution = models.CharField(max_length=10, choices=Attribution.choices)
    cue_start = models.PositiveIntegerField(null=True, blank=True)
    cue_end = models.PositiveIntegerField(null=True, blank=True)
    cue = models.CharField(
        max_length=200, blank=True, help_text="The words that attribute, such as “said”."
    )
    note = models.TextField(blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_verdict = models.ForeignKey(
        "Verdict", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    # How many verdicts it has, kept by services.verdict_give (the one write that adds a
    # verdict), so that a listing reads a column rather than counting rows per claim.
    verdict_count = models.PositiveIntegerField(default=0, editable=False)

    # Bumped by every edit of the claim itself, for optimistic concurrency.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claims"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped by any change to the claim, its sources or its verdicts.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    # The count changes with the verdicts, whose own history records them: in the claim's,
    # it would show up as a change in whichever edit of the claim came next.
    history = HistoricalRecords(excluded_fields=["verdict_count"])

    class Meta:
        ordering = ["article_id", "start", "end", "id"]
        indexes = [models.Index(fields=["article", "start"], name="claim_article_start_idx")]
        permissions = [("moderate_claim", "Can verify or reject claims")]
        constraints = [
            models.CheckConstraint(condition=Q(start__gte=0), name="claim_start_not_negative"),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="claim_start_before_end"),
            models.CheckConstraint(
                condition=(
                    Q(cue_start__isnull=True, cue_end__isnull=True)
                    # Spelled out: a comparison with NULL would let a half-set span pass.
                    | Q(
                        cue_start__isnull=False,
                        cue_end__isnull=False,
                        cue_start__gte=0,
                        cue_start__lt=F("cue_end"),
                    )
                ),
                name="claim_cue_span_valid",
            ),
            models.CheckConstraint(
                condition=Q(speaker__isnull=False) | Q(attribution="author"),
                name="claim_speaker_unless_author",
            ),
            models.CheckConstraint(condition=Q(kind__in=ClaimKind.values), name="claim_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="claim_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(attribution__in=Attribution.values), name="claim_attribution_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="verified", published_verdict__isnull=False)
                    | (~Q(status="verified") & Q(published_verdict__isnull=True))
                ),
                name="claim_verified_has_published_verdict",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="claim_rejected_has_reason",
            ),
            # The exports and the public pages print who decided and when.
            models.CheckConstraint(
                condition=~Q(status__in=["verified", "rejected"])
                | Q(moderated_at__isnull=False, moderated_by__isnull=False),
                name="claim_moderated_has_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"“{clip(self.quote, 60)}”"

    @property
    def is_open(self) -> bool:
        """Return whether reviewers may still change the claim, its sources and verdicts."""
        return self.status in (self.Status.DRAFT, self.Status.IN_REVIEW)


class Source(models.Model):
    """A piece of evidence for or against a claim."""

    Stance = Stance

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="sources")
    url = WebAddressField("URL", max_length=2000)
    title = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    published_on = models.DateField("publication date", null=True, blank=True)
    excerpt = models.TextField(blank=True, help_text="The passage that matters.")
    stance = models.CharField(max_length=10, choices=Stance.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sources"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["claim_id", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stance__in=Stance.values), name="source_stance_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url


class Verdict(models.Model):
    """One reviewer's current rating of one claim, on the scale below."""

    Rating = Rating

    # The documented ordinal scale, worst to best, with the number each rating
    # exports as. Unverifiable stands outside the scale and has no number.
    SCALE: dict[str, int] = {
        Rating.FALSE: 1,
        Rating.MOSTLY_FALSE: 2,
        Rating.MIXED: 3,
        Rating.MOSTLY_TRUE: 4,
        Rating.TRUE: 5,
    }
    WORST = 1
    BEST = 5

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="verdicts")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="verdicts"
    )
    rating = models.CharField(max_length=15, choices=Rating.choices)
    rationale = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["claim_id", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "reviewer"], name="verdict_one_per_reviewer"),
            models.CheckConstraint(
                condition=Q(rating__in=Rating.values), name="verdict_rating_valid"
            ),
            models.CheckConstraint(condition=~Q(rationale=""), name="verdict_has_rationale"),
        ]

    def __str__(self) -> str:
        return f"{self.get_rating_display()} by {self.reviewer}"

    @property
    def rating_value(self) -> int | None:
        """Return the rating's number on the scale, or None for Unverifiable."""
        return self.SCALE.get(self.rating)


class SuggestionDismissal(models.Model):
    """A suggested claim one reviewer dismissed, so that it is no longer shown to them.

    A suggestion is known by its span and its quote: ``quote_sha256`` is the
    SHA-256 of the text at ``start``–``end`` when it was dismissed.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="suggestion_dismissals"
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quote_sha256 = models.CharField("SHA-256 of the quote", max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article_id", "start", "end", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "article", "start", "end", "quote_sha256"],
                name="suggestion_dismissed_once",
            ),
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="suggestion_dismissal_start_before_end"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start}–{self.end} in article {self.article_id}"


class IdempotencyKey(models.Model):
    """The first answer to a POST sent with an Idempotency-Key, replayed to its repeats.

    Written in the same transaction as what the request wrote: a key is stored
    if and only if its write was. ``manage.py clear_idempotency_keys`` deletes
    keys older than KEEP (run it daily).
    """

    KEEP = timedelta(hours=24)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request = models.CharField(max_length=2100, help_text="The method and the path.")
    body_sha256 = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    body = models.BinaryField(default=b"")
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.request})"


# The limits above by model and text field, for the forms built from the models.
TEXT_LIMITS: dict[tuple[str, str], int] = {
    ("article", "text"): ARTICLE_TEXT_MAX,
    ("claim", "quote"): QUOTE_MAX,
    ("claim", "restatement"): RESTATEMENT_MAX,
    ("claim", "note"): NOTE_MAX,
    ("claim", "rejection_reason"): REASON_MAX,
    ("source", "excerpt"): EXCERPT_MAX,
    ("verdict", "rationale"): RATIONALE_MAX,
}

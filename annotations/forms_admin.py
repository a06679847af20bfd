"""Forms of the moderators' desk in the admin.

Nothing here writes around ``annotations.services``: a model form records in
``clean()`` the values that differ from its instance, validates them with the
service's own rules, and ``write()`` hands them to the service. The admin
calls ``write()`` from ``save_model()``; ``form.save(commit=True)`` is refused.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction

from . import permissions, services
from .models import Article, Claim, Speaker, Verdict

Refusal = ValidationError | PermissionDenied


def refusal_messages(exc: Refusal) -> dict[str | None, list[str]]:
    """Return a service's refusal as messages by the field they name (None: no field)."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return {
                field: ValidationError(errors).messages for field, errors in exc.error_dict.items()
            }
        return {None: exc.messages}
    return {None: [str(exc) or "You may not do this."]}


def add_refusal(
    form: forms.BaseForm, exc: Refusal, *, shared: forms.BaseForm | None = None
) -> None:
    """Show a service's refusal on a validated form, each message beside the field it names.

    A field the form lacks but ``shared`` has goes to ``shared`` (once, however
    many claims repeat it); any other message goes to the top of ``form``.
    """
    for field, messages in refusal_messages(exc).items():
        target, name = form, None
        if field in form.fields:
            name = field
        elif shared is not None and field in shared.fields:
            target, name = shared, field
        shown = target.errors.get(name or NON_FIELD_ERRORS, [])
        for message in messages:
            if message not in shown:
                target.add_error(name, message)


def formfield(field: models.Field, **kwargs: Any) -> forms.Field | None:
    """Return the form field for a model field; a web address typed without a scheme gets https."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class _DryRun(Exception):
    """Rolls back a write path that ran only to validate its input."""


def dry_run(write: Callable[[], object]) -> None:
    """Run a write path in a savepoint that is always rolled back, raising what it refuses.

    Speakers and articles have no public “check” function like
    ``services.check_claim``, and their rules need the database (a name another
    speaker already has, an article whose text claims point into). Running the
    real service and rolling it back validates with exactly its rules and
    messages, without copying them here or calling its private helpers. The
    admin then runs the service again, for real, from ``save_model()``.
    """
    try:
        with transaction.atomic():
            write()
            raise _DryRun
    except _DryRun:
        pass


class ServiceModelForm(forms.ModelForm):
    """A model form whose instance is written by a service, never by ``form.save()``."""

    # The acting user, bound by the admin's get_form() for each request.
    user: AbstractBaseUser | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.changes: dict[str, Any] = {}

    def record_changes(self, fields: tuple[str, ...]) -> None:
        """Keep the cleaned values that differ from the instance as it was loaded.

        Called from clean(): after it, ``_post_clean()`` copies the values onto
        the instance, so the difference cannot be told any more.
        """
        adding = self.instance.pk is None
        cleaned = self.cleaned_data
        self.changes = {
            field: cleaned[field]
            for field in fields
            if field in cleaned and (adding or cleaned[field] != getattr(self.instance, field))
        }

    def write(self) -> models.Model:
        raise NotImplementedError

    def save(self, commit: bool = True) -> models.Model:
        if commit:
            raise TypeError(f"{type(self).__name__} is written by a service: call write().")
        return super().save(commit=False)


# Claims --------------------------------------------------------------------

# A moderator edits what was said about a highlight, never the highlight itself.
CLAIM_EDITABLE = tuple(f for f in services.CLAIM_FIELDS if f not in services.CLAIM_SPAN_FIELDS)


class ClaimAdminForm(ServiceModelForm):
    """A moderator's edit of a claim's wording and attribution; the highlight itself stays."""

    # The version the moderator loaded, so an edit made meanwhile is not overwritten.
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Claim
        fields = CLAIM_EDITABLE

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expected_version"].initial = self.instance.version
        restatement = self.fields.get("restatement")
        if restatement is not None and self.instance.status != Claim.Status.DRAFT:
            # claim_update's rule, said by the form so it shows beside the field.
            restatement.required = True
            restatement.error_messages["required"] = services.RESTATEMENT_NEEDED

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        claim = self.instance
        if self.user is None or not permissions.can_edit_claim(self.user, claim):
            raise ValidationError(
                "You may not edit this claim: it is closed, or it is not yours to edit."
            )
        version = cleaned.get("expected_version")
        if version is not None and version != claim.version:
            raise ValidationError(str(services.StaleVersion(claim)))
        if self.errors:
            return cleaned  # check_claim needs every value
        self.record_changes(CLAIM_EDITABLE)
        values = {field: getattr(claim, field) for field in CLAIM_EDITABLE} | self.changes
        try:
            services.check_claim(
                article_id=claim.article_id,
                start=claim.start,
                end=claim.end,
                quote=claim.quote,
                kind=values["kind"],
                speaker=values["speaker"],
                attribution=values["attribution"],
                # As claim_update does: a cue span names its own words unless the cue was edited.
                cue=values["cue"] if "cue" in self.changes or values["cue_start"] is None else "",
                cue_start=values["cue_start"],
                cue_end=values["cue_end"],
            )
        except ValidationError as exc:
            add_refusal(self, exc)
        return cleaned

    def write(self) -> Claim:
        return services.claim_update(
            claim=self.instance,
            user=self.user,
            expected_version=self.cleaned_data["expected_version"],
            **self.changes,
        )


# Speakers ------------------------------------------------------------------

SPEAKER_EDITABLE = ("name", "kind", "side", "role", "reference_url")


class SpeakerAdminForm(ServiceModelForm):
    aliases = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Other names the speaker goes by, one a line, such as “SOHR”.",
    )

    class Meta:
        model = Speaker
        fields = SPEAKER_EDITABLE
        formfield_callback = formfield

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["aliases"].initial = "\n".join(a.name for a in self.instance.aliases.all())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors:
            self.record_changes(SPEAKER_EDITABLE)
            if self.instance.pk is None or "aliases" in self.changed_data:
                self.changes["aliases"] = cleaned["aliases"].splitlines()
            try:
                dry_run(self.write)
            except (ValidationError, PermissionDenied) as exc:
                add_refusal(self, exc)
        return cleaned

    def write(self) -> Speaker:
        if self.instance.pk is None:
            return services.speaker_create(user=self.user, **self.changes)
        return services.speaker_update(speaker=self.instance, user=self.user, **self.changes)


# Articles ------------------------------------------------------------------

TEXT_LOCKED_HELP = (
    "Read-only: claims point into this text by their offsets, so changing it would move "
    "them. Load a corrected text as a new article."
)


class ArticleAdminForm(ServiceModelForm):
    class Meta:
        model = Article
        fields = services.ARTICLE_FIELDS
        formfield_callback = formfield

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "text" in self.fields:
            self.fields["text"].strip = False  # the text is stored exactly as loaded

    def clean_text(self) -> str:
        # Browsers submit a textarea's line breaks as CRLF; the text keeps LF.
        return self.cleaned_data["text"].replace("\r\n", "\n")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors:
            self.record_changes(services.ARTICLE_FIELDS)
            try:
                dry_run(self.write)
            except (ValidationError, PermissionDenied) as exc:
                add_refusal(self, exc)
        return cleaned

    def write(self) -> Article:
        if self.instance.pk is None:
            return services.article_create(user=self.user, **self.changes)
        return services.article_update(article=self.instance, user=self.user, **self.changes)


# Bulk actions on claims ----------------------------------------------------


class ClaimActionForm(forms.Form):
    """What a bulk action asks about one claim; by default nothing, but its errors show."""

    def __init__(self, *args: Any, claim: Claim, **kwargs: Any) -> None:
        self.claim = claim
        super().__init__(*args, **kwargs)


OWN_VERDICT = "own"


def verdict_choice(verdict: Verdict) -> str:
    """Return the value that picks this verdict, as it stands now, to publish.

    It carries the time the verdict last changed: if its reviewer changes it
    after the page was loaded, the moderator's choice no longer matches and
    they are asked to look again instead of publishing what they did not see.
    """
    return f"{verdict.pk}@{verdict.updated_at.isoformat()}"


class VerifyClaimForm(ClaimActionForm):
    publish = forms.ChoiceField(
        label="Publish",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a reviewer's verdict to publish, or give your own.",
            "invalid_choice": (
                "This verdict has changed or been withdrawn since the page was loaded: "
                "look at it again and choose."
            ),
        },
    )
    rating = forms.ChoiceField(
        label="Your rating", choices=[("", "---------"), *Verdict.Rating.choices], required=False
    )
    rationale = forms.CharField(
        label="Your rationale", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, claim: Claim, **kwargs: Any) -> None:
        super().__init__(*args, claim=claim, **kwargs)
        # claim.verdicts is prefetched with the reviewers by selectors.claims_with_context().
        self.verdicts = {verdict_choice(v): v for v in claim.verdicts.all()}
        self.fields["publish"].choices = [
            *(
                (value, f"{v.reviewer}: {v.get_rating_display()} — {_clip(v.rationale)}")
                for value, v in self.verdicts.items()
            ),
            (OWN_VERDICT, "My own verdict, below"),
        ]
        if not self.verdicts:
            self.fields["publish"].initial = OWN_VERDICT  # the only choice there is

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        publish = cleaned.get("publish")
        if publish == OWN_VERDICT:
            if not cleaned.get("rating"):
                self.add_error("rating", "Choose the rating of your verdict.")
        elif publish:
            cleaned["verdict"] = self.verdicts[publish]
        return cleaned


class ReasonForm(forms.Form):
    """The one reason recorded on every claim of a bulk rejection or reopening."""

    # Not required here: the service refuses an empty reason with its own words.
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "cols": 80}), required=False)


def _clip(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"

"""Forms for the reviewers' pages: they parse what the browser sends; the services judge it.

Each form turns posted strings into the types its service takes (integers,
speakers, dates) and says what is missing or malformed. The rules (a quote that
matches the text, who may edit what) are checked once, in ``services``; a
field is required here only where its service has no better message.
"""

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from .models import Attribution, ClaimKind, Rating, Side, Speaker, SpeakerKind, Stance


def _choice(choices: Any, what: str, **kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=choices,
        error_messages={
            "required": f"Choose {what}.",
            "invalid_choice": f"“%(value)s” is not {what} we know: choose one from the list.",
        },
        **kwargs,
    )


def _offset(**kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"invalid": "Offsets are whole numbers; select the text again."},
        **kwargs,
    )


class SpeakerChoiceField(forms.ModelChoiceField):
    """A speaker by its id, as the type-ahead sets it."""

    default_error_messages = {
        "invalid_choice": "That speaker no longer exists: pick another one from the list.",
    }


class ClaimFieldsForm(forms.Form):
    """The fields a reviewer writes about a claim, when creating it and when editing it."""

    restatement = forms.CharField(
        label="Checkable claim",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "The claim in your own words"}),
        help_text="Needed before the claim goes to review.",
    )
    kind = _choice(ClaimKind.choices, "a kind of claim", initial=ClaimKind.OTHER)
    speaker = SpeakerChoiceField(queryset=Speaker.objects.all(), required=False)
    attribution = _choice(
        Attribution.choices, "a kind of attribution", initial=Attribution.REPORTED_SPEECH
    )
    cue = forms.CharField(
        label="Cue",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "said, according to…"}),
    )
    cue_start = _offset(required=False)
    cue_end = _offset(required=False)
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2, "placeholder": "For the desk"})
    )


class ClaimForm(ClaimFieldsForm):
    """A new claim: the highlighted span, as the page counted it in code points, and its fields."""

    start = _offset()
    end = _offset()
    # The quote and its context are compared with the text character for character.
    quote = forms.CharField(strip=False, required=False, widget=forms.HiddenInput)
    prefix = forms.CharField(strip=False, required=False, widget=forms.HiddenInput)
    suffix = forms.CharField(strip=False, required=False, widget=forms.HiddenInput)
    # Not named "submit": a form control of that name would hide the form's submit().
    submit_for_review = forms.BooleanField(required=False)

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["submit"] = data.pop("submit_for_review")
        return data


class ClaimEditForm(ClaimFieldsForm):
    """An edit of an open claim, made on the version the reviewer loaded."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"required": "The form lost track of the claim's version: reload it."},
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["expected_version"] = data.pop("version")
        return data


class SourceForm(forms.Form):
    # A CharField, not a URLField: the model's validator gives the message, and a
    # URLField would quietly add a scheme to what the reviewer typed.
    url = forms.CharField(
        label="Address",
        max_length=2000,
        error_messages={"required": "Give the source's web address."},
        widget=forms.TextInput(attrs={"placeholder": "https://", "inputmode": "url"}),
    )
    stance = _choice(Stance.choices, "a stance")
    title = forms.CharField(required=False, max_length=500)
    publisher = forms.CharField(required=False, max_length=200)
    published_on = forms.DateField(
        label="Published",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the date as YYYY-MM-DD."},
    )
    excerpt = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "The passage that matters"}),
    )


class VerdictForm(forms.Form):
    rating = _choice(Rating.choices, "a rating", widget=forms.RadioSelect)
    rationale = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What the sources show"}),
    )


class SpeakerForm(forms.Form):
    """A new speaker made on the spot, inside a claim's form (hence the prefix)."""

    prefix = "speaker"

    name = forms.CharField(
        max_length=200, error_messages={"required": "Give the new speaker's name."}
    )
    kind = _choice(SpeakerKind.choices, "a kind of speaker")
    side = _choice(Side.choices, "a side", initial=Side.UNKNOWN)


def error_dict(form: forms.Form | None, exc: ValidationError | None = None) -> dict[str, list[str]]:
    """Return the form's errors, or the service's, keyed by the names the page's inputs carry.

    A service may name a field the form does not have (``status``, ``article``):
    it keeps that name, and the page shows it above the form.
    """
    items: Any = []
    if exc is not None and hasattr(exc, "error_dict"):
        items = exc.message_dict.items()
    elif exc is not None:
        items = [(NON_FIELD_ERRORS, exc.messages)]
    elif form is not None:
        items = ((field, [str(e) for e in errors]) for field, errors in form.errors.items())
    return {
        (form.add_prefix(field) if form is not None and field in form.fields else field): list(
            messages
        )
        for field, messages in items
    }

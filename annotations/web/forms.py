"""The fields of the article page's forms, as Django renders them.

The page's script reads these forms and sends JSON to /api/, whose serializers
and services judge what was sent; nothing here validates. The names are the
API's field names, so that its errors land beside their fields (the new
speaker's fields carry the prefix ``speaker-``).
"""

from django import forms

from ..models import (
    EXCERPT_MAX,
    NOTE_MAX,
    RATIONALE_MAX,
    RESTATEMENT_MAX,
    UNKNOWN_SIDE,
    Attribution,
    ClaimKind,
    Rating,
    Side,
    SpeakerKind,
    Stance,
)


def _offset() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, required=False)


class ClaimFieldsForm(forms.Form):
    """The fields a reviewer writes about a claim, when creating it and when editing it."""

    restatement = forms.CharField(
        label="Checkable claim",
        required=False,
        max_length=RESTATEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "The claim in your own words"}),
        help_text="Needed before the claim goes to review.",
    )
    kind = forms.ChoiceField(choices=ClaimKind.choices, initial=ClaimKind.OTHER)
    attribution = forms.ChoiceField(
        choices=Attribution.choices, initial=Attribution.REPORTED_SPEECH
    )
    cue = forms.CharField(
        label="Cue",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "said, according to…"}),
    )
    cue_start = _offset()
    cue_end = _offset()
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "For the desk"}),
    )


class ClaimForm(ClaimFieldsForm):
    """A new claim: the highlighted span, as the page counts it in code points, and its fields."""

    start = _offset()
    end = _offset()
    quote = forms.CharField(strip=False, required=False, widget=forms.HiddenInput)
    prefix = forms.CharField(strip=False, required=False, widget=forms.HiddenInput)
    suffix = forms.CharField(strip=False, required=False, widget=forms.HiddenInput)


class ClaimEditForm(ClaimFieldsForm):
    """An edit of an open claim, made on the version the reviewer loaded."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class SourceForm(forms.Form):
    # Not a URLField, whose widget would let the browser refuse what the API should judge.
    url = forms.CharField(
        label="Address",
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": "https://", "inputmode": "url"}),
    )
    stance = forms.ChoiceField(choices=Stance.choices)
    title = forms.CharField(required=False, max_length=500)
    publisher = forms.CharField(required=False, max_length=200)
    published_on = forms.DateField(
        label="Published", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    excerpt = forms.CharField(
        required=False,
        max_length=EXCERPT_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "The passage that matters"}),
    )


class VerdictForm(forms.Form):
    rating = forms.ChoiceField(choices=Rating.choices, widget=forms.RadioSelect)
    rationale = forms.CharField(
        required=False,
        max_length=RATIONALE_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What the sources show"}),
    )


def side_choices() -> list[tuple[str, str]]:
    """Return the desk's sides as (slug, name), read when a form is made."""
    return list(Side.objects.values_list("slug", "name"))


class SpeakerForm(forms.Form):
    """A new speaker made on the spot, inside a claim's form (hence the prefix)."""

    prefix = "speaker"

    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=SpeakerKind.choices)
    side = forms.ChoiceField(choices=side_choices, initial=UNKNOWN_SIDE)

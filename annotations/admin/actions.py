"""The desk's bulk actions on claims: verify, reject, send back to review.

Each asks for more on an intermediate page, checks every selected claim with
the services' ``check_*`` functions, then writes them all in one transaction,
or none of them.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.safestring import SafeString

from .. import services
from ..models import RATIONALE_MAX, REASON_MAX, Claim, Verdict
from ..text import clip
from .base import quote_in_context
from .forms import add_refusal

# Forms -----------------------------------------------------------------------


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
        label="Your rationale",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=RATIONALE_MAX,
    )

    def __init__(self, *args: Any, claim: Claim, **kwargs: Any) -> None:
        super().__init__(*args, claim=claim, **kwargs)
        # claim.verdicts is prefetched with the reviewers by selectors.claims_with_context().
        self.verdicts = {verdict_choice(v): v for v in claim.verdicts.all()}
        self.fields["publish"].choices = [
            *(
                (value, f"{v.reviewer}: {v.get_rating_display()} — {self._said(v)}")
                for value, v in self.verdicts.items()
            ),
            (OWN_VERDICT, "My own verdict, below"),
        ]
        if not self.verdicts:
            self.fields["publish"].initial = OWN_VERDICT  # the only choice there is

    @staticmethod
    def _said(verdict: Verdict) -> str:
        """Return the verdict's rationale on one line, cut to fit beside its radio button."""
        return clip(" ".join(verdict.rationale.split()), 120)

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
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}), required=False, max_length=REASON_MAX
    )


# Actions -----------------------------------------------------------------------


@dataclass
class BulkRow:
    claim: Claim
    form: ClaimActionForm
    context: SafeString


class ClaimBulkAction:
    """A bulk action that asks for more on an intermediate page, then writes all or nothing.

    The page asks ``shared_form`` once and ``claim_form`` for each selected
    claim. On submit every claim goes through ``check()``, which writes
    nothing, so that the page can come again with every refusal beside its
    claim or field; when none is refused, every claim goes through ``apply()``
    in one transaction. A subclass says what to ask, check and write; this
    class does the rest.
    """

    name = ""  # the ClaimAdmin method that runs it, posted back by the page
    title = ""
    intro = ""
    button = ""
    done = ""  # with the number of claims
    shared_form: type[forms.Form] = forms.Form
    claim_form: type[ClaimActionForm] = ClaimActionForm

    def check(
        self, *, claim: Claim, user: AbstractBaseUser, shared: dict[str, Any], own: dict[str, Any]
    ) -> None:
        """Raise what the services would refuse for this claim, writing nothing."""
        raise NotImplementedError

    def apply(
        self, *, claim: Claim, user: AbstractBaseUser, shared: dict[str, Any], own: dict[str, Any]
    ) -> None:
        raise NotImplementedError

    def run(
        self, modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Claim]
    ) -> HttpResponse | None:
        # One lock order for every desk, so two moderators' batches cannot deadlock.
        claims = list(queryset.order_by("pk"))
        data = request.POST if "apply" in request.POST else None
        shared = self.shared_form(data)
        rows = [
            BulkRow(
                claim=claim,
                form=self.claim_form(data, claim=claim, prefix=f"claim-{claim.pk}"),
                context=quote_in_context(claim),
            )
            for claim in claims
        ]
        if (
            data is not None
            and _all_there(data, claims, shared)
            and self._write(request.user, shared, rows)
        ):
            modeladmin.message_user(request, self.done.format(count=len(rows)), messages.SUCCESS)
            return None  # the admin redirects to the changelist
        opts = modeladmin.model._meta
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": self.title,
            "intro": self.intro,
            "button": self.button,
            "action": self.name,
            "opts": opts,
            "rows": rows,
            "shared_form": shared,
            "has_errors": data is not None,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": modeladmin.media + sum((row.form.media for row in rows), shared.media),
        }
        request.current_app = modeladmin.admin_site.name
        return TemplateResponse(request, "admin/annotations/claim/bulk_action.html", context)

    def _write(self, user: AbstractBaseUser, shared: forms.Form, rows: Sequence[BulkRow]) -> bool:
        """Check every claim, then apply the action to all in one transaction, or to none.

        Claims whose own form is valid are checked even when another's is not,
        so the page shows every problem at once.
        """
        if not shared.is_valid():
            return False  # every claim needs what it asks
        # Copied: showing a refusal on a field takes it out of the form's cleaned_data.
        shared_data = dict(shared.cleaned_data)
        for row in rows:
            if row.form.is_valid():
                try:
                    self.check(
                        claim=row.claim, user=user, shared=shared_data, own=row.form.cleaned_data
                    )
                except (ValidationError, PermissionDenied) as exc:
                    add_refusal(row.form, exc, shared=shared)
        if not shared.is_valid() or not all(row.form.is_valid() for row in rows):
            return False
        # A claim changed by someone else since the check is refused by its service:
        # the transaction then takes back what was written for the others.
        try:
            with transaction.atomic():
                for row in rows:
                    try:
                        self.apply(
                            claim=row.claim,
                            user=user,
                            shared=shared_data,
                            own=row.form.cleaned_data,
                        )
                    except (ValidationError, PermissionDenied) as exc:
                        add_refusal(row.form, exc, shared=shared)
                        raise
        except (ValidationError, PermissionDenied):
            return False
        return True


def _all_there(data: Any, claims: Sequence[Claim], shared: forms.Form) -> bool:
    """Return whether every claim the page was about is still selected, or say which are not.

    The admin selects them again from the changelist's filtered list: one that
    has left it meanwhile (say, verified by someone else under “In review”)
    would be dropped silently, and the batch would no longer be all or nothing.
    """
    missing = set(data.getlist(helpers.ACTION_CHECKBOX_NAME)) - {str(c.pk) for c in claims}
    if missing:
        shared.is_valid()  # add_error() needs a validated form
        shared.add_error(
            None,
            f"{len(missing)} of the selected claims are no longer in the list: they have "
            "changed since this page was loaded. Go back to the list and select again.",
        )
    return not missing


class VerifyClaims(ClaimBulkAction):
    name = "verify"
    title = "Verify claims"
    intro = (
        "For each claim, publish one of its reviewers' verdicts, or give your own. "
        "All the claims are verified together, or none is."
    )
    button = "Verify and publish"
    done = "Verified {count} claim(s)."
    claim_form = VerifyClaimForm

    def check(
        self, *, claim: Claim, user: AbstractBaseUser, shared: dict[str, Any], own: dict[str, Any]
    ) -> None:
        verdict = own.get("verdict")
        if verdict is None:
            services.check_verdict(
                claim=claim, user=user, rating=own["rating"], rationale=own["rationale"]
            )
        services.check_verify(claim=claim, user=user, verdict=verdict)

    def apply(
        self, *, claim: Claim, user: AbstractBaseUser, shared: dict[str, Any], own: dict[str, Any]
    ) -> None:
        verdict = own.get("verdict")
        if verdict is None:
            verdict = services.verdict_give(
                claim=claim, user=user, rating=own["rating"], rationale=own["rationale"]
            )
        services.claim_verify(claim=claim, user=user, verdict=verdict)


class ReasonAction(ClaimBulkAction):
    """A bulk action asking one reason for all its claims: a service check, then its write."""

    shared_form = ReasonForm
    # The service's public check and its write, both taking claim, user and reason.
    check_service: Callable[..., None]
    write_service: Callable[..., Claim]

    def check(
        self, *, claim: Claim, user: AbstractBaseUser, shared: dict[str, Any], own: dict[str, Any]
    ) -> None:
        type(self).check_service(claim=claim, user=user, reason=shared["reason"])

    def apply(
        self, *, claim: Claim, user: AbstractBaseUser, shared: dict[str, Any], own: dict[str, Any]
    ) -> None:
        type(self).write_service(claim=claim, user=user, reason=shared["reason"])


class RejectClaims(ReasonAction):
    name = "reject"
    title = "Reject claims"
    intro = "The reason is recorded on each claim and shown to its reviewers."
    button = "Reject"
    done = "Rejected {count} claim(s)."
    check_service = services.check_reject
    write_service = services.claim_reject


class ReopenClaims(ReasonAction):
    name = "reopen"
    title = "Send claims back to review"
    intro = (
        "Each claim returns to review and its published verdict is withdrawn. "
        "The reason is recorded in its history."
    )
    button = "Send back to review"
    done = "Sent {count} claim(s) back to review."
    check_service = services.check_reopen
    write_service = services.claim_reopen


VERIFY, REJECT, REOPEN = VerifyClaims(), RejectClaims(), ReopenClaims()

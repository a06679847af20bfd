"""What a locked-out login gets (``lockout_response``, for django-axes), and what a success forgets.

Every login form is covered: the site's /login/, the admin's and the browsable
API's /api/auth/login/. A lockout lasts the cool-off after the last attempt (an
attempt while locked out starts it again), so ``Retry-After`` is the cool-off.
"""

import math
from typing import Any

from axes.helpers import get_cool_off
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

TOO_MANY_REQUESTS = 429


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """Answer 429 with Retry-After: JSON under /api/, else a page that says when to try again."""
    wait = math.ceil(get_cool_off(request).total_seconds())
    minutes = math.ceil(wait / 60)
    detail = (
        f"Too many failed logins: this account or this address is locked out. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
    )
    if request.path_info.startswith(reverse("api-root")):
        response = JsonResponse({"detail": detail, "retry_after": wait}, status=TOO_MANY_REQUESTS)
    else:
        context = {
            "minutes": minutes,
            "until": timezone.now() + get_cool_off(request),
            "login_url": reverse(
                "admin:login" if request.path_info.startswith(reverse("admin:index")) else "login"
            ),
        }
        response = render(
            request, "registration/locked_out.html", context, status=TOO_MANY_REQUESTS
        )
    response["Retry-After"] = str(wait)
    return response


@receiver(user_logged_in, dispatch_uid="annotations.web.lockout.forget_own_failures")
def forget_own_failures(
    sender: type, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: Any
) -> None:
    """Forget the failed logins of a user who has just logged in.

    Only the username's own: failures from the same address on other usernames
    still count against that address.
    """
    if settings.AXES_ENABLED:
        reset(username=user.get_username())

"""Error reports with every credential masked: Django's debug page, the 500 e-mails and logs.

Django's own filter hides settings named like ``SECRET_KEY`` or ``PASSWORD`` and
the cookies, but shows ``DATABASE_URL`` and ``REDIS_URL`` whole: under runserver
the request's META holds the whole environment, passwords included. This filter
hides those names too, in the settings and in META alike, and masks the password
of any address written ``scheme://user:password@host`` wherever one appears.
"""

import re
from typing import Any

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter

MASK = SafeExceptionReporterFilter.cleansed_substitute

# Setting and environment names whose whole value is a credential, or an address
# that carries one (DATABASE_URL, DATABASE_REPLICA_URL, REDIS_URL, SENTRY_DSN, EMAIL_URL …).
CREDENTIAL_NAMES = re.compile(
    r"API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|CREDENTIAL|DSN|HTTP_COOKIE"
    r"|(DATABASE|DB|REDIS|CACHE|BROKER|AMQP|SMTP|EMAIL|REPLICA)_?UR[LI]",
    flags=re.IGNORECASE,
)

# The password of an address such as postgres://desk:password@db.example.org/factcheck.
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^\s:/?#@]*:)[^\s/?#@]+@", re.I)


def mask_url_passwords(text: str) -> str:
    """Return ``text`` with the password of every ``scheme://user:password@`` address masked."""
    return _URL_PASSWORD.sub(lambda found: f"{found['head']}{MASK}@", text)


def _masked(value: str) -> str:
    try:
        return mask_url_passwords(value)
    except TypeError:
        # A lazy object that passes for a string (drf-spectacular has some): shown as it is,
        # rather than evaluated while reporting an error.
        return value


class CredentialsFilter(SafeExceptionReporterFilter):
    """Django's filter, hiding more names and every password written inside an address."""

    hidden_settings = CREDENTIAL_NAMES

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        """Mask the value if its name looks like a credential, else any password in it.

        Used for the settings, request.META (the environment, under runserver) and
        the cookies; dictionaries, lists and tuples are cleansed item by item.
        """
        cleansed = super().cleanse_setting(key, value)
        return _masked(cleansed) if isinstance(cleansed, str) else cleansed

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame: Any) -> Any:
        """Mask passwords inside addresses held by the traceback's local variables, too."""
        return [
            (name, _masked(value) if isinstance(value, str) else value)
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]

"""How often a client may call the API, counted in Django's cache (Redis when REDIS_URL is set).

DRF's throttles, with three changes: the rates are read from the settings on each
request (so that a test or a reload can change them), the client's address is
the one ``client_address`` finds (the login lockout counts by the same), and
failed token authentication has a tighter budget of its own per address, which
authentication.TokenAuthentication spends.
"""

import ipaddress

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from rest_framework import exceptions, throttling
from rest_framework.settings import api_settings


def client_address(request: HttpRequest) -> str | None:
    """Return the client's IP address, or None if the request names none.

    REMOTE_ADDR, or behind ``NUM_PROXIES`` proxies (PROXY_COUNT) the address that
    the outermost of them saw, which it appended to X-Forwarded-For: DRF's own
    reading. A value that is not an IP address falls back to REMOTE_ADDR.
    """
    for address in (throttling.BaseThrottle().get_ident(request), request.META.get("REMOTE_ADDR")):
        try:
            return str(ipaddress.ip_address(address))
        except ValueError:
            continue
    return None


class SettingsRate:
    """Read the scope's rate from the settings when the throttle is made, not at import."""

    scope: str | None

    def get_rate(self) -> str | None:
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            raise ImproperlyConfigured(
                f"No throttle rate is set for scope {self.scope!r}."
            ) from None

    def get_ident(self, request: HttpRequest) -> str:
        return client_address(request) or "unknown"


class AnonRateThrottle(SettingsRate, throttling.AnonRateThrottle):
    """Clients without credentials (the public export), per address."""


class UserRateThrottle(SettingsRate, throttling.UserRateThrottle):
    """Every authenticated client, per user."""


class ScopedRateThrottle(SettingsRate, throttling.ScopedRateThrottle):
    """Views that name a ``throttle_scope`` (the export), per user or per address."""


class FailedTokenThrottle(SettingsRate, throttling.SimpleRateThrottle):
    """Failed ``Authorization: Token`` attempts, per address.

    Once an address has used up its failures, every token it sends is refused
    with 429 until the oldest failure leaves the window, a valid one included:
    otherwise guessing would still tell a right token from a wrong one.
    """

    scope = "failed_token"

    def get_cache_key(self, request: HttpRequest, view: object = None) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def check(self, request: HttpRequest) -> None:
        """Raise Throttled if the address has no failures left in the window."""
        self.key = self.get_cache_key(request)
        self.now = self.timer()
        self.history = []
        if self.rate is None:  # the scope's rate is None: not throttled
            return
        self.history = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]
        if len(self.history) >= self.num_requests:
            raise exceptions.Throttled(self.wait())

    def record_failure(self) -> None:
        """Count one failure of the address that ``check`` read."""
        if self.rate is not None:
            self.history.insert(0, self.now)
            self.cache.set(self.key, self.history, self.duration)

"""Token authentication for other systems: DRF's, with the token's user read in one query."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token
from rest_framework.request import Request

from .throttling import FailedTokenThrottle

# The user of a token, as "SELECT u.*" so that the ORM builds the user from the row.
# The tables are django.contrib.auth's and DRF's authtoken's; another user model gets
# DRF's own reading.
USER_OF_KEY_SQL = (
    "SELECT u.* FROM authtoken_token t JOIN auth_user u ON u.id = t.user_id WHERE t.key = %s"
)


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's ``Authorization: Token <key>``, with the same answers, in one plain query.

    Every request of another system pays for the look-up, and DRF's ORM query
    (``select_related("user").get(key=...)``) took longer to build than the
    database took to answer it. ``authenticate_credentials`` is DRF's hook for
    this. ``request.auth`` is the token with its key and user; its creation time
    is not read.

    Failed attempts are counted per client address (FailedTokenThrottle): past
    the ``failed_token`` rate, every token from that address gets 429.
    """

    def authenticate(self, request: Request) -> tuple[AbstractBaseUser, Token] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # no token: the session may authenticate
        throttle = FailedTokenThrottle()
        throttle.check(request)
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            throttle.record_failure()
            raise

    def authenticate_credentials(self, key: str) -> tuple[AbstractBaseUser, Token]:
        if settings.AUTH_USER_MODEL != "auth.User" or self.get_model() is not Token:
            return super().authenticate_credentials(key)
        user = next(iter(get_user_model().objects.raw(USER_OF_KEY_SQL, [key])), None)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, Token(key=key, user=user)

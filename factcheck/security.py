"""The Permissions-Policy header: the site uses no camera, microphone, location or payment.

Django sends the other security headers itself (SecurityMiddleware) and
django-csp the Content-Security-Policy; this one neither does.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

HEADER = "Permissions-Policy"
# Powerful browser features, none of which any page of the site needs: each
# is refused to the site and to anything it might embed.
DENIED_FEATURES = (
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "encrypted-media",
    "fullscreen",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
)
POLICY = ", ".join(f"{feature}=()" for feature in DENIED_FEATURES)


class PermissionsPolicyMiddleware:
    """Add ``Permissions-Policy: camera=(), microphone=(), …`` to every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault(HEADER, POLICY)
        return response

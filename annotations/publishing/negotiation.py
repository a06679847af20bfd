"""Choose the export's format: ?format= first, else the Accept header, else json."""

from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

from .w3c import W3C_CONTEXT
from .writers import DEFAULT_FORMAT, FORMATS, LD_JSON, ExportFormat


def formats_listed() -> dict[str, str]:
    """Return each format's media type by name, as the errors list them."""
    return {name: fmt.content_type for name, fmt in FORMATS.items()}


def _format_for_media_type(media_type: str, params: dict[str, str]) -> ExportFormat | None:
    if media_type in ("*/*", "application/*"):
        return FORMATS[DEFAULT_FORMAT]
    if media_type == "text/*":
        return FORMATS["csv"]
    if media_type == LD_JSON:
        # Both JSON-LD formats share the type; the W3C profile picks the annotations.
        profiles = params.get("profile", "").strip('"').split()
        return FORMATS["w3c" if W3C_CONTEXT in profiles else "claimreview"]
    return next((fmt for fmt in FORMATS.values() if media_type in fmt.accepts), None)


def format_from_accept(header: str) -> ExportFormat | None:
    """Return the format the Accept header prefers, the default if it names none, else None."""
    ranges = []
    for position, part in enumerate(header.split(",")):
        media_type, *raw_params = (item.strip() for item in part.split(";"))
        if not media_type:
            continue
        params = {}
        for raw in raw_params:
            key, _, value = raw.partition("=")
            params[key.strip().lower()] = value.strip()
        try:
            quality = float(params.pop("q", "1"))
        except ValueError:
            quality = 0.0
        if quality <= 0:
            continue
        specificity = 0 if media_type == "*/*" else 1 if media_type.endswith("/*") else 2
        ranges.append((-quality, -specificity, position, media_type.lower(), params))
    if not ranges:
        return FORMATS[DEFAULT_FORMAT] if not header.strip() else None
    for *_, media_type, params in sorted(ranges, key=lambda r: r[:3]):
        fmt = _format_for_media_type(media_type, params)
        if fmt is not None:
            return fmt
    return None


def format_for_request(request: Request) -> ExportFormat:
    """Return the format named by ?format=, or else preferred by the Accept header."""
    name = request.query_params.get("format")
    if name is not None:
        if name not in FORMATS:
            raise exceptions.ValidationError(
                {
                    "format": [
                        f"“{name}” is not an export format; choose one of: {', '.join(FORMATS)}."
                    ],
                    "formats": formats_listed(),
                }
            )
        return FORMATS[name]
    fmt = format_from_accept(request.headers.get("Accept", ""))
    if fmt is None:
        raise exceptions.NotAcceptable(
            {
                "detail": "No export format has a media type the Accept header allows; "
                "ask for one of these, or name it with ?format=.",
                "formats": formats_listed(),
            }
        )
    return fmt


class ErrorsAsJSON(BaseContentNegotiation):
    """Leave the export's format to the view; render errors with the one JSON renderer.

    DRF's own negotiation would answer an unknown ?format= with 404 and refuse
    text/csv, which no DRF renderer here produces.
    """

    def select_parser(self, request: Request, parsers: list[BaseParser]) -> BaseParser | None:
        return parsers[0] if parsers else None

    def select_renderer(
        self, request: Request, renderers: list[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        return renderers[0], renderers[0].media_type

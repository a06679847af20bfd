"""What the API reads: JSON bodies only, and none that would take the parser down."""

from typing import IO, Any

from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, answering a body nested too deeply with 400 rather than a crash.

    Python's json module recurses once per level of nesting; a body of a thousand
    nested arrays exhausts the interpreter's stack and raises RecursionError, which
    is no ValueError and would otherwise reach the client as a 500. No input of the
    API nests deeper than two levels.
    """

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: dict[str, Any] | None = None,
    ) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(
                "JSON parse error - the body is nested too deeply; the API's inputs are "
                "flat objects."
            ) from None

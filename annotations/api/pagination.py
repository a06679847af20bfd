"""Lists are paged by cursor: a page never repeats or skips a row while others add rows."""

import binascii
import re
from typing import Any
from urllib import parse

from rest_framework import exceptions
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request
from rest_framework.views import APIView

from .serializers import MAX_ID


class IdCursorPagination(CursorPagination):
    """Pages in the order rows were made (by id): stable while rows are added or changed."""

    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    # An article's claims in one page: a client that reads them all wants one request.
    max_page_size = 1000
    invalid_cursor_message = "This cursor is not one the API gave; start again from the first page."

    def get_page_size(self, request: Request) -> int:
        # DRF quietly shrinks a page_size above the maximum and ignores one that is no
        # number; a client would then page through less than it asked for without knowing.
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        if not (re.fullmatch(r"[0-9]{1,7}", value) and 1 <= int(value) <= self.max_page_size):
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        f"A page holds 1 to {self.max_page_size} items: give a whole number "
                        f"in that range, not “{value[:20]}”."
                    ]
                }
            )
        return int(value)

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Number of results to return per page: 1 to {self.max_page_size} "
                    f"(default {self.page_size})."
                )
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters

    def decode_cursor(self, request: Request) -> Cursor | None:
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is not None and not self.is_cursor(encoded):
            raise exceptions.ValidationError({"cursor": [self.invalid_cursor_message]})
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound:
            raise exceptions.ValidationError({"cursor": [self.invalid_cursor_message]}) from None
        # DRF trusts the position in a cursor; check it before it reaches the database.
        position = cursor.position if cursor is not None else None
        if position is not None and not self.is_position(position):
            raise exceptions.ValidationError({"cursor": [self.invalid_cursor_message]})
        return cursor

    def is_cursor(self, encoded: str) -> bool:
        """Return whether ``encoded`` is built as the API builds cursors.

        DRF's decoding skips what is not base64 (so ``%%%`` reads as the first
        page) and ignores unknown keys; a cursor the API gave has neither.
        """
        try:
            decoded = binascii.a2b_base64(encoded.encode("ascii"), strict_mode=True)
            tokens = parse.parse_qsl(decoded.decode("ascii"), strict_parsing=bool(decoded))
        except (ValueError, binascii.Error):  # UnicodeError is a ValueError
            return False
        keys = [key for key, _ in tokens]
        return len(keys) == len(set(keys)) and set(keys) <= {"o", "r", "p"}

    def is_position(self, position: str) -> bool:
        """Return whether ``position`` is a value of the ordering field: here, an id."""
        return bool(re.fullmatch(r"[0-9]{1,19}", position)) and int(position) <= MAX_ID


class SearchCursorPagination(IdCursorPagination):
    """Pages of a speaker search, in ``selectors.speakers_searched``'s ``search_rank`` order."""

    ordering = "search_rank"

    def is_position(self, position: str) -> bool:
        # A flag and a lowered name (200 characters, which lowering may lengthen a little);
        # the database compares it as text.
        return len(position) <= 1000 and "\x00" not in position

"""Write the verified claims in each format, as UTF-8 bytes piece by piece.

Every format reads the same iterator of claims (reader.verified_claims) and
yields its bytes as it goes, so memory stays flat however many claims there
are. The endpoint and ``manage.py export_claims`` both stream through
``stream_bytes``: one implementation of each format. The same data always
gives the same bytes: nothing in an export depends on the time it was made.
"""

import csv
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from itertools import islice
from typing import Any

import orjson
from django.conf import settings

from .claimreview import claim_review
from .context import ExportContext
from .csv import CSV_COLUMNS, csv_row
from .json_record import JSON_OPTIONS, claim_record, encode
from .records import ExportClaim, iso
from .w3c import W3C_CONTEXT, web_annotation

# Bytes gathered before a chunk is handed to the server or the file.
CHUNK_BYTES = 64 * 1024
# Claims a writer encodes before it hands their bytes on as one piece: one at
# a time, the handing on would cost about as much as the encoding.
ITEMS_PER_PIECE = 64

LD_JSON = "application/ld+json"

Writer = Callable[[Iterable[ExportClaim], ExportContext], Iterator[bytes]]


def _write_json(claims: Iterable[ExportClaim], context: ExportContext) -> Iterator[bytes]:
    """One object: {"updated_since": ..., "items": [one claim a line], "count": n}.

    The count comes last, once every item has been written: a client can
    check it, and a stream cut short is not valid JSON.
    """
    since = iso(context.updated_since) if context.updated_since else None
    record = claim_record
    yield b'{"updated_since":' + encode(since) + b',"items":['
    count = yield from _json_items(record(claim, context) for claim in claims)
    yield b'\n],"count":%d}\n' % count


def _json_items(objects: Iterable[dict[str, Any]]) -> Generator[bytes, None, int]:
    """Yield the objects as the items of a JSON array, one a line; return how many."""
    encoded = map(partial(orjson.dumps, option=JSON_OPTIONS), objects)
    count = 0
    while items := list(islice(encoded, ITEMS_PER_PIECE)):
        yield (b",\n" if count else b"\n") + b",\n".join(items)
        count += len(items)
    return count


def _write_jsonl(claims: Iterable[ExportClaim], context: ExportContext) -> Iterator[bytes]:
    record = claim_record
    lines = map(
        partial(orjson.dumps, option=JSON_OPTIONS | orjson.OPT_APPEND_NEWLINE),
        (record(claim, context) for claim in claims),
    )
    while piece := b"".join(islice(lines, ITEMS_PER_PIECE)):
        yield piece


class _Lines(list[str]):
    """A file for csv.writer that keeps the lines written to it, to be taken a piece at a time."""

    write = list.append


def _write_csv(claims: Iterable[ExportClaim], context: ExportContext) -> Iterator[bytes]:
    """A header row, then one row a claim; UTF-8 with a BOM so that Excel reads it as UTF-8."""
    lines = _Lines()
    lines.write("\ufeff")
    writer = csv.writer(lines)  # the excel dialect: CRLF, quoted where needed
    writer.writerow(CSV_COLUMNS)
    rows = (csv_row(claim, context) for claim in claims)
    while True:
        writer.writerows(islice(rows, ITEMS_PER_PIECE))
        if len(lines) == 0:
            return
        yield "".join(lines).encode()
        lines.clear()


def _write_claimreview(claims: Iterable[ExportClaim], context: ExportContext) -> Iterator[bytes]:
    """A JSON-LD list of ClaimReviews, each with its own @context, one a line."""
    yield b"["
    yield from _json_items(claim_review(claim, context) for claim in claims)
    yield b"\n]\n"


def _write_w3c(claims: Iterable[ExportClaim], context: ExportContext) -> Iterator[bytes]:
    """An AnnotationCollection whose one embedded AnnotationPage holds every annotation.

    The total comes last, once every annotation has been written.
    """
    collection_id = context.export_url("w3c")
    page_id = f"{collection_id}#page-1"
    collection = {
        "@context": W3C_CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": f"Claims verified by {settings.FACTCHECK_PUBLISHER_NAME}",
        "last": page_id,
    }
    page = {"id": page_id, "type": "AnnotationPage", "startIndex": 0}
    # Both objects stay open: the page's items and the collection's total follow.
    yield encode(collection)[:-1] + b',"first":' + encode(page)[:-1] + b',"items":['
    count = yield from _json_items(web_annotation(claim, context) for claim in claims)
    yield b'\n]},"total":%d}\n' % count


@dataclass(frozen=True)
class ExportFormat:
    name: str
    content_type: str
    extension: str
    description: str
    write: Writer
    # Media types in an Accept header that choose this format.
    accepts: tuple[str, ...] = ()


FORMATS: dict[str, ExportFormat] = {
    fmt.name: fmt
    for fmt in (
        ExportFormat(
            "json",
            "application/json",
            "json",
            'One JSON object: {"updated_since", "items": [claims], "count"}.',
            _write_json,
            accepts=("application/json",),
        ),
        ExportFormat(
            "jsonl",
            "application/x-ndjson",
            "jsonl",
            "JSON Lines: one claim a line, as in the json format's items.",
            _write_jsonl,
            accepts=("application/x-ndjson", "application/jsonl", "application/x-jsonlines"),
        ),
        ExportFormat(
            "csv",
            "text/csv; charset=utf-8; header=present",
            "csv",
            "CSV: UTF-8 with a BOM, a header row, one row a claim; cells that a spreadsheet "
            "would run as a formula start with an apostrophe.",
            _write_csv,
            accepts=("text/csv",),
        ),
        ExportFormat(
            "claimreview",
            LD_JSON,
            "jsonld",
            "A JSON-LD list of schema.org ClaimReview objects.",
            _write_claimreview,
        ),
        ExportFormat(
            "w3c",
            f'{LD_JSON}; profile="{W3C_CONTEXT}"',
            "jsonld",
            "A W3C Web Annotation AnnotationCollection with one AnnotationPage of annotations.",
            _write_w3c,
        ),
    )
}
DEFAULT_FORMAT = "json"


def stream_bytes(
    fmt: ExportFormat, claims: Iterable[ExportClaim], context: ExportContext
) -> Iterator[bytes]:
    """Yield the export as UTF-8, in chunks of about CHUNK_BYTES bytes."""
    pieces: list[bytes] = []
    size = 0
    for piece in fmt.write(claims, context):
        pieces.append(piece)
        size += len(piece)
        if size >= CHUNK_BYTES:
            yield b"".join(pieces)
            pieces, size = [], 0
    if pieces:
        yield b"".join(pieces)


def stream_text(
    fmt: ExportFormat, claims: Iterable[ExportClaim], context: ExportContext
) -> Iterator[str]:
    """Yield the export as text, chunk by chunk (each chunk is whole characters)."""
    for chunk in stream_bytes(fmt, claims, context):
        yield chunk.decode("utf-8")

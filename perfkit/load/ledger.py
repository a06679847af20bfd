"""The load test's ledger: every request a client made and what the API answered."""

from dataclasses import dataclass, field
from typing import Any

CLIENT_FAILED = "-"  # the method of a ledger entry for an error in the client itself

# What the API may answer to each kind of request the clients make.
EXPECTED: dict[str, frozenset[int]] = {
    "create_claim": frozenset({201}),
    "create_claim_invalid": frozenset({400}),  # a quote that is not the text at its offsets
    "add_source": frozenset({201}),
    "add_source_invalid": frozenset({400}),  # an ftp:// address
    "verdict_new": frozenset({201}),
    "verdict_replace": frozenset({200}),  # one verdict per reviewer per claim: POST replaces
    "read_claim": frozenset({200}),
    "list_claims": frozenset({200}),
    "edit_shared": frozenset({200, 409, 412}),  # an editor's edit, current or stale
    "edit_denied": frozenset({403}),  # a plain reviewer's edit of someone else's claim
    "edit_own": frozenset({200}),  # nobody else edits a client's own claims: never stale
    "submit_own": frozenset({200}),
}
# The 400s must name the field at fault.
REFUSED_FIELD = {"create_claim_invalid": "quote", "add_source_invalid": "url"}
EDITS = ("edit_shared", "edit_own", "edit_denied")
VERSION_BUMPS = ("edit_shared", "edit_own", "submit_own")
VERDICTS = ("verdict_new", "verdict_replace")


@dataclass
class Entry:
    """One request a client made and what the API answered."""

    client: int
    seq: int  # the client's own count: its requests happen one after another in this order
    kind: str
    method: str
    path: str
    started: float  # seconds after the run began
    seconds: float = 0.0
    status: int | None = None  # None: no answer (connection refused, reset, timed out)
    error: str = ""
    claim: int | None = None  # the claim the request was about
    marker: str = ""  # what a write carried that identifies it
    sent: dict[str, Any] = field(default_factory=dict)  # the values written, in the ORM's names
    created: int | None = None  # the id of the row a write made or replaced
    based_on: int | None = None  # the version an edit or a submit started from
    version: int | None = None  # the claim's version in a success; the current one in a 409/412
    via: str = ""  # how an edit named its version: "if-match" or "body"
    fields: tuple[str, ...] = ()  # the fields a 400 named
    timing: dict[str, float | int] | None = None  # the server's Server-Timing figures

    def describe(self) -> str:
        answer = f"answered {self.status}" if self.status is not None else f"failed ({self.error})"
        about = f" (marker {self.marker})" if self.marker else ""
        return f"{self.kind} by client {self.client}: {self.method} {self.path} {answer}{about}"

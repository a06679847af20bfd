"""The load test: reviewers writing through the API at once, and a check of what was stored.

Each client is a thread that logs in through the login form as its own
reviewer and, until the deadline, creates claims, adds sources, gives
verdicts and edits claims, choosing by seeded weights. Every request goes
into a ledger: what was asked, what the API answered, how long it took, and
for a write, what was sent and which row or version came back. Every write
carries a marker of its own (a claim's note, a source's URL, a verdict's
rationale), so that a refused one can be looked for afterwards.

The desk's rules shape the traffic: a reviewer edits only their own claims,
moderators any open claim. So every second client is also a moderator (an
"editor"): the editors race on the shared claims, the other reviewers' edits
of them must be refused (403), and nobody but its author touches a claim a
client made, so every edit of one's own claim must succeed.

When the clients have stopped, ``check_integrity`` reads the database: every
write answered with success is stored as sent, no refused write left a trace,
nothing was written that no answer admitted, no edit was lost (the versions
of the successful edits of a claim follow each other and its fields are those
the last edit wrote), each write has its history record, every claim's stored
number of verdicts is the number it has, and no request got a server error.

- ``desk``: the articles, speakers, reviewers and shared claims of a run;
- ``ledger``: what each request asked and what the API answered;
- ``clients``: the reviewers at work, each in a thread;
- ``checks``: the ledger compared with the database.
"""

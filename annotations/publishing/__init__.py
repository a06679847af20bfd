"""Publishing the verified claims: the export endpoint and command, and the public pages.

Top-down: ``views`` (GET /api/export/) and ``public`` (/checks/<id>/) use
``negotiation`` (?format= and Accept) and ``writers`` (the bytes of each
format), which use one presenter per format (``json_record``, ``csv``,
``claimreview``, ``w3c``) over the records ``reader`` reads (``records``).
``shape`` declares the exported claim's fields once: the JSON records' keys,
the CSV header and the JSON Schema all come from it.
"""

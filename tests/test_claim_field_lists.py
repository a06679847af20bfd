"""Lists of a claim's fields kept beside annotations.shapes on purpose: each is a part of it.

The declaration lists what the API gives of a claim; these list what a reviewer may
write, and what the load test writes and checks.
"""

from annotations import services
from annotations.shapes import CLAIM_FIELD_NAMES, CLAIM_FIELDS, CLAIM_MODEL_FIELDS


def test_what_a_reviewer_writes_is_a_part_of_the_declaration() -> None:
    assert set(services.CLAIM_SPAN_FIELDS) < set(services.CLAIM_FIELDS)
    assert set(services.CLAIM_FIELDS) < set(CLAIM_MODEL_FIELDS) < set(CLAIM_FIELD_NAMES)
    # Who made it, where review stands, and its version are the desk's to keep.
    assert not {"status", "version", "created_by", "moderated_by"} & set(services.CLAIM_FIELDS)


def test_what_the_load_test_checks_is_a_part_of_the_declaration() -> None:
    from perfkit.load.desk import CLAIM_VALUES  # a development tool, loaded where it is used

    assert set(CLAIM_VALUES) <= {field.lookup for field in CLAIM_FIELDS}

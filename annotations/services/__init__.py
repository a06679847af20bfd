"""Every write the desk makes, one function an operation, by area.

Each function takes keyword arguments, checks the rules and the acting
user's permissions, runs in one transaction and records the user in the
history. The admin, the web pages, the API and the management commands all
call these; nothing writes around them. Each ``check_*`` function checks what
its write would check, without writing, so that a form can show the same
refusals beside its fields.

Errors: ``django.core.exceptions.ValidationError`` with a dict naming each
bad field, ``PermissionDenied`` for what the user may not do, and
``StaleVersion`` when an edit was based on an old version of a claim;
``PossibleDuplicates`` (a ValidationError naming ``name``) when a new speaker
may already be in the register.

Import from here (``services.claim_create``): the modules are the areas.
"""

from .articles import (
    ARTICLE_FIELDS,
    IMPORT_OVERRIDES,
    ArticleImport,
    DuplicateArticle,
    article_create,
    article_import,
    article_update,
    check_article,
)
from .claims import (
    CLAIM_FIELDS,
    CLAIM_SPAN_FIELDS,
    MAX_OFFSET,
    RESTATEMENT_NEEDED,
    CheckedSpan,
    check_claim,
    check_claim_update,
    claim_create,
    claim_delete,
    claim_submit,
    claim_update,
)
from .common import StaleVersion, lock_claim, text_sha256
from .evidence import (
    AUTHOR_MAY_NOT_RATE,
    SOURCE_FIELDS,
    check_verdict,
    source_add,
    source_remove,
    source_update,
    verdict_give,
)
from .moderation import (
    MODERATOR_MAY_NOT_PUBLISH_OWN,
    REJECT_REASON_NEEDED,
    REOPEN_REASON_NEEDED,
    WITHDRAW_REASON_NEEDED,
    check_reject,
    check_reopen,
    check_verify,
    check_withdraw,
    claim_reject,
    claim_reopen,
    claim_verify,
    claim_withdraw,
    claims_reject,
    claims_reopen,
    claims_verify,
    quorum_shortfall,
)
from .speakers import (
    SPEAKER_FIELDS,
    PossibleDuplicates,
    check_merge,
    check_speaker,
    speaker_create,
    speaker_merge,
    speaker_unmerge,
    speaker_update,
)
from .suggestions import suggestion_dismiss

__all__ = [
    "ARTICLE_FIELDS",
    "AUTHOR_MAY_NOT_RATE",
    "CLAIM_FIELDS",
    "CLAIM_SPAN_FIELDS",
    "IMPORT_OVERRIDES",
    "MAX_OFFSET",
    "MODERATOR_MAY_NOT_PUBLISH_OWN",
    "REJECT_REASON_NEEDED",
    "REOPEN_REASON_NEEDED",
    "RESTATEMENT_NEEDED",
    "SOURCE_FIELDS",
    "SPEAKER_FIELDS",
    "WITHDRAW_REASON_NEEDED",
    "ArticleImport",
    "CheckedSpan",
    "DuplicateArticle",
    "PossibleDuplicates",
    "StaleVersion",
    "article_create",
    "article_import",
    "article_update",
    "check_article",
    "check_claim",
    "check_claim_update",
    "check_merge",
    "check_reject",
    "check_reopen",
    "check_speaker",
    "check_verdict",
    "check_verify",
    "check_withdraw",
    "claim_create",
    "claim_delete",
    "claim_reject",
    "claim_reopen",
    "claim_submit",
    "claim_update",
    "claim_verify",
    "claim_withdraw",
    "claims_reject",
    "claims_reopen",
    "claims_verify",
    "lock_claim",
    "quorum_shortfall",
    "source_add",
    "source_remove",
    "source_update",
    "speaker_create",
    "speaker_merge",
    "speaker_unmerge",
    "speaker_update",
    "suggestion_dismiss",
    "text_sha256",
    "verdict_give",
]

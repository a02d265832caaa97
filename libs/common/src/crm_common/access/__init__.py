"""Access control every service applies in its own repositories.

The owning service decides (defence in depth): from the caller's
``AccessContext`` (resolved by identity from the role tree, profiles, groups
and sharing rules at request time) it checks module permissions, filters
records to those the caller may see, refuses edits of records it may only
read, strips hidden fields and refuses writes to read-only ones.
"""

from crm_common.access.context import (
    ACTIONS,
    ALL,
    DEFAULTS,
    AccessContext,
    FieldRule,
    SharingDefault,
)
from crm_common.access.decisions import (
    can,
    check_writable_fields,
    hidden_fields,
    may_edit_record,
    read_only_fields,
    readable_owner_ids,
    redact,
    require,
    require_record_edit,
    require_tenant,
    visible_filter,
    writable_owner_ids,
)

__all__ = [
    "ACTIONS",
    "ALL",
    "DEFAULTS",
    "AccessContext",
    "FieldRule",
    "SharingDefault",
    "can",
    "check_writable_fields",
    "hidden_fields",
    "may_edit_record",
    "read_only_fields",
    "readable_owner_ids",
    "redact",
    "require",
    "require_record_edit",
    "require_tenant",
    "visible_filter",
    "writable_owner_ids",
]

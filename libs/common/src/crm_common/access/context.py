"""What one caller may do, as identity resolved it for this request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

ACTIONS = ("view", "create", "edit", "delete", "export", "import")
ALL = "*"  # as a module: every module; as an action: every action
DEFAULTS = ("private", "public_read", "public_read_write")

FieldRule = Literal["hidden", "read_only"]
SharingDefault = Literal["private", "public_read", "public_read_write"]


@dataclass(frozen=True)
class AccessContext:
    """Owner ids are user ids (a user's records) or group ids (records a group owns)."""

    tenant_id: str
    user_id: str = ""
    api_key_id: str = ""
    # Administrators (and service-account keys) see and edit every record of the
    # tenant; their profile still limits modules, actions and fields.
    all_records: bool = False
    permissions: Mapping[str, frozenset[str]] = field(default_factory=dict)
    fields: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    defaults: Mapping[str, str] = field(default_factory=dict)
    # Me, the users whose role is below mine, and the groups I belong to.
    own_ids: frozenset[str] = frozenset()
    shared_read: Mapping[str, frozenset[str]] = field(default_factory=dict)
    shared_write: Mapping[str, frozenset[str]] = field(default_factory=dict)
    role_id: str = ""
    profile_ids: tuple[str, ...] = ()
    group_ids: tuple[str, ...] = ()

    def default_for(self, module: str) -> str:
        return self.defaults.get(module, "private")

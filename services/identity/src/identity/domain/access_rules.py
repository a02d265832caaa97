"""Validation of the access model (roles, profiles, groups, sharing). Pure: no I/O.

Violations name the field the client sent, down to the module (``permissions.leads``,
``fields.users.phone``), so a form can point at the exact entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from crm_common.access import ACTIONS, ALL, DEFAULTS
from identity.domain import rules, seeds

FIELD_RULES = ("hidden", "read_only")
MEMBER_TYPES = ("user", "role", "role_and_subordinates")
OWNER_TYPES = ("role", "role_and_subordinates", "group")
SHARING_ACCESS = ("read", "read_write")
MAX_MEMBERS = 1000
MAX_DESCRIPTION = 2000
PROFILE_FIELDS = frozenset({"name", "description", "permissions", "fields"})
GROUP_FIELDS = frozenset({"name", "members"})
ROLE_FIELDS = frozenset({"name", "parent_id"})


@dataclass(frozen=True)
class Member:
    """A group member, a sharing rule's owner or grantee: ``{type, id}``."""

    type: str
    id: str


@dataclass(frozen=True)
class ProfileSpec:
    name: str = ""
    description: str = ""
    permissions: Mapping[str, Sequence[str]] = field(default_factory=dict)
    fields: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class GroupSpec:
    name: str = ""
    members: Sequence[Member] = ()


@dataclass(frozen=True)
class SharingRuleSpec:
    module: str
    owner: Member
    grantee: Member
    access: str


def check_mask(mask: Sequence[str], allowed: frozenset[str]) -> None:
    v = rules.Violations()
    for name in sorted(set(mask) - allowed):
        v.add(name, "cannot be changed")
    v.raise_if_any()


def check_name(v: rules.Violations, name: str) -> None:
    rules.check_name(v, "name", name, required=True)


def _known_module(module: str, *, wildcard: bool) -> bool:
    return module in seeds.MODULES or (wildcard and module == ALL)


def check_permissions(v: rules.Violations, permissions: Mapping[str, Sequence[str]]) -> None:
    for module, actions in sorted(permissions.items()):
        where = f"permissions.{module}"
        if not _known_module(module, wildcard=True):
            v.add(where, "unknown module")
            continue
        unknown = sorted(set(actions) - {*ACTIONS, ALL})
        if unknown:
            v.add(where, f"unknown actions: {', '.join(unknown)}")


def check_field_rules(v: rules.Violations, fields: Mapping[str, Mapping[str, str]]) -> None:
    for module, field_rules in sorted(fields.items()):
        if not _known_module(module, wildcard=False):
            v.add(f"fields.{module}", "unknown module")
            continue
        for name, rule in sorted(field_rules.items()):
            if not name.strip():
                v.add(f"fields.{module}", "field names must not be empty")
            elif rule not in FIELD_RULES:
                v.add(f"fields.{module}.{name}", "must be hidden or read_only")


def check_profile(spec: ProfileSpec, mask: Sequence[str] = tuple(PROFILE_FIELDS)) -> None:
    v = rules.Violations()
    if "name" in mask:
        check_name(v, spec.name)
    if "description" in mask and len(spec.description) > MAX_DESCRIPTION:
        v.add("description", f"must be at most {MAX_DESCRIPTION} characters")
    if "permissions" in mask:
        check_permissions(v, spec.permissions)
    if "fields" in mask:
        check_field_rules(v, spec.fields)
    v.raise_if_any()


def check_members(v: rules.Violations, members: Sequence[Member]) -> None:
    if len(members) > MAX_MEMBERS:
        v.add("members", f"at most {MAX_MEMBERS} members")
    for member in members:
        if member.type not in MEMBER_TYPES:
            v.add("members", f"type must be one of {', '.join(MEMBER_TYPES)}")
        elif not is_uuid(member.id):
            v.add("members", f"{member.id!r} is not a UUID")


def check_group(spec: GroupSpec, mask: Sequence[str] = tuple(GROUP_FIELDS)) -> None:
    v = rules.Violations()
    if "name" in mask:
        check_name(v, spec.name)
    if "members" in mask:
        check_members(v, spec.members)
    v.raise_if_any()


def check_sharing_rule(spec: SharingRuleSpec) -> None:
    v = rules.Violations()
    if spec.module not in seeds.MODULES:
        v.add("module", "unknown module")
    for where, party in (("owner", spec.owner), ("grantee", spec.grantee)):
        if party.type not in OWNER_TYPES:
            v.add(f"{where}.type", f"must be one of {', '.join(OWNER_TYPES)}")
        if not is_uuid(party.id):
            v.add(f"{where}.id", "must be a UUID")
    if spec.access not in SHARING_ACCESS:
        v.add("access", "must be read or read_write")
    if spec.owner == spec.grantee:
        v.add("grantee", "must differ from the owner")
    v.raise_if_any()


def check_sharing_defaults(defaults: Mapping[str, str]) -> None:
    v = rules.Violations()
    for module, access in sorted(defaults.items()):
        if module not in seeds.MODULES:
            v.add(f"defaults.{module}", "unknown module")
        elif access not in DEFAULTS:
            v.add(f"defaults.{module}", f"must be one of {', '.join(DEFAULTS)}")
    v.raise_if_any()


def is_in_subtree(path: str, subtree_path: str) -> bool:
    """Whether the role at ``path`` is the role at ``subtree_path`` or below it."""
    return path.startswith(subtree_path)


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True

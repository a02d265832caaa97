"""The access model over REST: roles, profiles, groups, sharing rules and defaults.

Shapes only; identity owns the value rules (known modules and actions, member
types, existing ids) and names the offending field, e.g. ``permissions.leads``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from gateway.schemas.common import RequestBody, next_cursor_field

Version = Annotated[int, Field(ge=1)] | SkipJsonSchema[None]
VERSION_FIELD = "Expected version (or send If-Match); 409 if stale"
Permissions = dict[str, list[str]]
FieldRules = dict[str, dict[str, str]]


class PartialUpdate(RequestBody):
    """Only the fields present in the JSON change; ``null`` is not a value."""

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("must not be null; leave the field out to keep it")
        return value


# Roles


class RoleCreate(RequestBody):
    name: str
    parent_id: str = Field(description="The role above this one (the root role exists)")


class RoleUpdate(PartialUpdate):
    name: str | SkipJsonSchema[None] = None
    parent_id: str | SkipJsonSchema[None] = Field(
        default=None, description="Move the role, with everything below it, under this one"
    )
    version: Version = Field(default=None, description=VERSION_FIELD)


class RoleRead(BaseModel):
    id: str
    name: str
    parent_id: str | None = Field(description="null for the root role")
    depth: int
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None


class RolePage(BaseModel):
    items: list[RoleRead]
    next_cursor: str | None = next_cursor_field()


# Profiles

PERMISSIONS_DOC = "module -> actions (view, create, edit, delete, export, import; * = all)"
FIELDS_DOC = 'module -> {field: "hidden" | "read_only"}'


class ProfileCreate(RequestBody):
    name: str
    description: str = ""
    permissions: Permissions = Field(description=PERMISSIONS_DOC)
    fields: FieldRules = Field(default_factory=dict, description=FIELDS_DOC)


class ProfileUpdate(PartialUpdate):
    name: str | SkipJsonSchema[None] = None
    description: str | SkipJsonSchema[None] = None
    permissions: Permissions | SkipJsonSchema[None] = Field(
        default=None, description=PERMISSIONS_DOC
    )
    fields: FieldRules | SkipJsonSchema[None] = Field(default=None, description=FIELDS_DOC)
    version: Version = Field(default=None, description=VERSION_FIELD)


class ProfileRead(BaseModel):
    id: str
    name: str
    description: str
    permissions: Permissions
    fields: FieldRules
    system: bool = Field(description="Seeded: may be edited, not renamed or deleted")
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None


class ProfilePage(BaseModel):
    items: list[ProfileRead]
    next_cursor: str | None = next_cursor_field()


# Groups


class Member(RequestBody):
    type: str = Field(description="user | role | role_and_subordinates (group: sharing only)")
    id: str


class GroupCreate(RequestBody):
    name: str
    members: list[Member] = Field(default_factory=list)


class GroupUpdate(PartialUpdate):
    name: str | SkipJsonSchema[None] = None
    members: list[Member] | SkipJsonSchema[None] = Field(
        default=None, description="Replaces the whole member list"
    )
    version: Version = Field(default=None, description=VERSION_FIELD)


class GroupRead(BaseModel):
    id: str
    name: str
    members: list[Member]
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None


class GroupPage(BaseModel):
    items: list[GroupRead]
    next_cursor: str | None = next_cursor_field()


# Sharing


class SharingRuleCreate(RequestBody):
    """Records of ``module`` owned by ``owner`` are shared with ``grantee``."""

    module: str
    owner: Member = Field(description="type: role | role_and_subordinates | group")
    grantee: Member = Field(description="type: role | role_and_subordinates | group")
    access: str = Field(description="read | read_write")


class SharingRuleRead(BaseModel):
    id: str
    module: str
    owner: Member
    grantee: Member
    access: str
    created_at: datetime | None = None


class SharingRulePage(BaseModel):
    items: list[SharingRuleRead]
    next_cursor: str | None = next_cursor_field()


class SharingDefaults(RequestBody):
    defaults: dict[str, str] = Field(
        description="module -> private | public_read | public_read_write (PUT: those given)"
    )

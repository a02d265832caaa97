"""Access-model routes (roles, profiles, groups, sharing): parse, call the
AccessService stub, map; errors from identity come back as problem+json."""

from __future__ import annotations

import uuid
from typing import Any

import grpc
import httpx
import pytest
from gateway_fakes import rpc_error
from google.protobuf import timestamp_pb2

from crm.common.v1 import types_pb2
from crm.identity.v1 import access_pb2 as pb
from crm_common.auth import current_principal
from crm_common.errors import CrmError, FailedPrecondition, InvalidArgument, PermissionDenied
from gateway.collaborators import Collaborators

ROLE_ID = str(uuid.uuid4())
ROOT_ID = str(uuid.uuid4())


def _now() -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.GetCurrentTime()
    return stamp


def role(role_id: str = ROLE_ID, **fields: Any) -> pb.Role:
    values = {"name": "Sales", "parent_id": ROOT_ID, "depth": 1, "version": 1, **fields}
    return pb.Role(id=role_id, created_at=_now(), updated_at=_now(), **values)


def profile(profile_id: str, **fields: Any) -> pb.Profile:
    values = {"name": "Auditor", "version": 1, **fields}
    message = pb.Profile(id=profile_id, created_at=_now(), **values)
    message.permissions["leads"].actions.extend(["view", "export"])
    message.fields["users"].rules["phone"] = "hidden"
    return message


def group(group_id: str, **fields: Any) -> pb.Group:
    member = pb.GroupMember(type="role_and_subordinates", id=ROLE_ID)
    values = {"name": "Team", "members": [member], "version": 1, **fields}
    return pb.Group(id=group_id, **values)


def rule(rule_id: str) -> pb.SharingRule:
    return pb.SharingRule(
        id=rule_id,
        module="leads",
        owner=pb.GroupMember(type="role", id=ROLE_ID),
        grantee=pb.GroupMember(type="group", id=ROOT_ID),
        access="read",
        created_at=_now(),
    )


class FakeAccess:
    """Coroutine methods like AccessServiceStub's; ``calls`` records what was sent."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.fail: dict[str, grpc.RpcError] = {}
        self.next_cursor = ""

    def fail_with(self, method: str, error: CrmError) -> None:
        self.fail[method] = rpc_error(error)

    def last(self, name: str) -> Any:
        return next(req for method, req in reversed(self.calls) if method == name)

    def _record(self, name: str, request: Any) -> None:
        assert current_principal().is_authenticated
        self.calls.append((name, request))
        if name in self.fail:
            raise self.fail[name]

    def __getattr__(self, name: str) -> Any:
        answers = {
            "CreateRole": lambda r: role(str(uuid.uuid4()), name=r.name, parent_id=r.parent_id),
            "GetRole": lambda r: role(r.id),
            "ListRoles": lambda r: pb.ListRolesResponse(items=[role(ROOT_ID, parent_id="")]),
            "UpdateRole": lambda r: role(r.id, version=2),
            "CreateProfile": lambda r: profile(str(uuid.uuid4())),
            "GetProfile": lambda r: profile(r.id, system=True),
            "ListProfiles": lambda r: pb.ListProfilesResponse(items=[profile(ROLE_ID)]),
            "UpdateProfile": lambda r: profile(r.id, version=4),
            "CreateGroup": lambda r: group(str(uuid.uuid4()), name=r.name),
            "GetGroup": lambda r: group(r.id),
            "ListGroups": lambda r: pb.ListGroupsResponse(items=[group(ROLE_ID)]),
            "UpdateGroup": lambda r: group(r.id, version=2),
            "CreateSharingRule": lambda r: rule(str(uuid.uuid4())),
            "GetSharingRule": lambda r: rule(r.id),
            "ListSharingRules": lambda r: pb.ListSharingRulesResponse(items=[rule(ROLE_ID)]),
            "GetSharingDefaults": lambda r: pb.SharingDefaults(defaults={"leads": "private"}),
            "SetSharingDefaults": lambda r: pb.SharingDefaults(defaults={**r.defaults}),
        }
        if name not in answers and not name.startswith("Delete"):
            raise AttributeError(name)
        answer = answers.get(name, lambda r: pb.DeleteResponse())

        async def call(request: Any, **_: Any) -> Any:
            self._record(name, request)
            message = answer(request)
            if hasattr(message, "page"):
                message.page.CopyFrom(types_pb2.PageResponse(next_cursor=self.next_cursor))
            return message

        return call


@pytest.fixture
def access(collaborators: Collaborators) -> FakeAccess:
    fake = FakeAccess()
    collaborators.access = fake
    return fake


def errors_of(response: httpx.Response) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


async def test_list_roles_pages(
    client: httpx.AsyncClient, access: FakeAccess, auth: dict[str, str]
) -> None:
    access.next_cursor = "c2"
    response = await client.get("/api/v1/roles", params={"limit": 5, "cursor": "c1"}, headers=auth)
    assert response.status_code == 200
    data = response.json()
    assert data["next_cursor"] == "c2" and data["items"][0]["parent_id"] is None
    sent = access.last("ListRoles")
    assert (sent.page.limit, sent.page.cursor) == (5, "c1")


async def test_create_role(
    client: httpx.AsyncClient, access: FakeAccess, auth: dict[str, str]
) -> None:
    body = {"name": "Sales", "parent_id": ROOT_ID}
    response = await client.post("/api/v1/roles", json=body, headers=auth)
    assert response.status_code == 201
    created = response.json()
    assert response.headers["Location"] == f"/api/v1/roles/{created['id']}"
    assert response.headers["ETag"] == '"1"'
    assert set(created) == {
        "id",
        "name",
        "parent_id",
        "depth",
        "version",
        "created_at",
        "updated_at",
    }
    assert (access.last("CreateRole").name, access.last("CreateRole").parent_id) == (
        "Sales",
        ROOT_ID,
    )
    missing = await client.post("/api/v1/roles", json={"name": "Sales"}, headers=auth)
    assert missing.status_code == 422 and errors_of(missing) == ["parent_id"]


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        ({"If-Match": '"3"'}, {"parent_id": ROOT_ID}, 3),
        ({}, {"parent_id": ROOT_ID, "version": 5}, 5),
    ],
)
async def test_patch_role_moves_with_expected_version(
    client: httpx.AsyncClient,
    access: FakeAccess,
    auth: dict[str, str],
    headers: dict[str, str],
    body: dict[str, Any],
    expected: int,
) -> None:
    response = await client.patch(
        f"/api/v1/roles/{ROLE_ID}", json=body, headers={**auth, **headers}
    )
    assert response.status_code == 200 and response.headers["ETag"] == '"2"'
    sent = access.last("UpdateRole")
    assert list(sent.update_mask) == ["parent_id"] and sent.parent_id == ROOT_ID
    assert sent.expected_version == expected


async def test_patch_refuses_null(
    client: httpx.AsyncClient, access: FakeAccess, auth: dict[str, str]
) -> None:
    for path, field in (("roles", "name"), ("profiles", "permissions"), ("groups", "members")):
        response = await client.patch(f"/api/v1/{path}/{ROLE_ID}", json={field: None}, headers=auth)
        assert response.status_code == 422 and errors_of(response) == [field]
    assert not access.calls


async def test_delete_answers_204_and_conflicts_409(
    client: httpx.AsyncClient, access: FakeAccess, auth: dict[str, str]
) -> None:
    for path in ("roles", "profiles", "groups", "sharing-rules"):
        response = await client.delete(f"/api/v1/{path}/{ROLE_ID}", headers=auth)
        assert response.status_code == 204 and response.content == b""
    access.fail_with(
        "DeleteRole", FailedPrecondition("3 users have this role: move its users first")
    )
    refused = await client.delete(f"/api/v1/roles/{ROLE_ID}", headers=auth)
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("path", ["roles", "profiles", "groups", "sharing-rules"])
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_path_id_must_be_a_uuid(
    client: httpx.AsyncClient, access: FakeAccess, auth: dict[str, str], path: str, method: str
) -> None:
    if path == "sharing-rules" and method == "PATCH":
        return
    kwargs = {"json": {}} if method == "PATCH" else {}
    response = await client.request(method, f"/api/v1/{path}/nope", headers=auth, **kwargs)
    assert response.status_code == 422 and "id" in errors_of(response)
    assert not access.calls


async def test_profile_create_and_identity_field_errors(
    client: httpx.AsyncClient, access: FakeAccess, auth: dict[str, str]
) -> None:
    body = {
        "name": "Auditor",
        "permissions": {"leads": ["view", "export"]},
        "fields": {"users": {"phone": "hidden"}},
    }
    response = await client.post("/api/v1/profiles", json=body, headers=auth)
    assert response.status_code == 201
    data = response.json()
    assert data["permissions"] == {"leads": ["view", "export"]}
    assert data["fields"] == {"users": {"phone": "hidden"}} and data["system"] is False
    sent = access.last("CreateProfile")
    assert list(sent.permissions["leads"].actions) == ["view", "export"]
    assert dict(sent.fields["users"].rules) == {"phone": "hidden"}
    access.fail_with(
        "CreateProfile", InvalidArgument.for_field("permissions.leadz", "unknown module")
    )
    refused = await client.post("/api/v1/profiles", json=body, headers=auth)
    assert refused.status_code == 422 and errors_of(refused) == ["permissions.leadz"]
    shape = await client.post(
        "/api/v1/profiles", json={"name": "X", "permissions": {"leads": "view"}}, headers=auth
    )
    assert shape.status_code == 422 and errors_of(shape) == ["permissions.leads"]


async def test_profile_patch_sends_the_mask(
    client: httpx.AsyncClient, access: FakeAccess, auth: dict[str, str]
) -> None:
    body = {"permissions": {"cases": ["view"]}, "description": "Reads cases"}
    response = await client.patch(
        f"/api/v1/profiles/{ROLE_ID}", json=body, headers={**auth, "If-Match": '"3"'}
    )
    assert response.status_code == 200 and response.headers["ETag"] == '"4"'
    sent = access.last("UpdateProfile")
    assert list(sent.update_mask) == ["description", "permissions"] and sent.expected_version == 3
    assert list(sent.profile.permissions["cases"].actions) == ["view"]
    got = await client.get(f"/api/v1/profiles/{ROLE_ID}", headers=auth)
    assert got.json()["system"] is True and got.headers["ETag"] == '"1"'


async def test_groups(client: httpx.AsyncClient, access: FakeAccess, auth: dict[str, str]) -> None:
    members = [{"type": "role_and_subordinates", "id": ROLE_ID}]
    created = await client.post(
        "/api/v1/groups", json={"name": "Team", "members": members}, headers=auth
    )
    assert created.status_code == 201 and created.json()["members"] == members
    assert [(m.type, m.id) for m in access.last("CreateGroup").members] == [
        ("role_and_subordinates", ROLE_ID)
    ]
    page = await client.get("/api/v1/groups", headers=auth)
    assert page.json()["next_cursor"] is None and page.json()["items"][0]["name"] == "Team"
    bad = await client.post(
        "/api/v1/groups", json={"name": "T", "members": [{"type": "user"}]}, headers=auth
    )
    assert bad.status_code == 422 and errors_of(bad) == ["members.0.id"]
    access.fail_with(
        "UpdateGroup", InvalidArgument.for_field("members", "not users or roles of this tenant")
    )
    refused = await client.patch(
        f"/api/v1/groups/{ROLE_ID}", json={"members": members}, headers=auth
    )
    assert refused.status_code == 422 and errors_of(refused) == ["members"]
    assert list(access.last("UpdateGroup").update_mask) == ["members"]


async def test_sharing_rules(
    client: httpx.AsyncClient, access: FakeAccess, auth: dict[str, str]
) -> None:
    body = {
        "module": "leads",
        "owner": {"type": "role", "id": ROLE_ID},
        "grantee": {"type": "group", "id": ROOT_ID},
        "access": "read",
    }
    created = await client.post("/api/v1/sharing-rules", json=body, headers=auth)
    assert created.status_code == 201
    assert {k: created.json()[k] for k in body} == body
    assert created.headers["Location"] == f"/api/v1/sharing-rules/{created.json()['id']}"
    sent = access.last("CreateSharingRule")
    assert (sent.module, sent.owner.id, sent.grantee.type, sent.access) == (
        "leads",
        ROLE_ID,
        "group",
        "read",
    )
    got = await client.get(f"/api/v1/sharing-rules/{ROLE_ID}", headers=auth)
    assert got.status_code == 200 and got.json()["owner"] == {"type": "role", "id": ROLE_ID}
    listed = await client.get("/api/v1/sharing-rules", params={"limit": 3}, headers=auth)
    assert len(listed.json()["items"]) == 1 and access.last("ListSharingRules").page.limit == 3


async def test_sharing_defaults(
    client: httpx.AsyncClient, access: FakeAccess, auth: dict[str, str]
) -> None:
    got = await client.get("/api/v1/sharing-rules/defaults", headers=auth)
    assert got.status_code == 200 and got.json() == {"defaults": {"leads": "private"}}
    body = {"defaults": {"leads": "public_read", "cases": "public_read_write"}}
    put = await client.put("/api/v1/sharing-rules/defaults", json=body, headers=auth)
    assert put.status_code == 200 and put.json() == body
    assert dict(access.last("SetSharingDefaults").defaults) == body["defaults"]
    access.fail_with("SetSharingDefaults", InvalidArgument.for_field("defaults.leads", "bad"))
    refused = await client.put("/api/v1/sharing-rules/defaults", json=body, headers=auth)
    assert refused.status_code == 422 and errors_of(refused) == ["defaults.leads"]


async def test_denied_and_unauthenticated(
    client: httpx.AsyncClient, access: FakeAccess, auth: dict[str, str]
) -> None:
    access.fail_with("CreateRole", PermissionDenied("not allowed to create roles"))
    denied = await client.post(
        "/api/v1/roles", json={"name": "X", "parent_id": ROOT_ID}, headers=auth
    )
    assert denied.status_code == 403
    for path in ("roles", "profiles", "groups", "sharing-rules", "sharing-rules/defaults"):
        assert (await client.get(f"/api/v1/{path}")).status_code == 401


async def test_openapi_documents_the_access_routes(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    paths = spec["paths"]
    for path in ("roles", "profiles", "groups", "sharing-rules"):
        assert {"401", "403", "409", "422", "429"} <= set(
            paths[f"/api/v1/{path}"]["post"]["responses"]
        )
        assert "404" in paths[f"/api/v1/{path}/{{id}}"]["delete"]["responses"]
    assert set(paths["/api/v1/sharing-rules/defaults"]) == {"get", "put"}

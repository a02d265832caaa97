"""Notification rules end to end through the gateway (real processes: identity,
sales, inventory, notifications, NATS): stock low reaches the users allowed to
edit stock; an overdue invoice reaches the owner of its account as sales last
announced it; a quote awaiting approval reaches the managers above its owner and
the administrators; a mention in a case comment reaches the mentioned user, once
even when the event arrives twice.

Identity is asked with notifications' service principal (ResolveUsersWithPermission,
GetOrgChart), so these tests also show identity accepts it."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import nats
import pytest
from google.protobuf.message import Message

from crm.inventory.v1 import billing_pb2
from crm.support.v1 import events_pb2 as support_events
from crm_common.events.envelope import NewEvent, build_envelope
from tests.integration.access_org import Org, build_org
from tests.integration.api import Api
from tests.integration.conftest import Stack
from tests.integration.jetstream import find_event, publish_event

WAIT_SECONDS = 20.0  # a bound for the loops, not a measurement


@pytest.fixture(scope="module")
def org(api: Api) -> Iterator[Org]:
    org = build_org(api)
    profiles = {
        p["name"]: p["id"]
        for p in org.admin("GET", "/api/v1/profiles", params={"limit": 200})["items"]
    }
    keeper = {"name": f"Stock keeper {uuid.uuid4().hex[:6]}",
              "permissions": {"stock": ["view", "edit"], "products": ["view"]}}  # fmt: skip
    _add_user(org, "keeper", org.admin("POST", "/api/v1/profiles", json=keeper)["id"])
    _add_user(org, "agent", profiles["Support Agent"])
    yield org


def _add_user(org: Org, name: str, profile_id: str) -> None:
    email = f"{name}@{org.tenant.slug}.example"
    body = {"email": email, "password": "correct-horse-battery", "profile_ids": [profile_id]}
    org.ids[f"{name}_id"] = org.admin("POST", "/api/v1/users", json=body)["id"]
    org.sessions[name] = org.api.login(org.tenant.slug, email)


def _as(org: Org, who: str, method: str, path: str, **kw: Any) -> httpx.Response:
    return org.api.http.request(method, path, headers=org.headers(who), **kw)


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _told(org: Org, who: str, kind: str, record_id: str) -> list[dict[str, Any]]:
    items = _ok(_as(org, who, "GET", "/api/v1/notifications", params={"limit": 100}))["items"]
    return [n for n in items if n["type"] == kind and n["record_id"] == record_id]


def _wait_told(org: Org, who: str, kind: str, record_id: str) -> list[dict[str, Any]]:
    """``who``'s notifications of ``kind`` about the record, once there are any
    (or after WAIT_SECONDS, empty)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not (found := _told(org, who, kind, record_id)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return found


def _event(org: Org, subject: str, record: str, payload: Message, actor: str = "") -> NewEvent:
    return NewEvent(subject, org.tenant.id, record, payload, actor)


def _publish(stack: Stack, event: NewEvent, source: str, copies: int = 1) -> None:
    """As the owning service's relay would; further copies under other message ids
    get past JetStream's de-duplication, as a redelivery would."""
    envelope = build_envelope(event, source=source)
    asyncio.run(publish_event(stack.infra.nats_url, envelope))

    async def again() -> None:
        client = await nats.connect(stack.infra.nats_url)
        try:
            for n in range(1, copies):
                await client.jetstream().publish(
                    event.type, envelope.SerializeToString(),
                    headers={"Nats-Msg-Id": f"{event.id}-copy-{n}"},
                )  # fmt: skip
        finally:
            await client.close()

    asyncio.run(again())


def test_stock_low_reaches_who_may_edit_stock(org: Org) -> None:
    code = f"WH-{uuid.uuid4().hex[:6]}"
    warehouse = _ok(_as(org, "admin", "POST", "/api/v1/warehouses",
                        json={"code": code, "name": "Main"}), 201)  # fmt: skip
    body = {"sku": f"ROUTER-{uuid.uuid4().hex[:6]}", "name": "Router", "unit_price": "80.00",
            "currency": "EUR", "reorder_level": "10"}  # fmt: skip
    product = _ok(_as(org, "admin", "POST", "/api/v1/products", json=body), 201)
    stock = {"product_id": product["id"], "warehouse_id": warehouse["id"],
             "reason": "counted", "quantity_delta": "5"}  # fmt: skip
    _ok(_as(org, "admin", "POST", "/api/v1/stock/adjustments", json=stock), 201)

    (keeper,) = _wait_told(org, "keeper", "stock_low", product["id"])
    assert keeper["record_type"] == "product" and body["sku"] in keeper["title"]
    assert len(_told(org, "admin", "stock_low", product["id"])) == 1  # every permission
    for who in ("manager", "rep", "read_only", "agent"):  # no stock edit
        assert _told(org, who, "stock_low", product["id"]) == []


def test_an_overdue_invoice_reaches_the_account_owner(org: Org, stack: Stack) -> None:
    account = _ok(_as(org, "admin", "POST", "/api/v1/accounts",
                      json={"name": f"Debtor {uuid.uuid4().hex[:6]}",
                            "owner_id": org.ids["rep_id"]}), 201)  # fmt: skip
    moved = {"owner_id": org.ids["peer_id"]}
    _ok(_as(org, "admin", "PATCH", f"/api/v1/accounts/{account['id']}", json=moved))
    # Sales' update is on the stream before the overdue event: one consumer, in order.
    asyncio.run(find_event(stack.infra.nats_url, "crm.sales.account.updated", account["id"]))
    # Inventory's overdue job runs once a minute; its event is published as it would.
    invoice = str(uuid.uuid4())
    overdue = billing_pb2.InvoiceEvent(
        invoice_id=invoice, number="INV-2026-0001", account_id=account["id"], status="overdue"
    )
    _publish(stack, _event(org, "crm.inventory.invoice.overdue", invoice, overdue), "inventory")

    (told,) = _wait_told(org, "peer", "invoice_overdue", invoice)
    assert (told["record_type"], told["title"]) == ("invoice", "Invoice INV-2026-0001 is overdue")
    assert _told(org, "rep", "invoice_overdue", invoice) == []  # no longer the owner
    assert _told(org, "admin", "invoice_overdue", invoice) == []


def test_a_quote_awaiting_approval_reaches_the_approvers(org: Org) -> None:
    body = {"sku": f"DESK-{uuid.uuid4().hex[:6]}", "name": "Desk", "unit_price": "300.00",
            "currency": "EUR", "stock_tracked": False}  # fmt: skip
    product = _ok(_as(org, "admin", "POST", "/api/v1/products", json=body), 201)
    account = _ok(_as(org, "rep", "POST", "/api/v1/accounts",
                      json={"name": f"Buyer {uuid.uuid4().hex[:6]}"}), 201)  # fmt: skip
    line = {"product_id": product["id"], "quantity": "2", "discount_percent": "30"}
    quote = _ok(
        _as(
            org,
            "rep",
            "POST",
            "/api/v1/quotes",
            json={"name": "Desks", "account_id": account["id"], "currency": "EUR", "lines": [line]},
        ),
        201,
    )
    assert quote["approval_status"] == "required"
    _ok(_as(org, "rep", "POST", f"/api/v1/quotes/{quote['id']}/request-approval"))

    (told,) = _wait_told(org, "manager", "quote_approval", quote["id"])
    assert told["record_type"] == "quote" and quote["number"] in told["title"]
    assert len(_told(org, "admin", "quote_approval", quote["id"])) == 1
    for who in ("rep", "peer", "read_only"):  # the requester; a peer is not above the rep
        assert _told(org, who, "quote_approval", quote["id"]) == []


def test_a_mention_delivered_twice_notifies_once(org: Org, stack: Stack) -> None:
    """Support's event published as support would (the rule, independent of the
    cases API); twice, under two message ids. A second mention published after it
    marks when the consumer has handled both copies (it handles in order)."""
    agent, author = org.ids["agent_id"], org.tenant.admin_user_id
    case, later_case = str(uuid.uuid4()), str(uuid.uuid4())

    def mention(case_id: str) -> NewEvent:
        payload = support_events.CaseCommented(
            case_id=case_id, number="CS-2026-000042", comment_id=str(uuid.uuid4()),
            author_id=author, mentioned_user_ids=[agent], subject="Printer on fire",
        )  # fmt: skip
        return _event(org, "crm.support.case.commented", case_id, payload, author)

    _publish(stack, mention(case), "support", copies=2)
    _publish(stack, mention(later_case), "support")

    assert len(_wait_told(org, "agent", "mention", later_case)) == 1
    (told,) = _told(org, "agent", "mention", case)
    assert (told["record_type"], told["title"]) == (
        "case",
        "You were mentioned on case CS-2026-000042",
    )
    assert _told(org, "rep", "mention", case) == []


def test_sla_breach_and_escalation_reach_the_case_team_and_escalation_group(
    org: Org, stack: Stack
) -> None:
    """Support's SLA events published as support would; the groups are identity's,
    resolved with notifications' service principal."""
    ids = org.ids
    members = [{"type": "user", "id": ids["agent_id"]}, {"type": "user", "id": ids["keeper_id"]}]
    group = org.admin(
        "POST", "/api/v1/groups", json={"name": f"Desk {uuid.uuid4().hex[:6]}", "members": members}
    )
    escalation = org.admin("POST", "/api/v1/groups", json={
        "name": f"Escalations {uuid.uuid4().hex[:6]}",
        "members": [{"type": "role", "id": ids["manager_role_id"]}]})  # fmt: skip
    case = str(uuid.uuid4())
    sla = support_events.SlaEvent(
        case_id=case, number="CS-2026-000007", target="resolution", owner_id=ids["peer_id"],
        group_id=group["id"], escalation_group_id=escalation["id"],
        manager_id=ids["read_only_id"], escalation_level=1,
    )  # fmt: skip
    for verb in ("breached", "escalated"):
        _publish(stack, _event(org, f"crm.support.sla.{verb}", case, sla), "support")

    for who in ("peer", "agent", "keeper"):
        assert len(_wait_told(org, who, "sla_breached", case)) == 1, who
    for who in ("manager", "read_only"):
        assert len(_wait_told(org, who, "sla_escalated", case)) == 1, who
    assert _told(org, "rep", "sla_breached", case) == []
    assert _told(org, "rep", "sla_escalated", case) == []
    assert _told(org, "manager", "sla_breached", case) == []


def _has_case_comments(org: Org) -> bool:
    paths = org.api.http.get("/openapi.json").json().get("paths", {})
    return any(p.startswith("/api/v1/cases/") and p.endswith("/comments") for p in paths)


def test_a_mention_in_a_case_comment_through_the_cases_api(org: Org) -> None:
    if not _has_case_comments(org):
        pytest.skip("support's cases API (/api/v1/cases/{id}/comments) is not there yet")
    body = {"subject": f"Printer {uuid.uuid4().hex[:6]}", "priority": "P3"}
    case = _ok(_as(org, "agent", "POST", "/api/v1/cases", json=body), 201)
    comment = {"body": "Can you look at this?", "mentioned_user_ids": [org.ids["manager_id"]]}
    _ok(_as(org, "agent", "POST", f"/api/v1/cases/{case['id']}/comments", json=comment), 201)

    (told,) = _wait_told(org, "manager", "mention", case["id"])
    assert told["record_type"] == "case"
    assert _told(org, "agent", "mention", case["id"]) == []  # the author

"""A small organisation for the access matrix: a role tree (root > Sales Manager >
Sales Rep), one user per principal kind, an API key, and another tenant."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.integration.api import Api, Session, Tenant

PRINCIPALS = (
    "admin",
    "manager",
    "rep",
    "peer",
    "read_only",
    "other_tenant",
    "api_key",
    "anonymous",
)


@dataclass
class Org:
    api: Api
    tenant: Tenant
    other: Tenant
    ids: dict[str, str] = field(default_factory=dict)  # placeholders for paths and bodies
    sessions: dict[str, Session] = field(default_factory=dict)
    api_key: str = ""

    def headers(self, principal: str) -> dict[str, str]:
        if principal == "anonymous":
            return {}
        if principal == "api_key":
            return {"Authorization": f"Bearer {self.api_key}"}
        return self.sessions[principal].headers

    def admin(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        response = self.api.request(method, path, self.tenant.admin, **kw)
        assert response.status_code in (200, 201), f"{method} {path}: {response.text}"
        return response.json()

    def fresh(self, kind: str) -> str:
        """A new record of ``kind``, for cells that change or delete one;
        ``deleted_lead`` (account, contact): one the rep owns, in the recycle bin."""
        if kind.startswith("deleted_"):
            return self._binned(kind.removeprefix("deleted_"))
        if kind.startswith(("quote", "shared_quote")) or kind.endswith("sales_order"):
            from tests.integration.access_matrix_quotes import fresh_quote_record  # a cycle

            return fresh_quote_record(self, kind)
        if kind in ("vendor", "bill", "bundle") or kind.endswith("purchase_order"):
            from tests.integration.access_matrix_purchasing import fresh_purchasing_record

            return fresh_purchasing_record(self, kind)
        if kind in ("invoice", "issued_invoice", "payment"):
            from tests.integration.access_matrix_billing import fresh_billing_record  # a cycle

            return fresh_billing_record(self, kind)
        if kind in ("subscription", "recurring_invoice"):
            from tests.integration.access_matrix_billing import fresh_subscription_record

            return fresh_subscription_record(self, kind)
        if kind in ("warehouse", "shared_warehouse", "delivery_note", "asset"):
            from tests.integration.access_matrix_stock import fresh_stock_record  # a cycle

            return fresh_stock_record(self, kind)
        if kind in ("business_hours", "sla_policy"):
            from tests.integration.access_matrix_support_sla import fresh_sla_record  # a cycle

            return fresh_sla_record(self, kind)
        if kind in ("service_contract", "work_order", "service_appointment", "support_case",
                    "timelog"):  # fmt: skip
            from tests.integration.access_matrix_support_field import fresh_field_record

            return fresh_field_record(self, kind)
        if kind == "deal":
            return self._rep_deal()
        if kind == "activity":
            return self._rep_activity()
        if kind == "shared_assignment_rule":  # read and renamed by many cells: made once
            if kind not in self.ids:
                self.ids[kind] = self.fresh("assignment_rule")
            return self.ids[kind]
        name = f"{kind}-{uuid.uuid4().hex[:8]}"
        bodies = {
            "user": (
                "/api/v1/users",
                {
                    "email": f"{name}@example.com",
                    "password": "correct-horse-battery",
                    "role_id": self.ids["rep_role_id"],
                },
            ),
            "role": ("/api/v1/roles", {"name": name, "parent_id": self.ids["rep_role_id"]}),
            "profile": ("/api/v1/profiles", {"name": name, "permissions": {"leads": ["view"]}}),
            "group": ("/api/v1/groups", {"name": name, "members": []}),
            "sharing_rule": ("/api/v1/sharing-rules", self.rule_body()),
            # A lead owned by the rep (the admin may give leads to anyone).
            "lead": (
                "/api/v1/leads",
                {"last_name": name, "company": name, "owner_id": self.ids["rep_id"]},
            ),
            # An account owned by the rep, and a contact of another such account.
            "account": ("/api/v1/accounts", {"name": name, "owner_id": self.ids["rep_id"]}),
            # A pipeline of the tenant (deals: see _rep_deal).
            "pipeline": ("/api/v1/pipelines", new_pipeline_body(name)),
            # An assignment rule that never fires (inactive, and its condition
            # matches no lead of the matrix); activities: see _rep_activity.
            "assignment_rule": (
                "/api/v1/assignment-rules",
                {
                    "name": name,
                    "active": False,
                    "conditions": [{"field": "source", "op": "equals", "value": "never"}],
                    "target": {"type": "user", "user_id": self.ids["rep_id"]},
                },
            ),
            "contact": (
                "/api/v1/contacts",
                {
                    "last_name": name,
                    "account_id": self.fresh("account") if kind == "contact" else "",
                    "owner_id": self.ids["rep_id"],
                },
            ),
            # Catalogue records belong to the tenant, not to a user.
            "product": (
                "/api/v1/products",
                {"sku": name, "name": name, "unit_price": "10.00", "currency": "EUR"},
            ),
            "price_book": ("/api/v1/price-books", {"name": name, "currency": "EUR"}),
            "tax_rate": ("/api/v1/tax-rates", {"region": "NL", "name": name, "rate": "21"}),
            "api_key": (
                "/api/v1/api-keys",
                {"name": name, "profile_id": self.ids["read_only_profile_id"]},
            ),
        }
        path, body = bodies[kind]
        return str(self.admin("POST", path, json=body)["id"])

    def _rep_deal(self) -> str:
        """A deal owned by the rep, made by the manager (the admin's rate limit is
        busy enough with the other fresh records)."""
        body = {"name": f"deal-{uuid.uuid4().hex[:8]}", "amount": "10.00", "currency": "EUR"}
        response = self.api.request(
            "POST",
            "/api/v1/deals",
            self.sessions["manager"],
            json={**body, "owner_id": self.ids["rep_id"]},
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def _rep_activity(self) -> str:
        """A task owned by the rep on a lead of the rep's, both made by the manager
        (the admin's rate limit is busy enough)."""

        def manager(path: str, body: dict[str, Any]) -> str:
            response = self.api.request("POST", path, self.sessions["manager"], json=body)
            assert response.status_code == 201, response.text
            return str(response.json()["id"])

        rep = self.ids["rep_id"]
        if "activity_lead_id" not in self.ids:
            lead = {"last_name": "Activities", "owner_id": rep}
            self.ids["activity_lead_id"] = manager("/api/v1/leads", lead)
        task = {"type": "task", "subject": f"task-{uuid.uuid4().hex[:8]}", "owner_id": rep}
        task.update(related_type="lead", related_id=self.ids["activity_lead_id"])
        return manager("/api/v1/activities", task)

    def _binned(self, kind: str) -> str:
        """Made and deleted by the manager (the admin's requests are many already:
        each principal has its own rate limit)."""

        def manager(method: str, path: str, **kw: Any) -> httpx.Response:
            response = self.api.request(method, path, self.sessions["manager"], **kw)
            assert response.status_code in (200, 201, 204), f"{method} {path}: {response.text}"
            return response

        if kind == "activity":  # the rep's task on the rep's lead
            activity_id = self._rep_activity()
            manager("DELETE", f"/api/v1/activities/{activity_id}")
            return activity_id
        name = f"{kind}-{uuid.uuid4().hex[:8]}"
        body: dict[str, Any] = {"owner_id": self.ids["rep_id"]}
        if kind == "lead":
            body.update(last_name=name, company=name)
        elif kind == "account":
            body.update(name=name)
        elif kind == "deal":
            body.update(name=name, currency="EUR")
        else:
            account = manager("POST", "/api/v1/accounts", json={**body, "name": name}).json()
            body.update(last_name=name, account_id=account["id"])
        record_id = str(manager("POST", f"/api/v1/{kind}s", json=body).json()["id"])
        manager("DELETE", f"/api/v1/{kind}s/{record_id}")
        return record_id

    def rule_body(self) -> dict[str, Any]:
        return {
            "module": "leads",
            "owner": {"type": "role", "id": self.ids["rep_role_id"]},
            "grantee": {"type": "role", "id": self.ids["manager_role_id"]},
            "access": "read",
        }


def new_pipeline_body(name: str) -> dict[str, Any]:
    stages = [
        {"name": "Open", "probability": 50},
        {"name": "Won", "kind": "won"},
        {"name": "Lost", "kind": "lost"},
    ]
    return {"name": name, "stages": stages}


def build_org(api: Api) -> Org:
    org = Org(api, api.create_tenant(), api.create_tenant())
    profiles = {
        p["name"]: p["id"]
        for p in org.admin("GET", "/api/v1/profiles", params={"limit": 200})["items"]
    }
    roles = org.admin("GET", "/api/v1/roles")["items"]
    root = next(r["id"] for r in roles if not r.get("parent_id"))
    manager_role = org.admin(
        "POST", "/api/v1/roles", json={"name": "Sales Manager", "parent_id": root}
    )
    rep_role = org.admin(
        "POST", "/api/v1/roles", json={"name": "Sales Rep", "parent_id": manager_role["id"]}
    )
    org.ids.update(
        root_role_id=root,
        manager_role_id=manager_role["id"],
        rep_role_id=rep_role["id"],
        read_only_profile_id=profiles["Read Only"],
        other_user_id=org.other.admin_user_id,
    )
    _add_user(org, "manager", manager_role["id"], profiles["Sales Manager"])
    _add_user(org, "rep", rep_role["id"], profiles["Sales Rep"])
    _add_user(org, "peer", rep_role["id"], profiles["Sales Rep"])
    _add_user(org, "read_only", None, profiles["Read Only"])
    org.sessions["admin"] = org.tenant.admin
    org.sessions["other_tenant"] = org.other.admin
    org.admin("PUT", "/api/v1/sharing-rules/defaults", json={"defaults": {"users": "private"}})
    key = org.admin(
        "POST", "/api/v1/api-keys", json={"name": "etl", "profile_id": profiles["Read Only"]}
    )
    org.api_key = key["secret"]
    org.ids.update(
        key_id=key["id"],
        profile_id=org.fresh("profile"),
        group_id=org.fresh("group"),
        rule_id=org.fresh("sharing_rule"),
    )
    return org


def _add_user(org: Org, name: str, role_id: str | None, profile_id: str) -> None:
    email = f"{name}@{org.tenant.slug}.example"
    body: dict[str, Any] = {
        "email": email,
        "password": "correct-horse-battery",
        "profile_ids": [profile_id],
        "phone": "+31 20 555 0100",
    }
    if role_id:
        body["role_id"] = role_id
    user = org.admin("POST", "/api/v1/users", json=body)
    org.ids[f"{name}_id"] = user["id"]
    org.sessions[name] = org.api.login(org.tenant.slug, email)

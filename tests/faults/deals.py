"""Won deals and the invoices inventory drafts for them (``crm.sales.deal.won`` ->
consumer ``inventory-billing-sales``): the side effect the fault tests count."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass

import httpx

from tests.integration.api import Api, Session


@dataclass
class DealDesk:
    api: Api
    session: Session
    account_id: str
    pipeline_id: str
    won_stage_id: str

    def create_deal(self) -> str:
        body = {"name": f"Deal {uuid.uuid4().hex[:8]}", "amount": "1200.00", "currency": "EUR",
                "account_id": self.account_id, "pipeline_id": self.pipeline_id}  # fmt: skip
        response = self.api.request("POST", "/api/v1/deals", self.session, json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def win(self, deal_id: str) -> httpx.Response:
        return self.api.request(
            "PATCH", f"/api/v1/deals/{deal_id}", self.session, json={"stage_id": self.won_stage_id}
        )

    def invoices_per_deal(self) -> Counter[str]:
        """Invoices of this desk's account, counted per deal (one page holds them all)."""
        response = self.api.request(
            "GET", "/api/v1/invoices", self.session,
            params={"account_id": self.account_id, "limit": 200},
        )  # fmt: skip
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["next_cursor"] is None, "more invoices than one page"
        return Counter(item["deal_id"] for item in page["items"] if item.get("deal_id"))


def open_desk(api: Api, session: Session) -> DealDesk:
    """A new account and the tenant's default pipeline, ready for deals."""
    account = api.request("POST", "/api/v1/accounts", session, json={"name": "Fault Ltd"})
    assert account.status_code == 201, account.text
    pipelines = api.request("GET", "/api/v1/pipelines", session)
    assert pipelines.status_code == 200, pipelines.text
    default = next(p for p in pipelines.json()["items"] if p.get("is_default"))
    won = next(s["id"] for s in default["stages"] if s["kind"] == "won")
    return DealDesk(api, session, account.json()["id"], default["id"], won)

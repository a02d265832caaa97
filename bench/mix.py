"""The CRM mix: what a sales team's clients do all day, by weight. Each operation is
one gateway request; it is "ok" only with the status a correct answer has."""

from __future__ import annotations

import itertools
import random
import uuid
from collections import deque
from collections.abc import Awaitable, Callable

from bench.http1 import Http1Client
from bench.load import Call, Picker
from bench.seed import SOURCES, Seeded

Operation = Callable[[], Awaitable[bool]]

# name -> weight (out of 100)
FULL_MIX = {
    "list_leads": 16, "get_lead": 16, "list_deals": 12, "get_deal": 12,
    "create_lead": 8, "move_deal": 8, "convert_lead": 4, "create_quote": 4,
    "list_cases": 8, "get_case": 7, "create_case": 5,
}  # fmt: skip
READ_MIX = {
    "list_leads": 25, "get_lead": 20, "list_deals": 15, "get_deal": 20,
    "list_cases": 10, "get_case": 10,
}  # fmt: skip
CASE_FILTERS: tuple[dict[str, str], ...] = (
    {},
    {"status": "new"},
    {"priority": "P1"},
    {"sla_status": "on_track"},
)
LEAD_FILTERS: tuple[dict[str, str], ...] = (
    {},
    {"status": "new"},
    {"sort": "-created_at"},
    {"source": "web"},
    {"q": "Lead01"},
)


class CrmMix:
    """Builds the calls of the mix against one seeded tenant."""

    def __init__(self, http: Http1Client, seeded: Seeded, seed: int = 11) -> None:
        self.http = http
        self.data = seeded
        self.headers = seeded.headers
        self.rng = random.Random(seed)
        self.convertible = deque(seeded.lead_ids)  # each lead converts once
        self.counter = itertools.count()
        self.operations: dict[str, Operation] = {
            "list_leads": self.list_leads, "get_lead": self.get_lead,
            "list_deals": self.list_deals, "get_deal": self.get_deal,
            "create_lead": self.create_lead, "move_deal": self.move_deal,
            "convert_lead": self.convert_lead, "create_quote": self.create_quote,
            "list_cases": self.list_cases, "get_case": self.get_case,
            "create_case": self.create_case,
        }  # fmt: skip

    def picker(self, weights: dict[str, int]) -> Picker:
        names = list(weights)
        cumulative = list(itertools.accumulate(weights[n] for n in names))

        def pick() -> tuple[str, Call]:
            name = self.rng.choices(names, cum_weights=cumulative)[0]
            return name, self.operations[name]

        return pick

    async def _status(self, method: str, path: str, expected: int, **kw: object) -> bool:
        response = await self.http.request(method, path, headers=self.headers, **kw)  # type: ignore[arg-type]
        return response.status_code == expected

    async def list_leads(self) -> bool:
        params = {"limit": 50, **self.rng.choice(LEAD_FILTERS)}
        return await self._status("GET", "/api/v1/leads", 200, params=params)

    async def get_lead(self) -> bool:
        lead = self.rng.choice(self.data.lead_ids)
        return await self._status("GET", f"/api/v1/leads/{lead}", 200)

    async def list_deals(self) -> bool:
        params: dict[str, object] = {"limit": 50}
        if self.rng.random() < 0.5:
            params["stage_id"] = self.rng.choice(self.data.open_stage_ids)
        return await self._status("GET", "/api/v1/deals", 200, params=params)

    async def get_deal(self) -> bool:
        deal = self.rng.choice(self.data.deal_ids)
        return await self._status("GET", f"/api/v1/deals/{deal}", 200)

    async def create_lead(self) -> bool:
        n = next(self.counter)
        body = {"first_name": "New", "last_name": f"Lead {n}", "company": f"Newco {n}",
                "email": f"new-{uuid.uuid4().hex[:12]}@bench.example",
                "source": SOURCES[n % len(SOURCES)]}  # fmt: skip
        response = await self.http.post("/api/v1/leads", json=body, headers=self.headers)
        if response.status_code == 201:
            self.convertible.append(response.json()["id"])
        return response.status_code == 201

    async def move_deal(self) -> bool:
        deal = self.rng.choice(self.data.deal_ids)
        body = {"stage_id": self.rng.choice(self.data.open_stage_ids)}
        return await self._status("PATCH", f"/api/v1/deals/{deal}", 200, json=body)

    async def convert_lead(self) -> bool:
        if not self.convertible:
            return await self.get_lead()
        lead = self.convertible.popleft()
        return await self._status("POST", f"/api/v1/leads/{lead}/convert", 200, json={})

    async def create_quote(self) -> bool:
        line = {"product_id": self.rng.choice(self.data.product_ids), "quantity": "2"}
        body = {"name": f"Quote {next(self.counter)}", "currency": "EUR", "lines": [line],
                "account_id": self.rng.choice(self.data.account_ids)}  # fmt: skip
        return await self._status("POST", "/api/v1/quotes", 201, json=body)

    async def list_cases(self) -> bool:
        params = {"limit": 50, **self.rng.choice(CASE_FILTERS)}
        return await self._status("GET", "/api/v1/cases", 200, params=params)

    async def get_case(self) -> bool:
        case = self.rng.choice(self.data.case_ids)
        return await self._status("GET", f"/api/v1/cases/{case}", 200)

    async def create_case(self) -> bool:
        n = next(self.counter)
        account = self.rng.choice(self.data.account_ids)
        body = {"subject": f"Printer on fire {n}", "priority": f"P{1 + n % 4}",
                "channel": "phone", "account_id": account}  # fmt: skip
        return await self._status("POST", "/api/v1/cases", 201, json=body)

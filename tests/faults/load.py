"""A small, bounded load of lead writes and reads through the gateway, run on a
few threads while a test breaks something underneath. Every request's outcome is
kept; a request that times out on our side is a hung request, never ignored."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx

from tests.faults.probes import PROBLEM_JSON, REQUEST_TIMEOUT_SECONDS

MAX_LOAD_SECONDS = 90.0  # a load never outlives this, whatever the test does


@dataclass
class Outcome:
    kind: str  # "write" or "read"
    status: int  # 0 when no answer came back at all
    problem: bool = False  # the failure was application/problem+json
    lead_id: str = ""
    error: str = ""


@dataclass
class Load:
    base_url: str
    headers: dict[str, str]
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    outcomes: list[Outcome] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def accepted(self) -> list[str]:
        with self._lock:
            return [o.lead_id for o in self.outcomes if o.kind == "write" and o.status == 201]

    def failures(self) -> list[Outcome]:
        with self._lock:
            return [o for o in self.outcomes if o.status >= 300 or o.status == 0]

    def count(self) -> int:
        with self._lock:
            return len(self.outcomes)

    def run(self, body: Callable[[Load], None], writers: int = 2, readers: int = 1) -> None:
        """Run ``body`` (the test's fault script) while the load runs; stop after it."""
        deadline = time.monotonic() + MAX_LOAD_SECONDS
        with ThreadPoolExecutor(max_workers=writers + readers) as pool:
            futures = [pool.submit(self._loop, "write", deadline) for _ in range(writers)]
            futures += [pool.submit(self._loop, "read", deadline) for _ in range(readers)]
            try:
                body(self)
            finally:
                self._stop.set()
                for future in futures:
                    future.result()

    def wait_until(self, check: Callable[[Load], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not check(self):
            if time.monotonic() >= deadline:
                raise AssertionError(f"load: not within {timeout:g}s: {what}")
            time.sleep(0.05)

    def _loop(self, kind: str, deadline: float) -> None:
        with httpx.Client(base_url=self.base_url, timeout=REQUEST_TIMEOUT_SECONDS) as http:
            while not self._stop.is_set() and time.monotonic() < deadline:
                outcome = self._write(http) if kind == "write" else self._read(http)
                with self._lock:
                    self.outcomes.append(outcome)
                if outcome.status != 201 and outcome.status != 200:
                    time.sleep(0.05)  # a failing stack is not hammered in a tight loop

    def _write(self, http: httpx.Client) -> Outcome:
        body = {"last_name": f"Load-{self.tag}", "company": uuid.uuid4().hex[:8]}
        return self._send(http, "write", "POST", "/api/v1/leads", json=body)

    def _read(self, http: httpx.Client) -> Outcome:
        return self._send(http, "read", "GET", "/api/v1/leads", params={"limit": 5})

    def _send(self, http: httpx.Client, kind: str, method: str, path: str, **kw: object) -> Outcome:
        try:
            response = http.request(method, path, headers=self.headers, **kw)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            return Outcome(kind, 0, error=f"{type(exc).__name__}: {exc}")
        problem = response.headers.get("content-type", "").startswith(PROBLEM_JSON)
        lead_id = response.json().get("id", "") if response.status_code == 201 else ""
        return Outcome(kind, response.status_code, problem, lead_id)

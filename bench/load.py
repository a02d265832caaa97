"""The open-loop load generator: requests are due at fixed intervals whatever the
answers do (no waiting for a response before sending the next), and each latency
runs from when its request was due. A bounded number may be in flight; past it a
request is shed and counted as an error rather than silently delayed."""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.util
import os
import sys
import time
from collections.abc import Awaitable, Callable

from bench.stats import PhaseSummary, Sample, due_times, phase_summary

Call = Callable[[], Awaitable[bool]]  # one request; True when it answered as expected
Picker = Callable[[], tuple[str, Call]]  # the next request of the mix: (name, call)

# httpcore imports ``sniffio`` on every request; when it is not installed, each failed
# import searches sys.path again (about 1 ms of client CPU per request, measured).
# Marking it absent once makes the import fail at once; httpcore then assumes asyncio.
if importlib.util.find_spec("sniffio") is None:
    sys.modules["sniffio"] = None  # type: ignore[assignment]

MAX_IN_FLIGHT = int(os.environ.get("CRM_BENCH_MAX_IN_FLIGHT", "512"))
DRAIN_SECONDS = 15.0  # after the last due time, wait this long for stragglers at most


@dataclasses.dataclass
class Phase:
    """Bookkeeping of one phase: what was sent, what came back, what was shed."""

    samples: list[Sample] = dataclasses.field(default_factory=list)
    shed: int = 0
    in_flight: set[asyncio.Task[None]] = dataclasses.field(default_factory=set)

    async def timed(self, name: str, due: float, call: Call) -> None:
        sent = time.perf_counter()
        try:
            ok = await call()
        except Exception:  # timeouts, refused connections: an error, not a crash
            ok = False
        self.samples.append(Sample(name, due, sent, time.perf_counter(), ok))

    def launch(self, name: str, due: float, call: Call) -> None:
        if len(self.in_flight) >= MAX_IN_FLIGHT:
            self.shed += 1
            return
        task = asyncio.create_task(self.timed(name, due, call))
        self.in_flight.add(task)
        task.add_done_callback(self.in_flight.discard)

    async def drain(self, within: float) -> None:
        """Wait for what is in flight; what is still running after ``within`` s is an
        error (cancelled), so a phase always ends."""
        if self.in_flight:
            await asyncio.wait(set(self.in_flight), timeout=within)
        for task in list(self.in_flight):
            task.cancel()
            self.shed += 1
        self.in_flight.clear()


async def open_loop(pick: Picker, *, rate: float, duration: float) -> PhaseSummary:
    """Run the mix at ``rate`` requests/s for ``duration`` seconds."""
    phase = Phase()
    cpu_before = time.process_time()
    for due in due_times(time.perf_counter() + 0.05, rate, duration):
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        name, call = pick()
        phase.launch(name, due, call)
    await phase.drain(DRAIN_SECONDS)
    summary = phase_summary(phase.samples, offered_rate=rate, duration=duration, shed=phase.shed)
    return dataclasses.replace(summary, client_cpu_s=round(time.process_time() - cpu_before, 2))


async def closed_loop(call: Call, *, count: int) -> list[float]:
    """``count`` requests one after another (no load): the latency of the path alone."""
    latencies = []
    for _ in range(count):
        started = time.perf_counter()
        if await call():
            latencies.append(time.perf_counter() - started)
    return latencies

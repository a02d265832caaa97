"""``make bench``: start a private platform, seed a tenant, run the CRM mix open-loop
at fixed loads and up a saturation ladder, measure event propagation and the two
references, optionally profile, write ``bench/results/<date>.*``, stop everything.

Run from the repository root: ``.venv/bin/python -m bench.run`` (knobs: settings.py).
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import httpx

from bench import events, pyspy, refs
from bench.http1 import Http1Client
from bench.load import Picker, open_loop
from bench.mix import FULL_MIX, READ_MIX, CrmMix
from bench.procs import ProcessMonitor, machine_busy_seconds
from bench.report import RESULTS, header, markdown, saturation_summary, write
from bench.seed import Seeded, seed_tenant
from bench.settings import BenchSettings
from bench.stack import REPO, BenchStack, start_stack
from bench.stats import saturated
from crm_devstack.supervisor import shutdown_signals_raise
from crm_devstack.testing import unique_name

PAUSE_SECONDS = 2.0  # between phases, so one phase's backlog does not bill the next


def say(message: str) -> None:
    print(f"bench | {message}", flush=True)


class Bench:
    def __init__(
        self, stack: BenchStack, http: httpx.AsyncClient, load: Http1Client, cfg: BenchSettings
    ) -> None:
        # httpx for seeding and event probes; the lean client for everything measured
        self.stack, self.http, self.load, self.cfg = stack, http, load, cfg
        pids = {**stack.pids(), "bench-client": os.getpid()}
        self.monitor = ProcessMonitor(pids, with_children=frozenset({"postgres"}))

    async def phase(self, pick: Picker, rate: float, duration: float) -> dict[str, Any]:
        """One open-loop phase, with the CPU each process spent per good request."""
        before, busy_before = self.monitor.cpu(), machine_busy_seconds()
        summary = await open_loop(pick, rate=rate, duration=duration)
        cpu = self.monitor.delta(before, self.monitor.cpu())
        # CPU that none of our processes used: other work on a shared machine
        others = machine_busy_seconds() - busy_before - sum(cpu.values())
        good = max(1, summary.requests - summary.errors)
        say(
            f"{rate:g}/s offered: {summary.achieved_rps:g}/s ok, p99 {summary.p99_ms} ms, "
            f"errors {summary.errors}"
        )
        await asyncio.sleep(PAUSE_SECONDS)
        return {
            **summary.as_dict(),
            "saturated": saturated(
                summary, max_error_rate=self.cfg.max_error_rate, max_p99_ms=self.cfg.max_p99_ms
            ),
            "cpu_s": cpu,
            "other_processes_cpu_s": round(max(0.0, others), 2),
            "cpu_ms_per_request": {k: round(1000 * v / good, 2) for k, v in cpu.items()},
        }

    async def ladder(self, pick: Picker, rates: list[float], step_s: float) -> list[dict[str, Any]]:
        steps = []
        for rate in rates:
            step = await self.phase(pick, rate, step_s)
            steps.append(step)
            if step["saturated"]:
                break
        return steps

    async def run(self, result: dict[str, Any]) -> None:
        """Fill ``result`` section by section, so a failure keeps what was measured."""
        cfg, started = self.cfg, time.monotonic()
        seeded = await seed_tenant(self.http, self.stack.platform_token)
        # The last deals are the event probes' own: the mix never moves them.
        split = len(seeded.deal_ids) - max(0, cfg.event_probes)
        probes, seeded.deal_ids = seeded.deal_ids[split:], seeded.deal_ids[:split]
        result["seed"] = {**seeded.counts, "seconds": round(time.monotonic() - started, 1)}
        say(f"seeded {seeded.counts} in {result['seed']['seconds']} s")
        self.monitor.start()
        try:
            mix = CrmMix(self.load, seeded)
            await self.phase(mix.picker(FULL_MIX), 20, cfg.warmup_s)
            result["events"] = await self._events(seeded, probes)
            full = mix.picker(FULL_MIX)
            result["fixed_loads"] = []
            for rate in cfg.fixed_rates:
                result["fixed_loads"].append(await self.phase(full, rate, cfg.fixed_s))
            steps = await self.ladder(full, cfg.step_rates, cfg.step_s)
            result["saturation"] = saturation_summary(steps, cfg)
            result["references"] = await self._references(seeded)
            if cfg.profile:
                result["profile"] = await self._profile(mix)
        finally:
            cpu = self.monitor.total(self.monitor.cpu())
            self.monitor.stop()
            result["processes"] = {"cpu_s": cpu, "peak_rss_mib": self.monitor.peak_rss_mib()}
            result["total_seconds"] = round(time.monotonic() - started, 1)

    async def _events(self, seeded: Seeded, probes: list[str]) -> dict[str, Any]:
        say("event propagation probes")
        url = self.stack.infra.nats_url
        return {
            "deal_won_to_invoice_drafted": await events.deal_won_to_invoice(
                self.http, seeded, url, probes
            ),
            "order_confirmed_to_stock_reserved": await events.order_confirmed_to_reserved(
                self.http, seeded, url, self.cfg.event_probes
            ),
            "lead_created_to_notification": await events.lead_created_to_notification(
                self.http, seeded, url, self.cfg.event_probes
            ),
        }

    async def _references(self, seeded: Seeded) -> dict[str, Any]:
        say("references: direct gRPC vs gateway, then the hello-world ceiling")
        hop = await refs.gateway_hop(
            self.stack,
            self.load,
            seeded,
            self.phase,
            rate=self.cfg.hop_rate,
            duration=self.cfg.hop_s,
        )

        async def hello_ladder(pick: Any, rates: list[float]) -> list[Any]:
            return await self.ladder(pick, rates, self.cfg.hello_step_s)

        hello = await refs.hello_world(
            self.stack, self.cfg.pool, hello_ladder, self.cfg.hello_rates, self.monitor
        )
        return {"gateway_hop": hop, "hello_world": hello}

    async def _profile(self, mix: CrmMix) -> dict[str, Any]:
        if pyspy.py_spy() is None:
            say("py-spy is not installed (make install brings it): no profile")
            return {"skipped": "py-spy not installed"}
        say(f"profiling gateway and sales under the read mix for {self.cfg.profile_s:g} s")
        pids = {n: self.stack.processes[n].pid for n in ("gateway", "sales", "identity")}
        out = self.stack.run_dir / "profiles"
        recording = asyncio.create_task(pyspy.record(pids, self.cfg.profile_s, out))
        await asyncio.sleep(1.0)  # py-spy attached before the load starts
        load = await self.phase(mix.picker(READ_MIX), self.cfg.profile_rate, self.cfg.profile_s)
        files = await recording
        return {
            "load": load,
            "by_process": {n: pyspy.summarise(p.read_text()) for n, p in files.items()},
            "raw_dir": str(out),
        }


async def _main(stack: BenchStack, cfg: BenchSettings, result: dict[str, Any]) -> None:
    load = Http1Client(stack.gateway_url, pool=cfg.pool)
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=httpx.Timeout(30.0)) as http:
        try:
            await Bench(stack, http, load, cfg).run(result)
        finally:
            await load.aclose()


def main() -> None:
    cfg = BenchSettings()
    run_dir = REPO / ".data" / "bench" / unique_name("run")
    with shutdown_signals_raise():  # Ctrl-C / SIGTERM still stop what we started
        say(f"starting a private stack (logs in {run_dir / 'logs'})")
        stack = start_stack(run_dir)
        result = header(cfg)
        try:
            say(f"gateway on {stack.gateway_url}; processes {stack.pids()}")
            asyncio.run(_main(stack, cfg, result))
        except Exception as error:  # keep what was measured, say what broke, fail
            result["error"] = repr(error)
            raise
        finally:
            say("stopping the stack")
            stack.stop()
            json_path, md_path = write(result, RESULTS)
            print(markdown(result), flush=True)
            say(f"wrote {json_path.relative_to(REPO)} and {md_path.relative_to(REPO)}")


if __name__ == "__main__":
    main()

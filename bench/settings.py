"""Every knob of ``make bench``, from ``CRM_BENCH_*`` environment variables; the
defaults keep a full run under about five minutes on two cores."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def _rates(name: str, default: str) -> list[float]:
    return [float(r) for r in os.environ.get(name, default).split(",") if r.strip()]


@dataclass(frozen=True)
class BenchSettings:
    warmup_s: float = field(default_factory=lambda: _float("CRM_BENCH_WARMUP_SECONDS", 8))
    # Fixed loads (requests/s of the full mix) and how long each runs.
    fixed_rates: list[float] = field(
        default_factory=lambda: _rates("CRM_BENCH_FIXED_RATES", "20,50,100")
    )
    fixed_s: float = field(default_factory=lambda: _float("CRM_BENCH_FIXED_SECONDS", 20))
    # The saturation ladder: each step runs step_s; it stops at the first saturated one.
    step_rates: list[float] = field(
        default_factory=lambda: _rates("CRM_BENCH_STEP_RATES", "40,60,80,100,125,150,200,300,400")
    )
    step_s: float = field(default_factory=lambda: _float("CRM_BENCH_STEP_SECONDS", 8))
    max_p99_ms: float = field(default_factory=lambda: _float("CRM_BENCH_MAX_P99_MS", 1000))
    max_error_rate: float = field(default_factory=lambda: _float("CRM_BENCH_MAX_ERROR_RATE", 0.01))
    # References
    hello_rates: list[float] = field(
        default_factory=lambda: _rates("CRM_BENCH_HELLO_RATES", "500,1000,2000,3000,4000,5000")
    )
    hello_step_s: float = field(default_factory=lambda: _float("CRM_BENCH_HELLO_SECONDS", 5))
    hop_rate: float = field(default_factory=lambda: _float("CRM_BENCH_HOP_RATE", 100))
    hop_s: float = field(default_factory=lambda: _float("CRM_BENCH_HOP_SECONDS", 10))
    # Event propagation: how many probes of each kind.
    event_probes: int = field(default_factory=lambda: int(_float("CRM_BENCH_EVENT_PROBES", 20)))
    # The client's connection pool (bounded; requests beyond it queue in the client,
    # and that queueing counts in their latency).
    pool: int = field(default_factory=lambda: int(_float("CRM_BENCH_POOL", 64)))
    # Profiling (py-spy) of gateway and sales under the read mix: off unless asked.
    profile: bool = field(default_factory=lambda: os.environ.get("CRM_BENCH_PROFILE") == "1")
    profile_rate: float = field(default_factory=lambda: _float("CRM_BENCH_PROFILE_RATE", 80))
    profile_s: float = field(default_factory=lambda: _float("CRM_BENCH_PROFILE_SECONDS", 20))

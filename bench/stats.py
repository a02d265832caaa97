"""Pure numbers: percentiles and the summary of one load phase (unit-tested)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Sample:
    """One request of an open-loop phase. Times are ``time.perf_counter()`` seconds;
    latency runs from when the request was *due*, not from when it was sent, so a
    client that falls behind cannot hide a slow server (coordinated omission)."""

    op: str
    due: float
    sent: float
    done: float
    ok: bool

    @property
    def latency(self) -> float:
        return self.done - self.due

    @property
    def send_lag(self) -> float:
        """How late the client sent it: large values mean the client is the bottleneck."""
        return self.sent - self.due


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) by linear interpolation between closest ranks
    (numpy's default); NaN for no values. ``values`` need not be sorted."""
    if not 0 <= q <= 100:
        raise ValueError("q must be within 0..100")
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def milliseconds(seconds: float) -> float:
    return round(seconds * 1000, 2) if not math.isnan(seconds) else math.nan


def latency_summary(latencies: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/max in milliseconds of latencies given in seconds."""
    return {
        "p50_ms": milliseconds(percentile(latencies, 50)),
        "p95_ms": milliseconds(percentile(latencies, 95)),
        "p99_ms": milliseconds(percentile(latencies, 99)),
        "max_ms": milliseconds(max(latencies)) if latencies else math.nan,
    }


@dataclass(frozen=True)
class PhaseSummary:
    """What one open-loop phase achieved; ``latency`` holds p50/p95/p99/max in ms."""

    offered_rps: float
    duration_s: float
    requests: int
    achieved_rps: float
    errors: int
    error_rate: float
    shed: int
    latency: dict[str, float]
    client_lag_p99_ms: float
    by_op: dict[str, dict[str, float]]
    client_cpu_s: float = 0.0  # the load generator's own CPU during the phase

    @property
    def p99_ms(self) -> float:
        return self.latency["p99_ms"]

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self)}


def phase_summary(
    samples: Sequence[Sample], *, offered_rate: float, duration: float, shed: int = 0
) -> PhaseSummary:
    """What one phase at ``offered_rate`` requests/s for ``duration`` seconds achieved.

    ``shed``: requests the client could not even start (too many in flight); they
    count as errors, as a server that drops them would."""
    total = len(samples) + shed
    good = [s for s in samples if s.ok]
    errors = total - len(good)
    return PhaseSummary(
        offered_rps=offered_rate,
        duration_s=duration,
        requests=total,
        achieved_rps=round(len(good) / duration, 1) if duration > 0 else 0.0,
        errors=errors,
        error_rate=round(errors / total, 4) if total else 0.0,
        shed=shed,
        latency=latency_summary([s.latency for s in good]),
        client_lag_p99_ms=milliseconds(percentile([s.send_lag for s in samples], 99)),
        by_op=per_operation(samples),
    )


def per_operation(samples: Sequence[Sample]) -> dict[str, dict[str, float]]:
    ops: dict[str, list[Sample]] = {}
    for sample in samples:
        ops.setdefault(sample.op, []).append(sample)
    return {
        op: {
            "requests": len(group),
            "errors": sum(1 for s in group if not s.ok),
            **latency_summary([s.latency for s in group if s.ok]),
        }
        for op, group in sorted(ops.items())
    }


def due_times(start: float, rate: float, duration: float) -> list[float]:
    """When each request of an open-loop phase is due: evenly spaced at ``rate`` per
    second from ``start``, ``floor(rate * duration)`` of them, whatever the answers do."""
    if rate <= 0 or duration <= 0:
        return []
    count = math.floor(rate * duration + 1e-9)
    return [start + i / rate for i in range(count)]


def saturated(summary: PhaseSummary, *, max_error_rate: float, max_p99_ms: float) -> bool:
    """A step is past saturation when errors, p99 or the achieved rate give way."""
    return (
        summary.error_rate > max_error_rate
        or math.isnan(summary.p99_ms)
        or summary.p99_ms > max_p99_ms
        or summary.achieved_rps < 0.9 * summary.offered_rps
    )

"""``bench/results/<date>.json`` (everything) and ``<date>.md`` (the short tables)."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.settings import BenchSettings

RESULTS = Path(__file__).resolve().parent / "results"


def saturation_summary(steps: list[dict[str, Any]], cfg: BenchSettings) -> dict[str, Any]:
    kept = [s for s in steps if not s["saturated"]]
    return {
        "steps": steps,
        "max_sustainable_rps": max((s["offered_rps"] for s in kept), default=0),
        "peak_achieved_rps": max((s["achieved_rps"] for s in steps), default=0),
        "criteria": {
            "max_error_rate": cfg.max_error_rate,
            "max_p99_ms": cfg.max_p99_ms,
            "min_achieved_of_offered": 0.9,
        },
    }


def header(cfg: BenchSettings) -> dict[str, Any]:
    return {
        "date": dt.datetime.now(dt.UTC).date().isoformat(),
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_avg_before": [round(x, 2) for x in os.getloadavg()],
        },
        "settings": asdict(cfg),
    }


def _ms(value: Any) -> str:
    return (
        "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:g}"
    )


def _load_row(label: str, phase: dict[str, Any]) -> str:
    lat, per_req = phase["latency"], phase.get("cpu_ms_per_request", {})
    return (
        f"| {label} | {phase['offered_rps']:g} | {phase['achieved_rps']:g} | {_ms(lat['p50_ms'])} "
        f"| {_ms(lat['p95_ms'])} | {_ms(lat['p99_ms'])} | {100 * phase['error_rate']:.2f}% "
        f"| {_ms(per_req.get('gateway'))} | {_ms(per_req.get('sales'))} "
        f"| {_ms(per_req.get('postgres'))} | {_ms(phase.get('client_cpu_s'))} "
        f"| {_ms(phase.get('other_processes_cpu_s'))} |"
    )


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"# make bench, {result['date']} ({result['machine']['cpus']} CPUs, "
        f"load average before: {result['machine']['load_avg_before']})",
        "",
        "Latencies in ms from the *due* time (open loop); CPU in ms per request.",
        "",
        "| load (full mix) | offered/s | achieved/s | p50 | p95 | p99 | errors | gateway CPU "
        "| sales CPU | postgres CPU | client CPU s | others' CPU s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    if "error" in result:
        lines[1:1] = ["", f"**The run failed: {result['error']}** (partial results below)"]
    lines += [_load_row("fixed", phase) for phase in result.get("fixed_loads", [])]
    sat = result.get("saturation", {"steps": []})
    lines += [_load_row("ladder", step) for step in sat["steps"]]
    if "max_sustainable_rps" in sat:
        lines += [
            "",
            f"Saturation: highest step that kept up {sat['max_sustainable_rps']:g} req/s "
            f"offered; peak achieved {sat['peak_achieved_rps']:g} req/s.",
        ]
    lines += [
        "",
        "| event propagation | samples | lost | p50 ms | p99 ms |",
        "|---|---|---|---|---|",
    ]
    for name, ev in result.get("events", {}).items():
        lines.append(
            f"| {name} | {ev['samples']} | {ev['lost']} | {_ms(ev['p50_ms'])} "
            f"| {_ms(ev['p99_ms'])} |"
        )
    lines += _references(result.get("references", {}))
    lines += ["", "| process | CPU s (whole run) | peak RSS MiB |", "|---|---|---|"]
    procs = result.get("processes", {"peak_rss_mib": {}})
    for name in procs["peak_rss_mib"]:
        lines.append(f"| {name} | {procs['cpu_s'][name]} | {procs['peak_rss_mib'][name]} |")
    return "\n".join(lines) + "\n"


def _references(refs: dict[str, Any]) -> list[str]:
    lines = ["", "| reference | unloaded p50 | unloaded p99 | loaded offered/s | loaded p50 "
             "| loaded p99 | max achieved/s | server CPU ms/req |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    hello = refs.get("hello_world")
    if hello:
        steps = hello["steps"]
        peak = max((s["achieved_rps"] for s in steps), default=0)
        cpu = steps[0]["cpu_ms_per_request"].get("hello-world") if steps else None
        lines.append(f"| FastAPI hello-world | {_ms(hello['unloaded']['p50_ms'])} | "
                     f"{_ms(hello['unloaded']['p99_ms'])} | - | - | - | {peak:g} "
                     f"| {_ms(cpu)} |")  # fmt: skip
    for name, ref in refs.get("gateway_hop", {}).items():
        loaded, per_req = ref["loaded"], ref["loaded"].get("cpu_ms_per_request", {})
        cpu = f"gateway {_ms(per_req.get('gateway'))}, sales {_ms(per_req.get('sales'))}"
        lines.append(
            f"| GetLead {name} | {_ms(ref['unloaded']['p50_ms'])} | "
            f"{_ms(ref['unloaded']['p99_ms'])} | {loaded['offered_rps']:g} | "
            f"{_ms(loaded['latency']['p50_ms'])} | {_ms(loaded['latency']['p99_ms'])} | - "
            f"| {cpu} |"
        )
    return lines


def write(result: dict[str, Any], results_dir: Path = RESULTS) -> tuple[Path, Path]:
    """Write both files; a later run on the same day replaces them. A run that failed
    or was interrupted writes ``<date>-incomplete.*`` and leaves a good one alone."""
    results_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{result['date']}-incomplete" if "error" in result else result["date"]
    json_path, md_path = results_dir / f"{stem}.json", results_dir / f"{stem}.md"
    json_path.write_text(json.dumps(_finite(result), indent=2, allow_nan=False) + "\n")
    md_path.write_text(markdown(result))
    return json_path, md_path


def _finite(value: Any) -> Any:
    """NaN (no samples) becomes null: strict JSON."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value

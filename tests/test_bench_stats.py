"""The pure parts of ``make bench``: percentile maths, the open-loop schedule, a
phase's bookkeeping, how profile samples are billed, the results files (no server,
no network; well under a second)."""

from __future__ import annotations

import asyncio
import json
import math
from pathlib import Path

import pytest

from bench import load
from bench.pyspy import parse_collapsed, summarise
from bench.report import write
from bench.stats import Sample, due_times, percentile, phase_summary, saturated


def test_percentiles_interpolate_between_closest_ranks() -> None:
    values = [4.0, 1.0, 3.0, 2.0, 5.0]  # unsorted on purpose
    assert percentile(values, 0) == 1.0
    assert percentile(values, 50) == 3.0
    assert percentile(values, 100) == 5.0
    assert percentile(values, 90) == pytest.approx(4.6)
    assert percentile([7.0], 99) == 7.0
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError):
        percentile(values, 101)


def test_due_times_are_evenly_spaced_whatever_happens() -> None:
    times = due_times(100.0, rate=4, duration=2)
    assert times == [100.0, 100.25, 100.5, 100.75, 101.0, 101.25, 101.5, 101.75]
    assert len(due_times(0.0, rate=3, duration=1 / 3)) == 1  # no float drop-outs
    assert due_times(0.0, rate=0, duration=5) == []


def test_latency_counts_from_the_due_time_not_the_send_time() -> None:
    # Due at 0, sent late at 0.5 (the client fell behind), done at 0.6: 600 ms, not 100.
    late = Sample("get_lead", due=0.0, sent=0.5, done=0.6, ok=True)
    assert late.latency == pytest.approx(0.6)
    assert late.send_lag == pytest.approx(0.5)


def test_phase_summary_counts_errors_shed_requests_and_rates() -> None:
    samples = [Sample("a", i * 0.1, i * 0.1, i * 0.1 + 0.01 * (i + 1), True) for i in range(9)]
    samples.append(Sample("b", 1.0, 1.0, 1.5, False))
    summary = phase_summary(samples, offered_rate=10, duration=1.0, shed=2)
    assert (summary.requests, summary.errors, summary.shed) == (12, 3, 2)
    assert summary.error_rate == 0.25
    assert summary.achieved_rps == 9.0
    assert summary.latency["p50_ms"] == 50.0  # failures do not count in latency
    assert summary.by_op["b"]["errors"] == 1
    assert saturated(summary, max_error_rate=0.01, max_p99_ms=1000)


def test_open_loop_does_not_wait_for_slow_answers() -> None:
    """Open loop: at 50/s for 0.2 s every request is sent on time although each answer
    takes 0.1 s (a closed loop would have sent one)."""

    async def slow() -> bool:
        await asyncio.sleep(0.1)
        return True

    summary = asyncio.run(load.open_loop(lambda: ("slow", slow), rate=50, duration=0.2))
    assert summary.requests == 10 and summary.errors == 0
    assert summary.latency["p50_ms"] >= 100


def test_a_full_client_sheds_instead_of_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "MAX_IN_FLIGHT", 2)

    async def slow() -> bool:
        await asyncio.sleep(0.2)
        return True

    summary = asyncio.run(load.open_loop(lambda: ("slow", slow), rate=100, duration=0.05))
    assert (summary.requests, summary.shed, summary.errors) == (5, 3, 3)


def test_profile_samples_are_billed_to_the_library_they_were_in() -> None:
    text = (
        "main (gateway/main.py:20);verify (gateway/security/tokens.py:40);"
        "OKPAlgorithm.verify (jwt/algorithms.py:1018) 3\n"
        "main (gateway/main.py:20);lead_page (gateway/mappers_leads.py:102) 1\n"
        "not a stack line\n"
    )
    assert [count for _, count in parse_collapsed(text)] == [3, 1]
    summary = summarise(text)
    assert summary["by_category_pct"] == {
        "token verification (jwt, cryptography)": 75.0,
        "our code": 25.0,
    }


def test_results_are_strict_json_and_a_failed_run_does_not_replace_a_good_one(
    tmp_path: Path,
) -> None:
    result = {"date": "2026-01-02", "machine": {"cpus": 2, "load_avg_before": [0.1]},
              "events": {"x": {"samples": 0, "lost": 1, "p50_ms": math.nan,
                               "p99_ms": math.nan}}}  # fmt: skip
    json_path, md_path = write(result, tmp_path)
    assert json_path.name == "2026-01-02.json" and md_path.exists()
    assert json.loads(json_path.read_text())["events"]["x"]["p50_ms"] is None
    failed, _ = write({**result, "error": "boom"}, tmp_path)
    assert failed.name == "2026-01-02-incomplete.json"
    assert "The run failed" in (tmp_path / "2026-01-02-incomplete.md").read_text()

"""The real supervisor over a fake service and gateway (the real ones live elsewhere):
start order, readiness, seeding, banner, logs, and shutdown that leaves nothing behind."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest

from crm_devstack.net import free_port
from crm_devstack.processes import pid_gone

DRIVER = Path(__file__).parent / "fakes" / "run_fake_stack.py"


@dataclass
class SupervisorRun:
    process: subprocess.Popen[str]
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.seen):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{text!r} not printed; output:\n" + "\n".join(self.seen))
            try:
                self.seen.append(self.lines.get(timeout=min(remaining, 0.5)))
            except queue.Empty:
                continue

    def wait_exit(self, timeout: float = 30) -> int:
        code = self.process.wait(timeout=timeout)
        time.sleep(0.2)  # let the reader drain the last lines
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return code

    def output(self) -> str:
        return "\n".join(self.seen)

    def descendants(self) -> list[int]:
        return [p.pid for p in psutil.Process(self.process.pid).children(recursive=True)]


@pytest.fixture
def start_supervisor(tmp_path: Path) -> Iterator[object]:
    runs: list[SupervisorRun] = []

    def start(**extra_env: str) -> SupervisorRun:
        env = {
            **os.environ,
            # Only NATS is started for real: the fakes don't touch PostgreSQL or Redis.
            "CRM_DATABASE_URL": "postgresql+asyncpg://unused@127.0.0.1:1/unused",
            "CRM_REDIS_URL": "redis://127.0.0.1:1/0",
            "FAKE_GRPC_PORT": str(free_port()),
            "FAKE_HTTP_PORT": str(free_port()),
            "PYTHONUNBUFFERED": "1",
            **extra_env,
        }
        env.pop("CRM_NATS_URL", None)
        process = subprocess.Popen(
            [sys.executable, str(DRIVER), str(tmp_path)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        run = SupervisorRun(process)
        threading.Thread(
            target=lambda: [run.lines.put(x.rstrip()) for x in process.stdout], daemon=True
        ).start()  # type: ignore[union-attr]
        runs.append(run)
        return run

    yield start
    for run in runs:  # never leave a supervisor behind, whatever the test did
        if run.process.poll() is None:
            os.killpg(run.process.pid, signal.SIGKILL)
            run.process.wait()


def test_runs_seeds_prints_banner_and_stops_everything_on_sigterm(
    start_supervisor, tmp_path: Path
) -> None:
    run = start_supervisor()
    run.wait_for("CRM platform is running")
    assert "demo tenant seeded" in run.output()
    assert "identity is ready" in run.output() and "gateway is ready" in run.output()
    assert "identity | serving; worker pid" in run.output()  # prefixed child output
    children = run.descendants()
    assert len(children) >= 4  # nats-server, fake service + its worker, fake gateway

    run.process.send_signal(signal.SIGTERM)

    assert run.wait_exit() == 0, run.output()
    assert all(pid_gone(pid) for pid in children), run.output()
    assert "serving; worker pid" in (tmp_path / ".data" / "logs" / "identity.log").read_text()
    assert (tmp_path / ".data" / "secrets.json").exists()

    again = start_supervisor()  # second run: same secrets, the tenant "exists"
    again.wait_for("CRM platform is running")
    again.process.send_signal(signal.SIGINT)
    assert again.wait_exit() == 0


def test_a_service_that_fails_to_start_stops_the_stack(start_supervisor) -> None:
    run = start_supervisor(FAKE_FAIL_AT_START="1")
    assert run.wait_exit() == 1
    assert "boom: cannot start" in run.output()
    assert "exited with code 3" in run.output()
    assert (
        "gateway" not in run.output().split("exited with code 3")[0].split("starting identity")[1]
    )


def test_a_service_that_dies_later_stops_the_stack(start_supervisor) -> None:
    run = start_supervisor(FAKE_EXIT_AFTER="3")
    run.wait_for("CRM platform is running")
    children = run.descendants()
    assert run.wait_exit() == 1
    assert "identity exited with code 7" in run.output()
    assert all(pid_gone(pid) for pid in children), run.output()

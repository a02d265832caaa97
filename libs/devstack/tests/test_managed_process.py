from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from crm_devstack.net import free_port
from crm_devstack.postgres import postgres_accepts_login
from crm_devstack.processes import pid_gone
from crm_devstack.testing import ManagedProcess, ProcessExitedError, unique_name

TALK_THEN_SLEEP = "import time; print('hello', flush=True); time.sleep(60)"


def test_output_is_logged_and_stop_ends_the_group(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "talker.log"
    # The child starts a grandchild: stop() must end both.
    script = (
        "import subprocess, sys, time;"
        "w = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']);"
        "print('worker', w.pid, flush=True); time.sleep(60)"
    )
    with ManagedProcess("talker", [sys.executable, "-c", script], log_path=log) as process:
        deadline = time.monotonic() + 10
        while not process.last_lines() and time.monotonic() < deadline:
            time.sleep(0.05)
        worker_pid = int(process.last_lines()[0].split()[1])
        assert process.is_running()
    assert pid_gone(process.pid) and pid_gone(worker_pid)
    assert process.returncode is not None
    assert log.read_text().startswith("worker ")


def test_stop_escalates_to_sigkill_when_sigterm_is_ignored(tmp_path: Path) -> None:
    script = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
        "print('stubborn', flush=True); time.sleep(60)"
    )
    process = ManagedProcess("stubborn", [sys.executable, "-c", script], echo=False).start()
    deadline = time.monotonic() + 10
    while not process.last_lines() and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    assert process.stop(grace=0.5) == -9
    assert time.monotonic() - started < 5


def test_kill_is_immediate() -> None:
    process = ManagedProcess("victim", [sys.executable, "-c", TALK_THEN_SLEEP]).start()
    assert process.kill() == -9
    assert not process.is_running()


def test_waiting_on_a_process_that_exits_reports_its_last_words() -> None:
    script = "print('cannot bind', flush=True); raise SystemExit(3)"
    process = ManagedProcess("quitter", [sys.executable, "-c", script]).start()
    with pytest.raises(ProcessExitedError) as error:
        process.wait_grpc_ready(free_port(), timeout=10)
    assert error.value.returncode == 3
    assert "cannot bind" in str(error.value)


def test_waits_are_bounded() -> None:
    with ManagedProcess("sleeper", [sys.executable, "-c", TALK_THEN_SLEEP]) as process:
        with pytest.raises(TimeoutError):
            process.wait_http_ready(f"http://127.0.0.1:{free_port()}/readyz", timeout=0.5)
        with pytest.raises(TimeoutError):
            process.wait_grpc_ready(free_port(), timeout=0.5)


def test_unique_names_are_short_distinct_and_safe() -> None:
    names = {unique_name("Crm-Test") for _ in range(100)}
    assert len(names) == 100
    assert all(name.startswith("crm_test_") and len(name) < 30 for name in names)
    assert all(name.replace("_", "").isalnum() and name.islower() for name in names)


def test_postgres_login_probe_is_false_where_nothing_listens() -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/postgres"
    assert postgres_accepts_login(url, timeout=1) is False

"""Stopping child processes for good.

Every child the devstack starts runs in its own session (``start_new_session=True``),
so its PID is also its process-group id. Signalling the group reaches grandchildren too
(a service's worker processes), which is what makes "no process left behind" true, and
a Ctrl-C in the terminal reaches only the supervisor, which then stops children in order.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess

import psutil

from crm_devstack.waiting import wait_until

DEFAULT_GRACE_SECONDS = 10.0


def signal_group(pid: int, sig: signal.Signals) -> None:
    """Send ``sig`` to the process group led by ``pid``; a group that is gone is fine."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def stop_process_group(
    process: subprocess.Popen[bytes], grace: float = DEFAULT_GRACE_SECONDS
) -> int | None:
    """SIGTERM the child's group, wait up to ``grace`` seconds, then SIGKILL it.

    Returns the child's exit code (None only if it could not be reaped)."""
    if process.poll() is None:
        signal_group(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            signal_group(process.pid, signal.SIGKILL)
    # Sweep stragglers that ignored SIGTERM or outlived their leader.
    signal_group(process.pid, signal.SIGKILL)
    return _reap(process)


def kill_process_group(process: subprocess.Popen[bytes]) -> int | None:
    """SIGKILL the child's group at once: the crash that fault-injection tests need."""
    signal_group(process.pid, signal.SIGKILL)
    return _reap(process)


def _reap(process: subprocess.Popen[bytes]) -> int | None:
    try:
        return process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        return None


def pid_gone(pid: int) -> bool:
    """True when ``pid`` no longer runs. A zombie counts as gone: it only waits for its
    parent (or init, for a daemon like the postmaster) to collect its exit status."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def wait_pid_gone(pid: int, timeout: float = DEFAULT_GRACE_SECONDS) -> bool:
    """Wait until ``pid`` is gone; False if it still runs after ``timeout`` seconds."""
    try:
        wait_until(lambda: pid_gone(pid), timeout=timeout, description=f"pid {pid} to exit")
    except TimeoutError:
        return False
    return True

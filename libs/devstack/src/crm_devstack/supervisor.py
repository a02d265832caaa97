"""``make run``: the data stores, every service, the gateway, the demo tenant, a banner;
Ctrl-C (or SIGTERM) stops it all in reverse order and leaves no process behind."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import NoReturn

from crm_devstack.banner import render_banner
from crm_devstack.demo_tenant import seed_demo_tenant
from crm_devstack.dev_secrets import DevSecrets, load_or_create_secrets
from crm_devstack.infra import Infra, ensure_infra
from crm_devstack.managed_process import ManagedProcess, echo_block, echo_line
from crm_devstack.net import LOCALHOST, tcp_reachable
from crm_devstack.paths import data_dir, find_repo_root
from crm_devstack.services import (
    GATEWAY,
    ServiceSpec,
    all_specs,
    build_service_env,
    resolve_command,
)

READY_TIMEOUT_SECONDS = 60.0
STOP_GRACE_SECONDS = 10.0
WATCH_INTERVAL_SECONDS = 0.5
_SHUTDOWN_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class ShutdownRequested(Exception):
    """Ctrl-C or SIGTERM arrived."""


class StartupError(RuntimeError):
    """Something the stack needs is missing or in the way."""


def say(message: str) -> None:
    echo_line("crm-dev", message)


@dataclass
class Stack:
    """What this supervisor started, so that it can stop exactly that."""

    infra: Infra | None = None
    children: list[tuple[ServiceSpec, ManagedProcess]] = field(default_factory=list)

    def running_specs(self) -> list[ServiceSpec]:
        return [spec for spec, _ in self.children]

    def stop(self) -> None:
        """Children newest first (the gateway before the services it calls), then infra."""
        for spec, child in reversed(self.children):
            if child.is_running():
                say(f"stopping {spec.name} (pid {child.pid})")
            child.stop(STOP_GRACE_SECONDS)
        self.children.clear()
        if self.infra is not None:
            say("stopping data stores")
            self.infra.stop()
            self.infra = None


def run_stack(repo_root: Path | None = None, specs: Sequence[ServiceSpec] | None = None) -> int:
    """Run until Ctrl-C (exit code 0) or until something fails (exit code 1)."""
    root = repo_root or find_repo_root()
    data = data_dir(root)
    stack = Stack()
    with shutdown_signals_raise():
        try:
            dev_secrets = load_or_create_secrets(data / "secrets.json")
            start_stack(stack, data, dev_secrets, list(specs or all_specs()))
            watch_children(stack)
        except ShutdownRequested:
            say("shutting down")
            return_code = 0
        except Exception as error:  # any failure ends in an orderly shutdown
            say(f"error: {error}")
            return_code = 1
        finally:
            with signals_ignored():  # a second Ctrl-C must not strand children
                stack.stop()
    say("stopped")
    return return_code


def start_stack(
    stack: Stack, data: Path, dev_secrets: DevSecrets, specs: list[ServiceSpec]
) -> None:
    say(f"data directory {data}")
    stack.infra = ensure_infra(data, reuse_local=False)
    for name, value in stack.infra.env().items():
        say(f"{name}={value}")
    for spec in specs:
        command = resolve_command(spec.command)
        if command is None:
            say(f"skipping {spec.name}: `{spec.command[0]}` is not installed")
            continue
        env = build_service_env(
            spec,
            store_env=stack.infra.env(),
            dev_secrets=dev_secrets,
            specs=specs,
            parent_env=os.environ,
        )
        start_service(stack, spec, command, env, data)
    finish_start(stack, dev_secrets)


def start_service(
    stack: Stack, spec: ServiceSpec, command: list[str], env: dict[str, str], data: Path
) -> None:
    """Start one service and return once it is ready (or raise)."""
    refuse_taken_ports(spec)
    say(f"starting {spec.name}: {' '.join(command)}")
    child = ManagedProcess(spec.name, command, env=env, log_path=data / "logs" / f"{spec.name}.log")
    # Owned by the stack before it even starts: whatever happens next, stop() reaches it.
    stack.children.append((spec, child))
    child.start()
    wait_ready(spec, child)
    say(f"{spec.name} is ready")


def refuse_taken_ports(spec: ServiceSpec) -> None:
    """A port already in use would make an old process answer our readiness probe."""
    for port in (spec.grpc_port, spec.metrics_port, spec.http_port):
        if port is not None and tcp_reachable(LOCALHOST, port):
            raise StartupError(
                f"port {port} for {spec.name} is already in use "
                "(is another `make run` still running?)"
            )


def wait_ready(spec: ServiceSpec, child: ManagedProcess) -> None:
    if spec.readiness_url is not None:
        child.wait_http_ready(spec.readiness_url, READY_TIMEOUT_SECONDS)
    elif spec.grpc_port is not None:
        child.wait_grpc_ready(spec.grpc_port, READY_TIMEOUT_SECONDS)
    else:
        time.sleep(1.0)  # nothing to probe: at least make sure it did not die at once
        child.raise_if_exited()


def finish_start(stack: Stack, dev_secrets: DevSecrets) -> None:
    """Seed the demo tenant through the gateway, then say where to go."""
    gateway = next((spec for spec in stack.running_specs() if spec.name == GATEWAY.name), None)
    if gateway is not None and gateway.base_url is not None:
        _, message = seed_demo_tenant(gateway.base_url, dev_secrets)
        say(message)
    else:
        say("gateway is not installed: demo tenant not seeded")
    echo_block(render_banner(gateway or GATEWAY, stack.running_specs(), dev_secrets))


def watch_children(stack: Stack) -> NoReturn:
    """Raise ProcessExitedError as soon as any child dies; until then, wait."""
    while True:
        for _, child in stack.children:
            child.raise_if_exited()
        time.sleep(WATCH_INTERVAL_SECONDS)


@contextmanager
def shutdown_signals_raise() -> Iterator[None]:
    """Turn SIGINT/SIGTERM into ShutdownRequested in the main thread, wherever it is
    waiting, so that every path goes through the same orderly stop."""
    previous = {sig: signal.getsignal(sig) for sig in _SHUTDOWN_SIGNALS}

    def request_shutdown(signum: int, frame: FrameType | None) -> None:
        raise ShutdownRequested(signal.Signals(signum).name)

    for sig in _SHUTDOWN_SIGNALS:
        signal.signal(sig, request_shutdown)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def signals_ignored() -> Iterator[None]:
    previous = {sig: signal.getsignal(sig) for sig in _SHUTDOWN_SIGNALS}
    for sig in _SHUTDOWN_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

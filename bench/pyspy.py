"""Sampling profiles of running processes with py-spy (no code change, no restart),
summarised as where the CPU goes: by library (the frame nearest the leaf that belongs
to a known one) and by function (inclusive)."""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections import Counter
from pathlib import Path

# (category, prefixes of a frame's file as py-spy shortens it to its package part),
# checked leaf-first per stack: a sample is billed to the library it was in when
# sampled (its own code or a C call it made), so "sqlalchemy" means time inside
# SQLAlchemy, not everything below our handler. OpenTelemetry's instrumentations
# shorten to names that look like other packages, hence the explicit files.
OTEL = ("opentelemetry/", "trace/", "baggage/", "propagators/", "context/", "sdk/",
        "instrumentation/", "asgi/", "fastapi/__init__.py", "grpc/_aio_server.py",
        "grpc/_aio_client.py", "grpc/_client.py", "grpc/_server.py", "_decorator.py")  # fmt: skip
OUR_CODE = ("gateway/", "sales/", "identity/", "inventory/", "crm_common/")
CATEGORIES = [
    ("tracing (opentelemetry, exporter off)", OTEL),
    ("logging", ("logging/", "pythonjsonlogger/", "crm_common/logging")),
    ("metrics (prometheus)", ("prometheus_client/",)),
    ("token verification (jwt, cryptography)", ("jwt/", "cryptography/")),
    ("redis client", ("redis/",)),
    ("protobuf", ("google/protobuf/", "protobuf/")),
    ("grpc", ("grpc/", "grpc_status/")),
    ("sqlalchemy", ("sqlalchemy/",)),
    ("asyncpg", ("asyncpg/",)),
    ("pydantic (validation, serialisation)", ("pydantic/", "pydantic_core/")),
    ("json", ("json/",)),
    ("http server (uvicorn, h11)", ("uvicorn/", "h11/")),
    ("fastapi/starlette", ("fastapi/", "starlette/", "anyio/")),
    ("our code", OUR_CODE),
    ("asyncio and sockets", ("asyncio/", "selectors.py")),
    ("threads", ("threading.py", "queue.py")),
]


def _file(frame: str) -> str:
    """``fn (pkg/mod.py:12)`` -> ``pkg/mod.py``."""
    return frame.rpartition(" (")[2].rsplit(":", 1)[0]


def py_spy() -> str | None:
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


async def record(pids: dict[str, int], seconds: float, out_dir: Path) -> dict[str, Path]:
    """Run py-spy on every pid at once for ``seconds``; raw collapsed stacks per name."""
    binary = py_spy()
    if binary is None:
        raise RuntimeError("py-spy is not installed in the venv")
    outputs = _outputs(pids, out_dir)
    procs = [
        await asyncio.create_subprocess_exec(
            binary,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(int(seconds)),
            "--rate",
            "100",
            "--format",
            "raw",
            "--nonblocking",
            "-o",
            str(outputs[name]),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        for name, pid in pids.items()
    ]
    try:
        await asyncio.wait_for(asyncio.gather(*(p.wait() for p in procs)), timeout=seconds + 30)
    finally:  # interrupted or stuck: stop our py-spy processes, by PID
        for proc in procs:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    return {name: path for name, path in outputs.items() if path.exists()}


def _outputs(pids: dict[str, int], out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    return {name: out_dir / f"{name}.collapsed" for name in pids}


def parse_collapsed(text: str) -> list[tuple[list[str], int]]:
    """``frame;frame;frame count`` lines -> (frames root-first, samples)."""
    stacks = []
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    return stacks


def category(frames: list[str]) -> str:
    for frame in reversed(frames):
        where = _file(frame)
        for name, prefixes in CATEGORIES:
            if where.startswith(prefixes):
                return name
    return "other"


def summarise(text: str, top: int = 15) -> dict[str, object]:
    """Where the samples were: by library, by leaf function (self), and the functions
    of our own code with most samples below them (inclusive)."""
    stacks = parse_collapsed(text)
    total = sum(count for _, count in stacks) or 1
    by_category: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    for frames, count in stacks:
        by_category[category(frames)] += count
        leaf[frames[-1]] += count
        for frame in {f for f in frames if _file(f).startswith(OUR_CODE)}:
            ours[frame] += count

    def pct(counter: Counter[str], n: int | None = None) -> dict[str, float]:
        return {k: round(100 * v / total, 1) for k, v in counter.most_common(n)}

    return {
        "samples": total,
        "by_category_pct": pct(by_category),
        "top_self_pct": pct(leaf, top),
        "top_our_code_inclusive_pct": pct(ours, top),
    }

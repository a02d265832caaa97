"""Where the repository and its ``.data/`` directory are."""

from __future__ import annotations

from pathlib import Path


def find_repo_root(start: Path | None = None) -> Path:
    """The nearest directory (from ``start``, default cwd, upwards) that holds both a
    ``Makefile`` and ``services/``; the start directory itself when there is none."""
    origin = (start or Path.cwd()).resolve()
    for candidate in (origin, *origin.parents):
        if (candidate / "Makefile").is_file() and (candidate / "services").is_dir():
            return candidate
    return origin


def data_dir(repo_root: Path) -> Path:
    """``<repo>/.data``: embedded databases, NATS store, logs, secrets (git-ignored)."""
    return repo_root / ".data"

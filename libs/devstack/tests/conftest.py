"""Fixtures for the devstack's own tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from crm_devstack.paths import data_dir, find_repo_root
from crm_devstack.testing import unique_name


@pytest.fixture
def repo_scratch() -> Iterator[Path]:
    """A scratch dir under ``<repo>/.data/test-tmp/``, removed afterwards.

    Embedded PostgreSQL needs it: run as root, pgserver widens the permissions of every
    parent of its data dir, which must not happen to the system's temp directory."""
    scratch = data_dir(find_repo_root(Path(__file__).parent)) / "test-tmp" / unique_name("dev")
    scratch.mkdir(parents=True)
    try:
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

"""Fixtures shared by every test folder of the monorepo.

``infra`` gives one set of real data stores for the whole test run: PostgreSQL and
Redis already running on this machine are reused, otherwise throwaway embedded ones
are started (crm_devstack); NATS is always a throwaway server that tests may kill.
``CRM_TEST_REUSE_LOCAL=0`` ignores local servers, as on a fresh machine.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from crm_devstack.infra import Infra, ensure_infra
from crm_devstack.testing import unique_name

REPO = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    data_dir = REPO / ".data" / "test-runs" / unique_name("run")
    reuse_local = os.environ.get("CRM_TEST_REUSE_LOCAL", "1") != "0"
    started = ensure_infra(data_dir, reuse_local=reuse_local)
    yield started
    started.stop()
    shutil.rmtree(data_dir, ignore_errors=True)

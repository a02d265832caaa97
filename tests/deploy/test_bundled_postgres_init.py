"""The bundled PostgreSQL's init script (ConfigMap crm-postgresql), run for real
against an embedded PostgreSQL 16: one database and role per service, idempotent."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.conftest import ROOT, Rendered

devstack = pytest.importorskip("crm_devstack.postgres")
pgserver = pytest.importorskip("pgserver")


def test_init_script_creates_one_database_and_role_per_service(
    more_services: Rendered,
) -> None:
    script = more_services.get("ConfigMap", "crm-postgresql")["data"]["ensure-databases.sh"]
    data_dir = ROOT / ".data" / "tests-deploy-pg"
    shutil.rmtree(data_dir, ignore_errors=True)
    pg = devstack.start_embedded_postgres(data_dir)
    try:
        socket_dir = pg.uri.split("host=", 1)[1]
        bindir = Path(pgserver.__file__).parent / "pginstall" / "bin"
        env = {
            "PATH": f"{bindir}:{os.environ['PATH']}",
            "PGHOST": socket_dir,
            "PGUSER": "postgres",
            "CRM_DATABASES": "identity sales order-history",
            "CRM_DB_PASSWORD_IDENTITY": "s3cret'quote",
            "CRM_DB_PASSWORD_SALES": "pw-sales",
            "CRM_DB_PASSWORD_ORDER_HISTORY": "pw-oh",
        }
        for _ in range(2):  # the second run changes nothing and does not fail
            result = subprocess.run(
                ["/bin/sh", "-c", script],
                check=False,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert result.returncode == 0, result.stdout + result.stderr
        query = (
            "SELECT d.datname || ':' || r.rolname || ':' || r.rolcanlogin::text"
            " FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba"
            " WHERE d.datname LIKE 'crm_%' ORDER BY 1"
        )
        rows = subprocess.run(
            ["psql", "-tA", "--dbname", "postgres", "-c", query],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert rows == [
            "crm_identity:crm_identity:true",
            "crm_order_history:crm_order_history:true",
            "crm_sales:crm_sales:true",
        ]
    finally:
        pg.stop()
        shutil.rmtree(data_dir, ignore_errors=True)

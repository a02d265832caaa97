"""The command line every service has: ``crm-<service> [serve|migrate]``, run the
service or apply its migrations (the Helm pre-install/pre-upgrade Job runs
``migrate``)."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from crm_common.config import ServiceSettings
from crm_common.runtime import Runtime, ServiceParts, migrate, run_service

S = TypeVar("S", bound=ServiceSettings)


def service_main(
    prog: str,
    settings_type: Callable[[], S],
    build: Callable[[S, Runtime], ServiceParts],
    migrations: Path,
) -> None:
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("command", nargs="?", choices=["serve", "migrate"], default="serve")
    args = parser.parse_args()
    settings = settings_type()
    if args.command == "migrate":
        asyncio.run(migrate(settings.database, migrations))
        return
    asyncio.run(
        run_service(
            settings,
            database_url=settings.database,
            migrations=migrations,
            migrate_on_start=settings.migrate_on_start,
            build=lambda runtime: build(settings, runtime),
        )
    )

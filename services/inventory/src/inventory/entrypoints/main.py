"""``crm-inventory [serve|migrate]``: run the service, or apply its migrations
(the Helm pre-install/pre-upgrade Job runs ``migrate``)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from crm_common.runtime import migrate, run_service
from inventory import bootstrap
from inventory.config import InventorySettings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def main() -> None:
    parser = argparse.ArgumentParser(prog="crm-inventory")
    parser.add_argument("command", nargs="?", choices=["serve", "migrate"], default="serve")
    args = parser.parse_args()
    settings = InventorySettings()
    if args.command == "migrate":
        asyncio.run(migrate(settings.database, MIGRATIONS))
        return
    asyncio.run(
        run_service(
            settings,
            database_url=settings.database,
            migrations=MIGRATIONS,
            migrate_on_start=settings.migrate_on_start,
            build=lambda runtime: bootstrap.build(settings, runtime),
        )
    )


if __name__ == "__main__":
    main()

"""``crm-marketing [serve|migrate]``: run the service, or apply its migrations."""

from __future__ import annotations

from pathlib import Path

from crm_common.service_main import service_main
from marketing import bootstrap
from marketing.config import MarketingSettings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def main() -> None:
    service_main("crm-marketing", MarketingSettings, bootstrap.build, MIGRATIONS)


if __name__ == "__main__":
    main()

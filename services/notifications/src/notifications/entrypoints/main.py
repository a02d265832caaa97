"""``crm-notifications [serve|migrate]``: run the service, or apply its migrations."""

from __future__ import annotations

from pathlib import Path

from crm_common.service_main import service_main
from notifications import bootstrap
from notifications.config import NotificationsSettings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def main() -> None:
    service_main("crm-notifications", NotificationsSettings, bootstrap.build, MIGRATIONS)


if __name__ == "__main__":
    main()

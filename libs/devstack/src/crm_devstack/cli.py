"""crm-dev: `run` starts the whole platform (what `make run` does); `infra` starts only
the data stores and prints `export CRM_...` lines for running a service by hand."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from crm_devstack.infra import ensure_infra
from crm_devstack.paths import data_dir, find_repo_root
from crm_devstack.supervisor import (
    ShutdownRequested,
    run_stack,
    say,
    shutdown_signals_raise,
    signals_ignored,
)


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    repo_root = args.repo_root.resolve() if args.repo_root else find_repo_root()
    if args.command == "run":
        sys.exit(run_stack(repo_root))
    sys.exit(run_infra(data_dir(repo_root), reuse_local=args.reuse_local))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="crm-dev", description=__doc__)
    parser.add_argument(
        "--repo-root",
        type=Path,
        default=None,
        help="data goes to REPO_ROOT/.data (default: the repository around the cwd)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start the data stores, every service and the gateway")
    infra = commands.add_parser("infra", help="start only PostgreSQL, Redis and NATS")
    infra.add_argument(
        "--reuse-local",
        action="store_true",
        help="use PostgreSQL/Redis already listening on their default local ports",
    )
    return parser


def run_infra(data: Path, *, reuse_local: bool) -> int:
    """Start the stores, print how to reach them, and keep them up until Ctrl-C."""
    with shutdown_signals_raise():
        infra = None
        try:
            infra = ensure_infra(data, reuse_local=reuse_local)
            print("\n".join(infra.export_lines()), flush=True)
            say("data stores are up; Ctrl-C stops them")
            while True:
                time.sleep(3600)
        except ShutdownRequested:
            return 0
        finally:
            with signals_ignored():
                if infra is not None:
                    infra.stop()


if __name__ == "__main__":
    main()

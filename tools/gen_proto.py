"""Generate the crm-proto package from proto/ (used by `make proto`).

Output mirrors the proto packages (crm/identity/v1/...), so generated absolute
imports resolve. Every directory gets an __init__.py so the package installs
like any other.
"""

import shutil
import sys
from pathlib import Path

from grpc_tools import protoc


def generate(proto_root: Path, out_root: Path) -> None:
    target = out_root / "crm"
    shutil.rmtree(target, ignore_errors=True)
    out_root.mkdir(parents=True, exist_ok=True)
    files = sorted(str(p) for p in proto_root.rglob("*.proto"))
    include = Path(protoc.__file__).parent / "_proto"
    args = [
        "protoc",
        f"-I{proto_root}",
        f"-I{include}",
        f"--python_out={out_root}",
        f"--pyi_out={out_root}",
        f"--grpc_python_out={out_root}",
        *files,
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    for directory in [target, *(p for p in target.rglob("*") if p.is_dir())]:
        (directory / "__init__.py").touch()
    (target / "py.typed").touch()


if __name__ == "__main__":
    generate(Path(sys.argv[1]), Path(sys.argv[2]))

"""Print the third-party dependencies declared by the given pyproject.toml files.

Used by the Dockerfiles to install (and cache) dependencies before the sources are
copied: ``python pyproject_deps.py a/pyproject.toml b/pyproject.toml > reqs.txt``.
The monorepo's own packages (``crm-*``) are left out; they are built from source.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path


def third_party(paths: list[str]) -> list[str]:
    deps: set[str] = set()
    for path in paths:
        project = tomllib.loads(Path(path).read_text())["project"]
        for dep in project.get("dependencies", []):
            name = re.split(r"[\s\[<>=!~;]", dep, maxsplit=1)[0]
            if not name.lower().startswith("crm-"):
                deps.add(dep)
    return sorted(deps)


if __name__ == "__main__":
    print("\n".join(third_party(sys.argv[1:])))

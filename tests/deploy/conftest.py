"""Fixtures of the deployment tests: the chart rendered offline with real Helm
(helm-python-sdk, no cluster), once per values set and module."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

helm_python = pytest.importorskip("helm_python")

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "crm"
KUBE_VERSION = "1.30.0"
RELEASE = "crm"
NAMESPACE = "crm"

Doc = dict[str, Any]


def load_values(name: str) -> dict[str, Any]:
    return yaml.safe_load((CHART / name).read_text())


# A production-shaped install where the chart makes the Secret and the stores are external.
MINIMAL_EXTERNAL: dict[str, Any] = {
    "postgresql": {"enabled": False},
    "nats": {"enabled": False, "url": "nats://nats.messaging:4222"},
    "redis": {"enabled": False, "url": "redis://redis.cache:6379/0"},
    "secrets": {
        "databaseUrls": {
            "identity": "postgresql+asyncpg://u:p@pg.db:5432/crm_identity",
            "sales": "postgresql+asyncpg://u:p@pg.db:5432/crm_sales",
            "inventory": "postgresql+asyncpg://u:p@pg.db:5432/crm_inventory",
            "notifications": "postgresql+asyncpg://u:p@pg.db:5432/crm_notifications",
            "support": "postgresql+asyncpg://u:p@pg.db:5432/crm_support",
            "marketing": "postgresql+asyncpg://u:p@pg.db:5432/crm_marketing",
        },
    },
}

# The data-driven promise: more services are values entries, not templates.
MORE_SERVICES: dict[str, Any] = {
    "services": {
        "sales": {
            "image": {"repository": "crm-sales"},
            "grpcPort": 50052,
            "metricsPort": 9101,
            "database": True,
            "redis": False,
        },
        "support": {
            "image": {"repository": "crm-support"},
            "grpcPort": 50053,
            "metricsPort": 9102,
            "database": True,
            "allowFrom": ["sales"],
            "replicas": 1,
            "autoscaling": {"enabled": False},
        },
        "notifications": {
            "image": {"repository": "crm-notifications"},
            "grpcPort": 50054,
            "metricsPort": 9103,
            "database": True,
            "gatewayAccess": False,
            "allowFrom": ["support"],
        },
    }
}


class Rendered:
    """The documents of one render, with look-ups the tests need."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files
        self.notes = files.get(f"{CHART.name}/templates/NOTES.txt", "")
        self.docs: list[Doc] = []
        for path, text in sorted(files.items()):
            if path.endswith("NOTES.txt"):
                continue
            for doc in yaml.safe_load_all(text):  # a YAML error fails the test here
                if doc:
                    doc["_source"] = path
                    self.docs.append(doc)

    def kind(self, kind: str) -> list[Doc]:
        return [d for d in self.docs if d["kind"] == kind]

    def get(self, kind: str, name: str) -> Doc:
        found = [d for d in self.kind(kind) if d["metadata"]["name"] == name]
        assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
        return found[0]

    def names(self, kind: str) -> set[str]:
        return {d["metadata"]["name"] for d in self.kind(kind)}

    def pod_templates(self) -> list[tuple[Doc, Doc]]:
        """(workload, pod template) for every Deployment, StatefulSet and Job."""
        return [
            (d, d["spec"]["template"])
            for d in self.docs
            if d["kind"] in {"Deployment", "StatefulSet", "Job", "DaemonSet"}
        ]


def clean(doc: Doc) -> Doc:
    """A document without the test's own bookkeeping keys."""
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def render(values: dict[str, Any] | None = None) -> Rendered:
    chart = helm_python.Chart.load(str(CHART))
    files = chart.render(
        values=copy.deepcopy(values) if values else None,
        name=RELEASE,
        namespace=NAMESPACE,
        is_install=True,
    )
    return Rendered(files)


@pytest.fixture(scope="module")
def default() -> Rendered:
    return render()


@pytest.fixture(scope="module")
def production() -> Rendered:
    return render(load_values("values-production.yaml"))


@pytest.fixture(scope="module")
def minimal() -> Rendered:
    return render(MINIMAL_EXTERNAL)


@pytest.fixture(scope="module")
def more_services() -> Rendered:
    return render(MORE_SERVICES)


@pytest.fixture(scope="module")
def renderer() -> Callable[[dict[str, Any] | None], Rendered]:
    return render

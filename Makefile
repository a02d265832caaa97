# One entry point for developers, CI and ops. Everything installs into .venv;
# nothing is needed on the machine but Python 3.11 and a C compiler.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
PACKAGES := libs/proto libs/common libs/devstack services/identity services/sales services/inventory services/notifications services/support services/marketing gateway
PROTO_FILES := $(shell find proto -name '*.proto')
PROTO_OUT := libs/proto/src

.PHONY: help venv proto install run test test-unit test-integration test-faults bench lint fmt lock clean images

help:
	@echo "make run    start the whole platform on this machine (http://127.0.0.1:8080)"
	@echo "make test   unit and integration tests against real PostgreSQL, NATS, Redis"
	@echo "make proto  regenerate gRPC code from proto/"
	@echo "make lint   ruff + mypy;  make fmt  format the code"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Third-party dependencies, pinned by constraints.txt.
$(VENV)/.deps: $(BIN)/python requirements-dev.txt constraints.txt
	$(PIP) install --quiet -c constraints.txt -r requirements-dev.txt
	touch $@

venv: $(VENV)/.deps

# Generated code: never edited by hand, never committed.
$(PROTO_OUT)/crm/.generated: $(VENV)/.deps $(PROTO_FILES) tools/gen_proto.py
	$(BIN)/python tools/gen_proto.py proto $(PROTO_OUT)
	touch $@

proto: $(PROTO_OUT)/crm/.generated

$(VENV)/.installed: $(PROTO_OUT)/crm/.generated $(foreach p,$(PACKAGES),$(p)/pyproject.toml)
	$(PIP) install --quiet --no-deps --no-build-isolation $(foreach p,$(PACKAGES),-e $(p))
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/crm-dev run

test: install $(BIN)/promtool
	$(BIN)/python -m pytest -q libs services gateway tests

test-unit: install
	$(BIN)/python -m pytest -q -m "not slow" libs/common/tests/unit services/*/tests/unit gateway/tests/unit

test-integration: install
	$(BIN)/python -m pytest -q tests/integration

# promtool (alert rule checks in tests/deploy) from Debian's prometheus package, unpacked
# into the venv: no root, nothing installed on the machine. Elsewhere the test is skipped.
$(BIN)/promtool: | $(BIN)/python
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	if command -v apt-get >/dev/null && (cd "$$tmp" && timeout 300 apt-get download -qq prometheus 2>/dev/null) \
	  && dpkg-deb -x "$$tmp"/prometheus_*.deb "$$tmp/x"; then \
	  cp "$$tmp/x/usr/bin/promtool" $@ && echo "promtool from Debian's prometheus package"; \
	else echo "promtool unavailable: alert rule checks will be skipped"; fi

# Fault injection on a stack of its own (also part of `make test`, which collects tests/).
test-faults: install
	$(BIN)/python -m pytest -q tests/faults

# Load test on a private stack (never part of `make test`): bench/results/<date>.{json,md}.
# Knobs: CRM_BENCH_* (bench/settings.py); CRM_BENCH_PROFILE=1 adds py-spy profiles.
bench: install
	$(BIN)/python -m bench.run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy libs/common/src libs/devstack/src services/*/src gateway/src

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Re-pin every dependency from a fresh resolution of requirements-dev.txt.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet -r requirements-dev.txt
	{ echo "# Pinned versions for every package the monorepo installs (dev, test, run)."; \
	  echo "# Regenerate with: make lock"; \
	  .lock-venv/bin/pip freeze --all --exclude-editable | grep -v "^pip=="; } > constraints.txt
	rm -rf .lock-venv

images:
	@for d in gateway services/*; do \
	  name=crm-$$(basename $$d); echo "docker build -f $$d/Dockerfile -t $$name ."; \
	  docker build -f $$d/Dockerfile -t $$name . || exit 1; done

clean:
	rm -rf $(VENV) $(PROTO_OUT)/crm .pytest_cache .mypy_cache .ruff_cache

# ---------------------------------------------------------------------------------------
# Kubernetes delivery (deploy/README.md, docs/operations.md). Helm runs in-process through
# helm-python-sdk for lint/template, so no helm binary is needed for those two.
# ---------------------------------------------------------------------------------------
.PHONY: helm-lint helm-template deploy dev

CHART := deploy/helm/crm
KUBE_VERSION ?= 1.30.0
RELEASE ?= crm
NAMESPACE ?= crm
HELM_VALUES ?=

helm-lint: venv
	$(BIN)/python -c 'import sys, helm_python; \
	r = helm_python.lint("$(CHART)", strict=True, kube_version="v$(KUBE_VERSION)"); \
	[print(m.get("path", ""), m.get("error", m), file=sys.stderr) for m in r.get("messages", [])]; \
	sys.exit(1 if r.get("errors") else 0)'

helm-template: venv
	@$(BIN)/python -c 'import sys, helm_python; \
	files = helm_python.Chart.load("$(CHART)").render(name="$(RELEASE)", namespace="$(NAMESPACE)", is_install=True); \
	[print(f"---\n# Source: {p}\n" + t.strip().removeprefix("---").strip()) for p, t in sorted(files.items()) if t.strip() and not p.endswith("NOTES.txt")]'

deploy:
	@command -v helm >/dev/null || { echo "make deploy needs the helm binary (https://helm.sh/docs/intro/install/); or render with 'make helm-template' and apply with your GitOps tool" >&2; exit 1; }
	helm upgrade --install $(RELEASE) $(CHART) -n $(NAMESPACE) --create-namespace --wait $(if $(HELM_VALUES),-f $(HELM_VALUES))

dev:
	@command -v skaffold >/dev/null || { echo "make dev needs skaffold (https://skaffold.dev/docs/install/), a Docker engine and a cluster (kind, k3d, minikube)" >&2; exit 1; }
	skaffold dev -p dev

"""Every metric the Grafana dashboards and the alert rules query is one the code exports.

Nothing is started: the modules that define the metrics are imported and the names are
read from the exposition of ``prometheus_client.REGISTRY`` (``# TYPE`` lines, which are
written even for labelled metrics without samples yet), then widened to the series
names Prometheus stores: counters ``_total``, histograms ``_bucket/_sum/_count``.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
from typing import Any

import pytest
from prometheus_client import REGISTRY, generate_latest

from tests.deploy.conftest import ROOT, render

# Modules that define the platform's metrics (importing them registers the metrics).
METRIC_MODULES = [
    "crm_common.metrics",  # crm_grpc_server_*
    "crm_common.events.metrics",  # outbox and consumers
    "gateway.metrics",  # crm_http_*, crm_gateway_*
    "gateway.middleware.http_metrics",  # records crm_http_requests_total / _duration_
    "gateway.usage",  # crm_gateway_usage_count_failures_total
]

# Business counters the dashboards and alerts already show, exported by services that
# have not landed yet (docs/operations.md, "Dashboards"): allowed to be missing. Remove a
# name once its service has landed (its ``<package>.metrics`` is imported above when the
# package is installed, so an exported placeholder is simply checked like the others).
NOT_YET_EXPORTED: set[str] = set()

# Exported by the cluster, not by the CRM: kube-state-metrics and cAdvisor (kubelet).
CLUSTER_PREFIXES = ("kube_", "container_")

PROMQL_WORDS = {"and", "or", "unless", "offset", "bool", "by", "without", "on", "ignoring"}
PROMQL_WORDS |= {"group_left", "group_right", "inf", "nan"}


def _service_metric_modules() -> list[str]:
    """``<package>.metrics`` of every service under services/ that is installed."""
    found = []
    for path in sorted(ROOT.glob("services/*/src/*/metrics.py")):
        package = path.parent.name
        if importlib.util.find_spec(package) is not None:
            found.append(f"{package}.metrics")
    return found


def exported_series() -> set[str]:
    for module in METRIC_MODULES + _service_metric_modules():
        importlib.import_module(module)
    return series_names(generate_latest(REGISTRY).decode())


def series_names(exposition: str) -> set[str]:
    """The series names a Prometheus text exposition declares (``# TYPE`` lines)."""
    names: set[str] = set()
    for line in exposition.splitlines():
        if not line.startswith("# TYPE "):
            continue
        _, _, name, kind = line.split()
        if kind == "histogram":
            names |= {f"{name}_bucket", f"{name}_sum", f"{name}_count"}
        elif kind == "summary":
            names |= {name, f"{name}_sum", f"{name}_count"}
        else:  # counters already carry _total in the TYPE line
            names.add(name)
    return names


def metric_names(expr: str) -> set[str]:
    """The metric (series) names one PromQL expression reads."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # string literals
    text = re.sub(r"\{[^{}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\[\]]*\]", " ", text)  # range selectors ([5m], [$__rate_interval])
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)", " ", text)
    names = set()
    for match in re.finditer(r"(?<![\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(\s*\()?", text):
        word, call = match.group(1), match.group(2)
        if call or word.lower() in PROMQL_WORDS:
            continue  # functions and aggregations, keywords
        names.add(word)
    return names


def dashboard_exprs() -> dict[str, list[str]]:
    """Every PromQL expression of every dashboard, by ConfigMap key."""
    rendered = render()
    out: dict[str, list[str]] = {}
    for cm in rendered.kind("ConfigMap"):
        for key, text in cm.get("data", {}).items():
            if not key.endswith(".json"):
                continue
            dashboard = json.loads(text)
            exprs = [
                t["expr"]
                for p in _panels(dashboard["panels"])
                for t in p.get("targets", [])
                if t.get("expr")
            ]
            for var in dashboard.get("templating", {}).get("list", []):
                query = var.get("query")
                query = query.get("query") if isinstance(query, dict) else query
                if var.get("type") == "query" and query:
                    # label_values(metric, label): only the metric is a series name
                    exprs.append(re.sub(r"label_values\(([^,)]+),[^)]*\)", r"\1", query))
            out[key] = exprs
    return out


def _panels(panels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    flat = []
    for p in panels:
        flat.append(p)
        flat.extend(_panels(p.get("panels", [])))  # collapsed rows keep their panels
    return flat


def rule_exprs() -> tuple[dict[str, str], set[str]]:
    """Alert and recording expressions by name, and the names the rules record."""
    (rule,) = render({"monitoring": {"forceCRDs": True}}).kind("PrometheusRule")
    exprs: dict[str, str] = {}
    records: set[str] = set()
    for group in rule["spec"]["groups"]:
        for r in group["rules"]:
            name = r.get("alert") or r["record"]
            exprs[name] = r["expr"]
            if "record" in r:
                records.add(r["record"])
    return exprs, records


@pytest.fixture(scope="module")
def exported() -> set[str]:
    return exported_series()


@pytest.fixture(scope="module")
def referenced() -> dict[str, set[str]]:
    return referenced_names()


def referenced_names() -> dict[str, set[str]]:
    """Metric name -> where it is used (dashboard key or rule name)."""
    uses: dict[str, set[str]] = {}
    for key, exprs in dashboard_exprs().items():
        for expr in exprs:
            for name in metric_names(expr):
                uses.setdefault(name, set()).add(key)
    exprs, _ = rule_exprs()
    for rule_name, expr in exprs.items():
        for name in metric_names(expr):
            uses.setdefault(name, set()).add(rule_name)
    return uses


def test_the_parser_finds_metric_names() -> None:
    expr = (
        "histogram_quantile(0.95, sum by (service, le) (rate(crm_grpc_server_duration_seconds_"
        'bucket{namespace="$namespace",code=~"A|B"}[$__rate_interval]))) / on (service) '
        "crm:x:ratio_rate5m > 3 * ((sum(increase(crm_sla_breaches_total[1d] offset 1h))"
        " or vector(0)) / 24)"
    )
    assert metric_names(expr) == {
        "crm_grpc_server_duration_seconds_bucket",
        "crm:x:ratio_rate5m",
        "crm_sla_breaches_total",
    }


def missing_metrics(exported: set[str], referenced: dict[str, set[str]]) -> dict[str, list[str]]:
    """Queried names (with where they are queried) that nothing in ``exported`` has."""
    _, records = rule_exprs()
    return {
        name: sorted(where)
        for name, where in referenced.items()
        if name not in exported
        and name not in NOT_YET_EXPORTED
        and name not in records
        and not name.startswith(CLUSTER_PREFIXES)
    }


def test_every_dashboard_and_alert_metric_is_exported(
    exported: set[str], referenced: dict[str, set[str]]
) -> None:
    missing = missing_metrics(exported, referenced)
    assert not missing, f"queried but exported by no CRM code: {missing}"


def test_recorded_series_are_defined_by_the_rules(referenced: dict[str, set[str]]) -> None:
    _, records = rule_exprs()
    recorded = {name for name in referenced if ":" in name}
    assert recorded <= records
    assert recorded, "the SLO burn alerts read the recorded ratios"


def test_not_yet_exported_lists_only_queried_business_counters(
    referenced: dict[str, set[str]], exported: set[str]
) -> None:
    # A stale entry here would hide a typo in a dashboard; every placeholder is queried
    # and leaves this list once some code exports it.
    assert {name for name in NOT_YET_EXPORTED if name not in referenced} == set()
    assert NOT_YET_EXPORTED & exported == set()
    assert referenced["crm_sla_breaches_total"] >= {"business.json", "CRMSLABreachSpike"}
    assert {"crm_cases_created_total", "crm_sla_breaches_total"} <= exported  # support


def test_the_expected_families_are_covered(referenced: dict[str, set[str]]) -> None:
    for name in (
        "crm_http_requests_total",
        "crm_http_request_duration_seconds_bucket",
        "crm_grpc_server_requests_total",
        "crm_outbox_backlog",
        "crm_outbox_oldest_age_seconds",
        "crm_consumer_pending",
        "crm_consumer_redeliveries_total",
        "crm_events_consumed_total",
        "crm_gateway_revocation_check_failures_total",
        "crm_gateway_rate_limit_failures_total",
        "crm_gateway_usage_count_failures_total",
        "kube_pod_container_status_restarts_total",
    ):
        assert name in referenced, name

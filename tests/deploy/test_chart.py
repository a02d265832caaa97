"""The Helm chart, rendered offline with real Helm: lint, Kubernetes schemas, and a
policy check of every workload (security, probes, resources, images, hooks)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.deploy.conftest import (
    CHART,
    KUBE_VERSION,
    Rendered,
    clean,
    helm_python,
    load_values,
    render,
)

CRD_GROUPS = ("monitoring.coreos.com/",)
SETS = ["default", "production", "minimal", "more_services"]


def test_lint_strict_passes() -> None:
    report = helm_python.lint(str(CHART), strict=True, kube_version=f"v{KUBE_VERSION}")
    assert report["errors"] == [], report
    assert [m for m in report["messages"] if m["severity"] >= 2] == [], report


def test_lint_strict_passes_with_production_values() -> None:
    values = load_values("values-production.yaml")
    report = helm_python.lint(str(CHART), values, strict=True, kube_version=f"v{KUBE_VERSION}")
    assert report["errors"] == [], report


@pytest.mark.parametrize("values_set", SETS)
def test_every_manifest_matches_the_kubernetes_schema(values_set: str, request) -> None:
    rendered: Rendered = request.getfixturevalue(values_set)
    assert len(rendered.docs) > 10
    for doc in rendered.docs:
        if doc["apiVersion"].startswith(CRD_GROUPS):
            continue
        try:
            kubernetes_validate.validate(clean(doc), KUBE_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:  # pragma: no cover - message
            pytest.fail(f"{doc['_source']} {doc['kind']}/{doc['metadata']['name']}: {exc}")


def test_values_files_render_the_expected_workloads(
    default: Rendered, production: Rendered, more_services: Rendered
) -> None:
    assert default.names("Deployment") == {
        "crm-gateway", "crm-identity", "crm-sales", "crm-inventory", "crm-notifications",
        "crm-support", "crm-marketing", "crm-redis",
    }  # fmt: skip
    assert default.names("StatefulSet") == {"crm-nats", "crm-postgresql"}
    # production: no bundled stores, no chart-made Secret
    assert production.names("Deployment") == {
        "crm-gateway", "crm-identity", "crm-sales", "crm-inventory", "crm-notifications",
        "crm-support", "crm-marketing",
    }  # fmt: skip
    assert production.kind("StatefulSet") == []
    assert production.kind("Secret") == []
    assert {"crm-sales", "crm-support", "crm-notifications"} <= more_services.names("Deployment")


# --- policy: every workload -------------------------------------------------------


@pytest.mark.parametrize("values_set", SETS)
def test_pods_are_hardened(values_set: str, request) -> None:
    rendered: Rendered = request.getfixturevalue(values_set)
    templates = rendered.pod_templates()
    assert templates
    for workload, template in templates:
        name = f"{workload['kind']}/{workload['metadata']['name']}"
        spec = template["spec"]
        pod_sc = spec["securityContext"]
        assert pod_sc["runAsNonRoot"] is True, name
        assert pod_sc["runAsUser"] > 0, name
        assert pod_sc["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert spec["automountServiceAccountToken"] is False, name
        mounts_ok = {v["name"] for v in spec.get("volumes", []) if "emptyDir" in v}
        for container in spec["containers"] + spec.get("initContainers", []):
            sc = container["securityContext"]
            assert sc["readOnlyRootFilesystem"] is True, name
            assert sc["allowPrivilegeEscalation"] is False, name
            assert sc["capabilities"] == {"drop": ["ALL"]}, name
            assert sc["runAsNonRoot"] is True, name
            assert sc["seccompProfile"] == {"type": "RuntimeDefault"}, name
            res = container["resources"]
            assert {"cpu", "memory"} <= set(res["requests"]), name
            assert {"cpu", "memory"} <= set(res["limits"]), name
            image = container["image"]
            repo, _, tag = image.rpartition(":")
            assert repo and tag and tag != "latest" and "/" not in tag, image
        if workload["metadata"]["labels"]["app.kubernetes.io/component"] not in {
            "nats",
            "redis",
            "postgresql",
        }:
            tmp = [m for m in spec["containers"][0]["volumeMounts"] if m["mountPath"] == "/tmp"]
            assert tmp and tmp[0]["name"] in mounts_ok, f"{name}: /tmp must be an emptyDir"


def _crm_deployments(rendered: Rendered) -> list[dict]:
    return [
        d
        for d in rendered.kind("Deployment")
        if d["metadata"]["labels"]["app.kubernetes.io/component"] not in {"redis"}
    ]


@pytest.mark.parametrize("values_set", SETS)
def test_services_use_native_grpc_probes_and_gateway_http(values_set: str, request) -> None:
    rendered: Rendered = request.getfixturevalue(values_set)
    for dep in _crm_deployments(rendered):
        container = dep["spec"]["template"]["spec"]["containers"][0]
        if dep["metadata"]["name"] == "crm-gateway":
            assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
            assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
            continue
        grpc_port = next(p["containerPort"] for p in container["ports"] if p["name"] == "grpc")
        assert container["livenessProbe"]["grpc"] == {"port": grpc_port, "service": "liveness"}
        assert container["readinessProbe"]["grpc"] == {"port": grpc_port, "service": ""}
        assert container["startupProbe"]["grpc"]["service"] == "liveness"
        assert {p["name"] for p in container["ports"]} == {"grpc", "metrics"}


@pytest.mark.parametrize("values_set", SETS)
def test_graceful_shutdown(values_set: str, request) -> None:
    rendered: Rendered = request.getfixturevalue(values_set)
    for dep in _crm_deployments(rendered):
        spec = dep["spec"]["template"]["spec"]
        container = spec["containers"][0]
        sleep = container["lifecycle"]["preStop"]["exec"]["command"]
        assert sleep[0] == "sleep"
        grace = float(
            next(
                c["data"]["CRM_SHUTDOWN_GRACE_SECONDS"]
                for c in rendered.kind("ConfigMap")
                if c["metadata"]["name"] == dep["metadata"]["name"]
            )
        )
        assert spec["terminationGracePeriodSeconds"] > int(sleep[1]) + grace


@pytest.mark.parametrize("values_set", SETS)
def test_one_service_account_per_workload(values_set: str, request) -> None:
    rendered: Rendered = request.getfixturevalue(values_set)
    accounts = {sa["metadata"]["name"]: sa for sa in rendered.kind("ServiceAccount")}
    used = [
        t["spec"].get("serviceAccountName")
        for w, t in rendered.pod_templates()
        if w["kind"] != "Job"  # hook Jobs run before the release's accounts exist
    ]
    assert None not in used
    assert len(used) == len(set(used)), "workloads share a ServiceAccount"
    assert set(used) == set(accounts)
    assert all(sa["automountServiceAccountToken"] is False for sa in accounts.values())


def test_topology_spread_hpa_and_pdb_for_every_crm_workload(more_services: Rendered) -> None:
    deployments = {d["metadata"]["name"]: d for d in _crm_deployments(more_services)}
    hpas = {
        h["spec"]["scaleTargetRef"]["name"]: h
        for h in more_services.kind("HorizontalPodAutoscaler")
    }
    pdbs = {p["metadata"]["name"]: p for p in more_services.kind("PodDisruptionBudget")}
    for name, dep in deployments.items():
        spread = dep["spec"]["template"]["spec"]["topologySpreadConstraints"]
        assert {c["topologyKey"] for c in spread} >= {"kubernetes.io/hostname"}
        labels = dep["spec"]["template"]["metadata"]["labels"]
        for c in spread:
            assert all(labels[k] == v for k, v in c["labelSelector"]["matchLabels"].items())
        assert pdbs[name]["spec"]["selector"] == dep["spec"]["selector"]
        if name == "crm-support":  # autoscaling switched off for it: fixed replicas
            assert name not in hpas
            assert dep["spec"]["replicas"] == 1
        else:
            assert hpas[name]["apiVersion"] == "autoscaling/v2"
            assert "replicas" not in dep["spec"], "the HPA owns the replica count"


def test_config_checksum_follows_the_config(default: Rendered) -> None:
    changed = render({"config": {"logLevel": "DEBUG"}})

    def checksum(r: Rendered) -> str:
        dep = r.get("Deployment", "crm-identity")
        return dep["spec"]["template"]["metadata"]["annotations"]["checksum/config"]

    assert checksum(default) != checksum(changed)
    assert len(checksum(default)) == len(hashlib.sha256().hexdigest())


def test_settings_reach_the_processes(default: Rendered, more_services: Rendered) -> None:
    gw = default.get("ConfigMap", "crm-gateway")["data"]
    assert gw["CRM_GATEWAY_HOST"] == "0.0.0.0"
    assert gw["CRM_IDENTITY_ADDR"] == "crm-identity:50051"
    assert json.loads(gw["CRM_CORS_ORIGINS"]) == []
    ident = default.get("ConfigMap", "crm-identity")["data"]
    assert ident["CRM_GRPC_HOST"] == "0.0.0.0"
    assert ident["CRM_MIGRATE_ON_START"] == "false"
    assert ident["CRM_NATS_URL"] == "nats://crm-nats:4222"
    env = default.get("Deployment", "crm-identity")["spec"]["template"]["spec"]["containers"][0][
        "env"
    ]
    secret_env = {e["name"]: e["valueFrom"]["secretKeyRef"]["key"] for e in env}
    assert secret_env["CRM_INTERNAL_SECRET"] == "internalSecret"
    assert secret_env["CRM_IDENTITY_KEY_PASSPHRASE"] == "identityKeyPassphrase"
    assert secret_env["CRM_IDENTITY_DATABASE_URL"] == "identityDatabaseUrl"
    for service, var, key in (
        ("notifications", "CRM_EMAIL_SECRET_KEY", "emailSecretKey"),
        ("marketing", "CRM_MARKETING_LINK_SECRET", "marketingLinkSecret"),
    ):
        container = default.get("Deployment", f"crm-{service}")["spec"]["template"]["spec"]
        refs = {
            e["name"]: e["valueFrom"]["secretKeyRef"]["key"]
            for e in container["containers"][0]["env"]
        }
        assert refs[var] == key, service
    # peers get the addresses of the services they call, and only those
    support = more_services.get("ConfigMap", "crm-support")["data"]
    sales = more_services.get("ConfigMap", "crm-sales")["data"]
    gateway = more_services.get("ConfigMap", "crm-gateway")["data"]
    assert sales["CRM_SUPPORT_ADDR"] == "crm-support:50053"
    assert support["CRM_NOTIFICATIONS_ADDR"] == "crm-notifications:50054"
    assert "CRM_NOTIFICATIONS_ADDR" not in gateway
    assert "CRM_SALES_ADDR" not in support


# --- secrets ------------------------------------------------------------------------


def test_generated_secrets(default: Rendered) -> None:
    import base64

    data = {
        k: base64.b64decode(v).decode() for k, v in default.get("Secret", "crm")["data"].items()
    }
    generated = ("internalSecret", "platformToken", "emailSecretKey", "marketingLinkSecret")
    assert {*generated, "identityKeyPassphrase"} <= set(data)
    assert all(len(data[k]) >= 32 for k in generated)
    pg = default.get("Secret", "crm-postgresql")["data"]
    password = base64.b64decode(pg["identity-password"]).decode()
    assert data["identityDatabaseUrl"] == (
        f"postgresql+asyncpg://crm_identity:{password}@crm-postgresql:5432/crm_identity"
    )


def test_existing_secret_is_used_as_is(production: Rendered) -> None:
    for _, template in production.pod_templates():
        for container in template["spec"]["containers"]:
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    assert ref["name"] == "crm-secrets"


def test_missing_database_configuration_fails() -> None:
    with pytest.raises(helm_python.HelmError, match="needs a database"):
        render({"postgresql": {"enabled": False}})


# --- migrations as hooks ---------------------------------------------------------------


def test_migrations_run_as_pre_install_hooks(production: Rendered, minimal: Rendered) -> None:
    for rendered, secret in ((production, "crm-secrets"), (minimal, "crm-migrations")):
        job = rendered.get("Job", "crm-identity-migrate")
        assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
        container = job["spec"]["template"]["spec"]["containers"][0]
        assert container["command"] == ["crm-identity", "migrate"]
        refs = {
            e["valueFrom"]["secretKeyRef"]["name"] for e in container["env"] if "valueFrom" in e
        }
        assert refs == {secret}
    hook_secret = minimal.get("Secret", "crm-migrations")
    assert hook_secret["metadata"]["annotations"]["helm.sh/hook-weight"] == "-10"
    assert "identityDatabaseUrl" in hook_secret["data"]


def test_bundled_database_migrates_after_it_exists(default: Rendered) -> None:
    job = default.get("Job", "crm-identity-migrate")
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "post-install,pre-upgrade"
    init = job["spec"]["template"]["spec"]["initContainers"][0]
    assert init["name"] == "ensure-database"


def test_one_migration_job_per_service_with_a_database(more_services: Rendered) -> None:
    assert more_services.names("Job") == {
        "crm-identity-migrate",
        "crm-sales-migrate",
        "crm-inventory-migrate",
        "crm-support-migrate",
        "crm-notifications-migrate",
        "crm-marketing-migrate",
    }
    init = more_services.get("ConfigMap", "crm-postgresql")
    assert "CREATE DATABASE" in init["data"]["ensure-databases.sh"]
    pg = more_services.get("StatefulSet", "crm-postgresql")["spec"]["template"]["spec"]
    env = {e["name"]: e for e in pg["containers"][0]["env"]}
    assert env["CRM_DATABASES"]["value"].split() == [
        "identity",
        "inventory",
        "marketing",
        "notifications",
        "sales",
        "support",
    ]


# --- schema ---------------------------------------------------------------------------------


BAD_VALUES = [
    pytest.param({"workloadDefaults": {"replicas": 0}}, id="replicas-0"),
    pytest.param({"services": {"identity": {"replicas": 0}}}, id="service-replicas-0"),
    pytest.param({"gateway": {"replicas": "3"}}, id="replicas-string"),
    pytest.param({"replicas": 2}, id="unknown-top-level-key"),
    pytest.param({"services": {"identity": {"replica": 2}}}, id="misspelt-service-key"),
    pytest.param({"services": {"gateway": {"grpcPort": 1}}}, id="reserved-service-name"),
    pytest.param({"services": {"identity": {"grpcPort": 70000}}}, id="port-range"),
    pytest.param({"config": {"env": "staging"}}, id="unknown-env"),
    pytest.param({"networkPolicy": {"enabled": "yes"}}, id="bool-as-string"),
    pytest.param({"secrets": {"databaseUrl": "mysql://x"}}, id="not-postgres"),
    pytest.param({"monitoring": {"prometheusRule": {"availabilitySLO": 1}}}, id="slo-100"),
    pytest.param(
        {"monitoring": {"prometheusRule": {"latencyThresholdSeconds": 0.5}}}, id="le-not-string"
    ),
]


@pytest.mark.parametrize("values", BAD_VALUES)
def test_schema_rejects_bad_values(values: dict) -> None:
    with pytest.raises(helm_python.HelmValuesError):
        render(values)
    report = helm_python.lint(str(CHART), values, strict=True, kube_version=f"v{KUBE_VERSION}")
    assert report["errors"], f"lint accepted {values}"


# --- monitoring, ingress, notes -------------------------------------------------------------------


def test_prometheus_operator_objects_only_when_the_api_exists(default: Rendered) -> None:
    assert default.kind("ServiceMonitor") == []
    assert default.kind("PrometheusRule") == []
    forced = render({"monitoring": {"forceCRDs": True}})
    monitors = {m["metadata"]["name"]: m for m in forced.kind("ServiceMonitor")}
    assert set(monitors) == {
        "crm-gateway", "crm-identity", "crm-sales", "crm-inventory", "crm-notifications",
        "crm-support", "crm-marketing",
    }  # fmt: skip
    assert monitors["crm-identity"]["spec"]["endpoints"][0]["port"] == "metrics"
    assert monitors["crm-gateway"]["spec"]["endpoints"][0]["port"] == "http"
    (rule,) = forced.kind("PrometheusRule")
    every = [r for g in rule["spec"]["groups"] for r in g["rules"]]
    rules = {r["alert"]: r for r in every if "alert" in r}
    records = {r["record"]: r for r in every if "record" in r}
    assert {
        "CRMGatewayHigh5xxRate",
        "CRMGatewayLatencyHigh",
        "CRMGrpcErrorRatio",
        "CRMOutboxStuck",
        "CRMConsumerLag",
        "CRMDeadLetters",
        "CRMPodRestarting",
        "CRMGatewayErrorsBudgetBurnFast",
        "CRMGatewayErrorsBudgetBurnSlow",
        "CRMGatewayLatencyBudgetBurnFast",
        "CRMGatewayLatencyBudgetBurnSlow",
        "CRMSLABreachSpike",
    } <= set(rules)
    assert len(records) == 14  # two SLIs x seven windows
    for r in records.values():
        assert 'namespace="crm"' in r["expr"]
    assert 'le="0.5"' in records["crm:gateway_http_slow:ratio_rate1h"]["expr"]
    assert "14.4 * (1 - 0.999)" in rules["CRMGatewayErrorsBudgetBurnFast"]["expr"]
    assert "crm:gateway_http_slow:ratio_rate3d" in rules["CRMGatewayLatencyBudgetBurnSlow"]["expr"]
    assert "crm_outbox_oldest_age_seconds" in rules["CRMOutboxStuck"]["expr"]
    assert "> 300" in rules["CRMOutboxStuck"]["expr"] and rules["CRMOutboxStuck"]["for"] == "10m"
    assert 'outcome="dead_lettered"' in rules["CRMDeadLetters"]["expr"]
    assert "crm_consumer_pending" in rules["CRMConsumerLag"]["expr"]
    for r in rules.values():
        assert 'namespace="crm"' in r["expr"] or "crm:gateway_http_" in r["expr"]
        # Prometheus templates survive Helm templating
        assert "{{ $value" in r["annotations"]["description"]


DASHBOARDS = {
    "platform-overview.json": (
        "crm_http_requests_total",
        "crm_http_request_duration_seconds_bucket",
        "crm_grpc_server_requests_total",
        "crm_grpc_server_duration_seconds_bucket",
        "crm_outbox_backlog",
        "crm_gateway_revocation_check_failures_total",
        "crm_gateway_rate_limit_failures_total",
        "crm_gateway_usage_count_failures_total",
    ),
    "events.json": (
        "crm_outbox_backlog",
        "crm_outbox_oldest_age_seconds",
        "crm_consumer_pending",
        "crm_consumer_redeliveries_total",
        'crm_events_consumed_total{namespace="$namespace",outcome="dead_lettered"}',
        "crm_events_consumed_total",
    ),
    "business.json": (
        "crm_leads_created_total",
        "crm_deals_won_amount_total",
        "crm_cases_created_total",
        "crm_sla_breaches_total",
    ),
}


def test_grafana_dashboard_configmaps(default: Rendered) -> None:
    cms = [c for c in default.kind("ConfigMap") if "dashboard" in c["metadata"]["name"]]
    found = {key: cm for cm in cms for key in cm["data"]}
    assert set(found) == set(DASHBOARDS)
    uids = set()
    for key, metrics in DASHBOARDS.items():
        cm = found[key]
        assert cm["metadata"]["labels"]["grafana_dashboard"] == "1"
        assert cm["metadata"]["name"] == f"crm-dashboard-{key.removesuffix('.json')}"
        dashboard = json.loads(cm["data"][key])
        uids.add(dashboard["uid"])
        panels = dashboard["panels"]
        assert len({p["id"] for p in panels}) == len(panels), key
        exprs = " ".join(t["expr"] for p in panels for t in p.get("targets", []))
        for metric in metrics:
            assert metric in exprs, (key, metric)
    assert len(uids) == len(DASHBOARDS)


def test_dashboards_go_where_the_values_say(
    production: Rendered, renderer: Callable[[dict[str, Any]], Rendered]
) -> None:
    cms = [c for c in production.kind("ConfigMap") if "dashboard" in c["metadata"]["name"]]
    assert len(cms) == len(DASHBOARDS)
    assert {c["metadata"]["namespace"] for c in cms} == {"monitoring"}
    off = renderer({"monitoring": {"dashboards": {"enabled": False}}})
    assert not [c for c in off.kind("ConfigMap") if "dashboard" in c["metadata"]["name"]]


def test_ingress_with_tls(production: Rendered, default: Rendered) -> None:
    assert default.kind("Ingress") == []
    (ing,) = production.kind("Ingress")
    assert ing["spec"]["tls"] == [{"hosts": ["api.crm.example.com"], "secretName": "crm-api-tls"}]
    backend = ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": "crm-gateway", "port": {"name": "http"}}
    assert "https://api.crm.example.com" in production.notes


def test_notes_tell_how_to_reach_the_gateway(default: Rendered) -> None:
    assert "port-forward service/crm-gateway" in default.notes
    assert "platformToken" in default.notes


def test_services_expose_grpc_and_metrics(more_services: Rendered) -> None:
    svc = more_services.get("Service", "crm-sales")
    assert {(p["name"], p["port"]) for p in svc["spec"]["ports"]} == {
        ("grpc", 50052),
        ("metrics", 9101),
    }
    assert yaml.safe_dump(svc)  # round-trips

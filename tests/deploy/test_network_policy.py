"""NetworkPolicies, checked by what they allow: default deny both ways, the gateway
only from the ingress controller, services only from the gateway and declared peers,
egress only to DNS, the stores each workload uses, and the OTLP collector."""

from __future__ import annotations

import pytest

from tests.deploy.conftest import NAMESPACE, Rendered, render
from tests.deploy.netpol import Pod, allowed, egress_allowed, egress_to_anywhere, ingress_allowed

INGRESS_CONTROLLER = Pod("ingress", "ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"})
PROMETHEUS = Pod("prometheus", "monitoring", {"app.kubernetes.io/name": "prometheus"})
COREDNS = Pod("coredns", "kube-system", {"k8s-app": "kube-dns"})
STRANGER = Pod("stranger", NAMESPACE, {"app": "something-else"})
OTHER_NS = Pod("other", "default", {"app": "x"})


def pods(rendered: Rendered) -> dict[str, Pod]:
    """Release pods by component, with their named ports."""
    out = {}
    for _, template in rendered.pod_templates():
        labels = template["metadata"]["labels"]
        ports = {
            p["name"]: p["containerPort"]
            for c in template["spec"]["containers"]
            for p in c.get("ports", [])
        }
        out[labels["app.kubernetes.io/component"]] = Pod(
            labels["app.kubernetes.io/component"], NAMESPACE, labels, ports
        )
    return out


@pytest.fixture(scope="module")
def policies(default: Rendered) -> list[dict]:
    return default.kind("NetworkPolicy")


def test_default_deny_covers_every_pod_of_the_release(default: Rendered, policies) -> None:
    deny = default.get("NetworkPolicy", "crm-default-deny")["spec"]
    assert set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny and "egress" not in deny
    release_pods = pods(default)
    assert {"gateway", "identity", "identity-migrate", "nats", "redis", "postgresql"} <= set(
        release_pods
    )
    for pod in release_pods.values():
        # isolated in both directions: a pod nobody declared cannot reach it or be reached
        assert not ingress_allowed(policies, STRANGER, pod, 1234), pod.name
        assert not egress_allowed(policies, pod, STRANGER, 1234), pod.name


def test_gateway_takes_traffic_only_from_the_ingress_controller(
    default: Rendered, policies
) -> None:
    p = pods(default)
    gw = p["gateway"]
    assert ingress_allowed(policies, INGRESS_CONTROLLER, gw, 8080)
    assert not ingress_allowed(policies, INGRESS_CONTROLLER, gw, 9999)
    assert not ingress_allowed(policies, STRANGER, gw, 8080)
    assert not ingress_allowed(policies, OTHER_NS, gw, 8080)
    assert not ingress_allowed(policies, p["identity"], gw, 8080)
    # nothing but the gateway is reachable from the ingress controller
    for name, pod in p.items():
        if name != "gateway":
            assert not ingress_allowed(policies, INGRESS_CONTROLLER, pod, 50051), name


def test_identity_grpc_only_from_the_gateway(default: Rendered, policies) -> None:
    p = pods(default)
    identity = p["identity"]
    assert allowed(policies, p["gateway"], identity, 50051)
    assert not allowed(policies, p["gateway"], identity, 9100)  # metrics: Prometheus only
    for name in ("identity-migrate", "nats", "redis", "postgresql"):
        assert not ingress_allowed(policies, p[name], identity, 50051), name
    assert not ingress_allowed(policies, STRANGER, identity, 50051)
    assert not ingress_allowed(policies, INGRESS_CONTROLLER, identity, 50051)
    assert ingress_allowed(policies, PROMETHEUS, identity, 9100)
    assert not ingress_allowed(policies, PROMETHEUS, identity, 50051)


def test_egress_only_to_dns_and_the_stores_each_workload_uses(default: Rendered, policies) -> None:
    p = pods(default)
    for name in ("gateway", "identity", "identity-migrate"):
        assert egress_allowed(policies, p[name], COREDNS, 53), name
    assert allowed(policies, p["identity"], p["postgresql"], 5432)
    assert allowed(policies, p["identity"], p["nats"], 4222)
    assert allowed(policies, p["identity"], p["redis"], 6379)
    assert allowed(policies, p["identity-migrate"], p["postgresql"], 5432)
    assert not allowed(policies, p["identity-migrate"], p["nats"], 4222)
    assert allowed(policies, p["gateway"], p["redis"], 6379)
    assert not allowed(policies, p["gateway"], p["postgresql"], 5432)
    assert not allowed(policies, p["gateway"], p["nats"], 4222)
    for name in ("gateway", "identity"):
        assert not egress_to_anywhere(policies, p[name], 443), name
    # the bundled stores talk to nobody
    for store in ("nats", "redis", "postgresql"):
        assert not egress_allowed(policies, p[store], COREDNS, 53), store


def test_external_stores_by_cidr_and_selector(production: Rendered) -> None:
    policies = production.kind("NetworkPolicy")
    p = pods(production)
    identity = p["identity"]
    nats = Pod("nats", "messaging", {"app.kubernetes.io/name": "nats"})
    collector = Pod("otel", "observability", {"app": "otel-collector"})
    assert egress_allowed(policies, identity, nats, 4222)
    assert not egress_allowed(policies, identity, OTHER_NS, 4222)
    assert egress_allowed(policies, identity, collector, 4317)
    assert egress_to_anywhere(policies, identity, 5432)  # the managed database's CIDR
    assert egress_to_anywhere(policies, identity, 6380)
    assert not egress_to_anywhere(policies, identity, 443)
    assert not egress_to_anywhere(policies, p["gateway"], 5432)
    ranges = [
        peer["ipBlock"]["cidr"]
        for pol in policies
        for rule in pol["spec"].get("egress", [])
        for peer in rule.get("to", [])
        if "ipBlock" in peer and any(port["port"] == 5432 for port in rule["ports"])
    ]
    assert set(ranges) == {"10.20.0.0/24"}
    gateway = p["gateway"]
    assert ingress_allowed(policies, INGRESS_CONTROLLER, gateway, 8080)
    not_the_controller = Pod("x", "ingress-nginx", {"app.kubernetes.io/name": "other"})
    assert not ingress_allowed(policies, not_the_controller, gateway, 8080)


def test_otlp_egress_only_when_tracing_is_on(default: Rendered) -> None:
    policies = default.kind("NetworkPolicy")
    identity = pods(default)["identity"]
    assert not egress_to_anywhere(policies, identity, 4317)
    traced = render({"config": {"otlpEndpoint": "http://collector.obs:4317"}})
    assert egress_to_anywhere(traced.kind("NetworkPolicy"), pods(traced)["identity"], 4317)


def test_declared_peers_only(more_services: Rendered) -> None:
    policies = more_services.kind("NetworkPolicy")
    p = pods(more_services)
    gw, sales, support, notifications = p["gateway"], p["sales"], p["support"], p["notifications"]
    assert allowed(policies, gw, sales, 50052)
    assert allowed(policies, gw, support, 50053)
    assert allowed(policies, sales, support, 50053)  # support.allowFrom: [sales]
    assert not allowed(policies, support, sales, 50052)
    assert not allowed(policies, gw, notifications, 50054)  # gatewayAccess: false
    assert allowed(policies, support, notifications, 50054)
    assert not allowed(policies, sales, notifications, 50054)
    assert allowed(policies, sales, p["identity"], 50051)  # identity.allowFrom lists sales
    assert allowed(policies, support, p["identity"], 50051)  # ... and support
    assert not allowed(policies, p["identity"], sales, 50052)  # nobody declared identity
    # sales does not use Redis (redis: false)
    assert not allowed(policies, sales, p["redis"], 6379)
    assert allowed(policies, p["sales-migrate"], p["postgresql"], 5432)


def test_only_the_gateway_and_sales_call_inventory(default: Rendered) -> None:
    policies = default.kind("NetworkPolicy")
    p = pods(default)
    inventory = p["inventory"]
    assert allowed(policies, p["gateway"], inventory, 50053)
    assert allowed(policies, p["sales"], inventory, 50053)  # PriceQuote for quote lines
    assert not allowed(policies, p["identity"], inventory, 50053)
    assert not allowed(policies, inventory, p["sales"], 50052)
    assert allowed(policies, inventory, p["identity"], 50051)  # ResolveAccess
    assert default.get("ConfigMap", "crm-sales")["data"]["CRM_INVENTORY_ADDR"] == (
        "crm-inventory:50053"
    )


def test_notifications_is_called_by_the_gateway_and_calls_sales_and_identity(
    default: Rendered,
) -> None:
    policies = default.kind("NetworkPolicy")
    p = pods(default)
    notifications = p["notifications"]
    assert allowed(policies, p["gateway"], notifications, 50054)
    assert not allowed(policies, p["sales"], notifications, 50054)
    assert allowed(policies, notifications, p["sales"], 50052)  # is the record visible
    assert allowed(policies, notifications, p["identity"], 50051)  # users' contacts, groups
    assert not allowed(policies, notifications, p["inventory"], 50053)


def test_support_is_called_by_the_gateway_and_calls_identity_only(default: Rendered) -> None:
    policies = default.kind("NetworkPolicy")
    p = pods(default)
    support = p["support"]
    assert allowed(policies, p["gateway"], support, 50055)
    assert not allowed(policies, p["sales"], support, 50055)
    assert allowed(policies, support, p["identity"], 50051)  # access, groups, org chart
    assert not allowed(policies, support, p["sales"], 50052)


def test_network_policies_can_be_switched_off() -> None:
    assert render({"networkPolicy": {"enabled": False}}).kind("NetworkPolicy") == []

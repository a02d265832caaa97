"""A small evaluator of Kubernetes NetworkPolicy semantics, enough to ask the
rendered policies "may pod A open a TCP connection to pod B on port P?"."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Doc = dict[str, Any]


@dataclass(frozen=True)
class Pod:
    name: str
    namespace: str
    labels: dict[str, str] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)  # named container ports

    @property
    def namespace_labels(self) -> dict[str, str]:
        return {"kubernetes.io/metadata.name": self.namespace}


def selector_matches(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    """LabelSelector semantics; an empty selector matches everything."""
    if selector is None:
        return True
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def _peer_matches(peer: dict[str, Any], policy_ns: str, other: Pod) -> bool:
    if "ipBlock" in peer:
        return False  # pods are not addressed by CIDR in these tests
    if "namespaceSelector" in peer:
        if not selector_matches(peer["namespaceSelector"], other.namespace_labels):
            return False
    elif other.namespace != policy_ns:
        return False
    return selector_matches(peer.get("podSelector"), other.labels)


def _port_matches(ports: list[dict[str, Any]] | None, target: Pod, port: int) -> bool:
    if not ports:
        return True
    for p in ports:
        if p.get("protocol", "TCP") != "TCP":
            continue
        want = p.get("port")
        if want is None:
            return True
        if isinstance(want, str):
            want = target.ports.get(want)
        if want == port:
            return True
    return False


def _selecting(policies: list[Doc], pod: Pod, direction: str) -> list[Doc]:
    out = []
    for pol in policies:
        ns = pol["metadata"].get("namespace", pod.namespace)
        if ns != pod.namespace or not selector_matches(pol["spec"]["podSelector"], pod.labels):
            continue
        types = pol["spec"].get("policyTypes") or ["Ingress"]
        if direction in types:
            out.append(pol)
    return out


def ingress_allowed(policies: list[Doc], src: Pod, dst: Pod, port: int) -> bool:
    selecting = _selecting(policies, dst, "Ingress")
    if not selecting:
        return True
    for pol in selecting:
        ns = pol["metadata"].get("namespace", dst.namespace)
        for rule in pol["spec"].get("ingress") or []:
            peers = rule.get("from")
            if peers is not None and not any(_peer_matches(p, ns, src) for p in peers):
                continue
            if _port_matches(rule.get("ports"), dst, port):
                return True
    return False


def egress_allowed(policies: list[Doc], src: Pod, dst: Pod, port: int) -> bool:
    selecting = _selecting(policies, src, "Egress")
    if not selecting:
        return True
    for pol in selecting:
        ns = pol["metadata"].get("namespace", src.namespace)
        for rule in pol["spec"].get("egress") or []:
            peers = rule.get("to")
            if peers is not None and not any(_peer_matches(p, ns, dst) for p in peers):
                continue
            if _port_matches(rule.get("ports"), dst, port):
                return True
    return False


def allowed(policies: list[Doc], src: Pod, dst: Pod, port: int) -> bool:
    return egress_allowed(policies, src, dst, port) and ingress_allowed(policies, src, dst, port)


def egress_to_anywhere(policies: list[Doc], src: Pod, port: int) -> bool:
    """Whether ``src`` may reach some address outside the cluster on ``port``."""
    selecting = _selecting(policies, src, "Egress")
    if not selecting:
        return True
    for pol in selecting:
        for rule in pol["spec"].get("egress") or []:
            peers = rule.get("to")
            reaches_out = peers is None or any("ipBlock" in p for p in peers)
            if reaches_out and _port_matches(rule.get("ports"), src, port):
                return True
    return False

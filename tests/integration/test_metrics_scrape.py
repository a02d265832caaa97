"""Every metric the Grafana dashboards and alert rules query is exported by the running
platform: each process of the integration stack is scraped over HTTP, as Prometheus
would, and the names are compared with those the chart's dashboards and rules use.

A little traffic goes first so that the processes have served requests; the names come
from ``# TYPE`` lines, which prometheus_client writes even before a first sample."""

from __future__ import annotations

import httpx

from crm_devstack.net import LOCALHOST
from tests.deploy.test_metrics_exist import missing_metrics, referenced_names, series_names
from tests.integration.api import Api
from tests.integration.conftest import Stack


def _scrape(url: str) -> str:
    response = httpx.get(url, timeout=10)
    assert response.status_code == 200, url
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def test_every_queried_metric_is_exported_by_the_running_stack(stack: Stack, api: Api) -> None:
    tenant = api.create_tenant()
    assert api.request("GET", "/api/v1/leads", tenant.admin).status_code == 200
    assert set(stack.metrics_ports) >= {"identity", "sales", "inventory", "support"}
    scraped: set[str] = series_names(_scrape(f"{stack.gateway_url}/metrics"))
    for name, port in stack.metrics_ports.items():
        names = series_names(_scrape(f"http://{LOCALHOST}:{port}/metrics"))
        assert "crm_grpc_server_requests_total" in names, name  # every service serves gRPC
        scraped |= names
    missing = missing_metrics(scraped, referenced_names())
    assert not missing, (
        f"queried by dashboards or alerts, exported by no running process: {missing}"
    )

"""The PrometheusRule's alerts: valid for promtool, and a few fire where they should.
Skipped where promtool (Debian package ``prometheus``) is not installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.deploy.conftest import render

# make test unpacks it into the venv (beside this interpreter); else from PATH.
PROMTOOL = shutil.which(
    "promtool", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
)
pytestmark = pytest.mark.skipif(PROMTOOL is None, reason="promtool not installed")

UNIT_TESTS = """
rule_files: [rules.yaml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'crm_outbox_oldest_age_seconds{namespace="crm",service="identity"}'
        values: '400+60x30'
      - series: 'crm_outbox_oldest_age_seconds{namespace="other",service="identity"}'
        values: '400+60x30'
      - series: >-
          crm_events_consumed_total{namespace="crm",consumer="c",subject="s",outcome="dead_lettered"}
        values: '0 0 1 1 1'
      - series: 'crm_http_requests_total{namespace="crm",method="GET",route="/x",status="500"}'
        values: '0+10x30'
      - series: 'crm_http_requests_total{namespace="crm",method="GET",route="/x",status="200"}'
        values: '0+10x30'
    alert_rule_test:
      - eval_time: 5m
        alertname: CRMOutboxStuck
        exp_alerts: []
      - eval_time: 15m
        alertname: CRMOutboxStuck
        exp_alerts:
          - exp_labels: {severity: critical, service: identity}
            exp_annotations:
              summary: Events are not being published from the outbox.
              description: >-
                identity: oldest unpublished outbox row is 21m 40s old
                (NATS down or relay stuck).
      - eval_time: 4m
        alertname: CRMDeadLetters
        exp_alerts:
          - exp_labels: {severity: warning, consumer: c, subject: s}
            exp_annotations:
              summary: Events were parked in the dead-letter subject.
              description: c dead-lettered 1 s events in 15 minutes.
      - eval_time: 20m
        alertname: CRMGatewayHigh5xxRate
        exp_alerts:
          - exp_labels: {severity: critical}
            exp_annotations:
              summary: More than 5% of gateway answers are 5xx.
              description: 50% of gateway requests failed with 5xx over 5 minutes.

  # Half of the answers are 5xx: the fast burn pages within minutes, the slow one later.
  - interval: 1m
    input_series:
      - series: 'crm_http_requests_total{namespace="crm",method="GET",route="/x",status="503"}'
        values: '0+10x60'
      - series: 'crm_http_requests_total{namespace="crm",method="GET",route="/x",status="200"}'
        values: '0+10x60'
    alert_rule_test:
      - eval_time: 10m
        alertname: CRMGatewayErrorsBudgetBurnFast
        exp_alerts:
          - exp_labels: {severity: critical, slo: errors}
            exp_annotations:
              summary: The gateway burns its availability error budget fast (SLO 0.999).
              description: >-
                50% of gateway requests are 5xx answers; at this rate the 30-day budget is
                gone within 2 days.
      - eval_time: 10m
        alertname: CRMGatewayErrorsBudgetBurnSlow
        exp_alerts: []
      - eval_time: 30m
        alertname: CRMGatewayErrorsBudgetBurnSlow
        exp_alerts:
          - exp_labels: {severity: warning, slo: errors}
            exp_annotations:
              summary: >-
                The gateway burns its availability error budget faster than it refills
                (SLO 0.999).
              description: >-
                50% of gateway requests are 5xx answers over a long window; the 30-day
                budget will not last.

  # 0.5% 5xx is a burn rate of 5: too slow to page, fast enough for a ticket.
  - interval: 1m
    input_series:
      - series: 'crm_http_requests_total{namespace="crm",method="GET",route="/x",status="500"}'
        values: '0+1x120'
      - series: 'crm_http_requests_total{namespace="crm",method="GET",route="/x",status="200"}'
        values: '0+199x120'
    alert_rule_test:
      - eval_time: 60m
        alertname: CRMGatewayErrorsBudgetBurnFast
        exp_alerts: []
      - eval_time: 60m
        alertname: CRMGatewayHigh5xxRate
        exp_alerts: []
      - eval_time: 60m
        alertname: CRMGatewayErrorsBudgetBurnSlow
        exp_alerts:
          - exp_labels: {severity: warning, slo: errors}
            exp_annotations:
              summary: >-
                The gateway burns its availability error budget faster than it refills
                (SLO 0.999).
              description: >-
                0.5% of gateway requests are 5xx answers over a long window; the 30-day
                budget will not last.

  # 10% of the answers take longer than 0.5 s: against a 99% latency SLO that is a burn
  # rate of 10 (the 6h/30m pair pages, the 1h/5m pair at 14.4 does not).
  - interval: 1m
    input_series:
      - series: >-
          crm_http_request_duration_seconds_bucket{namespace="crm",method="GET",route="/x",le="0.5"}
        values: '0+90x60'
      - series: >-
          crm_http_request_duration_seconds_bucket{namespace="crm",method="GET",route="/x",le="+Inf"}
        values: '0+100x60'
    alert_rule_test:
      - eval_time: 10m
        alertname: CRMGatewayLatencyBudgetBurnFast
        exp_alerts:
          - exp_labels: {severity: critical, slo: slow}
            exp_annotations:
              summary: The gateway burns its latency error budget fast (SLO 0.99).
              description: >-
                10% of gateway requests are answers slower than 0.5s; at this rate the
                30-day budget is gone within 2 days.
      - eval_time: 10m
        alertname: CRMGatewayErrorsBudgetBurnFast
        exp_alerts: []

  # Pod restarts and an SLA breach spike (60 an hour, no history before).
  - interval: 1m
    input_series:
      - series: >-
          kube_pod_container_status_restarts_total{namespace="crm",pod="crm-identity-7d9f-abc",container="identity"}
        values: '0+1x20'
      - series: >-
          kube_pod_container_status_restarts_total{namespace="crm",pod="other-app-1",container="x"}
        values: '0+1x20'
      - series: 'crm_sla_breaches_total{namespace="crm",service="support"}'
        values: '0+1x90'
      - series: 'crm_sla_breaches_total{namespace="other",service="support"}'
        values: '0+1x90'
    alert_rule_test:
      - eval_time: 2m
        alertname: CRMPodRestarting
        exp_alerts: []
      - eval_time: 10m
        alertname: CRMPodRestarting
        exp_alerts:
          - exp_labels:
              severity: warning
              namespace: crm
              pod: crm-identity-7d9f-abc
              container: identity
            exp_annotations:
              summary: A CRM pod keeps restarting.
              description: crm-identity-7d9f-abc restarted 10 times in 30 minutes.
      - eval_time: 10m
        alertname: CRMSLABreachSpike
        exp_alerts: []
      - eval_time: 80m
        alertname: CRMSLABreachSpike
        exp_alerts:
          - exp_labels: {severity: warning}
            exp_annotations:
              summary: Support cases breach their SLA far more often than usual.
              description: 60 SLA breaches in the last hour.

  # A steady trickle of breaches is not a spike.
  - interval: 1m
    input_series:
      - series: 'crm_sla_breaches_total{namespace="crm",service="support"}'
        values: '0+0.1x120'
    alert_rule_test:
      - eval_time: 120m
        alertname: CRMSLABreachSpike
        exp_alerts: []
"""


def test_rules_pass_promtool(tmp_path: Path) -> None:
    forced = render({"monitoring": {"forceCRDs": True}})
    (rule,) = forced.kind("PrometheusRule")
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"groups": rule["spec"]["groups"]}))
    (tmp_path / "tests.yaml").write_text(UNIT_TESTS)
    for args in (["check", "rules", "rules.yaml"], ["test", "rules", "tests.yaml"]):
        result = subprocess.run(
            [PROMTOOL, *args], check=False, cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stdout + result.stderr

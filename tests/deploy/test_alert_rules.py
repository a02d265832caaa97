"""The PrometheusRule's alerts: valid for promtool, and a few fire where they should.
Skipped where promtool (Debian package ``prometheus``) is not installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.deploy.conftest import render

PROMTOOL = shutil.which("promtool")
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

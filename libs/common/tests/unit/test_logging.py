from __future__ import annotations

import json
import logging

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from crm_common.logging import ContextFilter, bind_request, configure_logging, unbind


def test_log_lines_are_json_with_correlation_fields(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging("unit", "INFO")
        tracer = TracerProvider().get_tracer("t")
        tokens = bind_request("req-1", "tenant-1")
        with tracer.start_as_current_span("work") as span:
            logging.getLogger("x").info("hello %s", "world")
            trace_id = format(span.get_span_context().trace_id, "032x")
        unbind(tokens)
        line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    assert line["message"] == "hello world"
    assert line["level"] == "INFO" and line["service"] == "unit"
    assert (line["request_id"], line["tenant_id"], line["trace_id"]) == (
        "req-1",
        "tenant-1",
        trace_id,
    )


def test_fields_are_empty_outside_a_request() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
    ContextFilter("svc").filter(record)
    assert (record.request_id, record.tenant_id) == ("", "")  # type: ignore[attr-defined]
    assert not trace.get_current_span().get_span_context().is_valid

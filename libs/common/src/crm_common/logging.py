"""JSON logs carrying trace id, tenant and request id on every line."""

from __future__ import annotations

import contextvars
import logging
import sys
from typing import Any

from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
tenant_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("tenant_id", default="")


class ContextFilter(logging.Filter):
    """Adds the request's correlation fields to every record."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        span = trace.get_current_span().get_span_context()
        record.service = self.service
        record.trace_id = format(span.trace_id, "032x") if span.is_valid else ""
        record.span_id = format(span.span_id, "016x") if span.is_valid else ""
        record.request_id = request_id_var.get()
        record.tenant_id = tenant_id_var.get()
        return True


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(ContextFilter(service))
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s "
            "%(trace_id)s %(span_id)s %(request_id)s %(tenant_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            timestamp=False,
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Access logs are replaced by our own request metrics and logs.
    logging.getLogger("uvicorn.access").disabled = True


def bind_request(request_id: str, tenant_id: str = "") -> list[contextvars.Token[Any]]:
    return [request_id_var.set(request_id), tenant_id_var.set(tenant_id)]


def unbind(tokens: list[contextvars.Token[Any]]) -> None:
    request_id_var.reset(tokens[0])
    tenant_id_var.reset(tokens[1])

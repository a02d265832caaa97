"""One mapping between domain errors and gRPC statuses, in both directions.

Servers turn ``CrmError`` into a status with ``google.rpc`` details (field
violations, retry delay); clients (the gateway) read them back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import grpc
from google.protobuf import duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from crm_common import errors

_CODES: list[tuple[type[errors.CrmError], grpc.StatusCode]] = [
    (errors.NotFound, grpc.StatusCode.NOT_FOUND),
    (errors.AlreadyExists, grpc.StatusCode.ALREADY_EXISTS),
    (errors.InvalidArgument, grpc.StatusCode.INVALID_ARGUMENT),
    (errors.Unauthenticated, grpc.StatusCode.UNAUTHENTICATED),
    (errors.PermissionDenied, grpc.StatusCode.PERMISSION_DENIED),
    (errors.FailedPrecondition, grpc.StatusCode.FAILED_PRECONDITION),
    (errors.VersionConflict, grpc.StatusCode.ABORTED),
    (errors.RateLimited, grpc.StatusCode.RESOURCE_EXHAUSTED),
    (errors.Unavailable, grpc.StatusCode.UNAVAILABLE),
]


def status_code_for(error: errors.CrmError) -> grpc.StatusCode:
    for error_type, code in _CODES:
        if isinstance(error, error_type):
            return code
    return grpc.StatusCode.UNKNOWN


def _field_of(error: errors.CrmError) -> str | None:
    return getattr(error, "field", None)


def to_status(error: errors.CrmError) -> status_pb2.Status:
    code = status_code_for(error)
    status = status_pb2.Status(code=code.value[0], message=error.message)
    violations = list(getattr(error, "violations", []))
    field_name = _field_of(error)
    if field_name:
        violations.append(errors.FieldViolation(field_name, error.message))
    if violations:
        detail = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.message)
                for v in violations
            ]
        )
        status.details.add().Pack(detail)
    if isinstance(error, errors.RateLimited):
        retry = error_details_pb2.RetryInfo(
            retry_delay=duration_pb2.Duration(seconds=error.retry_after_seconds)
        )
        status.details.add().Pack(retry)
    return status


def internal_status(message: str = "internal error") -> status_pb2.Status:
    return status_pb2.Status(code=code_pb2.INTERNAL, message=message)


@dataclass
class RpcFailure:
    """What a client learns from a failed call."""

    code: grpc.StatusCode
    message: str
    violations: list[errors.FieldViolation] = field(default_factory=list)
    retry_after_seconds: int | None = None


def read_failure(error: grpc.RpcError) -> RpcFailure:
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    message = error.details() if hasattr(error, "details") else str(error)
    failure = RpcFailure(code=code, message=message or code.name.lower())
    try:
        status = rpc_status.from_call(error)
    except (ValueError, AttributeError):
        status = None
    if status is None:
        return failure
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            failure.violations += [
                errors.FieldViolation(v.field, v.description) for v in bad.field_violations
            ]
        elif detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            info = error_details_pb2.RetryInfo()
            detail.Unpack(info)
            failure.retry_after_seconds = max(1, info.retry_delay.seconds)
    return failure

from __future__ import annotations

import grpc
from google.rpc import error_details_pb2

from crm_common import errors
from crm_common.grpc.errors import status_code_for, to_status


def test_every_domain_error_maps_to_one_status() -> None:
    cases = [
        (errors.NotFound("x"), grpc.StatusCode.NOT_FOUND),
        (errors.AlreadyExists("x"), grpc.StatusCode.ALREADY_EXISTS),
        (errors.InvalidArgument("x"), grpc.StatusCode.INVALID_ARGUMENT),
        (errors.Unauthenticated("x"), grpc.StatusCode.UNAUTHENTICATED),
        (errors.PermissionDenied("x"), grpc.StatusCode.PERMISSION_DENIED),
        (errors.FailedPrecondition("x"), grpc.StatusCode.FAILED_PRECONDITION),
        (errors.VersionConflict("x"), grpc.StatusCode.ABORTED),
        (errors.RateLimited("x", 3), grpc.StatusCode.RESOURCE_EXHAUSTED),
        (errors.Unavailable("x"), grpc.StatusCode.UNAVAILABLE),
    ]
    for error, code in cases:
        assert status_code_for(error) == code


def test_field_violations_travel_as_bad_request_details() -> None:
    status = to_status(errors.InvalidArgument.for_field("email", "is not valid"))
    bad = error_details_pb2.BadRequest()
    assert status.details[0].Unpack(bad)
    assert [(v.field, v.description) for v in bad.field_violations] == [("email", "is not valid")]


def test_rate_limit_carries_retry_delay() -> None:
    status = to_status(errors.RateLimited("slow down", 42))
    info = error_details_pb2.RetryInfo()
    assert status.details[0].Unpack(info)
    assert info.retry_delay.seconds == 42

"""Errors a service raises from its domain or service layer.

Each maps to exactly one gRPC status (``crm_common.grpc.errors``) and from there
to exactly one HTTP status at the gateway, so a rule is written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldViolation:
    field: str
    message: str


class CrmError(Exception):
    """Base of every expected, client-visible failure."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(CrmError):
    """The record does not exist for this tenant (or the caller may not see it)."""


class AlreadyExists(CrmError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class InvalidArgument(CrmError):
    message: str
    violations: list[FieldViolation] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    @classmethod
    def for_field(cls, name: str, message: str) -> InvalidArgument:
        return cls(f"{name}: {message}", [FieldViolation(name, message)])


class Unauthenticated(CrmError):
    """No valid credentials."""


class PermissionDenied(CrmError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class FailedPrecondition(CrmError):
    """The record's state forbids the operation (e.g. converting a converted lead)."""


class VersionConflict(CrmError):
    """Optimistic concurrency: the record changed since the caller read it."""


class RateLimited(CrmError):
    def __init__(self, message: str, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class Unavailable(CrmError):
    """A dependency is down; the caller may retry."""

"""pb2 <-> rows and commands of the ApiKeyService (keys and usage)."""

from __future__ import annotations

import uuid
from datetime import date

from crm.identity.v1 import api_keys_pb2 as pb
from crm_common.db import utcnow
from crm_common.errors import InvalidArgument
from crm_common.wire import parse_uuid, time_field, to_timestamp
from identity.adapters.orm_access import ApiKeyRow
from identity.service_layer.api_keys import CreateApiKey, VerifiedKey
from identity.service_layer.usage import USER_TOKENS, UsageReport


def parse_date(value: str, field: str) -> date | None:
    """``YYYY-MM-DD`` (UTC); empty = the default."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidArgument.for_field(field, "must be a date, YYYY-MM-DD") from exc


def create_api_key_cmd(req: pb.CreateApiKeyRequest) -> CreateApiKey:
    return CreateApiKey(
        name=req.name,
        profile_id=parse_uuid(req.profile_id, "profile_id"),
        expires_at=time_field(req, "expires_at"),
        daily_limit=req.daily_limit,
    )


def api_key_to_pb(row: ApiKeyRow) -> pb.ApiKey:
    """Never the hash: a key is recognised by its ``prefix``."""
    expired = row.expires_at is not None and row.expires_at <= utcnow()
    return pb.ApiKey(
        id=str(row.id),
        name=row.name,
        prefix=row.prefix,
        profile_id=str(row.profile_id),
        expires_at=to_timestamp(row.expires_at),
        revoked_at=to_timestamp(row.revoked_at),
        last_used_at=to_timestamp(row.last_used_at),
        daily_limit=row.daily_limit,
        created_at=to_timestamp(row.created_at),
        created_by=str(row.created_by) if row.created_by else "",
        active=row.revoked_at is None and not expired,
    )


def verified_to_pb(key: VerifiedKey) -> pb.VerifiedApiKey:
    return pb.VerifiedApiKey(
        key_id=key.key_id,
        tenant_id=key.tenant_id,
        profile_id=key.profile_id,
        key_daily_limit=key.key_daily_limit,
        tenant_daily_limit=key.tenant_daily_limit,
    )


def usage_key_filter(req: pb.GetUsageRequest) -> uuid.UUID | None:
    return parse_uuid(req.key_id, "key_id") if req.key_id else None


def usage_to_pb(report: UsageReport) -> pb.GetUsageResponse:
    return pb.GetUsageResponse(
        items=[
            pb.UsageDay(
                date=day.isoformat(),
                key_id="" if key_id == USER_TOKENS else str(key_id),
                calls=calls,
            )
            for day, key_id, calls in report.items
        ],
        total=report.total,
        daily_limit=report.daily_limit,
    )

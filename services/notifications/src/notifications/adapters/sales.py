"""Sales as notifications sees it: may the caller see this record? Asked with
the caller's own principal (the client interceptor forwards it), so sales'
access rules decide, and a record the caller cannot see is not followed."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import grpc

from crm.sales.v1 import deals_pb2, deals_pb2_grpc, sales_pb2, sales_pb2_grpc
from crm_common.errors import Unavailable
from crm_common.grpc.client import create_channel

SALES_SERVICE = "crm.sales.v1.SalesService"
IDEMPOTENT_METHODS = ("GetLead", "GetAccount", "GetContact")
# Answers meaning "not for this caller": the follow is NOT_FOUND either way.
NOT_VISIBLE = {
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.INVALID_ARGUMENT,
}


def sales_channel(addr: str, internal_secret: str) -> grpc.aio.Channel:
    return create_channel(
        addr, service=SALES_SERVICE, internal_secret=internal_secret,
        idempotent_methods=list(IDEMPOTENT_METHODS),
    )  # fmt: skip


class SalesRecords:
    def __init__(self, channel: grpc.aio.Channel) -> None:
        sales = sales_pb2_grpc.SalesServiceStub(channel)
        deals = deals_pb2_grpc.DealServiceStub(channel)
        self._getters: dict[str, Callable[[str], Awaitable[Any]]] = {
            "lead": lambda rid: sales.GetLead(sales_pb2.GetLeadRequest(id=rid)),
            "account": lambda rid: sales.GetAccount(sales_pb2.GetAccountRequest(id=rid)),
            "contact": lambda rid: sales.GetContact(sales_pb2.GetContactRequest(id=rid)),
            "deal": lambda rid: deals.GetDeal(deals_pb2.GetDealRequest(id=rid)),
        }

    async def visible(self, record_type: str, record_id: uuid.UUID) -> bool:
        getter = self._getters.get(record_type)
        if getter is None:
            return False
        try:
            await getter(str(record_id))
        except grpc.aio.AioRpcError as exc:
            if exc.code() in NOT_VISIBLE:
                return False
            raise Unavailable("sales did not answer; try again") from exc
        return True

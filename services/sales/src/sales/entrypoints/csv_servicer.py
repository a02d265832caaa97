"""SalesService's CSV methods for accounts and contacts: parse, resolve the
caller's access, call a handler, map. Mixed into ``SalesServicer``, which
provides ``_ctx`` and ``_deps``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TypeAlias

import grpc

from crm.sales.v1 import sales_pb2 as pb
from crm_common.access import AccessContext
from sales import mappers_accounts, mappers_csv
from sales.service_layer import account_csv, contact_csv
from sales.service_layer.deps import SalesDeps

Context: TypeAlias = grpc.aio.ServicerContext


class SalesCsvMethods:
    _deps: SalesDeps

    async def _ctx(self) -> AccessContext:
        raise NotImplementedError

    async def ExportAccounts(
        self, request: pb.ExportAccountsRequest, context: Context
    ) -> AsyncIterator[pb.AccountExportRow]:
        filters = mappers_accounts.account_filters(request)
        async for row in account_csv.export_accounts(await self._ctx(), self._deps, filters):
            yield mappers_csv.account_row_to_pb(row)

    async def ImportAccounts(
        self, request: pb.ImportRecordsRequest, context: Context
    ) -> pb.ImportRecordsResponse:
        ids = await account_csv.import_accounts(request.csv, await self._ctx(), self._deps)
        return pb.ImportRecordsResponse(ids=[str(i) for i in ids])

    async def ExportContacts(
        self, request: pb.ExportContactsRequest, context: Context
    ) -> AsyncIterator[pb.ContactExportRow]:
        filters = mappers_accounts.contact_filters(request)
        async for row in contact_csv.export_contacts(await self._ctx(), self._deps, filters):
            yield mappers_csv.contact_row_to_pb(row)

    async def ImportContacts(
        self, request: pb.ImportRecordsRequest, context: Context
    ) -> pb.ImportRecordsResponse:
        ids = await contact_csv.import_contacts(request.csv, await self._ctx(), self._deps)
        return pb.ImportRecordsResponse(ids=[str(i) for i in ids])

"""SalesService servicer: parse, resolve the caller's access, call a handler, map."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TypeAlias

import grpc

from crm.sales.v1 import sales_pb2 as pb
from crm.sales.v1 import sales_pb2_grpc
from crm_common.access import AccessContext
from crm_common.auth import require_authenticated
from crm_common.wire import parse_uuid
from sales import mappers, mappers_accounts, mappers_bin, mappers_conversion
from sales.domain.commands import DeleteLead, DeleteRecord
from sales.entrypoints.csv_servicer import SalesCsvMethods
from sales.service_layer import accounts, conversion, lead_csv, leads, recycle_bin
from sales.service_layer.deps import AccessResolver, SalesDeps

Context: TypeAlias = grpc.aio.ServicerContext


class SalesServicer(SalesCsvMethods, sales_pb2_grpc.SalesServiceServicer):
    def __init__(self, deps: SalesDeps, access: AccessResolver) -> None:
        self._deps = deps
        self._access = access

    async def _ctx(self) -> AccessContext:
        return await self._access.resolve(require_authenticated())

    async def CreateLead(
        self, request: pb.CreateLeadRequest, context: Context
    ) -> pb.CreateLeadResponse:
        cmd = mappers.create_lead_cmd(request)
        lead, duplicates = await leads.create_lead(cmd, await self._ctx(), self._deps)
        return pb.CreateLeadResponse(lead=mappers.lead_to_pb(lead), duplicate_ids=duplicates)

    async def GetLead(self, request: pb.GetLeadRequest, context: Context) -> pb.Lead:
        lead = await leads.get_lead(parse_uuid(request.id), await self._ctx(), self._deps)
        return mappers.lead_to_pb(lead)

    async def ListLeads(
        self, request: pb.ListLeadsRequest, context: Context
    ) -> pb.ListLeadsResponse:
        page = await leads.list_leads(
            await self._ctx(),
            self._deps,
            mappers.lead_filters(request),
            limit=request.page.limit,
            cursor=request.page.cursor or None,
        )
        return pb.ListLeadsResponse(
            items=[mappers.lead_to_pb(lead) for lead in page.items],
            page=mappers.page_to_pb(page),
        )

    async def UpdateLead(self, request: pb.UpdateLeadRequest, context: Context) -> pb.Lead:
        cmd = mappers.update_lead_cmd(request)
        return mappers.lead_to_pb(await leads.update_lead(cmd, await self._ctx(), self._deps))

    async def ChangeLeadStatus(
        self, request: pb.ChangeLeadStatusRequest, context: Context
    ) -> pb.Lead:
        cmd = mappers.change_status_cmd(request)
        return mappers.lead_to_pb(await leads.change_status(cmd, await self._ctx(), self._deps))

    async def DeleteLead(
        self, request: pb.DeleteLeadRequest, context: Context
    ) -> pb.DeleteLeadResponse:
        cmd = DeleteLead(parse_uuid(request.id), request.expected_version)
        await leads.delete_lead(cmd, await self._ctx(), self._deps)
        return pb.DeleteLeadResponse()

    async def ExportLeads(
        self, request: pb.ExportLeadsRequest, context: Context
    ) -> AsyncIterator[pb.Lead]:
        filters = mappers.lead_filters(request)
        async for lead in lead_csv.export_leads(await self._ctx(), self._deps, filters):
            yield mappers.lead_to_pb(lead)

    async def ImportLeads(
        self, request: pb.ImportLeadsRequest, context: Context
    ) -> pb.ImportLeadsResponse:
        ids = await lead_csv.import_leads(request.csv, await self._ctx(), self._deps)
        return pb.ImportLeadsResponse(ids=[str(i) for i in ids])

    async def ConvertLead(
        self, request: pb.ConvertLeadRequest, context: Context
    ) -> pb.ConvertLeadResponse:
        cmd = mappers_conversion.convert_lead_cmd(request)
        done = await conversion.convert_lead(cmd, await self._ctx(), self._deps)
        return mappers_conversion.conversion_to_pb(done)

    # ---- accounts ----

    async def CreateAccount(self, request: pb.CreateAccountRequest, context: Context) -> pb.Account:
        cmd = mappers_accounts.create_account_cmd(request)
        account = await accounts.create_account(cmd, await self._ctx(), self._deps)
        return mappers_accounts.account_to_pb(account)

    async def GetAccount(self, request: pb.GetAccountRequest, context: Context) -> pb.Account:
        account = await accounts.get_account(parse_uuid(request.id), await self._ctx(), self._deps)
        return mappers_accounts.account_to_pb(account)

    async def ListAccounts(
        self, request: pb.ListAccountsRequest, context: Context
    ) -> pb.ListAccountsResponse:
        page = await accounts.list_accounts(
            await self._ctx(),
            self._deps,
            mappers_accounts.account_filters(request),
            limit=request.page.limit,
            cursor=request.page.cursor or None,
        )
        return pb.ListAccountsResponse(
            items=[mappers_accounts.account_to_pb(a) for a in page.items],
            page=mappers.page_to_pb(page),
        )

    async def UpdateAccount(self, request: pb.UpdateAccountRequest, context: Context) -> pb.Account:
        cmd = mappers_accounts.update_account_cmd(request)
        account = await accounts.update_account(cmd, await self._ctx(), self._deps)
        return mappers_accounts.account_to_pb(account)

    async def DeleteAccount(
        self, request: pb.DeleteAccountRequest, context: Context
    ) -> pb.DeleteAccountResponse:
        cmd = DeleteRecord(parse_uuid(request.id), request.expected_version)
        await accounts.delete_account(cmd, await self._ctx(), self._deps)
        return pb.DeleteAccountResponse()

    # ---- contacts ----

    async def CreateContact(self, request: pb.CreateContactRequest, context: Context) -> pb.Contact:
        cmd = mappers_accounts.create_contact_cmd(request)
        contact = await accounts.create_contact(cmd, await self._ctx(), self._deps)
        return mappers_accounts.contact_to_pb(contact)

    async def GetContact(self, request: pb.GetContactRequest, context: Context) -> pb.Contact:
        contact = await accounts.get_contact(parse_uuid(request.id), await self._ctx(), self._deps)
        return mappers_accounts.contact_to_pb(contact)

    async def ListContacts(
        self, request: pb.ListContactsRequest, context: Context
    ) -> pb.ListContactsResponse:
        page = await accounts.list_contacts(
            await self._ctx(),
            self._deps,
            mappers_accounts.contact_filters(request),
            limit=request.page.limit,
            cursor=request.page.cursor or None,
        )
        return pb.ListContactsResponse(
            items=[mappers_accounts.contact_to_pb(c) for c in page.items],
            page=mappers.page_to_pb(page),
        )

    async def UpdateContact(self, request: pb.UpdateContactRequest, context: Context) -> pb.Contact:
        cmd = mappers_accounts.update_contact_cmd(request)
        contact = await accounts.update_contact(cmd, await self._ctx(), self._deps)
        return mappers_accounts.contact_to_pb(contact)

    async def DeleteContact(
        self, request: pb.DeleteContactRequest, context: Context
    ) -> pb.DeleteContactResponse:
        cmd = DeleteRecord(parse_uuid(request.id), request.expected_version)
        await accounts.delete_contact(cmd, await self._ctx(), self._deps)
        return pb.DeleteContactResponse()

    # ---- recycle bin ----

    async def ListRecycleBin(
        self, request: pb.ListRecycleBinRequest, context: Context
    ) -> pb.ListRecycleBinResponse:
        page = await recycle_bin.list_bin(
            await self._ctx(),
            self._deps,
            request.module,
            limit=request.page.limit,
            cursor=request.page.cursor or None,
        )
        return mappers_bin.bin_page_to_pb(page)

    async def RestoreLead(self, request: pb.RestoreRecordRequest, context: Context) -> pb.Lead:
        lead = await recycle_bin.restore_lead(parse_uuid(request.id), await self._ctx(), self._deps)
        return mappers.lead_to_pb(lead)

    async def RestoreAccount(
        self, request: pb.RestoreRecordRequest, context: Context
    ) -> pb.Account:
        account = await recycle_bin.restore_account(
            parse_uuid(request.id), await self._ctx(), self._deps
        )
        return mappers_accounts.account_to_pb(account)

    async def RestoreContact(
        self, request: pb.RestoreRecordRequest, context: Context
    ) -> pb.Contact:
        contact = await recycle_bin.restore_contact(
            parse_uuid(request.id), await self._ctx(), self._deps
        )
        return mappers_accounts.contact_to_pb(contact)

"""CSV export rows of accounts, contacts and deals: the record as usual
(hidden fields cleared and named) plus the names of what it relates to."""

from __future__ import annotations

from crm.sales.v1 import deals_pb2, sales_pb2
from sales.mappers_accounts import account_to_pb, contact_to_pb
from sales.mappers_deals import deal_to_pb
from sales.service_layer.account_csv import AccountExport
from sales.service_layer.contact_csv import ContactExport
from sales.service_layer.deal_csv import DealExport


def account_row_to_pb(row: AccountExport) -> sales_pb2.AccountExportRow:
    parent = row.parent
    return sales_pb2.AccountExportRow(
        account=account_to_pb(row.account),
        parent_name=parent.name if parent else "",
        parent_external_id=(parent.external_id or "") if parent else "",
        hidden_columns=row.hidden_columns,
    )


def contact_row_to_pb(row: ContactExport) -> sales_pb2.ContactExportRow:
    account = row.account
    return sales_pb2.ContactExportRow(
        contact=contact_to_pb(row.contact),
        account_name=account.name if account else "",
        account_external_id=(account.external_id or "") if account else "",
        hidden_columns=row.hidden_columns,
    )


def deal_row_to_pb(row: DealExport) -> deals_pb2.DealExportRow:
    account = row.account
    return deals_pb2.DealExportRow(
        deal=deal_to_pb(row.deal),
        account_name=account.name if account else "",
        account_external_id=(account.external_id or "") if account else "",
        pipeline_name=row.pipeline_name,
        stage_name=row.stage_name,
        hidden_columns=row.hidden_columns,
    )

"""pb2 messages of the recycle bin."""

from __future__ import annotations

from crm.sales.v1 import sales_pb2 as pb
from crm_common.pagination import Page
from crm_common.wire import to_timestamp
from sales.mappers import page_to_pb
from sales.service_layer.recycle_bin import BinEntry


def bin_entry_to_pb(entry: BinEntry) -> pb.RecycleBinItem:
    return pb.RecycleBinItem(
        id=str(entry.id),
        module=entry.module,
        name=entry.name,
        deleted_at=to_timestamp(entry.deleted_at),
        deleted_by=str(entry.deleted_by or ""),
    )


def bin_page_to_pb(page: Page[BinEntry]) -> pb.ListRecycleBinResponse:
    return pb.ListRecycleBinResponse(
        items=[bin_entry_to_pb(entry) for entry in page.items], page=page_to_pb(page)
    )

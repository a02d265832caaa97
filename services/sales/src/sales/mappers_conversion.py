"""Lead conversion on the wire."""

from __future__ import annotations

from crm.sales.v1 import sales_pb2 as pb
from crm_common.errors import InvalidArgument
from crm_common.money import Money
from crm_common.wire import parse_uuid
from sales.service_layer.conversion import Conversion, ConvertLead

_DEAL_FIELDS = ("deal_name", "amount", "currency", "pipeline_id")


def convert_lead_cmd(req: pb.ConvertLeadRequest) -> ConvertLead:
    if not req.create_deal:
        given = [name for name in _DEAL_FIELDS if getattr(req, name)]
        if given:
            raise InvalidArgument.for_field(given[0], "only with create_deal: true")
    if req.amount and not req.currency:
        raise InvalidArgument.for_field("currency", "required with an amount")
    amount = Money.parse(req.amount, req.currency).amount if req.amount else None
    if req.currency and amount is None:
        Money.parse("0", req.currency)  # an unknown currency is refused even without amount
    return ConvertLead(
        lead_id=parse_uuid(req.id),
        account_id=parse_uuid(req.account_id, "account_id") if req.account_id else None,
        create_deal=req.create_deal,
        deal_name=req.deal_name,
        amount=amount,
        currency=req.currency,
        pipeline_id=parse_uuid(req.pipeline_id, "pipeline_id") if req.pipeline_id else None,
        expected_version=req.expected_version,
    )


def conversion_to_pb(done: Conversion) -> pb.ConvertLeadResponse:
    return pb.ConvertLeadResponse(
        account_id=str(done.account_id),
        contact_id=str(done.contact_id),
        deal_id=str(done.deal_id or ""),
        account_created=done.account_created,
    )

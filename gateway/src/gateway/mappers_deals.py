"""Pipelines, deals and the board: pb2 <-> schema conversion, the one place for them."""

from __future__ import annotations

import json
from typing import Any

from crm.common.v1 import types_pb2
from crm.sales.v1 import deals_pb2 as pb
from crm_common.errors import FieldViolation
from crm_common.wire import time_field
from gateway.mappers import page_request
from gateway.problem import ProblemError
from gateway.schemas.deals import (
    BoardColumnRead,
    ContactRoleRead,
    ContactRolesPut,
    DealBoardRead,
    DealCreate,
    DealPage,
    DealRead,
    DealUpdate,
    MoneyRead,
    SplitRead,
    SplitsPut,
    StageChangeRead,
)
from gateway.schemas.pipelines import (
    PipelineCreate,
    PipelineRead,
    PipelineUpdate,
    StageIn,
    StageRead,
)

DEAL_IDS = ("account_id", "pipeline_id", "stage_id", "owner_id")
DEAL_UPDATABLE = (
    "name", "account_id", "pipeline_id", "stage_id", "probability", "close_date", "owner_id",
    "lost_reason", "tags", "custom_fields",
)  # fmt: skip


# ---- pipelines ----


def _stages(stages: list[StageIn]) -> list[pb.StageInput]:
    return [
        pb.StageInput(id=s.id or "", name=s.name, probability=s.probability, kind=s.kind)
        for s in stages
    ]


def create_pipeline_request(body: PipelineCreate) -> pb.CreatePipelineRequest:
    return pb.CreatePipelineRequest(
        name=body.name, stages=_stages(body.stages), is_default=body.is_default
    )


def update_pipeline_request(
    pipeline_id: str, body: PipelineUpdate, expected_version: int
) -> pb.UpdatePipelineRequest:
    present = [n for n in ("name", "stages", "is_default") if n in body.model_fields_set]
    return pb.UpdatePipelineRequest(
        id=pipeline_id,
        update_mask=present,
        expected_version=expected_version,
        name=body.name or "",
        stages=_stages(body.stages or []),
        is_default=bool(body.is_default),
    )


def stage_read(stage: pb.Stage) -> StageRead:
    return StageRead(
        id=stage.id, name=stage.name, position=stage.position,
        probability=stage.probability, kind=stage.kind,  # type: ignore[arg-type]
    )  # fmt: skip


def pipeline_read(pipeline: pb.Pipeline) -> PipelineRead:
    return PipelineRead(
        id=pipeline.id,
        name=pipeline.name,
        is_default=pipeline.is_default,
        stages=[stage_read(s) for s in pipeline.stages],
        version=pipeline.version,
        created_at=time_field(pipeline, "created_at"),
        updated_at=time_field(pipeline, "updated_at"),
    )


# ---- deals ----


def create_deal_request(body: DealCreate) -> pb.CreateDealRequest:
    return pb.CreateDealRequest(
        name=body.name,
        amount=body.amount or "",
        currency=body.currency or "",
        **{name: getattr(body, name) or "" for name in DEAL_IDS},
        probability=body.probability or 0,
        has_probability=body.probability is not None,
        close_date=body.close_date or "",
        lost_reason=body.lost_reason or "",
        tags=body.tags,
        custom_fields_json=json.dumps(body.custom_fields) if body.custom_fields else "",
    )


def update_deal_request(
    deal_id: str, body: DealUpdate, expected_version: int
) -> pb.UpdateDealRequest:
    present = [name for name in DEAL_UPDATABLE if name in body.model_fields_set]
    values: dict[str, Any] = {n: getattr(body, n) for n in present if getattr(body, n) is not None}
    if "custom_fields" in values:
        values["custom_fields_json"] = json.dumps(values.pop("custom_fields"))
    if {"amount", "currency"} & body.model_fields_set:
        if "amount" not in body.model_fields_set:
            raise ProblemError(
                422, "send amount with currency", errors=[FieldViolation("amount", "missing")]
            )
        present.append("amount")
        if body.amount is not None:
            values["amount"] = types_pb2.Money(amount=body.amount, currency=body.currency or "")
    return pb.UpdateDealRequest(
        id=deal_id, update_mask=present, expected_version=expected_version, **values
    )


def contact_roles_request(
    deal_id: str, body: ContactRolesPut, expected_version: int
) -> pb.SetContactRolesRequest:
    roles = [pb.ContactRole(**r.model_dump()) for r in body.contact_roles]
    return pb.SetContactRolesRequest(
        id=deal_id, expected_version=expected_version, contact_roles=roles
    )


def splits_request(deal_id: str, body: SplitsPut, expected_version: int) -> pb.SetSplitsRequest:
    splits = [pb.Split(user_id=s.user_id, percent=s.percent) for s in body.splits]
    return pb.SetSplitsRequest(id=deal_id, expected_version=expected_version, splits=splits)


def list_deals_request(
    limit: int, cursor: str | None, **filters: str | None
) -> pb.ListDealsRequest:
    return pb.ListDealsRequest(
        page=page_request(limit, cursor), **{k: v or "" for k, v in filters.items()}
    )


def deal_read(deal: pb.Deal) -> DealRead:
    has_amount = deal.HasField("amount")
    return DealRead(
        id=deal.id, tenant_id=deal.tenant_id, name=deal.name,
        account_id=deal.account_id or None,
        amount=deal.amount.amount if has_amount else None,
        currency=deal.amount.currency if has_amount else None,
        pipeline_id=deal.pipeline_id, stage_id=deal.stage_id, probability=deal.probability,
        close_date=deal.close_date or None, owner_id=deal.owner_id,
        status=deal.status,  # type: ignore[arg-type]  # the service answers a DealStatus
        lost_reason=deal.lost_reason, tags=list(deal.tags),
        custom_fields=json.loads(deal.custom_fields_json or "{}"),
        lead_id=deal.lead_id or None, closed_at=time_field(deal, "closed_at"),
        version=deal.version, created_at=time_field(deal, "created_at"),
        updated_at=time_field(deal, "updated_at"), created_by=deal.created_by or None,
        updated_by=deal.updated_by or None,
        stage_history=[
            StageChangeRead(
                from_stage_id=h.from_stage_id or None, to_stage_id=h.to_stage_id,
                changed_at=time_field(h, "changed_at"), changed_by=h.changed_by or None,
            )
            for h in deal.stage_history
        ],
        contact_roles=[
            ContactRoleRead(contact_id=r.contact_id, role=r.role, is_primary=r.is_primary)
            for r in deal.contact_roles
        ],
        splits=[SplitRead(user_id=s.user_id, percent=s.percent) for s in deal.splits],
        hidden_fields=list(deal.hidden_fields),
    )  # fmt: skip


def deal_page(response: pb.ListDealsResponse) -> DealPage:
    return DealPage(
        items=[deal_read(d) for d in response.items],
        next_cursor=response.page.next_cursor or None,
    )


# ---- kanban ----


def _money(values: Any) -> list[MoneyRead]:
    return [MoneyRead(currency=m.currency, amount=m.amount) for m in values]


def board_read(board: pb.DealBoard) -> DealBoardRead:
    return DealBoardRead(
        pipeline=pipeline_read(board.pipeline),
        columns=[
            BoardColumnRead(
                stage=stage_read(c.stage),
                count=c.count,
                amounts=_money(c.amounts),
                weighted_amounts=_money(c.weighted_amounts),
                cards=[deal_read(d) for d in c.cards],
                next_cursor=c.next_cursor or None,
            )
            for c in board.columns
        ],
    )

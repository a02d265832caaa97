"""Pipelines and the kanban board: where pb2 messages and rows and commands meet."""

from __future__ import annotations

from typing import Any

from crm.common.v1 import types_pb2
from crm.sales.v1 import deals_pb2 as pb
from crm_common.errors import InvalidArgument
from crm_common.wire import parse_uuid, to_timestamp
from sales.adapters.orm_deals import StageRow
from sales.domain import deal_commands as commands
from sales.domain.deals import StageSpec
from sales.mappers_deals import deal_to_pb, optional_uuid
from sales.service_layer.deal_board import Board, Column
from sales.service_layer.pipelines import PipelineView

DEFAULT_CARDS = 20


def stage_to_pb(stage: StageRow) -> pb.Stage:
    return pb.Stage(
        id=str(stage.id), name=stage.name, position=stage.position,
        probability=stage.probability, kind=stage.kind,
    )  # fmt: skip


def pipeline_to_pb(view: PipelineView) -> pb.Pipeline:
    row = view.row
    return pb.Pipeline(
        id=str(row.id), tenant_id=str(row.tenant_id), name=row.name, is_default=row.is_default,
        stages=[stage_to_pb(s) for s in view.stages], version=row.version,
        created_at=to_timestamp(row.created_at), updated_at=to_timestamp(row.updated_at),
    )  # fmt: skip


def _stages(inputs: Any) -> list[StageSpec]:
    return [
        StageSpec(
            s.name, s.probability, s.kind or "open", parse_uuid(s.id, "stages") if s.id else None
        )
        for s in inputs
    ]


def create_pipeline_cmd(req: pb.CreatePipelineRequest) -> commands.CreatePipeline:
    return commands.CreatePipeline(req.name, _stages(req.stages), req.is_default)


def update_pipeline_cmd(req: pb.UpdatePipelineRequest) -> commands.UpdatePipeline:
    unknown = set(req.update_mask) - {"name", "stages", "is_default"}
    if unknown:
        raise InvalidArgument.for_field(sorted(unknown)[0], "cannot be changed here")
    if "is_default" in req.update_mask and not req.is_default:
        raise InvalidArgument.for_field("is_default", "make another pipeline the default instead")
    return commands.UpdatePipeline(
        parse_uuid(req.id),
        name=req.name if "name" in req.update_mask else None,
        stages=_stages(req.stages) if "stages" in req.update_mask else None,
        make_default="is_default" in req.update_mask,
        expected_version=req.expected_version,
    )


def board_query(req: pb.GetDealBoardRequest) -> commands.BoardQuery:
    return commands.BoardQuery(
        pipeline_id=optional_uuid(req.pipeline_id, "pipeline_id"),
        owner_id=optional_uuid(req.owner_id, "owner_id"),
        cards_per_column=req.cards_per_column or DEFAULT_CARDS,
    )


def _column_to_pb(column: Column) -> pb.BoardColumn:
    return pb.BoardColumn(
        stage=stage_to_pb(column.stage),
        count=column.count,
        amounts=[types_pb2.Money(amount=m.to_str(), currency=m.currency) for m in column.amounts],
        weighted_amounts=[
            types_pb2.Money(amount=m.to_str(), currency=m.currency) for m in column.weighted
        ],
        cards=[deal_to_pb(card) for card in column.cards],
        next_cursor=column.next_cursor or "",
    )


def board_to_pb(board: Board) -> pb.DealBoard:
    return pb.DealBoard(
        pipeline=pipeline_to_pb(board.pipeline), columns=[_column_to_pb(c) for c in board.columns]
    )

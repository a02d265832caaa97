"""The kanban board of a pipeline: one column per stage, in order, over the
deals (open and closed) the caller may see.

Each column has its count, the sum of amounts per currency, the weighted sum per
currency (sum of amount * probability / 100, rounded half-up to the currency's
minor unit once per sum, so many small deals do not drift) and its first cards.
When the caller may not see amounts (a hidden field), the sums are left out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from crm_common.access import AccessContext, hidden_fields, require
from crm_common.errors import InvalidArgument
from crm_common.money import Money
from sales.adapters import deal_board_queries as queries
from sales.adapters.deal_keyset import cursor_after
from sales.adapters.deal_repository import DealRepository, PipelineRepository
from sales.adapters.orm_deals import DealRow, StageRow
from sales.domain import deals as rules
from sales.domain.deal_commands import BoardQuery
from sales.domain.deals import DEALS
from sales.service_layer import pipelines
from sales.service_layer.deals import VisibleDeal
from sales.service_layer.deps import SalesDeps
from sales.service_layer.pipelines import PipelineView

MAX_CARDS = 100


@dataclass(frozen=True)
class Column:
    stage: StageRow
    count: int
    amounts: list[Money]
    weighted: list[Money]
    cards: list[VisibleDeal]
    next_cursor: str | None


@dataclass(frozen=True)
class Board:
    pipeline: PipelineView
    columns: list[Column]


async def get_board(query: BoardQuery, ctx: AccessContext, deps: SalesDeps) -> Board:
    require(ctx, DEALS, "view")
    if not 1 <= query.cards_per_column <= MAX_CARDS:
        raise InvalidArgument.for_field("cards_per_column", f"must be between 1 and {MAX_CARDS}")
    async with deps.uow() as uow:
        repo = DealRepository(uow.session, ctx)
        if query.pipeline_id is None:
            pipeline = await pipelines.default_pipeline(uow.session, repo.tenant_id)
        else:
            pipeline = await PipelineRepository(uow.session, repo.tenant_id).get(query.pipeline_id)
        conditions = [*repo.visible(), DealRow.pipeline_id == pipeline.id]
        if query.owner_id is not None:
            conditions.append(DealRow.owner_id == query.owner_id)
        totals = await queries.totals(uow.session, conditions)
        cards = await queries.first_cards(uow.session, conditions, query.cards_per_column)
        details = await repo.details([card.id for card in cards])
        view = await pipelines.view(uow.session, pipeline)
        await uow.commit()  # keeps a default pipeline seeded just now
    hidden = hidden_fields(ctx, DEALS)
    by_stage: dict[object, list[VisibleDeal]] = defaultdict(list)
    for card in cards:
        by_stage[card.stage_id].append(VisibleDeal(card, details[card.id], hidden))
    show_sums = not {"amount", "probability"} & hidden
    columns = [
        _column(stage, totals, by_stage[stage.id], query.cards_per_column, show_sums)
        for stage in view.stages
    ]
    return Board(view, columns)


def _column(
    stage: StageRow,
    totals: list[queries.StageTotal],
    cards: list[VisibleDeal],
    per_column: int,
    show_sums: bool,
) -> Column:
    mine = [t for t in totals if t.stage_id == stage.id]
    priced = [t for t in mine if show_sums and t.amount is not None and t.currency]
    more = len(cards) > per_column
    return Column(
        stage=stage,
        count=sum(t.count for t in mine),
        amounts=[Money(t.amount, t.currency).round() for t in priced if t.amount is not None],
        weighted=[
            Money(rules.weighted(t.amount_times_probability, t.currency), t.currency)
            for t in priced
            if t.amount_times_probability is not None
        ],
        cards=cards[:per_column],
        next_cursor=cursor_after(cards[per_column - 1].row) if more else None,
    )

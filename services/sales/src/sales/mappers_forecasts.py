"""Forecasts and quotas on the wire (amounts as decimal strings)."""

from __future__ import annotations

from decimal import Decimal

from crm.sales.v1 import forecasts_pb2 as pb
from crm_common.money import Money
from sales.adapters.orm_forecasts import QuotaRow
from sales.domain.forecasts import Ledger, Totals
from sales.service_layer.forecasts import ForecastView


def forecast_to_pb(view: ForecastView) -> pb.Forecast:
    return pb.Forecast(
        period=view.period.label,
        start_date=view.period.start.isoformat(),
        end_date=view.period.end.isoformat(),
        owner_id=view.owner_id,
        owners=[
            pb.ForecastOwner(
                owner_id=user.id,
                display_name=user.display_name,
                role_id=user.role_id,
                totals=_totals(ledger),
            )
            for user, ledger in view.owners
        ],
        roles=[
            pb.ForecastRole(
                role_id=node.id,
                name=node.name,
                parent_id=node.parent_id,
                depth=depth,
                totals=_totals(ledger),
            )
            for node, depth, ledger in view.roles
        ],
        total=_totals(view.total),
    )


def _totals(ledger: Ledger) -> list[pb.ForecastTotals]:
    return [_one(totals) for totals in ledger.sorted()]


def _one(totals: Totals) -> pb.ForecastTotals:
    figures = totals.figures()
    money = {
        name: _amount(value, totals.currency)
        for name, value in figures.items()
        if name != "attainment_percent"
    }
    attainment = figures["attainment_percent"]
    return pb.ForecastTotals(
        currency=totals.currency,
        attainment_percent="" if attainment is None else format(attainment, "f"),
        open_deals=totals.open_deals,
        won_deals=totals.won_deals,
        **money,
    )


def _amount(value: Decimal | None, currency: str) -> str:
    return "" if value is None else Money(value, currency).to_str()


def quota_to_pb(row: QuotaRow) -> pb.Quota:
    return pb.Quota(
        user_id=str(row.user_id),
        period=row.period,
        amount=Money(row.amount, row.currency).round().to_str(),
        currency=row.currency,
    )

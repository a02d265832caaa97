"""``/taxes``: the API contract's name for tax rates. The same endpoints as
``/tax-rates`` (same handlers, schemas and access), mounted under a second path;
``/tax-rates`` keeps working."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.deps import RequireUser, UserIdempotency
from gateway.openapi import problem_responses
from gateway.routes import tax_rates

router = APIRouter(prefix="/taxes", tags=["tax rates"], dependencies=[RequireUser])

router.add_api_route(
    "",
    tax_rates.list_tax_rates,
    methods=["GET"],
    responses=problem_responses(401, 403, 422),
    summary="Tax rates (as /tax-rates)",
    operation_id="list_taxes",
)
router.add_api_route(
    "",
    tax_rates.create_tax_rate,
    methods=["POST"],
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 413, 422),
    summary="Add a tax rate (administrators; as POST /tax-rates)",
    operation_id="create_tax",
)
router.add_api_route(
    "/{id}",
    tax_rates.delete_tax_rate,
    methods=["DELETE"],
    status_code=204,
    responses=problem_responses(401, 403, 404, 422),
    summary="Remove a tax rate (administrators; as DELETE /tax-rates/{id})",
    operation_id="delete_tax",
)

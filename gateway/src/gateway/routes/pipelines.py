"""Pipelines and their stages (the sales service decides access: viewing needs
deals:view, creating and changing needs an administrator)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Path, Response

from crm.sales.v1 import deals_pb2 as pb
from gateway import mappers_deals as mappers
from gateway.deps import DealStub, RequireUser, UserIdempotency
from gateway.etags import etag, expected_version
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.pipelines import PipelineCreate, PipelineList, PipelineRead, PipelineUpdate

router = APIRouter(prefix="/pipelines", tags=["pipelines"], dependencies=[RequireUser])

PipelineId = Annotated[UUID, Path(alias="id", description="The pipeline's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]


def _with_etag(response: Response, pipeline: PipelineRead) -> PipelineRead:
    response.headers["ETag"] = etag(pipeline.version)
    return pipeline


@router.get(
    "",
    responses=problem_responses(401, 403),
    summary="Pipelines, the default first (seeded on first use)",
)
async def list_pipelines(deals: DealStub) -> PipelineList:
    response = await deals.ListPipelines(pb.ListPipelinesRequest())
    return PipelineList(items=[mappers.pipeline_read(p) for p in response.items])


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 409, 413, 422),
    summary="Create a pipeline (administrators; at least one open, won and lost stage)",
)
async def create_pipeline(
    body: PipelineCreate, deals: DealStub, response: Response
) -> PipelineRead:
    created = await deals.CreatePipeline(mappers.create_pipeline_request(body))
    pipeline = mappers.pipeline_read(created)
    response.headers["Location"] = f"{API_PREFIX}/pipelines/{pipeline.id}"
    return _with_etag(response, pipeline)


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One pipeline")
async def get_pipeline(
    pipeline_id: PipelineId, deals: DealStub, response: Response
) -> PipelineRead:
    pipeline = await deals.GetPipeline(pb.GetPipelineRequest(id=str(pipeline_id)))
    return _with_etag(response, mappers.pipeline_read(pipeline))


@router.patch(
    "/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Rename, make default, or replace the stages (409 removing a stage with deals)",
)
async def update_pipeline(
    pipeline_id: PipelineId,
    body: PipelineUpdate,
    deals: DealStub,
    response: Response,
    if_match: IfMatch = None,
) -> PipelineRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_pipeline_request(str(pipeline_id), body, version)
    return _with_etag(response, mappers.pipeline_read(await deals.UpdatePipeline(request)))

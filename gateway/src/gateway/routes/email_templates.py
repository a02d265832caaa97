"""E-mail templates with merge fields and per-language variants (module
email_templates)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Response

from crm.marketing.v1 import marketing_pb2 as pb
from gateway import mappers_marketing_campaigns as mappers
from gateway.deps import MarketingStub, RequireUser, UserIdempotency
from gateway.etags import etag, expected_version
from gateway.mappers import page_request
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.marketing_campaigns import (
    EmailTemplateCreate,
    EmailTemplatePage,
    EmailTemplateRead,
    EmailTemplateUpdate,
)

router = APIRouter(prefix="/email-templates", tags=["email templates"], dependencies=[RequireUser])

TemplateId = Annotated[UUID, Path(alias="id", description="The template's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]


def _with_etag(response: Response, template: EmailTemplateRead) -> EmailTemplateRead:
    response.headers["ETag"] = etag(template.version)
    return template


@router.get("", responses=problem_responses(401, 403, 422), summary="E-mail templates")
async def list_templates(
    marketing: MarketingStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> EmailTemplatePage:
    answer = await marketing.ListEmailTemplates(
        pb.ListEmailTemplatesRequest(page=page_request(limit, cursor))
    )
    return EmailTemplatePage(
        items=[mappers.template_read(t) for t in answer.items],
        next_cursor=answer.page.next_cursor or None,
    )


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 413, 422),
    summary="Add an e-mail template (Jinja2, sandboxed; merge fields)",
)
async def create_template(
    body: EmailTemplateCreate, marketing: MarketingStub, response: Response
) -> EmailTemplateRead:
    answer = await marketing.CreateEmailTemplate(
        pb.CreateEmailTemplateRequest(template=mappers.template_body(body))
    )
    template = mappers.template_read(answer)
    response.headers["Location"] = f"{API_PREFIX}/email-templates/{template.id}"
    return _with_etag(response, template)


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One template")
async def get_template(
    template_id: TemplateId, marketing: MarketingStub, response: Response
) -> EmailTemplateRead:
    answer = await marketing.GetEmailTemplate(pb.GetEmailTemplateRequest(id=str(template_id)))
    return _with_etag(response, mappers.template_read(answer))


@router.put(
    "/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Replace a template",
)
async def update_template(
    template_id: TemplateId,
    body: EmailTemplateUpdate,
    marketing: MarketingStub,
    response: Response,
    if_match: IfMatch = None,
) -> EmailTemplateRead:
    request = pb.UpdateEmailTemplateRequest(
        id=str(template_id),
        template=mappers.template_body(body),
        expected_version=expected_version(if_match, body.version),
    )
    return _with_etag(response, mappers.template_read(await marketing.UpdateEmailTemplate(request)))


@router.delete(
    "/{id}", status_code=204, responses=problem_responses(401, 403, 404, 422), summary="Delete"
)
async def delete_template(template_id: TemplateId, marketing: MarketingStub) -> Response:
    await marketing.DeleteEmailTemplate(pb.DeleteEmailTemplateRequest(id=str(template_id)))
    return Response(status_code=204)

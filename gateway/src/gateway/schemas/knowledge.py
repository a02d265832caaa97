"""FAQ / knowledge base: categories, articles (markdown), links to cases:
``*Create / *Update / *Read / *Page``. The support service owns the value
rules (language tags, tag lists, status moves) and names every bad field."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints
from pydantic.json_schema import SkipJsonSchema

from gateway.schemas.accounts import _Redacted
from gateway.schemas.common import RequestBody, next_cursor_field
from gateway.schemas.products import NotNull

ArticleStatus = Literal["draft", "published", "archived"]
Title = Annotated[str, StringConstraints(max_length=300)]
Body = Annotated[str, StringConstraints(max_length=200_000)]
Language = Annotated[str, StringConstraints(max_length=35)]
Tag = Annotated[str, StringConstraints(max_length=50)]
Tags = Annotated[list[Tag], Field(max_length=20)]
CategoryName = Annotated[str, StringConstraints(max_length=120)]
Description = Annotated[str, StringConstraints(max_length=2_000)]
Position = Annotated[int, Field(ge=0, le=1_000_000)]
VERSION_FIELD = Field(default=None, description="Expected version (or send If-Match); 409 if stale")
Version = Annotated[int, Field(ge=1)] | SkipJsonSchema[None]


class CategoryCreate(RequestBody):
    name: CategoryName = Field(description="Unique among your categories (case-insensitive)")
    description: Description = ""
    position: Position | None = Field(default=None, description="Sort order; default 0")


class CategoryUpdate(NotNull):
    name: CategoryName | SkipJsonSchema[None] = None
    description: Description | SkipJsonSchema[None] = None
    position: Position | SkipJsonSchema[None] = None
    version: Version = VERSION_FIELD


class CategoryRead(_Redacted):
    id: str
    tenant_id: str
    name: str = ""
    description: str = ""
    position: int = 0
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    updated_by: str | None = None


class CategoryPage(BaseModel):
    items: list[CategoryRead]
    next_cursor: str | None = next_cursor_field()


class ArticleCreate(RequestBody):
    title: Title
    body: Body = Field(default="", description="Markdown")
    category_id: UUID | None = Field(default=None, description="A category of your tenant")
    status: ArticleStatus = Field(default="draft", description="published stamps published_at")
    language: Language = Field(default="en", description="BCP-47 tag: en, nl, pt-BR, ...")
    tags: Tags = Field(default_factory=list, description="Up to 20, each <= 50 characters")


class ArticleUpdate(NotNull):
    """Fields present change; ``tags`` replaces every tag; ``category_id`` ""
    takes the article out of its category."""

    title: Title | SkipJsonSchema[None] = None
    body: Body | SkipJsonSchema[None] = None
    category_id: UUID | Literal[""] | SkipJsonSchema[None] = None
    status: ArticleStatus | SkipJsonSchema[None] = None
    language: Language | SkipJsonSchema[None] = None
    tags: Tags | SkipJsonSchema[None] = None
    version: Version = VERSION_FIELD


class ArticleRead(_Redacted):
    id: str
    tenant_id: str
    title: str = ""
    body: str = ""
    category_id: str | None = None
    status: str = ""
    language: str = ""
    tags: list[str] = Field(default_factory=list)
    published_at: datetime | None = None
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    updated_by: str | None = None
    rank: float | None = Field(default=None, description="Search only: how well it matches")


class ArticlePage(BaseModel):
    items: list[ArticleRead]
    next_cursor: str | None = next_cursor_field()


class ArticleAction(RequestBody):
    """Optional body of publish and unpublish."""

    version: Version = VERSION_FIELD


class CaseLinkCreate(RequestBody):
    case_id: UUID = Field(description="A case you can see")


class CaseLinkRead(BaseModel):
    article_id: str
    case_id: str
    created_at: datetime | None = None
    created_by: str | None = None

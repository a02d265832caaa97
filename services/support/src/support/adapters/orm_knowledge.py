"""Knowledge base tables: FAQ categories, articles (with their full-text search
vector) and the links between articles and cases.

``search_vector`` is a generated column, kept by PostgreSQL itself: the title
(weight A) above the body (weight B), parsed with the 'simple' configuration
(no stemming, no stop words), so every language is searchable alike. A GIN
index serves ``search_vector @@ websearch_to_tsquery('simple', q)``.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from crm_common.db import Base, TenantScoped, utcnow

SEARCH_CONFIG = "simple"
SEARCH_VECTOR_SQL = (
    "setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(body, '')), 'B')"
)
CATEGORY_NAME_INDEX = "uq_faq_categories_tenant_name"


class FaqCategoryRow(TenantScoped, Base):
    __tablename__ = "faq_categories"
    __table_args__ = (
        Index(
            CATEGORY_NAME_INDEX,
            "tenant_id",
            func.lower(text("name")),
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class FaqArticleRow(TenantScoped, Base):
    __tablename__ = "faq_articles"
    __table_args__ = (
        Index("ix_faq_articles_tenant_page", "tenant_id", "created_at", "id"),
        Index("ix_faq_articles_tenant_status", "tenant_id", "status"),
        Index("ix_faq_articles_category", "category_id"),
        Index("ix_faq_articles_search", "search_vector", postgresql_using="gin"),
        Index("ix_faq_articles_tags", "tags", postgresql_using="gin"),
    )

    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")  # markdown
    category_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("faq_categories.id", ondelete="SET NULL")
    )
    # draft | published | archived
    status: Mapped[str] = mapped_column(String(20), default="draft")
    language: Mapped[str] = mapped_column(String(35), default="en")  # BCP-47
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(50)), default=list)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    search_vector: Mapped[str] = mapped_column(
        TSVECTOR, Computed(SEARCH_VECTOR_SQL, persisted=True), deferred=True
    )


class FaqCaseLinkRow(Base):
    """An article linked to a case (cases' table is read, never joined by FK: it
    belongs to the cases area; a deleted case simply drops out of the lists)."""

    __tablename__ = "faq_case_links"
    __table_args__ = (Index("ix_faq_case_links_case", "tenant_id", "case_id"),)

    article_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("faq_articles.id", ondelete="CASCADE"), primary_key=True
    )
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)

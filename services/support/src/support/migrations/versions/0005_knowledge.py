"""support: knowledge base articles and categories

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 10:40:00.000000
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

SEARCH_VECTOR_SQL = (
    "setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(body, '')), 'B')"
)


def _tenant_scoped() -> list[sa.Column]:
    return [
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('tenant_id', sa.Uuid(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('created_by', sa.Uuid(), nullable=True),
        sa.Column('updated_by', sa.Uuid(), nullable=True),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    ]


def upgrade() -> None:
    op.create_table('faq_categories',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    *_tenant_scoped(),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_faq_categories'))
    )
    op.create_index(op.f('ix_faq_categories_tenant_id'), 'faq_categories', ['tenant_id'], unique=False)
    op.create_index(op.f('ix_faq_categories_deleted_at'), 'faq_categories', ['deleted_at'], unique=False)
    op.create_index('uq_faq_categories_tenant_name', 'faq_categories', ['tenant_id', sa.text('lower(name)')], unique=True, postgresql_where=sa.text('deleted_at IS NULL'))

    op.create_table('faq_articles',
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('category_id', sa.Uuid(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('language', sa.String(length=35), nullable=False),
    sa.Column('tags', postgresql.ARRAY(sa.String(length=50)), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('search_vector', postgresql.TSVECTOR(), sa.Computed(SEARCH_VECTOR_SQL, persisted=True), nullable=False),
    *_tenant_scoped(),
    sa.ForeignKeyConstraint(['category_id'], ['faq_categories.id'], name=op.f('fk_faq_articles_category_id_faq_categories'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_faq_articles'))
    )
    op.create_index(op.f('ix_faq_articles_tenant_id'), 'faq_articles', ['tenant_id'], unique=False)
    op.create_index(op.f('ix_faq_articles_deleted_at'), 'faq_articles', ['deleted_at'], unique=False)
    op.create_index('ix_faq_articles_tenant_page', 'faq_articles', ['tenant_id', 'created_at', 'id'], unique=False)
    op.create_index('ix_faq_articles_tenant_status', 'faq_articles', ['tenant_id', 'status'], unique=False)
    op.create_index('ix_faq_articles_category', 'faq_articles', ['category_id'], unique=False)
    op.create_index('ix_faq_articles_search', 'faq_articles', ['search_vector'], unique=False, postgresql_using='gin')
    op.create_index('ix_faq_articles_tags', 'faq_articles', ['tags'], unique=False, postgresql_using='gin')

    op.create_table('faq_case_links',
    sa.Column('article_id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['faq_articles.id'], name=op.f('fk_faq_case_links_article_id_faq_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', 'case_id', name=op.f('pk_faq_case_links'))
    )
    op.create_index('ix_faq_case_links_case', 'faq_case_links', ['tenant_id', 'case_id'], unique=False)


def downgrade() -> None:
    op.drop_table('faq_case_links')
    op.drop_table('faq_articles')
    op.drop_table('faq_categories')

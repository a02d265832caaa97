"""Knowledge base handlers against real PostgreSQL: categories, articles with
versions, publishing, full-text search (ranking, languages, filters, paging),
who sees drafts, tenancy, and links to cases."""

from __future__ import annotations

import uuid

import pytest
from support_case_rows import cases_table_exists, insert_cases

from crm_common.access import AccessContext
from crm_common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    VersionConflict,
)
from support.domain.knowledge import ArticleFilters
from support.service_layer import knowledge
from support.service_layer.deps import SupportDeps
from support.service_layer.knowledge import NewRecord, RecordChanges

KB = "knowledge_base"


def admin(tenant: str | None = None) -> AccessContext:
    return AccessContext(
        tenant_id=tenant or str(uuid.uuid4()),
        user_id=str(uuid.uuid4()),
        all_records=True,
        permissions={"*": frozenset({"*"})},
    )


def reader(tenant: str, *, cases: bool = False) -> AccessContext:
    permissions = {KB: frozenset({"view"})}
    if cases:
        permissions["cases"] = frozenset({"view"})
    return AccessContext(tenant_id=tenant, user_id=str(uuid.uuid4()), permissions=permissions)


def agent(tenant: str) -> AccessContext:
    """The Support Agent profile: view/create/edit/export, no delete; own cases only."""
    work = frozenset({"view", "create", "edit", "export"})
    user = str(uuid.uuid4())
    return AccessContext(
        tenant_id=tenant,
        user_id=user,
        permissions={KB: work, "cases": work},
        own_ids=frozenset({user}),
    )


async def article(
    deps: SupportDeps, ctx: AccessContext, title: str, body: str = "", **values: object
) -> knowledge.VisibleArticle:
    cmd = NewRecord({"title": title, "body": body, **values})
    return await knowledge.create_article(cmd, ctx, deps)


async def titles(
    deps: SupportDeps, ctx: AccessContext, filters: ArticleFilters, limit: int = 50
) -> list[str]:
    page = await knowledge.list_articles(ctx, deps, filters, limit=limit, cursor=None)
    return [a.row.title for a in page.items]


async def test_create_clean_defaults_and_value_rules(support_deps: SupportDeps) -> None:
    ctx = admin()
    made = await article(
        support_deps, ctx, "  Reset a password ", "Go to **Settings**.",
        language="pt-br", tags=[" Login", "login", "Security "],
    )  # fmt: skip
    row = made.row
    assert (row.title, row.status, row.language, row.tags) == (
        "Reset a password", "draft", "pt-BR", ["login", "security"],
    )  # fmt: skip
    assert (row.published_at, row.version, row.category_id) == (None, 1, None)
    with pytest.raises(InvalidArgument) as caught:
        await article(
            support_deps, ctx, "", "x", status="live", language="english!", tags=["", "a" * 51]
        )
    fields = {v.field for v in caught.value.violations}
    assert fields == {"language"}  # cleaning stops at the first unusable value
    with pytest.raises(InvalidArgument) as caught:
        await article(support_deps, ctx, "", "x", status="live", tags=["", "a" * 51])
    assert {v.field for v in caught.value.violations} == {"tags[0]", "tags[1]"}
    with pytest.raises(InvalidArgument) as caught:
        await article(support_deps, ctx, "", "x" * 200_001, status="live")
    assert {v.field for v in caught.value.violations} == {"title", "body", "status"}
    with pytest.raises(InvalidArgument) as caught:
        await article(support_deps, ctx, "T", category_id=uuid.uuid4())
    assert {v.field for v in caught.value.violations} == {"category_id"}


async def test_categories_unique_names_and_delete_rules(support_deps: SupportDeps) -> None:
    ctx = admin()
    billing = await knowledge.create_category(
        NewRecord({"name": "Billing", "position": 2}), ctx, support_deps
    )
    faq = await knowledge.create_category(NewRecord({"name": "General"}), ctx, support_deps)
    with pytest.raises(AlreadyExists) as caught:
        await knowledge.create_category(NewRecord({"name": " billing "}), ctx, support_deps)
    assert caught.value.field == "name"
    with pytest.raises(AlreadyExists):
        await knowledge.update_category(
            RecordChanges(faq.row.id, {"name": "BILLING"}), ctx, support_deps
        )
    page = await knowledge.list_categories(ctx, support_deps, limit=1, cursor=None)
    assert [c.row.name for c in page.items] == ["General"]
    assert page.next_cursor
    rest = await knowledge.list_categories(ctx, support_deps, limit=1, cursor=page.next_cursor)
    assert [c.row.name for c in rest.items] == ["Billing"]
    assert rest.next_cursor is None
    used = await article(support_deps, ctx, "Invoices", category_id=billing.row.id)
    assert used.row.category_id == billing.row.id
    with pytest.raises(FailedPrecondition):
        await knowledge.delete_category(billing.row.id, 0, ctx, support_deps)
    await knowledge.delete_article(used.row.id, 1, ctx, support_deps)
    with pytest.raises(VersionConflict):
        await knowledge.delete_category(billing.row.id, 7, ctx, support_deps)
    await knowledge.delete_category(billing.row.id, 1, ctx, support_deps)
    with pytest.raises(NotFound):
        await knowledge.get_category(billing.row.id, ctx, support_deps)
    # The name is free again once the category is deleted.
    await knowledge.create_category(NewRecord({"name": "Billing"}), ctx, support_deps)
    with pytest.raises(NotFound):
        await knowledge.get_category(faq.row.id, admin(), support_deps)


async def test_publishing_versions_and_who_sees_drafts(support_deps: SupportDeps) -> None:
    ctx = admin()
    made = (await article(support_deps, ctx, "Draft one")).row
    viewer = reader(ctx.tenant_id)
    with pytest.raises(NotFound):
        await knowledge.get_article(made.id, viewer, support_deps)
    assert await titles(support_deps, viewer, ArticleFilters()) == []
    assert await titles(support_deps, viewer, ArticleFilters(status="draft")) == []
    editor = agent(ctx.tenant_id)
    assert await titles(support_deps, editor, ArticleFilters()) == ["Draft one"]

    published = (await knowledge.publish_article(made.id, 1, editor, support_deps)).row
    assert (published.status, published.version) == ("published", 2)
    stamp = published.published_at
    assert stamp is not None
    again = (await knowledge.publish_article(made.id, 0, editor, support_deps)).row
    assert (again.published_at, again.version) == (stamp, 2)  # nothing changed
    assert (await knowledge.get_article(made.id, viewer, support_deps)).row.title == "Draft one"
    with pytest.raises(VersionConflict):
        await knowledge.update_article(
            RecordChanges(made.id, {"title": "x"}, 1), editor, support_deps
        )
    archived = await knowledge.update_article(
        RecordChanges(made.id, {"status": "archived", "title": "Old one"}, 2), editor, support_deps
    )
    assert (archived.row.status, archived.row.published_at, archived.row.version) == (
        "archived", stamp, 3,
    )  # fmt: skip
    with pytest.raises(FailedPrecondition):
        await knowledge.unpublish_article(made.id, 0, editor, support_deps)
    await knowledge.publish_article(made.id, 3, editor, support_deps)
    back = (await knowledge.unpublish_article(made.id, 0, editor, support_deps)).row
    assert (back.status, back.published_at) == ("draft", None)

    with pytest.raises(PermissionDenied):
        await knowledge.publish_article(made.id, 0, viewer, support_deps)
    with pytest.raises(PermissionDenied):
        await article(support_deps, viewer, "Nope")
    with pytest.raises(PermissionDenied):  # agents may not delete
        await knowledge.delete_article(made.id, 0, editor, support_deps)
    await knowledge.delete_article(made.id, 0, ctx, support_deps)
    with pytest.raises(NotFound):
        await knowledge.get_article(made.id, editor, support_deps)


async def test_hidden_and_read_only_fields(support_deps: SupportDeps) -> None:
    ctx = admin()
    made = (await article(support_deps, ctx, "Field rules", "secret body", status="published")).row
    limited = AccessContext(
        tenant_id=ctx.tenant_id,
        user_id=str(uuid.uuid4()),
        permissions={KB: frozenset({"view", "edit"})},
        fields={KB: {"body": "hidden", "tags": "read_only"}},
    )
    seen = await knowledge.get_article(made.id, limited, support_deps)
    assert seen.hidden == {"body"}
    with pytest.raises(PermissionDenied) as caught:
        await knowledge.update_article(
            RecordChanges(made.id, {"tags": ["x"]}), limited, support_deps
        )
    assert caught.value.field == "tags"


async def test_search_ranks_title_above_body_in_any_language(support_deps: SupportDeps) -> None:
    ctx = admin()
    word = f"router{uuid.uuid4().hex[:6]}"
    body = f"Restart the {word} first."
    await article(support_deps, ctx, "Network basics", body, status="published")
    await article(support_deps, ctx, f"Configure the {word}", "Step by step.", status="published")
    await article(support_deps, ctx, f"{word} draft", "Unfinished.", status="draft")
    await article(support_deps, ctx, "Unrelated", "Nothing here.", status="published")
    await article(
        support_deps, ctx, f"De {word} opnieuw opstarten", "Trek de stekker eruit.",
        status="published", language="nl",
    )  # fmt: skip
    editor_view = await titles(support_deps, ctx, ArticleFilters(q=word))
    assert editor_view[-1] == "Network basics"  # the body-only match ranks last
    assert set(editor_view) == {
        "Network basics", f"Configure the {word}", f"{word} draft", f"De {word} opnieuw opstarten",
    }  # fmt: skip
    page = await knowledge.list_articles(
        ctx, support_deps, ArticleFilters(q=word), limit=50, cursor=None
    )
    ranks = [a.rank for a in page.items]
    assert all(r is not None and r > 0 for r in ranks)
    assert ranks == sorted(ranks, reverse=True)  # type: ignore[type-var]

    viewer = reader(ctx.tenant_id)
    assert f"{word} draft" not in await titles(support_deps, viewer, ArticleFilters(q=word))
    dutch = await titles(support_deps, ctx, ArticleFilters(q="stekker"))
    assert dutch == [f"De {word} opnieuw opstarten"]  # 'simple': no stemming, any language
    assert await titles(support_deps, ctx, ArticleFilters(q=word, language="nl")) == [
        f"De {word} opnieuw opstarten"
    ]
    assert await titles(support_deps, ctx, ArticleFilters(q=f'"restart the {word}"')) == [
        "Network basics"
    ]
    assert await titles(support_deps, ctx, ArticleFilters(q=f"{word} -configure -draft -de")) == [
        "Network basics"
    ]
    assert await titles(support_deps, ctx, ArticleFilters(q="!!! & | :*")) == []
    # Paging through search results: every match once, in rank order.
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        page = await knowledge.list_articles(
            ctx, support_deps, ArticleFilters(q=word), limit=1, cursor=cursor
        )
        seen.extend(a.row.title for a in page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == editor_view
    # Another tenant finds none of it.
    assert await titles(support_deps, admin(), ArticleFilters(q=word)) == []


async def test_filters_and_cursors(support_deps: SupportDeps) -> None:
    ctx = admin()
    category = await knowledge.create_category(NewRecord({"name": "Filters"}), ctx, support_deps)
    cid = category.row.id
    await article(support_deps, ctx, "A en", language="en", tags=["alpha"], category_id=cid)
    await article(support_deps, ctx, "B en-GB", language="en-GB", tags=["beta"])
    await article(support_deps, ctx, "C nl", language="nl", tags=["alpha", "beta"])
    assert await titles(support_deps, ctx, ArticleFilters()) == ["C nl", "B en-GB", "A en"]
    assert await titles(support_deps, ctx, ArticleFilters(language="en")) == ["B en-GB", "A en"]
    assert await titles(support_deps, ctx, ArticleFilters(language="en-GB")) == ["B en-GB"]
    assert await titles(support_deps, ctx, ArticleFilters(tag="alpha")) == ["C nl", "A en"]
    assert await titles(support_deps, ctx, ArticleFilters(category_id=cid)) == ["A en"]
    assert await titles(support_deps, ctx, ArticleFilters(status="published")) == []
    first = await knowledge.list_articles(ctx, support_deps, ArticleFilters(), limit=2, cursor=None)
    assert first.next_cursor
    rest = await knowledge.list_articles(
        ctx, support_deps, ArticleFilters(), limit=2, cursor=first.next_cursor
    )
    assert [a.row.title for a in rest.items] == ["A en"]
    with pytest.raises(InvalidArgument) as caught:  # a list cursor is not a search cursor
        await knowledge.list_articles(
            ctx, support_deps, ArticleFilters(q="x"), limit=2, cursor=first.next_cursor
        )
    assert caught.value.violations[0].field == "cursor"
    with pytest.raises(InvalidArgument):
        await knowledge.list_articles(ctx, support_deps, ArticleFilters(), limit=2, cursor="e30")


async def test_links_to_cases(support_deps: SupportDeps) -> None:
    if not await cases_table_exists(support_deps):
        pytest.skip("the cases table (migration 0003) is not there yet")
    ctx = admin()
    editor = agent(ctx.tenant_id)
    tenant = uuid.UUID(ctx.tenant_id)
    mine, theirs = await insert_cases(
        support_deps,
        [
            {"tenant_id": tenant, "owner_id": uuid.UUID(editor.user_id)},
            {"tenant_id": tenant, "owner_id": uuid.uuid4()},
        ],
    )
    a = (await article(support_deps, ctx, "Linked A", status="published")).row
    b = (await article(support_deps, ctx, "Linked B")).row
    first = await knowledge.link_case(a.id, mine, editor, support_deps)
    assert first.created and first.row.case_id == mine
    again = await knowledge.link_case(a.id, mine, editor, support_deps)
    assert not again.created
    await knowledge.link_case(b.id, mine, editor, support_deps)
    linked = await titles(support_deps, editor, ArticleFilters(case_id=mine))
    assert linked == ["Linked B", "Linked A"]
    viewer = reader(ctx.tenant_id, cases=True)
    # A reader sees published articles of cases it may see; this one is not its.
    with pytest.raises(NotFound):
        await titles(support_deps, viewer, ArticleFilters(case_id=mine))
    everyone = AccessContext(
        tenant_id=ctx.tenant_id, user_id=str(uuid.uuid4()), all_records=True,
        permissions={KB: frozenset({"view"}), "cases": frozenset({"view"})},
    )  # fmt: skip
    assert await titles(support_deps, everyone, ArticleFilters(case_id=mine)) == ["Linked A"]
    with pytest.raises(NotFound):  # not the agent's case
        await knowledge.link_case(a.id, theirs, editor, support_deps)
    with pytest.raises(NotFound):  # another tenant's case
        await knowledge.link_case(a.id, mine, admin(), support_deps)
    with pytest.raises(NotFound):
        await knowledge.link_case(a.id, uuid.uuid4(), ctx, support_deps)
    with pytest.raises(PermissionDenied):
        await knowledge.link_case(a.id, mine, viewer, support_deps)
    await knowledge.unlink_case(b.id, mine, editor, support_deps)
    with pytest.raises(NotFound):
        await knowledge.unlink_case(b.id, mine, editor, support_deps)
    assert await titles(support_deps, editor, ArticleFilters(case_id=mine)) == ["Linked A"]

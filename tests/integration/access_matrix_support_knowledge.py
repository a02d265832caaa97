"""Access-matrix rows of support_knowledge: the FAQ / knowledge base and the
help-desk insights (joined into the matrix by access_rows.py).

Knowledge belongs to the tenant (no owner): module ``knowledge_base`` decides.
The Read Only profile and key view published articles and categories; sales
managers and reps have no knowledge_base permission (403); only the
administrator deletes among the seeded profiles (a Support Agent may view,
create and edit). Another tenant's admin finds none of these records (404) and
makes its own (201). Insights need ``cases:view``: Read Only and its key see
them (of the cases they may see), the sales profiles do not.

The records the rows name are made once by the admin, by the first row's body
(``prepare``, which sends no body): the path of a row is filled before its body
is asked for, and the rows run in order, so every later row finds them. A
record a row changes for good (deleted, unpublished, unlinked) is its own; only
the admin's cell reaches it, the others are refused first (403, 404, 401).
"""

from __future__ import annotations

from typing import Any

from tests.integration.access_matrix import Row, unique
from tests.integration.access_org import Org

VIEW = "200 403 403 403 200 200 200 401"
CREATE = "201 403 403 403 403 201 403 401"
READ = "200 403 403 403 200 404 200 401"
CHANGE = "200 403 403 403 403 404 403 401"
DELETE = "204 403 403 403 403 404 403 401"
LINK = "201 403 403 403 403 404 403 401"
INSIGHTS = "200 403 403 403 200 200 200 401"


def new_article(org: Org, who: str) -> dict[str, Any]:
    return {"title": unique(f"faq-{who}"), "body": "Turn it off and on again.", "tags": ["it"]}


def new_category(org: Org, who: str) -> dict[str, Any]:
    return {"name": unique(f"category-{who}")}


def retitle(org: Org, who: str) -> dict[str, Any]:
    return {"title": unique(f"retitled-{who}")}


def rename(org: Org, who: str) -> dict[str, Any]:
    return {"name": unique(f"renamed-{who}")}


def case_link(org: Org, who: str) -> dict[str, Any]:
    return {"case_id": org.ids["faq_case_id"]}


def _published(org: Org) -> str:
    body = {**new_article(org, "admin"), "status": "published"}
    return str(org.admin("POST", "/api/v1/faqs", json=body)["id"])


def prepare(org: Org, who: str) -> None:
    """The admin's records the rows below name (made once); sends no body."""
    if "faq_article_id" in org.ids:
        return None
    case = {"subject": unique("case"), "priority": "P3"}
    org.ids["faq_case_id"] = str(org.admin("POST", "/api/v1/cases", json=case)["id"])
    org.ids["faq_article_id"] = _published(org)
    org.ids["faq_published_id"] = _published(org)
    org.ids["faq_doomed_id"] = _published(org)
    linked = org.ids["faq_linked_id"] = _published(org)
    org.admin("POST", f"/api/v1/faqs/{linked}/cases", json={"case_id": org.ids["faq_case_id"]})
    for key in ("faq_category_id", "faq_doomed_category_id"):
        category = org.admin("POST", "/api/v1/faqs/categories", json=new_category(org, "admin"))
        org.ids[key] = str(category["id"])
    return None


ROWS: list[Row] = [
    Row("GET", "/api/v1/faqs", VIEW, body=prepare),
    Row("POST", "/api/v1/faqs", CREATE, body=new_article),
    Row("GET", "/api/v1/faqs?q=again", VIEW),
    Row("GET", "/api/v1/faqs/{faq_article_id}", READ),
    Row("PATCH", "/api/v1/faqs/{faq_article_id}", CHANGE, body=retitle),
    Row("POST", "/api/v1/faqs/{faq_article_id}/publish", CHANGE),
    Row("POST", "/api/v1/faqs/{faq_published_id}/unpublish", CHANGE),
    Row("DELETE", "/api/v1/faqs/{faq_doomed_id}", DELETE),
    Row("POST", "/api/v1/faqs/{faq_article_id}/cases", LINK, body=case_link),
    Row("DELETE", "/api/v1/faqs/{faq_linked_id}/cases/{faq_case_id}", DELETE),
    Row("GET", "/api/v1/faqs/categories", VIEW),
    Row("POST", "/api/v1/faqs/categories", CREATE, body=new_category),
    Row("GET", "/api/v1/faqs/categories/{faq_category_id}", READ),
    Row("PATCH", "/api/v1/faqs/categories/{faq_category_id}", CHANGE, body=rename),
    Row("DELETE", "/api/v1/faqs/categories/{faq_doomed_category_id}", DELETE),
    Row("GET", "/api/v1/insights/help-desk", INSIGHTS),
]

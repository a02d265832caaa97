"""Access-matrix rows for marketing: segments, scoring rules and settings,
engagements, consent, e-mail templates, campaigns and members, sequences and
enrolments, and the public signed-link endpoints (joined by access_rows.py).

Modules campaigns, segments, email_templates, email_campaigns and sequences:
the administrator has them all; the seeded sales profiles have none (403); the
Read Only profile and key view them. Another tenant's admin has its own
settings and lists but finds none of these records (404). The public links
need no login; a bad token is 404 for everyone.

Records are the admin's, made once by ``setup`` (the body of the first row,
which runs before the rows whose paths name them).
"""

from __future__ import annotations

import uuid
from typing import Any

from tests.integration.access_matrix import Row, unique
from tests.integration.access_org import Org

VIEW = "200 403 403 403 200 200 200 401"
CREATE = "201 403 403 403 403 201 403 401"
CHANGE_OWN = "200 403 403 403 403 200 403 401"  # each tenant its own (settings, consent)
READ = "200 403 403 403 404 404 200 401"  # Read Only user: not the owner (private)
READ_TENANT = "200 403 403 403 200 404 200 401"  # no owner: the tenant's (scoring rules)
CHANGE = "200 403 403 403 403 404 403 401"
DELETE = "204 403 403 403 403 404 403 401"
MISSING = "404 403 403 403 403 404 403 401"  # the record named inside does not exist
PUBLIC_BAD = "404 404 404 404 404 404 404 404"
VARIANT = {"language": "en", "subject": "Hi {{ first_name }}", "html_body": "<p>Hi</p>"}


def template_body(org: Org, who: str) -> dict[str, Any]:
    return {"name": unique("tpl"), "variants": [VARIANT]}


def segment_body(org: Org, who: str) -> dict[str, Any]:
    return {"name": unique("seg"), "conditions": [{"field": "industry", "op": "eq", "value": "x"}]}


def rule_body(org: Org, who: str) -> dict[str, Any]:
    return {"name": unique("rule"), "kind": "engagement", "engagement_type": "page_visited",
            "points": 1}  # fmt: skip


def campaign_body(org: Org, who: str) -> dict[str, Any]:
    return {"name": unique("camp"), "type": "other", "budget": "10.00"}


def sequence_body(org: Org, who: str) -> dict[str, Any]:
    template = org.ids["mkt_template_id"]
    return {"name": unique("seq"), "steps": [{"delay_days": 1, "template_id": template}]}


def setup(org: Org, who: str) -> None:
    """The admin's records the id rows name (made once)."""
    if "mkt_campaign_id" in org.ids:
        return
    made = {
        "mkt_template_id": ("/api/v1/email-templates", template_body),
        "mkt_deleted_template_id": ("/api/v1/email-templates", template_body),
        "mkt_segment_id": ("/api/v1/segments", segment_body),
        "mkt_deleted_segment_id": ("/api/v1/segments", segment_body),
        "mkt_rule_id": ("/api/v1/scoring-rules", rule_body),
        "mkt_deleted_rule_id": ("/api/v1/scoring-rules", rule_body),
        "mkt_launch_id": ("/api/v1/campaigns", campaign_body),
        "mkt_deleted_campaign_id": ("/api/v1/campaigns", campaign_body),
        "mkt_campaign_id": ("/api/v1/campaigns", campaign_body),
    }
    for key, (path, body) in made.items():
        org.ids[key] = str(org.admin("POST", path, json=body(org, "admin"))["id"])
    for key in ("mkt_sequence_id", "mkt_deleted_sequence_id"):
        seq = org.admin("POST", "/api/v1/sequences", json=sequence_body(org, "admin"))
        org.ids[key] = str(seq["id"])
    org.ids["mkt_missing_id"] = str(uuid.uuid4())


def members_body(org: Org, who: str) -> dict[str, Any]:
    return {"lead_ids": [org.ids["mkt_missing_id"]]}


def engagement_body(org: Org, who: str) -> dict[str, Any]:
    return {"lead_id": org.ids["mkt_missing_id"], "type": "page_visited"}


def consent_body(org: Org, who: str) -> dict[str, Any]:
    return {"email": f"{unique('c')}@example.com", "status": "unsubscribed"}


C = "/api/v1/campaigns/{mkt_campaign_id}"
S = "/api/v1/sequences/{mkt_sequence_id}"

ROWS: list[Row] = [
    Row("GET", "/api/v1/campaigns", VIEW, body=setup),  # first: makes the records below
    Row("POST", "/api/v1/campaigns", CREATE, body=campaign_body),
    Row("GET", C, READ),
    Row("PATCH", C, CHANGE, body=lambda org, who: {"description": who}),
    Row("DELETE", "/api/v1/campaigns/{mkt_deleted_campaign_id}", DELETE),
    Row("GET", f"{C}/members", READ),
    Row("POST", f"{C}/members", CHANGE, body=members_body),
    Row("PATCH", C + "/members/{mkt_missing_id}", MISSING, body=lambda o, w: {"status": "sent"}),
    Row("DELETE", C + "/members/{mkt_missing_id}", MISSING),
    Row("GET", f"{C}/report", READ),
    Row("POST", "/api/v1/campaigns/{mkt_launch_id}/launch", CHANGE),
    Row("POST", "/api/v1/campaigns/{mkt_launch_id}/complete", CHANGE),
    Row("GET", "/api/v1/segments", VIEW),
    Row("POST", "/api/v1/segments", CREATE, body=segment_body),
    Row("GET", "/api/v1/segments/{mkt_segment_id}", READ),
    Row("PUT", "/api/v1/segments/{mkt_segment_id}", CHANGE, body=segment_body),
    Row("DELETE", "/api/v1/segments/{mkt_deleted_segment_id}", DELETE),
    Row("GET", "/api/v1/segments/{mkt_segment_id}/members", READ),
    Row("GET", "/api/v1/email-templates", VIEW),
    Row("POST", "/api/v1/email-templates", CREATE, body=template_body),
    Row("GET", "/api/v1/email-templates/{mkt_template_id}", READ),
    Row("PUT", "/api/v1/email-templates/{mkt_template_id}", CHANGE, body=template_body),
    Row("DELETE", "/api/v1/email-templates/{mkt_deleted_template_id}", DELETE),
    Row("GET", "/api/v1/scoring-rules", VIEW),
    Row("POST", "/api/v1/scoring-rules", CREATE, body=rule_body),
    Row("GET", "/api/v1/scoring-rules/{mkt_rule_id}", READ_TENANT),
    Row("PUT", "/api/v1/scoring-rules/{mkt_rule_id}", CHANGE, body=rule_body),
    Row("DELETE", "/api/v1/scoring-rules/{mkt_deleted_rule_id}", DELETE),
    Row("GET", "/api/v1/marketing-settings", VIEW),
    Row("PATCH", "/api/v1/marketing-settings", CHANGE_OWN, body=lambda o, w: {"mql_threshold": 60}),
    Row("GET", "/api/v1/engagements", VIEW),
    Row("POST", "/api/v1/engagements", MISSING, body=engagement_body),
    Row("GET", "/api/v1/consents", VIEW),
    Row("POST", "/api/v1/consents", CHANGE_OWN, body=consent_body),
    Row("GET", "/api/v1/sequences", VIEW),
    Row("POST", "/api/v1/sequences", "201 403 403 403 403 422 403 401", body=sequence_body),
    Row("GET", S, READ),
    Row("PATCH", S, CHANGE, body=lambda org, who: {"name": unique("seq")}),
    Row("DELETE", "/api/v1/sequences/{mkt_deleted_sequence_id}", DELETE),
    Row("GET", f"{S}/enrollments", READ),
    Row("POST", f"{S}/enrollments", CHANGE, body=members_body),
    Row("POST", S + "/enrollments/{mkt_missing_id}/stop", MISSING),
    Row("GET", "/api/v1/public/unsubscribe?token=u.AAAA.AAAA.AAAA", PUBLIC_BAD),
    Row("POST", "/api/v1/public/unsubscribe?token=u.AAAA.AAAA.AAAA", PUBLIC_BAD),
    Row("GET", "/api/v1/public/track/open?token=o.AAAA.AAAA.AAAA", PUBLIC_BAD),
    Row(
        "GET",
        "/api/v1/public/track/click?token=c.AAAA.AAAA.AAAA&url=https://x.example/",
        PUBLIC_BAD,
    ),
]

"""Marketing e-mail end to end, through a real SMTP server (aiosmtpd): an e-mail
campaign reaches its members in their language, tracking and the public
unsubscribe link work without login, an unsubscribed contact receives nothing
from a later campaign or sequence, a sequence step goes out, and the campaign
report attributes a won deal's amount."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.integration.api import Api, Session, Tenant
from tests.integration.smtp_server import SmtpServer, html_part, smtp_server
from tests.integration.test_marketing import call, new_lead, wait_for

pytestmark = pytest.mark.usefixtures("stack")

TEMPLATE = {
    "name": "Welcome",
    "default_language": "en",
    "variants": [
        {"language": "en", "subject": "Hello {{ first_name }}",
         "html_body": '<p>Hi {{ first_name }} &amp; {{ company }}</p>'
                      '<a href="https://example.com/offer?x=1">offer</a>'
                      '<a href="{{ unsubscribe_url }}">unsubscribe</a>',
         "text_body": "Hi {{ first_name }}. Unsubscribe: {{ unsubscribe_url }}"},
        {"language": "de", "subject": "Hallo {{ first_name }}",
         "html_body": '<p>Hallo {{ first_name }}</p><a href="{{ unsubscribe_url }}">abmelden</a>',
         "text_body": "Hallo {{ first_name }}"},
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def tenant(api: Api, smtp: SmtpServer) -> Tenant:
    tenant = api.create_tenant()
    settings = {"from_address": "news@shop.example", "smtp_host": smtp.host,
                "smtp_port": smtp.port, "starttls": False}  # fmt: skip
    call(api, tenant.admin, "PUT", "/api/v1/notification-preferences/email-settings",
         json=settings)  # fmt: skip
    return tenant


def path_of(url: str) -> str:
    parts = urlsplit(url.replace("&amp;", "&"))
    return f"{parts.path}?{parts.query}"


def known(api: Api, admin: Session, kind: str, record_id: str) -> None:
    """Wait until marketing's read model has the record (sales' events are async)."""
    segment = call(api, admin, "POST", "/api/v1/segments", 201,
                   json={"name": f"probe {uuid.uuid4().hex[:6]}", "kind": kind})  # fmt: skip

    def found() -> bool:
        page = call(api, admin, "GET", f"/api/v1/segments/{segment['id']}/members",
                    params={"limit": 200})  # fmt: skip
        return any(p["id"] == record_id for p in page["items"])

    wait_for(found, what=f"{kind} {record_id} known to marketing")


def new_contact(api: Api, admin: Session, **fields: Any) -> dict[str, Any]:
    account = call(api, admin, "POST", "/api/v1/accounts", 201,
                   json={"name": f"Acme {uuid.uuid4().hex[:6]}"})  # fmt: skip
    body = {"first_name": "Carl", "last_name": f"C-{uuid.uuid4().hex[:6]}",
            "email": f"carl-{uuid.uuid4().hex[:8]}@example.com", "account_id": account["id"],
            **fields}  # fmt: skip
    return call(api, admin, "POST", "/api/v1/contacts", 201, json=body)  # type: ignore[no-any-return]


def members(api: Api, admin: Session, campaign_id: str) -> dict[str, dict[str, Any]]:
    page = call(api, admin, "GET", f"/api/v1/campaigns/{campaign_id}/members",
                params={"limit": 200})  # fmt: skip
    return {m["lead_id"] or m["contact_id"]: m for m in page["items"]}


def email_campaign(api: Api, admin: Session, template_id: str, **fields: Any) -> dict[str, Any]:
    body = {"name": f"Spring {uuid.uuid4().hex[:6]}", "type": "email", "template_id": template_id,
            "budget": "1000.00", "actual_cost": "300.00", "currency": "EUR", **fields}  # fmt: skip
    return call(api, admin, "POST", "/api/v1/campaigns", 201, json=body)  # type: ignore[no-any-return]


def test_campaign_consent_tracking_sequence_and_report(
    api: Api, tenant: Tenant, smtp: SmtpServer
) -> None:
    admin = tenant.admin
    template = call(api, admin, "POST", "/api/v1/email-templates", 201, json=TEMPLATE)
    german = new_lead(api, admin, first_name="Jörg", custom_fields={"language": "de"})
    english = new_lead(api, admin, first_name="Ann")
    refused = new_contact(api, admin, first_name="Rita")
    for kind, record in (("lead", german), ("lead", english), ("contact", refused)):
        known(api, admin, kind, record["id"])
    # the contact refused e-mail before the campaign
    call(api, admin, "POST", "/api/v1/consents",
         json={"email": refused["email"], "status": "unsubscribed"})  # fmt: skip

    campaign = email_campaign(api, admin, template["id"])
    added = call(api, admin, "POST", f"/api/v1/campaigns/{campaign['id']}/members",
                 json={"lead_ids": [german["id"], english["id"]],
                       "contact_ids": [refused["id"]]})  # fmt: skip
    assert added == {"added": 3, "already": 0, "unknown_ids": []}
    launched = call(api, admin, "POST", f"/api/v1/campaigns/{campaign['id']}/launch")
    assert launched["status"] == "active"

    to_german = smtp.wait_for(lambda m: german["email"] in str(m["To"]), timeout=30)
    to_english = smtp.wait_for(lambda m: english["email"] in str(m["To"]), timeout=30)
    assert to_german["Subject"] == "Hallo Jörg" and to_english["Subject"] == "Hello Ann"
    html = html_part(to_english)
    assert "Ann &amp; Analytical Engines" in html  # autoescaped merge field
    assert to_english["List-Unsubscribe"]
    # delivered reports come back: members move to sent
    wait_for(lambda: members(api, admin, campaign["id"])[english["id"]]["status"] == "sent",
             what="english member sent")  # fmt: skip
    # the refused contact got nothing
    assert smtp.to(refused["email"]) == []
    assert members(api, admin, campaign["id"])[refused["id"]]["status"] == "targeted"

    # open pixel and click tracking: public, signed
    pixel = re.search(r'src="([^"]+/public/track/open[^"]+)"', html)
    click = re.search(r'href="([^"]+/public/track/click[^"]+)"', html)
    assert pixel and click
    opened = api.request("GET", path_of(pixel.group(1)))
    assert opened.status_code == 200 and opened.headers["content-type"] == "image/gif"
    clicked = api.request("GET", path_of(click.group(1)), follow_redirects=False)
    assert clicked.status_code == 302
    assert clicked.headers["location"] == "https://example.com/offer?x=1"
    tampered = path_of(click.group(1)).replace("example.com", "evil.example")
    assert api.request("GET", tampered, follow_redirects=False).status_code == 404
    assert members(api, admin, campaign["id"])[english["id"]]["status"] == "clicked"
    engaged = call(api, admin, "GET", "/api/v1/engagements", params={"lead_id": english["id"]})
    assert {e["type"] for e in engaged["items"]} == {"email_opened", "email_clicked"}

    # the public unsubscribe link, no login
    unsubscribe = re.search(r'href="([^"]+/public/unsubscribe\?token=[^"]+)"', html)
    assert unsubscribe
    assert api.request("GET", "/api/v1/public/unsubscribe?token=u.bad.bad.bad").status_code == 404
    done = api.request("GET", path_of(unsubscribe.group(1)))
    assert done.status_code == 200 and "no more marketing e-mail" in done.text
    consent = call(api, admin, "GET", "/api/v1/consents", params={"email": english["email"]})
    assert consent["items"][0]["status"] == "unsubscribed"
    assert members(api, admin, campaign["id"])[english["id"]]["status"] == "unsubscribed"

    # a later campaign and a sequence: the unsubscribed lead and contact get nothing
    fresh = new_lead(api, admin, first_name="Fay")
    known(api, admin, "lead", fresh["id"])
    sent_before = len(smtp.messages)
    later = email_campaign(api, admin, template["id"])
    audience = {"lead_ids": [english["id"], fresh["id"]], "contact_ids": [refused["id"]]}
    call(api, admin, "POST", f"/api/v1/campaigns/{later['id']}/members", json=audience)
    call(api, admin, "POST", f"/api/v1/campaigns/{later['id']}/launch")
    sequence = call(api, admin, "POST", "/api/v1/sequences", 201,
                    json={"name": "Nurture", "delay_unit": "business_days",
                          "steps": [{"delay_days": 0, "template_id": template["id"]},
                                    {"delay_days": 3, "template_id": template["id"]}]})  # fmt: skip
    enrolled = call(api, admin, "POST", f"/api/v1/sequences/{sequence['id']}/enrollments",
                    json={"lead_ids": [english["id"], german["id"]],
                          "contact_ids": [refused["id"]]})  # fmt: skip
    statuses = {e["lead_id"] or e["contact_id"]: e for e in enrolled["enrolled"]}
    assert statuses[english["id"]]["status"] == "exited"
    assert statuses[english["id"]]["exit_reason"] == "unsubscribed"
    assert statuses[refused["id"]]["status"] == "exited"
    assert statuses[german["id"]]["status"] == "active"
    smtp.wait_for(lambda m: fresh["email"] in str(m["To"]), timeout=30)  # the later campaign
    wait_for(lambda: len(smtp.to(german["email"])) == 2, what="the sequence's first step")
    time.sleep(2)  # a dispatcher tick more: still nothing for the refused ones
    assert len(smtp.to(english["email"])) == 1  # only the first campaign
    assert smtp.to(refused["email"]) == []
    assert len(smtp.messages) == sent_before + 2
    page = call(api, admin, "GET", f"/api/v1/sequences/{sequence['id']}/enrollments",
                params={"status": "active"})  # fmt: skip
    active = {e["lead_id"]: e for e in page["items"]}
    assert active[german["id"]]["next_step"] == 2 and active[german["id"]]["steps_sent"] == 1

    # report: a won deal of a member contact's account is attributed
    buyer = new_contact(api, admin, first_name="Bea")
    known(api, admin, "contact", buyer["id"])
    call(api, admin, "POST", f"/api/v1/campaigns/{campaign['id']}/members",
         json={"contact_ids": [buyer["id"]]})  # fmt: skip
    deal = call(api, admin, "POST", "/api/v1/deals", 201,
                json={"name": "Big one", "account_id": buyer["account_id"], "amount": "4321.50",
                      "currency": "EUR"})  # fmt: skip
    pipeline = call(api, admin, "GET", "/api/v1/pipelines")["items"][0]
    won = next(s["id"] for s in pipeline["stages"] if s["kind"] == "won")
    call(api, admin, "PATCH", f"/api/v1/deals/{deal['id']}", json={"stage_id": won})

    def attributed() -> dict[str, Any] | None:
        got = call(api, admin, "GET", f"/api/v1/campaigns/{campaign['id']}/report")
        return got if got["won_deals"] == 1 else None

    report = wait_for(attributed, what="the won deal attributed")
    assert report["attributed_revenue"] == "4321.5000"
    assert report["members"] == 4 and report["leads"] == 2
    assert report["cost_per_lead"] == "150.00"  # 300.00 / 2 leads
    assert report["sent"] == 2 and report["clicked"] == 1 and report["unsubscribed"] == 1
    assert report["unsubscribe_rate"] == "0.2500"

"""Access-matrix rows of webhooks and notification preferences (joined by access_rows.py)."""

from __future__ import annotations

from typing import Any

from tests.integration.access_matrix import Row, unique
from tests.integration.access_org import Org

# Preferences are every signed-in user's own (API keys have none: 403); e-mail
# settings and the bounce hook are the tenant's administrators' (the other
# tenant's admin manages its own tenant: 200).
OWN = "200 200 200 200 200 200 403 401"
ADMIN = "200 403 403 403 403 200 403 401"


def preferences_body(org: Org, who: str) -> dict[str, Any]:
    return {"channels": {"deal_moved": {"in_app": True, "email": True}},
            "quiet_hours": {"start": "22:00", "end": "07:00"}, "digest": "off"}  # fmt: skip


def email_settings_body(org: Org, who: str) -> dict[str, Any]:
    return {"from_address": "crm@matrix.example", "smtp_host": "smtp.matrix.example",
            "smtp_port": 2525, "starttls": False, "username": "", "password": None}  # fmt: skip


def bounce_body(org: Org, who: str) -> dict[str, Any]:
    return {"address": f"{unique(who)}@bounced.example", "reason": "550 mailbox unknown"}


PREFERENCE_ROWS: list[Row] = [
    Row("GET", "/api/v1/notification-preferences", OWN),
    Row("PUT", "/api/v1/notification-preferences", OWN, body=preferences_body),
    Row("GET", "/api/v1/notification-preferences/email-settings", ADMIN),
    Row("PUT", "/api/v1/notification-preferences/email-settings", ADMIN, body=email_settings_body),
    Row("POST", "/api/v1/notification-preferences/email-bounces", ADMIN, body=bounce_body),
]

# Webhooks: module "webhooks", which only the Administrator's "*" grants (the
# other tenant's admin manages its own endpoints: 200/201, and finds none of
# this tenant's: 404). The endpoints never receive anything: their event type
# matches no event. {webhook_id} is the admin's endpoint made by the POST row's
# body, so the POST row comes before the rows that name it and DELETE is last.
WEBHOOKS = "200 403 403 403 403 200 403 401"
WEBHOOK_CREATE = "201 403 403 403 403 201 403 401"
WEBHOOK_ONE = "200 403 403 403 403 404 403 401"
NO_DELIVERY = "404 403 403 403 403 404 403 401"


def new_webhook(org: Org, who: str) -> dict[str, Any]:
    body = {"url": "https://hooks.matrix.example/crm", "description": unique(who),
            "event_types": ["crm.matrix.never"]}  # fmt: skip
    if "webhook_id" not in org.ids:
        org.ids["webhook_id"] = str(org.admin("POST", "/api/v1/webhooks", json=body)["id"])
    return body


def webhook_change(org: Org, who: str) -> dict[str, Any]:
    return {"description": unique(who)}


WEBHOOK_ROWS: list[Row] = [
    Row("GET", "/api/v1/webhooks", WEBHOOKS),
    Row("POST", "/api/v1/webhooks", WEBHOOK_CREATE, body=new_webhook),
    Row("GET", "/api/v1/webhooks/{webhook_id}", WEBHOOK_ONE),
    Row("PATCH", "/api/v1/webhooks/{webhook_id}", WEBHOOK_ONE, body=webhook_change),
    Row("POST", "/api/v1/webhooks/{webhook_id}/rotate-secret", WEBHOOK_ONE),
    Row("GET", "/api/v1/webhooks/{webhook_id}/deliveries", WEBHOOK_ONE),
    # No such delivery (a user's id): 404 to whoever may look.
    Row("POST", "/api/v1/webhooks/{webhook_id}/deliveries/{rep_id}/replay", NO_DELIVERY),
    Row("DELETE", "/api/v1/webhooks/{webhook_id}", "204 403 403 403 403 404 403 401"),
]

ROWS: list[Row] = [*WEBHOOK_ROWS, *PREFERENCE_ROWS]

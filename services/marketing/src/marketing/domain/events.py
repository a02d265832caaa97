"""Subjects of the events marketing publishes and consumes."""

from __future__ import annotations

LEAD_SCORED = "crm.marketing.lead.scored"
LEAD_QUALIFIED = "crm.marketing.lead.qualified"
CAMPAIGN_LAUNCHED = "crm.marketing.campaign.launched"
CAMPAIGN_COMPLETED = "crm.marketing.campaign.completed"
EMAIL_REQUESTED = "crm.marketing.email.requested"
EMAIL_SENT = "crm.marketing.email.sent"
EMAIL_OPENED = "crm.marketing.email.opened"
EMAIL_CLICKED = "crm.marketing.email.clicked"
EMAIL_BOUNCED = "crm.marketing.email.bounced"
CONSENT_CHANGED = "crm.marketing.consent.changed"

# Sales' events that keep the read model (and attribution) current.
LEAD_EVENTS = tuple(
    f"crm.sales.lead.{verb}"
    for verb in ("created", "updated", "deleted", "restored", "status_changed", "converted")
)
CONTACT_EVENTS = tuple(
    f"crm.sales.contact.{verb}" for verb in ("created", "updated", "deleted", "restored")
)
DEAL_WON = "crm.sales.deal.won"
LEAD_CONVERTED = "crm.sales.lead.converted"

# Notifications' answers about requested e-mail.
DELIVERED = "crm.notifications.delivered"
FAILED = "crm.notifications.failed"

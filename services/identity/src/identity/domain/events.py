"""Subjects of the events identity publishes (payloads in proto/crm/identity/v1/events.proto)."""

from crm_common.access.resolver import ACCESS_CHANGED_SUBJECT

TENANT_CREATED = "crm.identity.tenant.created"
USER_CREATED = "crm.identity.user.created"
USER_UPDATED = "crm.identity.user.updated"
USER_DISABLED = "crm.identity.user.disabled"
LOGIN_SUCCEEDED = "crm.identity.auth.login_succeeded"
LOGIN_FAILED = "crm.identity.auth.login_failed"
REFRESH_REUSE_DETECTED = "crm.identity.auth.refresh_reuse_detected"
LOGOUT = "crm.identity.auth.logout"
SIGNING_KEY_ROTATED = "crm.identity.signing_key.rotated"

AUTH_EVENTS = "crm.identity.auth.>"
ACCESS_CHANGED = ACCESS_CHANGED_SUBJECT  # defined in crm_common: every service listens for it
ACCESS_DENIED_ANY_SERVICE = "crm.*.access.denied"
AUDITED = [AUTH_EVENTS, ACCESS_CHANGED, ACCESS_DENIED_ANY_SERVICE]

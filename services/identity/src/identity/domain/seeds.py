"""What every new tenant starts with: a root role, six profiles and org-wide
sharing defaults. Modules are named after the records of every service."""

from __future__ import annotations

from types import MappingProxyType

ROOT_ROLE = "Organisation"

IDENTITY_ADMIN_MODULES = (
    "roles",
    "profiles",
    "groups",
    "sharing_rules",
    "api_keys",
    "usage",
    "audit",
)
SALES_MODULES = (
    "leads",
    "accounts",
    "contacts",
    "deals",
    "activities",
    "quotes",
    "orders",
    "forecasts",
)
INVENTORY_MODULES = (
    "products",
    "price_books",
    "vendors",
    "purchase_orders",
    "stock",
    "invoices",
    "payments",
    "subscriptions",
)
SUPPORT_MODULES = ("cases", "service_contracts", "work_orders", "knowledge_base", "timelogs")
MARKETING_MODULES = ("campaigns", "segments", "email_templates", "email_campaigns", "sequences")
BUSINESS_MODULES = SALES_MODULES + INVENTORY_MODULES + SUPPORT_MODULES + MARKETING_MODULES
MODULES = ("users", *IDENTITY_ADMIN_MODULES, *BUSINESS_MODULES)

ALL_ACTIONS = ["view", "create", "edit", "delete", "export", "import"]
WORK_ACTIONS = ["view", "create", "edit", "export"]
VIEW = ["view"]

# Managers and reps may keep their own user record current, not change who they are.
SELF_SERVICE_USER_FIELDS = {
    "email": "read_only",
    "role_id": "read_only",
    "profile_ids": "read_only",
    "active": "read_only",
    "roles": "read_only",
}


def _grant(modules: tuple[str, ...], actions: list[str]) -> dict[str, list[str]]:
    return {module: list(actions) for module in modules}


ADMINISTRATOR = "Administrator"
READ_ONLY = "Read Only"

PROFILES = MappingProxyType(
    {
        ADMINISTRATOR: {
            "description": "Everything, on every record of the tenant.",
            "permissions": {"*": ["*"]},
            "fields": {},
        },
        "Sales Manager": {
            "description": "Runs a sales team: all sales actions, sees the team's records.",
            "permissions": {
                **_grant(SALES_MODULES, ALL_ACTIONS),
                "users": ["view", "edit"],
                **_grant(("products", "price_books"), VIEW),
            },
            "fields": {"users": SELF_SERVICE_USER_FIELDS},
        },
        "Sales Rep": {
            "description": "Works their own leads, accounts and deals.",
            "permissions": {
                **_grant(SALES_MODULES, WORK_ACTIONS),
                "users": ["view", "edit"],
                **_grant(("products", "price_books"), VIEW),
            },
            "fields": {"users": SELF_SERVICE_USER_FIELDS},
        },
        "Support Agent": {
            "description": "Handles cases and field service.",
            "permissions": {
                **_grant(SUPPORT_MODULES, WORK_ACTIONS),
                **_grant(("accounts", "contacts", "products"), VIEW),
                "users": VIEW,
            },
            "fields": {},
        },
        "Marketing": {
            "description": "Runs campaigns, segments and e-mail.",
            "permissions": {
                **_grant(MARKETING_MODULES, ALL_ACTIONS),
                **_grant(("leads", "contacts"), [*WORK_ACTIONS, "import"]),
                "users": VIEW,
            },
            "fields": {},
        },
        READ_ONLY: {
            "description": "Reads business records; changes nothing.",
            "permissions": {**_grant(BUSINESS_MODULES, VIEW), "users": VIEW},
            "fields": {"users": {"phone": "hidden"}},
        },
    }
)

SHARING_DEFAULTS = MappingProxyType(
    {"users": "public_read", **dict.fromkeys(BUSINESS_MODULES, "private")}
)

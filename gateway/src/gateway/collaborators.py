"""The gateway's outbound clients, built in one place (the gateway's bootstrap).

``create_app`` takes ready-made ``Collaborators`` (tests pass fakes) or builds
real ones in its lifespan from settings, inside the running event loop.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from grpc_health.v1 import health_pb2_grpc
from redis.asyncio import Redis

from crm.identity.v1 import access_pb2_grpc, api_keys_pb2_grpc, identity_pb2_grpc
from crm.inventory.v1 import (
    billing_pb2_grpc,
    inventory_pb2_grpc,
    purchasing_pb2_grpc,
    stock_pb2_grpc,
    subscriptions_pb2_grpc,
)
from crm.marketing.v1 import marketing_pb2_grpc
from crm.notifications.v1 import notifications_pb2_grpc, preferences_pb2_grpc, webhooks_pb2_grpc
from crm.sales.v1 import (
    activities_pb2_grpc,
    assignment_pb2_grpc,
    deals_pb2_grpc,
    forecasts_pb2_grpc,
    quotes_pb2_grpc,
    sales_pb2_grpc,
)
from crm.support.v1 import (
    cases_pb2_grpc,
    field_service_pb2_grpc,
    insights_pb2_grpc,
    knowledge_pb2_grpc,
    sla_pb2_grpc,
)
from crm_common.grpc.client import create_channel
from gateway.config import GatewaySettings
from gateway.security.jwks import JwksCache, identity_jwks_fetcher

IDENTITY_SERVICE = "crm.identity.v1.IdentityService"
ACCESS_SERVICE = "crm.identity.v1.AccessService"
API_KEY_SERVICE = "crm.identity.v1.ApiKeyService"
# Read-only RPCs: the only ones the channel may retry.
IDENTITY_IDEMPOTENT_METHODS = (
    "GetJwks",
    "GetMe",
    "GetUser",
    "ListUsers",
    "ListAccessAudit",
    *(
        f"{ACCESS_SERVICE}/{m}"
        for m in (
            "GetRole",
            "ListRoles",
            "GetProfile",
            "ListProfiles",
            "GetGroup",
            "ListGroups",
            "GetSharingRule",
            "ListSharingRules",
            "GetSharingDefaults",
            "ResolveAccess",
            "ResolveGroupUsers",
            "GetOrgChart",
        )
    ),
    *(
        f"{API_KEY_SERVICE}/{m}"
        for m in (
            "GetApiKey",
            "ListApiKeys",
            "VerifyApiKey",
            "GetUsage",
            "GetUsageLimits",
        )
    ),
)
SALES_SERVICE = "crm.sales.v1.SalesService"
SALES_IDEMPOTENT_METHODS = (
    "GetLead",
    "ListLeads",
    "GetAccount",
    "ListAccounts",
    "GetContact",
    "ListContacts",
    "ListRecycleBin",
    "crm.sales.v1.ActivityService/GetActivity",
    "crm.sales.v1.ActivityService/ListActivities",
    "crm.sales.v1.AssignmentRuleService/GetAssignmentRule",
    "crm.sales.v1.AssignmentRuleService/ListAssignmentRules",
    "crm.sales.v1.ForecastService/GetForecast",
    "crm.sales.v1.ForecastService/ListQuotas",
    *(
        f"crm.sales.v1.DealService/{m}"
        for m in ("ListPipelines", "GetPipeline", "GetDeal", "ListDeals", "GetDealBoard")
    ),
    *(
        f"crm.sales.v1.QuoteService/{m}"
        for m in ("GetQuote", "ListQuotes", "GetSalesOrder", "ListSalesOrders")
    ),
)

NOTIFICATIONS_SERVICE = "crm.notifications.v1.NotificationService"
NOTIFICATIONS_IDEMPOTENT_METHODS = (
    "ListFollows",
    "ListNotifications",
    *(
        f"crm.notifications.v1.WebhookService/{m}"
        for m in ("GetWebhook", "ListWebhooks", "ListWebhookDeliveries")
    ),
    *(
        f"crm.notifications.v1.PreferenceService/{m}"
        for m in ("GetPreferences", "GetEmailSettings")
    ),
)

MARKETING_SERVICE = "crm.marketing.v1.MarketingService"
# Read-only RPCs of marketing's services ("Service/Method"; bare names: MarketingService).
MARKETING_IDEMPOTENT_METHODS: tuple[str, ...] = (
    "GetSegment", "ListSegments", "ListSegmentMembers", "GetScoringRule", "ListScoringRules",
    "GetMarketingSettings", "ListEngagements", "ListConsents", "GetEmailTemplate",
    "ListEmailTemplates", "GetCampaign", "ListCampaigns", "ListCampaignMembers",
    "GetCampaignReport", "GetSequence", "ListSequences", "ListEnrollments",
)  # fmt: skip

SUPPORT_SERVICE = "crm.support.v1.CaseService"
# Read-only RPCs of support's services ("Service/Method"; bare names are CaseService's).
SUPPORT_IDEMPOTENT_METHODS: tuple[str, ...] = (
    "GetCase",
    "ListCases",
    "ListComments",
    *(
        f"crm.support.v1.KnowledgeService/{m}"
        for m in ("GetCategory", "ListCategories", "GetArticle", "ListArticles")
    ),
    "crm.support.v1.InsightsService/GetHelpDeskInsights",
    *(
        f"crm.support.v1.SlaService/{m}"
        for m in (
            "GetBusinessHours",
            "ListBusinessHours",
            "GetSlaPolicy",
            "ListSlaPolicies",
            "MatchSlaPolicy",
        )
    ),
    *(
        f"crm.support.v1.FieldService/{m}"
        for m in (
            "GetServiceContract",
            "ListServiceContracts",
            "GetWorkOrder",
            "ListWorkOrders",
            "GetServiceAppointment",
            "ListServiceAppointments",
            "ListTimelogs",
        )
    ),
)

INVENTORY_SERVICE = "crm.inventory.v1.InventoryService"
INVENTORY_IDEMPOTENT_METHODS = (
    "GetProduct",
    "ListProducts",
    "GetPriceBook",
    "ListPriceBooks",
    "ListTaxRates",
    "PriceQuote",
    *(
        f"crm.inventory.v1.PurchasingService/{m}"
        for m in (
            "GetVendor",
            "ListVendors",
            "GetPurchaseOrder",
            "ListPurchaseOrders",
            "GetBill",
            "ListBills",
        )
    ),
    *(
        f"crm.inventory.v1.BillingService/{m}"
        for m in (
            "GetInvoice",
            "ListInvoices",
            "ListCreditNotes",
            "GetPayment",
            "ListPayments",
            "ListInstallmentPlans",
        )
    ),
    *(
        f"crm.inventory.v1.StockService/{m}"
        for m in (
            "GetWarehouse",
            "ListWarehouses",
            "ListStockLevels",
            "ListStockMovements",
            "GetDeliveryNote",
            "ListDeliveryNotes",
            "GetAsset",
            "ListAssets",
        )
    ),
    *(
        f"crm.inventory.v1.SubscriptionService/{m}"
        for m in (
            "GetSubscription",
            "ListSubscriptions",
            "GetRecurringInvoice",
            "ListRecurringInvoices",
            "ListTransactions",
        )
    ),
)


@dataclass
class Collaborators:
    identity: Any  # IdentityServiceStub, or a fake with the same coroutine methods
    health: Any  # grpc.health.v1 HealthStub on the identity channel
    redis: Redis
    jwks: JwksCache
    access: Any = None  # AccessServiceStub (identity's access model)
    api_keys: Any = None  # ApiKeyServiceStub (identity's keys and usage)
    sales: Any = None  # SalesServiceStub, on its own channel
    inventory: Any = None  # InventoryServiceStub, on its own channel
    forecasts: Any = None  # ForecastServiceStub, on the sales channel
    deals: Any = None  # DealServiceStub (pipelines, deals, kanban), on the sales channel
    activities: Any = None  # ActivityServiceStub, on the sales channel
    assignment_rules: Any = None  # AssignmentRuleServiceStub, on the sales channel
    quotes: Any = None  # QuoteServiceStub (quotes, sales orders), on the sales channel
    purchasing: Any = None  # PurchasingServiceStub, on the inventory channel
    billing: Any = None  # BillingServiceStub (invoices, payments), on the inventory channel
    stock: Any = None  # StockServiceStub (warehouses, stock, deliveries), inventory channel
    subscriptions: Any = None  # SubscriptionServiceStub (+ recurring invoices), inventory
    notifications: Any = None  # NotificationServiceStub, on its own channel
    webhooks: Any = None  # WebhookServiceStub, on the notifications channel
    notification_preferences: Any = None  # PreferenceServiceStub, notifications channel
    marketing: Any = None  # MarketingServiceStub, on its own channel
    cases: Any = None  # CaseServiceStub (cases, comments), on the support channel
    sla: Any = None  # SlaServiceStub (business hours, SLA policies), support channel
    field_service: Any = None  # FieldServiceStub (contracts, work orders, timelogs), support
    knowledge: Any = None  # KnowledgeServiceStub (FAQ articles), support channel
    insights: Any = None  # InsightsServiceStub (help-desk insights), support channel
    # Health stubs of the other services, by name: readiness waits for all of them.
    peer_health: dict[str, Any] = field(default_factory=dict)
    clock: Callable[[], float] = time.time  # wall clock for rate-limit windows
    closers: list[Callable[[], Awaitable[Any]]] = field(default_factory=list)

    async def aclose(self) -> None:
        for close in reversed(self.closers):
            await close()


def build_collaborators(settings: GatewaySettings) -> Collaborators:
    """Real clients; call inside the event loop that will use them."""
    channel = create_channel(
        settings.identity_addr,
        service=IDENTITY_SERVICE,
        internal_secret=settings.internal_secret.get_secret_value(),
        idempotent_methods=IDENTITY_IDEMPOTENT_METHODS,
        default_deadline=settings.upstream_deadline_seconds,
    )
    identity = identity_pb2_grpc.IdentityServiceStub(channel)
    redis = Redis.from_url(
        settings.redis_url,
        decode_responses=True,
        socket_timeout=settings.redis_timeout_seconds,
        socket_connect_timeout=settings.redis_timeout_seconds,
    )
    jwks = JwksCache(
        identity_jwks_fetcher(identity), min_refresh_seconds=settings.jwks_min_refresh_seconds
    )
    sales_channel = create_channel(
        settings.sales_addr,
        service=SALES_SERVICE,
        internal_secret=settings.internal_secret.get_secret_value(),
        idempotent_methods=SALES_IDEMPOTENT_METHODS,
        default_deadline=settings.upstream_deadline_seconds,
    )
    inventory_channel = create_channel(
        settings.inventory_addr,
        service=INVENTORY_SERVICE,
        internal_secret=settings.internal_secret.get_secret_value(),
        idempotent_methods=INVENTORY_IDEMPOTENT_METHODS,
        default_deadline=settings.upstream_deadline_seconds,
    )
    notifications_channel = create_channel(
        settings.notifications_addr,
        service=NOTIFICATIONS_SERVICE,
        internal_secret=settings.internal_secret.get_secret_value(),
        idempotent_methods=NOTIFICATIONS_IDEMPOTENT_METHODS,
        default_deadline=settings.upstream_deadline_seconds,
    )
    support_channel = create_channel(
        settings.support_addr,
        service=SUPPORT_SERVICE,
        internal_secret=settings.internal_secret.get_secret_value(),
        idempotent_methods=SUPPORT_IDEMPOTENT_METHODS,
        default_deadline=settings.upstream_deadline_seconds,
    )
    marketing_channel = create_channel(
        settings.marketing_addr,
        service=MARKETING_SERVICE,
        internal_secret=settings.internal_secret.get_secret_value(),
        idempotent_methods=MARKETING_IDEMPOTENT_METHODS,
        default_deadline=settings.upstream_deadline_seconds,
    )
    return Collaborators(
        identity=identity,
        health=health_pb2_grpc.HealthStub(channel),
        redis=redis,
        jwks=jwks,
        access=access_pb2_grpc.AccessServiceStub(channel),
        api_keys=api_keys_pb2_grpc.ApiKeyServiceStub(channel),
        sales=sales_pb2_grpc.SalesServiceStub(sales_channel),
        forecasts=forecasts_pb2_grpc.ForecastServiceStub(sales_channel),
        deals=deals_pb2_grpc.DealServiceStub(sales_channel),
        activities=activities_pb2_grpc.ActivityServiceStub(sales_channel),
        assignment_rules=assignment_pb2_grpc.AssignmentRuleServiceStub(sales_channel),
        quotes=quotes_pb2_grpc.QuoteServiceStub(sales_channel),
        inventory=inventory_pb2_grpc.InventoryServiceStub(inventory_channel),
        purchasing=purchasing_pb2_grpc.PurchasingServiceStub(inventory_channel),
        billing=billing_pb2_grpc.BillingServiceStub(inventory_channel),
        stock=stock_pb2_grpc.StockServiceStub(inventory_channel),
        subscriptions=subscriptions_pb2_grpc.SubscriptionServiceStub(inventory_channel),
        notifications=notifications_pb2_grpc.NotificationServiceStub(notifications_channel),
        webhooks=webhooks_pb2_grpc.WebhookServiceStub(notifications_channel),
        notification_preferences=preferences_pb2_grpc.PreferenceServiceStub(notifications_channel),
        marketing=marketing_pb2_grpc.MarketingServiceStub(marketing_channel),
        cases=cases_pb2_grpc.CaseServiceStub(support_channel),
        sla=sla_pb2_grpc.SlaServiceStub(support_channel),
        field_service=field_service_pb2_grpc.FieldServiceStub(support_channel),
        knowledge=knowledge_pb2_grpc.KnowledgeServiceStub(support_channel),
        insights=insights_pb2_grpc.InsightsServiceStub(support_channel),
        peer_health={
            "sales": health_pb2_grpc.HealthStub(sales_channel),
            "inventory": health_pb2_grpc.HealthStub(inventory_channel),
            "notifications": health_pb2_grpc.HealthStub(notifications_channel),
            "support": health_pb2_grpc.HealthStub(support_channel),
            "marketing": health_pb2_grpc.HealthStub(marketing_channel),
        },
        closers=[
            channel.close,
            sales_channel.close,
            inventory_channel.close,
            notifications_channel.close,
            support_channel.close,
            marketing_channel.close,
            redis.aclose,
        ],
    )

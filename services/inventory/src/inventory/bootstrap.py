"""The only wiring of the inventory service."""

from __future__ import annotations

import asyncio

import grpc

from crm.inventory.v1 import (
    billing_pb2_grpc,
    inventory_pb2,
    inventory_pb2_grpc,
    purchasing_pb2_grpc,
    stock_pb2_grpc,
    subscriptions_pb2_grpc,
)
from crm_common.access.identity import access_resolver, identity_channel
from crm_common.access.resolver import ACCESS_CHANGED_SUBJECT
from crm_common.grpc.server import Registration
from crm_common.runtime import Job, Runtime, ServiceParts, Subscription
from inventory.config import InventorySettings
from inventory.entrypoints.billing_servicer import BillingServicer
from inventory.entrypoints.grpc_server import InventoryServicer
from inventory.entrypoints.purchasing_servicer import PurchasingServicer
from inventory.entrypoints.stock_servicer import StockServicer
from inventory.entrypoints.subscription_servicer import SubscriptionServicer
from inventory.service_layer import order_consumer, sales_events
from inventory.service_layer.deps import AccessResolver, InventoryDeps
from inventory.service_layer.overdue import overdue_job
from inventory.service_layer.recurring import recurring_job

SERVICE_NAME = inventory_pb2.DESCRIPTOR.services_by_name["InventoryService"].full_name


def build_deps(settings: InventorySettings, runtime: Runtime) -> InventoryDeps:
    return InventoryDeps(settings=settings, uow=runtime.uow)


def registrations(deps: InventoryDeps, access: AccessResolver) -> list[Registration]:
    inventory = InventoryServicer(deps, access)
    return [
        Registration(
            SERVICE_NAME,
            lambda server: inventory_pb2_grpc.add_InventoryServiceServicer_to_server(
                inventory, server
            ),
        )
    ]


def billing_registrations(deps: InventoryDeps, access: AccessResolver) -> list[Registration]:
    """Invoices, credit notes, payments, installment plans: one more service."""
    billing = BillingServicer(deps, access)
    return [
        Registration(
            "crm.inventory.v1.BillingService",
            lambda server: billing_pb2_grpc.add_BillingServiceServicer_to_server(billing, server),
        )
    ]


def purchasing_registrations(deps: InventoryDeps, access: AccessResolver) -> list[Registration]:
    """Vendors, purchase orders, receipt notes, bills: one more service."""
    purchasing = PurchasingServicer(deps, access)
    return [
        Registration(
            "crm.inventory.v1.PurchasingService",
            lambda server: purchasing_pb2_grpc.add_PurchasingServiceServicer_to_server(
                purchasing, server
            ),
        )
    ]


def stock_registrations(deps: InventoryDeps, access: AccessResolver) -> list[Registration]:
    """Warehouses, stock levels and the ledger, delivery notes, assets."""
    stock = StockServicer(deps, access)
    return [
        Registration(
            "crm.inventory.v1.StockService",
            lambda server: stock_pb2_grpc.add_StockServiceServicer_to_server(stock, server),
        )
    ]


def subscription_registrations(deps: InventoryDeps, access: AccessResolver) -> list[Registration]:
    """Subscriptions, recurring invoices, the transactions ledger."""
    servicer = SubscriptionServicer(deps, access)
    return [
        Registration(
            "crm.inventory.v1.SubscriptionService",
            lambda server: subscriptions_pb2_grpc.add_SubscriptionServiceServicer_to_server(
                servicer, server
            ),
        )
    ]


def _close_at_stop(channel: grpc.aio.Channel) -> Job:
    async def job(stop: asyncio.Event) -> None:
        await stop.wait()
        await channel.close()

    return job


def build(settings: InventorySettings, runtime: Runtime) -> ServiceParts:
    identity = identity_channel(settings.identity_addr, settings.internal_secret.get_secret_value())
    access = access_resolver(identity, settings.access_cache_seconds)
    runtime.nats.listen(ACCESS_CHANGED_SUBJECT, access.on_access_changed)
    deps = build_deps(settings, runtime)
    return ServiceParts(
        registrations=[
            *registrations(deps, access),
            *billing_registrations(deps, access),
            *purchasing_registrations(deps, access),
            *stock_registrations(deps, access),
            *subscription_registrations(deps, access),
        ],
        jobs=[
            _close_at_stop(identity),
            overdue_job(runtime.uow, settings.invoice_overdue_poll_seconds),
            recurring_job(runtime.uow, settings.recurring_poll_seconds),
        ],
        subscriptions=[
            Subscription(sales_events.CONSUMER, sales_events.SUBJECTS, sales_events.handle),
            Subscription(
                order_consumer.CONSUMER, order_consumer.SUBJECTS, order_consumer.on_order_event
            ),
        ],
    )

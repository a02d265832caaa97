"""Every row of the access matrix: the platform's (access_matrix.py) and one
module per area, so areas grow their rows without touching each other."""

from __future__ import annotations

from tests.integration import (
    access_matrix,
    access_matrix_activities,
    access_matrix_billing,
    access_matrix_conversion,
    access_matrix_deals,
    access_matrix_forecasts,
    access_matrix_inventory,
    access_matrix_marketing,
    access_matrix_notifications,
    access_matrix_purchasing,
    access_matrix_quotes,
    access_matrix_sales_csv,
    access_matrix_stock,
    access_matrix_support_cases,
    access_matrix_support_field,
    access_matrix_support_knowledge,
    access_matrix_support_sla,
    access_matrix_webhooks,
)

ALL_ROWS = [
    *access_matrix.ROWS,
    *access_matrix_deals.ROWS,
    *access_matrix_activities.ROWS,
    *access_matrix_conversion.ROWS,
    *access_matrix_forecasts.ROWS,
    *access_matrix_inventory.ROWS,
    *access_matrix_quotes.ROWS,
    *access_matrix_sales_csv.ROWS,
    *access_matrix_stock.ROWS,
    *access_matrix_billing.ROWS,
    *access_matrix_purchasing.ROWS,
    *access_matrix_notifications.ROWS,
    *access_matrix_support_sla.ROWS,
    *access_matrix_support_cases.ROWS,
    *access_matrix_support_field.ROWS,
    *access_matrix_support_knowledge.ROWS,
    *access_matrix_webhooks.ROWS,
    *access_matrix_marketing.ROWS,
]
PUBLIC = access_matrix.PUBLIC

"""Access-matrix rows for billing (joined into the matrix by access_rows.py).

Billing records belong to the tenant (no owner): the modules ``invoices``
(invoices, credit notes, installment plans) and ``payments`` decide. Only the
administrator's profile changes them; the Read Only profile and key read them;
the sales profiles have neither module (403). Another tenant's admin finds
none of these records (404) and may make its own.
"""

from __future__ import annotations

import uuid
from typing import Any

from tests.integration.access_matrix import Row
from tests.integration.access_org import Org

READ = "200 403 403 403 200 200 200 401"
READ_ONE = "200 403 403 403 200 404 200 401"
CREATE = "201 403 403 403 403 201 403 401"
CHANGE_ONE = "200 403 403 403 403 404 403 401"
CREATE_FOR_ONE = "201 403 403 403 403 404 403 401"  # names a record of the org's tenant


def new_invoice(org: Org, who: str) -> dict[str, Any]:
    line = {"description": "Matrix work", "quantity": "2", "unit_price": "10.00", "tax_rate": "21"}
    return {"account_id": str(uuid.uuid4()), "currency": "EUR", "lines": [line]}


def fresh_billing_record(org: Org, kind: str) -> str:
    """A draft ``invoice``, an ``issued_invoice`` or a ``payment`` (kept as credit),
    made by the administrator."""
    if kind == "payment":
        return str(org.admin("POST", "/api/v1/payments", json=new_payment(org, "admin"))["id"])
    invoice = org.admin("POST", "/api/v1/invoices", json=new_invoice(org, "admin"))
    if kind == "issued_invoice":
        org.admin("POST", f"/api/v1/invoices/{invoice['id']}/issue")
    return str(invoice["id"])


def new_payment(org: Org, who: str) -> dict[str, Any]:
    return {"account_id": str(uuid.uuid4()), "amount": "5.00", "currency": "EUR",
            "method": "card", "keep_credit": True}  # fmt: skip


def new_credit_note(org: Org, who: str) -> dict[str, Any]:
    invoice_id = fresh_billing_record(org, "issued_invoice")
    return {"invoice_id": invoice_id, "amount": "1.00", "reason": "matrix"}


def new_plan(org: Org, who: str) -> dict[str, Any]:
    invoice_id = fresh_billing_record(org, "issued_invoice")  # total 24.20
    installments = [{"due_date": "2030-01-31", "amount": "12.10"},
                    {"due_date": "2030-02-28", "amount": "12.10"}]  # fmt: skip
    return {"invoice_id": invoice_id, "installments": installments}


ROWS: list[Row] = [
    Row("GET", "/api/v1/invoices", READ),
    Row("POST", "/api/v1/invoices", CREATE, body=new_invoice),
    Row("GET", "/api/v1/invoices/{fresh_id}", READ_ONE, fresh="invoice"),
    Row(
        "PATCH",
        "/api/v1/invoices/{fresh_id}",
        CHANGE_ONE,
        body=lambda org, who: {"notes": f"by {who}"},
        fresh="invoice",
    ),
    Row("POST", "/api/v1/invoices/{fresh_id}/issue", CHANGE_ONE, fresh="invoice"),
    Row("POST", "/api/v1/invoices/{fresh_id}/void", CHANGE_ONE, fresh="issued_invoice"),
    Row("GET", "/api/v1/credit-notes", READ),
    Row("POST", "/api/v1/credit-notes", CREATE_FOR_ONE, body=new_credit_note),
    Row("GET", "/api/v1/payments", READ),
    Row("POST", "/api/v1/payments", CREATE, body=new_payment),
    Row("GET", "/api/v1/payments/{fresh_id}", READ_ONE, fresh="payment"),
    Row("GET", "/api/v1/installment-plans", READ),
    Row("POST", "/api/v1/installment-plans", CREATE_FOR_ONE, body=new_plan),
]

# ---- subscriptions, recurring invoices, transactions ----
# Module ``subscriptions`` (subscriptions) and ``invoices`` (recurring invoices,
# the transactions ledger) decide, with the same columns as invoices above.


def new_subscription(org: Org, who: str) -> dict[str, Any]:
    return {"account_id": str(uuid.uuid4()), "description": "Matrix plan", "price": "9.90",
            "currency": "EUR", "period": "month", "start_date": "2030-01-01"}  # fmt: skip


def new_recurring_invoice(org: Org, who: str) -> dict[str, Any]:
    return {"account_id": str(uuid.uuid4()), "currency": "EUR", "period": "quarter",
            "start_date": "2030-01-01", "lines": new_invoice(org, who)["lines"]}  # fmt: skip


def fresh_subscription_record(org: Org, kind: str) -> str:
    """A ``subscription`` or a ``recurring_invoice`` starting in 2030 (so the job
    leaves it alone), made by the administrator."""
    if kind == "subscription":
        path, body = "/api/v1/subscriptions", new_subscription(org, "admin")
    else:
        path, body = "/api/v1/recurring-invoices", new_recurring_invoice(org, "admin")
    return str(org.admin("POST", path, json=body)["id"])


ROWS += [
    Row("GET", "/api/v1/subscriptions", READ),
    Row("POST", "/api/v1/subscriptions", CREATE, body=new_subscription),
    Row("GET", "/api/v1/subscriptions/{fresh_id}", READ_ONE, fresh="subscription"),
    Row(
        "PATCH",
        "/api/v1/subscriptions/{fresh_id}",
        CHANGE_ONE,
        body=lambda org, who: {"description": f"by {who}"},
        fresh="subscription",
    ),
    Row("POST", "/api/v1/subscriptions/{fresh_id}/cancel", CHANGE_ONE, fresh="subscription"),
    Row("GET", "/api/v1/recurring-invoices", READ),
    Row("POST", "/api/v1/recurring-invoices", CREATE, body=new_recurring_invoice),
    Row("GET", "/api/v1/recurring-invoices/{fresh_id}", READ_ONE, fresh="recurring_invoice"),
    Row(
        "PATCH",
        "/api/v1/recurring-invoices/{fresh_id}",
        CHANGE_ONE,
        body=lambda org, who: {"notes": f"by {who}"},
        fresh="recurring_invoice",
    ),
    Row("GET", "/api/v1/transactions", READ),
]

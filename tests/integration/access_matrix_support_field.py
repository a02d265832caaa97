"""Access-matrix rows of support_field: service contracts, work orders, service
appointments and timelogs (joined into the matrix by access_rows.py).

Records are owned (contracts and work orders by owner_id, appointments by the
technician or the work order's owner, timelogs by the user who spent the time)
under the org-wide private default: modules ``service_contracts``,
``work_orders`` and ``timelogs`` decide. Records here are the admin's
(``fresh_field_record``, route the KINDS to it from ``Org.fresh``). Sales
managers and reps have no support permission (403); the Read Only profile may
view but sees none of the admin's records (404), the Read Only key sees every
record of its tenant (200) and changes none (403). Another tenant's admin finds
none of these records (404), makes its own (201), and cannot book a visit on a
work order of ours (422 work_order_id: there is no such work order for it).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.integration.access_matrix import Row, unique
from tests.integration.access_org import Org

KINDS = ("service_contract", "work_order", "service_appointment", "support_case", "timelog")
VIEW = "200 403 403 403 200 200 200 401"
CREATE = "201 403 403 403 403 201 403 401"
CREATE_LINKED = "201 403 403 403 403 422 403 401"  # names a work order of the admin's tenant
READ = "200 403 403 403 404 404 200 401"
CHANGE = "200 403 403 403 403 404 403 401"
DELETE = "204 403 403 403 403 404 403 401"
LOG = "201 403 403 403 403 404 403 401"


def new_contract(org: Org, who: str) -> dict[str, Any]:
    return {
        "name": unique(f"contract-{who}"),
        "account_id": str(uuid.uuid4()),
        "start_date": "2026-01-01",
        "end_date": "2999-12-31",
        "entitlement_type": "cases",
        "entitlement_total": "10",
    }


def new_work_order(org: Org, who: str) -> dict[str, Any]:
    return {"subject": unique(f"work-{who}"), "priority": "P2"}


def new_visit(org: Org, who: str) -> dict[str, Any]:
    """A visit of a technician of its own (never double-booked) on a work order of
    the admin's, made once."""
    if "field_work_order_id" not in org.ids:
        org.ids["field_work_order_id"] = fresh_field_record(org, "work_order")
    start = datetime(2031, 1, 1, 9, tzinfo=UTC)
    return {
        "work_order_id": org.ids["field_work_order_id"],
        "technician_id": str(uuid.uuid4()),
        "scheduled_start": start.isoformat(),
        "scheduled_end": (start + timedelta(hours=2)).isoformat(),
    }


def minutes(org: Org, who: str) -> dict[str, Any]:
    return {"minutes": 15, "note": f"by {who}"}


def notes(org: Org, who: str) -> dict[str, Any]:
    return {"notes": f"Ring twice ({who})"}


def new_subject(org: Org, who: str) -> dict[str, Any]:
    return {"subject": unique(f"renamed-{who}")}


def rename_contract(org: Org, who: str) -> dict[str, Any]:
    return {"name": unique(f"renamed-{who}")}


def fresh_field_record(org: Org, kind: str) -> str:
    """A record of ``kind`` (KINDS), the admin's."""
    if kind == "service_contract":
        return str(
            org.admin("POST", "/api/v1/service-contracts", json=new_contract(org, "a"))["id"]
        )
    if kind == "work_order":
        return str(org.admin("POST", "/api/v1/work-orders", json=new_work_order(org, "a"))["id"])
    if kind == "service_appointment":
        return str(
            org.admin("POST", "/api/v1/service-appointments", json=new_visit(org, "a"))["id"]
        )
    if kind == "support_case":
        body = {"subject": unique("case"), "priority": "P4"}
        return str(org.admin("POST", "/api/v1/cases", json=body)["id"])
    order = fresh_field_record(org, "work_order")  # timelog: the admin's, on its work order
    return str(
        org.admin("POST", f"/api/v1/work-orders/{order}/timelogs", json=minutes(org, "a"))["id"]
    )


ROWS: list[Row] = [
    Row("GET", "/api/v1/service-contracts", VIEW),
    Row("POST", "/api/v1/service-contracts", CREATE, body=new_contract),
    Row("GET", "/api/v1/service-contracts/{fresh_id}", READ, fresh="service_contract"),
    Row(
        "PATCH",
        "/api/v1/service-contracts/{fresh_id}",
        CHANGE,
        body=rename_contract,
        fresh="service_contract",
    ),
    Row("DELETE", "/api/v1/service-contracts/{fresh_id}", DELETE, fresh="service_contract"),
    Row("GET", "/api/v1/work-orders", VIEW),
    Row("POST", "/api/v1/work-orders", CREATE, body=new_work_order),
    Row("GET", "/api/v1/work-orders/{fresh_id}", READ, fresh="work_order"),
    Row("PATCH", "/api/v1/work-orders/{fresh_id}", CHANGE, body=new_subject, fresh="work_order"),
    Row("DELETE", "/api/v1/work-orders/{fresh_id}", DELETE, fresh="work_order"),
    Row("GET", "/api/v1/service-appointments", VIEW),
    Row("POST", "/api/v1/service-appointments", CREATE_LINKED, body=new_visit),
    Row("GET", "/api/v1/service-appointments/{fresh_id}", READ, fresh="service_appointment"),
    Row(
        "PATCH",
        "/api/v1/service-appointments/{fresh_id}",
        CHANGE,
        body=notes,
        fresh="service_appointment",
    ),
    Row("DELETE", "/api/v1/service-appointments/{fresh_id}", DELETE, fresh="service_appointment"),
    Row("GET", "/api/v1/cases/{fresh_id}/timelogs", READ, fresh="support_case"),
    Row("POST", "/api/v1/cases/{fresh_id}/timelogs", LOG, body=minutes, fresh="support_case"),
    Row("GET", "/api/v1/work-orders/{fresh_id}/timelogs", READ, fresh="work_order"),
    Row("POST", "/api/v1/work-orders/{fresh_id}/timelogs", LOG, body=minutes, fresh="work_order"),
    Row("DELETE", "/api/v1/timelogs/{fresh_id}", DELETE, fresh="timelog"),
]

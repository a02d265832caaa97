"""The life of a quote: its status, its approval, and who may decide. Pure rules.

Status: ``draft -> sent -> accepted | rejected | expired``; only a draft changes.
Approval (a line discount above the threshold): ``required -> pending ->
approved | rejected``; new lines start it over (``not_required`` or ``required``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from crm_common.errors import FailedPrecondition

DRAFT, SENT, ACCEPTED, REJECTED, EXPIRED = "draft", "sent", "accepted", "rejected", "expired"
STATUSES = (DRAFT, SENT, ACCEPTED, REJECTED, EXPIRED)
NOT_REQUIRED, REQUIRED, PENDING, APPROVED = "not_required", "required", "pending", "approved"
APPROVAL_STATUSES = (NOT_REQUIRED, REQUIRED, PENDING, APPROVED, REJECTED)

# Subjects of quote events (payload QuoteEvent in quotes.proto).
QUOTE_SENT = "crm.sales.quote.sent"
QUOTE_APPROVAL_REQUESTED = "crm.sales.quote.approval_requested"
QUOTE_APPROVED = "crm.sales.quote.approved"
QUOTE_APPROVAL_REJECTED = "crm.sales.quote.approval_rejected"
QUOTE_ACCEPTED = "crm.sales.quote.accepted"
QUOTE_REJECTED = "crm.sales.quote.rejected"
QUOTE_EXPIRED = "crm.sales.quote.expired"


def approval_for(max_discount: Decimal, threshold: Decimal) -> str:
    """The approval state of freshly priced lines: a discount strictly above the
    threshold needs a manager."""
    return REQUIRED if max_discount > threshold else NOT_REQUIRED


def check_draft(status: str) -> None:
    if status != DRAFT:
        raise FailedPrecondition(f"the quote is {status}; only a draft quote changes")


def check_may_request_approval(status: str, approval: str) -> None:
    check_draft(status)
    if approval == NOT_REQUIRED:
        raise FailedPrecondition("no line discount is above the threshold: no approval needed")
    if approval in (PENDING, APPROVED):
        raise FailedPrecondition(f"the approval is {approval} already")


def check_may_decide(status: str, approval: str) -> None:
    check_draft(status)
    if approval != PENDING:
        raise FailedPrecondition(f"no approval is pending (it is {approval})")


def is_above_owner(
    *, owner_id: str, caller_id: str, own_ids: frozenset[str], all_records: bool
) -> bool:
    """Approvers: an administrator (every record), or a superior of the owner (the
    owner is among the caller's own records and is not the caller)."""
    if all_records:
        return True
    return bool(caller_id) and owner_id != caller_id and owner_id in own_ids


def check_sendable(
    status: str, approval: str, line_count: int, valid_until: date, today: date
) -> None:
    check_draft(status)
    if line_count == 0:
        raise FailedPrecondition("the quote has no lines")
    if approval in (REQUIRED, PENDING, REJECTED):
        raise FailedPrecondition(
            f"a line discount needs a manager's approval first (approval is {approval})"
        )
    if valid_until < today:
        raise FailedPrecondition("the quote is past valid_until; extend it first")


def check_acceptable(status: str, valid_until: date, today: date) -> None:
    if status != SENT:
        raise FailedPrecondition(f"the quote is {status}; only a sent quote is accepted")
    if valid_until < today:
        raise FailedPrecondition("the quote expired (past valid_until)")


def check_rejectable(status: str) -> None:
    if status != SENT:
        raise FailedPrecondition(f"the quote is {status}; only a sent quote is rejected")

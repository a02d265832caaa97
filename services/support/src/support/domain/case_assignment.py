"""Who gets a case from a group (pure): round robin in turn over the sorted
members, or the member with the fewest open cases."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence


def next_in_turn(users: Sequence[uuid.UUID], last: uuid.UUID | None) -> uuid.UUID:
    """The first member after ``last`` in id order (wrapping), so a change of
    members neither repeats nor skips anyone unfairly."""
    ordered = sorted(users)
    return next((u for u in ordered if last is not None and u > last), ordered[0])


def least_loaded(users: Sequence[uuid.UUID], open_cases: Mapping[uuid.UUID, int]) -> uuid.UUID:
    """Fewest open cases; ties go to the smallest id."""
    return min(sorted(users), key=lambda u: open_cases.get(u, 0))

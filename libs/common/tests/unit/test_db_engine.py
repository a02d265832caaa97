"""The engine every service uses keeps bound values out of error messages."""

from __future__ import annotations

import sqlalchemy as sa

from crm_common.db import create_engine


async def test_statement_errors_do_not_show_bound_values() -> None:
    engine = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        error = sa.exc.StatementError(
            "boom",
            "SELECT :email",
            {"email": "ada@example.com"},
            ValueError("x"),
            hide_parameters=engine.sync_engine.hide_parameters,
        )
        assert "ada@example.com" not in str(error)
        assert engine.sync_engine.hide_parameters is True
    finally:
        await engine.dispose()

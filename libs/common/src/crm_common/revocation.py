"""Access-token revocation shared by identity (writes) and the gateway (reads).

Access tokens are short-lived and verified locally, so revocation is a deny
list in Redis that lives as long as the longest token: a session (refresh
family) revoked on logout or reuse, and a per-user cut-off time set when a
user is disabled or changes password. One MGET per request checks both.
"""

from __future__ import annotations

from redis.asyncio import Redis

SESSION_KEY = "crm:revoked:session:{session_id}"
USER_KEY = "crm:revoked:user:{user_id}"


async def revoke_session(redis: Redis, session_id: str, ttl_seconds: int) -> None:
    await redis.set(SESSION_KEY.format(session_id=session_id), "1", ex=ttl_seconds)


async def revoke_user_tokens(
    redis: Redis, user_id: str, issued_before: int, ttl_seconds: int
) -> None:
    """Tokens of ``user_id`` issued at or before ``issued_before`` (unix seconds) stop working."""
    await redis.set(USER_KEY.format(user_id=user_id), str(issued_before), ex=ttl_seconds)


async def is_revoked(redis: Redis, *, session_id: str, user_id: str, issued_at: int) -> bool:
    session_flag, user_cutoff = await redis.mget(
        SESSION_KEY.format(session_id=session_id), USER_KEY.format(user_id=user_id)
    )
    if session_flag is not None:
        return True
    return user_cutoff is not None and issued_at <= int(user_cutoff)

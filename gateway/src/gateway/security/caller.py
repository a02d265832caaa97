"""Who is calling: the verified principal plus the client address."""

from __future__ import annotations

from dataclasses import dataclass

from crm_common.auth import Principal


@dataclass(frozen=True)
class Caller:
    principal: Principal
    client_ip: str

    @property
    def scope_key(self) -> str:
        """Names the caller for idempotency keys: one user, the platform, or one IP."""
        p = self.principal
        if p.kind == "user":
            return f"user:{p.tenant_id}:{p.user_id}"
        if p.kind == "api_key":
            return f"api_key:{p.tenant_id}:{p.extra.get('api_key_id', '')}"
        if p.kind == "platform":
            return "platform"
        return f"ip:{self.client_ip}"

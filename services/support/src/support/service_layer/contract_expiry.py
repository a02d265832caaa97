"""Service contracts nearing their end announce it once (crm.support.contract.expiring)."""

from __future__ import annotations

import asyncio

from crm_common.runtime import Job
from support.service_layer.deps import SupportDeps


def contract_expiry_job(deps: SupportDeps) -> Job:
    async def job(stop: asyncio.Event) -> None:
        await stop.wait()

    return job

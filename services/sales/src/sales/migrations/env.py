from crm_common.events import tables  # noqa: F401 - outbox/inbox belong to every service
from crm_common.migrations import run_env
from sales.adapters import (
    orm,
    orm_deals,  # noqa: F401 - deal tables join the metadata
)

run_env(orm.Base.metadata)

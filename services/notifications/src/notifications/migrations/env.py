from crm_common.events import tables  # noqa: F401 - outbox/inbox belong to every service
from crm_common.migrations import run_env
from notifications.adapters import (
    orm,
    orm_delivery,  # noqa: F401 - its tables join orm.Base
    orm_read_models,  # noqa: F401 - its tables join orm.Base
    orm_webhooks,  # noqa: F401 - its tables join orm.Base
)

run_env(orm.Base.metadata)

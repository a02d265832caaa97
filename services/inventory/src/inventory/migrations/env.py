from crm_common.events import tables  # noqa: F401 - outbox/inbox belong to every service
from crm_common.migrations import run_env
from inventory.adapters import (
    orm,
    orm_billing,  # noqa: F401 - its tables join orm.Base
    orm_purchasing,  # noqa: F401 - its tables join orm.Base
    orm_stock,  # noqa: F401 - its tables join orm.Base
    orm_subscriptions,  # noqa: F401 - its tables join orm.Base
)

run_env(orm.Base.metadata)

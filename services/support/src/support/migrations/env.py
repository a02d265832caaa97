from crm_common.events import tables  # noqa: F401 - outbox/inbox belong to every service
from crm_common.migrations import run_env
from support.adapters import (
    orm_cases,  # noqa: F401 - its tables join Base
    orm_field,  # noqa: F401 - its tables join Base
    orm_knowledge,  # noqa: F401 - its tables join Base
    orm_sla,
)

run_env(orm_sla.Base.metadata)

from crm_common.events import tables  # noqa: F401 - outbox/inbox belong to every service
from crm_common.migrations import run_env
from identity.adapters import orm, orm_access  # noqa: F401 - registers identity's tables

run_env(orm.Base.metadata)

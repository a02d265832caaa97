from crm_common.events import tables  # noqa: F401 - outbox/inbox belong to every service
from crm_common.migrations import run_env
from marketing.adapters import orm

run_env(orm.Base.metadata)

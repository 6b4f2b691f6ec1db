"""The one place that decides who may do what.

Roles: supervisors review flags and record decisions; auditors read everything,
SQL included, and never write; admins are supervisors who also see the import ledger,
the user list and every decision by its author (supervisors see who decided a case on
its page). Every user may change their own password. Anonymous and disabled
users may do nothing. Datasette's own write actions (insert-row, create-table …) are
refused to everyone: the archive changes only through qunguan's commands and the
handling form. Datasette's pages about the server
(its settings, plugins, threads, the databases' paths, the metadata with every canned
query's SQL) are for admins. Datasette's `_internal` database, its
catalogue of every database, table and column, is refused to everyone: Datasette keeps it
for root, and qunguan has no root."""
from __future__ import annotations

READ = ("supervisor", "auditor", "admin")
# Tables only admins and auditors see: the ledgers of who imported what and who changed
# which detector setting, group registration or roster entry.
LEDGER_TABLES = {"imports", "rejects", "settings_log", "registry_log"}
# Every decision on every flag with its author, and each flag's last: faceted, sorted or
# exported by actor_id they rank colleagues by their handling, as time_to_handle does.
# Supervisors see who decided what case by case (the case page's history), which traces
# every decision they review without a list of everyone's.
ATTRIBUTED_TABLES = {"handling", "flag_state"}
# Queries only admins and auditors open: the import ledger, and each supervisor's handling
# time by name, a ranking of colleagues (第十三条 has the unit's Party group, not fellow
# supervisors, hold people to account), and every decision filtered by its author
# (handling_trail) that ranks them as well, or listed by its author account by account
# (newmedia_account_history, its 经办: the decisions on every flag of the account);
# supervisors see the time per unit (time_to_handle_per_unit).
RESTRICTED_QUERIES = {"import_ledger", "time_to_handle", "handling_trail", "newmedia_account_history"}
# The checks' own bookkeeping (what a reading again has doubted among them: reread_doubts),
# auditors' alone: and which entries of a default list the archive's settings leave out that
# classify has told of (settings_told), the settings again.
HIDDEN_TABLES = {"post_bands", "detector_state", "reread_doubts", "settings", "settings_told"}
INTERNAL_DATABASE = "_internal"


def allowed(role: str | None, action: str, resource=None) -> bool:
    """Whether a user with `role` (None: anonymous or disabled) may do `action` on `resource`."""
    if role is None or _database(resource) == INTERNAL_DATABASE:
        return False
    if action in ("view-instance", "view-database", "qunguan-review", "qunguan-password"):
        return role in READ
    if action == "view-table":
        _, table = resource
        if table in HIDDEN_TABLES:
            return role == "auditor"
        if table in LEDGER_TABLES | ATTRIBUTED_TABLES:
            return role in ("auditor", "admin")
        return role in READ
    if action == "view-query":
        _, query = resource
        return role in ("auditor", "admin") if query in RESTRICTED_QUERIES else role in READ
    if action == "execute-sql":
        return role == "auditor"
    if action == "qunguan-handle":
        return role in ("supervisor", "admin")
    if action == "qunguan-users":
        return role in ("admin", "auditor")
    if action == "qunguan-server":
        return role == "admin"
    return False


def unreadable_tables(role: str | None, database: str) -> set[str]:
    """The tables of `database` that a user with `role` may not open, so pages link to none of them."""
    return {table for table in LEDGER_TABLES | ATTRIBUTED_TABLES | HIDDEN_TABLES if not allowed(role, "view-table", (database, table))}


def _database(resource) -> str | None:
    # Datasette names a database alone ("view-database", "execute-sql") or first in a
    # (database, table or query) pair.
    return resource[0] if isinstance(resource, tuple) else resource

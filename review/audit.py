"""What `qunguan verify` checks: that the trails an auditor relies on are whole.

- Each hash-chained ledger recomputes from its first row; its row count and head hash
  are printed so an auditor can compare them with an earlier run (or with the figures a
  report recorded): rows cut off the end of a chain leave it intact but shorter.
- `flag_state`, which the queue, the dashboard and the reports read, is derived from the
  handling trail; it must say what the last decision on each flag said.
- Decisions point at flags that exist, messages at imports that exist.
- The triggers that keep the ledgers append-only are in place.
"""
from __future__ import annotations

from typing import NamedTuple

from ingest.chain import GENESIS, first_break

CHAINED = ("handling", "imports", "account_filings", "registry_log", "settings_log")
APPEND_ONLY = CHAINED


class Check(NamedTuple):
    subject: str
    detail: tuple[str, ...]  # columns of its line
    ok: bool


def chains(conn) -> list[Check]:
    checks = []
    for table in CHAINED:
        rows, head = conn.execute(f"select count(*), (select hash from {table} order by id desc limit 1) "
                                  f"from {table}").fetchone()
        bad = first_break(conn, table)
        state = "chain intact" if bad is None else f"chain broken at id {bad}{_gap_before(conn, table, bad)}"
        checks.append(Check(table, (f"{rows} rows", f"head {(head or GENESIS)[:16]}", state), bad is None))
    return checks


def _gap_before(conn, table: str, bad: int) -> str:
    """Names the ids missing just before a break: a deleted row breaks the chain at the next."""
    before = conn.execute(f"select max(id) from {table} where id < ?", [bad]).fetchone()[0] or 0
    return f" (ids {before + 1}-{bad - 1} missing)" if bad - before > 2 else (
        f" (id {before + 1} missing)" if bad - before == 2 else "")


def flag_state(conn) -> Check:
    differing = [row[0] for row in conn.execute(
        "select f.flag_id from (select flag_id from flag_state union select flag_id from handling) f "
        "left join flag_state s on s.flag_id = f.flag_id "
        "left join handling h on h.id = (select max(id) from handling where flag_id = f.flag_id) "
        "where s.status is not h.status or s.action is not h.action or s.actor_id is not h.actor_id "
        "order by f.flag_id")]
    if not differing:
        return Check("flag_state", ("agrees with the handling trail",), True)
    return Check("flag_state", (f"differs from the handling trail for {len(differing)} flags: {_ids(differing)}",), False)


def references(conn) -> list[Check]:
    orphans = [
        ("handling", "decisions on flags that are not in flags",
         "select distinct flag_id from handling where flag_id not in (select id from flags) order by 1"),
        ("messages", "messages of imports that are not in the ledger",
         "select distinct import_id from messages where import_id not in (select id from imports) order by 1"),
    ]
    checks = []
    for subject, what, sql in orphans:
        ids = [row[0] for row in conn.execute(sql)]
        checks.append(Check(subject, (f"{what}: {_ids(ids)}" if ids else f"no {what}",), not ids))
    return checks


def triggers(conn) -> Check:
    present = {row[0] for row in conn.execute("select name from sqlite_master where type = 'trigger'")}
    missing = [f"{table}_no_{verb}" for table in APPEND_ONLY for verb in ("update", "delete")
               if f"{table}_no_{verb}" not in present]
    if missing:
        return Check("triggers", (f"append-only triggers missing: {', '.join(missing)}",), False)
    return Check("triggers", ("append-only triggers in place",), True)


def verify(conn) -> list[Check]:
    return [*chains(conn), flag_state(conn), *references(conn), triggers(conn)]


def _ids(ids: list[int], shown: int = 20) -> str:
    return ", ".join(map(str, ids[:shown])) + (f" … ({len(ids) - shown} more)" if len(ids) > shown else "")

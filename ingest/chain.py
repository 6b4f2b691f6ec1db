"""Hash chains for the append-only ledgers (imports, handling, filings, the registry
log): each row's hash covers
its own fields and the previous row's hash, so an edited or deleted row breaks the chain
from that point on."""
from __future__ import annotations

import hashlib
import json

GENESIS = "0" * 64


def row_hash(prev_hash: str, fields: dict) -> str:
    """The hash of a ledger row whose own fields (without prev_hash/hash) are `fields`."""
    canonical = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def begin_append(conn) -> None:
    """Take the write lock before reading the last row: two writers that each read the
    same last hash and next id would both try to append after it (the web form and a
    CLI command recording decisions at once). Within a transaction already open, that
    transaction's own lock holds."""
    if not conn.in_transaction:
        conn.execute("begin immediate")


def last_hash(conn, table: str) -> str:
    row = conn.execute(f"select hash from [{table}] order by id desc limit 1").fetchone()
    return row[0] if row else GENESIS


def first_break(conn, table: str) -> int | None:
    """The id of the first row whose hash does not match, or None when the chain holds."""
    prev = GENESIS
    cursor = conn.execute(f"select * from [{table}] order by id")
    names = [d[0] for d in cursor.description]
    for values in cursor:
        row = dict(zip(names, values))
        fields = {k: v for k, v in row.items() if k not in ("prev_hash", "hash")}
        if row["prev_hash"] != prev or row_hash(prev, fields) != row["hash"]:
            return row["id"]
        prev = row["hash"]
    return None


def append(conn, table: str, fields: dict) -> dict:
    """Append a row of `fields` (without id and hashes) to a chained table, inside the
    caller's transaction or one of its own; returns the row as stored."""
    begin_append(conn)
    row = {"id": conn.execute(f"select coalesce(max(id), 0) + 1 from [{table}]").fetchone()[0], **fields}
    prev = last_hash(conn, table)
    row["prev_hash"], row["hash"] = prev, row_hash(prev, row)
    conn.execute(f"insert into [{table}] ({', '.join(row)}) values ({', '.join('?' * len(row))})", list(row.values()))
    return row

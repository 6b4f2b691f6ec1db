"""What a reviewer sees beside a new-media flag, in place of a chat's conversation: the
post (if the flag is on one) and its account with the registry details and filings."""
from __future__ import annotations

from newmedia.registry import supervising_body


def _row(conn, sql: str, params) -> dict | None:
    cursor = conn.execute(sql, params)
    found = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], found)) if found else None


def account_context(conn, account_id: int) -> dict | None:
    """The account's registry row, its supervising body (第五条) and its filings, oldest first."""
    account = _row(conn, "select id, unit, unit_short, division, platform, name, account_ref, kind, supervisor, leader, "
                         "editor, registrant, registrant_type, opened_on, status, closed_on from accounts where id = ?",
                   [account_id])
    if account is None:
        return None
    account["supervising_body"] = supervising_body(account["kind"])
    cursor = conn.execute("select id, action, filed_on, effective_on, details, recorded_by, recorded_at "
                          "from account_filings where account_id = ? order by id", [account_id])
    account["filings"] = [dict(zip([d[0] for d in cursor.description], r)) for r in cursor]
    return account


def flag_context(conn, flag_id: int) -> dict | None:
    """{"post": {...} or None, "account": {...}} for a flag on a post or an account;
    None for any other flag (a chat message's context comes from the review queue)."""
    flag = _row(conn, "select post_id, account_id from flags where id = ?", [flag_id])
    if not flag or not (flag["post_id"] or flag["account_id"]):
        return None
    post = None
    if flag["post_id"]:
        post = _row(conn, "select id, account_id, published_at, title, text, url, reads, likes from posts where id = ?",
                    [flag["post_id"]])
    account_id = flag["account_id"] or (post or {}).get("account_id")
    return {"post": post, "account": account_context(conn, account_id) if account_id else None}

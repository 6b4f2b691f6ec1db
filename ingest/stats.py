"""Summary figures of an archive, for `qunguan stats`."""
from __future__ import annotations

from ingest.records import week_label


def archive_stats(conn) -> dict:
    """Counts of groups, members, messages per week, and the import ledger. Weeks are
    labelled as the weekly chatter check labels them (`ingest.records.week_label`: the
    %Y-W%W of a week's Monday), so a week's messages here are those it judged. The labels
    of flags already raised depend on it, so it is not ISO 8601's numbering (the dashboard
    names a week by its Monday, `ingest.records.week_of`)."""
    one = lambda sql: conn.execute(sql).fetchone()[0]
    return {
        "groups": one("select count(*) from groups"),
        "members": one("select count(*) from members"),
        "members_on_roster": one("select count(*) from members where person_id is not null"),
        "people": one("select count(*) from people"),
        "messages": one("select count(*) from messages"),
        # A file that had rejects is read again on every run (a newer reader may read more
        # of it), and each import keeps its own; the bad records are counted once.
        "rejects": one("select count(*) from (select distinct i.path, r.line, r.record, r.reason, r.raw "
                       "from rejects r join imports i on i.id = r.import_id)"),
        "weeks": [dict(zip(("week", "group", "messages"), row)) for row in conn.execute(
            f"select {week_label('sent_at')}, g.name, count(*) from messages m join groups g on g.id = m.group_id "
            "group by 1, 2 order by 1, 2")],
        "imports": [dict(zip(("id", "path", "format", "new", "duplicate", "rejected", "finished_at", "os_user"), row))
                    for row in conn.execute(
            "select id, path, format, new, duplicate, rejected, finished_at, os_user from imports order by id")],
    }

"""Summary figures of an archive, for `qunguan stats`."""
from __future__ import annotations

from ingest.records import week_label

# A sender archived twice in a group is one member: linked to one roster person, or by id
# from one exporter and by name alone from another (PyWxDump's wxid, MemoTrace 2025's name),
# as the roster check says them once. The row counted is the one with the id, else the first.
_COUNTED = ("not exists (select 1 from members o where o.group_id = m.group_id and "
            "(o.sender_id is null, o.id) < (m.sender_id is null, m.id) and (o.person_id = m.person_id or "
            "(o.sender_id is null) != (m.sender_id is null) and trim(o.display_name) = trim(m.display_name)))")


def archive_stats(conn) -> dict:
    """Counts of groups, members, messages per week, and the import ledger. Weeks are
    labelled as the weekly chatter check labels them (`ingest.records.week_label`: the
    %Y-W%W of a week's Monday), so a week's messages here are those it judged. The labels
    of flags already raised depend on it, so it is not ISO 8601's numbering (the dashboard
    names a week by its Monday, `ingest.records.week_of`)."""
    one = lambda sql: conn.execute(sql).fetchone()[0]
    return {
        "groups": one("select count(*) from groups"),
        "members": one(f"select count(*) from members m where {_COUNTED}"),
        "members_on_roster": one(f"select count(*) from members m where person_id is not null and {_COUNTED}"),
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

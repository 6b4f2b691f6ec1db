"""The archived group an export of one chat that names no group of the archive belongs to,
by what it holds: the admin is handed the same export again under another name
(聊天记录.txt, 工作群-分享(1).txt, a CSV renamed or opened and re-saved with a line
edited), and each week an export named by its dates that overlaps the last one. Named
after the new file, each would be a second group holding the same messages again."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from itertools import islice

# The file's first messages with a sender and text are compared: a week's export begins
# with the days it shares with the last one, and a copy anywhere.
SAMPLE = 20
# A notice forwarded to several groups at once is one or two messages alike (its text,
# its attachment) in each: fewer than this many alike is not the same chat.
AT_LEAST = 2


@dataclass(frozen=True)
class Earlier:
    """The earlier import of a chat whose group a file went to, for saying so."""

    import_id: int
    path: str
    whole: bool  # the very bytes of that file; else most of the file's first messages are archived


def sampled(records) -> list[tuple]:
    """What the lookup compares of a file's first records, given as (sent_at, precision,
    sender key, sender name, text): those with a sender and text, a picture or a system
    notice being alike in any chat."""
    return list(islice((r for r in records if r[2] and r[4] and r[4].strip()), SAMPLE))


def group_of_copy(conn, sample: list[tuple]) -> tuple[int, str, Earlier] | None:
    """(id, name, the import that archived most of them) of the one group holding the
    messages of `sample` (as `sampled` gives them), else None.

    A group holds the file when it has archived, with the same sender, time and text, at
    least AT_LEAST of them (the one, in a sample of one) and most of those sent within the
    time it has archived: a renamed or re-saved copy has them all; the next week's export
    only those of the days it shares with the last one, the rest being newer than the
    group's messages. None when two groups do (the same messages were archived twice
    already: not to be guessed between) or none does."""
    if not sample:
        return None
    alike: dict[int, dict[int, int]] = {}  # group -> sampled record -> import that archived it
    for index, group_id, import_id in conn.execute(_ALIKE, [json.dumps(sample, ensure_ascii=False)]):
        alike.setdefault(group_id, {})[index] = import_id
    holding = [group_id for group_id, found in alike.items() if _holds(conn, group_id, sample, len(found))]
    if len(holding) != 1:
        return None
    group_id = holding[0]
    import_id = Counter(alike[group_id].values()).most_common(1)[0][0]
    name, path = conn.execute("select g.name, i.path from groups g, imports i where g.id = ? and i.id = ?",
                              [group_id, import_id]).fetchone()
    return group_id, name, Earlier(import_id, path, whole=False)


def _holds(conn, group_id: int, sample: list[tuple], found: int) -> bool:
    first, last = conn.execute("select (select min(sent_at) from messages where group_id = :g), "
                               "(select max(sent_at) from messages where group_id = :g)", {"g": group_id}).fetchone()
    # By the minute: a share's times are, and the group's first or last message may be one.
    within = sum(1 for sent_at, *_ in sample if first[:16] <= sent_at[:16] <= last[:16])
    return found >= min(AT_LEAST, len(sample)) and 2 * found > within


# Per sampled record, each group with a message alike, looked up group by group on
# (group_id, sent_at): the minute of the record in every group, not the whole archive.
# The same second where both know it; a member by the file's own sender key (its id, else
# name) or by a name it was exported under (another exporter's copy of the chat).
_ALIKE = """
select distinct s.key, g.id, m.import_id from json_each(?) s cross join groups g cross join messages m
    on m.group_id = g.id and m.sent_at between substr(s.value ->> 0, 1, 16) || ':00'
                                          and substr(s.value ->> 0, 1, 16) || ':59'
join members mb on mb.id = m.member_id
where m.text = s.value ->> 4
    and (m.sent_at = s.value ->> 0 or 'minute' in (m.time_precision, s.value ->> 1))
    and (mb.sender_key = s.value ->> 2 or mb.display_name = s.value ->> 3
         or exists (select 1 from json_each(mb.other_names) where value = s.value ->> 3))
"""

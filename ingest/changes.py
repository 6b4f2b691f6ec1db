"""The registry log: every change admins make to what the exports cannot know (the
groups' registry, the roster, the new-media accounts), with each field before and after,
who and when, chained like the other trails. Detectors close and open flags on these
facts, so an auditor traces a flag closed by "rules@groups" to the change behind it."""
from __future__ import annotations

import json

from ingest import chain
from ingest.records import stamp
from ingest.sources import os_user


def log_change(conn, entity: str, entity_id: int, name: str, before: dict | None, after: dict) -> bool:
    """Log the fields of `after` that differ from `before` (None: a new row); returns
    whether anything changed. Runs in the caller's transaction."""
    before = before or {}
    changed = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if changed:
        chain.append(conn, "registry_log", {
            "entity": entity, "entity_id": entity_id, "name": name,
            "change": json.dumps(changed, ensure_ascii=False, sort_keys=True),
            "changed_by": os_user(), "changed_at": stamp()})
    return bool(changed)

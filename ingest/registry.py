"""What the exports cannot know, recorded by admins: group details and detector settings."""
from __future__ import annotations

import json
import re
from datetime import date, datetime

from detectors.base import load_config
from ingest.sources import os_user


class RegistryError(ValueError):
    pass


def is_iso_day(value: str) -> bool:
    """Whether `value` is a real day written YYYY-MM-DD, the one form the CLI asks for."""
    # fromisoformat alone also takes week dates (2024-W25-1) and compact ones (20240617).
    try:
        return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)) and bool(date.fromisoformat(value))
    except ValueError:
        return False


def set_group(conn, name: str, **fields) -> dict:
    """Update the named group's registry fields (those given, not None; '' clears one);
    returns the row."""
    given = [k for k, v in fields.items() if v is not None]
    if not conn.execute("select 1 from groups where name = ?", [name]).fetchone():
        known = ", ".join(r[0] for r in conn.execute("select name from groups order by name"))
        raise RegistryError(f"no group named {name!r}; known: {known or 'none yet'}")
    # An empty value clears the field: stored as NULL, like a field never set.
    fields = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in fields.items()}
    until = fields.get("temporary_until")
    if until and not is_iso_day(until):
        raise RegistryError(f"--temporary-until must be YYYY-MM-DD, got {until!r}")
    updates = {k: (int(v) if isinstance(v, bool) else v) for k, v in fields.items() if k in given}
    with conn:
        if updates:
            conn.execute(f"update groups set {', '.join(f'{k} = ?' for k in updates)} where name = ?",
                         [*updates.values(), name])
    cursor = conn.execute("select id, name, unit, admin, owner, temporary_until, exempt, purpose from groups where name = ?", [name])
    return dict(zip([d[0] for d in cursor.description], cursor.fetchone()))


def set_setting(conn, key: str, raw_value: str) -> None:
    """Store a JSON override for `section.name` of detectors/config.toml."""
    section, _, name = key.partition(".")
    defaults = load_config()
    if section not in defaults or name not in defaults[section]:
        raise RegistryError(f"unknown setting {key!r}; see detectors/config.toml")
    store_setting(conn, key, raw_value, defaults[section][name])


def store_setting(conn, key: str, raw_value: str, default) -> None:
    """Store `raw_value` (JSON, of the default's type) under `key` in the archive's
    `settings`, with who set it and when. Every settings writer goes through here."""
    try:
        value = json.loads(raw_value)
    except ValueError:
        raise RegistryError(f"{key}: the value must be JSON (strings in double quotes), got {raw_value!r}") from None
    if type(value) is not type(default) and not (isinstance(value, (int, float)) and isinstance(default, (int, float))):
        raise RegistryError(f"{key}: expected {type(default).__name__}, got {type(value).__name__}")
    with conn:
        conn.execute("insert into settings (key, value, updated_at, updated_by) values (?, ?, ?, ?) "
                     "on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at, "
                     "updated_by = excluded.updated_by",
                     [key, json.dumps(value, ensure_ascii=False), datetime.now().strftime("%Y-%m-%dT%H:%M:%S"), os_user()])

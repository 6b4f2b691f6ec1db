"""The archive's own guards: it is readable by its owner only from the start, and after
every upgrade a message of a kind it does not know is refused, whichever program writes it."""
import sqlite3
import stat
from pathlib import Path

import pytest
import sqlite_utils

from ingest.schema import _KIND_CHECK_AS_COMPARISONS, MESSAGE_KINDS, MIGRATIONS, open_archive

INSERT = ("insert into messages (key, group_id, sent_at, time_precision, kind, import_id, raw) "
          "values (?, 1, '2025-03-03T09:00:00', 'second', ?, 1, '{}')")


def test_an_archive_in_use_keeps_its_messages_and_still_refuses_unknown_kinds(db_path):
    old = sqlite_utils.Database(db_path)
    for number, script in enumerate(MIGRATIONS[:MIGRATIONS.index(_KIND_CHECK_AS_COMPARISONS)], start=1):
        old.conn.executescript(script)
        old.conn.execute(f"pragma user_version = {number}")
    old.conn.execute(INSERT, [1, "red_packet"])
    old.conn.commit()
    old.conn.close()
    server = sqlite3.connect(db_path)  # open through the upgrade, as a Datasette server would be
    cookie = server.execute("pragma schema_version").fetchone()[0]
    open_archive(str(db_path)).conn.close()
    # SQLite moves the schema version on for its own changes, not for an edit of its schema
    # table: without that, open connections would go on with the schema they read before.
    assert server.execute("pragma schema_version").fetchone()[0] > cookie + 1  # the CHECK's edit and the new index

    other = sqlite3.connect(db_path)  # another program, e.g. a hand-written script
    assert other.execute("pragma integrity_check").fetchone() == ("ok",)
    assert other.execute("select key, kind from messages").fetchall() == [(1, "red_packet")]
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        other.execute(INSERT, [2, "红包"])
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        other.execute(INSERT, [3, "text,image"])
    other.executemany(INSERT, [(10 + i, kind) for i, kind in enumerate(MESSAGE_KINDS)])
    assert other.execute("select count(*) from messages").fetchone() == (1 + len(MESSAGE_KINDS),)


def test_a_new_archive_is_readable_by_its_owner_only(qunguan, db_path, fixtures):
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    for path in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_settings_changed_before_the_log_was_chained_are_chained_by_the_upgrade():
    from ingest import chain, schema

    conn = sqlite3.connect(":memory:", isolation_level=None)
    schema.migrate(conn, schema.MIGRATIONS[:schema.MIGRATIONS.index(schema._SETTINGS_LOG_CHAINED)])
    conn.execute("insert into settings_log (key, value, changed_at, changed_by) values "
                 "('group.idle_days', '45', '2025-03-01T09:00:00', 'admin'), ('group.idle_days', null, '2025-03-02T09:00:00', 'admin')")
    schema.migrate(conn, schema.MIGRATIONS)
    assert chain.first_break(conn, "settings_log") is None
    assert conn.execute("select count(*) from settings_log where hash = ''").fetchone()[0] == 0
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("update settings_log set value = '30'")


def test_weekly_chatter_flags_dated_by_the_upgrade_keep_the_days_their_weeks_had_then():
    from ingest import schema

    conn = sqlite3.connect(":memory:", isolation_level=None)
    schema.migrate(conn, schema.MIGRATIONS[:schema.MIGRATIONS.index(schema._CHATTER_WEEKS_DATED_BY_WEEK)])
    conn.executemany("insert into flags (subject, category, score, detector, article, evidence, created_at) values "
                     "(?, 'group_chatter_share', 1, 'rules@groups', '群规 第十二条', 'x', '2025-03-20T09:00:00')",
                     [("group:1:2025-W09",), ("group:1:2024-W53",), ("group:1:2025-W00",)])
    schema.migrate(conn, schema.MIGRATIONS)
    # Then the week of New Year was two weeks, 2025-W00 from 1 January; such a flag is dated
    # as every archive upgraded then dated it, whatever a week is now.
    assert conn.execute("select subject, occurred_at from flags order by id").fetchall() == [
        ("group:1:2025-W09", "2025-03-03T00:00:00"), ("group:1:2024-W53", "2024-12-30T00:00:00"),
        ("group:1:2025-W00", "2025-01-01T00:00:00")]


def indexes(db_path) -> list[tuple]:
    con = sqlite3.connect(db_path)
    try:
        return con.execute("select name, sql from sqlite_master where type = 'index' order by name").fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("export, group, stored", [("memotrace3-week1.csv", ["--group", "防火群"], 6),
                                                    ("memotrace3-bad-times.csv", ["--group", "防火群"], 2),
                                                    ("pasted.txt", [], 0)])  # names no group: refused, rolled back
def test_a_first_import_leaves_the_archive_with_every_index_a_new_archive_has(qunguan, db_path, query, fixtures,
                                                                               tmp_path, export, group, stored):
    # A first import builds the messages' indexes once, after its file: read whole, with
    # rejects, or refused, the archive has them all as a new one does.
    open_archive(str(tmp_path / "new.db")).conn.close()
    qunguan("ingest", fixtures / export, "--db", db_path, *group, "--silent")
    assert query("select count(*) n from messages")[0]["n"] == stored
    assert indexes(db_path) == indexes(tmp_path / "new.db")
    assert any(name == "messages_key" for name, _ in indexes(db_path))

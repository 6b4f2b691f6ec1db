"""The write side of one file's ingest: its own connection and one transaction.

Everything that writes goes through `call(fn)`, where `fn(conn)` is a plain function.
Measured on two cores, moving these calls to a writer thread gained nothing (SQLite's
`executemany` takes the GIL back for every row it binds), so they run in place; the
seam stays here should the writer move to a process of its own.
"""
from __future__ import annotations

import sqlite3
from typing import Any, Callable


class Transaction:
    def __init__(self, path: str, cache_mb: int):
        self.conn = sqlite3.connect(path, isolation_level=None)
        # A large page cache keeps the key index's random inserts in memory (bench/ingest.py).
        self.conn.execute(f"pragma cache_size = -{cache_mb * 1024}")
        self.conn.execute("pragma synchronous = normal")
        self.conn.execute("pragma busy_timeout = 30000")
        self.conn.execute("begin immediate")
        self.committed = False

    def call(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        return fn(self.conn)

    def commit(self) -> None:
        self.conn.execute("commit")
        self.committed = True

    def close(self) -> None:
        """End the file: a transaction not committed by now (error, Ctrl-C) is rolled back."""
        if not self.committed:
            self.conn.execute("rollback")
        self.conn.close()

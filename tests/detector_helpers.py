"""Small builders for detector tests: messages as the detectors read them, and an archive
to keep them in for the detectors that look back at earlier posts."""
import functools

from detectors.base import Message, load_config
from ingest.schema import open_archive

CONFIG = load_config()


def msg(text, sent_at="2025-03-04T10:00:00", kind="text", id=1, group_id=1, member_id=1):
    return Message(id, group_id, member_id, sent_at, kind, text)


def run(module, *messages, context=None):
    return module.detect(list(messages), CONFIG, context if context is not None else fresh_context())


def fresh_context():
    """What a detector is given to keep between batches, over an archive where nothing
    came before the messages a test gives."""
    return {"conn": _empty_archive()}


@functools.cache
def _empty_archive():
    """An archive without messages: nothing came before the messages a test gives."""
    return open_archive(":memory:").conn


def archive(path):
    """An archive with two groups, 政务服务群 (1) and 教育系统群 (2), and an import to file
    messages under."""
    db = open_archive(str(path))
    db.conn.executescript("insert into groups (id, name) values (1, '政务服务群'), (2, '教育系统群');"
                          "insert into imports (id, path, sha256, size, format, new, duplicate, rejected, started_at, "
                          "finished_at, os_user, prev_hash, hash) values (1, 'x', '', 0, 'f', 0, 0, 0, '', '', '', '', '');")
    return db.conn


def add(conn, id, group_id, sent_at, text, member_id=None):
    """Archive a text message and return it as the detectors read it."""
    conn.execute("insert into messages (id, key, group_id, member_id, sent_at, time_precision, kind, text, import_id, raw) "
                 "values (?, ?, ?, ?, ?, 'second', 'text', ?, 1, '{}')", [id, id, group_id, member_id, sent_at, text])
    return Message(id, group_id, member_id, sent_at, "text", text)

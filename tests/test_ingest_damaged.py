"""Exports come damaged in the ways files get damaged: cut off, a byte or a line lost or
doubled, lines swapped, saved again in GB18030 or with Windows line ends, a BOM pasted in
the middle. Whatever is left of one is read the same way every time: run again, with or
without --group, it adds nothing, and no file is refused for a reader's own error.

Each damaged file is made from a fixture by a seeded random generator, so a failure names
a case that can be made again. (This is how a file with rejects, filed with --group and
read again without it, was found going into a second group with every message twice.)"""
import random
from pathlib import Path

import pytest

from ingest import save
from ingest.formats import ONE_CHAT
from ingest.schema import open_archive

FIXTURES = Path(__file__).parent / "fixtures"
EXPORTS = [path for path in sorted(FIXTURES.glob("*")) + sorted((FIXTURES / "pywxdump").glob("*.json"))
           + sorted((FIXTURES / "wecom").glob("*"))
           if path.is_file() and path.suffix in (".csv", ".txt", ".json", ".jsonl") and path.stat().st_size < 200_000]
DAMAGED_PER_EXPORT = 4


def damaged(data: bytes, rng: random.Random) -> bytes:
    """`data` damaged one way, chosen by `rng`."""
    lines = data.split(b"\n")
    at_byte, at_line = rng.randrange(len(data) + 1), rng.randrange(len(lines))
    ways = [
        lambda: data[:at_byte],  # cut off
        lambda: data[:at_byte] + data[at_byte + 1:],  # a byte lost
        lambda: data[:at_byte] + data[at_byte + rng.randrange(1, 40):],  # a span lost
        lambda: b"\n".join(lines[:at_line] + lines[at_line + 1:]),  # a line lost
        lambda: b"\n".join(lines[:at_line + 1] + lines[at_line:]),  # a line doubled
        lambda: b"\n".join(lines[:at_line] + lines[at_line + 1:at_line + 2] + lines[at_line:at_line + 1]
                           + lines[at_line + 2:]),  # two lines swapped
        lambda: data.replace(b"\n", b"\r\n"),  # Windows line ends
        lambda: b"\n".join(lines[:at_line] + [b"\xef\xbb\xbf" + lines[at_line]] + lines[at_line + 1:]),  # a BOM pasted in
    ]
    try:
        resaved = data.decode("utf-8-sig").encode("gb18030")
        ways.append(lambda: resaved)  # saved again in GB18030
    except UnicodeDecodeError:
        pass  # not UTF-8 to begin with
    return rng.choice(ways)()


def ingest(db_path: Path, path: Path, group: str | None) -> list[save.FileResult]:
    db = open_archive(str(db_path))
    try:
        return list(save.ingest_paths(db, [str(path)], group=group))
    finally:
        db.conn.close()


@pytest.mark.parametrize("export", EXPORTS, ids=lambda path: path.name)
@pytest.mark.parametrize("case", range(DAMAGED_PER_EXPORT))
def test_a_damaged_export_read_again_adds_nothing_and_no_reader_fails(export, case, tmp_path):
    rng = random.Random(f"{export.name}/{case}")
    folder = tmp_path / "week"
    folder.mkdir()
    path = folder / export.name
    path.write_bytes(damaged(export.read_bytes(), rng))
    group = rng.choice([None, "测试群"])
    db_path = tmp_path / "archive.db"

    first = ingest(db_path, path, group)
    again = ingest(db_path, path, group)  # the same command run again
    week_again = ingest(db_path, folder, None)  # the week's folder run again, as admins do, without --group

    for result in first + again + week_again:
        assert not (result.refused or "").startswith("could not be read ("), result.refused
    assert sum(result.new for result in again) == 0, (first, again)
    # An export of one chat goes back to the group it was filed under; one that may hold
    # many chats (a WeCom archive) given one --group is filed anew by its chats' names.
    if group is None or first[0].format in ONE_CHAT:
        assert sum(result.new for result in week_again) == 0, (first, week_again)

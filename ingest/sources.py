"""Turning the paths an admin gives into files to read, and bytes into text lines.

A path may be a file, a directory (walked, sorted) or a zip (members read in place,
nothing unpacked to disk). Text is UTF-8 with or without BOM, UTF-16 with BOM, or
GB18030 (a superset of GBK); CRLF and LF both work.
"""
from __future__ import annotations

import codecs
import contextlib
import hashlib
import io
import os
import re
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Iterator

from detectors.setting_values import Problem
from ingest.user_errors import UserError

SNIFF_BYTES = 64 * 1024
# What opening or reading a file can raise when the file, not the program, is at fault:
# an encrypted or damaged zip member raises RuntimeError, BadZipFile or zlib.error.
UNREADABLE = (OSError, EOFError, RuntimeError, zipfile.BadZipFile, zlib.error)


@dataclass
class Source:
    """One export file: `name` is what messages and errors call it."""

    name: str
    size: int
    open: Callable[[], IO[bytes]]
    siblings: dict = field(default_factory=dict)  # neighbour file name -> bytes loader
    in_zip: bool = False  # then `name` is `<zip path>!<member>`
    walked: bool = False  # found in a folder or a zip, or named beside other paths: not named alone

    @property
    def filename(self) -> str:
        base = self.name.replace("\\", "/").rsplit("/", 1)[-1]
        return base.rsplit("!", 1)[-1] if self.in_zip else base


def expand(paths: list[str]) -> Iterator[Source]:
    """Every export file under `paths`, in a stable order."""
    for path in paths:
        p = Path(path)
        if p.is_dir():
            for child in sorted(_files_in(p)):
                yield from _file_or_zip(child, walked=True)
        else:
            # week/* names many files at once, like the folder itself.
            yield from _file_or_zip(p, walked=len(paths) > 1)


def _files_in(folder: Path) -> Iterator[Path]:
    return (c for c in folder.rglob("*") if c.is_file() and not _hidden(c.relative_to(folder).parts))


# Folders a USB stick keeps for the system, not the admin: the bins hold files deleted
# (an old export read from there is another group of the same messages), the rest
# indexes. A folder the admin named with a dot (.2024年第3周: Windows hides no such
# folder, so nothing there tells them it would be passed over) is theirs, and read.
_SYSTEM_FOLDERS = re.compile(r"__macosx|\$recycle\.bin|recycler|system volume information|\.trash(?:es|-\d+)?"
                             r"|\.spotlight-v100|\.fseventsd|\.temporaryitems|\.documentrevisions-v100", re.I)


def _hidden(parts: tuple[str, ...]) -> bool:
    """Whether a file, by its path's parts under the folder or zip read, is none of the
    admin's: hidden itself (.DS_Store, macOS' ._ twins), or in a system folder. A zip's
    names may start with ./ (as tar and some Java tools write them): that part is no folder."""
    *folders, name = parts
    return name.startswith(".") or any(_SYSTEM_FOLDERS.fullmatch(part) for part in folders)


def nothing_to_read(path: Path) -> Problem | None:
    """Why a path given to ingest holds no file to read (mistyped, or a folder or zip with
    nothing in it, however deep), else None."""
    if not path.exists():
        return Problem("no such file or directory", "没有这个文件或文件夹（路径是否写错？）")
    if path.is_dir() and next(_files_in(path), None) is None:
        return Problem("a folder with no files in it", "文件夹里没有文件")
    if _is_zip(path) and _zip_members(path) == []:
        return Problem("a zip with no files in it", "压缩包里没有文件")
    return None


def _is_zip(p: Path) -> bool:
    return p.suffix.lower() == ".zip" and zipfile.is_zipfile(p)


def _zip_members(p: Path) -> list[tuple[str, zipfile.ZipInfo]] | None:
    """The files of a zip to read, by name (as `_zip_name` reads it), in order: not its
    folders, nor files `_hidden` (the __MACOSX folder macOS adds, a stick's bins). None
    for a zip whose list of files is damaged (a download cut short and resumed): read as
    a file, it is refused as such, in a line naming it."""
    try:
        with zipfile.ZipFile(p) as zf:
            members = [i for i in zf.infolist() if not i.is_dir()]
    except UNREADABLE:
        return None
    named = sorted(((_zip_name(i), i) for i in members), key=lambda pair: pair[0])
    return [(n, i) for n, i in named if not _hidden(tuple(n.split("/")))]


def _file_or_zip(p: Path, walked: bool = False) -> Iterator[Source]:
    if _is_zip(p) and (named := _zip_members(p)) is not None:
        folders: dict[str, dict] = {}
        for name, info in named:
            folder, _, base = name.rpartition("/")
            folders.setdefault(folder, {})[base] = _reader(_zip_opener(p, info.filename))
        for name, info in named:
            folder, _, base = name.rpartition("/")
            yield Source(f"{p}!{name}", info.file_size, _zip_opener(p, info.filename), folders[folder], in_zip=True,
                         walked=True)
    else:
        yield Source(str(p), p.stat().st_size if p.exists() else 0, lambda p=p: open(p, "rb"), _neighbours(p),
                     walked=walked)


def _neighbours(p: Path) -> dict:
    parent = p.parent
    if not parent.is_dir():
        return {}
    return {c.name: (lambda c=c: c.read_bytes()) for c in parent.iterdir() if c.is_file() and c != p}


def _reader(opener: Callable[[], IO[bytes]]) -> Callable[[], bytes]:
    def read() -> bytes:
        with opener() as stream:
            return stream.read()

    return read


class NotInZip(UserError):
    """`ARCHIVE.zip!MEMBER` names no file that can be read: said as it is, the zip there or
    not, a zip or not, the member in it or not (in Chinese "no such file" misled for all)."""


@contextlib.contextmanager
def local_copy(path: Path) -> Iterator[Path]:
    """`path` itself, or for `ARCHIVE.zip!MEMBER` (as ingest names a file it read in a
    zip) that member copied to a temporary file of the same name: for the commands that
    read one file (a roster) handed over in the week's zip. A zip named alone is refused,
    listing its files."""
    zip_path, bang, member = str(path).partition("!")
    if not bang and not (path.suffix.lower() == ".zip" and zipfile.is_zipfile(path)):
        yield path
        return
    if not Path(zip_path).exists():
        raise NotInZip(f"{zip_path}: no such file (name it as ingest printed it, with its folder)",
                       f"{zip_path}：文件不存在（按导入时显示的名称写，带上所在文件夹）")
    if not zipfile.is_zipfile(zip_path):
        raise NotInZip(f"{zip_path}: not a zip file", f"{zip_path} 不是可读取的压缩包（文件损坏，或并非 zip 文件）")
    with zipfile.ZipFile(zip_path) as zf:
        infos = {_zip_name(i): i for i in zf.infolist() if not i.is_dir()}
        if member not in infos:
            listed = ", ".join(f"{zip_path}!{name}" for name in sorted(infos)[:20])
            raise NotInZip(f"{zip_path}: name the file in it as ZIP!FILE" + (f" ({member!r} is not there)" if member else "")
                           + f"; it holds: {listed or 'nothing'}",
                           (f"{zip_path} 中没有 {member!r}" if member else f"{zip_path} 是压缩包")
                           + f"；请按 压缩包!文件 写出其中的文件，压缩包内有：{listed or '（空）'}")
        with tempfile.TemporaryDirectory(prefix="qunguan-") as folder:
            copy = Path(folder) / Path(member).name
            copy.write_bytes(zf.read(infos[member]))
            yield copy


def _zip_name(info: zipfile.ZipInfo) -> str:
    # Without the UTF-8 flag, zips made on Chinese Windows store GBK names and Info-ZIP
    # (Linux, macOS) UTF-8 ones. GBK bytes can read as UTF-8 too (小群 as СȺ), but then
    # as Latin, Greek or Cyrillic letters (U+0080-U+07FF), never as CJK.
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")  # how zipfile decoded the bytes it read
    except UnicodeEncodeError:
        return info.filename
    try:
        name = raw.decode("utf-8")
        if not any("\x80" <= ch <= "\u07ff" for ch in name):
            return name
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return info.filename


def _zip_opener(path: Path, member: str) -> Callable[[], IO[bytes]]:
    def opener() -> IO[bytes]:
        zf = zipfile.ZipFile(path)
        stream = zf.open(member)
        stream_close = stream.close

        def close() -> None:
            stream_close()
            zf.close()

        stream.close = close  # the member stream owns its archive handle
        return stream

    return opener


def detect_encoding(head: bytes) -> str:
    """The codec for a file that starts with `head`."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as e:
        # A multi-byte character cut at the sniff boundary is still UTF-8.
        if e.start >= len(head) - 3 and e.reason == "unexpected end of data":
            return "utf-8"
    # Not UTF-8 throughout: a GBK file, or a UTF-8 one with a few lines re-saved in GBK.
    # The lines say which: most non-ASCII lines of a GBK file are not valid UTF-8.
    utf8 = other = 0
    for line in head.split(b"\n")[:-1]:
        if not line.isascii():
            try:
                line.decode("utf-8")
                utf8 += 1
            except UnicodeDecodeError:
                other += 1
    return "utf-8" if utf8 > other else "gb18030"


class HashingReader:
    """Reads a binary stream while computing its sha256 and counting bytes."""

    def __init__(self, stream: IO[bytes]):
        self.stream = stream
        self.sha256 = hashlib.sha256()
        self.bytes_read = 0

    def read(self, n: int = -1) -> bytes:
        data = self.stream.read(n)
        self.sha256.update(data)
        self.bytes_read += len(data)
        return data

    def readline(self) -> bytes:
        data = self.stream.readline()
        self.sha256.update(data)
        self.bytes_read += len(data)
        return data

    def close(self) -> None:
        self.stream.close()


class _Replay(io.RawIOBase):
    """The sniffed head, then the rest of the stream: lets a C decoder read the file."""

    def __init__(self, head: bytes, reader: HashingReader):
        self.head, self.reader = head, reader

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.head[:len(buffer)] if self.head else self.reader.read(len(buffer))
        self.head = self.head[len(data):] if self.head else b""
        buffer[:len(data)] = data
        return len(data)


def fast_lines(reader: HashingReader, head: bytes, encoding: str) -> Iterator[str]:
    """Decoded lines as `text_lines` gives them, decoded in C a chunk at a time; raises
    UnicodeDecodeError at the first byte the encoding cannot read (the caller then uses
    `text_lines`)."""
    if encoding == "utf-16":
        yield from _utf16_lines(reader, head, "strict")
        return
    decode = _gb18030_chunk if encoding == "gb18030" else _utf8_chunk
    for chunk in _byte_chunks(reader, _without_bom(head, encoding)):
        yield from _lines(decode(chunk))


def text_lines(reader: HashingReader, head: bytes, encoding: str) -> Iterator[str]:
    """Decoded lines ending in '\\n' (CR stripped, NULs dropped), streamed; never raises
    UnicodeDecodeError.

    Each line is decoded on its own: a line of the other common encoding (files
    half-edited in another editor) reads in that one, and bytes neither can read become
    U+FFFD, so the record still reaches the parser and is judged there.
    """
    if encoding == "utf-16":
        yield from _utf16_lines(reader, head, "replace")
        return
    decode = _gb18030_line if encoding == "gb18030" else _utf8_line
    for chunk in _byte_chunks(reader, _without_bom(head, encoding)):
        for raw in io.BytesIO(chunk):
            yield from _lines(decode(raw))


def _lines(text: str) -> Iterator[str]:
    """`text` (whole lines) as lines ending in '\\n', the same whichever path decoded
    them. CRLF and a lone CR end lines, as in Python's text files. NULs are dropped: a
    copy cut short by a crash is padded with them, and a stray one must not make a
    message differ from its clean copy. A BOM opening a line is left to the reader: only
    it knows whether the line opens a record (files joined into one keep each part's BOM
    there) or goes on with a message's text, where the BOM is the text's own."""
    return io.StringIO(text.replace("\x00", ""), newline=None)


def _utf16_lines(reader: HashingReader, head: bytes, errors: str) -> Iterator[str]:
    stream = io.TextIOWrapper(io.BufferedReader(_Replay(head, reader), 1 << 20), encoding="utf-16",
                              errors=errors, newline=None)
    for line in stream:
        yield from _lines(line)


def _without_bom(head: bytes, encoding: str) -> bytes:
    return head[len(codecs.BOM_UTF8):] if encoding == "utf-8-sig" else head


def _byte_chunks(reader: HashingReader, head: bytes) -> Iterator[bytes]:
    """The bytes from `head` on, in pieces of about 1 MB that end at a line end (but the
    last). A b"\\n" is never part of a UTF-8 or GB18030 character: each piece decodes alone."""
    # Pieces without a line end wait in a list: a file that is one long line (a minified
    # JSON export) would otherwise be copied and searched again with every read.
    pending = [head]
    while chunk := reader.read(1 << 20):
        end = chunk.rfind(b"\n") + 1
        if not end:
            pending.append(chunk)
            continue
        yield b"".join([*pending, chunk[:end]])
        pending = [chunk[end:]]
    if rest := b"".join(pending):
        yield rest


def _utf8_chunk(chunk: bytes) -> str:
    return chunk.decode("utf-8")


# Lines that may be UTF-8 in a GB18030 file: valid UTF-8 shapes only, with at least one
# 3- or 4-byte sequence (where CJK lives). Most GBK lines fail at their first Chinese
# character, in C; the few candidates are checked by the strict decoder.
_ASCII, _TWO = rb"[\x00-\x09\x0b-\x7f]", rb"[\xc2-\xdf][\x80-\xbf]"
_LONG = rb"[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
_UTF8_LINE = re.compile(rb"^(?:%s|%s)*+(?:%s)(?:%s|%s|%s)*+$" % (_ASCII, _TWO, _LONG, _ASCII, _TWO, _LONG), re.M)


def _cjk_utf8(raw: bytes) -> str | None:
    """`raw` as UTF-8 when it is valid UTF-8 holding a character from U+0800 up, else None.

    GB18030 reads almost any UTF-8 bytes without error (收到 as 鏀跺埌), so in a GB18030
    file a UTF-8 line is recognised by being valid UTF-8. GBK text that is valid UTF-8
    is vanishingly rare, except short lines that read as Latin, Greek or Cyrillic letters
    (谢谢 is D0BB D0BB, лл): hence the character from U+0800 up.
    """
    text = _decoded(raw, "utf-8")
    return text if text and max(text) >= "\u0800" else None


def _gb18030_chunk(chunk: bytes) -> str:
    """`chunk` read as GB18030, but for its UTF-8 lines; raises UnicodeDecodeError like
    the strict decoder. Only lines the pattern finds cost Python work."""
    pieces, start = [], 0
    for match in _UTF8_LINE.finditer(chunk):
        text = _cjk_utf8(match[0])
        if text is not None:
            pieces += chunk[start:match.start()].decode("gb18030"), text
            start = match.end()
    pieces.append(chunk[start:].decode("gb18030"))
    return "".join(pieces)


def _gb18030_line(raw: bytes) -> str:
    return (_cjk_utf8(raw) or _decoded(raw, "gb18030") or _decoded(raw, "utf-8")
            or raw.decode("gb18030", errors="replace"))


def _utf8_line(raw: bytes) -> str:
    """A line of a UTF-8 file that is not valid UTF-8: a line saved in GBK, or UTF-8 with
    a few broken bytes (a character cut off at the end of a truncated file, bytes lost).

    GB18030 reads either without error, so the choice goes by plausibility: a GBK line
    read as UTF-8 breaks at most of its characters and seldom forms a CJK one, while a
    damaged UTF-8 line breaks at one or two and keeps its CJK. GB18030 is taken only when
    it reads the line without error and the UTF-8 reading has more U+FFFD than characters
    from U+0800 up; never for a line valid up to a character cut off at its very end (the
    end of a truncated file).
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        cut_off = e.reason == "unexpected end of data"
    text = raw.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    if cut_off or broken <= sum("\u0800" <= ch < "\ufffd" for ch in text):
        return text
    return _decoded(raw, "gb18030") or text


def table_text(data: bytes) -> str:
    """A small file's bytes as text, each line in the encoding that reads it, as exports
    are read: a roster or registry is as often half re-typed in another editor. CR, NUL
    and the BOMs of parts joined into one (`newmedia.table.csv_grids`) are left to the caller."""
    encoding = detect_encoding(data)
    if encoding == "utf-16":
        return data.decode("utf-16", errors="replace")
    body = _without_bom(data, encoding)
    try:
        return _gb18030_chunk(body) if encoding == "gb18030" else _utf8_chunk(body)
    except UnicodeDecodeError:
        decode = _gb18030_line if encoding == "gb18030" else _utf8_line
        return "".join(map(decode, io.BytesIO(body)))


def _decoded(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return None


def os_user() -> str:
    """Who is running the ingest, for the import ledger."""
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"

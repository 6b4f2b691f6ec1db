"""What every qunguan command shares: the consoles, the one-line error, the --db option
and the metrics table. Data goes to stdout; diagnostics and progress to stderr."""
from __future__ import annotations

import glob
import os
import re
import shlex
import sqlite3
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
import typer.core
from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from cli_usage import OWN_OPTIONS_ZH, UsageError, is_usage_error, usage_hint, usage_zh
from detectors.setting_values import is_iso_day
from ingest.schema import BUSY_SECONDS, MIGRATIONS, is_busy, is_damaged
from ingest.user_errors import unreadable_zh

err = Console(stderr=True, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


def _rstrip_end_by_cells(self: Text, size: int) -> None:
    """rich's `Text.rstrip_end` (the space a wrapped line broke at, dropped where it would
    not fit), measured in cells as the wrapping itself is. rich counts characters: a line
    of the help holding Chinese (two cells a character) that fills its column kept that
    space, one cell too many, and rich cut its last letter for an ellipsis (`only what i…`)."""
    excess = cell_len(self.plain) - size
    if excess > 0 and (space := re.search(r"\s+$", self.plain)):
        self.right_crop(min(len(space.group(0)), excess))


Text.rstrip_end = _rstrip_end_by_cells
def _fold_help_text() -> None:
    """typer's help text, a run of Chinese longer than its column broken where the column
    ends, as Chinese may be. rich wraps at spaces only, and Chinese has none: below 80
    columns a sentence of an option's help was cut off for an ellipsis (`单独导入的文件一律归入此…`).
    Done when help is first drawn: importing typer's rich_utils costs every command 40 ms."""
    import typer.rich_utils as drawn

    made_by = drawn._make_rich_text
    if getattr(made_by, "folds", False):
        return

    def folding(*args, **kwargs):
        made = made_by(*args, **kwargs)
        if isinstance(made, Text):
            made.overflow = "fold"
        return made

    folding.folds = True
    drawn._make_rich_text = folding


def _folding_help(format_help):
    def format_folded(self, ctx, formatter):
        _fold_help_text()
        return format_help(self, ctx, formatter)
    return format_folded


for _kind in (typer.core.TyperCommand, typer.core.TyperGroup):
    _kind.format_help = _folding_help(_kind.format_help)


def fail(message: str, zh: str | None = None, status: int = 1) -> None:
    """A known error: one line on stderr, exit `status` (2 for a command line typed wrong,
    as click has it), no traceback. `zh` says it in Chinese, for the admins, who read
    Chinese; the English follows it, as the README and scripts quote it."""
    said = f"[red]错误：[/red]{escape(zh)}（error: {escape(message)}）" if zh else f"[red]error:[/red] {escape(message)}"
    err.print(said, markup=True, highlight=False)
    raise typer.Exit(status)


def pasteable(*words) -> str:
    """A command for a hint, to paste as it is: each word quoted for the shell where it
    needs it (an archive's path with a space, 工作 档案.db, split in two unquoted). For
    `warn` and `fail`, which escape what they say for rich's markup themselves."""
    return shlex.join(map(str, words))


def command_line(*words) -> str:
    """`pasteable`, escaped for rich's markup: for a hint printed as markup."""
    return escape(pasteable(*words))


def day_option(option: str, value: str | None, example: str = "2025-03-03") -> date | None:
    """The day an option gives (--date, --on, --from, --to, --today), None if not given;
    anything but a real day written YYYY-MM-DD is refused in one line, `example` showing
    the form."""
    if value is None:
        return None
    if not is_iso_day(value):
        fail(f"{option} {value!r}: expected a day as YYYY-MM-DD, e.g. {example}",
             f"{option} {value!r} 不是日期；请写成 年-月-日，如 {example}")
    return date.fromisoformat(value)


def warn(warning: str) -> None:
    """A warning on stderr: in Chinese first where it has its Chinese (a Problem's `zh`),
    the English after it, as the README and tests quote it."""
    zh = getattr(warning, "zh", None)
    if zh:
        say("注意：", zh, f"warning: {warning}")
    else:
        err.print(f"[yellow]warning:[/yellow] {escape(warning)}", highlight=False)


def say(keyword: str, zh: str, english: str, style: str = "yellow") -> None:
    """A line on stderr for the admins, who read Chinese: `keyword` (注意：, 拒收) and `zh`
    first, then the English in parentheses, word for word as scripts and the README quote it."""
    err.print(f"[{style}]{escape(keyword)}[/{style}]{escape(zh)}（{escape(english)}）", highlight=False)


_SETTLED = {
    "group": "检查自动办结或重新打开的群标记：{n} 条（见各案件的处置记录）"
             "（group flags closed or opened again by the checks: {n} (see each case's history)）",
    "account": "检查自动办结或重新打开的新媒体账号标记：{n} 条（见各案件的处置记录）"
               "（account flags closed or opened again by the checks: {n} (see each case's history)）",
    "message": "重新检查后自动撤销或重新打开的消息标记：{n} 条（见各案件的处置记录）"
               "（message flags withdrawn or opened again on reading the messages again: {n} (see each case's history)）",
}


def say_settled(count: int, subject: str = "group") -> None:
    """How many flags of a subject (group, account, message) the checks closed, withdrew or
    opened again, if any."""
    if count:
        err.print(_SETTLED[subject].format(n=count), highlight=False)


def fail_on(error: Exception) -> None:
    """`fail` with an error's message, and its Chinese where it has one (UserError)."""
    fail(str(error), getattr(error, "zh", None))


def fail_unreadable(file, error: OSError) -> None:
    """`fail` for a file that cannot be opened: not there, a folder, not readable."""
    fail(f"{file}: {error.strerror}", f"{file}：{unreadable_zh(error)}")


class Commands(typer.core.TyperGroup):
    """A command group: an archive another command keeps busy past the wait, or one
    SQLite finds damaged, is said in one line, whichever command met it, not with
    SQLite's traceback; and so is a prompt given up, and a command line typed wrong."""

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except UsageError as e:  # an option of the group itself (qunguan --verbose)
            _refuse_usage(e)

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is not None and not command.short_help and command.help:
            # Typer lists a command with its whole docstring, line breaks and all: the
            # summary is its first paragraph, joined, for the terminal to wrap; and so
            # is every paragraph of the help, not cut where the source line ended.
            command.help = "\n\n".join(" ".join(part.split()) for part in command.help.split("\n\n"))
            command.short_help = command.help.split("\n\n")[0]
        if command is not None:
            name_values(command.get_params(ctx))
        return command

    def get_params(self, ctx):
        return name_values(super().get_params(ctx))

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except UsageError as e:  # a command's own line, parsed as the group invokes it
            _refuse_usage(e)
        except typer.Abort:
            # Only a prompt (a password asked for) aborts, on Ctrl-C or the input's end, before
            # anything is changed: typer would say a bare "Aborted." in English.
            fail("aborted before anything was changed", "已取消，未作任何改动")
        except sqlite3.DatabaseError as e:
            if is_busy(e):
                fail(f"the archive is busy: another qunguan command (a long ingest or classify) has been writing to it "
                     f"for over {BUSY_SECONDS} s; run this again once that command is done",
                     f"档案正忙：另一个 qunguan 命令（较长的导入或识别）写入已超过 {BUSY_SECONDS} 秒；请等它结束后再运行本命令")
            if is_damaged(e):
                archive = ctx.meta.get(_ARCHIVE, "the archive")
                fail(f"{archive}: the archive is damaged, SQLite cannot read it ({e}); "
                     "a copy cut short reads so: copy it again from where it came, or restore the latest backup",
                     f"{archive}：档案已损坏，SQLite 无法读取；没复制完整的副本就会这样：请从原处重新复制，或恢复最近的备份")
            raise


def _refuse_usage(error) -> None:
    """A command line typed wrong, as click says it (its usage line, then the error), in
    Chinese first; a group run bare shows its help as ever."""
    if not is_usage_error(error):
        raise error
    if hint := usage_hint(error):
        err.print(escape(hint), highlight=False)
    fail(error.format_message(), usage_zh(error), status=2)


class _Argument(typer.core.TyperArgument):
    """An argument shown by its name alone, as the README writes it (FILE, PATH...)."""

    def display_type_rich(self, ctx):
        return None

    def _usage_display_name(self):
        return self.metavar if self.required else f"[{self.metavar}]"


def name_values(params: list) -> list:
    """`params` as help shows them: what an option takes by a name (--db ARCHIVE, --group
    NAME), a flag by nothing, an argument by its name in capitals. Typer would label them
    with Python's types instead (`--silent <bool>`, `--db <path>`, `{paths}...`). The options
    click and typer add (--help) are explained in Chinese first, as the others are."""
    for param in params:
        if getattr(param, "help", None) in OWN_OPTIONS_ZH:
            param.help = OWN_OPTIONS_ZH[param.help]
        if isinstance(param, typer.core.TyperArgument):
            param.metavar = param.metavar or param.name.upper() + ("..." if param.nargs == -1 else "")
            param.__class__ = _Argument
        elif getattr(param, "is_flag", False):
            param.metavar = ""
        elif param.metavar is None:
            param.metavar = param.name.upper()
    return params


# Where the --db callbacks leave the archive's path, for Commands to name it (click shares
# `meta` between a command's context and its group's).
_ARCHIVE = "qunguan.archive"


def _usable(ctx: typer.Context, path: Path) -> Path:
    """`path` if the archive there can be opened, or made; else one line saying why, not
    SQLite's traceback. Every command writes (the schema, the -wal file beside the archive)."""
    ctx.meta[_ARCHIVE] = path
    folder = path.parent
    if path.is_dir():
        fail(f"{path}: a folder; --db names the archive file, e.g. {path / '档案.db'}",
             f"{path} 是文件夹；--db 后面写档案文件，如 {path / '档案.db'}")
    if not folder.is_dir():
        fail(f"{path}: the folder {folder} does not exist; create it or name another place for the archive",
             f"{path}：文件夹 {folder} 不存在；请先建立它，或把档案放在别处")
    if path.exists() and os.access(path, os.R_OK) and _head(path) not in (b"", _SQLITE):
        fail(f"{path}: not a qunguan archive (not an SQLite database); --db names the archive, "
             "the exports to read come before it",
             f"{path} 不是群管档案（不是 SQLite 数据库）；--db 后面写档案，要导入的导出文件写在 --db 前面")
    if path.exists():
        refuse_users_database(path, "--db")
    if path.exists() and (made_by := _schema_version(path)) > len(MIGRATIONS):
        # Its tables may hold what this version would not keep right (a column, a trigger
        # it does not know), and every command writes: upgrade before using it.
        fail(f"{path}: made by a newer version of qunguan (schema {made_by}; this version knows up to "
             f"{len(MIGRATIONS)}); upgrade qunguan (git pull, then make install) before using this archive",
             f"{path} 由更新版本的群管建立（档案结构第 {made_by} 版，本版本只认识到第 {len(MIGRATIONS)} 版）；"
             "请先升级群管（git pull 后运行 make install）再使用该档案")
    if path.exists() and (foreign := _foreign_tables(path)):
        fail(f"{path}: an SQLite database of another program (tables {', '.join(foreign[:5])}), not a qunguan "
             "archive; qunguan would add its tables to it. --db names the archive: a new file, or one qunguan made",
             f"{path} 是其他程序的 SQLite 数据库，不是群管档案，用作档案会被群管添加它的表；--db 请写新文件名或群管建立的档案")
    if not os.access(folder, os.W_OK | os.X_OK):
        fail(f"{path}: the folder {folder} is read-only, and qunguan writes beside the archive ({path.name}-wal); "
             "copy the archive to a folder you can write and give that copy",
             f"{path}：文件夹 {folder} 只读，而群管要在档案旁写入 {path.name}-wal；请把档案复制到可写的文件夹，使用该副本")
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        fail(f"{path}: no permission to read and write the archive; run qunguan as the user who owns it, "
             "or work on a copy of it",
             f"{path}：没有读写该档案的权限；请以档案所有者的身份运行群管，或使用档案的副本")
    return path


_SQLITE = b"SQLite format 3\x00"


def refuse_users_database(path: Path, option: str) -> None:
    """`fail` when `path` is an archive's users database (`review.auth`), named where the
    archive goes: it sits beside the archive, its name much the same, and qunguan numbers
    its schema too, so it would be taken for an archive and fail on its first table."""
    tables = _read_only(path, lambda conn: {name for (name,) in conn.execute(
        "select name from sqlite_master where type = 'table'")}, set())
    if {"users", "logins", "user_events"} <= tables and "messages" not in tables:
        archive = _archive_of(path)
        fail(f"{path}: the users database (the logins), not the archive; {option} names the archive, {archive}",
             f"{path} 是登录账号的用户数据库，不是档案；{option} 后面写档案 {archive}")


def _archive_of(users: Path) -> Path:
    """The archive whose users database is `users`: the one beside it, else as it would be named."""
    from review.auth import users_path

    base = users.name.removesuffix(".users.db") if users.name.endswith(".users.db") else users.stem
    beside = [p for p in sorted(users.parent.glob(f"{glob.escape(base)}.*"))
              if p != users and users_path(p) == users and p.is_file() and _head(p) == _SQLITE]
    return beside[0] if beside else users.with_name(f"{base}.db")


def _foreign_tables(path: Path) -> list[str]:
    """The tables of an SQLite file qunguan never made (its schema version is 0, and it
    holds tables): schema migrations number every archive from its first command on."""
    if _schema_version(path):
        return []
    return _read_only(path, lambda conn: [name for (name,) in conn.execute(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite%' order by name")], [])


def _schema_version(path: Path) -> int:
    """The archive's schema version: how many of MIGRATIONS made it (0 for a new file)."""
    return _read_only(path, lambda conn: conn.execute("pragma user_version").fetchone()[0], 0)


def _read_only(path: Path, read, otherwise):
    """`read(conn)` of the SQLite file at `path` opened read-only; `otherwise` if it cannot
    be read (unreadable or locked: the checks after, or opening it, say why)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return read(conn)
        finally:
            conn.close()
    except sqlite3.Error:
        return otherwise


def _head(path: Path) -> bytes:
    with open(path, "rb") as file:
        return file.read(len(_SQLITE))


def made_by_qunguan(path: Path) -> bool:
    """Whether `path` is a readable archive qunguan made: an SQLite file its migrations
    numbered. What a command only reads from (train --with-reviews) must not be made one."""
    return (path.is_file() and os.access(path, os.R_OK) and _head(path) == _SQLITE
            and _schema_version(path) > 0)


def _existing(ctx: typer.Context, path: Path) -> Path:
    # A mistyped --db must not answer from a new, empty archive (stats, classify, ...).
    if not path.exists():
        # Windows hides a file's extension: 档案.db is shown, and typed, as 档案.
        meant = path.with_name(path.name + ".db")
        if not path.suffix and meant.is_file():
            fail(f"{path}: no such archive; did you mean {meant}?", f"{path}：档案不存在；是否指 {meant}？")
        fail(f"{path}: no such archive (an archive is made by `qunguan ingest`)",
             f"{path}：档案不存在（请检查 --db 是否写错；档案由 `qunguan ingest` 建立）")
    return _usable(ctx, path)


# A setting's value may be a negative number, which click would take for an option ("No
# such option: -1"): the command's own check is what says which values a setting takes.
SETTING_VALUE = {"ignore_unknown_options": True}

# The commands that bring data in create the archive; the others need it there.
DbOption = Annotated[Path, typer.Option("--db", metavar="ARCHIVE", help="档案文件， 不存在时新建（The archive (SQLite file); created if missing.）",
                                        callback=_usable)]
ArchiveOption = Annotated[Path, typer.Option("--db", metavar="ARCHIVE", help="档案文件（The archive (SQLite file).）", callback=_existing)]


def model_folder(out: Path | None) -> Path:
    """The folder a trained model goes in (--out, else models/), checked before the
    training's minutes are spent: a file there, or a folder qunguan cannot write, is
    refused in one line."""
    from classifiers.model import MODELS_DIR

    folder = out or MODELS_DIR
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not existing.is_dir():
        fail(f"{folder}: {existing} is a file; --out names the folder the model goes in",
             f"{folder}：{existing} 是文件；--out 后面写存放模型的文件夹")
    if not os.access(existing, os.W_OK | os.X_OK):
        fail(f"{folder}: the folder {existing} is read-only; give --out a folder you can write",
             f"{folder}：文件夹 {existing} 只读；--out 请写可写入的文件夹")
    return folder


def save_model(fitted, folder: Path) -> Path:
    """`fitted` saved in `folder`; a failure (a full disk) in one line, not a traceback."""
    from classifiers import model

    try:
        return model.save(fitted, folder)
    except OSError as e:
        fail(f"{folder}: the model could not be saved ({e.strerror}); the one saved there before, if any, is as it was",
             f"{folder}：模型没能保存（{e.strerror}）；该处原有的模型保持不变")


def print_table(columns: list[str], rows, title: str | None = None) -> None:
    """A table of data on stdout. At a terminal rich draws it; piped or redirected it is
    plain tab-separated lines (a blank line and the title, the header, one line per row),
    so no value is cut to a guessed width and scripts can read it. Values are shown as
    they are: markup in a group or account name is escaped, never applied."""
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    if out.is_terminal:
        grid = Table(*columns, title=escape(title) if title else None)
        for row in cells:
            grid.add_row(*map(escape, row))
        out.print(grid)
        return
    if title:
        typer.echo(f"\n{title}")
    for row in [columns, *cells]:
        echo_fields(*row)


def echo_fields(*values) -> None:
    """One line of tab-separated values on stdout, as they are (no markup, no tabs expanded)."""
    # A tab or line break inside a value (a file or group name) would shift the columns
    # of every line after it.
    typer.echo("\t".join(re.sub(r"[\t\r\n]", " ", str(v)) for v in values))


def print_metrics(report: dict, title: str, confusion: bool = True) -> None:
    from classifiers.evaluate import table

    print_table(["category", "precision", "recall", "F1", "support"], table(report), title)
    if confusion:
        for true_class, got in report["confusion"].items():
            out.print(f"  {true_class} → " + ", ".join(f"{k} {v}" for k, v in sorted(got.items(), key=lambda kv: -kv[1])))

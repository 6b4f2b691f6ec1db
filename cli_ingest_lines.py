"""What `qunguan ingest` says on stderr about each file: refused, skipped, read before, and
its records rejected, garbled or to check. Each line in Chinese first, for the admins,
then the English in parentheses, as scripts and the README quote it. Each opens with a
Chinese keyword (拒收, 跳过, 未导入 …) the closing summary points at (见上方“拒收”行); the
English keeps its own (rejected, skipped, refused …)."""
from __future__ import annotations

from pathlib import Path

from cli_output import pasteable, say, warn
from detectors.setting_values import Problem

# How many of a file's rejected (or garbled) records are listed; the rest are counted.
LISTED = 20


def zh_of(reason: str) -> str:
    """A reason's Chinese; one the reader gave none (an OS error's text) points at the English."""
    return getattr(reason, "zh", None) or "原因见括号中的英文"


def say_refused(name: str, why: str) -> None:
    say("未导入 ", f"{name}：{zh_of(why)}", f"refused {name}: {why}", "red")


def say_result(result, group: str | None, db: Path) -> None:
    """Every line about the file of `result`, one read or not (its data line is on stdout)."""
    if result.skipped:
        say("跳过 ", f"{result.name}：{zh_of(result.skipped)}", f"{result.name}: skipped, {result.skipped}", "dim")
    elif result.refused:
        say_refused(result.name, result.refused)
    else:
        _say_groups(result, group, db)
        _say_read_before(result)
        _say_records(result)


def _say_groups(result, group: str | None, db: Path) -> None:
    for archived, named in result.renamed:
        warn(Problem(f"{result.name}: the chat is named {named} here; archived as the group {archived} "
                     "(qunguan groups rename to follow the new name)",
                     f"{result.name}：文件中的群名是 {named}，已归入群 {archived}（该群已改名的，用 qunguan "
                     "groups rename 跟上新名）"))
    for archived, named in result.copy_named:
        # Said by warn, which escapes it: command_line's escaping would show, '防汛群\\[b]'.
        rename = pasteable("qunguan", "groups", "rename", archived, named, "--db", db)
        warn(Problem(f"{result.name}: the name {named} read as an export copy of the group {archived}, "
                     f"archived as {archived}; if the group is really called {named}, run `{rename}`, "
                     "and from then on ingest an export that names the chat (chatlog) before such files",
                     f"{result.name}：文件名 {named} 按群 {archived} 的导出副本读，新建群 {archived}；"
                     f"若这个群本名就是 {named}，请用 `{rename}` 改名；此后先导入写明群名的导出（如 chatlog）"
                     "再导入此类文件"))
    for named in result.not_forced:
        warn(Problem(f"{result.name}: --group {group} not used for the group {named}, which the file names "
                     "itself (--group is for files that do not)",
                     f"{result.name}：文件自己写明了群 {named}，未按 --group {group} 归入"
                     "（--group 只用于没有写明群名的文件）"))


def _say_read_before(result) -> None:
    if result.copy_of:
        warn(_copy_note(result))
    elif result.unchanged_since:
        since = result.unchanged_since
        say("已读过 ", f"{result.name}：自{zh_of(since)}以来没有改动，不再重复读取",
            f"{result.name}: unchanged since {since}; not read again", "dim")
    if result.rejects_known:
        before, known = result.read_before, result.rejects_known
        say("已读过 ", f"{result.name}：与{zh_of(before)}读的是同一个文件；当时已逐条列出、并保存在 rejects 表中的"
            f"拒收记录有 {known} 条（这次不再重复保存）；请改正这些行后重新导入该文件（文件在中途断了的，请重新导出）",
            f"{result.name}: the same file as {before}; rejected records listed then and kept in the rejects table: "
            f"{known} (not stored again); fix those lines and ingest the file again (a file cut short: export it again)")


def _say_records(result) -> None:
    for line, record, reason in result.rejects[:LISTED]:
        _say_record("拒收 ", "rejected", result.name, line, record, reason)
    if len(result.rejects) > LISTED:
        more = len(result.rejects) - LISTED
        say("… ", f"另有 {more} 条拒收记录，见 rejects 表", f"… {more} more rejected records are in the rejects table")
    for line, record, what in result.garbled[:LISTED]:
        _say_record("乱码 ", "garbled", result.name, line, record, what)
    if len(result.garbled) > LISTED:
        more = len(result.garbled) - LISTED
        say("… ", f"另有 {more} 条消息含这样的字节", f"… and {more} more messages with such bytes")
    for line, record, why in result.doubts:
        _say_record("请核对 ", "check", result.name, line, record, why)


def _say_record(keyword: str, english: str, name: str, line: int | None, record: int, why: str) -> None:
    """A line about one record of file `name`: by its line, or where none is known its number."""
    where, where_zh = (f"line {line}", f"第 {line} 行") if line else (f"record {record}", f"第 {record} 条记录")
    say(keyword, f"{name} {where_zh}：{zh_of(why)}", f"{english} {name}:{where}: {why}")


def _copy_note(result) -> Problem:
    """Where a file that names no archived group went, as a copy of an earlier import: the
    admin sees why no group is named after it."""
    earlier, group = result.copy_of, result.group
    if earlier.whole:
        return Problem(f"{result.name}: the same content as import #{earlier.import_id} of {earlier.path}; filed under "
                       f"that file's group {group}",
                       f"{result.name}：内容与第 {earlier.import_id} 号导入的 {earlier.path} 完全相同，已归入该文件所在的群 {group}")
    return Problem(f"{result.name}: the same chat as import #{earlier.import_id} of {earlier.path}, which archived most "
                   f"of its first messages; filed under that file's group {group}",
                   f"{result.name}：与第 {earlier.import_id} 号导入的 {earlier.path} 是同一个群的记录（开头的消息大多已由它存档），"
                   f"已归入该文件所在的群 {group}")

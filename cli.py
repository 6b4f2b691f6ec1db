"""The `qunguan` command line: a thin layer over the library's plain functions."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from cli_ingest_lines import say_refused, say_result
from cli_output import (SETTING_VALUE, ArchiveOption, Commands, DbOption, command_line, day_option, echo_fields, err,
                        fail, fail_on, fail_unreadable, made_by_qunguan, model_folder, pasteable, print_metrics,
                        print_table, refuse_users_database, save_model, say, say_settled, warn)
from detectors.setting_values import Problem
from gc_policy import bulk_work
from ingest import roster
from ingest.formats import BY_NAME, by_name
from ingest.records import FormatError
from ingest.registry import (RegistryError, ignored_value, overrides, rename_group, set_group,
                             set_setting, setting_defaults, setting_warnings, told, unset_setting)
from ingest.save import Interrupted, ingest_paths
from ingest.schema import open_archive
from ingest.sources import nothing_to_read
from ingest.stats import archive_stats
from newmedia.cli import accounts_app, posts_app
from review.cli import report, reviews_app, serve, users_app, verify

app = typer.Typer(cls=Commands, no_args_is_help=True, pretty_exceptions_show_locals=False,
                  help="群管 qunguan：归档政务工作群聊天记录，标记违规消息，供核查处置（archive government work-group "
                       "chats, flag rule breaches, review them.）")
roster_app = typer.Typer(cls=Commands, no_args_is_help=True, help="群成员实名花名册（The real-name roster of group members.）")
app.add_typer(roster_app, name="roster")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH...", help="聊天导出文件、文件夹或压缩包（Export files, directories or zips.）")],
    db: DbOption,
    group: Annotated[Optional[str], typer.Option(
        metavar="NAME", help="单独导入的文件一律归入此群； 导入文件夹、压缩包或多个路径时， 只用于未写明群名的文件"
             "（The group of a file given alone, whatever it calls its chat; with a folder, a zip or several paths, "
             "of the files that name no group.）")] = None,
    format: Annotated[Optional[str], typer.Option(
        "--format", help=f"不自动识别格式， 按指定格式读取（Skip detection and read as this format）：{', '.join(BY_NAME)}")] = None,
    silent: Annotated[bool, typer.Option("--silent", help="不显示进度条（No progress bar.）")] = False,
    day: Annotated[Optional[str], typer.Option(
        "--date", metavar="YYYY-MM-DD",
        help="导出文件未写日期时， 其中消息的日期， 如无日期行的手机分享文本、一天的 chatlog 文本； 未写年份的日期也取它的年份"
             "（The day of messages whose export leaves it out (phone share text without a date line, "
             "chatlog text of one day); its year completes dates written without one.）")] = None,
):
    """导入聊天导出文件，重复运行只添加新内容（Ingest chat exports into the archive; re-running adds only what is new.）

    每个文件在标准输出上占一行； 拒收的记录逐条写在标准错误上， 注明文件和行号（或记录序号）， 并保存在 rejects 表中。 每个文件是一个事务： 按 Ctrl-C 中断时， 档案保持读取该文件之前的状态。

    A line per file on stdout; each rejected record on stderr with its file and line (or
    record number), kept in the rejects table. Each file is one transaction: Ctrl-C leaves
    the archive as it was before the file being read."""
    day_option("--date", day, "2024-06-17")
    if format:
        try:
            by_name(format)
        except FormatError as e:
            fail_on(e)
    # A path mistyped among many, or a folder or zip with nothing in it (the wrong one
    # dragged in), is refused like an unreadable file: the others are still read.
    nothing_in = [(p, why) for p in paths if (why := nothing_to_read(p))]
    for path, why in nothing_in:
        say_refused(str(path), why)
    if len(nothing_in) == len(paths):  # nothing to read: no archive made for it
        fail("nothing to read (every path above is refused); the archive is left as it was",
             "没有可读取的文件（见上方“未导入”行：路径是否写错，文件夹或压缩包是否为空），档案未建立或未改动")
    archive = open_archive(str(db))
    refused = [str(p) for p, _ in nothing_in]
    read: list = []  # the files read, for the summary in Chinese
    skipped: list = []  # the files passed over (pictures, attachments, rosters)
    unnamed: list = []  # the files refused for want of a group, which --group settles
    try:
        _ingest_all(archive, db, [str(p) for p in paths if str(p) not in refused], group, format, silent, day, read,
                    refused, skipped, unnamed)
    except KeyboardInterrupt as e:
        # Ctrl-C: say what was kept and what was not, rather than stop without a word.
        # Between two files (a line printed, a folder walked) every file read is kept.
        stopped = e if isinstance(e, Interrupted) else Interrupted(None)
        err.print(ingest_summary(read, len(refused), len(skipped), len(unnamed), interrupted=stopped))
        raise typer.Exit(130) from None
    err.print(ingest_summary(read, len(refused), len(skipped), len(unnamed)))
    if refused:
        raise typer.Exit(1)


def _ingest_all(archive, db: Path, paths: list[str], group, format, silent, day, read: list, refused: list,
                skipped: list, unnamed: list) -> None:
    """Ingest every path, a line per file; the results read go to `read`, the names of
    the files refused to `refused` (and to `unnamed` for want of a group), of those
    passed over to `skipped`."""
    with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                  TimeRemainingColumn(), console=err, disable=silent, transient=True) as bar:
        task = bar.add_task("ingest", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        for result in ingest_paths(archive, paths, group=group, fmt=format, progress=progress, day=day):
            if result.skipped:
                skipped.append(result.name)
            elif result.refused:
                refused.append(result.name)
                if result.group_unknown:
                    unnamed.append(result.name)
            else:
                read.append(result)
                echo_fields(result.name, result.format, result.group or "-", f"new {result.new}",
                            f"already present {result.duplicate}", f"rejected {result.rejected}")
            say_result(result, group, db)


def ingest_summary(read: list, refused: int, skipped: int, unnamed: int = 0, interrupted: Interrupted | None = None) -> str:
    """The run in a line of Chinese, with what to do about what went wrong: admins read
    Chinese; the lines above keep their English, which it points to, for scripts. `skipped`:
    files passed over, counted so that a folder of pictures dragged in by mistake is no
    silent run of nothing. `unnamed`: of the files refused, those --group would settle.
    `interrupted`: the Ctrl-C that stopped the run, naming the file it rolled back, if any."""
    line = (f"导入{'已中断' if interrupted else '完成'}：读取 {len(read)} 个文件，新增消息 {sum(r.new for r in read)} 条，"
            f"已存在 {sum(r.duplicate for r in read)} 条，拒收记录 {sum(r.rejected for r in read)} 条")
    # A file read again unchanged: its rejects were listed by its first import, not above.
    listed, known = any(r.rejects for r in read), any(r.rejects_known for r in read)
    fix = "改正后重新导入该文件即可，已导入的不会重复"
    if listed and known:  # Monday's re-run: last week's file and this week's, each with bad records
        line += f"（见上方“拒收”行：文件名与行号；此前导入同一文件时已逐条列出的，见上方“已读过”行；{fix}）"
    elif listed:
        line += f"（见上方“拒收”行：文件名与行号，{fix}）"
    elif known:
        line += f"（此前导入同一文件时已逐条列出，见上方“已读过”行；{fix}）"
    if garbled := sum(len(r.garbled) for r in read):
        line += f"；{garbled} 条消息含无法识别的字节，已按原样保存（见上方“乱码”行，请核对原文件）"
    if doubts := sum(len(r.doubts) for r in read):
        line += f"；{doubts} 条消息在文件末尾、其后没有换行，可能复制时被截断（见上方“请核对”行，请与原聊天核对）"
    if skipped:
        line += f"；跳过 {skipped} 个不是聊天记录的文件（图片、附件、名单等，见上方“跳过”行）"
    if refused:
        hint = "；文件未写明群名的，请对该文件加 --group 群名 单独导入" if unnamed else ""
        line += f"；{refused} 个文件未能导入（见上方“未导入”行{hint}）"
    if interrupted:
        if interrupted.name:
            line += f"；正在读取的 {interrupted.name} 未导入（档案保持读取它之前的状态）"
        line += "，以上各文件已导入。重新运行同一命令即可继续，已导入的文件不会重复读取"
    return line + "。"


@roster_app.command("import")
def roster_import(
    file: Annotated[Path, typer.Argument(help="花名册（.xlsx 或 CSV）， 列为姓名、单位、职务、微信号、企业微信账号、群昵称； "
                                              "压缩包中的花名册写作 ZIP!FILE， 即导入时显示的名称"
                                              "（Roster (.xlsx or CSV): name, unit, position, wxid, wecom_userid, "
                                              "display_names (or 姓名, 单位, 职务, 微信号, 企业微信账号, 群昵称 …); "
                                              "in a zip, ZIP!FILE as ingest names it.）")],
    db: DbOption,
):
    """导入实名花名册，把导出文件中的发送人关联到具体人员（Load the real-name roster and link exported senders to people.）"""
    from ingest.sources import local_copy
    from ingest.user_errors import UserError

    if not file.exists() and "!" not in str(file):
        fail(f"{file}: no such file", f"{file}：文件不存在")
    if file.is_dir():
        fail(f"{file}: a folder; name the roster file in it (.xlsx or CSV)", f"{file} 是文件夹；请写出其中的花名册文件（.xlsx 或 CSV）")
    # What the archive's roster holds tells a unit typed short of another's from a cut one.
    archived = roster.archived_values(open_archive(str(db)).conn) if db.exists() else {}
    try:
        with local_copy(file) as readable:
            people, errors = roster.read_roster(readable, str(file), archived)
    except UserError as e:  # a table that cannot be read, a zip's file not there
        fail_on(e)
    for error in errors:
        say("注意：", error.zh, error)
    if not people:
        fail(f"{file}: no roster rows read", f"{file}：没有读到花名册的人员行（原因见上方各行）")
    result = roster.import_roster(open_archive(str(db)).conn, people)
    for error in result.errors:
        say("注意：", error.zh, error)
    linked, ambiguous = result.links.linked, len(result.links.ambiguous)
    typer.echo(f"花名册：新增 {result.added} 人，更新 {result.updated}，未变 {result.unchanged}；关联发送人 {linked}，"
               f"无法确定 {ambiguous}（people added {result.added}\tupdated {result.updated}\tunchanged {result.unchanged}\t"
               f"members linked {linked}\tambiguous {ambiguous}）")
    if ambiguous := result.links.ambiguous:
        warn(Problem(f"{len(ambiguous)} senders match several people and are left unlinked: {', '.join(ambiguous)}; "
                     "list the 群昵称 or 微信号 each goes by in the roster (or `qunguan roster remove` one who left)",
                     f"{len(ambiguous)} 个发送人对应花名册上的多个人，未关联：{'、'.join(ambiguous)}；请在花名册中写明各人的"
                     "群昵称或微信号（已调离的人用 `qunguan roster remove` 记录）"))
    if absent := result.absent:
        more, more_zh = (f" and {len(absent) - 10} more", f"等 {len(absent)} 人") if len(absent) > 10 else ("", "")
        remove = pasteable('qunguan', 'roster', 'remove', 'NAME', '--unit', 'UNIT', '--db', db)
        warn(Problem(f"{len(absent)} people of these units are on the roster but not in this file, and stay on it: "
                     f"{', '.join(absent[:10])}{more}; record one who left with `{remove}`",
                     f"这些单位有 {len(absent)} 人在花名册上、但不在本文件中，仍保留在花名册上：{'、'.join(absent[:10])}{more_zh}；"
                     f"已调离或退休的人请用 `{remove}` 记录（NAME 换成姓名，UNIT 换成单位）"))


@roster_app.command("remove")
def roster_remove(
    name: Annotated[str, typer.Argument(help="花名册上的姓名（The person's name as on the roster.）")],
    db: ArchiveOption,
    unit: Annotated[Optional[str], typer.Option(help="所在单位， 用于区分同名的人（Their unit, where two people share the name.）")] = None,
    on: Annotated[Optional[str], typer.Option("--on", metavar="YYYY-MM-DD", help="调离的日期， 默认今天（The day they left; default today.）")] = None,
):
    """记录人员调离或退休（Record that a person left: transferred, retired.）

    其对应的发送人不再关联花名册上的此人， 本次变更留痕。

    Record that a person left (transferred, retired): their senders are no longer on
    the roster, and the change is logged."""
    from ingest.records import local_now

    left = day_option("--on", on) or local_now().date()
    try:
        links = roster.remove_person(open_archive(str(db)).conn, name, unit, left.isoformat())
    except roster.RosterError as e:
        fail_on(e)
    typer.echo(f"removed {name}\tmembers linked {links.linked}")


@app.command()
def stats(db: ArchiveOption):
    """查看统计：群、成员、每周消息数和导入台账（Groups, members, messages per week and the import ledger.）"""
    figures = archive_stats(open_archive(str(db)).conn)
    # Said in Chinese first for the admin, as the users list is; each English figure
    # stays whole after it for scripts.
    groups, members, on_roster = figures["groups"], figures["members"], figures["members_on_roster"]
    echo_fields(f"群 {groups}（groups {groups}）",
                f"成员 {members}，花名册上 {on_roster}（members {members} ({on_roster} on the roster)）",
                f"消息 {figures['messages']}（messages {figures['messages']}）",
                f"拒收记录 {figures['rejects']}（rejected records {figures['rejects']}）")
    print_table(["周（week）", "群（group）", "消息数（messages）"],
                ([r["week"], r["group"], r["messages"]] for r in figures["weeks"]), "每周消息数（messages per week）")
    print_table(["编号（id）", "文件（file）", "格式（format）", "新增（new）", "已存在（dup）", "拒收（rejected）",
                 "完成时间（finished）", "导入人（by）"],
                ([r[k] for k in ("id", "path", "format", "new", "duplicate", "rejected", "finished_at", "os_user")]
                 for r in figures["imports"]), "导入台账（imports）")


groups_app = typer.Typer(cls=Commands, no_args_is_help=True, help="群信息登记：导出文件中没有的单位、管理员等（The group registry: what the exports cannot know.）")
app.add_typer(groups_app, name="groups")
config_app = typer.Typer(cls=Commands, no_args_is_help=True, help="调整本档案的违规检测和新媒体检查的参数（Per-archive overrides of the detectors' and new-media checks' settings.）")
app.add_typer(config_app, name="config")
app.add_typer(accounts_app, name="accounts")
app.add_typer(posts_app, name="posts")
app.add_typer(users_app, name="users")
app.add_typer(reviews_app, name="reviews")
app.command()(serve)
app.command()(verify)
app.command()(report)


@groups_app.command("set")
def groups_set(
    group: Annotated[str, typer.Argument(help="档案中的群名（The group's name as in the archive.）")],
    db: ArchiveOption,
    unit: Annotated[Optional[str], typer.Option(help="群所属的单位（The unit the group belongs to.）")] = None,
    admin: Annotated[Optional[str], typer.Option(metavar="NAME", help="指定的群管理员， 群规 第四条（The named group admin.）")] = None,
    owner: Annotated[Optional[str], typer.Option(metavar="NAME", help="建群并对群负责的人（Who created the group and answers for it.）")] = None,
    temporary_until: Annotated[Optional[str], typer.Option("--temporary-until", metavar="YYYY-MM-DD",
                                                           help="临时群的截止日期（End date of a temporary group.）")] = None,
    purpose: Annotated[Optional[str], typer.Option(metavar="TEXT", help="另建的群经批准的用途， 群规 第三条（Approved purpose of an extra group.）")] = None,
    exempt: Annotated[Optional[bool], typer.Option("--exempt/--not-exempt", help="党支部学习群： 只归档， 不作标记（Party-branch study group: archived, never flagged.）")] = None,
    dissolved: Annotated[Optional[str], typer.Option("--dissolved", metavar="YYYY-MM-DD",
                                                     help="群解散的日期： 档案保留， 不再检查（The day the group was dissolved: archived, no longer checked.）")] = None,
):
    """登记群的单位、管理员等信息（Record a group's unit, admin, owner, end date, approved purpose, exemption or dissolution.）

    可登记单位、群管理员、建群人、临时群截止日期、经批准的用途、豁免或解散； 某项给空值（如 --admin ""）即清除该项。

    An empty value (--admin "") clears that field."""
    from ingest.sources import os_user
    from review.handling import close_exempt, reopen_exempt

    conn = open_archive(str(db)).conn
    try:
        row = set_group(conn, group, unit=unit, admin=admin, owner=owner,
                        temporary_until=temporary_until, purpose=purpose, exempt=exempt, dissolved_on=dissolved)
    except RegistryError as e:
        fail_on(e)
    _echo_group(row)
    if exempt and (closed := close_exempt(conn, row["id"], f"cli:{os_user()}")):
        err.print(f"该群未处理的标记已办结 {closed} 条（豁免的群不作标记，群规 第二条）"
                  f"（{closed} unhandled flags of this group closed (exempt groups are never flagged, 群规 第二条)）",
                  highlight=False)
    if exempt is False and (reopened := reopen_exempt(conn, row["id"], f"cli:{os_user()}")):
        err.print(f"因豁免而办结的标记已重新打开 {reopened} 条（{reopened} flags closed for the exemption are open again）",
                  highlight=False)


@groups_app.command("rename")
def groups_rename(
    group: Annotated[str, typer.Argument(help="档案中的群名（The group's name as in the archive.）")],
    new_name: Annotated[str, typer.Argument(help="新群名， 如聊天改名后的名称（Its new name, e.g. as the chat was renamed.）")],
    db: ArchiveOption,
):
    """群改名，其聊天 ID、消息、标记和登记信息不变（Rename a group; its chat ids, messages, flags and registry details stay with it.）"""
    try:
        row = rename_group(open_archive(str(db)).conn, group, new_name)
    except RegistryError as e:
        fail_on(e)
    _echo_group(row)


# A group's registry columns as the admin reads them, the English after each for scripts.
GROUP_COLUMNS = {"id": "编号（id）", "name": "群名（name）", "unit": "单位（unit）", "admin": "管理员（admin）",
                 "owner": "建群人（owner）", "purpose": "经批准的用途（purpose）",
                 "temporary_until": "临时群截止日期（temporary until）", "dissolved_on": "解散日期（dissolved）",
                 "exempt": "豁免（exempt）"}


def _echo_group(row: dict) -> None:
    typer.echo("\t".join(f"{GROUP_COLUMNS[k]} {'' if v is None else v}" for k, v in row.items()))


@groups_app.command("list")
def groups_list(db: ArchiveOption):
    """列出各群及其登记信息（The groups with their registry details.）"""
    conn = open_archive(str(db)).conn
    print_table([GROUP_COLUMNS[k] for k in ("id", "name", "unit", "admin", "owner", "purpose", "temporary_until",
                                            "dissolved_on", "exempt")] + ["消息数（messages）"],
                conn.execute("select g.id, g.name, g.unit, g.admin, g.owner, g.purpose, g.temporary_until, g.dissolved_on, g.exempt, "
                             "(select count(*) from messages m where m.group_id = g.id) from groups g order by g.id"))


@config_app.command("set", context_settings=SETTING_VALUE)
def config_set(
    key: Annotated[str, typer.Argument(help="设置项的键（section.name, e.g. after_hours.periods）")],
    value: Annotated[str, typer.Argument(metavar="JSON", help="JSON 格式的值（A JSON value, e.g. 30 or '[[\"08:30\",\"12:00\"]]'）")],
    db: DbOption,
):
    """修改本档案的一项设置（Override one setting for this archive.）

    可修改违规检测的设置（section.name）或新媒体检查的设置（newmedia.name）； 每次修改均留痕。

    Override one setting for this archive: a detector's (section.name) or a new-media check's (newmedia.name)."""
    conn = open_archive(str(db)).conn
    before = setting_warnings(conn)
    try:
        set_setting(conn, key, value)
    except RegistryError as e:
        fail_on(e)
    typer.echo(f"{key} = {value}")
    _say_what_follows(conn, key, before)


def _say_what_follows(conn, key: str, before: list[str]) -> None:
    """What a changed setting brings: a new reading of every message, and what the checks
    leave out of the settings since the change (`before`: what they left out before it)."""
    if not key.startswith("newmedia.") and not key.startswith("group."):
        err.print("下次运行 `qunguan classify` 时，规则检测会重新检查全部消息（不再认定的标记自动撤销，已有人处置的保留）"
                  "（the next `qunguan classify` checks every message again with the rule detectors (flags it no longer "
                  "finds are withdrawn, unless someone has decided on them)）")
    _say_setting_warnings(conn, known=before)


def _say_setting_warnings(conn, known: list[str] = ()) -> None:
    """What the checks leave out of the archive's settings (a change may leave another
    setting naming what is no longer there), each said once: but for what was `known`
    before a change, which `config show` and `classify` go on saying. A value stored long
    ago was otherwise said again at every `config set` of any other setting. (`classify`
    says a list leaving out entries of the default once: `setting_warnings`.)"""
    said = [warning for warning in dict.fromkeys(setting_warnings(conn)) if warning not in known]
    for warning in said:
        warn(warning)
    told(conn, said)


@config_app.command("show")
def config_show(
    db: ArchiveOption,
    every: Annotated[bool, typer.Option("--all", help="列出全部设置及其当前值， 不只是修改过的（Every setting with its value here, not only the overrides.）")] = False,
):
    """查看本档案修改过的设置，及默认值、修改人和时间（This archive's overrides, each with the default it replaces and who set it when.）

    加 --all 列出全部设置。 本版本已没有的设置标为 ignored（不再生效）； 检查时不采用的值（在此类值被拒绝之前保存的）在标准错误上列出。

    --all: every setting. A setting this version no longer has is listed as ignored; one
    the checks leave out (a value stored before such values were refused) is named on stderr."""
    import json

    conn = open_archive(str(db)).conn
    # A value the checks leave out is shown with the default that applies instead, so the
    # table never shows as in force what is not (stderr says why).
    changed = [(key, value if default is None or not ignored_value(key, value, default)
                else f"{value} (ignored: the default applies)", default, at, by)
               for key, value, default, at, by in overrides(conn)]
    if every:
        current = {key: value for key, value, *_ in changed}
        print_table(["setting", "value", "default"], (
            [key, current.get(key, shown), shown] for key, shown in
            ((key, json.dumps(default, ensure_ascii=False)) for key, default in setting_defaults().items())))
    else:
        print_table(["setting", "value", "default", "set at", "set by"],
                    ([key, value, "(ignored: not a setting of this version)" if default is None else default, at, by]
                     for key, value, default, at, by in changed),
                    title="overrides (every other setting has its default: `config show --all` lists them)")
    _say_setting_warnings(conn)


@config_app.command("unset")
def config_unset(
    key: Annotated[str, typer.Argument(help="设置项的键， 按 `config show` 所列（section.name, as `config show` lists it）")],
    db: ArchiveOption,
):
    """撤销一项修改，恢复默认值，此操作也留痕（Remove an override: the default applies again (kept in the settings log).）"""
    conn = open_archive(str(db)).conn
    before = setting_warnings(conn)
    try:
        unset_setting(conn, key)
    except RegistryError as e:
        fail_on(e)
    typer.echo(f"{key} unset")
    _say_what_follows(conn, key, before)


def _load_model():
    from classifiers import model as chat_model

    try:
        return chat_model.load()
    except (chat_model.NoModel, chat_model.MismatchedCard) as e:
        fail_on(e)
    except FileNotFoundError as e:  # the model there without its card (a models/ folder copied in part)
        fail_unreadable(e.filename, e)


@app.command()
def train(
    data: Annotated[Optional[Path], typer.Option("--data", metavar="DIR", help="训练语料文件夹， 内有 JSONL 文件（Corpus folder of JSONL files.）")] = None,
    out: Annotated[Optional[Path], typer.Option(
        "--out", metavar="DIR", help="存放模型及其模型卡的文件夹， 默认为 classify 读取模型的 models/ 文件夹"
                                     "（Where the model and its card go (default: the models/ folder classify loads from).）")] = None,
    with_reviews: Annotated[Optional[Path], typer.Option("--with-reviews", metavar="ARCHIVE", help="同时学习此档案中已核查的标记（Also learn from reviewed flags of this archive.）")] = None,
    no_select: Annotated[bool, typer.Option("--no-select", help="不比较各种模型， 直接训练默认模型（Skip the model comparison; train the default.）")] = False,
    task: Annotated[str, typer.Option("--task", help="chat 聊天分类模型， notices 下班时间通知识别模型， 或 proof_demands 过度留痕识别模型（chat: the chat classifier; notices: the model after_hours and repeated_post read with; proof_demands: proof_demand's.）")] = "chat",
):
    """训练聊天分类模型或规则检测器的识别模型，在测试集上评分后保存（Train the chat classifier, or with --task a rule detector's model, score it on the held-out test split, save it with its card.）"""
    from classifiers.corpus import CorpusError
    from classifiers.train import train as run_training
    from detectors.learned import BY_TASK

    if task != "chat" and task not in BY_TASK:
        fail(f"--task {task}: no such model; chat, {', '.join(BY_TASK)}",
             f"--task {task}：没有这个模型；可选 chat、{'、'.join(BY_TASK)}")
    if task != "chat" and with_reviews:
        fail("--with-reviews teaches the chat classifier only; train the detector's model without it",
             "--with-reviews 只用于聊天分类模型；训练规则检测器的识别模型时请去掉它")
    folder = model_folder(out)
    if task != "chat":
        try:
            fitted, report = BY_TASK[task].train(data, select=not no_select, progress=err.print)
        except CorpusError as e:
            fail_on(e)
        _saved(fitted, report, folder, f"{task} model's")
        return
    extra = []
    if with_reviews:
        from review.feedback import reviewed_examples

        if not with_reviews.exists():
            fail(f"{with_reviews}: no such archive", f"{with_reviews}：档案不存在（请检查 --with-reviews 是否写错）")
        # Opened as an archive, a folder ended in SQLite's traceback, and any other file was
        # made an archive: qunguan's tables written into it.
        refuse_users_database(with_reviews, "--with-reviews")
        if not made_by_qunguan(with_reviews):
            fail(f"{with_reviews}: not a qunguan archive; --with-reviews names an archive whose flags were reviewed",
                 f"{with_reviews} 不是群管档案；--with-reviews 后面写核查过标记的档案")
        extra = reviewed_examples(open_archive(str(with_reviews)).conn)
        err.print(f"{len(extra)} reviewed examples from {with_reviews}")
    try:
        fitted, report = run_training(corpus_dir=data, extra=extra, select=not no_select, progress=err.print)
    except CorpusError as e:
        fail_on(e)
    _saved(fitted, report, folder)


def _saved(fitted, report: dict, folder: Path, whose: str = "") -> None:
    path = save_model(fitted, folder)
    print_metrics(report, f"{whose + ' ' if whose else ''}test split ({report['n']} messages)")
    err.print(f"saved {path} (version {fitted.version}, {fitted.card['params']['model']}, "
              f"{fitted.card['training_seconds']} s)")


@app.command()
def evaluate(
    file: Annotated[Path, typer.Argument(help='带标签的 JSONL 文件， 工作消息的标签为空或 work（JSONL lines {"text": ..., "labels": [...]} ([] or ["work"] for work).）')],
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 格式输出评分（Print the metrics as JSON.）")] = False,
):
    """用带标签的文件为已保存的模型评分（Score the saved model on a labelled file.）"""
    import json

    from classifiers.corpus import CorpusError, read_jsonl
    from classifiers.evaluate import metrics

    try:
        examples = read_jsonl(file)
    except CorpusError as e:
        fail_on(e)
    except OSError as e:
        fail_unreadable(file, e)
    if not examples:
        # Scores of nothing would read as a model that failed every category.
        fail(f"{file}: no labelled messages in it", f"{file}：其中没有带标签的消息")
    model = _load_model()
    texts = [e.text for e in examples]
    predicted = model.labels(model.scores(texts), texts)
    # Scores are of one model: name it, so a figure quoted later says which.
    report = {"model": model.detector, **metrics([e.labels for e in examples], predicted)}
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_metrics(report, f"{file} ({len(examples)} messages, model {model.detector})")


@app.command()
def predict(file: Annotated[str, typer.Argument(help='每行含 "text" 字段的 JSONL 文件； 从标准输入读取时写 -（JSONL with a "text" field per line, or - for stdin.）')]):
    """识别消息类别，输出 JSONL（Label messages: JSONL with "labels" and "scores" on stdout.）

    每个对象原样输出， 加上 "labels"（类别）和 "scores"（分值）。

    Label messages: writes each object back with "labels" and "scores" (JSONL on stdout)."""
    import json

    model = _load_model()
    # Read as bytes and decoded a line at a time: a file that is not UTF-8 (GBK, as Excel
    # saves text on a Chinese Windows) is refused at its first such line, by number.
    stream = sys.stdin.buffer if file == "-" else _open_bytes(file)
    bad = 0
    batch: list[dict] = []

    def flush() -> None:
        for item, (labels, scores) in zip(batch, model.predict([b["text"] for b in batch])):
            typer.echo(json.dumps({**item, "labels": labels, "scores": scores}, ensure_ascii=False))
        batch.clear()

    for number, raw in enumerate(stream, start=1):
        try:
            line = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            flush()  # the lines before it are answered, as a bad line's neighbours are
            fail(f"{file}:{number}: not UTF-8 text; save the file as UTF-8 and run this again",
                 f"{file} 第 {number} 行：不是 UTF-8 文本；请把文件另存为 UTF-8 后重新运行")
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError
        except ValueError:
            bad += 1
            warn(Problem(f"{file}:{number}: not a JSON object with a \"text\" string; skipped",
                         f"{file} 第 {number} 行：不是含 \"text\" 文字的 JSON 对象，已跳过"))
            continue
        batch.append(item)
        if len(batch) >= 2000:
            flush()
    flush()
    if bad:
        raise typer.Exit(1)


def _open_bytes(file: str):
    try:
        return open(file, "rb")
    except OSError as e:
        fail_unreadable(file, e)


@app.command()
def classify(
    db: ArchiveOption,
    silent: Annotated[bool, typer.Option("--silent", help="不显示进度条（No progress bar.）")] = False,
):
    """识别违规，只检查尚未检查过的消息（Flag archive messages not yet seen by the current model and rule detectors (incremental).）"""
    from classifiers.classify import classify_messages
    from detectors.run import run_rules
    from newmedia.checks import run_newmedia
    from review.handling import latest_id, withdrawn_since

    archive = open_archive(str(db))
    model = _load_model()
    decided_before = latest_id(archive.conn)
    with Progress("[progress.description]{task.description}", BarColumn(), TimeRemainingColumn(),
                  console=err, disable=silent, transient=True) as bar, bulk_work():
        task = bar.add_task("model", total=None)
        added = classify_messages(archive.conn, model, lambda done, total: bar.update(task, completed=done, total=total))
        bar.update(task, description="rules", completed=0, total=None)
        by_rules, warnings, settled = run_rules(archive.conn,
                                                lambda done, total: bar.update(task, completed=done, total=total))
        bar.update(task, description="new media", completed=0, total=None)
        by_newmedia, more_warnings, settled_accounts = run_newmedia(archive.conn)
    warnings += setting_warnings(archive.conn, once=True)
    for warning in dict.fromkeys(warnings + more_warnings):
        warn(warning)
    typer.echo(f"flags added {added + by_rules + by_newmedia}\t"
               f"(model {added}, rules {by_rules}, new media {by_newmedia}; {model.detector})")
    say_settled(withdrawn_since(archive.conn, decided_before), "message")
    say_settled(settled)
    say_settled(settled_accounts, "account")


if __name__ == "__main__":
    app()

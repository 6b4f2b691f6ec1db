"""`qunguan users …`, `serve`, `verify`, `report` and `reviews export`: thin commands over
the review package's functions."""
from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from cli_output import (ArchiveOption, Commands, DbOption, command_line, day_option, echo_fields, err, escape, fail,
                        fail_on, pasteable, print_table, warn)
from detectors.setting_values import Problem
from ingest.schema import open_archive

users_app = typer.Typer(cls=Commands, no_args_is_help=True, help="网页登录账号及其角色（Who may log in to the web UI, and as what.）")
reviews_app = typer.Typer(cls=Commands, no_args_is_help=True, help="核查人的处置决定，用于改进模型（Supervisors' decisions, fed back to the models.）")


def _users_conn(db: Path):
    from review import auth

    open_archive(str(db))
    return auth.connect(auth.users_path(db))


def _refuse(error: Exception, db: Path) -> None:
    """`fail_on` a refused change of a user: the `qunguan users …` commands its hints name
    (auth knows no archive) given the --db they need, to paste as they are."""
    def pasteable(said: str) -> str:
        return re.sub(r"`(qunguan users [^`]*)`", lambda m: f"`{m.group(1)} --db {shlex.quote(str(db))}`", said)

    zh = getattr(error, "zh", None)
    fail(pasteable(str(error)), pasteable(zh) if zh else None)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="登录名（Login name.）")],
    db: DbOption,
    role: Annotated[str, typer.Option(help="角色： supervisor 核查人、auditor 审计或 admin 管理员（supervisor, auditor or admin.）")] = "supervisor",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="从标准输入读取密码（Read the password from stdin.）")] = False,
):
    """新建账号，密码在提示时输入或从标准输入读取（Create a user (the password is asked for, or read from stdin).）"""
    from review import auth

    # Asked before the archive is opened, which makes it and its users file: a prompt given up
    # ("未作任何改动") leaves no empty archive behind.
    password = _read_password(password_stdin)
    try:
        user = auth.add_user(_users_conn(db), name, role, password, by=_os_user())
    except auth.AuthError as e:
        _refuse(e, db)
    typer.echo(f"user {user.name}\trole {user.role}")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    # Asked twice here, not with click's confirmation_prompt: click says a mismatch in English only.
    while (password := typer.prompt("密码（password）", hide_input=True)) != typer.prompt("再输入一次密码（repeat）",
                                                                                       hide_input=True):
        err.print("两次输入的密码不一致，请重新输入（the two entered values do not match; enter them again）",
                  highlight=False)
    return password


# A user already there, named as `users list` shows them.
UserName = Annotated[str, typer.Argument(help="登录名， 即 `users list` 所列的（The user's login name, as `users list` shows it.）")]


@users_app.command("password")
def users_password(
    name: UserName,
    db: ArchiveOption,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="从标准输入读取密码（Read the password from stdin.）")] = False,
):
    """重设账号密码，其已登录的会话随即失效（Set a new password for a user (asked for, or read from stdin); their open sessions end.）"""
    from review import auth

    conn = _users_conn(db)
    try:
        auth.set_password(conn, name, _read_password(password_stdin), by=_os_user())
    except auth.AuthError as e:
        _refuse(e, db)
    typer.echo(f"user {name}\tpassword changed")
    _say_still_disabled(conn, name, db, "新密码", "the new password")


def _say_still_disabled(conn, name: str, db: Path, done_zh: str, done: str) -> None:
    """Warn when `name` is disabled: an admin who resets the password of, or unlocks, someone
    who cannot log in may think it lets them."""
    from review import auth

    if auth.get_user(conn, name).disabled:
        enable = command_line('qunguan', 'users', 'enable', name, '--db', db)
        done = f"{done} does not let them log in" if done else "they cannot log in"
        err.print(f"[yellow]注意：{escape(name)} 已停用，{done_zh}在 `{enable}` 恢复其登录之前不能登录（{escape(name)} is "
                  f"disabled: {done} until `{enable}`）[/yellow]")


@users_app.command("list")
def users_list(db: ArchiveOption):
    """列出账号、角色及是否已停用（The users, their roles and whether they are disabled.）"""
    from review import auth

    # A table with its header like the other lists: four bare columns left the admin to
    # guess what the time was. Said in Chinese first, the English after it; the role as
    # --role takes it.
    print_table(["登录名（name）", "角色（role）", "状态（status）", "建立时间（created）"],
                ([user["name"], user["role"], "已停用（disabled）" if user["disabled"] else "可登录（active）",
                  user["created_at"]] for user in auth.list_users(_users_conn(db))))


@users_app.command("disable")
def users_disable(name: UserName, db: ArchiveOption):
    """停用账号：不能再登录，已登录的会话立即失效（Disable a user: they can no longer log in, and an open session stops working at once.）"""
    from review import auth

    _change_user(auth.disable_user, name, db, "disabled")


@users_app.command("enable")
def users_enable(name: UserName, db: ArchiveOption):
    """恢复已停用账号的登录，密码不变（Let a disabled user log in again, with the password they had.）

    此项变更与账号的其他变更一样留痕。

    Let a disabled user log in again, with the password they had (logged, like every change to a user)."""
    from review import auth

    _change_user(auth.enable_user, name, db, "enabled")


@users_app.command("unlock")
def users_unlock(name: UserName, db: ArchiveOption):
    """解除账号因多次登录失败而被锁定的状态（Lift the lock that failed logins put on a user's account.）

    对所有来源地址一并解除， 并记入账号变更记录； 密码和已登录的会话不变。

    Lift the lock that failed logins put on a user's account, from every address (logged, like every change to a
    user); their password and open sessions stay."""
    from review import auth

    if _change_user(auth.unlock_user, name, db, "unlocked", unchanged="not locked"):
        err.print(f"已解除 {escape(name)} 的登录锁定，此前的失败登录不再计入；如仍有人猜测密码，达到次数后会再次锁定"
                  f"（the failed logins before no longer count; guessing goes on locking it again）", highlight=False)
        _say_still_disabled(_users_conn(db), name, db, "解除锁定后", "lifting the lock")
        return
    # Nothing is wrong, but what keeps the owner out is something else: told 已解除, the admin
    # would look no further.
    err.print(f"{escape(name)} 的账号未被锁定，无需解除，未作改动；无法登录请核对用户名和密码"
              f"（{escape(name)} is not locked: nothing changed）", highlight=False)
    _say_still_disabled(_users_conn(db), name, db, "", "")


def _change_user(change, name: str, db: Path, done: str, unchanged: str = "") -> bool:
    """`change(users, name, by=…)` made by whoever runs the command; its refusal in one line.
    False when `change` returned False, having nothing to change: then `unchanged` is said."""
    from review import auth

    try:
        changed = change(_users_conn(db), name, by=_os_user()) is not False
    except auth.AuthError as e:
        _refuse(e, db)
    typer.echo(f"user {name}\t{done if changed else unchanged}")
    return changed


def _os_user() -> str:
    from ingest.sources import os_user

    return os_user()


def serve(
    db: ArchiveOption,
    port: Annotated[int, typer.Option(help="监听的端口（Port to listen on.）", min=0, max=65535)] = 8001,
    host: Annotated[str, typer.Option(help="绑定的地址； 默认只供本机访问（Address to bind; the default serves this machine only.）")] = "127.0.0.1",
    allow_host: Annotated[Optional[list[str]], typer.Option(
        help="网站另外可用的主机名或地址， 如服务器在单位内网中的名称； 可多次给出。 localhost、127.0.0.1、::1 和 --host 总是允许"
             "（Another host name (or address) the site may be opened by, e.g. the server's name in the office; "
             "repeat for more. localhost, 127.0.0.1, ::1 and --host are always allowed.）")] = None,
):
    """启动网页服务，登录后查看档案、核查处置（Serve the archive, review queue and handling forms (login required) with Datasette.）"""
    import socket

    import uvicorn

    from review import auth, site

    archive = open_archive(str(db))
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        # As uvicorn binds: a port its last run left in TIME_WAIT is free to take.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as e:
            fail(f"cannot listen on {host}:{port} ({e.strerror}): another program uses the port; pass --port, e.g. "
                 f"--port {port + 1}", f"无法在 {host}:{port} 上提供服务：端口已被其他程序占用；请用 --port 换一个，如 --port {port + 1}")
    if not auth.list_users(_users_conn(db)):
        # The command to paste as it is: without --db it would be refused.
        add = command_line('qunguan', 'users', 'add', 'NAME', '--role', 'supervisor', '--db', db)
        err.print(f"[yellow]注意：还没有用户，谁都无法登录；请用 `{add}` 添加（NAME 换成登录名）"
                  f"（no users yet: nobody can log in; add one with `{add}`）[/yellow]")
    ds = site.make_datasette(db, host, tuple(allow_host or ()))
    url = f"http://{f'[{host}]' if ':' in host else host}:{port}/-/login"  # an IPv6 address is bracketed in a URL
    err.print(f"正在提供档案 {escape(str(db))}：{url}（按 Ctrl-C 停止）"
              f"（serving {escape(str(db))} at {url} (Ctrl-C to stop)）", highlight=False)
    try:
        # No proxy headers: uvicorn would otherwise take X-Forwarded-For from a client on
        # this machine as its address, which the login lock and the login log go by.
        uvicorn.run(ds.app(), host=host, port=port, log_level="warning", proxy_headers=False)
    finally:
        # Everything recorded goes into the archive file itself, not only its -wal beside
        # it: a copy of the file alone is then the whole archive. Another program reading
        # the archive holds that up: say so rather than wait on it.
        archive.conn.execute("pragma busy_timeout = 2000")
        busy, _, _ = archive.conn.execute("pragma wal_checkpoint(truncate)").fetchone()
        if busy:
            warn(Problem(f"another program is reading {db}: recent changes stay in {db}-wal until it stops; "
                         "copy both files (or run `qunguan verify` later) for a backup",
                         f"有其他程序正在读取 {db}：最近的改动在它停止前留在 {db}-wal 中；备份时请连同两个文件一起复制"
                         "（或稍后运行 `qunguan verify`）"))


def verify(db: ArchiveOption):
    """校验留痕链，发现问题时退出码为 1（Check the trails; exit 1 when anything is wrong.）

    校验各条哈希链（列出行数和末行哈希， 可与此前的运行结果对照）， 审核状态与处置决定是否一致， 有无悬空的引用， 以及只可追加的触发器是否完好。

    Check the trails: the hash chains (with their row counts and head hashes, to compare
    with an earlier run), the review status against the decisions, dangling references
    and the append-only triggers. Exit 1 when anything is wrong."""
    from review.audit import verify as checks

    failed = False
    for check in checks(open_archive(str(db)).conn):
        echo_fields(check.subject, *check.detail)
        failed = failed or not check.ok
    if failed:
        raise typer.Exit(1)


def report(
    db: ArchiveOption,
    since: Annotated[Optional[str], typer.Option("--from", metavar="YYYY-MM-DD",
                                                 help="起始日， 默认上周一（First day; default: Monday of last week.）")] = None,
    until: Annotated[Optional[str], typer.Option("--to", metavar="YYYY-MM-DD",
                                                 help="截止日， 默认起始日后第六天； 只给 --to 时为截至该日的一周"
                                                      "（Last day; default: six days after the first (given alone: "
                                                      "the week ending that day).）")] = None,
    unit: Annotated[Optional[str], typer.Option(help="只报告该单位的群和新媒体账号， 单位名按 `groups set --unit` 或台账所写"
                                                     "（Only this unit's groups and new-media accounts (as `groups set "
                                                     "--unit` or the 台账 wrote it).）")] = None,
):
    """按群规 第七条向领导报告一段时期的情况（The report for leaders on a period, in Chinese Markdown on stdout.）

    以中文 Markdown 输出到标准输出： 各群消息情况， 按类别和条款统计的违规， 已处置和待处置的问题， 以及新媒体账号的同样内容。

    The report for leaders on a period, in Chinese Markdown on stdout: activity per
    group, breaches by category and article, what is handled and what is still waiting,
    and the same for the new-media accounts."""
    from ingest.records import local_now
    from review.report import period, report as write_report, unchecked

    first, last = day_option("--from", since), day_option("--to", until)
    try:
        start, end = period(first, last, local_now().date())
    except ValueError as e:
        fail_on(e)
    conn = open_archive(str(db)).conn
    units = [row[0] for row in conn.execute("select unit from groups where unit is not null union "
                                            "select unit from accounts order by unit")]
    if unit is not None and unit not in units:
        fail(f"--unit {unit!r}: no group or new-media account is registered under that unit; units: "
             f"{', '.join(units) or 'none yet'} (qunguan groups set GROUP --unit UNIT, qunguan accounts import)",
             f"--unit {unit!r}：没有登记在该单位名下的群或新媒体账号；已登记的单位：{'、'.join(units) or '尚无'}"
             "（用 qunguan groups set 群名 --unit 单位 或 qunguan accounts import 登记）")
    typer.echo(write_report(conn, start, end, unit), nl=False)
    imported, older_rules = unchecked(conn, start, end, unit)
    classify = pasteable("qunguan", "classify", "--db", db)
    if imported:
        warn(Problem(f"{imported} messages of the period were imported after the last `qunguan classify`: the report "
                     f"counts no breaches in them (it says so); run `{classify}` and make the report again",
                     f"本期有 {imported} 条消息是在最近一次 `qunguan classify` 之后导入的，报告未统计其中的违规（报告中已注明）；"
                     f"请运行 `{classify}` 后重新生成报告"))
    if older_rules:
        warn(Problem(f"{older_rules} messages of the period were checked only by an older version of the rules (qunguan "
                     "was upgraded since the last `qunguan classify`): the report counts what the older rules found (it "
                     f"says so); run `{classify}` and make the report again",
                     f"本期有 {older_rules} 条消息只经过旧版识别规则检查（最近一次 `qunguan classify` 之后 qunguan 已升级），"
                     f"报告只统计了旧版规则发现的违规（报告中已注明）；请运行 `{classify}` 后重新生成报告"))


@reviews_app.command("export")
def reviews_export(db: ArchiveOption):
    """导出已核查的模型标记，属实为正例、误报为反例（Reviewed model flags as labelled JSONL (confirmed → positive, dismissed → negative).）"""
    import json

    from review.feedback import reviewed

    for item in reviewed(open_archive(str(db)).conn):
        typer.echo(json.dumps(item, ensure_ascii=False))

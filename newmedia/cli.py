"""`qunguan accounts …` and `qunguan posts …`: thin commands over newmedia's functions."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer

from cli_output import (SETTING_VALUE, ArchiveOption, Commands, DbOption, day_option, err, escape, fail, fail_on,
                        model_folder, print_metrics, print_table, save_model, say_settled, warn)
from detectors.setting_values import Problem
from ingest.schema import FILING_ACTIONS, open_archive

accounts_app = typer.Typer(cls=Commands, no_args_is_help=True, help="新媒体账号：台账、备案和账号检查（New-media accounts: the 台账, filings and the registry checks.）")
posts_app = typer.Typer(cls=Commands, no_args_is_help=True, help="新媒体帖子：导入平台导出文件，训练分类模型（New-media posts: import platform exports, train the posts classifier.）")



def _exists(path: Path) -> None:
    if path.is_dir():
        fail(f"{path}: a folder; name the file in it (.xlsx or CSV)", f"{path} 是文件夹；请写出其中的文件（.xlsx 或 CSV）")
    if not path.exists():  # /dev/null or a pipe (`<(iconv …)`) is there, and is read
        fail(f"{path}: no such file", f"{path}：文件不存在")


@accounts_app.command("import")
def accounts_import(
    file: Annotated[Path, typer.Argument(help="新媒体台账： 带中文表头的 .xlsx 或 CSV（The 台账: .xlsx or CSV (UTF-8 or GB18030) with Chinese headers.）")],
    db: DbOption,
):
    """导入新媒体台账，重新导入只更新账号，不会重复（Load the account ledger; a re-import updates accounts, never duplicates them.）"""
    from newmedia.registry import RegistryError, import_accounts, read_accounts
    from newmedia.table import TableError

    _exists(file)
    try:
        accounts, errors = read_accounts(file)
    except (TableError, RegistryError) as e:
        fail_on(e)
    for error in errors:
        err.print(f"[yellow]{escape(str(error))}[/yellow]", highlight=False)
    if not accounts:
        fail(f"{file}: no account rows read",
             f"{file}：没有读到台账的账号行（{'原因见上方各行' if errors else '表头下面没有内容'}）")
    result = import_accounts(open_archive(str(db)).conn, accounts, errors)
    for error in result.errors[len(errors):] + result.notes:
        err.print(f"[yellow]{escape(file.name)} {escape(error)}[/yellow]", highlight=False)
    typer.echo(f"accounts added {result.added}\tupdated {result.updated}\tunchanged {result.unchanged}\t"
               f"filings {result.filings}\tbad rows {len(result.errors)}")


@accounts_app.command("file")
def accounts_file(
    account: Annotated[str, typer.Argument(help="账号名称、在平台上的 ID 或网址， 或 #账号序号（The account's name, its id/URL on the platform, or #<registry id>.）")],
    db: ArchiveOption,
    action: Annotated[str, typer.Option(
        "--action", metavar="|".join(FILING_ACTIONS), help="备案事项： 开设、变更或关停（What is filed: an opening, a change or a closing.）")],
    filed_on: Annotated[str, typer.Option("--filed-on", metavar="YYYY-MM-DD", help="向监管部门备案的日期（The day it was filed with the supervisor.）")],
    effective_on: Annotated[str, typer.Option("--effective-on", metavar="YYYY-MM-DD", help="生效日期（The day it takes effect.）")],
    details: Annotated[str, typer.Option(metavar="TEXT", help="变更内容， 如新名称、关停原因（What changes (new name, reason for closing …).）")] = "",
    platform: Annotated[Optional[str], typer.Option(help="同名账号在多个平台上时， 写明平台（The platform, when the name is used on several.）")] = None,
):
    """按新媒体 第六条记录账号开设、变更或关停的备案，只可追加（Record a filing (开设/变更/关停, 新媒体 第六条) in the append-only log.）"""
    from detectors.after_hours import Calendar
    from detectors.base import load_config
    from newmedia.checks import working_days_ahead
    from newmedia.registry import RegistryError, record_filing
    from newmedia.settings import load_settings

    conn = open_archive(str(db)).conn
    try:
        filing = record_filing(conn, account, action, filed_on, effective_on, details, platform)
    except RegistryError as e:
        fail_on(e)
    calendar = Calendar(load_config(conn)["after_hours"])
    ahead, _ = working_days_ahead(date.fromisoformat(filing["filed_on"]), date.fromisoformat(filing["effective_on"]),
                                  calendar)
    typer.echo(f"filing {filing['id']}\t{filing['platform']}「{filing['account']}」\t{filing['action']}\t"
               f"filed {filing['filed_on']}\teffective {filing['effective_on']}\tworking days ahead {ahead}")
    required = load_settings(conn)["filing_working_days"]
    if ahead < required:
        err.print(f"[yellow]late:[/yellow] {ahead} working days ahead, {required} required (新媒体 第六条); "
                  "the next check flags it", highlight=False)
    for warning in calendar.warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(warning)}", highlight=False)


@accounts_app.command("list")
def accounts_list(db: ArchiveOption):
    """列出台账：按单位和平台列出各账号及监管部门（The registry: accounts by unit and platform, with where each is supervised.）"""
    from ingest.records import local_now
    from newmedia.registry import apply_filings

    conn = open_archive(str(db)).conn
    apply_filings(conn, local_now().date())  # a closing filed ahead shows from its day on
    print_table(["id", "unit", "platform", "name", "kind", "supervised by", "status", "open flags"],
                conn.execute("select account_id, unit, platform, name, kind, supervising_body, status, open_flags "
                             "from account_supervision order by unit, platform, name"))


@accounts_app.command("config", context_settings=SETTING_VALUE)
def accounts_config(
    name: Annotated[str, typer.Argument(help="设置项名称（dormant_days, filing_working_days, unit_names, division_suffixes, "
                                             "personal_registrant_types or shop_domains）")],
    value: Annotated[str, typer.Argument(help='JSON 格式的值（A JSON value, e.g. 90 or \'{"中共宜春市委宣传部": ["宜春发布"]}\'）')],
    db: DbOption,
):
    """修改本档案的一项新媒体检查设置（Override one of the new-media checks' settings for this archive.）"""
    from newmedia.settings import SettingError, set_setting

    try:
        set_setting(open_archive(str(db)).conn, name, value)
    except SettingError as e:
        fail_on(e)  # said as `config set newmedia.…` says it
    typer.echo(f"{name} = {value}")


@accounts_app.command("check")
def accounts_check(
    db: ArchiveOption,
    today: Annotated[Optional[str], typer.Option(
        metavar="YYYY-MM-DD", help="按这一天检查， 默认今天； 不是今天时只添加发现的问题， 不办结也不重新打开标记"
             "（Try the checks as of this day (default: today); another day than today "
             "adds what it finds but closes and reopens no flag.）")] = None,
):
    """检查新媒体账号并为新帖子评分，classify 也做这一步（Run the account checks and score new posts (what `qunguan classify` also does).）"""
    from newmedia.checks import run_newmedia

    added, warnings, settled = run_newmedia(open_archive(str(db)).conn, day_option("--today", today))
    for warning in warnings:
        warn(warning)
    typer.echo(f"flags added {added}")
    if settled is None:
        err.print(f"按 {today} 检查，不是今天：没有办结或重新打开任何账号标记（不加 --today 运行才会办结或重新打开）"
                  f"（checked as of {today}, not today: no account flag was closed or opened again "
                  "(run without --today to settle them)）", highlight=False)
    else:
        say_settled(settled, "account")


@posts_app.command("import")
def posts_import(
    file: Annotated[Path, typer.Argument(help="平台后台导出的帖子： .xlsx 或 CSV（A platform back end's export of posts: .xlsx or CSV.）")],
    db: ArchiveOption,
    account: Annotated[Optional[str], typer.Option(metavar="NAME", help="所属账号， 用于没有“账号”列的导出（The account, for exports without an 账号 column.）")] = None,
    platform: Annotated[Optional[str], typer.Option(help="同一账号名在多个平台上时， 写明平台（The platform, when an account name is on several.）")] = None,
):
    """导入帖子，重复导入只添加新内容，每个文件一个事务（Import posts; re-importing adds only what is new; one transaction per file.）"""
    from newmedia.posts import import_posts
    from newmedia.registry import RegistryError
    from newmedia.table import TableError

    _exists(file)
    try:
        result = import_posts(open_archive(str(db)).conn, file, account, platform)
    except (TableError, RegistryError) as e:
        fail_on(e)
    typer.echo(f"{result.name}\t{result.format}\tnew {result.new}\talready present {result.duplicate}\t"
               f"rejected {result.rejected}")
    for number, reason in result.rejects[:20]:
        err.print(f"[yellow]rejected[/yellow] {escape(result.name)} 第 {number} 行：{escape(reason)}", highlight=False)
    if len(result.rejects) > 20:
        err.print(f"[yellow]… {len(result.rejects) - 20} more rejected rows are in the rejects table[/yellow]")
    for number, note in result.notes[:20]:
        err.print(f"[yellow]warning:[/yellow] {escape(result.name)} 第 {number} 行：{escape(note)}", highlight=False)
    if len(result.notes) > 20:
        err.print(f"[yellow]… {len(result.notes) - 20} more rows with a count left empty (the cells are in posts.raw)[/yellow]")
    if result.after_closing:
        warn(Problem(f"{result.after_closing} posts were published after their account's closing day (新媒体 第六条); "
                     "the next check flags them",
                     f"有 {result.after_closing} 篇帖子发布在其账号关停之后（新媒体 第六条）；下次检查会标记它们"))


@posts_app.command("train")
def posts_train(
    data: Annotated[Optional[Path], typer.Option("--data", metavar="DIR", help="帖子语料文件夹， 内有 JSONL 文件（Posts corpus folder (JSONL).）")] = None,
    out_dir: Annotated[Optional[Path], typer.Option("--out", metavar="DIR", help="存放 posts.skops 及其模型卡的文件夹， 默认为 classify 读取模型的 models/ 文件夹（Where posts.skops and its card go (default: the models/ folder classify loads from).）")] = None,
    no_select: Annotated[bool, typer.Option("--no-select", help="不比较各种模型， 直接训练默认模型（Skip the model comparison; train the default.）")] = False,
):
    """训练帖子分类模型（广告、个人观点）并保存（Train the posts classifier (advertising, personal_opinion) and save it.）

    先在留出的测试集上评分， 再保存模型。

    Train the posts classifier (advertising, personal_opinion), score it on the held-out split, save it."""
    from classifiers.corpus import CorpusError
    from newmedia.classify import CORPUS_DIR, chat_on_posts, train_posts

    folder = model_folder(out_dir)
    corpus = data or CORPUS_DIR
    try:
        fitted, report = train_posts(corpus, select=not no_select, progress=err.print)
        chat_report = chat_on_posts(corpus)
    except CorpusError as e:
        fail_on(e)
    if chat_report:
        fitted.card["chat_model_on_posts"] = chat_report
    path = save_model(fitted, folder)
    print_metrics(report, f"posts test split ({report['n']} posts)")
    if chat_report:
        print_metrics(chat_report, f"chat model's rumour/sensitive on the posts test split ({chat_report['n']} posts)")
    err.print(f"saved {path} (version {fitted.version}, {fitted.card['params']['model']}, "
              f"{fitted.card['training_seconds']} s)")

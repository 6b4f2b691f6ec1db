"""A command line typed wrong (no --db, a mistyped option or command, a word too many) said
in Chinese first, the English after it, as every other error of qunguan: click says these
in English only, in a box. So is the help of the options click and typer add themselves."""
from __future__ import annotations

import difflib
import re
import sys

import typer
import typer.core

# click's exceptions, wherever this typer takes click from (its own copy, or click).
_click = sys.modules[typer.BadParameter.__module__]
UsageError = _click.UsageError


# The help of the options click and typer add to every command (--help) or to qunguan
# itself (completion), Chinese first as qunguan's own options say theirs.
OWN_OPTIONS_ZH = {
    "Show this message and exit.": "显示本说明并退出（Show this message and exit.）",
    "Install completion for the current shell.": "为当前 shell 安装命令补全（Install completion for the current shell.）",
    "Show completion for the current shell, to copy it or customize the installation.":
        "显示当前 shell 的命令补全脚本， 供复制或自行安装（Show completion for the current shell, to copy it or customize "
        "the installation.）",
    "Install completion for the specified shell.": "为指定的 shell 安装命令补全（Install completion for the specified shell.）",
    "Show completion for the specified shell, to copy it or customize the installation.":
        "显示指定 shell 的命令补全脚本， 供复制或自行安装（Show completion for the specified shell, to copy it or customize "
        "the installation.）",
}


def is_usage_error(error: BaseException) -> bool:
    """Whether `error` is click refusing the command line (not a group run bare, which shows
    its help)."""
    return isinstance(error, _click.UsageError) and type(error).__name__ != "NoArgsIsHelpError"


def usage_zh(error) -> str:
    """What is wrong with the command line, in Chinese, from what click knows of it."""
    if isinstance(error, _click.MissingParameter) and error.param is not None:
        what = "参数" if isinstance(error.param, typer.core.TyperArgument) else "选项"
        return f"缺少{what} {error.param.opts[0] if what == '选项' else error.param.metavar}"
    if isinstance(error, _click.BadParameter):
        hint = error.param_hint or (error.param.opts[0] if error.param is not None else "")
        return f"{hint} 的值不可用".strip()
    if isinstance(error, _click.NoSuchOption):
        alike = f"；是否指 {' 或 '.join(sorted(error.possibilities))}？" if error.possibilities else ""
        return f"没有选项 {error.option_name}{alike}"
    if isinstance(error, _click.BadOptionUsage):
        if "requires" in error.message:
            return f"选项 {error.option_name} 后面缺少它的值"
        return f"选项 {error.option_name} 不带值" if "does not take" in error.message else f"选项 {error.option_name} 用法有误"
    if command := re.match(r"No such command '(.*?)'\.", error.message):
        return f"没有命令 {command[1]!r}{_alike_command(error.ctx, command[1])}"
    if extra := re.fullmatch(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", error.message):
        return f"多余的参数：{extra[1]}（一个值中有空格时，请给它加引号）"
    return "命令行用法有误"


def _alike_command(ctx, name: str) -> str:
    alike = difflib.get_close_matches(name, ctx.command.list_commands(ctx), n=2) if ctx is not None else []
    return f"；是否指 {' 或 '.join(alike)}？" if alike else ""


def usage_hint(error) -> str | None:
    """The command's usage line, and where its help is, in Chinese first; None without a
    command to name."""
    if error.ctx is None:
        return None
    usage = error.ctx.get_usage().removeprefix("Usage:").strip()
    help_line = f"{error.ctx.command_path} --help"
    return f"用法：{usage}；`{help_line}` 查看说明（try '{help_line}' for help）"

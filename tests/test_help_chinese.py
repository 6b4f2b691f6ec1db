"""`qunguan --help` and every command's help read in Chinese first, the English after it,
as every message qunguan prints does: the admins who type these commands read Chinese."""
import re

import pytest
import typer
from typer.testing import CliRunner

from cli import app

# Chinese at the start, or after one word that is a name (JSONL 文件, 群管 qunguan …).
CHINESE_FIRST = re.compile(r"\s*(?:\S+ )?[\u4e00-\u9fff]")
ENGLISH = re.compile(r"[A-Za-z]{3,}")


def every_command(command, ctx):
    """The context of `command` and of each command and group below it, each reached as
    click reaches it when a user types its name (`get_command`, which the help goes by)."""
    yield ctx
    for name in getattr(command, "commands", {}):
        sub = command.get_command(ctx, name)
        yield from every_command(sub, typer.Context(sub, info_name=name, parent=ctx))


def commands() -> list:
    root = typer.main.get_command(app)
    return list(every_command(root, typer.Context(root, info_name="qunguan")))


def shown(ctx, columns: int = 400) -> str:
    """`--help` of the command of `ctx`, on a terminal `columns` wide."""
    return CliRunner().invoke(app, [*ctx.command_path.split()[1:], "--help"], env={"COLUMNS": str(columns)}).output


def described(ctx) -> str:
    """The description `--help` prints under the usage line, for the command of `ctx`."""
    lines = [line.strip() for line in shown(ctx).splitlines()]
    usage = next(i for i, line in enumerate(lines) if line.startswith("Usage:"))
    return next(line for line in lines[usage + 1:] if line)


def test_the_tree_holds_every_command_and_group():
    # The check below goes by this walk: it must reach the groups' commands, not the root alone.
    paths = {ctx.command_path for ctx in commands()}
    assert {"qunguan", "qunguan ingest", "qunguan users", "qunguan users add", "qunguan accounts file"} <= paths
    assert len(paths) > 30


def chinese_first(text: str) -> bool:
    return bool(CHINESE_FIRST.match(text) and ENGLISH.search(text))


def test_every_command_and_group_is_described_in_chinese_first_the_english_kept():
    # Both in its own --help and in the list of its group's commands, by its summary.
    not_chinese = [f"{ctx.command_path}: {said}" for ctx in commands()
                   for said in (described(ctx), ctx.command.short_help or ctx.command.help)
                   if not chinese_first(said)]
    assert not_chinese == []


def test_every_argument_and_option_is_explained_in_chinese_first_the_english_kept():
    # --help itself too: click's "Show this message and exit." stood alone in English.
    not_chinese = [f"{ctx.command_path} {param.name}: {param.help}" for ctx in commands()
                   for param in ctx.command.get_params(ctx) if not chinese_first(param.help or "")]
    assert not_chinese == []


@pytest.mark.parametrize("columns", [60, 80, 100, 120])
def test_no_line_of_the_help_is_cut_short(columns):
    # rich cut the last letter of a line holding Chinese that filled its column for an
    # ellipsis (`only what i…`), and typer a run of Chinese longer than the column of the
    # options' help, with the rest of the sentence after it.
    cut = [f"{ctx.command_path}: {line.strip()}" for ctx in commands()
           for line in shown(ctx, columns).splitlines() if re.search(r"…\s*│?\s*$", line)]
    assert cut == []

"""Every command a user can type has help text and is documented in the README."""
import re
from pathlib import Path

import typer
from typer.testing import CliRunner

from cli import app

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def commands(typer_app: typer.Typer, prefix: str = "qunguan"):
    for command in typer_app.registered_commands:
        yield f"{prefix} {command.name or command.callback.__name__.replace('_', '-')}", command.callback
    for group in typer_app.registered_groups:
        yield from commands(group.typer_instance, f"{prefix} {group.name}")


def test_every_command_has_help_and_is_in_the_readme():
    missing_help = [name for name, callback in commands(app) if not (callback.__doc__ or "").strip()]
    missing_docs = [name for name, _ in commands(app) if name not in README]
    assert missing_help == [] and missing_docs == []


def test_the_readme_has_the_two_setup_commands_and_a_chinese_quick_start():
    assert "make demo" in README and "make test" in README and "快速上手" in README
    assert (Path(__file__).parent.parent / ".ci" / "run").read_text().strip().endswith("make test")


def test_each_command_is_listed_with_its_summary_in_one_piece():
    # Typer printed a summary with its docstring's line breaks: ragged half-lines in every list.
    for group in ["", *(g.name for g in app.registered_groups)]:
        listing = CliRunner().invoke(app, [*filter(None, [group]), "--help"], env={"COLUMNS": "400"}).output
        for name, callback in commands(app):
            if name.rsplit(" ", 1)[0] == f"qunguan {group}".strip():
                summary = " ".join(callback.__doc__.split("\n\n")[0].split())
                assert summary in listing, name


def _help(*command: str) -> str:
    text = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "400"}).output
    return " ".join(text.replace("│", " ").split())


def test_ingest_help_says_what_group_does_and_names_the_formats_format_takes():
    from ingest.formats import BY_NAME

    shown = _help("ingest")
    # --group names a file given alone whatever it calls its chat; among others, only
    # those that name no group (README "Ingesting exports"). Said in Chinese first.
    assert "--group NAME 单独导入的文件一律归入此群" in shown
    assert "The group of a file given alone, whatever it calls its chat" in shown
    assert "with a folder, a zip or several paths, of the files that name no group" in shown
    assert all(name in shown for name in BY_NAME)


def test_every_option_taking_a_day_says_how_to_write_it():
    for *command, option in (("groups", "set", "--temporary-until"), ("groups", "set", "--dissolved"),
                             ("roster", "remove", "--on"), ("ingest", "--date"), ("report", "--from"),
                             ("report", "--to"), ("accounts", "file", "--filed-on"),
                             ("accounts", "file", "--effective-on"), ("accounts", "check", "--today")):
        assert f"{option} YYYY-MM-DD" in _help(*command), option


def test_every_argument_and_option_says_what_it_takes():
    # `users password NAME` listed a bare name: a login name, or the person's?
    def leaves(command, path):
        for name, sub in getattr(command, "commands", {}).items():
            yield from leaves(sub, [*path, name])
        if not hasattr(command, "commands"):
            yield " ".join(path), command

    unexplained = [f"{path} {param.name}" for path, command in leaves(typer.main.get_command(app), ["qunguan"])
                   for param in command.params if not getattr(param, "help", None)]
    assert unexplained == []


def test_help_names_what_each_option_takes_not_its_python_type():
    # Typer labelled every value with its type: `--silent <bool>`, `--db <path>`,
    # `{paths}...`; an admin reads `--db ARCHIVE`, `--silent` and `PATH...` as the README does.
    shown = _help("ingest")
    assert "ingest [OPTIONS] PATH... 导入聊天导出文件" in shown
    assert "--db ARCHIVE 档案文件" in shown and "--silent 不显示进度条（No progress bar.）" in shown
    assert "--format FORMAT 不自动识别格式" in shown
    assert "--exempt --not-exempt 党支部学习群" in _help("groups", "set")
    assert "--action 开设|变更|关停 备案事项" in _help("accounts", "file")

    def every_help(command, path):
        yield path, _help(*path)
        for name, sub in getattr(command, "commands", {}).items():
            yield from every_help(sub, [*path, name])

    labelled = [" ".join(path) or "qunguan" for path, text in every_help(typer.main.get_command(app), [])
                if re.search(r"<(bool|str|int|path|list\[\w+\])>|\{\w+\}", text)]
    assert labelled == []


def test_help_paragraphs_read_whole_not_cut_where_the_source_line_ended():
    shown = CliRunner().invoke(app, ["ingest", "--help"], env={"COLUMNS": "400"}).output
    assert "each rejected record on stderr with its file and line (or record number), kept" in shown


def test_each_benchmark_says_how_to_try_it_small():
    # The README's benchmarks take minutes at full size; their options had no help at all.
    import subprocess
    import sys

    bench = Path(__file__).parent.parent / "bench"
    for script in ("ingest.py", "classify.py", "review.py"):
        shown = subprocess.run([sys.executable, bench / script, "--help"], capture_output=True, text=True).stdout
        assert "--messages N" in shown and "20000 for a quick try" in shown and "--keep DIR" in shown, script
    assert "bench/ingest.py --messages 20000" in README


def test_every_command_the_readme_shows_with_arguments_names_the_archive_it_needs():
    # `qunguan accounts config NAME VALUE`, typed as the README showed it, was refused for
    # its missing --db.
    root = typer.main.get_command(app)
    shown = re.findall(r"`(?:\.venv/bin/)?qunguan ([^`]+)`", README.replace("\n", " "))
    # The quick start's commands are copied as they are, even those it gives in short.
    quick_start = README[README.index("## 快速上手"):README.index("## Ingesting")]
    shown += [snippet for snippet in re.findall(r"`([a-z]+ [^`]+)`", quick_start) if not snippet.startswith("make ")]
    missing = []
    for snippet in shown:
        command, words = root, snippet.split()
        while words and words[0] in getattr(command, "commands", {}):
            command = command.commands[words.pop(0)]
        needs_db = any(param.name == "db" and param.required for param in command.params)
        if words and words[0] != "--help" and needs_db and "--db" not in snippet:
            missing.append(snippet)
    assert missing == []


def test_an_optional_argument_is_shown_in_brackets_a_required_one_bare():
    from typing import Annotated, Optional

    from cli_output import Commands

    tool = typer.Typer(cls=Commands)

    @tool.command()
    def show(archive: Annotated[str, typer.Argument(help="Needed.")],
             week: Annotated[Optional[str], typer.Argument(help="May be left out.")] = None):
        """Show one."""

    @tool.command()
    def hide():
        """A second command: a tool of one command is that command, no group."""

    usage = CliRunner().invoke(tool, ["show", "--help"]).output
    assert "show [OPTIONS] ARCHIVE [WEEK]" in usage

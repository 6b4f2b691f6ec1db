"""The `qunguan` command line: a thin layer over the library's plain functions."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn
from rich.table import Table

from ingest import roster
from ingest.save import ingest_paths
from ingest.schema import open_archive
from ingest.stats import archive_stats

app = typer.Typer(no_args_is_help=True, pretty_exceptions_show_locals=False,
                  help="群管 qunguan: archive government work-group chats, flag rule breaches, review them.")
roster_app = typer.Typer(no_args_is_help=True, help="The real-name roster of group members.")
app.add_typer(roster_app, name="roster")

err = Console(stderr=True, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)
DbOption = Annotated[Path, typer.Option("--db", help="The archive (SQLite file); created if missing.")]


def fail(message: str) -> None:
    err.print(f"[red]error:[/red] {message}")
    raise typer.Exit(1)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Export files, directories or zips.")],
    db: DbOption,
    group: Annotated[Optional[str], typer.Option(help="Group name, for files that do not say (MemoTrace CSV).")] = None,
    format: Annotated[Optional[str], typer.Option("--format", help="Skip detection and read as this format.")] = None,
    silent: Annotated[bool, typer.Option("--silent", help="No progress bar.")] = False,
):
    """Ingest chat exports into the archive; re-running adds only what is new."""
    for path in paths:
        if not path.exists():
            fail(f"{path}: no such file or directory")
    archive = open_archive(str(db))
    refused = 0
    with Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(),
                  TimeRemainingColumn(), console=err, disable=silent, transient=True) as bar:
        task = bar.add_task("ingest", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        for result in ingest_paths(archive, [str(p) for p in paths], group=group, fmt=format, progress=progress):
            if result.skipped:
                err.print(f"[dim]{result.name}: skipped, {result.skipped}[/dim]")
            elif result.refused:
                refused += 1
                err.print(f"[red]refused[/red] {result.name}: {result.refused}")
            else:
                typer.echo(f"{result.name}\t{result.format}\t{result.group}\t"
                          f"new {result.new}\talready present {result.duplicate}\trejected {result.rejected}")
                for line, record, reason in result.rejects[:20]:
                    where = f"line {line}" if line else f"record {record}"
                    err.print(f"[yellow]rejected[/yellow] {result.name}:{where}: {reason}")
                if len(result.rejects) > 20:
                    err.print(f"[yellow]… {len(result.rejects) - 20} more rejected records are in the rejects table[/yellow]")
    if refused:
        raise typer.Exit(1)


@roster_app.command("import")
def roster_import(
    file: Annotated[Path, typer.Argument(help="Roster CSV: name, unit, position, wxid, wecom_userid, display_names.")],
    db: DbOption,
):
    """Load the real-name roster and link exported senders to people."""
    if not file.exists():
        fail(f"{file}: no such file")
    people, errors = roster.read_roster(file.read_bytes(), str(file))
    for error in errors:
        err.print(f"[yellow]{error}[/yellow]")
    if not people:
        fail(f"{file}: no roster rows read")
    result = roster.import_roster(open_archive(str(db)).conn, people)
    typer.echo(f"people added {result.added}\tupdated {result.updated}\tmembers linked {result.linked}")


@app.command()
def stats(db: DbOption):
    """Groups, members, messages per week and the import ledger."""
    figures = archive_stats(open_archive(str(db)).conn)
    out.print(f"groups {figures['groups']}\tmembers {figures['members']} "
              f"({figures['members_on_roster']} on the roster)\tmessages {figures['messages']}\t"
              f"rejected records {figures['rejects']}")
    weeks = Table("week", "group", "messages", title="messages per week")
    for row in figures["weeks"]:
        weeks.add_row(row["week"], row["group"], str(row["messages"]))
    out.print(weeks)
    imports = Table("id", "file", "format", "new", "dup", "rejected", "finished", "by", title="imports")
    for row in figures["imports"]:
        imports.add_row(*(str(row[k]) for k in ("id", "path", "format", "new", "duplicate", "rejected", "finished_at", "os_user")))
    out.print(imports)


if __name__ == "__main__":
    app()

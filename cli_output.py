"""What every qunguan command shares: the consoles, the one-line error, the --db option
and the metrics table. Data goes to stdout; diagnostics and progress to stderr."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

err = Console(stderr=True, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


def fail(message: str) -> None:
    """A known error: one line on stderr, exit status 1, no traceback."""
    err.print(f"[red]error:[/red] {escape(message)}", markup=True, highlight=False)
    raise typer.Exit(1)


def _existing(path: Path) -> Path:
    # A mistyped --db must not answer from a new, empty archive (stats, classify, ...).
    if not path.exists():
        fail(f"{path}: no such archive (an archive is made by `qunguan ingest`)")
    return path


# The commands that bring data in create the archive; the others need it there.
DbOption = Annotated[Path, typer.Option("--db", help="The archive (SQLite file); created if missing.")]
ArchiveOption = Annotated[Path, typer.Option("--db", help="The archive (SQLite file).", callback=_existing)]


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

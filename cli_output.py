"""What every qunguan command shares: the consoles, the one-line error, the --db option
and the metrics table. Data goes to stdout; diagnostics and progress to stderr."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

err = Console(stderr=True, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)
DbOption = Annotated[Path, typer.Option("--db", help="The archive (SQLite file); created if missing.")]


def fail(message: str) -> None:
    """A known error: one line on stderr, exit status 1, no traceback."""
    err.print(f"[red]error:[/red] {escape(message)}", markup=True, highlight=False)
    raise typer.Exit(1)


def print_metrics(report: dict, title: str, confusion: bool = True) -> None:
    from classifiers.evaluate import table

    grid = Table("category", "precision", "recall", "F1", "support", title=title)
    for row in table(report):
        grid.add_row(*row)
    out.print(grid)
    if confusion:
        for true_class, got in report["confusion"].items():
            out.print(f"  {true_class} → " + ", ".join(f"{k} {v}" for k, v in sorted(got.items(), key=lambda kv: -kv[1])))

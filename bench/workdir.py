"""The folder a benchmark builds its files in: the one given with --keep, kept, or a
temporary one removed when the run ends, however it ends. A 1M-message run leaves about
1.4 GB behind otherwise, run after run. And the options every benchmark takes."""
from __future__ import annotations

import argparse
import contextlib
import shutil
import tempfile
from pathlib import Path
from typing import Iterator


def arguments(description: str, messages: int) -> argparse.ArgumentParser:
    """The options of a benchmark measuring `description` on `messages` messages by default:
    a smaller run tries it in seconds (--messages 20000) before the full one takes minutes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--messages", type=int, default=messages, metavar="N",
                        help=f"how many generated messages to measure on (default {messages:,}; 20000 for a quick try)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="build the files in this folder and keep them (to look at; classify and review "
                             "measure a kept archive again without building it)")
    return parser


@contextlib.contextmanager
def workdir(keep: Path | None, prefix: str) -> Iterator[Path]:
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)

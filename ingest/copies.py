"""Exports of one chat handed over again under another name (聊天记录.txt,
工作群-分享(1).txt, a CSV renamed): named after the new file, each would be a second
group holding the same messages again."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Earlier:
    """The earlier import of a chat whose group a file went to, for saying so."""

    import_id: int
    path: str
    whole: bool  # the very bytes of that file

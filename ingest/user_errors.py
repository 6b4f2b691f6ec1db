"""An error that ends a command with a message for a person: its English text, which the
tests, scripts and the README quote, and the same said in Chinese for the admins, who read
Chinese (`cli_output.fail` prints both, the Chinese first)."""
from __future__ import annotations

from detectors.setting_values import Problem


class Said:
    """An error's message in English (the message, quoted by tests and scripts) and in
    Chinese (`zh`): mixed into the errors that end with a line for the admins. A message
    that is a Problem brings its own Chinese."""

    def __init__(self, message: str, zh: str | None = None):
        super().__init__(message)
        self.zh = zh or getattr(message, "zh", None)


class UserError(Said, ValueError):
    pass


def said(error: Exception) -> str:
    """What `error` says, as a Problem carrying its Chinese where it has one: kept for a
    line printed later (a file refused, a record rejected)."""
    zh = getattr(error, "zh", None)
    return Problem(str(error), zh) if zh else str(error)

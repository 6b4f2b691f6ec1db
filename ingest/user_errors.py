"""An error that ends a command with a message for a person: its English text, which the
tests, scripts and the README quote, and the same said in Chinese for the admins, who read
Chinese (`cli_output.fail` prints both, the Chinese first)."""
from __future__ import annotations


class UserError(ValueError):
    def __init__(self, message: str, zh: str | None = None):
        super().__init__(message)
        self.zh = zh

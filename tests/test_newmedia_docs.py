"""The new-media commands and accepted headers are documented where users look."""
from pathlib import Path

import pytest

from newmedia import posts, registry
from newmedia.cli import accounts_app, posts_app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("## New-media accounts (新媒体)"):]


@pytest.mark.parametrize("group, app", [("accounts", accounts_app), ("posts", posts_app)])
def test_every_command_has_help_and_is_in_the_readme(qunguan, group, app):
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        assert command.callback.__doc__, name
        assert f"qunguan {group} {name}" in SECTION
        assert qunguan(group, name, "--help").exit_code == 0


@pytest.mark.parametrize("headers, start, end", [(registry.HEADERS, "### The 台账", "### Filings"),
                                                 (posts.HEADERS, "### Posts", "### Checks")])
def test_every_accepted_header_is_documented(headers, start, end):
    table = SECTION[SECTION.index(start):SECTION.index(end)]
    for field, names in headers.items():
        row = next(line for line in table.splitlines() if line.startswith(f"| `{field}` |"))
        assert all(name in row for name in names), field

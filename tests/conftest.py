import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "archive.db"


@pytest.fixture
def qunguan():
    """Run the CLI like a user would; returns click's Result (stdout, stderr, exit_code)."""
    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(app, [str(a) for a in args], input=input, prog_name="qunguan")

    return run


@pytest.fixture
def query(db_path):
    def run(sql, params=()):
        con = sqlite3.connect(db_path)
        con.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in con.execute(sql, params)]
        finally:
            con.close()

    return run


@pytest.fixture(scope="session")
def mini_models():
    """Two chat models trained the same way on the small fixture corpus."""
    from classifiers.train import train

    first, _ = train(corpus_dir=FIXTURES / "corpus", select=False, progress=lambda *_: None)
    second, _ = train(corpus_dir=FIXTURES / "corpus", select=False, progress=lambda *_: None)
    return first, second

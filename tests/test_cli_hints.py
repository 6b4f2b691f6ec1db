"""A hint naming a command to run next can be copied and pasted as it is, whatever the
archive's path holds: a space (工作 档案.db) or Chinese."""
import re
import shlex

import pytest


@pytest.fixture(params=["群管 数据/工作 档案.db", "数据/档案.db"], ids=["with a space", "without"])
def archive(request, qunguan, tmp_path, fixtures):
    path = tmp_path / request.param
    path.parent.mkdir()
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", path, "--group", "防火群", "--silent")
    return path


def _hinted(said: str, command: str) -> list[str]:
    """The words of the hinted command `qunguan COMMAND …`, as the shell splits what is pasted."""
    return shlex.split(re.search(rf"`qunguan ({command} [^`]*--db [^`]*)`", said).group(1))


def test_the_classify_a_report_asks_for_runs_as_pasted(qunguan, archive):
    said = qunguan("report", "--db", archive, "--from", "2025-03-03").stderr
    pasted = qunguan(*_hinted(said, "classify"), "--silent")
    assert pasted.exit_code == 0 and pasted.stdout.startswith("flags added "), pasted.output
    assert "imported after the last" not in qunguan("report", "--db", archive, "--from", "2025-03-03").stderr


def test_the_roster_remove_a_roster_import_suggests_runs_as_pasted(qunguan, archive, tmp_path):
    roster = tmp_path / "花名册.csv"
    roster.write_text("姓名,单位\n张丽,城关镇\n刘洋,城关镇\n", encoding="utf-8")
    qunguan("roster", "import", roster, "--db", archive)
    roster.write_text("姓名,单位\n刘洋,城关镇\n", encoding="utf-8")
    words = _hinted(qunguan("roster", "import", roster, "--db", archive).stderr, "roster remove")
    pasted = qunguan(*[{"NAME": "张丽", "UNIT": "城关镇"}.get(word, word) for word in words])
    assert pasted.exit_code == 0 and pasted.stdout.startswith("removed 张丽"), pasted.output


def test_the_users_add_serve_asks_for_runs_as_pasted(qunguan, archive, monkeypatch):
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)  # as if stopped at once
    words = _hinted(qunguan("serve", "--db", archive, "--port", "0").stderr, "users add")
    pasted = qunguan(*[{"NAME": "li-sup"}.get(word, word) for word in words], "--password-stdin",
                     input="correct horse battery\n")
    assert pasted.exit_code == 0, pasted.output
    assert "no users yet" not in qunguan("serve", "--db", archive, "--port", "0").stderr


def test_the_users_enable_a_new_password_for_a_disabled_user_asks_for_runs_as_pasted(qunguan, archive):
    password = "correct horse battery\n"
    qunguan("users", "add", "王伟", "--db", archive, "--password-stdin", input=password)
    qunguan("users", "disable", "王伟", "--db", archive)
    said = qunguan("users", "password", "王伟", "--db", archive, "--password-stdin", input=password).stderr
    pasted = qunguan(*_hinted(said, "users enable"))
    assert pasted.exit_code == 0, pasted.output
    assert "active" in qunguan("users", "list", "--db", archive).stdout


def test_the_users_enable_an_add_of_a_disabled_user_suggests_runs_as_pasted(qunguan, archive):
    password = "correct horse battery\n"
    qunguan("users", "add", "王伟", "--db", archive, "--password-stdin", input=password)
    qunguan("users", "disable", "王伟", "--db", archive)
    said = qunguan("users", "add", "王伟", "--db", archive, "--password-stdin", input=password).stderr
    assert len(re.findall(r"`qunguan users enable 王伟 --db ", said)) == 2  # in the Chinese and in the English
    pasted = qunguan(*_hinted(said, "users enable"))
    assert pasted.exit_code == 0, pasted.output


def test_the_users_password_an_add_of_an_existing_user_suggests_runs_as_pasted(qunguan, archive):
    password = "correct horse battery\n"
    qunguan("users", "add", "王伟", "--db", archive, "--password-stdin", input=password)
    said = qunguan("users", "add", "王伟", "--db", archive, "--password-stdin", input=password).stderr
    pasted = qunguan(*_hinted(said, "users password"), "--password-stdin", input="another horse battery\n")
    assert pasted.exit_code == 0 and "password changed" in pasted.stdout, pasted.output


def test_the_users_list_a_mistyped_user_suggests_runs_as_pasted(qunguan, archive):
    qunguan("users", "add", "王伟", "--db", archive, "--password-stdin", input="correct horse battery\n")
    said = qunguan("users", "disable", "王玮", "--db", archive).stderr
    pasted = qunguan(*shlex.split(re.search(r"`qunguan (users list[^`]*)`", said).group(1)))
    assert pasted.exit_code == 0 and "王伟" in pasted.stdout, pasted.output

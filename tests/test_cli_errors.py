"""An admin who mistypes a command is told what is wrong in Chinese, in one line, the
English kept after it (the README and scripts quote it); the lines other tools parse
(ingest's line per file, `flags added …`) stay as they are."""
import re
import sqlite3

import pytest


@pytest.fixture
def archive(qunguan, db_path, fixtures, tmp_path):
    """An archive of one group and a roster of one person, as an admin has after a first week."""
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "樟树市防汛工作群", "--silent")
    roster = tmp_path / "花名册.csv"
    roster.write_text("姓名,单位\n王伟,县应急局\n", encoding="utf-8")
    qunguan("roster", "import", roster, "--db", db_path)
    return db_path


MISTAKES = {
    "a day written without dashes": (
        ["ingest", "{fixtures}/memotrace3-week2.csv", "--date", "20240617"],
        "--date '20240617' 不是日期；请写成 年-月-日，如 2024-06-17", "expected a day as YYYY-MM-DD"),
    "a format nobody has": (["ingest", "{fixtures}/memotrace3-week2.csv", "--format", "excel"],
                            "没有名为 'excel' 的导出格式", "unknown format 'excel'"),
    "a mistyped export": (["ingest", "{tmp}/第2周.csv"], "没有可读取的文件", "nothing to read"),
    "a mistyped roster": (["roster", "import", "{tmp}/花名册2.xlsx"], "花名册2.xlsx：文件不存在", "no such file"),
    "the roster's folder": (["roster", "import", "{tmp}"], "是文件夹；请写出其中的花名册文件", "a folder"),
    "a person not on the roster": (["roster", "remove", "李强"], "李强：花名册上没有此人", "no such person on the roster"),
    "a day of leaving in Chinese": (["roster", "remove", "王伟", "--on", "4月1日"], "--on '4月1日' 不是日期",
                                    "expected a day as YYYY-MM-DD"),
    "a report's first day with slashes": (["report", "--from", "2025/03/03"], "--from '2025/03/03' 不是日期；请写成 年-月-日",
                                          "expected a day as YYYY-MM-DD, e.g. 2025-03-03"),
    "a report's last day in Chinese": (["report", "--to", "3月9日"], "--to '3月9日' 不是日期",
                                       "expected a day as YYYY-MM-DD"),
    "a check's day without dashes": (["accounts", "check", "--today", "20250601"], "--today '20250601' 不是日期",
                                     "expected a day as YYYY-MM-DD"),
    "a group typed in part": (["groups", "set", "防汛", "--unit", "县应急局"],
                              "没有名为 '防汛' 的群；是否指 '樟树市防汛工作群'？请写出完整群名",
                              "no group named '防汛'; did you mean '樟树市防汛工作群'?"),
    "an end date in Chinese": (["groups", "set", "樟树市防汛工作群", "--temporary-until", "2025年12月31日"],
                               "--temporary-until 的日期应写成 年-月-日", "--temporary-until must be YYYY-MM-DD"),
    "an empty new name": (["groups", "rename", "樟树市防汛工作群", ""], "新群名不能为空", "a name is needed"),
    "a mistyped setting": (["config", "set", "after_hours.period", "[]"], "没有设置项 'after_hours.period'；是否指",
                           "unknown setting 'after_hours.period'"),
    "a share written as a percentage": (["config", "set", "group.weekly_share", "30"],
                                        "group.weekly_share 的值 30 不能使用，未保存", "a share between 0 and 1"),
    "words without quotes": (["config", "set", "after_hours.urgent_words", "[紧急]"],
                             "after_hours.urgent_words 的值须为 JSON 格式", "the value must be JSON"),
    "a setting never set": (["config", "unset", "group.idle_days"], "本档案没有设置 'group.idle_days'",
                            "is not set in this archive"),
    "a role nobody has": (["users", "add", "李强", "--role", "boss", "--password-stdin"],
                          "--role 'boss' 不是可用的角色；请写 supervisor、auditor、admin 之一", "role must be one of"),
    "a password left empty": (["users", "add", "李强", "--password-stdin"], "密码太短：至少 10 个字符，收到 0 个",
                              "the password needs at least 10 characters"),
    "a user name with a space": (["users", "add", "李 强", "--password-stdin"], "用户名 '李 强' 不可用：须为 1-64 个字符",
                                 "a user name is 1-64 characters without spaces"),
    "a user nobody added": (["users", "disable", "李强"], "没有用户 '李强'", "no user '李强'"),
    "a mistyped ledger": (["accounts", "import", "{tmp}/台账2.xlsx"], "台账2.xlsx：文件不存在", "no such file"),
    "the ledger's folder": (["accounts", "import", "{tmp}"], "是文件夹；请写出其中的文件（.xlsx 或 CSV）", "a folder"),
    "the roster given as the ledger": (["accounts", "import", "{fixtures}/roster.csv"], "roster.csv：没有 平台/账号名称 列",
                                       "no 平台/账号名称 column"),
    "a ledger of no accounts": (["accounts", "import", "{fixtures}/empty.txt"], "empty.txt：是空文件，没有任何内容",
                                "an empty file"),
    "a filing of an account not in the ledger": (
        ["accounts", "file", "宜春发布", "--action", "开设", "--filed-on", "2025-06-02", "--effective-on", "2025-06-09"],
        "台账中没有账号 '宜春发布'；请先导入台账", "no account '宜春发布' in the registry"),
    "a filing of no kind": (
        ["accounts", "file", "宜春发布", "--action", "注销", "--filed-on", "2025-06-02", "--effective-on", "2025-06-09"],
        "--action '注销' 不可用；请写 开设、变更、关停 之一", "--action must be one of 开设/变更/关停"),
    "a filing day in Chinese": (
        ["accounts", "file", "宜春发布", "--action", "开设", "--filed-on", "6月2日", "--effective-on", "2025-06-09"],
        "--filed-on '6月2日' 不是日期", "--filed-on must be a date"),
    "a new-media count below 1": (["config", "set", "newmedia.dormant_days", "0"],
                                  "newmedia.dormant_days 的值 0 不能使用，未保存",
                                  "dormant_days must be a whole number of days above 0"),
}


@pytest.mark.parametrize("command, chinese, english", MISTAKES.values(), ids=MISTAKES.keys())
def test_a_mistake_is_said_in_chinese_with_the_english_after_it(qunguan, archive, fixtures, tmp_path, command, chinese,
                                                                 english):
    typed = [part.format(fixtures=fixtures, tmp=tmp_path) for part in command]
    result = qunguan(*typed, "--db", archive)
    assert result.exit_code == 1 and "Traceback" not in result.output
    [line] = [line for line in result.stderr.splitlines() if "error:" in line or "错误" in line]
    assert line.startswith("错误：") and chinese in line, line
    assert english in line.split("（error: ", 1)[1], line


IMPORTS = [["roster", "import"], ["accounts", "import"], ["posts", "import"]]


@pytest.mark.parametrize("command", IMPORTS, ids=" ".join)
@pytest.mark.parametrize("name, content", [("/dev/null", None), ("台账.csv", b""), ("台账.xlsx", b""),
                                           ("台账.csv", "\ufeff\r\n,,,\r\n  \r\n".encode())])  # Excel's commas alone
def test_an_empty_file_is_said_to_be_empty_not_missing(qunguan, archive, tmp_path, command, name, content):
    # Given /dev/null (a script's placeholder) or a file saved before anything was typed
    # in, the admin was told there was no such file, or no header in its first 10 rows.
    path = tmp_path / name if content is not None else name
    if content is not None:
        path.write_bytes(content)
    result = qunguan(*command, path, "--db", archive)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.strip() == f"错误：{path}：是空文件，没有任何内容（error: {path}: an empty file, nothing in it）"


@pytest.mark.parametrize("command", IMPORTS, ids=" ".join)
def test_a_file_that_is_not_there_is_still_said_to_be_missing(qunguan, archive, tmp_path, command):
    result = qunguan(*command, tmp_path / "台账.csv", "--db", archive)
    assert result.exit_code == 1 and f"{tmp_path / '台账.csv'}：文件不存在" in result.stderr


def test_a_mistyped_archive_is_said_in_chinese_by_every_command(qunguan, tmp_path):
    for command in (["stats"], ["groups", "list"], ["config", "show"], ["roster", "remove", "王伟"]):
        result = qunguan(*command, "--db", tmp_path / "档安.db")
        assert result.exit_code == 1
        assert result.stderr.startswith(f"错误：{tmp_path / '档安.db'}：档案不存在（请检查 --db 是否写错"), command
        assert f"（error: {tmp_path / '档安.db'}: no such archive" in result.stderr


def test_an_archive_named_without_the_extension_windows_hides_is_pointed_at(qunguan, db_path, fixtures):
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "樟树市防汛工作群", "--silent")
    typed = db_path.with_suffix("")  # as Explorer shows 档案.db: 档案
    result = qunguan("stats", "--db", typed)
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"错误：{typed}：档案不存在；是否指 {db_path}？"
                                     f"（error: {typed}: no such archive; did you mean {db_path}?）")


def test_the_lines_other_tools_read_stay_as_they_were(qunguan, db_path, fixtures):
    read = qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "樟树市防汛工作群", "--silent")
    assert read.stdout.split("\t")[1:] == ["memotrace3-csv", "樟树市防汛工作群", "new 6", "already present 0",
                                          "rejected 0\n"]
    assert qunguan("classify", "--db", db_path, "--silent").stdout.startswith("flags added ")


REFUSED_VALUES = {
    "a share as a percentage": ("group.weekly_share", "30", "应为 0 到 1 之间的比例（30% 写作 0.3）"),
    "a window of 0 days": ("repeated_post.window_days", "0", "应为 1 或以上的整数天数"),
    "a count with a fraction": ("group.idle_days", "7.5", "应为 0 或以上的整数"),
    "a word where a list goes": ("after_hours.urgent_words", '"紧急"', "应为文字列表，收到的类型不符"),
    "a number in a period": ("after_hours.periods", '[["08:00", 9]]', "应为文字列表的列表"),
    "an hour in Chinese": ("after_hours.periods", '[["8点", "12:00"]]',
                           "['8点', '12:00'] 不是写成 [\"时:分\", \"时:分\"] 的时段"),
    "a period backwards": ("after_hours.periods", '[["17:30", "14:30"]]',
                           "时段 ['17:30', '14:30'] 的结束时间不晚于开始时间"),
    "a holiday without its zero": ("after_hours.extra_holidays", '["2025-10-9"]',
                                   "'2025-10-9' 不是写成 年-月-日 的日期（如 2025-10-01）"),
    "a bracket left open": ("after_hours.directives", '["请(各"]', "'请(各' 不是有效的正则表达式"),
    "a medium mistyped": ("proof_demand.purposes_as", '{"截屏": "截图 照骗"}', "其中有检测器会忽略的媒体（照骗"),
    "a doubt above the model's demands": ("proof_demand.rules_doubted_below", "0.8",
                                          "proof_demand.rules_doubted_below（0.8）须小于 proof_demand.model_demands_from（0.7）"),
    "a new-media count of 0": ("newmedia.dormant_days", "0", "应为大于 0 的整数天数"),
    "a number among the hosts": ("newmedia.shop_domains", "[1]", "应为词语列表"),
    # Settings whose default is empty are still named in Chinese, not by Python's type.
    "a holiday not in a list": ("after_hours.extra_holidays", '"2025-10-01"', "应为列表，收到的类型不符"),
    "units' names as a list": ("newmedia.unit_names", '[["宜春发布"]]', "应为对象，收到的类型不符"),
    # JSON as Python reads it takes NaN and Infinity, which no count or share can be.
    "a count that is no number": ("after_hours.min_chars", "NaN", "应为数字，收到的类型不符"),
    "a count without end": ("group.idle_days", "Infinity", "应为数字，收到的类型不符"),
}


@pytest.mark.parametrize("key, value, reason", REFUSED_VALUES.values(), ids=REFUSED_VALUES.keys())
def test_a_refused_setting_says_in_chinese_which_setting_what_was_given_and_why(qunguan, archive, key, value, reason):
    result = qunguan("config", "set", key, value, "--db", archive)
    assert result.exit_code == 1
    chinese = result.stderr.split("（error: ", 1)[0]
    assert chinese.startswith(f"错误：{key} 的值 {value} 不能使用，未保存：") and reason in chinese, chinese


def test_a_mistyped_medium_is_named_in_chinese_when_refused_and_when_found_stored(qunguan, archive):
    refused = qunguan("config", "set", "proof_demand.purposes_as", '{"截屏": "截图 照骗"}', "--db", archive)
    chinese = refused.stderr.split("（error: ", 1)[0]
    assert refused.exit_code == 1 and "照骗（截屏 所用，不在 proof_demand.other_purposes 中）" in chinese, chinese
    assert "not a medium" not in chinese and "not a medium" in refused.stderr  # the English after it, whole
    with sqlite3.connect(archive) as conn:
        # An older version let the typo in.
        conn.execute("insert into settings values ('proof_demand.purposes_as', '{\"照骗\": \"图片\"}', '2025-03-01', 'x')")
    warned = qunguan("config", "show", "--db", archive).stderr
    chinese = warned.split("（warning: ", 1)[0]
    assert "照骗（不在 proof_demand.media_words 中）" in chinese and "not a medium" not in chinese, chinese


def test_the_proof_model_thresholds_are_checked_against_each_other_as_the_archive_holds_them(qunguan, archive):
    assert qunguan("config", "set", "proof_demand.rules_doubted_below", "0.2", "--db", archive).exit_code == 0
    lowered = qunguan("config", "set", "proof_demand.model_demands_from", "0.15", "--db", archive)
    assert lowered.exit_code == 1
    assert "proof_demand.rules_doubted_below（0.2）须小于 proof_demand.model_demands_from（0.15）" in lowered.stderr
    # Both moved, in the order that keeps them apart, are taken.
    assert qunguan("config", "set", "proof_demand.rules_doubted_below", "0.1", "--db", archive).exit_code == 0
    assert qunguan("config", "set", "proof_demand.model_demands_from", "0.15", "--db", archive).exit_code == 0
    shown = qunguan("config", "show", "--db", archive).stdout
    assert re.search(r"proof_demand\.model_demands_from\b.*\b0\.15\b", shown), shown
    # Equal is crossed too: a score at the one is both.
    equal = qunguan("config", "set", "proof_demand.rules_doubted_below", "0.15", "--db", archive)
    assert equal.exit_code == 1 and "须小于" in equal.stderr
    # Back to its default (0.7) is fine, but not when the default would cross what the archive holds.
    assert qunguan("config", "unset", "proof_demand.model_demands_from", "--db", archive).exit_code == 0
    assert qunguan("config", "set", "proof_demand.model_demands_from", "0.9", "--db", archive).exit_code == 0
    assert qunguan("config", "set", "proof_demand.rules_doubted_below", "0.8", "--db", archive).exit_code == 0
    unset = qunguan("config", "unset", "proof_demand.model_demands_from", "--db", archive)
    assert unset.exit_code == 1
    assert "恢复默认值 0.7 后不能使用，未删除：proof_demand.rules_doubted_below（0.8）须小于" in unset.stderr
    assert "0.9" in qunguan("config", "show", "--db", archive).stdout


def test_proof_model_thresholds_stored_crossed_are_said_and_unsetting_the_other_is_no_refusal(qunguan, archive):
    with sqlite3.connect(archive) as conn:
        # Stored by hand, or by a version before `config set` compared the two.
        conn.execute("insert into settings values ('proof_demand.rules_doubted_below', '0.8', '2025-03-01', 'x')")
    shown = qunguan("config", "show", "--db", archive)
    assert "proof_demand.rules_doubted_below（0.8）须小于 proof_demand.model_demands_from（0.7）" in shown.stderr
    # The other was never set: there is nothing to unset, whatever the pair says.
    unset = qunguan("config", "unset", "proof_demand.model_demands_from", "--db", archive)
    assert unset.exit_code == 1 and "本档案没有设置 'proof_demand.model_demands_from'" in unset.stderr
    assert qunguan("config", "unset", "proof_demand.rules_doubted_below", "--db", archive).exit_code == 0
    assert "须小于" not in qunguan("config", "show", "--db", archive).stderr


def test_a_count_typed_by_hand_as_infinity_is_left_out_at_classify_not_a_traceback(qunguan, archive):
    with sqlite3.connect(archive) as conn:
        conn.execute("insert into settings values ('after_hours.min_chars', 'Infinity', '2025-03-01', 'x')")
    result = qunguan("classify", "--db", archive, "--silent")
    assert result.exit_code == 0 and result.stdout.startswith("flags added "), result.output
    assert "setting after_hours.min_chars = Infinity is ignored: expected number" in result.stderr


def _can_log_in(archive, name: str, password: str) -> bool:
    from review import auth

    return auth.authenticate(auth.connect(auth.users_path(archive)), name, password) is not None


@pytest.mark.parametrize("command", [["users", "add", "李强"], ["users", "password", "王芳"]])
def test_a_password_typed_differently_the_second_time_is_asked_for_again_in_chinese(qunguan, archive, command):
    qunguan("users", "add", "王芳", "--db", archive, "--password-stdin", input="Old-Horse-99\n")
    result = qunguan(*command, "--db", archive, input="Correct-Horse-9\nCorrect-Horse-8\nCorrect-Horse-7\nCorrect-Horse-7\n")
    assert result.exit_code == 0, result.output
    assert "两次输入的密码不一致，请重新输入（the two entered values do not match" in result.stderr
    assert "Error" not in result.output
    # The pair that matched is the password, not the first entry.
    assert _can_log_in(archive, command[2], "Correct-Horse-7") and not _can_log_in(archive, command[2], "Correct-Horse-9")


def test_a_password_typed_the_same_twice_is_taken_at_once(qunguan, archive):
    result = qunguan("users", "add", "李强", "--db", archive, input="Correct-Horse-9\nCorrect-Horse-9\n")
    assert result.exit_code == 0 and "不一致" not in result.output
    assert _can_log_in(archive, "李强", "Correct-Horse-9")


def test_a_password_prompt_given_up_says_so_in_chinese_and_adds_nobody(qunguan, archive):
    result = qunguan("users", "add", "李强", "--db", archive, input="Correct-Horse-9\nCorrect-Horse-8\n")
    assert result.exit_code == 1
    assert "错误：已取消，未作任何改动（error: aborted before anything was changed）" in result.stderr
    assert "Aborted" not in result.output
    assert qunguan("users", "list", "--db", archive).stdout.splitlines()[1:] == []


@pytest.mark.parametrize("typed, made", [("", False), ("Correct-Horse-9\nCorrect-Horse-9\n", True)])
def test_a_first_user_whose_password_prompt_is_given_up_leaves_no_archive_behind(qunguan, tmp_path, typed, made):
    # "未作任何改动" holds for an archive `users add` would have made: it is made once the password is given.
    db = tmp_path / "新档案.db"
    result = qunguan("users", "add", "李强", "--db", db, input=typed)
    assert result.exit_code == (0 if made else 1), result.output
    assert db.exists() is made and (tmp_path / "新档案.users.db").exists() is made
    if made:
        assert _can_log_in(db, "李强", "Correct-Horse-9")
    else:
        assert "错误：已取消，未作任何改动" in result.stderr


COMMAND_LINES = {
    "no --db": (["stats"], "qunguan stats [OPTIONS]", "缺少选项 --db", "Missing option '--db'."),
    "--db without its archive": (["stats", "--db"], None, "选项 --db 后面缺少它的值", "Option '--db' requires an argument."),
    "a mistyped option": (["stats", "--db", "{db}", "--dv"], "qunguan stats", "没有选项 --dv；是否指 --db？",
                          "No such option: --dv"),
    "an option of qunguan itself": (["--verbose"], "qunguan [OPTIONS] COMMAND", "没有选项 --verbose", "No such option"),
    "a mistyped command": (["stat", "--db", "{db}"], "qunguan [OPTIONS] COMMAND", "没有命令 'stat'；是否指 stats？",
                           "No such command 'stat'."),
    "a mistyped subcommand": (["groups", "lst", "--db", "{db}"], "qunguan groups [OPTIONS] COMMAND",
                              "没有命令 'lst'；是否指 list", "No such command 'lst'."),
    "a group name with a space, unquoted": (["groups", "rename", "防汛群", "樟树市", "防汛群", "--db", "{db}"],
                                           "qunguan groups rename [OPTIONS] GROUP NEW_NAME",
                                           "多余的参数：防汛群（一个值中有空格时，请给它加引号）", "Got unexpected extra argument"),
    "a setting without its value": (["config", "set", "group.idle_days", "--db", "{db}"], "qunguan config set",
                                    "缺少参数 JSON", "Missing argument 'JSON'."),
    "a port in words": (["serve", "--db", "{db}", "--port", "八千"], "qunguan serve", "--port 的值不可用",
                        "Invalid value for '--port'"),
    # Past a port's range, uvicorn ended in an OverflowError traceback.
    "a port past the last": (["serve", "--db", "{db}", "--port", "99999"], "qunguan serve", "--port 的值不可用",
                             "Invalid value for '--port': Input should be less than or equal to 65535"),
    "a negative port": (["serve", "--db", "{db}", "--port", "-1"], "qunguan serve", "--port 的值不可用",
                        "Invalid value for '--port': Input should be greater than or equal to 0"),
    "a flag given a value": (["groups", "set", "防汛群", "--db", "{db}", "--exempt=1"], None, "选项 --exempt 不带值",
                             "Option '--exempt' does not take a value."),
}


@pytest.mark.parametrize("command, usage, chinese, english", COMMAND_LINES.values(), ids=COMMAND_LINES.keys())
def test_a_command_line_typed_wrong_is_said_in_chinese_first_with_its_usage(qunguan, archive, command, usage, chinese,
                                                                          english):
    result = qunguan(*[part.format(db=archive) for part in command])
    assert result.exit_code == 2 and "╭" not in result.output and "Traceback" not in result.output
    *before, said = result.stderr.splitlines()
    assert said.startswith(f"错误：{chinese}") and f"（error: {english}" in said, said
    if usage:
        [line] = before
        assert line.startswith(f"用法：{usage}") and "--help` 查看说明" in line, line


@pytest.mark.parametrize("command", [[], ["users"], ["stats", "--help"], ["users", "add", "--help"]])
def test_a_command_asked_for_its_help_still_gets_it(qunguan, command):
    result = qunguan(*command)
    assert "Usage: qunguan" in result.output and "错误" not in result.output


def test_classify_without_a_trained_model_says_to_train_one_in_chinese_first(qunguan, archive, tmp_path, monkeypatch):
    from classifiers import model as chat_model

    load = chat_model.load
    monkeypatch.setattr(chat_model, "load", lambda *args, **kwargs: load(tmp_path))  # a clone before `qunguan train`
    result = qunguan("classify", "--db", archive, "--silent")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.strip() == (f"错误：{tmp_path / 'chat.skops'} 没有训练好的模型；请先运行 `qunguan train` 训练"
                                     f"（error: no trained model at {tmp_path / 'chat.skops'}; run `qunguan train`）")


@pytest.mark.parametrize("copied, said", [
    (["chat.skops"], "chat.card.json：文件不存在"),  # models/ copied from a colleague's without the card
    (["chat.skops", "chat.card.json"], None),
])
def test_a_model_copied_without_its_card_is_named_in_one_line(qunguan, tmp_path, monkeypatch, copied, said):
    import shutil

    from classifiers import model as chat_model

    for name in copied:
        shutil.copy(chat_model.MODELS_DIR / name, tmp_path)
    load = chat_model.load
    monkeypatch.setattr(chat_model, "load", lambda *args, **kwargs: load(tmp_path))
    messages = tmp_path / "messages.jsonl"
    messages.write_text('{"text": "请各乡镇于周五前报送防汛物资清单"}\n', encoding="utf-8")
    result = qunguan("predict", messages)
    if said is None:
        assert result.exit_code == 0 and '"labels"' in result.stdout
    else:
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert result.stderr.strip() == (f"错误：{tmp_path / said}（error: {tmp_path / 'chat.card.json'}: "
                                         "No such file or directory）"), result.stderr


@pytest.mark.parametrize("days, said", [
    (["--from", "2025-03-10", "--to", "2025-03-09"], "错误：--to 2025-03-09 早于 --from 2025-03-10；结束日不能在开始日之前"),
    (["--from", "9999-12-30"], "错误：报告期须在 9999-12-31 之前结束"),
    (["--from", "2025-03-10", "--to", "2025-03-10"], None),  # one day is a period
])
def test_a_report_period_that_runs_backwards_is_refused_in_chinese_first(qunguan, archive, days, said):
    result = qunguan("report", "--db", archive, *days)
    if said is None:
        assert result.exit_code == 0 and result.stdout
    else:
        assert result.exit_code == 1 and result.stderr.startswith(said), result.stderr


def test_training_with_reviews_of_something_not_an_archive_says_so_and_leaves_it_as_it_was(qunguan, tmp_path):
    # Opened as an archive, a folder ended in SQLite's traceback, and a stray file (a
    # one-byte note, another program's database) had qunguan's tables written into it.
    note = tmp_path / "核查记录.db"
    note.write_bytes(b"x")
    other = tmp_path / "其他系统.db"
    with sqlite3.connect(other) as conn:
        conn.execute("create table ledger (id integer)")
    other_bytes = other.read_bytes()
    for given in (tmp_path, note, other):
        result = qunguan("train", "--no-select", "--with-reviews", given)
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert result.stderr.startswith(f"错误：{given} 不是群管档案；--with-reviews 后面写核查过标记的档案"), result.stderr
    assert note.read_bytes() == b"x" and other.read_bytes() == other_bytes


def test_training_with_reviews_of_an_archive_takes_its_reviews(qunguan, archive, monkeypatch):
    import classifiers.train
    from classifiers.corpus import CorpusError

    given = {}

    def stop_after_reading(**arguments):
        given.update(arguments)
        raise CorpusError("stopped before training: the test needs only what it was given")

    monkeypatch.setattr(classifiers.train, "train", stop_after_reading)
    result = qunguan("train", "--no-select", "--with-reviews", archive)
    assert f"0 reviewed examples from {archive}" in result.stderr and given["extra"] == []

"""Settings the detectors compile as regular expressions: an admin who types a bad pattern
is refused at `config set`, naming it; one stored before (or typed into the settings
table by hand) is left out with a warning, its default applying, and never stops `classify`."""
import copy

import pytest

from detectors.base import Message, load_config
from detectors.groups import detect_groups
from detectors.run import MESSAGE_DETECTORS
from detectors.setting_values import JOINED_PATTERNS, SEPARATE_PATTERNS
from ingest.registry import setting_defaults
from ingest.schema import open_archive

# Sent at 22:00 on a Monday: a notice after hours, with a demand for photos in it.
NOTICE = "7700000000000000001,文本,县应急局-周敏,2025-03-03 22:00:00,【通知】请各乡镇明天报送物资清单，请拍照上传群里,,,more\n"


@pytest.fixture
def archive(qunguan, db_path, tmp_path):
    export = tmp_path / "防汛群.csv"
    export.write_text("消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\n" + NOTICE, encoding="utf-8-sig")
    qunguan("ingest", export, "--db", db_path, "--silent")
    return db_path


def _typed_by_hand(db_path, key: str, value: str) -> None:
    conn = open_archive(str(db_path)).conn
    with conn:
        conn.execute("insert into settings values (?, ?, '2024-05-06T09:00:00', 'wang')", [key, value])
    conn.close()


@pytest.mark.parametrize("key, stored, why", [
    ("after_hours.directives", '["请(各"]', "'请(各' is not a regular expression (missing ), unterminated subpattern"),
    ("proof_demand.demands_after", '["请(各"]', "'请(各' is not a regular expression"),
    ("privacy.contact_patterns", '["请(各"]', "'请(各' is not a regular expression"),
    ("proof_demand.send_patterns", '["(?P<after>发)"]', "'(?P<after>发)' names a group (after)"),
    ("after_hours.directives", r'["(速)\\1报"]', r"'(速)\\1报' refers to a group by its number"),
])
def test_a_bad_pattern_stored_by_hand_is_left_out_with_a_warning_not_a_traceback(qunguan, archive, query, key, stored,
                                                                                why):
    _typed_by_hand(archive, key, stored)
    result = qunguan("classify", "--db", archive, "--silent")
    assert result.exit_code == 0 and result.stdout.startswith("flags added "), result.output
    assert f"setting {key} = {stored} is ignored: {why}" in result.stderr
    assert f"注意：设置 {key} 的值 {stored} 未采用：" in result.stderr  # in Chinese first, the English after it
    # The default applies: the notice after hours and the demand for photos are flagged.
    assert {"after_hours", "proof_demand"} <= {r["category"] for r in query("select category from flags")}
    shown = qunguan("config", "show", "--db", archive)
    assert f"{key}\t{stored} (ignored: the default applies)" in shown.stdout


def test_a_good_pattern_stored_by_hand_stays_in_force(qunguan, archive, query):
    _typed_by_hand(archive, "after_hours.directives", '["物资(清单|台账)"]')
    result = qunguan("classify", "--db", archive, "--silent")
    assert result.exit_code == 0 and "ignored" not in result.stderr
    assert query("select count(*) n from flags where category = 'after_hours'") == [{"n": 1}]


@pytest.mark.parametrize("key, value, problem", [
    ("after_hours.directives", '["请(各"]', "after_hours.directives: '请(各' is not a regular expression"),
    ("after_hours.weather_signs", '["预计", "*预报"]', "'*预报' is not a regular expression (nothing to repeat"),
    ("proof_demand.demands_after", '["(?i)ok"]', "its patterns cannot be joined into one regular expression "
                                                 "(global flags not at the start"),
    # A group name clashes with the detector's own when it joins the patterns into its own.
    ("proof_demand.send_patterns", '["(?P<after>发)"]', "'(?P<after>发)' names a group (after); write (?:...) instead"),
    ("proof_demand.done_patterns", '["(?P<x>发)", "(?P<x>传)"]', "names a group (x)"),
    # Nor may one refer to its group by number: joined after the detector's own, \1 is theirs.
    ("after_hours.directives", r'["(速)\\1报"]', r"'(速)\\1报' refers to a group by its number"),
    ("privacy.contact_patterns", r'["电话", "(联系)?(?(1)人|方式)"]', "'(联系)?(?(1)人|方式)' refers to a group by its number"),
])
def test_config_set_refuses_a_pattern_the_detector_cannot_compile_and_names_it(qunguan, archive, query, key, value,
                                                                             problem):
    refused = qunguan("config", "set", key, value, "--db", archive)
    assert refused.exit_code == 1 and problem in refused.stderr, refused.stderr
    assert query("select count(*) n from settings") == [{"n": 0}]


def test_a_back_reference_is_refused_in_chinese_first_naming_the_pattern(qunguan, archive):
    refused = qunguan("config", "set", "after_hours.directives", r'["请各村", "(速)\\1报"]', "--db", archive)
    chinese = refused.stderr.split("（error: ", 1)[0]
    assert refused.exit_code == 1 and chinese.startswith("错误：after_hours.directives 的值"), chinese
    assert r"'(速)\\1报' 按编号引用分组" in chinese and "请各村" not in chinese.split("：", 2)[2], chinese


def test_a_flag_opening_a_joined_pattern_is_refused_saying_how_to_write_it(qunguan, archive):
    # The admin wrote (?i) at the start of the pattern: the detectors wrap each pattern in
    # their own group, where such a flag may not stand, so it must cover a group of its own.
    refused = qunguan("config", "set", "proof_demand.demands_after", '["(?i)ok"]', "--db", archive)
    chinese = refused.stderr.split("（error: ", 1)[0]
    assert refused.exit_code == 1 and "(?i:…)" in chinese and "不在开头" not in chinese, chinese


@pytest.mark.parametrize("key, value", [
    ("after_hours.directives", '["请(各|全体)"]'),
    ("proof_demand.send_patterns", '["(发|传)到(?:工作)?群"]'),
    # Compiled one by one, a pattern may open with its own flags, and name its groups.
    ("group.hidden_name_patterns", '["(?i)^abc$"]'),
    ("group.hidden_name_patterns", '["^(?P<letters>[a-z]+)$"]'),
    ("group.hidden_name_patterns", r'["^(.)\\1+$"]'),
    # A backslash written out before a digit, and a group with no reference to it, are fine.
    ("after_hours.directives", r'["报送\\\\1", "请(各|全体)"]'),
    # Words are matched as they are: a bracket in one is no pattern.
    ("after_hours.urgent_words", '["(急", "紧急"]'),
])
def test_config_set_stores_what_the_detectors_compile(qunguan, archive, key, value):
    assert qunguan("config", "set", key, value, "--db", archive).exit_code == 0
    assert qunguan("classify", "--db", archive, "--silent").exit_code == 0


def _lists_of_strings() -> list[str]:
    return [key for key, default in setting_defaults().items()
            if not key.startswith("newmedia.") and isinstance(default, list) and default and isinstance(default[0], str)]


def test_the_pattern_settings_named_are_settings():
    assert set(JOINED_PATTERNS) | set(SEPARATE_PATTERNS) <= set(_lists_of_strings())


@pytest.mark.parametrize("key", [k for k in _lists_of_strings() if k not in JOINED_PATTERNS + SEPARATE_PATTERNS])
def test_every_other_list_is_of_words_the_detectors_never_compile(key):
    # A setting compiled as a pattern but not named so would stop `classify` on a bad one.
    section, _, name = key.partition(".")
    config = copy.deepcopy(load_config())
    config[section][name] = ["(", "*", "(?i)x"]
    scratch = open_archive(":memory:").conn
    sample = [Message(1, 1, 1, "2025-03-09T22:30:00", "text", "【通知】请各村今晚报送台账，密码：abc123，请拍照上传群里")]
    for module in MESSAGE_DETECTORS:
        module.detect(sample, config, {"conn": scratch})
    detect_groups(scratch, config)  # raises, as classify did, on a pattern it compiles

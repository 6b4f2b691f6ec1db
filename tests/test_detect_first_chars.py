"""The detectors' pattern lists are searched behind a lookahead of the characters a match
can start with: a wrong one would lose flags without a sound, so the matches must be
exactly those of the plain alternation."""
import re

import pytest

from classifiers.corpus import CORPUS_DIR
from detectors.base import any_pattern
from detectors.first_chars import first_chars
from tests.detector_helpers import CONFIG

PATTERN_LISTS = [CONFIG["after_hours"]["directives"], CONFIG["after_hours"]["not_directives"],
                 CONFIG["proof_demand"]["done_patterns"], CONFIG["proof_demand"]["send_patterns"]]
# Beside the corpus: a notice after spaces or a line break (the ^\s* branches), a date led
# by digits, a mention, a heading in brackets.
EDGES = ["  各股室：明天上午九点到三楼开会", "\n全体干部今晚八点前到岗", "12号上午的调度会改到下午",
         "@所有人 明天8点集合", "【通知】请各村于周五前报送", "  请问这个表什么时候交？", "已经报送了", "上周一的例会取消了吗"]


def corpus_texts() -> list[str]:
    import json
    return [json.loads(line)["text"] for path in sorted(CORPUS_DIR.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("patterns", PATTERN_LISTS, ids=["directives", "not_directives", "done", "send"])
def test_the_config_pattern_lists_find_exactly_what_their_plain_alternation_finds(patterns):
    fast = any_pattern(tuple(patterns))
    plain = re.compile("|".join(f"(?:{p})" for p in patterns))
    assert fast.pattern.startswith("(?=[")  # the lookahead is there, so this test tests it
    texts = corpus_texts() + EDGES
    assert [m and m.span() for m in map(fast.search, texts)] == [m and m.span() for m in map(plain.search, texts)]
    assert sum(plain.search(t) is not None for t in texts) > 100


@pytest.mark.parametrize("pattern", [r".{0,3}通知", r"[^，]通知", r"(?i)pwd", r"(?i:pwd)", r"(?a:\W|^)ok", r"(?a)\Sok", r"a?", r"(a)?\1b", r"(?:请)*"])
def test_a_pattern_that_may_start_with_anything_or_nothing_gets_no_lookahead(pattern):
    assert first_chars(pattern) is None


def test_ascii_mode_keeps_its_wider_negated_classes():
    # "ok" as a word between Chinese characters: ASCII \W matches 到, the plain \W does not.
    assert any_pattern((r"(?a:\W|^)ok(?a:\W|$)",)).search("收到ok了").span() == (1, 5)


def test_anchors_and_lookbehinds_are_looked_past_to_the_first_real_character():
    assert first_chars(r"^\s*(各|全体)") == r"[\s各全]"
    assert first_chars(r"(?<!上)周[一二]|\d+[日号]|a-b") == r"[周\da]"
    assert first_chars(r"请?问") == "[请问]"

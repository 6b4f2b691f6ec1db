"""The notice model beside after_hours' wording: the committed model is the one its corpus
trains, loads only trusted types, and reads as notices the plain ones no pattern foresaw;
without it, after_hours reads wording alone and says so."""
import json

import pytest
import skops.io as sio

from classifiers import model as chat_model
from classifiers.corpus import data_hash, load_corpus
from detectors import after_hours, notice_model
from tests.detector_helpers import fresh_context, msg, run

# Notices of a blind week no training saw (a tax branch, a police station, a school ...),
# which the wording rules pass over.
PLAIN_NOTICES = ["周五前每人交一篇学习心得，主题是优化税收营商环境，800字左右，要手写。",
                 "明天下午3点分局开视频会，所里会议室收看，社区民警全部参加。",
                 "回执收齐后拍照发群里，要能看清签名，按班级顺序发。",
                 "月考阅卷安排：周六上午8点在五楼阅卷室集中阅卷，带红笔，中午学校管饭。",
                 "节假日期间所有民警手机24小时保持畅通，不得离开县城，有事先报告。"]
NOT_NOTICES = ["收到，已经通知到各村了", "今天的走访已完成，共走访12户，照片已上传", "请问明天的会在几楼？",
               "周末去钓鱼的有没有？", "我明天上午去县里开会，有事打电话", "请大家注意安全，早点休息"]


def _at_night(text: str, context=None):
    return run(after_hours, msg(text, sent_at="2025-03-04T22:30:00"), context=context)


def test_the_committed_notice_model_is_the_one_its_corpus_trains_and_loads_only_trusted_types():
    card = json.loads((chat_model.MODELS_DIR / "notices.card.json").read_text(encoding="utf-8"))
    assert card["labels"] == ["notice"] and card["articles"] == {"notice": "群规 第十条"}
    assert card["data"]["hash"] == data_hash(load_corpus(notice_model.CORPUS_DIR, ("notice",)))
    assert set(sio.get_untrusted_types(file=chat_model.MODELS_DIR / "notices.skops")) <= set(chat_model.TRUSTED)
    # A model trained anew reads the archive again: its version is in after_hours' own.
    assert after_hours.VERSION.endswith(f".{card['version']}")
    assert card["test_metrics"]["categories"]["notice"]["precision"] >= 0.9


@pytest.mark.parametrize("text", PLAIN_NOTICES)
def test_plain_notices_no_pattern_foresaw_are_flagged_at_night(text):
    [flag] = _at_night(text)
    assert flag["article"] == "群规 第十条" and "内容为工作通知/任务" in flag["evidence"]


@pytest.mark.parametrize("text", NOT_NOTICES)
def test_replies_reports_questions_chatter_and_care_are_still_no_notice(text):
    assert _at_night(text) == []


def test_without_a_notice_model_after_hours_reads_wording_alone_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(notice_model, "MODELS_DIR", tmp_path)
    context = fresh_context()
    assert all(_at_night(text, context) == [] for text in PLAIN_NOTICES)
    assert _at_night("请各村明天上午报送防汛物资清单", context)  # worded as a notice
    assert context["warnings"] == [after_hours.NO_NOTICE_MODEL]
    assert "qunguan train --task notices" in after_hours.NO_NOTICE_MODEL.zh


def test_the_notice_model_trains_again_to_the_same_model_and_train_says_which(qunguan, tmp_path):
    corpus = tmp_path / "notices"
    corpus.mkdir()
    for path in sorted(notice_model.CORPUS_DIR.glob("*.jsonl")):
        (corpus / path.name).write_text("\n".join(path.read_text(encoding="utf-8").splitlines()[:150]) + "\n",
                                        encoding="utf-8")
    versions = []
    for out in ("first", "second"):
        result = qunguan("train", "--task", "notices", "--data", corpus, "--out", tmp_path / out, "--no-select")
        assert result.exit_code == 0, result.stderr
        assert "notice model's test split" in result.stdout and "notice\t" in result.stdout
        assert sorted(p.name for p in (tmp_path / out).iterdir()) == ["notices.card.json", "notices.skops"]
        versions.append(chat_model.load(tmp_path / out, notice_model.task()).version)
    assert versions[0] == versions[1]


@pytest.mark.parametrize("arguments, said", [
    (["--task", "rumours"], "--task rumours：没有这个模型；可选 chat 或 notices"),
    (["--task", "notices", "--with-reviews", "archive.db"], "--with-reviews 只用于聊天分类模型"),
])
def test_train_refuses_a_task_it_has_no_model_for(qunguan, tmp_path, arguments, said):
    result = qunguan("train", *arguments, "--out", tmp_path)
    assert result.exit_code != 0 and said in result.stderr
    assert list(tmp_path.iterdir()) == []

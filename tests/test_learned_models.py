"""The models beside after_hours' and proof_demand's wording: each committed model is the one
its corpus trains and loads only trusted types; they read the notices and the demands for
proof no pattern foresaw, and let go what the wording took for one; without them, the
detectors read wording alone and say so."""
import json
import shutil

import pytest
import skops.io as sio

from classifiers import model as chat_model
from classifiers.corpus import data_hash, load_corpus
from detectors import after_hours, learned, proof_demand, repeated_post
from detectors.learned import NOTICES, PROOF_DEMANDS
from tests.detector_helpers import CONFIG, add, archive, fresh_context, msg, run

# Notices of a blind week no training saw (a tax branch, a police station, a school ...),
# which the wording rules pass over.
PLAIN_NOTICES = ["周五前每人交一篇学习心得，主题是优化税收营商环境，800字左右，要手写。",
                 "明天下午3点分局开视频会，所里会议室收看，社区民警全部参加。",
                 "回执收齐后拍照发群里，要能看清签名，按班级顺序发。",
                 "月考阅卷安排：周六上午8点在五楼阅卷室集中阅卷，带红笔，中午学校管饭。",
                 "节假日期间所有民警手机24小时保持畅通，不得离开县城，有事先报告。"]
# One-line tasks to a named colleague and rules worded without 严禁 or 不得, of blind weeks 12-14,
# which the model learned to read from such messages the team wrote after weeks 11-13, seeing none
# of them (named.jsonl).
NAMED_TASKS_AND_RULES = ["@小周 把上周的支出进度表再核一遍，教育那块数对不上",
                         "@小刘 执法记录仪的视频记得拷到所里电脑上，立案建档要用",
                         "从明天起，离园时家长必须刷接送卡", "下周起，独居老人走访改成每周两次，周二周五，区里新要求。"]
NOT_NOTICES = ["收到，已经通知到各村了", "今天的走访已完成，共走访12户，照片已上传", "请问明天的会在几楼？",
               "周末去钓鱼的有没有？", "我明天上午去县里开会，有事打电话", "请大家注意安全，早点休息",
               # a named colleague asked, or their week told as news
               "@小周 上周那个表你放哪个文件夹了？", "老刘这周在市里培训"]


def _at_night(text: str, context=None):
    return run(after_hours, msg(text, sent_at="2025-03-04T22:30:00"), context=context)


@pytest.mark.parametrize("model, detector", [(NOTICES, after_hours), (PROOF_DEMANDS, proof_demand)])
def test_each_committed_model_is_the_one_its_corpus_trains_and_loads_only_trusted_types(model, detector):
    card = json.loads((chat_model.MODELS_DIR / f"{model.name}.card.json").read_text(encoding="utf-8"))
    assert card["labels"] == [model.category] and card["articles"] == {model.category: model.article}
    assert card["data"]["hash"] == data_hash(load_corpus(model.corpus_dir, (model.category,)))
    assert set(sio.get_untrusted_types(file=chat_model.MODELS_DIR / f"{model.name}.skops")) <= set(chat_model.TRUSTED)
    # A model trained anew reads the archive again: its version is in its detector's own.
    assert detector.VERSION.endswith(f".{card['version']}")
    assert card["test_metrics"]["categories"][model.category]["precision"] >= 0.9


@pytest.mark.parametrize("text", PLAIN_NOTICES + NAMED_TASKS_AND_RULES)
def test_plain_notices_no_pattern_foresaw_are_flagged_at_night(text):
    [flag] = _at_night(text)
    assert flag["article"] == "群规 第十条" and "内容为工作通知/任务" in flag["evidence"]


@pytest.mark.parametrize("text", NOT_NOTICES)
def test_replies_reports_questions_chatter_and_care_are_still_no_notice(text):
    assert _at_night(text) == []


@pytest.mark.parametrize("text, task", [
    # A notice after an answer's first word is judged on what follows it ...
    ("是的，下周一县卫健局来督导，各位把自己负责的档案整理好放档案室，周五下班前完成。", True),
    ("感谢各村支书和网格员这段时间的辛苦付出，入户登记已经全部完成！请各村在周三前把问题户清单报上来。", True),
    # ... a reply that sets no task is still a reply, and one that passes a task on at once too.
    ("好的，今天的走访已完成，共走访12户，照片已上传", False), ("收到，马上请各村落实", False),
])
def test_a_notice_the_model_reads_after_an_answers_first_word_is_one(text, task):
    assert bool(_at_night(text)) is task


def _posted_twice(tmp_path, text: str, again: str | None = None, member_id: int = 2) -> list[dict]:
    """Flags when a member of the group (a second one by default) posts `text` (or `again`)
    half an hour after the first."""
    conn = archive(tmp_path / "a.db")
    posts = [add(conn, 1, 1, "2025-03-04T09:00:00", text, member_id=1),
             add(conn, 2, 1, "2025-03-04T09:30:00", again or text, member_id=member_id)]
    return repeated_post.detect(posts, CONFIG, {"conn": conn})


# A notice after an answer's first words ("是的，…"), which only the model reads as one.
AFTER_AN_ANSWER = "是的，下周一县卫健局来督导，各位把自己负责的档案整理好放档案室，周五下班前完成。"


@pytest.mark.parametrize("text", [t for t in PLAIN_NOTICES if len(t) >= CONFIG["repeated_post"]["min_chars"]])
def test_a_plain_notice_another_member_posts_again_is_a_repeat(tmp_path, text):
    [flag] = _posted_twice(tmp_path, text)
    assert flag["message_id"] == 2 and flag["related_message_id"] == 1


@pytest.mark.parametrize("member_id", [1, 2])
def test_a_notice_after_an_answers_first_words_posted_again_is_a_repeat(tmp_path, member_id):
    [flag] = _posted_twice(tmp_path, AFTER_AN_ANSWER, member_id=member_id)
    assert flag["message_id"] == 2 and flag["related_message_id"] == 1


@pytest.mark.parametrize("text", ["收到，已经通知到各村了，各村明天上午开始入户登记", "今天的走访已完成，共走访12户，照片已上传",
                                  "我明天上午去县里开会，有事打电话"])
def test_members_telling_alike_what_no_one_asks_of_others_are_no_repeat(tmp_path, text):
    assert _posted_twice(tmp_path, text) == []


# Demands for proof of a blind week no training saw, which the wording rules pass over ...
UNFORESEEN_DEMANDS = ["走访记录表后面附一张现场照片，没照片的不算数。",
                      "每次巡山要在\"生态护林员\"APP上打卡，轨迹不少于5公里，没有轨迹的当天不算出勤，月底扣补助。",
                      "今晚值班的同志，每个钟头在群里报一次平安，顺带发个定位。",
                      "另外，听课时拍一张照片，从后排拍到讲台那种，期末和听课记录一起交。"]
# ... and what the wording took for one: a document's photo, a fault's screenshot, photos for an
# article, a question, a joke.
DOUBTED_DEMANDS = ["可以，让他先拍照发过来，原件下次补", "截图发给科技信息科老何，他知道",
                   "各班本周五前把亲子运动会的活动照片挑10张好的发给我，做公众号推文。",
                   "请问一下，学生请假是不是家长签字拍照给班主任就行？", "今晚谁不请奶茶谁就是不团结，限十分钟内接龙😂"]


@pytest.mark.parametrize("text", UNFORESEEN_DEMANDS)
def test_demands_for_proof_no_pattern_foresaw_are_flagged(text):
    [flag] = run(proof_demand, msg(text))
    assert flag["article"] == "群规 第九条" and flag["evidence"].startswith("要求以")


@pytest.mark.parametrize("text", DOUBTED_DEMANDS)
def test_what_the_wording_took_for_a_demand_the_model_lets_go(text):
    assert run(proof_demand, msg(text)) == []


def test_without_the_models_the_detectors_read_wording_alone_and_say_so(tmp_path, monkeypatch):
    monkeypatch.setattr(learned, "MODELS_DIR", tmp_path)
    context = fresh_context()
    assert all(_at_night(text, context) == [] for text in PLAIN_NOTICES)
    assert _at_night("请各村明天上午报送防汛物资清单", context)  # worded as a notice
    assert all(run(proof_demand, msg(text), context=context) == [] for text in UNFORESEEN_DEMANDS)
    assert run(proof_demand, msg("截图发给科技信息科老何，他知道"), context=context)  # the wording's reading
    assert context["warnings"] == [NOTICES.missing, PROOF_DEMANDS.missing]
    assert "qunguan train --task notices" in NOTICES.missing.zh and "过度留痕识别" in PROOF_DEMANDS.missing.zh
    assert NOTICES.version() is None and PROOF_DEMANDS.version() is None


def test_without_the_notice_model_a_plain_notice_posted_again_by_another_member_is_read_by_wording(
        tmp_path, monkeypatch):
    monkeypatch.setattr(learned, "MODELS_DIR", tmp_path / "models")
    assert _posted_twice(tmp_path, PLAIN_NOTICES[1]) == []
    (tmp_path / "again").mkdir()
    assert _posted_twice(tmp_path / "again", AFTER_AN_ANSWER) == []


def test_a_post_read_again_without_the_model_is_no_longer_anyones_copy(tmp_path, monkeypatch):
    # Read with the model, the answer's notice is a post and its sender's later notice its repeat;
    # read again after a reset without it (a model removed or trained anew), it is an answer.
    conn = archive(tmp_path / "a.db")
    later = AFTER_AN_ANSWER.removeprefix("是的，").replace("完成。", "完成，谢谢。")
    posts = [add(conn, 1, 1, "2025-03-04T09:00:00", AFTER_AN_ANSWER, member_id=1),
             add(conn, 2, 1, "2025-03-04T09:30:00", later, member_id=1)]
    assert [f["related_message_id"] for f in repeated_post.detect(posts, CONFIG, {"conn": conn})] == [1]
    monkeypatch.setattr(learned, "MODELS_DIR", tmp_path / "models")
    assert repeated_post.detect(posts, CONFIG, {"conn": conn}) == []
    assert conn.execute("select message_id from post_bands").fetchall() == [(2,)]


def test_a_run_after_a_reset_finds_no_copy_a_first_run_would_not(tmp_path, monkeypatch):
    # The notice, then another member's answer opening with it; each read in its own batch.
    conn = archive(tmp_path / "a.db")
    notice = AFTER_AN_ANSWER.removeprefix("是的，")
    posts = [add(conn, 1, 1, "2025-03-04T09:00:00", notice, member_id=1),
             add(conn, 2, 1, "2025-03-04T09:30:00", AFTER_AN_ANSWER, member_id=2)]
    context = {"conn": conn}
    assert [repeated_post.detect([post], CONFIG, context) != [] for post in posts] == [False, True]
    # Read again without the model, the answer is no post: not even in the notice's batch,
    # where what the run before stored of it (later in time, in a later batch) stood.
    monkeypatch.setattr(learned, "MODELS_DIR", tmp_path / "models")
    context = {"conn": conn}
    assert [repeated_post.detect([post], CONFIG, context) for post in posts] == [[], []]
    assert conn.execute("select message_id from post_bands").fetchall() == [(1,)]


def test_read_again_without_the_model_the_detector_withdraws_nothing_the_model_found(tmp_path, monkeypatch):
    from detectors.run import run_rules

    conn = archive(tmp_path / "a.db")
    add(conn, 1, 1, "2025-03-04T22:30:00", PLAIN_NOTICES[1])
    # What a version reading with the model flagged, before the model file went missing.
    conn.execute("insert into flags (subject, message_id, group_id, category, score, detector, article, evidence, "
                 "created_at) values ('message:1', 1, 1, 'after_hours', 1, 'rules@after_hours.1', '群规 第十条', '…', '')")
    conn.commit()
    monkeypatch.setattr(learned, "MODELS_DIR", tmp_path / "models")
    assert _at_night(PLAIN_NOTICES[1], fresh_context()) == []  # wording alone does not find it
    run_rules(conn)
    assert conn.execute("select count(*) from handling").fetchone()[0] == 0


@pytest.mark.parametrize("damage", ["card of another training", "card gone", "model cut short"])
def test_a_damaged_model_is_read_as_none_and_its_version_says_so(tmp_path, monkeypatch, damage):
    # Not a traceback in every classify and every `config set` (which runs the detectors on
    # a sample): wording alone, said, and a version without the model's, so that the model
    # put right reads the archive again.
    for name in ("notices.skops", "notices.card.json"):
        shutil.copy(chat_model.MODELS_DIR / name, tmp_path)
    card, model = tmp_path / "notices.card.json", tmp_path / "notices.skops"
    if damage == "card of another training":
        card.write_text(card.read_text(encoding="utf-8").replace(NOTICES.version(), "0e4c1b2a9f77"), encoding="utf-8")
        model.write_bytes(model.read_bytes() + b"another training")
    elif damage == "card gone":
        card.unlink()
    else:
        model.write_bytes(model.read_bytes()[:1000])
    monkeypatch.setattr(learned, "MODELS_DIR", tmp_path)
    context = fresh_context()
    assert _at_night(PLAIN_NOTICES[0], context) == []
    assert context["warnings"] == [NOTICES.missing]
    assert NOTICES.version() is None


@pytest.mark.parametrize("text", ["@视频组 各位今晚把巡查的情况发上来，每个点都要", "[视频] 各组今晚把巡查情况都发群里，一个都不能少"])
def test_media_named_only_in_a_mention_or_an_attachment_make_no_demand(text):
    assert run(proof_demand, msg(text)) == []


@pytest.mark.parametrize("model", [NOTICES, PROOF_DEMANDS])
def test_a_detectors_model_trains_again_to_the_same_model_and_train_says_which(qunguan, tmp_path, model):
    corpus = tmp_path / model.name
    corpus.mkdir()
    for path in sorted(model.corpus_dir.glob("*.jsonl")):
        (corpus / path.name).write_text("\n".join(path.read_text(encoding="utf-8").splitlines()[:150]) + "\n",
                                        encoding="utf-8")
    versions = []
    for out in ("first", "second"):
        result = qunguan("train", "--task", model.name, "--data", corpus, "--out", tmp_path / out, "--no-select")
        assert result.exit_code == 0, result.stderr
        assert f"{model.name} model's test split" in result.stdout and f"{model.category}\t" in result.stdout
        assert sorted(p.name for p in (tmp_path / out).iterdir()) == [f"{model.name}.card.json", f"{model.name}.skops"]
        versions.append(chat_model.load(tmp_path / out, model.task()).version)
    assert versions[0] == versions[1]


@pytest.mark.parametrize("arguments, said", [
    (["--task", "rumours"], "--task rumours：没有这个模型；可选 chat、notices、proof_demands"),
    (["--task", "notices", "--with-reviews", "archive.db"], "--with-reviews 只用于聊天分类模型"),
])
def test_train_refuses_a_task_it_has_no_model_for(qunguan, tmp_path, arguments, said):
    result = qunguan("train", *arguments, "--out", tmp_path)
    assert result.exit_code != 0 and said in result.stderr
    assert list(tmp_path.iterdir()) == []

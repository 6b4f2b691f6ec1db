"""The saved chat classifier: reproducible training, safe loading, the predict/evaluate
interfaces, and verdicts on clear positives and hard negatives."""
import copy
import json
from pathlib import Path

import pytest
import skops.io as sio

from classifiers import model as chat_model
from classifiers.tokenizer import cut_words, tokens as segment
from classifiers.corpus import load_corpus, split


@pytest.fixture(scope="module")
def saved():
    return chat_model.load()


def test_training_twice_gives_the_same_model_and_predictions(mini_models):
    first, second = mini_models
    texts = ["领导辛苦了🌹", "明天开会", "听说要放假", "你这个废物"]
    assert first.card["version"] == second.card["version"]
    assert (first.scores(texts) == second.scores(texts)).all()


def test_saved_model_round_trips_through_skops_with_only_trusted_types(mini_models, tmp_path):
    first, _ = mini_models
    path = chat_model.save(first, tmp_path)
    assert set(sio.get_untrusted_types(file=path)) <= set(chat_model.TRUSTED)
    again = chat_model.load(tmp_path)
    texts = ["领导辛苦了🌹", "明天开会", "听说要放假"]
    assert (again.scores(texts) == first.scores(texts)).all()
    assert again.thresholds == first.thresholds


def test_a_train_stopped_while_saving_leaves_the_saved_model_whole(mini_models, tmp_path, monkeypatch):
    first, second = mini_models
    chat_model.save(first, tmp_path)

    def stopped(pipeline, file, **options):  # Ctrl-C with half the file written
        Path(file).write_bytes(b"PK\x03\x04 half a model")
        raise KeyboardInterrupt

    monkeypatch.setattr(chat_model.sio, "dump", stopped)
    with pytest.raises(KeyboardInterrupt):
        chat_model.save(second, tmp_path)
    texts = ["领导辛苦了🌹", "明天开会", "听说要放假"]
    assert (chat_model.load(tmp_path).scores(texts) == first.scores(texts)).all()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chat.card.json", "chat.skops"]


def _retrained(model: chat_model.Model) -> chat_model.Model:
    """Another model than `model`, as the next `train` makes, under a card of its own."""
    pipeline = copy.deepcopy(model.pipeline)
    pipeline.verbose = True  # saved with it: another file
    return chat_model.Model(pipeline, dict(model.thresholds), {**model.card, "version": "0e4c1b2a9f77"}, model.task)


def test_a_train_stopped_between_the_model_and_its_card_is_said_not_loaded_with_the_wrong_card(mini_models, tmp_path,
                                                                                               monkeypatch):
    first, _ = mini_models
    chat_model.save(first, tmp_path)
    moved = []

    def stopped(self, target):  # Ctrl-C after the first of the two files is in place
        if moved:
            raise KeyboardInterrupt
        moved.append(target)
        return Path.rename(self, target)

    monkeypatch.setattr(Path, "replace", stopped)
    with pytest.raises(KeyboardInterrupt):
        chat_model.save(_retrained(first), tmp_path)
    monkeypatch.undo()
    with pytest.raises(chat_model.MismatchedCard, match="are of two trainings"):
        chat_model.load(tmp_path, attempts=1)


def test_a_classify_loading_while_train_replaces_the_model_gets_the_new_model_with_its_card(mini_models, tmp_path,
                                                                                            monkeypatch):
    import threading
    import time

    first, _ = mini_models
    chat_model.save(first, tmp_path)
    second, loaded, replace = _retrained(first), [], Path.replace

    def slow(self, target):  # a classify starts loading between the two moves
        replace(self, target)
        if not loaded:
            loading = threading.Thread(target=lambda: loaded.append(chat_model.load(tmp_path)))
            loaded.append(loading)
            loading.start()
            time.sleep(0.3)

    monkeypatch.setattr(Path, "replace", slow)
    chat_model.save(second, tmp_path)
    loaded[0].join()
    texts = ["领导辛苦了🌹", "明天开会", "听说要放假"]
    assert loaded[1].version == "0e4c1b2a9f77" and loaded[1].pipeline.verbose is True
    assert (loaded[1].scores(texts) == second.scores(texts)).all()


def test_a_card_saved_before_cards_held_the_models_hash_is_still_loaded(mini_models, tmp_path):
    first, _ = mini_models
    chat_model.save(first, tmp_path)
    _without_hash(tmp_path / "chat.card.json")
    assert chat_model.load(tmp_path, attempts=1).version == first.version


def _without_hash(card_path: Path) -> None:
    """The card as saved before cards held their model's hash."""
    card = json.loads(card_path.read_text(encoding="utf-8"))
    del card["skops_sha256"]
    card_path.write_text(json.dumps(card), encoding="utf-8")


def test_classify_with_a_model_and_a_card_of_two_trainings_says_so_and_flags_nothing(qunguan, db_path, query, fixtures,
                                                                                   mini_models, tmp_path, monkeypatch):
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    first, _ = mini_models
    chat_model.save(first, tmp_path)
    chat_model.save(_retrained(first), tmp_path / "next")
    (tmp_path / "next" / "chat.card.json").replace(tmp_path / "chat.card.json")  # stopped between the two
    load = chat_model.load
    monkeypatch.setattr(chat_model, "load", lambda: load(tmp_path, attempts=1))  # classify's models/ folder
    result = qunguan("classify", "--db", db_path, "--silent")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.startswith("错误：模型文件与其说明卡（card）不是同一次训练的") and "are of two trainings" in result.stderr
    assert query("select count(*) n from flags") == [{"n": 0}]


def test_loading_refuses_a_model_with_an_untrusted_type(tmp_path, mini_models):
    first, _ = mini_models
    chat_model.save(first, tmp_path)
    sio.dump({"evil": __import__("fractions").Fraction(1, 3)}, tmp_path / "chat.skops")
    _without_hash(tmp_path / "chat.card.json")  # written over a model saved before cards held its hash
    with pytest.raises(Exception, match="[Uu]ntrusted"):
        chat_model.load(tmp_path)


def test_the_test_split_is_stratified_and_never_seen_in_training():
    examples = load_corpus()
    train_part, test_part = split(examples)
    assert not {e.text for e in train_part} & {e.text for e in test_part}
    assert 0.19 <= len(test_part) / len(examples) <= 0.21
    for category in ("offtopic", "flattery", "rumour", "sensitive"):
        share = sum(category in e.labels for e in test_part) / max(1, sum(category in e.labels for e in examples))
        assert 0.18 <= share <= 0.22
    assert split(examples) == (train_part, test_part)
    # Adding examples never moves one across: what was test stays test.
    more = examples + [type(examples[0])(text=f"新加的第{i}条工作消息", labels=()) for i in range(500)]
    more_train, more_test = split(more)
    assert {e.text for e in test_part} <= {e.text for e in more_test}
    assert {e.text for e in train_part} <= {e.text for e in more_train}


def test_the_card_records_versions_data_thresholds_and_test_metrics(saved):
    card = saved.card
    assert card["labels"] == ["offtopic", "flattery", "rumour", "sensitive"]
    assert {"hash", "train", "test"} <= card["data"].keys()
    assert set(card["thresholds"]) == set(card["labels"])
    assert {"macro_f1", "work_flagged"} <= card["test_metrics"].keys()
    assert "scikit-learn" in card["versions"]


@pytest.mark.parametrize("text, expected", [
    ("领导讲话高屋建瓴，深受启发🌹🌹🌹", "flattery"),
    ("听说下个月工资要降一半，内部消息，大家赶紧转", "rumour"),
    ("周末谁去钓鱼？我知道一个好水库", "offtopic"),
    ("你是猪脑子吗，这点事都办不好", "sensitive"),
    ("👍👍👍", "flattery"),  # a chain; one alone is an acknowledgement
])
def test_clear_breaches_are_flagged(saved, text, expected):
    labels, _ = saved.predict([text])[0]
    assert expected in labels


@pytest.mark.parametrize("text", [
    "收到👍",
    "👍",
    "[强]",
    " 🙏 ",
    "👍️",  # with the emoji variation selector phones add
    "👍🏻",
    "👍！！",
    "感谢大家连续三天加班，明天上午9点继续入户核查，请带好登记表",
    "近日网传我县将全面停水，经核实系谣言，请以供水公司公告为准",
    "提醒：涉密文件严禁上传微信群，请通过机要渠道报送",
    "请各乡镇于3月5日前报送森林防火隐患排查台账",
])
def test_hard_negatives_stay_unflagged(saved, text):
    labels, _ = saved.predict([text])[0]
    assert labels == []


def test_evidence_reads_as_whole_words_and_masks_numbers(saved):
    texts = ["各位晚安，今天大家都辛苦了，早点休息吧。", "身份证号362202199001011234，某某，电话13907951234",
             "这个人身份证36220219900101080X，你是猪脑子吗", "周末谁去钓鱼？" + "hahahaha" * 400]
    wanted = [(0, "offtopic"), (1, "sensitive"), (2, "sensitive"), (3, "offtopic")]
    for (i, _), words in zip(wanted, saved.evidence(texts, [segment(t) for t in texts], wanted)):
        written = set(cut_words(texts[i])) | set(segment(texts[i]).split())  # whole words, either mode
        assert words and all(w in written or "*" in w or w.endswith("…") for w in words), words
        assert not any(ch in "，。" for w in words for ch in w) and all(len(w) <= 21 for w in words)
        assert not any(number in w for w in words for number in ("362202199001011234", "13907951234", "36220219900101080X"))


def test_evidence_shows_no_piece_of_a_number_written_in_groups(saved):
    # Each group is a word of its own, too short to be masked: shown, they would spell the number.
    texts = ["这个人身份证362202-19850312-3417，卡号6228 4800 1234 5671，手机138.7951.2345，你是猪脑子吗"]
    for category in ("offtopic", "sensitive"):
        [words] = saved.evidence(texts, [segment(t) for t in texts], [(0, category)], top=8)
        assert words and not any(ch.isdigit() for w in words for ch in w), words


def test_predict_reads_jsonl_and_writes_labels_and_scores(qunguan, tmp_path):
    lines = [{"text": "领导英明🌹🌹", "id": 7}, {"text": "明天上午开会"}]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(l, ensure_ascii=False) for l in lines) + "\n", encoding="utf-8")
    result = qunguan("predict", source)
    out = [json.loads(l) for l in result.stdout.splitlines()]
    assert out[0]["id"] == 7 and "flattery" in out[0]["labels"]
    assert out[1]["labels"] == []
    assert set(out[1]["scores"]) == {"offtopic", "flattery", "rumour", "sensitive"}


def test_predict_works_where_no_cache_folder_for_compiled_code_is_writable(tmp_path):
    """An install owned by another user, run by an account without a home: numba finds no
    folder for its cache (simulated with its own setting), and scoring must still run."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    (tmp_path / "in.jsonl").write_text('{"text": "领导辛苦了🌹🌹"}\n', encoding="utf-8")
    env = {**os.environ, "NUMBA_CACHE_LOCATOR_CLASSES": "ZipCacheLocator"}  # a locator that never applies
    done = subprocess.run([str(Path(sys.executable).with_name("qunguan")), "predict", str(tmp_path / "in.jsonl")],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["labels"] == ["flattery"]
    assert "no writable folder for its cache" in done.stderr  # the fallback was taken, and said so


def test_predict_reads_stdin_and_reports_bad_lines(qunguan):
    result = qunguan("predict", "-", input='{"text": "收到"}\nnot json\n')
    assert json.loads(result.stdout.splitlines()[0])["labels"] == []
    assert result.exit_code == 1 and "-:2" in result.stderr


def test_evaluate_prints_per_category_scores_and_work_flag_rate(qunguan, fixtures, saved):
    result = qunguan("evaluate", fixtures / "corpus" / "mini.jsonl", "--json")
    report = json.loads(result.stdout)
    assert report["model"] == saved.detector  # which model the figures are of
    assert report["n"] == 50 and report["work_support"] == 10
    assert set(report["categories"]) == {"offtopic", "flattery", "rumour", "sensitive"}
    assert 0 <= report["work_flagged"] <= 1 and "work" in report["confusion"]
    table = qunguan("evaluate", fixtures / "corpus" / "mini.jsonl")
    assert "macro" in table.stdout and "work flagged" in table.stdout and report["model"] in table.stdout


def test_a_category_a_small_file_never_mentions_is_not_scored_as_failed():
    # No sensitive message and none predicted: that category has nothing to score.
    from classifiers.evaluate import metrics, table

    truth = [("offtopic",), ("flattery",), ("rumour",), (), ()]
    report = metrics(truth, [list(t) for t in truth])
    assert report["categories"]["sensitive"]["f1"] is None and report["macro_f1"] == 1.0
    assert ["sensitive", "", "", "n/a", "0"] in table(report)
    # One predicted where there is none is a real error, scored as such.
    wrong = metrics(truth, [list(t) for t in truth[:-1]] + [["sensitive"]])
    assert wrong["categories"]["sensitive"]["f1"] == 0.0 and wrong["macro_f1"] == 0.75


def test_classify_is_incremental_and_explains_each_flag(qunguan, db_path, query, fixtures):
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    first = qunguan("classify", "--db", db_path, "--silent")
    assert first.exit_code == 0, first.stderr
    flags = query("select f.category, f.article, f.evidence, f.detector, m.text from flags f "
                  "join messages m on m.id = f.message_id where f.detector like 'chat@%'")
    assert all(f["article"].startswith("群规 第") and "依据" in f["evidence"] for f in flags)
    assert "flags added 0" in qunguan("classify", "--db", db_path, "--silent").stdout
    qunguan("ingest", fixtures / "memotrace3-week2.csv", "--db", db_path, "--group", "防火群", "--silent")
    before = query("select id from flags order by id")
    third = qunguan("classify", "--db", db_path, "--silent")
    assert third.exit_code == 0
    assert query("select id from flags order by id")[: len(before)] == before  # old flags untouched
    marks = {r["detector"]: r["last_message_id"] for r in query("select * from detector_state")}
    newest = query("select max(id) n from messages")[0]["n"]
    assert marks[flags[0]["detector"]] == newest  # the new week's messages were scored


def test_a_large_classify_run_splits_the_work_over_workers_and_flags_the_same(qunguan, db_path, fixtures, monkeypatch):
    """From PARALLEL_FROM new messages, forked workers read and judge id ranges; the
    flags and the watermark must be exactly those of a run in one process."""
    import sqlite3

    from classifiers import classify
    from ingest.schema import open_archive

    for week in ("memotrace3-week1.csv", "memotrace3-week2.csv"):
        qunguan("ingest", fixtures / week, "--db", db_path, "--group", "防火群", "--silent")
    copy = db_path.with_name("copy.db")
    with sqlite3.connect(db_path) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    forks = []

    class Pool(classify.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            forks.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(classify, "ProcessPoolExecutor", Pool)
    monkeypatch.setattr(classify, "BATCH", 5)  # many ranges, several in flight at once
    runs = []
    for path, parallel_from in ((db_path, 10**9), (copy, 0)):
        monkeypatch.setattr(classify, "PARALLEL_FROM", parallel_from)
        conn = open_archive(str(path)).conn
        seen = []
        added = classify.classify_messages(conn, chat_model.load(), lambda done, total: seen.append((done, total)))
        flags = conn.execute("select subject, category, score, evidence from flags order by subject, category").fetchall()
        runs.append((added, flags, conn.execute("select last_message_id from detector_state").fetchall(), seen[-1]))
    if not forks:
        pytest.skip("one core or no fork here: classify never forks workers")
    assert runs[0] == runs[1] and runs[0][0] > 0
    done, total = runs[1][3]
    assert done == total == len(open_archive(str(copy)).conn.execute("select id from messages").fetchall())


def test_classify_of_an_archive_in_memory_scores_it_all_in_one_process(qunguan, db_path, fixtures, monkeypatch):
    """A forked worker reopens the archive by its file: an in-memory copy has none, and a
    worker would find it empty while the watermark moved past every message."""
    import sqlite3

    from classifiers import classify

    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    memory = sqlite3.connect(":memory:")
    with sqlite3.connect(db_path) as source:
        source.backup(memory)
    monkeypatch.setattr(classify, "PARALLEL_FROM", 0)
    assert classify.classify_messages(memory, chat_model.load()) > 0
    assert classify.classify_messages(memory, chat_model.load()) == 0


def test_classify_moves_past_a_week_with_no_text_to_score(qunguan, db_path, query, fixtures):
    qunguan("ingest", fixtures / "memotrace3-no-text.csv", "--db", db_path, "--group", "防火群", "--silent")
    result = qunguan("classify", "--db", db_path, "--silent")
    assert result.exit_code == 0, result.stderr
    model = query("select last_message_id from detector_state where detector like 'chat@%'")
    assert model == [{"last_message_id": query("select max(id) n from messages")[0]["n"]}]


def test_classify_and_a_reviewer_writing_at_the_same_time_wait_for_each_other(db_path):
    import sqlite3

    from ingest.schema import open_archive

    setting = "insert into settings (key, value, updated_at, updated_by) values (?, '1', 'now', 'test')"
    classify = open_archive(str(db_path)).conn
    reviewer = sqlite3.connect(db_path, timeout=0)
    with classify:
        classify.executemany(setting, [])  # classify's batch transaction opens (as insert_flags does)
        classify.execute("select count(*) from flags").fetchone()
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            with reviewer:  # the other writer waits its turn (here: gives up at once)...
                reviewer.execute(setting, ["review.x"])
        classify.execute(setting, ["classify.x"])  # ...instead of failing classify's write
    with reviewer:
        reviewer.execute(setting, ["review.x"])
    assert {r[0] for r in reviewer.execute("select key from settings")} >= {"classify.x", "review.x"}


def test_train_saves_where_classify_loads_from_whatever_folder_it_is_run_in(qunguan, tmp_path, monkeypatch):
    # `qunguan train` run from another folder saved into ./models, and classify kept the old model.
    from classifiers import model as chat_model

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in sorted(chat_model.CORPUS_DIR.glob("*.jsonl")):
        lines = path.read_text(encoding="utf-8").splitlines()[:40]
        (corpus / path.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(chat_model, "MODELS_DIR", tmp_path / "models")
    monkeypatch.chdir(tmp_path / "corpus")
    result = qunguan("train", "--data", corpus, "--no-select")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "models" / "chat.skops").exists() and not (corpus / "models").exists()
    assert chat_model.load(tmp_path / "models").version == json.loads(
        (tmp_path / "models" / "chat.card.json").read_text(encoding="utf-8"))["version"]


def test_times_the_program_writes_are_beijing_time_whatever_the_servers_zone(qunguan, db_path, query, fixtures,
                                                                               monkeypatch):
    # Messages are archived in Asia/Shanghai time; flags, decisions and imports sit beside
    # them in the same tables and pages, so a server kept in UTC must not write UTC.
    import time
    from datetime import datetime, timedelta, timezone

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
        qunguan("classify", "--db", db_path, "--silent")
    finally:
        monkeypatch.undo()
        time.tzset()
    beijing = datetime.now(timezone(timedelta(hours=8))).replace(tzinfo=None)
    for written in (query("select max(created_at) t from flags")[0]["t"], query("select finished_at t from imports")[0]["t"]):
        assert abs(datetime.fromisoformat(written) - beijing) < timedelta(minutes=5)


def test_a_labelled_file_saved_by_excel_in_gbk_is_refused_in_one_line_saying_to_save_it_as_utf8(qunguan, tmp_path):
    """An admin collects messages in Excel, saves them as text (GBK, Excel's default on a
    Chinese Windows) and asks the model about them: one line saying what to do, no
    UnicodeDecodeError traceback, nothing scored from bytes read as something else."""
    labelled = tmp_path / "抽查.jsonl"
    labelled.write_bytes('{"text": "领导辛苦了", "labels": ["flattery"]}\n'.encode("gbk"))
    unlabelled = tmp_path / "待判.jsonl"
    unlabelled.write_bytes('{"text": "领导辛苦了"}\n{"text": "明天开会"}\n'.encode("gbk"))
    for command, file in (("evaluate", labelled), ("predict", unlabelled)):
        result = qunguan(command, file)
        assert result.exit_code == 1 and not isinstance(result.exception, UnicodeError), (command, result.exception)
        assert result.stdout == ""
        assert result.stderr.strip() == (f"错误：{file} 第 1 行：不是 UTF-8 文本；请把文件另存为 UTF-8 后重新运行"
                                         f"（error: {file}:1: not UTF-8 text; save the file as UTF-8 and run this again）")


def test_evaluate_on_a_missing_or_empty_file_is_refused_not_scored_as_nothing(qunguan, tmp_path):
    (tmp_path / "空.jsonl").write_text("\n", encoding="utf-8")
    empty = qunguan("evaluate", tmp_path / "空.jsonl")
    assert empty.exit_code == 1 and empty.stdout == ""  # no table of n/a scores for nothing
    assert empty.stderr.strip() == (f"错误：{tmp_path / '空.jsonl'}：其中没有带标签的消息"
                                    f"（error: {tmp_path / '空.jsonl'}: no labelled messages in it）")
    missing = qunguan("evaluate", tmp_path / "抽查.jsonl")
    assert missing.exit_code == 1
    assert missing.stderr.strip() == (f"错误：{tmp_path / '抽查.jsonl'}：文件不存在"
                                      f"（error: {tmp_path / '抽查.jsonl'}: No such file or directory）")
    folder = qunguan("predict", tmp_path)
    assert folder.exit_code == 1 and folder.stderr.startswith(f"错误：{tmp_path}：是文件夹，请写出其中的文件（error: ")


def test_a_corpus_the_model_cannot_learn_from_is_refused_in_chinese_first_naming_the_line(qunguan, tmp_path):
    corpus = tmp_path / "语料"
    corpus.mkdir()
    nothing = qunguan("train", "--data", corpus, "--no-select", "--out", tmp_path / "models")
    assert nothing.exit_code == 1
    assert nothing.stderr.strip() == f"错误：{corpus} 下没有训练样本（.jsonl 文件）（error: no examples under {corpus}）"
    (corpus / "抽查.jsonl").write_text('{"text": "明天开会", "labels": []}\n{"text": "领导辛苦了", "labels": ["马屁"]}\n',
                                     encoding="utf-8")
    mislabelled = qunguan("evaluate", corpus / "抽查.jsonl")
    assert mislabelled.exit_code == 1
    assert mislabelled.stderr.startswith(f"错误：{corpus / '抽查.jsonl'} 第 2 行：没有这些标签 ['马屁']；可用的标签：offtopic、")
    assert f"（error: {corpus / '抽查.jsonl'}:2: unknown labels ['马屁']" in mislabelled.stderr


def test_a_train_whose_model_cannot_be_written_says_so_in_one_line(qunguan, fixtures, tmp_path, monkeypatch):
    """The admin gives --out a folder on a read-only share: refused at once, not after the
    training's minutes and then with a traceback. A disk that fills while the model is
    written is one line too, and the model saved before is kept."""
    import os

    from classifiers import train as training

    share = tmp_path / "共享"
    share.mkdir()
    share.chmod(0o555)
    access = os.access
    # Root may write anywhere: answer as the kernel does any other user.
    monkeypatch.setattr(os, "access", lambda p, mode: access(p, mode) and not (
        os.fspath(p) == os.fspath(share) and mode & os.W_OK))
    trained = []
    monkeypatch.setattr(training, "train", lambda *a, **k: trained.append(1))
    try:
        for command in (["train"], ["posts", "train"]):
            for out in (share, share / "models"):
                result = qunguan(*command, "--data", fixtures / "corpus", "--no-select", "--out", out)
                assert result.exit_code == 1 and isinstance(result.exception, SystemExit), (command, result.exception)
                assert result.stderr.strip() == (f"错误：{out}：文件夹 {share} 只读；--out 请写可写入的文件夹（error: {out}: the "
                                                 f"folder {share} is read-only; give --out a folder you can write）"), command
    finally:
        share.chmod(0o755)
    assert not trained
    monkeypatch.undo()

    def disk_full(pipeline, file, **options):
        Path(file).write_bytes(b"PK\x03\x04 half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(chat_model.sio, "dump", disk_full)
    full = qunguan("train", "--data", fixtures / "corpus", "--no-select", "--out", tmp_path / "models")
    assert full.exit_code == 1 and isinstance(full.exception, SystemExit), full.exception
    assert full.stderr.strip().splitlines()[-1] == (
        f"错误：{tmp_path / 'models'}：模型没能保存（No space left on device）；该处原有的模型保持不变（error: "
        f"{tmp_path / 'models'}: the model could not be saved (No space left on device); the one saved there "
        "before, if any, is as it was）")
    assert list((tmp_path / "models").iterdir()) == []


def test_a_message_holding_a_line_separator_is_one_labelled_message(tmp_path):
    # Text pasted from a web page may carry U+2028; JSON writes it as it is, inside the string.
    from classifiers.corpus import read_jsonl

    labelled = tmp_path / "抽查.jsonl"
    labelled.write_text(json.dumps({"text": "听说明天停水\u2028转发到各群", "labels": ["rumour"]}, ensure_ascii=False) + "\n"
                        + json.dumps({"text": "收到\u0085", "labels": []}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert [(e.text, e.labels) for e in read_jsonl(labelled)] == [("听说明天停水\u2028转发到各群", ("rumour",)),
                                                                  ("收到\u0085", ())]

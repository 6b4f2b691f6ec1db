"""Supervisors' verdicts flow back into training: a dismissed false positive, fed back,
changes the model's verdict on that message."""
import json

from classifiers.train import train
from review.feedback import reviewed_examples
from tests.conftest import FIXTURES

FALSE_POSITIVE = "领导辛苦了，会议改到明天九点"


def test_export_and_retraining_with_a_dismissed_flag_changes_the_verdict(qunguan, db_path, query, tmp_path):
    mini = FIXTURES / "corpus"
    before, _ = train(corpus_dir=mini, select=False, progress=lambda *_: None)
    assert "flattery" in before.predict([FALSE_POSITIVE])[0][0]  # the mini model is fooled

    export = tmp_path / "week.csv"
    export.write_text("消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\n"
                      f"9900000000000000001,文本,王主任,2025-03-04 10:00:00,{FALSE_POSITIVE},,,more\n", encoding="utf-8")
    qunguan("ingest", export, "--db", db_path, "--group", "核查群", "--silent")
    import sqlite3

    con = sqlite3.connect(db_path)
    con.execute("insert into flags (subject, message_id, group_id, category, score, detector, article, evidence, created_at) "
                "values ('message:1', 1, 1, 'flattery', 0.9, ?, '群规 第十二条', 'x', '2025-03-04T10:00:00')",
                [before.detector])
    con.execute("insert into handling (id, flag_id, status, action, note, actor_id, created_at, prev_hash, hash) "
                "values (1, 1, 'dismissed', 'none', '正常工作安排', 'u-sup', '2025-03-04T11:00:00', '', '')")
    con.commit()
    con.close()

    exported = [json.loads(l) for l in qunguan("reviews", "export", "--db", db_path).stdout.splitlines()]
    assert exported == [{"message_id": 1, "text": FALSE_POSITIVE, "labels": [], "not": ["flattery"]}]

    from ingest.schema import open_archive

    extra = reviewed_examples(open_archive(str(db_path)).conn)
    after, _ = train(corpus_dir=mini, extra=extra, select=False, progress=lambda *_: None)
    assert "flattery" not in after.predict([FALSE_POSITIVE])[0][0]
    assert after.card["data"]["reviewed_examples"] == 1

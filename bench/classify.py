"""Classify benchmark: `qunguan classify` over a generated 1,000,000-message archive.

Messages are drawn from the team corpus in the proportions of a working group: a third
are the short replies chat is full of (收到, 好的 …), most of the rest are work messages,
and one in eight comes from a flagged category. Each corpus message is followed by
another whole work message, so texts are distinct and rarely near-copies of each other
(a real archive does not post every notice five times; 15k corpus texts must make 670k).

Runs the model alone, then on the archive reset what `qunguan classify` runs (the model,
the rule detectors, the new-media checks), then the model alone again, and prints
messages/s, what the rest adds to the model's time (against the mean of the model's two
runs) and to its CPU time (steadier on a shared VM), peak RSS up to the end of the whole run (this process and its largest child),
and in the same run the speed of the bare model on one core as the baseline.

    python bench/classify.py [--messages N] [--keep DIR]
"""
from __future__ import annotations

import csv
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

from workdir import arguments, workdir

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
QUNGUAN = Path(sys.executable).with_name("qunguan")
REPLIES = ["收到", "好的", "收到👍", "已阅", "收到，马上办", "好的，谢谢", "明白", "已完成", "收到[抱拳]", "1"]


def corpus_texts() -> tuple[list[str], list[str]]:
    """(work texts, flagged texts) of the corpus."""
    work, flagged = [], []
    for path in sorted((ROOT / "classifiers" / "corpus").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                (flagged if item["labels"] else work).append(item["text"])
    return work, flagged


def working_times(rng: random.Random):
    """Times like a working group's: weekdays 08:00-12:00 and 14:30-17:30, with one
    message in twenty in the evening."""
    from datetime import datetime, timedelta

    moment = datetime(2024, 6, 3, 8, 0)
    while True:
        moment += timedelta(seconds=rng.randint(1, 12))
        if moment.hour >= 12 and (moment.hour, moment.minute) < (14, 30):
            moment = moment.replace(hour=14, minute=30)
        if (moment.hour, moment.minute) >= (17, 30):
            moment = (moment + timedelta(days=3 if moment.weekday() == 4 else 1)).replace(hour=8, minute=0)
        evening = moment.replace(hour=20) if rng.random() < 0.05 else moment
        yield evening.strftime("%Y-%m-%d %H:%M:%S")


def generate(path: Path, count: int) -> float:
    rng = random.Random(7)
    times = working_times(rng)
    work, flagged = corpus_texts()
    distinct = set()
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f)
        out.writerow(["消息ID", "类型", "发送人", "时间", "内容", "备注", "昵称", "更多信息"])
        for i in range(count):
            draw = rng.random()
            if draw < 0.33:
                text = rng.choice(REPLIES)
            else:
                text = f"{rng.choice(flagged if draw > 0.88 else work)} {rng.choice(work)}"
            distinct.add(text)
            when = next(times)
            sender = f"单位{i % 17}-干部{i % 211}"
            out.writerow([str(7_000_000_000_000_000_000 + i), "文本", sender, when, text, sender, sender, "more"])
    return len(distinct) / count


def run(*args) -> None:
    subprocess.run([str(QUNGUAN), *args], check=True, capture_output=True, text=True)


def baseline(db: Path, sample: int = 100_000) -> float:
    """The saved model alone, one core, on the archive's own text and tokens."""
    import sqlite3

    from classifiers import model as chat_model

    m = chat_model.load()
    con = sqlite3.connect(db)
    rows = con.execute("select text, tokens from messages limit ?", [sample]).fetchall()
    m.scores([r[0] for r in rows[:10]], [r[1] for r in rows[:10]])  # loads the compiled loop: not timed
    started = time.perf_counter()
    m.scores([r[0] for r in rows], [r[1] for r in rows])
    return len(rows) / (time.perf_counter() - started)


def main() -> None:
    args = arguments("classify over a generated archive, beside the bare model in the same run", 1_000_000).parse_args()
    with workdir(args.keep, "qunguan-classify-") as work:
        db, export = work / "classify.db", work / "classify.csv"
        if not db.exists():
            print(f"generating and ingesting {args.messages:,} messages ...", file=sys.stderr)
            share = generate(export, args.messages)
            print(f"distinct texts: {share:.0%}", file=sys.stderr)
            run("ingest", str(export), "--db", str(db), "--group", "基准群", "--silent")
        from classifiers import model as chat_model
        from classifiers.classify import classify_messages
        from detectors.run import run_rules
        from gc_policy import bulk_work
        from ingest.schema import open_archive
        from newmedia.checks import run_newmedia

        n = reset(db)

        def model_alone() -> tuple[float, float]:
            reset(db)
            with bulk_work():
                started, spent = time.perf_counter(), cpu()
                classify_messages(open_archive(str(db)).conn, chat_model.load())
                return time.perf_counter() - started, cpu() - spent

        # The model alone before and after the whole run, so that neither gains from going second.
        before, before_cpu = model_alone()
        reset(db)
        conn = open_archive(str(db)).conn
        with bulk_work():  # as `qunguan classify` runs them
            started, spent = time.perf_counter(), cpu()
            classify_messages(conn, chat_model.load())
            run_rules(conn)
            run_newmedia(conn)
            total, total_cpu = time.perf_counter() - started, cpu() - spent
        flags = conn.execute("select count(*) from flags").fetchone()[0]
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        # The model's workers and the rules' process beside are children, ended by now (so is the
        # ingest that built the archive, if this run built it: 240 MB at 1M messages).
        child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        after, after_cpu = model_alone()
        alone, alone_cpu = (before + after) / 2, (before_cpu + after_cpu) / 2
        base = baseline(db)
        print(f"model alone:               {n / alone:10,.0f} messages/s  ({before:.1f} s before, {after:.1f} s after)")
        print(f"classify in all:           {n / total:10,.0f} messages/s  ({total:.1f} s for {n:,}; {flags:,} flags)")
        print(f"rules and new media add:   {(total - alone) / alone:10.0%} to the model's time  "
              f"({(total_cpu - alone_cpu) / alone_cpu:.0%} to its CPU time: {alone_cpu:.1f} s alone, {total_cpu:.1f} s in all)")
        print(f"bare model, one core:      {base:10,.0f} messages/s  (baseline, same archive)")
        print(f"peak RSS:                  {rss:10.0f} MB  (largest child process: {child_rss:.0f} MB)")


def cpu() -> float:
    """CPU seconds of this process and its ended children: steadier than the wall clock on
    a shared VM, and what two cores can share out."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def reset(db: Path) -> int:
    """Forget every flag and detector watermark; returns the number of messages."""
    import sqlite3

    con = sqlite3.connect(db)
    for table in ("flags", "flag_tallies", "detector_state", "post_bands"):
        con.execute(f"delete from {table}")
    con.commit()
    # Write the deletions into the database now, not during a timed run.
    con.execute("pragma wal_checkpoint(truncate)")
    n = con.execute("select count(*) from messages").fetchone()[0]
    con.close()
    return n


if __name__ == "__main__":
    main()

"""Ingest benchmark: a generated 1,000,000-message MemoTrace CSV into a fresh archive.

Prints messages/s end to end (parsing, segmentation, identity, FTS) and peak RSS of the
`qunguan ingest` process, then, in the same run on the same rows, a bare
`sqlite3.executemany` insert as the ceiling, the ratio, a re-ingest of the same file
(recognised by its hash: not read again) and a re-ingest of the same messages in a
GB18030 copy of it (every record read and looked up).

    python bench/ingest.py [--messages N] [--keep DIR]
"""
from __future__ import annotations

import csv
import random
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from workdir import arguments, workdir

HERE = Path(__file__).resolve().parent
QUNGUAN = Path(sys.executable).with_name("qunguan")
SENDERS = [f"{unit}-{name}" for unit in ("县政府办", "应急局", "教育局", "卫健委", "水口镇", "黄坑乡", "城关镇")
           for name in ("王建国", "李明", "张丽", "刘洋", "陈静", "周敏", "黄伟", "彭涛")]
PHRASES = [
    "请各单位于{d}日前报送安全生产检查台账", "收到", "好的", "已完成", "收到，马上安排", "下午{h}点在三楼会议室开会",
    "请@所有人\u2005注意查收附件", "本周{d}日开展森林防火巡查，请各村做好准备", "已转发各村", "表格第{h}栏怎么填？",
    "领导辛苦了👍", "系统登不上，信息中心帮忙看一下", "今天的防汛值班表已更新，请大家查看", "请假一天，工作已交接给{n}",
    "第{h}季度乡村振兴项目进度请于周五前填报", "各位注意：涉密文件严禁上传微信群", "中午食堂有红烧肉", "明天{h}点督查组到我镇",
]


def generate(path: Path, count: int) -> None:
    rng = random.Random(20251127)
    start = 1_717_200_000
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f)
        out.writerow(["消息ID", "类型", "发送人", "时间", "内容", "备注", "昵称", "更多信息"])
        for i in range(count):
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(start + i * 3))
            text = rng.choice(PHRASES).format(d=rng.randint(1, 28), h=rng.randint(1, 9), n=rng.choice(SENDERS))
            sender = rng.choice(SENDERS)
            out.writerow([str(4_000_000_000_000_000_000 + i), "文本", sender, when, text, sender, sender, "more"])


def timed_ingest(csv_path: Path, db: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([str(QUNGUAN), "ingest", str(csv_path), "--db", str(db), "--group", "基准群", "--silent"],
                          capture_output=True, text=True, check=True)
    return time.perf_counter() - started, done.stdout.strip()


def bare_insert(csv_path: Path, db: Path) -> float:
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))[1:]
    con = sqlite3.connect(db)
    con.execute("pragma journal_mode=wal")
    con.execute("create table m (source_id text, kind text, sender text, sent_at text, text text, a text, b text, c text)")
    started = time.perf_counter()
    with con:
        con.executemany("insert into m values (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed


def main() -> None:
    args = arguments("ingest a generated MemoTrace CSV, beside a bare executemany in the same run", 1_000_000).parse_args()
    with workdir(args.keep, "qunguan-bench-") as work:
        csv_path, db = work / "bench.csv", work / "bench.db"
        for stale in (db, work / "bench.db-wal", work / "bench.db-shm", work / "bare.db"):
            stale.unlink(missing_ok=True)
        n = args.messages
        print(f"generating {n:,} messages ...", file=sys.stderr)
        generate(csv_path, n)
        print(f"file: {csv_path.stat().st_size / 1e6:.0f} MB", file=sys.stderr)

        first, summary = timed_ingest(csv_path, db)
        rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        again, summary2 = timed_ingest(csv_path, db)
        copy = work / "bench-gb18030.csv"
        copy.write_bytes(csv_path.read_text(encoding="utf-8-sig").encode("gb18030"))
        reread, summary3 = timed_ingest(copy, db)
        bare = bare_insert(csv_path, work / "bare.db")

        print(f"ingest (fresh archive):   {n / first:10,.0f} messages/s  ({first:.1f} s)  [{summary.split(chr(9), 3)[-1]}]")
        print(f"re-ingest (same file):    {n / again:10,.0f} messages/s  ({again:.1f} s)  [{summary2.split(chr(9), 3)[-1]}]")
        print(f"re-ingest (GB18030 copy): {n / reread:10,.0f} messages/s  ({reread:.1f} s)  [{summary3.split(chr(9), 3)[-1]}]")
        print(f"bare executemany ceiling: {n / bare:10,.0f} messages/s  ({bare:.1f} s)")
        print(f"ingest / ceiling:         {first and bare / first:10.1%}")
        print(f"peak RSS of qunguan ingest: {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()

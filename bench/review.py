"""Review-page benchmark on a generated archive of 10,000,000 messages.

Builds the archive directly in SQLite (same schema, texts and tokens from the team
corpus, 5% of messages flagged, a tenth of the flags handled), then times, through
Datasette in-process with a logged-in supervisor: the queue page (first page, a category
filter, a deep keyset page), the case page of random flags, and Chinese full-text search.
Prints p50/p95 per page beside the bare SQL of the queue's first page as the baseline.

    python bench/review.py [--messages N] [--keep DIR] [--requests 200]
"""
from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path

from workdir import arguments, workdir

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classifiers.tokenizer import tokens  # noqa: E402
from ingest.schema import SEVERITY, open_archive  # noqa: E402

CATEGORIES = list(SEVERITY)
ARTICLES = {"offtopic": "群规 第八条", "flattery": "群规 第十二条", "red_packet": "群规 第十二条", "rumour": "群规 第十一条",
            "sensitive": "群规 第十一条", "privacy": "群规 第十一条", "secret": "群规 第十一条",
            "credential_leak": "群规 第十一条", "after_hours": "群规 第十条", "advertising": "新媒体 第十条",
            "personal_opinion": "新媒体 第十条"}
WORDS = ["红包", "截图", "谣言", "防汛", "台账", "加班", "领导", "会议", "照片", "通知", "疫苗", "值班"]


def corpus() -> list[tuple[str, str]]:
    texts = []
    for path in sorted((ROOT / "classifiers" / "corpus").glob("*.jsonl")):
        texts += [json.loads(l)["text"] for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
    return [(t, tokens(t)) for t in texts]


def build(path: Path, n: int) -> None:
    rng = random.Random(3)
    pool = corpus()
    conn = open_archive(str(path)).conn
    conn.execute("pragma synchronous = off")
    conn.execute("pragma cache_size = -262144")
    conn.execute("insert into imports (id, path, sha256, size, format, new, duplicate, rejected, started_at, finished_at, "
                 "os_user, prev_hash, hash) values (1, 'bench', '', 0, 'bench', 0, 0, 0, '', '', 'bench', '', '')")
    conn.executemany("insert into groups (id, name, unit) values (?, ?, ?)",
                     [(g, f"基准工作群{g}", f"单位{g % 60}") for g in range(1, 201)])
    conn.executemany("insert into members (id, group_id, sender_key, display_name) values (?, ?, ?, ?)",
                     [(m, 1 + m % 200, f"s{m}", f"干部{m}") for m in range(1, 20001)])
    start = 1_600_000_000
    batch = []
    for i in range(1, n + 1):
        text, toks = pool[rng.randrange(len(pool))]
        member = rng.randint(1, 20000)
        when = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(start + i * 9))
        batch.append((i, i, 1 + member % 200, member, when, text, toks))
        if len(batch) == 100_000:
            _insert(conn, batch)
            batch = []
            print(f"\r{i:,} messages", end="", file=sys.stderr)
    _insert(conn, batch)
    print("\nbuilding the full-text index ...", file=sys.stderr)
    conn.execute("insert into messages_fts (rowid, tokens) select id, tokens from messages")
    flagged = rng.sample(range(1, n + 1), n // 20)
    conn.executemany(
        "insert into flags (subject, message_id, group_id, member_id, category, score, detector, article, evidence, created_at) "
        "select 'message:' || id, id, group_id, member_id, ?, 0.9, 'bench', ?, '模型判断，主要依据：领导、会议', sent_at "
        "from messages where id = ?",
        [(c, ARTICLES.get(c, "群规 第九条"), m) for c, m in ((rng.choice(CATEGORIES), m) for m in flagged)])
    handled = rng.sample(flagged, len(flagged) // 10)
    conn.executemany("insert into handling (flag_id, status, action, note, actor_id, created_at, prev_hash, hash) "
                     "select f.id, 'dismissed', 'none', '', 'bench', f.created_at, '', '' from flags f where f.message_id = ?",
                     [(m,) for m in handled])
    conn.commit()
    conn.execute("analyze")
    conn.close()


def _insert(conn, rows) -> None:
    conn.executemany("insert into messages (id, key, group_id, member_id, sent_at, time_precision, kind, text, tokens, "
                     "import_id, raw) values (?, ?, ?, ?, ?, 'second', 'text', ?, ?, 1, '{}')", rows)
    conn.commit()


async def timed(ds, cookies, urls: list[str]) -> list[float]:
    times = []
    for url in urls:
        started = time.perf_counter()
        response = await ds.client.get(url, cookies=cookies)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def report(label: str, times: list[float]) -> None:
    p95 = statistics.quantiles(times, n=20)[18] if len(times) >= 20 else max(times)
    print(f"{label:34s} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   ({len(times)} requests)")


async def measure(path: Path, requests: int) -> None:
    from review import auth
    from review.site import actor_cookie, make_datasette

    ds = make_datasette(path)
    users = auth.connect(auth.users_path(path))
    if not auth.get_user(users, "bench-sup"):
        auth.add_user(users, "bench-sup", "supervisor", "bench-password-1", by="bench")
    cookies = {"ds_actor": actor_cookie(ds, auth.get_user(users, "bench-sup"))}
    conn = sqlite3.connect(path)
    flag_ids = [r[0] for r in conn.execute("select id from flags order by random() limit ?", [requests])]
    deep = min(20000, conn.execute("select count(*) from flags").fetchone()[0] - 1)
    cursor = conn.execute("select severity || ':' || id from flags order by severity desc, id desc limit 1 offset ?",
                          [deep]).fetchone()[0]
    rng = random.Random(5)
    base = []
    for _ in range(requests):
        started = time.perf_counter()
        conn.execute("select * from flags order by severity desc, id desc limit 51").fetchall()
        base.append((time.perf_counter() - started) * 1000)
    n = conn.execute("select count(*) from messages").fetchone()[0]
    print(f"archive: {n:,} messages, {len(flag_ids) and conn.execute('select count(*) from flags').fetchone()[0]:,} flags")
    report("baseline: bare SQL of queue page 1", base)
    report("queue, first page", await timed(ds, cookies, ["/-/qunguan/queue"] * requests))
    report("queue, one article", await timed(ds, cookies, [f"/-/qunguan/queue?article={rng.choice(sorted(set(ARTICLES.values())))}"
                                                          for _ in range(requests)]))
    report("queue, one category", await timed(ds, cookies, [f"/-/qunguan/queue?category={rng.choice(CATEGORIES)}" for _ in range(requests)]))
    report(f"queue, page {deep // 50} (keyset)", await timed(ds, cookies, [f"/-/qunguan/queue?before={cursor}"] * requests))
    report("case page", await timed(ds, cookies, [f"/-/qunguan/flags/{i}" for i in flag_ids]))
    report("search page (2-char words)", await timed(ds, cookies, [f"/-/qunguan/search?q={rng.choice(WORDS)}"
                                                                     for _ in range(requests)]))
    report("search page (two words)", await timed(ds, cookies, [f"/-/qunguan/search?q={rng.choice(WORDS)}+{rng.choice(WORDS)}"
                                                                  for _ in range(requests)]))
    db = path.stem
    report("Datasette table search (2-char)", await timed(ds, cookies, [f"/{db}/messages.json?_search={rng.choice(WORDS)}&_size=50"
                                                                          for _ in range(requests // 4)]))


def main() -> None:
    parser = arguments("the queue, case and search pages, beside the bare SQL of the queue's first page", 10_000_000)
    parser.add_argument("--requests", type=int, default=200, metavar="N", help="requests per page measured (default 200)")
    args = parser.parse_args()
    with workdir(args.keep, "qunguan-review-") as work:
        path = work / "review.db"
        if not path.exists():
            build(path, args.messages)
        asyncio.run(measure(path, args.requests))


if __name__ == "__main__":
    main()

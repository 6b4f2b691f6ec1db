"""Posts exported from the platforms' back ends, stored like chat messages.

Identity: a post's `key` is a 63-bit hash of (account, URL) when the export gives the
post's URL, otherwise of (account, time, title, text, position in a run of identical
rows); the unique index on `key` makes a re-import add only what is new. Each file is one
transaction and one row of the `imports` ledger (format `posts-xlsx` / `posts-csv`); rows
that cannot be read are listed with their row number and kept in `rejects`.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from classifiers.tokenizer import tokens as segment
from ingest import chain
from ingest.records import stamp
from ingest.save import message_key
from ingest.sources import os_user
from newmedia.registry import WHILE_CLOSED, closed_spells, find_account, matching_accounts
from newmedia.table import TableError, cell_text, column_map, parse_count, parse_moment, read_table, whole_row

# Accepted headers for each field (the field's own name is accepted too).
HEADERS = {
    "account": ("账号", "账号名称", "公众号", "公众号名称", "发布账号", "来源账号", "新媒体名称"),
    "platform": ("平台", "发布平台"),
    "published_at": ("发布时间", "发表时间", "发文时间", "群发时间", "发布日期", "时间"),
    "title": ("标题", "文章标题", "作品标题", "作品名称", "视频标题"),
    "text": ("正文", "内容", "文本", "正文内容", "微博正文", "微博内容", "作品描述", "视频描述", "描述", "文案", "摘要"),
    "url": ("链接", "文章链接", "原文链接", "作品链接", "网址", "URL"),
    "reads": ("阅读数", "阅读量", "阅读次数", "播放量", "播放数", "播放次数", "浏览量", "阅读"),
    "likes": ("点赞数", "点赞量", "点赞", "喜欢"),
}


@dataclass
class PostsResult:
    name: str
    format: str = ""
    new: int = 0
    duplicate: int = 0
    rejected: int = 0
    rejects: list[tuple[int, str]] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)  # rows stored, with something left out
    after_closing: int = 0  # new posts published after their account's closing day (第六条)


def _row(cells: list, columns: dict[str, int], header: list[str]) -> dict:
    values = {f: (cells[i] if i < len(cells) else None) for f, i in columns.items()}
    post = {"published_at": parse_moment(values.get("published_at")),
            "title": cell_text(values.get("title")) or None, "text": cell_text(values.get("text")) or None,
            "url": cell_text(values.get("url")) or None, "account": cell_text(values.get("account")),
            "platform": cell_text(values.get("platform")) or None}
    if not (post["title"] or post["text"]):
        raise ValueError("标题和正文都为空")
    # A count is a side detail: one that cannot be read is left empty and said, the post kept.
    post["notes"] = []
    for f in ("reads", "likes"):
        try:
            post[f] = parse_count(values.get(f))
        except ValueError:
            post[f] = None
            post["notes"].append(f"{HEADERS[f][0]}「{cell_text(values.get(f))}」不是数字，已留空")
    # The whole row, cells past the header's last title too (named by their column).
    post["raw"] = json.dumps({(header[i] if i < len(header) and header[i] else f"列{i + 1}"): cell_text(v)
                              for i, v in enumerate(cells) if cell_text(v)}, ensure_ascii=False)
    return post


class _Accounts:
    """Resolves the account named in a row (or the file's `--account`) once per name;
    RegistryError at once when `--account` itself is not one account of the registry."""

    def __init__(self, conn, default: str | None, platform: str | None, rows_name_platform: bool):
        self.conn, self.default, self.platform, self.cache = conn, default, platform, {}
        if default and (platform or not rows_name_platform):
            # A wrong --account is the caller's mistake, not every row's: refuse the file up front.
            self.cache[(default, platform)] = find_account(conn, default, platform)["id"]
        elif default and not matching_accounts(conn, default):
            # Each row's 平台 tells apart accounts of one name; the name itself must exist.
            find_account(conn, default)

    def id_for(self, post: dict) -> int:
        name, platform = post["account"] or self.default, post["platform"] or self.platform
        if not name:
            raise ValueError("没有账号：请加“账号”列，或用 --account 指定")
        if (name, platform) not in self.cache:
            self.cache[(name, platform)] = _one_account(matching_accounts(self.conn, name, platform), name, platform)
        found = self.cache[(name, platform)]
        if isinstance(found, str):
            raise ValueError(found)
        return found


def _one_account(found: list[dict], name: str, platform: str | None) -> int | str:
    """The id of the one account found for a row, else why not (as the row's reason)."""
    if len(found) == 1:
        return found[0]["id"]
    if not found:
        return f"台账中没有{platform or ''}账号「{name}」：请核对账号名称，或先导入台账（qunguan accounts import）"
    listed = "、".join(f"#{a['id']} {a['platform']}" for a in found)
    return f"账号「{name}」在台账中有 {len(found)} 个（{listed}）：请加“平台”列，或用 --platform 指定"


def _keys(post: dict, account_id: int, run: int) -> list[int]:
    """The post's identity, and what earlier versions took for it: the link as exported.
    A WeChat article's link is the same article whatever its share and tracking
    parameters (chksm, scene, #rd): only __biz, mid, idx and sn say which."""
    if post["url"]:
        canonical = _article(post["url"])
        return list(dict.fromkeys([message_key("p", account_id, canonical), message_key("p", account_id, post["url"])]))
    return [message_key("c", account_id, post["published_at"], post["title"] or "", post["text"] or "", run)]


_ARTICLE_PARAMS = ("__biz", "mid", "idx", "sn")


def _article(url: str) -> str:
    parts = urlsplit(url.strip())
    if not parts.netloc.endswith("mp.weixin.qq.com") or parts.path != "/s":
        return url.strip()
    query = parse_qs(parts.query)
    if not all(query.get(p) for p in _ARTICLE_PARAMS):
        return url.strip()  # a short link (/s/AbCd…) or one cut short: as it is
    return "https://mp.weixin.qq.com/s?" + urlencode([(p, query[p][0]) for p in _ARTICLE_PARAMS])


def _article_archived(conn, account_id: int, url: str | None) -> bool:
    """Whether an earlier version archived this WeChat article under another of its links
    (its key then was the link as exported, other share parameters and all)."""
    canonical = _article(url) if url else None
    if not canonical or not canonical.startswith("https://mp.weixin.qq.com/s?__biz="):
        return False
    sn = parse_qs(urlsplit(canonical).query)["sn"][0]
    return any(_article(found) == canonical for (found,) in conn.execute(
        "select url from posts where account_id = ? and url like ?", [account_id, f"%mp.weixin.qq.com/s?%sn={sn}%"]))


def import_posts(conn, path: Path, account: str | None = None, platform: str | None = None) -> PostsResult:
    """Read one export file and store its new posts in one transaction (see module doc).
    Raises TableError for a file that is not a readable table of posts, RegistryError
    (before writing anything) when `account` is not exactly one account of the registry."""
    started = stamp()
    table = read_table(path, HEADERS)
    columns = column_map(table.header, HEADERS)
    result = PostsResult(path.name, f"posts-{table.kind}")
    if "published_at" not in columns or not ({"title", "text"} & columns.keys()):
        raise TableError(f"{path}: needs a 发布时间 column and a 标题 or 正文 column (accepted headers are in the README)",
                         f"{path}：须有 发布时间 列，以及 标题 或 正文 列（可用的列名见 README）")
    accounts = _Accounts(conn, account, platform, "platform" in columns)
    with conn:
        conn.execute("begin immediate")
        import_id = conn.execute("select coalesce(max(id), 0) + 1 from imports").fetchone()[0]
        runs: dict[tuple, int] = {}
        for number, cells in table.rows:
            try:
                whole_row(number, cells, table, columns)
                post = _row(cells, columns, table.header)
                account_id = accounts.id_for(post)
            except ValueError as e:
                _reject(conn, result, import_id, number, str(e), cells)
                continue
            result.notes += [(number, note) for note in post["notes"]]
            identity = (account_id, post["published_at"], post["title"], post["text"])
            runs[identity] = runs.get(identity, -1) + 1
            _store(conn, result, import_id, number, post, account_id, _keys(post, account_id, runs[identity]))
        _ledger(conn, import_id, path, result, started)
        result.after_closing = sum(
            conn.execute(f"select count(*) from posts p where p.import_id = ?4 and {WHILE_CLOSED}",
                         [account_id, *spell, import_id]).fetchone()[0]
            for account_id, spells in closed_spells(conn).items() for spell in spells)
    return result


def _store(conn, result: PostsResult, import_id: int, number: int, post: dict, account_id: int, keys: list[int]) -> None:
    if conn.execute("select 1 from posts where key in (select value from json_each(?))", [json.dumps(keys)]).fetchone() \
            or _article_archived(conn, account_id, post["url"]):
        result.duplicate += 1
        return
    key = keys[0]
    body = "\n".join(p for p in (post["title"], post["text"]) if p)
    conn.execute("insert into posts (key, account_id, published_at, title, text, tokens, url, reads, likes, import_id, "
                 "source_line, raw) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 [key, account_id, post["published_at"], post["title"], post["text"], segment(body), post["url"],
                  post["reads"], post["likes"], import_id, number, post["raw"]])
    result.new += 1


def _reject(conn, result: PostsResult, import_id: int, number: int, reason: str, cells: list) -> None:
    result.rejected += 1
    result.rejects.append((number, reason))
    conn.execute("insert into rejects (import_id, line, record, reason, raw) values (?, ?, ?, ?, ?)",
                 [import_id, number, None, reason, json.dumps([cell_text(c) for c in cells], ensure_ascii=False)])


def _ledger(conn, import_id: int, path: Path, result: PostsResult, started: str) -> None:
    data = path.read_bytes()
    fields = {"id": import_id, "path": str(path), "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
              "format": result.format, "group_id": None, "new": result.new, "duplicate": result.duplicate,
              "rejected": result.rejected, "started_at": started, "finished_at": stamp(), "os_user": os_user()}
    prev = chain.last_hash(conn, "imports")
    fields["prev_hash"], fields["hash"] = prev, chain.row_hash(prev, fields)
    conn.execute(f"insert into imports ({', '.join(fields)}) values ({', '.join('?' * len(fields))})",
                 list(fields.values()))

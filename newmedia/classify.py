"""Flagging posts (新媒体 第九条, 第十条): the posts classifier (advertising, personal
opinion), the chat classifier's rumour and sensitive categories, a rule for links to
shops, and the chat side's privacy and secret-marking rules. Incremental like the chat
classifier: each detector keeps the highest post id it has seen in `detector_state`
(under its own name, so a chat watermark is never touched).
"""
from __future__ import annotations

import json
import re
from functools import partial
from pathlib import Path

from classifiers import model as chat_model
from classifiers.classify import insert_flags, judge, set_watermark, watermark
from classifiers.corpus import load_corpus
from detectors import privacy, secret
from detectors.base import Message, load_config

CORPUS_DIR = Path(__file__).with_name("corpus")
# The posts corpus also labels rumour and sensitive posts; the posts task learns the
# other two (a rumour post is an ordinary post here, a hard negative if anything).
POSTS = chat_model.Task("posts", ("advertising", "personal_opinion"),
                        {"advertising": "新媒体 第十条", "personal_opinion": "新媒体 第十条"}, CORPUS_DIR,
                        other_labels=("rumour", "sensitive"))
# On a post, the chat classifier's categories cite the new-media measures: truth (第九条),
# no content against the law or endangering stability (第十条).
CHAT_ON_POSTS = {"rumour": "新媒体 第九条", "sensitive": "新媒体 第十条"}
SHOP_LINK = "rules@posts_shop_link.1"
# 第十条: a post must keep the law and the propaganda and cyberspace rules; an ID number in
# a published list, or a document marked secret, breaks both. The chat detectors' rules
# judge the post's text; their flags carry their own version in the name, so a new
# version of either reads every post again.
CHAT_RULES = (privacy, secret)
RULES_ARTICLE = "新媒体 第十条"
# The chat detectors word their evidence for a group; on a post the same finding is a publication.
_AS_PUBLISHED = (("消息中", "文章中"), ("在群内传播", "经新媒体公开发布"), ("全文转发", "公开发布"))
BATCH = 5000
_URL = re.compile(r"(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/[A-Za-z0-9\-._~:/?#@!$&*+,;=%]*)?", re.I)
_TAOKOULING = re.compile(r"[￥$€₳][A-Za-z0-9]{8,14}[￥$€₳]|复制.{0,8}打开(?:手机)?(?:淘宝|京东|拼多多)")


def train_posts(directory: Path = CORPUS_DIR, select: bool = True, progress=print):
    """Train the posts task with the chat classifier's tooling (same split, selection and
    card); returns (model, test report)."""
    from classifiers.train import train

    return train(POSTS, corpus_dir=directory, select=select, progress=progress)


def shop_links(text: str, domains: list[str]) -> list[str]:
    """Links in `text` to the shop hosts listed (and 淘口令 share codes)."""
    found = [u for u in _URL.findall(text or "") if any(_on_host(u, d) for d in domains)]
    found += _TAOKOULING.findall(text or "")
    return found


def _on_host(url: str, domain: str) -> bool:
    """Is `url` on `domain` (a host, or host/path-prefix), subdomains included?"""
    host, _, path = re.sub(r"^https?://", "", url.lower()).partition("/")
    want_host, _, want_path = domain.lower().partition("/")
    return (host == want_host or host.endswith("." + want_host)) and path.startswith(want_path)


def _unseen(conn, detector: str) -> list[tuple]:
    """(id, account_id, title, text, tokens, published_at) of the posts past `detector`'s watermark."""
    return conn.execute("select p.id, p.account_id, coalesce(p.title, ''), coalesce(p.text, ''), coalesce(p.tokens, ''), "
                        "p.published_at from posts p where p.id > ? order by p.id limit ?",
                        [watermark(conn, detector), BATCH]).fetchall()


def _post_flag(row: tuple, category: str, score: float, detector: str, article: str, evidence: str) -> dict:
    return {"subject": f"post:{row[0]}", "post_id": row[0], "account_id": row[1], "category": category,
            "score": round(score, 4), "detector": detector, "article": article, "evidence": evidence}


def _body(row: tuple) -> str:
    return "\n".join(p for p in (row[2], row[3]) if p)


def classify_with(conn, model: chat_model.Model, categories: tuple[str, ...], articles: dict, watermark_name: str) -> int:
    """Score unseen posts with `model`, flag `categories` citing `articles`; returns flags added."""
    def find(rows: list[tuple]) -> list[dict]:
        verdicts = judge(model, [_body(r) for r in rows], [r[4] for r in rows])
        return [_post_flag(row, category, score, model.detector, articles[category], evidence)
                for row, found in zip(rows, verdicts) for category, score, evidence in found if category in categories]

    return _flag_unseen(conn, watermark_name, find)


def _flag_unseen(conn, detector: str, find) -> int:
    """Run `find(rows) -> flags` over the posts `detector` has not seen, a batch and its
    watermark per transaction; returns flags added."""
    added = 0
    while rows := _unseen(conn, detector):
        flags = find(rows)
        with conn:
            added += insert_flags(conn, flags)
            set_watermark(conn, detector, rows[-1][0])
    return added


def flag_shop_links(conn, domains: list[str]) -> int:
    """第十条: a post linking to a shop is commercial advertising, whatever the model says."""
    def find(rows: list[tuple]) -> list[dict]:
        return [_post_flag(row, "advertising", 1.0, SHOP_LINK, "新媒体 第十条",
                           f"正文含商品/店铺链接：{'、'.join(links[:3])}；政务新媒体不得刊登商业广告或链接商业广告页面")
                for row in rows if (links := shop_links(_body(row), domains))]

    return _flag_unseen(conn, SHOP_LINK, find)


def rule_name(module) -> str:
    """The name on a chat rule's post flags and watermark (detectors.run names its own
    `rules@<name>.<version>`; this one is apart, so neither moves the other's)."""
    return f"rules@posts_{module.NAME}.{module.VERSION}"


def flag_chat_rules(conn) -> int:
    """第十条: the chat side's privacy (ID, bank-card and mobile numbers, masked) and secret
    rules (绝密/机密/秘密 markings, classified document numbers, internal material) on each
    post's title and text, with the archive's detector settings. A post is published whole,
    so internal material is flagged at any length, not only when forwarded at length."""
    config = load_config(conn)
    config["secret"] = {**config["secret"], "internal_min_chars": 0}
    added = 0
    for module in CHAT_RULES:
        name = rule_name(module)
        added += _flag_unseen(conn, name, partial(_chat_rule_flags, module, name, config, {"conn": conn}))
        with conn:  # an earlier version's watermark is of no use any more
            conn.execute("delete from detector_state where detector like ? and detector != ?",
                         [f"rules@posts_{module.NAME}.%", name])
    return added


def _chat_rule_flags(module, name: str, config: dict, context: dict, rows: list[tuple]) -> list[dict]:
    """`module`'s findings on the posts `rows`, as post flags citing 第十条."""
    by_id = {row[0]: row for row in rows}
    found = module.detect([Message(r[0], None, None, r[5], "text", _body(r)) for r in rows], config, context)
    return [_post_flag(by_id[f["message_id"]], f["category"], f["score"], name, RULES_ARTICLE, _published(f["evidence"]))
            for f in found]


def _published(evidence: str) -> str:
    for said, meant in _AS_PUBLISHED:
        evidence = evidence.replace(said, meant)
    # The detectors mask what they quote; masked again in case a finding quotes more.
    return privacy.masked(evidence) + "；政务新媒体发布内容应遵守法律法规和宣传、网信工作纪律"


def _card_version(directory: Path, task: chat_model.Task) -> str | None:
    card = directory / f"{task.name}.card.json"
    if not (directory / f"{task.name}.skops").exists() or not card.exists():
        return None
    return json.loads(card.read_text(encoding="utf-8")).get("version")


def classify_posts(conn, settings: dict, models_dir: Path | None = chat_model.MODELS_DIR) -> tuple[int, list[str]]:
    """Run the rules (shop links, the chat side's privacy and secret rules), the posts model
    and the chat model's rumour/sensitive on posts not yet seen by each (`models_dir` None:
    the rules only). A model is loaded only when it has unseen posts; a missing model is a
    warning, not an error. Returns (flags added, warnings)."""
    added, warnings = flag_shop_links(conn, settings["shop_domains"]) + flag_chat_rules(conn), []
    if models_dir is None:
        return added, warnings
    newest = conn.execute("select coalesce(max(id), 0) from posts").fetchone()[0]
    plans = [(POSTS, POSTS.categories, POSTS.articles, "{}"),
             (chat_model.CHAT, tuple(CHAT_ON_POSTS), CHAT_ON_POSTS, "{}/posts")]
    for task, categories, articles, mark in plans:
        version = _card_version(models_dir, task)
        if version is None:
            warnings.append(f"no {task.name} model in {models_dir}; posts were not scored for "
                            f"{', '.join(categories)}" + (" (run `qunguan posts train`)" if task is POSTS else ""))
            continue
        name = mark.format(f"{task.name}@{version}")
        if watermark(conn, name) < newest:
            added += classify_with(conn, chat_model.load(models_dir, task), categories, articles, name)
    return added, warnings


def chat_on_posts(directory: Path = CORPUS_DIR, models_dir: Path = chat_model.MODELS_DIR) -> dict | None:
    """How the saved chat model's rumour/sensitive verdicts fare on the posts corpus's
    held-out split (labels outside those two dropped); None without a chat model."""
    from classifiers.corpus import split
    from classifiers.evaluate import metrics

    if _card_version(models_dir, chat_model.CHAT) is None:
        return None
    categories = tuple(CHAT_ON_POSTS)
    examples = load_corpus(directory, categories, POSTS.categories)
    _, test = split(examples)
    model = chat_model.load(models_dir, chat_model.CHAT)
    predicted = [[c for c in labels if c in categories] for labels in model.labels(model.scores([e.text for e in test]), [e.text for e in test])]
    return {"chat_model": model.version, **metrics([e.labels for e in test], predicted, categories)}

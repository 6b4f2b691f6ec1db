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
from detectors.base import Message, clauses, load_config, word_pattern
from detectors.setting_values import Problem

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
# A post is a publication, not a chat: a number it gives is given to the public on purpose
# (a hotline, 报名咨询：王老师 139…, a 寻人启事's 家属联系电话). Besides the chat's contact
# fields, these mark a number given to be called on a post.
POST_CONTACT_PATTERNS = ("咨询(?!人|者)", "联系", "拨打", r"(电话|手机)\s*[:：]")
# The chat's third-party words that on a post name its readers or the subject of a notice
# (居民可拨打…, 家属联系电话, 走失老人) or a hotline's purpose (投诉电话, 举报热线), not whose
# number it is; the people themselves (投诉人, 举报人 …) still are third parties. A number
# without a contact field before it (困难户名单：王某某 139…；李某某 138…) is flagged as on chat.
POST_AUDIENCE_WORDS = ("投诉", "举报", "信访", "求助", "家属", "家长", "学生", "村民", "群众", "居民", "老人", "大爷",
                       "大妈", "阿姨", "孩子")
POST_THIRD_PARTY_WORDS = ("投诉人", "举报人", "信访人", "求助人")
# Internal material on a post is material that calls itself so: a label standing alone
# (内部资料，注意保密 / 【内部资料】 / 本文为内部资料) among the chat's internal words. A label
# inside a sentence is talked about (请广大市民注意保密银行卡密码, 此前发布的内部参考信息有误),
# one in 《》 or quotes is a title (《内部资料》一书).
_LABEL_PARTS = re.compile(r"[，,。！？!?\n；;：:、\s【】\[\]［］（）()〔〕]+")
_DECLARING = re.compile(r"^(?:(?:本文|本件|此件|此文|本材料|本资料|以下)(?:为|系|属|是)?|此(?:为|系|属|是))")
_LABEL_TAIL = re.compile(r"(?:参考|使用|阅读|学习|传阅)?")  # 仅供内部 + 参考
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


def post_config(config: dict) -> dict:
    """The chat detectors' settings `config` as the rules read a post: more contact fields
    and fewer third parties for mobile numbers (POST_CONTACT_PATTERNS …); for the secret
    rule, markings and document numbers at any length (a post is published whole), and no
    internal words: internal material is judged by `internal_label`."""
    privacy_, secret_ = config["privacy"], config["secret"]
    third_party = [w for w in privacy_["third_party_words"] if w not in POST_AUDIENCE_WORDS]
    return {**config,
            "privacy": {**privacy_, "contact_patterns": [*privacy_["contact_patterns"], *POST_CONTACT_PATTERNS],
                        "third_party_words": third_party + [w for w in POST_THIRD_PARTY_WORDS if w not in third_party]},
            "secret": {**secret_, "internal_min_chars": 0, "internal_words": []}}


def internal_label(text: str, labels: re.Pattern, reminders: re.Pattern) -> str | None:
    """The internal-material label (`labels`, the chat's internal words) that marks `text`
    itself, standing alone between punctuation or brackets, after 本文为 and the like; None
    when the labels are only talked about, or a clause about them reminds not to pass such
    material on (as on chat: 内部资料一律不得上网)."""
    if any(reminders.search(labels.sub("", clause)) for clause in clauses(text)
           if "密" in clause or labels.search(clause)):
        return None
    for part in _LABEL_PARTS.split(text):
        label = _DECLARING.sub("", part)
        if labels.search(label) and _LABEL_TAIL.fullmatch(labels.sub("", label)):
            return label
    return None


def flag_chat_rules(conn) -> int:
    """第十条: the chat side's privacy (ID, bank-card and mobile numbers not given as a
    contact, masked) and secret rules (绝密/机密/秘密 markings, classified document numbers,
    material labelled internal) on each post's title and text, with the archive's detector
    settings as a post reads them (`post_config`)."""
    chat_config = load_config(conn)
    config = post_config(chat_config)
    labels = word_pattern(tuple(chat_config["secret"]["internal_words"]))
    reminders = word_pattern(tuple(chat_config["secret"]["reminder_words"]))
    added = 0
    for module in CHAT_RULES:
        name = rule_name(module)
        find = partial(_chat_rule_flags, module, name, config, {"conn": conn})
        if module is secret:
            find = partial(_with_internal, find, name, labels, reminders)
        added += _flag_unseen(conn, name, find)
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


def _with_internal(find, name: str, labels: re.Pattern, reminders: re.Pattern, rows: list[tuple]) -> list[dict]:
    """`find(rows)`'s secret flags, and one for each other post labelled internal material."""
    flags = find(rows)
    marked = {f["post_id"] for f in flags}
    return flags + [_post_flag(row, "secret", 0.7, name, RULES_ARTICLE,
                               _published(f"疑似内部资料经新媒体公开发布（标注「{label}」）"))
                    for row in rows if row[0] not in marked and (label := internal_label(_body(row), labels, reminders))]


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
            hint, hint_zh = (" (run `qunguan posts train`)", "（请运行 `qunguan posts train`）") if task is POSTS else ("", "")
            warnings.append(Problem(f"no {task.name} model in {models_dir}; posts were not scored for "
                                    f"{', '.join(categories)}{hint}",
                                    f"{models_dir} 中没有 {task.name} 模型，帖子没有按 {'、'.join(categories)} 评分{hint_zh}"))
            continue
        name = mark.format(f"{task.name}@{version}")
        if watermark(conn, name) < newest:
            try:
                model = chat_model.load(models_dir, task)
            except chat_model.MismatchedCard as e:  # scored at the next run, as a missing model's posts are
                warnings.append(Problem(f"{e}; posts were not scored for {', '.join(categories)}",
                                        f"{e.zh}（{task.name} 模型这次没有为帖子评分，下次运行时补上）"))
                continue
            added += classify_with(conn, model, categories, articles, name)
    return added, warnings


def chat_on_posts(directory: Path = CORPUS_DIR, models_dir: Path = chat_model.MODELS_DIR) -> dict | None:
    """How the saved chat model's rumour/sensitive verdicts fare on the posts corpus's
    held-out split (labels outside those two dropped); None without a chat model, or with
    one left mismatched with its card (a `train` saving it, or stopped): `posts train`
    saves its posts model all the same, as `classify` leaves such posts for the next run."""
    from classifiers.corpus import split
    from classifiers.evaluate import metrics

    if _card_version(models_dir, chat_model.CHAT) is None:
        return None
    categories = tuple(CHAT_ON_POSTS)
    examples = load_corpus(directory, categories, POSTS.categories)
    _, test = split(examples)
    try:
        model = chat_model.load(models_dir, chat_model.CHAT)
    except chat_model.MismatchedCard:
        return None
    predicted = [[c for c in labels if c in categories] for labels in model.labels(model.scores([e.text for e in test]), [e.text for e in test])]
    return {"chat_model": model.version, **metrics([e.labels for e in test], predicted, categories)}

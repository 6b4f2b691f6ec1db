"""The one module that owns the archive's tables.

`ensure_schema(db)` is safe to run again and again: each migration runs once, in order,
and `PRAGMA user_version` records how far an archive has come. Later changes are new
migrations appended to `MIGRATIONS`, never edits of old ones.
"""
from __future__ import annotations

import os
import re
import sqlite3
from typing import Callable

import sqlite_utils

MESSAGE_KINDS = (
    "text", "image", "file", "voice", "video", "sticker", "link", "quote", "merge_forward",
    "red_packet", "transfer", "system", "recall", "location", "card", "call", "mini_program",
    "pat", "notice", "other",
)

def _append_only(table: str) -> str:
    """Triggers that abort any UPDATE or DELETE: ledgers and decision trails only grow."""
    return "\n".join(f"create trigger if not exists {table}_no_{verb} before {verb} on {table}\n"
                     f"    begin select raise(abort, '{table} is append-only'); end;" for verb in ("update", "delete"))


_ARCHIVE = f"""
create table if not exists groups (
    id integer primary key,
    name text not null unique,
    unit text,
    source_ids text not null default '[]',
    admin text,
    owner text,
    temporary_until text,
    exempt integer not null default 0 check (exempt in (0, 1)),
    purpose text,
    -- Asia/Shanghai, as every time the program writes (records.local_now), whatever the server's zone
    created_at text not null default (strftime('%Y-%m-%dT%H:%M:%S', 'now', '+8 hours'))
);
create table if not exists people (
    id integer primary key,
    name text not null,
    unit text not null default '',
    position text,
    wxid text,
    wecom_userid text,
    display_names text not null default '[]',
    unique (name, unit)
);
create table if not exists members (
    id integer primary key,
    group_id integer not null references groups(id),
    sender_key text not null,
    sender_id text,
    display_name text,
    other_names text not null default '[]',
    person_id integer references people(id),
    unique (group_id, sender_key)
);
create table if not exists imports (
    id integer primary key,
    path text not null,
    sha256 text not null,
    size integer not null,
    format text not null,
    group_id integer references groups(id),
    new integer not null,
    duplicate integer not null,
    rejected integer not null,
    started_at text not null,
    finished_at text not null,
    os_user text not null,
    prev_hash text not null,
    hash text not null
);
create table if not exists rejects (
    id integer primary key,
    import_id integer not null references imports(id),
    line integer,
    record integer,
    reason text not null,
    raw text
);
create table if not exists messages (
    id integer primary key,
    key integer not null,
    group_id integer not null references groups(id),
    member_id integer references members(id),
    source_id text,
    sent_at text not null,
    time_precision text not null check (time_precision in ('second', 'minute')),
    kind text not null check (kind in ({", ".join(repr(k) for k in MESSAGE_KINDS)})),
    kind_raw text,
    text text,
    tokens text,
    reply_to integer references messages(id),
    reply_key integer,
    quote text,
    is_self integer,
    import_id integer not null references imports(id),
    source_line integer,
    raw text not null
);
create unique index if not exists messages_key on messages (key);
create index if not exists messages_group_time on messages (group_id, sent_at);
create index if not exists messages_unresolved_reply on messages (reply_key)
    where reply_key is not null and reply_to is null;
create index if not exists rejects_import on rejects (import_id);
{_append_only('imports')}
-- External-content FTS5 on the segmented tokens, filled in bulk by the ingest
-- (per-row triggers are ~20x slower on large imports).
create virtual table if not exists messages_fts using fts5 (tokens, content="messages", content_rowid='id');
"""




_FLAGS = """
-- A flag's subject is 'message:<id>', 'group:<id>', 'group:<id>:<week>' or 'member:<id>';
-- one flag per subject and category, so re-running a detector never adds twins.
create table if not exists flags (
    id integer primary key,
    subject text not null,
    message_id integer references messages(id),
    group_id integer references groups(id),
    member_id integer references members(id),
    category text not null,
    score real not null,
    detector text not null,
    article text not null,
    evidence text not null,
    related_message_id integer references messages(id),
    created_at text not null
);
create unique index if not exists flags_subject_category on flags (subject, category);
create index if not exists flags_message on flags (message_id);
create index if not exists flags_group_created on flags (group_id, created_at);
create table if not exists detector_state (
    detector text primary key,
    last_message_id integer not null,
    updated_at text not null
);
"""



_RULES = """
-- settings: per-archive overrides of detectors/config.toml (JSON values);
-- post_bands: MinHash band keys, so repeated posts are found by index, not by pairs.
create table if not exists settings (
    key text primary key,
    value text not null,
    updated_at text not null,
    updated_by text not null
);
create table if not exists post_bands (
    band integer not null,
    message_id integer not null references messages(id)
);
create index if not exists post_bands_band on post_bands (band);
"""



HANDLING_STATUSES = ("reviewing", "confirmed", "dismissed", "escalated", "resolved")
HANDLING_ACTIONS = ("none", "reminded", "talked", "recalled", "removed", "reported", "refuted", "other")
OPEN_STATUSES = ("reviewing", "confirmed", "escalated")  # and flags nobody has handled yet
# Higher is more severe: the review queue shows these first.
SEVERITY = {
    "secret": 5, "credential_leak": 5, "sensitive": 4, "privacy": 4, "rumour": 4, "red_packet": 3,
    "proof_demand": 3, "advertising": 3, "flattery": 2, "after_hours": 2, "repeated_post": 2,
    "personal_opinion": 2, "offtopic": 1,
    "account_personal": 3, "account_late_filing": 2, "account_duplicate_platform": 2,
    "account_internal_division": 2, "account_name_unclear": 1, "account_dormant": 1, "account_closed_posting": 3,
}
# How supervisors read each category (web UI, reports, flag explanations).
CATEGORY_NAMES = {
    "offtopic": "与工作无关的闲聊", "flattery": "拍马奉承/夸夸", "rumour": "未经证实的传言",
    "sensitive": "涉密敏感/人身攻击/隐私", "after_hours": "非工作时间发布通知", "repeated_post": "重复发布/多头发布",
    "proof_demand": "过度留痕（要求截图拍照）", "privacy": "泄露个人信息", "secret": "涉密信息上网",
    "credential_leak": "泄露账号密码", "red_packet": "红包/转账（微腐败）", "advertising": "商业广告",
    "personal_opinion": "发布个人观点情绪", "group_duplicate_unit": "一个单位多个工作群", "group_no_admin": "未明确群管理员",
    "group_temporary_expired": "临时群到期未解散", "group_idle": "临时群长期闲置", "group_member_unverified": "成员不在实名花名册",
    "group_member_hidden_name": "群昵称未实名", "group_chatter_share": "聊天群/夸夸群倾向",
    "account_duplicate_platform": "同一平台多个新媒体账号", "account_dormant": "低效/僵尸账号（长期未更新）",
    "account_late_filing": "开设/变更/关停未提前7个工作日备案", "account_name_unclear": "账号名称与单位职责关联不明",
    "account_internal_division": "以内设机构名义开设账号", "account_personal": "以个人名义开设账号",
    "account_closed_posting": "已关停账号仍在发布",
}
# Message kinds as the UI names a message without text ("[图片]").
KIND_NAMES = {"text": "文字", "image": "图片", "file": "文件", "voice": "语音", "video": "视频", "sticker": "表情",
              "link": "链接", "quote": "引用", "merge_forward": "聊天记录", "red_packet": "红包", "transfer": "转账",
              "system": "系统消息", "recall": "撤回", "location": "位置", "card": "名片", "call": "通话",
              "mini_program": "小程序", "pat": "拍一拍", "notice": "群公告", "other": "其他"}
STATUS_NAMES = {"open": "待核查", "reviewing": "核查中", "confirmed": "属实", "dismissed": "误报",
                "escalated": "已上报", "resolved": "已处置"}
ACTION_NAMES = {"none": "无", "reminded": "提醒", "talked": "约谈", "recalled": "要求撤回", "removed": "移出群聊",
                "reported": "上报党组", "refuted": "辟谣", "other": "其他"}
_SEVERITY_SQL = "case category " + " ".join(f"when '{c}' then {n}" for c, n in SEVERITY.items()) + " else 1 end"

_REVIEW = f"""
-- handling is the append-only decision trail; flag_state is its latest row per flag,
-- kept by a trigger so the queue can filter by status through an index.
alter table flags add column severity integer generated always as ({_SEVERITY_SQL}) virtual;
create index if not exists flags_queue on flags (severity desc, id desc);
create index if not exists flags_category on flags (category, severity desc, id desc);
create table if not exists handling (
    id integer primary key,
    flag_id integer not null references flags(id),
    status text not null check (status in ({", ".join(repr(s) for s in HANDLING_STATUSES)})),
    action text not null check (action in ({", ".join(repr(a) for a in HANDLING_ACTIONS)})),
    note text not null default '',
    due_date text,
    actor_id text not null,
    created_at text not null,
    prev_hash text not null,
    hash text not null
);
create index if not exists handling_flag on handling (flag_id, id);
{_append_only('handling')}
create table if not exists flag_state (
    flag_id integer primary key references flags(id),
    status text not null,
    action text not null,
    actor_id text not null,
    updated_at text not null,
    first_handled_at text not null
);
create index if not exists flag_state_status on flag_state (status);
create trigger if not exists handling_sets_state after insert on handling begin
    insert into flag_state (flag_id, status, action, actor_id, updated_at, first_handled_at)
    values (new.flag_id, new.status, new.action, new.actor_id, new.created_at, new.created_at)
    on conflict (flag_id) do update set status = excluded.status, action = excluded.action,
        actor_id = excluded.actor_id, updated_at = excluded.updated_at;
end;
"""



ACCOUNT_KINDS = ("党务", "政务", "国有企事业单位", "人民团体")
ACCOUNT_STATUSES = ("运行", "停更", "关停")
FILING_ACTIONS = ("开设", "变更", "关停")
# 新媒体 第五条: the accounts of Party bodies, state-owned enterprises and public
# institutions and people's organisations are supervised by the propaganda department and
# the cyberspace office, administrative bodies' by the government office.
SUPERVISING_BODIES = {"党务": "宣传部/网信办", "政务": "政府办", "国有企事业单位": "宣传部/网信办", "人民团体": "宣传部/网信办"}
UNROUTED = "未定（台账未登记或无法识别类别）"

_ACCOUNT_SUPERVISION = f"""create view if not exists account_supervision as
select a.id as account_id,
       case a.kind {" ".join(f"when '{k}' then '{b}'" for k, b in SUPERVISING_BODIES.items())} else '{UNROUTED}' end
           as supervising_body,
       a.kind, a.supervisor as recorded_supervisor, a.unit, a.division, a.platform, a.name, a.status,
       (select count(*) from flags f left join flag_state s on s.flag_id = f.id
        where f.account_id = a.id and (s.status is null or s.status in ({", ".join(repr(s) for s in OPEN_STATUSES)})))
           as open_flags
from accounts a;"""

_NEWMEDIA = f"""
-- 新媒体: the account registry (台账), its append-only filing log (hash-chained like
-- handling), the accounts' posts (keyed like messages), and flags that point at an
-- account or a post; account_supervision routes each account by kind (第五条).
create table if not exists accounts (
    id integer primary key,
    unit text not null,
    unit_short text,
    division text,
    platform text not null,
    name text not null,
    account_ref text,
    kind text check (kind in ({", ".join(repr(k) for k in ACCOUNT_KINDS)})),
    supervisor text,
    leader text,
    editor text,
    registrant text,
    registrant_type text,
    opened_on text,
    status text not null default '运行' check (status in ({", ".join(repr(s) for s in ACCOUNT_STATUSES)})),
    closed_on text,
    last_post_on text,
    extra text not null default '{{}}',
    created_at text not null,
    updated_at text not null
);
create unique index if not exists accounts_platform_ref on accounts (platform, account_ref) where account_ref is not null;
create index if not exists accounts_platform_name on accounts (platform, name);
create index if not exists accounts_unit_platform on accounts (unit, platform);
create table if not exists account_filings (
    id integer primary key,
    account_id integer not null references accounts(id),
    action text not null check (action in ({", ".join(repr(a) for a in FILING_ACTIONS)})),
    filed_on text not null,
    effective_on text not null,
    details text not null default '',
    recorded_by text not null,
    recorded_at text not null,
    prev_hash text not null,
    hash text not null
);
create index if not exists account_filings_account on account_filings (account_id, id);
{_append_only('account_filings')}
create table if not exists posts (
    id integer primary key,
    key integer not null,
    account_id integer not null references accounts(id),
    published_at text not null,
    title text,
    text text,
    tokens text,
    url text,
    reads integer,
    likes integer,
    import_id integer not null references imports(id),
    source_line integer,
    raw text not null
);
create unique index if not exists posts_key on posts (key);
create index if not exists posts_account_time on posts (account_id, published_at);
alter table flags add column post_id integer references posts(id);
alter table flags add column account_id integer references accounts(id);
create index if not exists flags_post on flags (post_id);
create index if not exists flags_account on flags (account_id);
{_ACCOUNT_SUPERVISION}
"""



_OCCURRED = """
-- When the flagged thing happened (message sent, post published, else flag raised):
-- the queue's date filter runs on this index instead of joining every flag's message.
alter table flags add column occurred_at text;
update flags set occurred_at = coalesce((select sent_at from messages m where m.id = flags.message_id),
                                        (select published_at from posts p where p.id = flags.post_id), created_at);
create index if not exists flags_occurred on flags (occurred_at);
create index if not exists flags_article on flags (article, severity desc, id desc);
"""



_TALLIES = """
-- Flags per category, article and current status ('open' = never handled), kept by triggers:
-- the queue's counts in constant time however many flags an archive holds.
create table if not exists flag_tallies (
    category text not null,
    article text not null,
    status text not null,
    n integer not null,
    primary key (category, article, status)
);
insert into flag_tallies (category, article, status, n)
    select f.category, f.article, coalesce(s.status, 'open'), count(*)
    from flags f left join flag_state s on s.flag_id = f.id group by 1, 2, 3;
create trigger if not exists flags_tally after insert on flags begin
    insert into flag_tallies (category, article, status, n) values (new.category, new.article, 'open', 1)
    on conflict (category, article, status) do update set n = n + 1;
end;
create trigger if not exists flag_state_tally_new after insert on flag_state begin
    update flag_tallies set n = n - 1 where status = 'open'
        and (category, article) = (select category, article from flags where id = new.flag_id);
    insert into flag_tallies (category, article, status, n)
        select category, article, new.status, 1 from flags where id = new.flag_id
    on conflict (category, article, status) do update set n = n + 1;
end;
create trigger if not exists flag_state_tally_change after update of status on flag_state
    when old.status != new.status begin
    update flag_tallies set n = n - 1 where status = old.status
        and (category, article) = (select category, article from flags where id = new.flag_id);
    insert into flag_tallies (category, article, status, n)
        select category, article, new.status, 1 from flags where id = new.flag_id
    on conflict (category, article, status) do update set n = n + 1;
end;
"""



_BANDS_BY_TIME = """
-- Repeated posts are looked for within a window of days: band keys carry the post's time
-- and are indexed by (band, time), so a lookup reads only the window, not all history.
-- The detector signs every message again (flags stay: one per subject and category).
drop table if exists post_bands;
create table post_bands (
    band integer not null,
    sent_at text not null,
    message_id integer not null references messages(id)
);
create index post_bands_band_time on post_bands (band, sent_at);
delete from detector_state where detector like 'rules@repeated_post.%';
"""

_BANDS_CLUSTERED = """
-- Band keys are now computed with numpy (detectors/repeated_post.py), so every message is
-- signed again. The table is clustered on its lookup key (WITHOUT ROWID): one B-tree to
-- write per band instead of a table and an index.
drop table if exists post_bands;
create table post_bands (
    band integer not null,
    sent_at text not null,
    message_id integer not null references messages(id),
    primary key (band, sent_at, message_id)
) without rowid;
delete from detector_state where detector like 'rules@repeated_post.%';
"""

_BANDS_BY_TIME_CLUSTERED = """
-- The detector now reads a stretch of time at once and keeps it in memory, so the table
-- holds one row per post, clustered by time: signing new messages appends to it instead
-- of writing all over it. `bands` is the post's 8 band keys (little-endian int64; -1 for
-- a band with no 3-gram). Every message is signed again (flags stay: one per subject and
-- category).
drop table if exists post_bands;
create table post_bands (
    sent_at text not null,
    message_id integer not null references messages(id),
    bands blob not null,
    primary key (sent_at, message_id)
) without rowid;
delete from detector_state where detector like 'rules@repeated_post.%';
"""

_TALLY_WITHOUT_UPSERT = """
-- The same count, kept by two plain statements: an UPSERT inside the trigger made each
-- flag insert ~30 µs slower (89k rule flags of bench/classify.py: 4.1 s -> 1.7 s).
drop trigger flags_tally;
create trigger flags_tally after insert on flags begin
    insert or ignore into flag_tallies (category, article, status, n) values (new.category, new.article, 'open', 0);
    update flag_tallies set n = n + 1 where category = new.category and article = new.article and status = 'open';
end;
"""

# Each migration is run once, in order, inside one transaction (migrate).


_KIND_LIST_CHECK = f"check (kind in ({', '.join(repr(k) for k in MESSAGE_KINDS)}))"
_KIND_CHAIN_CHECK = f"check ({' or '.join(f'kind = {k!r}' for k in MESSAGE_KINDS)})"
def _KIND_CHECK_AS_COMPARISONS(conn: sqlite3.Connection) -> None:
    """The same check on messages.kind, written as comparisons: for an IN list this long
    SQLite builds a lookup table each time the INSERT runs, and executemany runs it once
    per row (bench/ingest.py, 1M messages: 3.5 s of the writer's time; comparisons 0.3 s).
    SQLite cannot alter a CHECK; rewriting its text is the documented way when every row
    already satisfies the new one (https://sqlite.org/lang_altertable.html#otheralter),
    and so is moving the schema version on: an edit of sqlite_master does not, and
    connections open meanwhile (a Datasette server) would go on with the old schema."""
    _rewrite_check(conn, "messages", _KIND_LIST_CHECK, _KIND_CHAIN_CHECK)


def _rewrite_check(conn: sqlite3.Connection, table: str, before: str, after: str) -> None:
    """Replace `before` with `after` in `table`'s CREATE statement (a CHECK, a generated
    column's expression), the schema version moved on (_KIND_CHECK_AS_COMPARISONS says
    when this is sound)."""
    conn.execute("pragma writable_schema = on")
    try:
        conn.execute("update sqlite_master set sql = replace(sql, ?, ?) where type = 'table' and name = ?",
                     [before, after, table])
        cookie = conn.execute("pragma schema_version").fetchone()[0]
        conn.execute(f"pragma schema_version = {cookie + 1}")
    finally:
        conn.execute("pragma writable_schema = off")


_WITHOUT_SOURCE = """
-- Messages archived without an exporter's id, by import and group: an import with ids
-- asks whether an import of its format left any in a group (an Excel copy read first)
-- before matching by content (ingest/save.py), without reading those of other formats
-- (phone shares, old MemoTrace files), which have none to give.
create index if not exists messages_without_source on messages (import_id, group_id) where source_id is null;
"""

_SETTINGS_LOG = f"""
-- Every change of a setting, kept: what a run flags depends on them, and an auditor
-- traces a flag, or a flag not raised, to who changed what and when. A NULL value is an
-- override removed (the default applies again). Seeded with the overrides set so far.
create table if not exists settings_log (
    id integer primary key,
    key text not null,
    value text,
    changed_at text not null,
    changed_by text not null
);
{_append_only('settings_log')}
insert into settings_log (key, value, changed_at, changed_by)
    select key, value, updated_at, updated_by from settings order by updated_at, key;
"""

_WITHOUT_ID_BY_GROUP = """
-- An import with ids asks whether a group has messages archived without one (from any
-- export) before matching its records with them by content (ingest/save.py).
drop index if exists messages_without_source;
create index if not exists messages_without_id on messages (group_id) where source_id is null;
"""

def _CHATTER_WEEKS_DATED_BY_WEEK(conn: sqlite3.Connection) -> None:
    """Weekly chatter flags were dated by the run that raised them, so a period report
    counted a 2025 week in the week classify ran; they are dated by their week's first day."""
    from datetime import date

    from ingest.records import week_days

    def first_day(week: str) -> date:
        # As this step dated them when written, when a week 00 (2025-W00) began on 1 January:
        # the weeks were cut at New Year then (week_days no longer does).
        return max(week_days(week)[0], date(int(week[:4]), 1, 1))

    conn.executemany("update flags set occurred_at = ? where id = ?", [
        (f"{first_day(subject.rsplit(':', 1)[1])}T00:00:00", flag_id) for flag_id, subject in conn.execute(
            "select id, subject from flags where category = 'group_chatter_share'").fetchall()])


_REGISTRY_LOG = f"""
-- Every change to what the exports cannot know: the groups' registry (groups set), the
-- roster (roster import), the new-media accounts (accounts import): the row, each field
-- before and after (JSON {{field: [before, after]}}; before null for a new row), who and
-- when; chained and append-only like the other trails (ingest/changes.py).
create table if not exists registry_log (
    id integer primary key,
    entity text not null check (entity in ('group', 'person', 'account')),
    entity_id integer not null,
    name text not null,
    change text not null,
    changed_by text not null,
    changed_at text not null,
    prev_hash text not null,
    hash text not null
);
create index if not exists registry_log_entity on registry_log (entity, entity_id);
{_append_only('registry_log')}
"""

_MEMBER_NAMED_AT = """
-- When a member's display name was last used (its latest message under it): an export of
-- later messages renames the member, an older one does not. Members archived so far are
-- named as of their latest message.
alter table members add column named_at text;
update members set named_at = last.sent_at
    from (select member_id, max(sent_at) as sent_at from messages group by member_id) as last
    where last.member_id = members.id;
"""

_PEOPLE_LEFT = """
-- A person who has left (transferred, retired: 第六条 岗位调整…退出) stays in the roster's
-- history, but no sender is linked to them any more.
alter table people add column left_on text;
"""

_GROUPS_DISSOLVED = """
-- The day a group was dissolved (第五条: temporary groups dissolved when done; an old
-- group replaced by a new one): kept in the archive, no longer checked as a work group.
alter table groups add column dissolved_on text;
"""

def _SETTINGS_LOG_CHAINED(conn: sqlite3.Connection) -> None:
    """The settings log hash-chained like the other trails, its rows so far included: a
    deleted change (and the setting rewritten to match) would else go unseen."""
    from ingest import chain

    conn.execute("alter table settings_log add column prev_hash text not null default ''")
    conn.execute("alter table settings_log add column hash text not null default ''")
    conn.execute("drop trigger settings_log_no_update")
    prev = chain.GENESIS
    cursor = conn.execute("select id, key, value, changed_at, changed_by from settings_log order by id")
    for row in cursor.fetchall():
        fields = dict(zip(("id", "key", "value", "changed_at", "changed_by"), row))
        digest = chain.row_hash(prev, fields)
        conn.execute("update settings_log set prev_hash = ?, hash = ? where id = ?", [prev, digest, fields["id"]])
        prev = digest
    conn.execute("create trigger settings_log_no_update before update on settings_log "
                 "begin select raise(abort, 'settings_log is append-only'); end")


_GROUP_FORMER_NAMES = """
-- The names a group had before `groups rename`: an export named after the old name (a
-- MemoTrace file is named by the chat's remark) still finds the group.
alter table groups add column other_names text not null default '[]';
"""

_MEMBER_LEFT_LINK = """
-- The roster person a member was linked to when that person left (roster remove): a
-- namesake who stays is never linked to the member by name.
alter table members add column left_link integer references people(id);
"""

_KINDS_CHECK_BEFORE = "check (kind in ('党务', '政务'))"


def _ACCOUNT_KINDS_OF_ARTICLE_FIVE(conn: sqlite3.Connection) -> None:
    """新媒体 第五条 names state-owned enterprises and public institutions and people's
    organisations beside Party and administrative bodies, supervised by the propaganda
    department and the cyberspace office: accounts.kind takes them, and the supervision
    view routes them. The CHECK only widens (every row satisfies it), so its text is
    rewritten (_rewrite_check)."""
    widened = f"check (kind in ({', '.join(repr(k) for k in ACCOUNT_KINDS)}))"
    _rewrite_check(conn, "accounts", _KINDS_CHECK_BEFORE, widened)
    conn.execute("drop view if exists account_supervision")
    conn.execute(_ACCOUNT_SUPERVISION)


def _SEVERITY_AS_DECLARED(conn: sqlite3.Connection) -> None:
    """flags.severity is a generated column whose expression was written from SEVERITY
    when the archive was made: a category added since (account_closed_posting) would be
    severity 1 there. The expression is rewritten from SEVERITY as it stands (safe to run
    again when a category is added or moved) and the indexes on it rebuilt."""
    table = conn.execute("select sql from sqlite_master where type = 'table' and name = 'flags'").fetchone()[0]
    declared = re.search(r"generated always as \((case category .*? else 1 end)\)", table)[1]
    if declared != _SEVERITY_SQL:
        _rewrite_check(conn, "flags", f"({declared})", f"({_SEVERITY_SQL})")
        for index in ("flags_queue", "flags_category", "flags_article"):
            conn.execute(f"reindex {index}")


_SETTINGS_TOLD = """
-- The entries of a default list an archive's own list leaves out (ingest.registry.
-- hidden_defaults) that classify has told of: it says each once, not at every run.
create table if not exists settings_told (
    key text primary key,
    hidden text not null,  -- JSON list of the entries told of
    told_at text not null
);
"""

_IMPORTS_BY_SIZE = """
-- Every file ingested without --group looks for an earlier import of its very bytes under
-- any name (a colleague's renamed copy of the export): by size first, so only a file with
-- a candidate is hashed, and the lookup stays a seek however long the ledger grows.
create index if not exists imports_size on imports (size);
"""

_REREAD_DOUBTS = """
-- A message check reading messages again (review.handling.Rereading): each earlier flag on
-- a message it read and has not found (found = 0), or has found (1). Withdrawn when the
-- reading ends: kept here, not in memory, so that a run cut short and run again still
-- withdraws what its first part read (the watermark has passed those messages).
create table if not exists reread_doubts (
    detector text not null,
    flag_id integer not null references flags(id),
    found integer not null,
    primary key (detector, flag_id)
) without rowid;
"""


MIGRATIONS = [_ARCHIVE, _FLAGS, _RULES, _REVIEW, _NEWMEDIA, _OCCURRED, _TALLIES, _BANDS_BY_TIME, _BANDS_CLUSTERED,
              _BANDS_BY_TIME_CLUSTERED, _TALLY_WITHOUT_UPSERT, _KIND_CHECK_AS_COMPARISONS, _WITHOUT_SOURCE, _SETTINGS_LOG,
              _WITHOUT_ID_BY_GROUP, _CHATTER_WEEKS_DATED_BY_WEEK, _REGISTRY_LOG,
              _MEMBER_NAMED_AT, _PEOPLE_LEFT, _GROUPS_DISSOLVED, _SETTINGS_LOG_CHAINED,
              _GROUP_FORMER_NAMES, _MEMBER_LEFT_LINK, _ACCOUNT_KINDS_OF_ARTICLE_FIVE, _SEVERITY_AS_DECLARED,
              _SETTINGS_TOLD, _IMPORTS_BY_SIZE, _REREAD_DOUBTS]


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Bring `db` up to the current schema; WAL so Datasette can read during an ingest."""
    # Takes effect only on a new file. 16 KB pages instead of 4 KB: a bulk ingest writes
    # far fewer pages (bench/ingest.py, 1M messages: 44.5k -> 50.7k messages/s; 64 KB
    # gained only 1k/s more and makes every small read and write in the web UI bigger).
    db.conn.execute("pragma page_size = 16384")
    db.conn.execute("pragma journal_mode=wal")
    migrate(db.conn, MIGRATIONS)


Migration = str | Callable[[sqlite3.Connection], None]


def migrate(conn: sqlite3.Connection, migrations: list[Migration]) -> None:
    """Run the steps of `migrations` past `conn`'s user_version, each in one transaction
    with the version it brings the database to. A step is an SQL script, or a function
    of the connection for what a script cannot say."""
    version = conn.execute("pragma user_version").fetchone()[0]
    for number, step in enumerate(migrations[version:], start=version + 1):
        try:
            if callable(step):
                conn.execute("begin")
                step(conn)
                conn.execute(f"pragma user_version = {number}")
                conn.execute("commit")
            else:
                conn.executescript(f"begin;\n{step}\npragma user_version = {number};\ncommit;")
        except BaseException:
            if conn.in_transaction:
                conn.execute("rollback")
            raise


# How long a command waits for another one writing to the archive (a long ingest or
# classify holds its write lock per file or batch) before giving up with "database is locked".
BUSY_SECONDS = 30


def is_busy(error: BaseException) -> bool:
    """Whether `error` is SQLite giving up waiting for another writer of the archive."""
    return isinstance(error, sqlite3.OperationalError) and busy_message(str(error))


def is_full(error: BaseException) -> bool:
    """Whether `error` is SQLite finding no room left for the archive (the disk full)."""
    return isinstance(error, sqlite3.OperationalError) and getattr(error, "sqlite_errorname", "") == "SQLITE_FULL"


def is_damaged(error: BaseException) -> bool:
    """Whether `error` is SQLite finding the archive's file damaged (a copy cut short) or
    no database at all: nothing qunguan or the file being read can mend."""
    return isinstance(error, sqlite3.DatabaseError) and getattr(error, "sqlite_errorname", "") in (
        "SQLITE_CORRUPT", "SQLITE_NOTADB")


def busy_message(message: str) -> bool:
    """Whether SQLite's `message` says it gave up waiting for another writer (`is_busy`)."""
    return message.startswith("database") and "locked" in message


def open_archive(path: str) -> sqlite_utils.Database:
    """Open (creating if needed) the archive at `path`, schema applied."""
    if path != ":memory:" and not os.path.exists(path):
        # Chat logs are sensitive: a new archive is readable by its owner only, from the
        # first ingest on (SQLite gives its -wal and -shm files the same mode).
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    db = sqlite_utils.Database(path)
    ensure_schema(db)
    # Commands that sweep the archive (classify, stats) write indexes all over it: 64 MB
    # of page cache instead of SQLite's 2 MB keeps those pages in memory.
    db.conn.execute("pragma cache_size = -65536")
    db.conn.execute("pragma synchronous = normal")
    # Supervisors record handling in the web UI while an admin runs classify. A deferred
    # transaction that has read and then writes fails at once when another connection
    # has written meanwhile (its snapshot is stale); IMMEDIATE takes the write lock at
    # BEGIN, waiting for the other writer as long as the busy timeout allows.
    db.conn.execute(f"pragma busy_timeout = {BUSY_SECONDS * 1000:.0f}")
    db.conn.isolation_level = "IMMEDIATE"
    return db

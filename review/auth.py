"""Users and passwords, kept apart from the archive.

Credentials live in `<archive>.users.db` beside the archive (0600), never in a database
Datasette serves, so no SQL page can read a password hash. Passwords are stored as
PBKDF2-SHA256 with a random salt (the scheme of datasette-auth-passwords and Django);
users are never deleted, only disabled, so every past decision keeps its author.

Each user has a session epoch, written into the login cookie and checked on every
request: logging out, a new password or disabling moves it on, which ends every
session opened before, on every browser, copies of the cookie included.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import math
import os
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from ingest.records import local_now, stamp
from ingest.schema import migrate
from ingest.user_errors import UserError
from review.handling import NOT_A_PERSON

ROLES = ("supervisor", "auditor", "admin")
ROLE_NAMES = {"supervisor": "核查人（党组）", "auditor": "审计", "admin": "管理员"}  # as the pages say them
ITERATIONS = 480_000
MIN_PASSWORD = 10
# Guessing is slowed down where it comes from: after this many failed logins in the window,
# further attempts are refused until it passes (`login_locked`). "name": one account's from
# one address, so guesses elsewhere never lock its owner out; "address": one address's over
# every account; "account": one account's from every address, guesses spread over many.
LOCK_AFTER = {"name": 5, "address": 20, "account": 50}
LOCK_MINUTES = 15
# A try a lock refuses costs no password check, so a guesser could log them as fast as they
# can send them, each a commit under the write lock every login needs: one a minute is
# logged per lock and address (and account, but for the address's own lock, which a guesser
# would otherwise dodge by typing a new name each time).
REFUSED_LOGGED_EVERY = timedelta(minutes=1)


class AuthError(UserError):
    pass


@dataclass(frozen=True)
class Lock:
    """A lock refusing logins: which (a LOCK_AFTER key), and the minutes until it lifts."""
    kind: str
    minutes: int


@dataclass(frozen=True)
class User:
    name: str
    role: str
    disabled: bool
    epoch: int = 0


def users_path(archive: str | Path) -> Path:
    archive = Path(archive)
    return archive.with_name(archive.stem + ".users.db")


def hash_password(password: str, salt: str | None = None, iterations: int = ITERATIONS) -> str:
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt.encode("ascii"), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(digest).decode('ascii')}"


def verify_password(password: str, stored: str) -> bool:
    try:
        algorithm, iterations, salt, _ = stored.split("$", 3)
    except ValueError:
        return False
    if algorithm != "pbkdf2_sha256":
        return False
    return hmac.compare_digest(hash_password(password, salt, int(iterations)), stored)


# `if not exists`: users databases made before there were migrations have these tables.
_USERS = """
create table if not exists users (
    name text primary key,
    role text not null check (role in ('supervisor', 'auditor', 'admin')),
    password_hash text not null,
    disabled integer not null default 0,
    created_at text not null,
    created_by text not null
);
create table if not exists user_events (
    id integer primary key,
    name text not null,
    event text not null,
    at text not null,
    by text not null
);
create table if not exists logins (
    id integer primary key,
    name text not null,
    address text not null,
    ok integer not null,
    at text not null
);
create index if not exists logins_name on logins (name, at);
create index if not exists logins_address on logins (address, at);
"""
# Moved on by every change that must end a user's open sessions (see the module docstring).
_SESSIONS = "alter table users add column session_epoch integer not null default 0;"
# What a logged password check was for: a login, or the current password given to change
# it (`change_own_password`). Both count toward the locks; the log must say which it was.
_LOGIN_KIND = "alter table logins add column kind text not null default 'login' check (kind in ('login', 'password'));"


def _UNKNOWN_NAMES_HIDDEN(conn: sqlite3.Connection) -> None:
    """The key of the digests that stand for names no account has (`logged_name`), and
    those names already logged, the passwords typed as names among them, made digests."""
    conn.execute("create table login_key (key blob not null)")
    conn.execute("insert into login_key values (randomblob(32))")
    for row_id, name in conn.execute("select id, name from logins where name not in (select name from users)").fetchall():
        conn.execute("update logins set name = ? where id = ?", [logged_name(conn, name), row_id])


# The lock that refused an attempt (`attempt_login`), its password never checked: logged so
# an auditor tracing a guesser sees the tries made while locked out too, yet counted toward
# no lock, or the guesser's refused tries would keep the account's owner locked out for good.
_REFUSED_LOGINS = "alter table logins add column locked text check (locked in ('name', 'address', 'account'));"


MIGRATIONS = [_USERS, _SESSIONS, _LOGIN_KIND, _UNKNOWN_NAMES_HIDDEN, _REFUSED_LOGINS]


def connect(path: Path) -> sqlite3.Connection:
    """The users database, created 0600 if missing, brought up to the current schema."""
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    conn = sqlite3.connect(path)
    migrate(conn, MIGRATIONS)
    return conn


def add_user(conn, name: str, role: str, password: str, by: str) -> User:
    name = name.strip()
    if not name or len(name) > 64 or any(ch.isspace() for ch in name):
        raise AuthError("a user name is 1-64 characters without spaces", f"用户名 {name!r} 不可用：须为 1-64 个字符，不含空格")
    if name.lower().startswith(NOT_A_PERSON):  # as SQL's `like` (BY_A_PERSON) reads them
        *some, last = NOT_A_PERSON
        raise AuthError(f"a user name may not start with {', '.join(some)} or {last}: the decision trail signs the "
                        f"checks' and commands' own decisions so",
                        f"用户名 {name!r} 不可用：不能以 {'、'.join(some)} 或 {last} 开头，处理记录中这样开头的是自动检查和命令自己的决定")
    if role not in ROLES:
        raise AuthError(f"role must be one of {', '.join(ROLES)}",
                        f"--role {role!r} 不是可用的角色；请写 {'、'.join(ROLES)} 之一"
                        f"（{'、'.join(ROLE_NAMES[r] for r in ROLES)}）")
    _check_password(password)
    with conn:
        if existing := conn.execute("select disabled from users where name = ?", [name]).fetchone():
            raise _exists(name, existing[0])
        try:
            conn.execute("insert into users (name, role, password_hash, created_at, created_by) values (?, ?, ?, ?, ?)",
                         [name, role, hash_password(password), stamp(), by])
        except sqlite3.IntegrityError:
            # Added by another command while this one hashed the password.
            raise _exists(name, False) from None
        conn.execute("insert into user_events (name, event, at, by) values (?, ?, ?, ?)", [name, f"added as {role}", stamp(), by])
    return User(name, role, False)


def _exists(name: str, disabled: bool) -> AuthError:
    if disabled:
        # A new password would not let them in again (`users password` leaves them disabled).
        return AuthError(f"user {name!r} exists and is disabled (users are never deleted, so that past decisions keep "
                         f"their author); if it is the same person, `qunguan users enable {name}` lets them log in "
                         f"again; else give the new account another name, e.g. {name}2",
                         f"用户 {name!r} 已存在且已停用（用户从不删除，以便过去的处理记录保留其处理人）；如是同一人，"
                         f"用 `qunguan users enable {name}` 恢复其登录；否则请给新账号另起名，如 {name}2")
    return AuthError(f"user {name!r} exists already; change a password with `qunguan users password {name}`",
                     f"用户 {name!r} 已存在；修改密码请用 `qunguan users password {name}`")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"the password needs at least {MIN_PASSWORD} characters",
                        f"密码太短：至少 {MIN_PASSWORD} 个字符，收到 {len(password)} 个；未保存")


def set_password(conn, name: str, password: str, by: str) -> None:
    """Give `name` a new password (the old one, and every open session, stop working at once)."""
    _check_password(password)
    _end_sessions(conn, name, "password changed", by, password_hash=hash_password(password))


def change_own_password(conn, name: str, current: str, new: str, address: str,
                        trusted: bool = False) -> str | Lock | None:
    """`name` changing their own password, which needs the current one. That check is
    made as a login attempt is (`attempt_login`: logged, as a password check, counted
    toward the locks and refused while one holds), so the change cannot serve to guess a
    password. None once changed as
    `set_password` changes it, by `name` themself; else why not: "short" (the new one is
    too short, refused before any attempt), the Lock that holds, "wrong"
    (not the current password) or "same" (the new one is the current one)."""
    if len(new) < MIN_PASSWORD:
        return "short"
    lock, user = attempt_login(conn, name, current, address, trusted, kind="password")
    if lock:
        return lock
    if user is None:
        return "wrong"
    if new == current:
        return "same"
    set_password(conn, name, new, by=name)
    return None


def disable_user(conn, name: str, by: str) -> None:
    """Disable `name`: no more logins, and every open session ends."""
    _end_sessions(conn, name, "disabled", by, disabled=1)


def enable_user(conn, name: str, by: str) -> None:
    """Let a disabled `name` log in again (disabled by mistake, or back from a secondment):
    with the password they had, logged as every change to a user is."""
    user = get_user(conn, name)
    if user is not None and not user.disabled:
        raise AuthError(f"user {name!r} is not disabled", f"用户 {name!r} 未被停用，无需恢复")
    _end_sessions(conn, name, "enabled", by, disabled=0)


def unlock_user(conn, name: str, by: str) -> bool:
    """Lift the locks on `name`'s logins, from every address (`login_locked`: the failures
    before count no more), for an owner whom guesses spread over many addresses keep out
    of a browser new to the account; kept in the change log with who did it. Sessions go
    on, and the password is unchanged. False, and nothing changed, when no lock of the
    account held (`account_locked`)."""
    if get_user(conn, name) is None:
        raise _no_user(name)
    with conn:
        conn.execute("begin immediate")
        if not account_locked(conn, name):
            return False
        _log_event(conn, name, "unlocked", by)
    return True


def account_locked(conn, name: str) -> bool:
    """Whether a lock of `name`'s own refuses its logins from some address: its lock from an
    address it failed from, or the account's from every address (not an address's lock,
    which refuses every account there and no unlocking lifts)."""
    failed_from = [row[0] for row in conn.execute(
        "select distinct address from logins where name = ? and not ok and locked is null", [name])]
    return any(login_locked(conn, name, address, trusted=True) for address in failed_from) \
        or _lock(conn, *_account_lock(conn, name)) is not None


def log_out(conn, name: str) -> None:
    """End every session `name` has open, on any browser."""
    _end_sessions(conn, name, "logged out", name)


def _end_sessions(conn, name: str, event: str, by: str, **columns) -> None:
    # One statement moves the epoch on with the change (new column values) that requires
    # it, and the change log keeps who made it, as for every change to a user.
    assignments = "".join(f"{column} = ?, " for column in columns)
    with conn:
        if conn.execute(f"update users set {assignments}session_epoch = session_epoch + 1 where name = ?",
                        [*columns.values(), name]).rowcount == 0:
            raise _no_user(name)
        _log_event(conn, name, event, by)


def _no_user(name: str) -> AuthError:
    return AuthError(f"no user {name!r}", f"没有用户 {name!r}（`qunguan users list` 列出全部用户）")


def _log_event(conn, name: str, event: str, by: str) -> None:
    conn.execute("insert into user_events (name, event, at, by) values (?, ?, ?, ?)", [name, event, stamp(), by])


def list_users(conn) -> list[dict]:
    cursor = conn.execute("select name, role, disabled, created_at, created_by from users order by name")
    return [dict(zip([d[0] for d in cursor.description], row)) for row in cursor]


def get_user(conn, name: str) -> User | None:
    row = conn.execute("select name, role, disabled, session_epoch from users where name = ?", [name]).fetchone()
    return User(row[0], row[1], bool(row[2]), row[3]) if row else None


def authenticate(conn, name: str, password: str) -> User | None:
    """The user if the name and password match an enabled account, else None."""
    row = conn.execute("select password_hash from users where name = ?", [name]).fetchone()
    if row is None:
        verify_password(password, hash_password("timing-equaliser"))  # same cost either way
        return None
    user = get_user(conn, name)
    return user if verify_password(password, row[0]) and not user.disabled else None


# A name typed at the login that no account has is logged as a keyed digest, never as
# typed: it may be the password, typed into the name field, and auditors read the log.
# The digest still counts that name's failures (an unknown name is locked as an account
# is, or the lock would tell which names are accounts) and tells one such name from
# another. No account name holds a space, so none is taken for one.
UNKNOWN_NAME = "(no such user) "


def logged_name(conn, name: str) -> str:
    """`name` as the login log keeps it: an account's as it is, any other as its digest."""
    if get_user(conn, name) is not None:
        return name
    key = conn.execute("select key from login_key").fetchone()[0]
    return UNKNOWN_NAME + hmac.new(key, name.encode("utf-8"), "sha256").hexdigest()[:12]


def login_locked(conn, name: str, address: str, trusted: bool = False) -> Lock | None:
    """The lock that refuses a login as `name` from `address` for now, or None. "name" when
    the account has used up its failed logins from this address: since the window opened,
    its last success from here, its last password change (an admin who resets a locked
    user's password unlocks it), an admin's unlocking it (`unlock_user`) and its being
    enabled again (tries of the right password while disabled failed, and counted).
    Someone guessing elsewhere, wherever they are,
    locks only themself out: the account's owner logs in from their own address.
    "address" when the address has used up its failures over the window, "account" when
    the account has from every address (since its last success anywhere), guesses spread
    over many addresses.

    Those two are not for a `trusted` login, one from a browser where `name` has logged in
    before: an office behind one NAT or proxy shares an address, and anyone there could
    otherwise lock everyone out, as anyone with many addresses could an account. Someone
    guessing has no such browser for the accounts they try, so these locks still stop
    them, and the account's lock from an address holds for every browser there. Nor does
    a success from the address lift its lock: the sprayer's own account would give them
    guesses anew."""
    since, since_reset = _windows(conn, name)
    locks = [("name", "name = ? and address = ? and at >= ? and id > coalesce((select max(id) from logins "
                      "where name = ? and address = ? and ok), 0)", [name, address, since_reset, name, address])]
    if not trusted:
        locks += [("address", "address = ? and at >= ?", [address, since]), _account_lock(conn, name)]
    for kind, where, params in locks:
        if lock := _lock(conn, kind, where, params):
            return lock
    return None


def _windows(conn, name: str) -> tuple[str, str]:
    """Since when failures count toward the locks: toward an address's, the window; toward
    `name`'s, the window or its last reset (`login_locked`), whichever came later."""
    since = (local_now() - timedelta(minutes=LOCK_MINUTES)).strftime("%Y-%m-%dT%H:%M:%S")
    reset = conn.execute("select coalesce(max(at), '') from user_events where name = ? "
                         "and event in ('password changed', 'unlocked', 'enabled')", [name]).fetchone()[0]
    return since, max(since, reset)


def _account_lock(conn, name: str) -> tuple[str, str, list]:
    """The account's lock (`login_locked`), as `_lock` takes it."""
    return ("account", "name = ? and at >= ? and id > coalesce((select max(id) from logins where name = ? and ok), 0)",
            [name, _windows(conn, name)[1], name])


def _lock(conn, kind: str, where: str, params: list) -> Lock | None:
    # Locked while the window holds LOCK_AFTER[kind] failures (not those the locks refused):
    # until the last that many's first leaves it.
    row = conn.execute(f"select at from logins where not ok and locked is null and {where} order by at desc "
                       "limit 1 offset ?",
                       [*params, LOCK_AFTER[kind] - 1]).fetchone()
    if row is None:
        return None
    lifts = datetime.fromisoformat(row[0]) + timedelta(minutes=LOCK_MINUTES)
    return Lock(kind, max(1, math.ceil((lifts - local_now()).total_seconds() / 60)))


def attempt_login(conn, name: str, password: str, address: str, trusted: bool = False,
                  kind: str = "login") -> tuple[Lock | None, User | None]:
    """One login attempt: (the lock that refuses it, None) while one holds (`login_locked`),
    else (None, the user when the password is right). Every attempt is kept in the log,
    as its `kind` (a login, or the check of the current password on changing it), one a
    lock refused with that lock (`locked`, counted toward none; one a minute,
    REFUSED_LOGGED_EVERY): auditors can see who signed in, and who tried (a name no
    account has, as its digest: `logged_name`).

    The lock is checked and the attempt logged, as a failure, in one transaction under the
    write lock, before the password is checked (a fifth of a second, outside it); a right
    password then turns it into a success. Attempts sent at once each count those before
    them, so no more of them get a password checked than the lock allows."""
    with conn:
        conn.execute("begin immediate")
        logged = logged_name(conn, name)
        lock = login_locked(conn, logged, address, trusted)
        if lock and _refusal_logged_lately(conn, logged, address, lock.kind):
            return lock, None
        attempt = conn.execute("insert into logins (name, address, ok, at, kind, locked) values (?, ?, 0, ?, ?, ?)",
                               [logged, address, stamp(), kind, lock.kind if lock else None]).lastrowid
        if lock:
            return lock, None
    user = authenticate(conn, name, password)
    if user:
        with conn:
            conn.execute("update logins set ok = 1 where id = ?", [attempt])
    return None, user


def _refusal_logged_lately(conn, name: str, address: str, kind: str) -> bool:
    """Whether a try `kind`'s lock refused, from `address` (for `name`, but for an address's
    lock), is logged within REFUSED_LOGGED_EVERY."""
    since = (local_now() - REFUSED_LOGGED_EVERY).strftime("%Y-%m-%dT%H:%M:%S")
    named = [] if kind == "address" else [name]
    return conn.execute("select 1 from logins where address = ? and locked = ? and at >= ?"
                        + (" and name = ?" if named else ""), [address, kind, since, *named]).fetchone() is not None

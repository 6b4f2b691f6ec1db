"""A flag's case page: the message in its context, the handling history, and the
decision form."""
from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

from datasette import Response

from ingest.schema import ACTION_NAMES, HANDLING_STATUSES, STATUS_NAMES
from review import handling, queue
from review.highlight import highlight
from review.web import ROUTES_PREFIX, archive, require, safe_next, write_decision


MAX_CONTEXT = 200  # messages on each side of a flagged one


async def _missing(datasette, request, flag_id) -> Response:
    return Response.html(await datasette.render_template("qunguan_missing.html", {"flag_id": flag_id}, request=request),
                         status=404)


def _back(request) -> str:
    """Where a case page's back link leads: the queue or search page it was opened from,
    filters and all (only those pages of this site), else the queue."""
    back = safe_next(request.args.get("back"))
    return back if back.startswith((f"{ROUTES_PREFIX}/queue", f"{ROUTES_PREFIX}/search")) else f"{ROUTES_PREFIX}/queue"


async def _next_in_queue(db, back: str, flag: dict) -> int | None:
    """The flag after `flag` in the queue page `back` leads to, filters and all (None when
    it leads to search results), so a supervisor works through it case by case."""
    parts = urlsplit(back)
    if parts.path != f"{ROUTES_PREFIX}/queue":
        return None
    filters, _ = queue.read_dates(queue.typed_filters({k: v[0] for k, v in parse_qs(parts.query).items()}))
    return await db.execute_fn(lambda conn: queue.next_flag(conn, filters, flag))


async def case_view(datasette, request):
    await require(datasette, request, "qunguan-review")
    back = _back(request)
    keep = f"?{urlencode({'back': back})}" if back != f"{ROUTES_PREFIX}/queue" else ""
    flag_id = queue.row_id(request.url_vars["flag_id"])
    if flag_id is None:
        return await _missing(datasette, request, request.url_vars["flag_id"])
    db = archive(datasette)
    error, form, superseded, busy = None, {}, None, False
    if request.method == "POST":
        await require(datasette, request, "qunguan-handle")
        form = await request.post_vars()
        try:
            decision, newer = await write_decision(datasette, lambda conn: handling.decide(
                conn, flag_id, form, request.actor["id"], queue.row_id(form.get("seen")) or 0))
        except handling.ValidationError as e:
            error, busy = str(e), isinstance(e, handling.Busy)
        else:
            if not newer:
                datasette.add_message(request, f"已记录：{STATUS_NAMES[decision['status']]}（措施：{ACTION_NAMES[decision['action']]}）")
                return Response.redirect(f"{ROUTES_PREFIX}/flags/{flag_id}{keep}")
            superseded = newer[0]  # shown with the page as it is now, the form as they filled it
    around = min(max(queue.row_id(request.args.get("context")) or 10, 1), MAX_CONTEXT)
    data = await db.execute_fn(lambda conn: queue.case(conn, flag_id, around))
    if data is None:
        return await _missing(datasette, request, flag_id)
    # More to load while a side was cut, and up to the most a page shows.
    more = around < MAX_CONTEXT and data["cut"]
    flag = data["flag"]
    if data["message"]:
        data["message"]["marked"] = highlight(data["message"]["text"] or "", flag["evidence"])
    return Response.html(await datasette.render_template("qunguan_case.html", {
        **data, "error": error, "form": form, "statuses": HANDLING_STATUSES, "actions": handling.actions_for(flag), "max_note": handling.MAX_NOTE,
        "around": around, "more_context": more, "can_handle": await datasette.permission_allowed(request.actor, "qunguan-handle"),
        "back": back, "keep": keep, "next_flag": await _next_in_queue(db, back, flag), "superseded": _decided(superseded) if superseded else None,
        # A form the busy archive sent back was never checked against newer decisions: it
        # keeps the `seen` it came with, so sent again it is (`handling.decide`).
        "seen": (queue.row_id(form.get("seen")) or 0) if busy else data["history"][-1]["id"] if data["history"] else 0,
    }, request=request), status=503 if busy else 400 if error else 409 if superseded else 200)


def _decided(row: dict) -> str:
    """A decision in a sentence: who made it, when, and what it was."""
    note = f"，备注：{row['note']}" if row["note"] else ""
    return (f"{row['actor_id']} 于 {row['created_at'].replace('T', ' ')} 记为"
            f"{STATUS_NAMES[row['status']]}（措施：{ACTION_NAMES[row['action']]}{note}）")

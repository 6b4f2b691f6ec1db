"""The user list, with its change log and the latest login attempts."""
from __future__ import annotations

from datasette import Response

from review import auth
from review.web import require, trail_url, users_db


async def users_view(datasette, request):
    await require(datasette, request, "qunguan-users")
    conn = users_db(datasette)
    try:
        users = auth.list_users(conn)
        events = [dict(zip(("name", "event", "at", "by"), r)) for r in
                  conn.execute("select name, event, at, by from user_events order by id desc limit 200")]
        # Who signed in and who tried: auditors trace a decision to a login.
        logins = [dict(zip(("name", "address", "ok", "at", "kind", "locked"), r)) for r in
                  conn.execute("select name, address, ok, at, kind, locked from logins order by id desc limit 200")]
    finally:
        conn.close()
    return Response.html(await datasette.render_template("qunguan_users.html", {
        "users": users, "events": events, "logins": logins, "trail_url": trail_url(datasette)}, request=request))

"""The dashboard: flags per week and their state, as server-side charts."""
from __future__ import annotations

from datasette import Response
from markupsafe import Markup

from review import charts
from review.web import archive, may_read_trail, require, trail_url


async def dashboard_view(datasette, request):
    await require(datasette, request, "qunguan-review")
    db = archive(datasette)
    figures = await db.execute_fn(charts.figures)
    return Response.html(await datasette.render_template("qunguan_dashboard.html", {
        "figures": figures, "weekly_svg": Markup(charts.weekly_svg(figures["weekly"])),
        "state_svg": Markup(charts.state_svg(figures["states"])),
        # The trail names each decision's author: only for those who may open it.
        "trail_url": trail_url(datasette) if await may_read_trail(datasette, request.actor) else None,
    }, request=request))

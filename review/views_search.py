"""Full-text search of the messages, segmented as they were stored."""
from __future__ import annotations

from urllib.parse import urlencode

from datasette import Response

from classifiers.tokenizer import search_terms
from review import queue
from review.highlight import highlight
from review.web import ROUTES_PREFIX, archive, require


async def search_view(datasette, request):
    await require(datasette, request, "qunguan-review")
    text = request.args.get("q", "").strip()
    sender = request.args.get("sender", "").strip()
    before = queue.row_id(request.args.get("before"))
    rows, cursor = await archive(datasette).execute_fn(lambda conn: queue.search(conn, text, before, sender=sender))
    parts = search_terms(text)
    terms = " ".join(parts)
    for row in rows:
        row["marked"] = highlight(row["text"] or "", f"主要依据：{'、'.join(parts)}")
    asked = {"q": text, **({"sender": sender} if sender else {})}
    return Response.html(await datasette.render_template("qunguan_search.html", {
        "q": text, "sender": sender, "terms": terms, "rows": rows,
        "next_url": f"?{urlencode({**asked, 'before': cursor})}" if cursor else None,
        "first_url": f"{ROUTES_PREFIX}/search?{urlencode(asked)}" if before else None,
        "back": urlencode({"back": request.full_path}),
    }, request=request))

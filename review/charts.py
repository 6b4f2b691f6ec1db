"""The dashboard's figures and charts, drawn as inline SVG on the server: no script, no
CDN, nothing fetched from the internet. Figures are per category and per unit, never a
ranking of individuals."""
from __future__ import annotations

from datetime import date
from statistics import median

from markupsafe import escape

from detectors.group_checks import PART_WEEK_CLOSED
from ingest.records import week_of
from ingest.schema import CATEGORY_NAMES, OPEN_STATUSES
from review.handling import BY_A_PERSON, WITHDRAWN

PALETTE = ["#c0392b", "#e67e22", "#f1c40f", "#27ae60", "#16a085", "#2980b9", "#8e44ad", "#7f8c8d",
           "#d35400", "#2c3e50", "#1abc9c", "#9b59b6", "#34495e", "#95a5a6"]


# The flags the dashboard counts: all but the part weeks of New Year the check closed,
# which stand for no week (PART_WEEK_CLOSED), as the reports count, and the flags a check
# withdrew on reading their messages again: what it no longer finds is no one's work done
# (a new model can withdraw thousands). On a flag `f` and its state `s`.
_COUNTED = f"not {PART_WEEK_CLOSED} and not {WITHDRAWN}"
# Each flag's first decision by a person, `d` (flag_id, at), found in one pass over the
# trail rather than looked up flag by flag (a third more CPU at 100k flags), and the hours
# from a flag `f` being raised to it (NULL before one).
_FIRST = f"(select h.flag_id, min(h.created_at) as at from handling h where {BY_A_PERSON} group by h.flag_id) d"
_HOURS = "(julianday(d.at) - julianday(f.created_at)) * 24"


def figures(conn) -> dict:
    weekly = conn.execute(
        # By when it happened (a message's time, a post's, a week's first day for the chatter
        # share), as the reports count: not by when classify found it.
        f"select {week_of('f.occurred_at')} as week, f.category, count(*) "
        f"from flags f left join flag_state s on s.flag_id = f.id where {_COUNTED} group by 1, 2 order by 1").fetchall()
    open_sql = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
    states = dict(conn.execute(
        f"select case when s.status is null or s.status in ({open_sql}) then 'open' else 'handled' end, count(*) "
        f"from flags f left join flag_state s on s.flag_id = f.id where {_COUNTED} group by 1").fetchall())
    hours = [r[0] for r in conn.execute(
        f"select {_HOURS} from flag_state s join flags f on f.id = s.flag_id join {_FIRST} on d.flag_id = f.id "
        f"where {_COUNTED}")]
    units = conn.execute(
        # A flag's unit as the queue's unit filter finds it: its group's, else its new-media account's.
        "select coalesce(g.unit, a.unit, '（未登记单位）'), count(*), "
        f"sum(s.status is null or s.status in ({open_sql})), "
        f"avg({_HOURS}) "
        "from flags f left join groups g on g.id = f.group_id left join accounts a on a.id = f.account_id "
        f"left join flag_state s on s.flag_id = f.id left join {_FIRST} on d.flag_id = f.id "
        f"where {_COUNTED} group by 1 order by 1").fetchall()
    return {
        "weekly": weekly,
        "states": {"open": states.get("open", 0), "handled": states.get("handled", 0)},
        "median_hours": round(median(hours), 1) if hours else None,
        "units": [{"unit": u, "flags": n, "open": o or 0, "avg_hours": round(h, 1) if h is not None else None}
                  for u, n, o, h in units],
    }


BAR_GAP, MIN_BAR, MAX_BAR, LEGEND_WIDTH = 6, 8, 60, 170
LABEL_WIDTH = 34  # a week's label, MM-DD in 10px type, and a little room


def weekly_svg(weekly: list[tuple[str, str, int]], width: int = 760, height: int = 260) -> str:
    """Stacked bars: flags per week (named by its Monday), one colour per category, with a
    legend. Weeks with no flag are left out, and a dashed line between two bars says how
    many: weeks far apart are not read as neighbours; each year's first label says the
    year. (Not every week drawn: a year's gap would push an archive's flags out of sight
    behind this week's group checks.) The latest weeks that fit beside the legend are
    drawn, the chart says so when there were more; it grows as tall as its legend."""
    if not weekly:
        return '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="40"><text x="10" y="25">暂无数据</text></svg>'
    left, room = 40, width - LEGEND_WIDTH - 50
    every = sorted({w for w, _, _ in weekly})
    weeks = every[-(room // (MIN_BAR + BAR_GAP)):]
    categories = sorted({c for _, c, _ in weekly})
    counts = {(w, c): n for w, c, n in weekly}
    totals = {w: sum(counts.get((w, c), 0) for c in categories) for w in weeks}
    top = max(totals.values())
    plot_h, bar_w = height - 60, max(MIN_BAR, min(MAX_BAR, room // len(weeks) - BAR_GAP))
    label_every = -(-LABEL_WIDTH // (bar_w + BAR_GAP))  # so that labels do not run into each other
    height = max(height, 24 + 16 * len(categories))
    shown = f"（最近 {len(weeks)} 周）" if len(weeks) < len(every) else ""
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" aria-label="每周标记数">',
             f'<text x="{left}" y="14" font-size="12">最多 {top} 条/周{shown}</text>']
    base = plot_h + 20
    year = None
    for i, week in enumerate(weeks):
        x, y = left + i * (bar_w + BAR_GAP), base
        if i and (skipped := _weeks_between(weeks[i - 1], week)):
            middle = x - BAR_GAP / 2
            parts.append(f'<line x1="{middle}" y1="20" x2="{middle}" y2="{base}" stroke="#999" stroke-dasharray="3,3">'
                         f'<title>此处间隔 {skipped} 周无标记</title></line>')
        for category in categories:
            n = counts.get((week, category), 0)
            if not n:
                continue
            h = plot_h * n / top
            y -= h
            parts.append(f'<rect x="{x}" y="{y:.1f}" width="{bar_w}" height="{h:.1f}" fill="{_colour(categories.index(category), len(categories))}">'
                         f'<title>{escape(week)} 起一周 {escape(CATEGORY_NAMES.get(category, category))}：{n}</title></rect>')
        if (len(weeks) - 1 - i) % label_every == 0:  # the latest week always labelled
            parts.append(f'<text x="{x}" y="{base + 16}" font-size="10">{escape(week[5:])}</text>')
            if week[:4] != year:
                year = week[:4]
                parts.append(f'<text x="{x}" y="{base + 30}" font-size="10">{year}年</text>')
    for j, category in enumerate(categories):
        y = 24 + j * 16
        parts.append(f'<rect x="{width - LEGEND_WIDTH}" y="{y - 10}" width="10" height="10" fill="{_colour(j, len(categories))}"/>'
                     f'<text x="{width - LEGEND_WIDTH + 15}" y="{y}" font-size="11">{escape(CATEGORY_NAMES.get(category, category))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _weeks_between(earlier: str, later: str) -> int:
    """How many weeks lie between two Mondays written YYYY-MM-DD."""
    return (date.fromisoformat(later) - date.fromisoformat(earlier)).days // 7 - 1


def _colour(index: int, count: int) -> str:
    """The `index`-th of `count` colours, all told apart: the palette's first eight (no
    two alike), else hues spaced evenly round the wheel, lightness alternating."""
    if count <= 8:
        return PALETTE[index]
    return f"hsl({round(360 * index / count)}, 65%, {42 + 12 * (index % 2)}%)"


def state_svg(states: dict[str, int], width: int = 360, height: int = 60) -> str:
    """One bar split into open and handled flags."""
    total = sum(states.values()) or 1
    open_w = width * states.get("open", 0) / total
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" aria-label="待处置与已办结">'
            f'<rect x="0" y="10" width="{open_w:.1f}" height="24" fill="#e67e22"/>'
            f'<rect x="{open_w:.1f}" y="10" width="{width - open_w:.1f}" height="24" fill="#27ae60"/>'
            f'<text x="0" y="52" font-size="12">待处置 {states.get("open", 0)}　已办结 {states.get("handled", 0)}</text></svg>')

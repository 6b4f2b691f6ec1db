"""Marking, in a message's text, what its flag's evidence points at."""
from __future__ import annotations

import re

from markupsafe import Markup, escape

_QUOTED = re.compile(r"「([^」]{2,})」")
_BASIS = re.compile(r"主要依据：(.+)$")


def terms(evidence: str) -> list[str]:
    """The words and quoted spans an evidence sentence names."""
    found = [q for q in _QUOTED.findall(evidence or "")]
    basis = _BASIS.search(evidence or "")
    if basis:
        found += [t.strip() for t in basis.group(1).split("、") if t.strip()]
    return sorted({t.replace(" ", "") for t in found if len(t.strip()) >= 1}, key=len, reverse=True)


def highlight(text: str, evidence: str) -> Markup:
    """`text`, HTML-escaped, with every evidence term wrapped in <mark>."""
    spans = []
    for term in terms(evidence):
        for match in re.finditer(re.escape(term), text):
            if not any(a < match.end() and match.start() < b for a, b in spans):
                spans.append((match.start(), match.end()))
    out, last = [], 0
    for start, end in sorted(spans):
        out.append(escape(text[last:start]))
        out.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
        last = end
    out.append(escape(text[last:]))
    return Markup("").join(out)

"""Marking, in a message's text, what its flag's evidence points at."""
from __future__ import annotations

import re

from markupsafe import Markup, escape

_QUOTED = re.compile(r"「([^」]{2,})」")
_BASIS = re.compile(r"主要依据：(.+)$")
# A number or password as the evidence masks it (139*****345, 3609**********3424, X******6).
_MASKED = re.compile(r"([!-)+-~]{1,4})(\*{2,})([!-)+-~]{1,4})")


def terms(evidence: str) -> list[str]:
    """The words and quoted spans an evidence sentence names."""
    found = [q for q in _QUOTED.findall(evidence or "")]
    basis = _BASIS.search(evidence or "")
    if basis:
        found += [t.strip() for t in basis.group(1).split("、") if t.strip()]
    return sorted({t.replace(" ", "") for t in found if len(t.strip()) >= 1}, key=len, reverse=True)


def _patterns(evidence: str) -> list[str]:
    """What to look for in the text: each evidence term, and each masked value as the
    original it masks (its first and last characters, as many between, give or take the
    spaces and dashes a grouped number holds)."""
    masked = [_spaced(m[1]) + f"[!-~ ]{{{len(m[2])},{len(m[2]) + 4}}}?" + _spaced(m[3])
              for m in _MASKED.finditer(evidence or "")]
    return [re.escape(t) for t in terms(_MASKED.sub("", evidence or ""))] + masked


def _spaced(shown: str) -> str:
    """`shown`'s characters, a space or dash allowed between them (3609 0219 … 2034 24)."""
    return "[ -]?".join(map(re.escape, shown))


def highlight(text: str, evidence: str) -> Markup:
    """`text`, HTML-escaped, with every evidence term wrapped in <mark>."""
    spans = []
    for pattern in _patterns(evidence):
        for match in re.finditer(pattern, text, re.IGNORECASE):  # search terms are lower-cased
            if not any(a < match.end() and match.start() < b for a, b in spans):
                spans.append((match.start(), match.end()))
    out, last = [], 0
    for start, end in sorted(spans):
        out.append(escape(text[last:start]))
        out.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
        last = end
    out.append(escape(text[last:]))
    return Markup("").join(out)

"""Days as people type them into the site's date fields."""
from __future__ import annotations

import re
from datetime import date

# Browsers without a date picker (IE mode in 360 or Edge, still common on government
# desktops) send a date field as typed, which is seldom the picker's 2025-03-05.
_DAY = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", re.ASCII)


def read_day(text: str) -> date | None:
    """The day `text` writes as 2025-03-05, 2025-3-5, 2025/3/5, 2025.3.5 or 2025年3月5日
    (spaces around its parts forgiven); None for anything else, or a day no calendar has."""
    found = _DAY.fullmatch(text.strip())
    if not found:
        return None
    try:
        return date(*map(int, found.groups()))
    except ValueError:
        return None

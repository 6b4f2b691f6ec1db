"""The queue's filters as supervisors type them: a day written without a date picker, a
day no calendar has, a range the wrong way round."""
import re
from urllib.parse import quote

import pytest

from tests.review_helpers import cookies_for, prepare


@pytest.fixture
async def ds(qunguan, db_path, fixtures):
    return prepare(qunguan, db_path, fixtures)


async def queue(ds, query_string=""):
    return await ds.client.get(f"/-/qunguan/queue?{query_string}", cookies=cookies_for(ds, "u-supervisor"))


def listed(page) -> list[str]:
    return re.findall(r'aria-label="选择标记 (\d+)"', page.text)


@pytest.mark.parametrize("typed", ["2025-3-3", "2025/3/3", "2025.3.3", "2025年3月3日", " 2025 / 03 / 03 "])
async def test_a_day_typed_without_a_date_picker_filters_as_the_picker_would(ds, typed):
    # IE mode (360, Edge) shows the date field as a text box: the day arrives as typed.
    picked = await queue(ds, "since=2025-03-03&until=2025-03-03")
    page = await queue(ds, f"since={quote(typed)}&until={quote(typed)}")
    assert page.status_code == 200 and listed(page) == listed(picked) != []
    assert 'name="since" value="2025-03-03"' in page.text  # written back as the picker writes it


@pytest.mark.parametrize("typed", ["notadate", "2025-13-45", "2025-02-30", "3月3日", "20250303"])
async def test_a_day_the_queue_cannot_read_is_said_and_not_applied(ds, typed):
    page = await queue(ds, f"status=all&since={quote(typed)}")
    assert page.status_code == 400 and f"“自”的日期无法识别：{typed}" in page.text
    assert listed(page) == listed(await queue(ds, "status=all"))  # not an empty queue that looks like no flags
    assert f'name="since" value="{typed}"' in page.text  # left in the box to correct


async def test_a_range_the_wrong_way_round_is_said(ds):
    page = await queue(ds, "status=all&since=2025-03-09&until=2025-03-03")
    assert page.status_code == 400 and "“自”（2025-03-09）晚于“至”（2025-03-03）" in page.text

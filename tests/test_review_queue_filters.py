"""The queue's filters as supervisors type them (a day written without a date picker, a
day no calendar has, a range the wrong way round) and how many flags they match."""
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


async def test_the_queue_says_how_many_flags_match_as_the_dashboard_counts_them(ds, query):
    dashboard = await ds.client.get("/-/qunguan/dashboard", cookies=cookies_for(ds, "u-supervisor"))
    waiting = re.search(r"待处置 (\d+)", dashboard.text).group(1)
    assert f"共 {waiting} 条" in (await queue(ds)).text  # not thirteen category counts to add up
    red_packets = query("select count(*) n from flags where category = 'red_packet'")[0]["n"]
    assert f"共 {red_packets} 条" in (await queue(ds, "status=all&category=red_packet")).text

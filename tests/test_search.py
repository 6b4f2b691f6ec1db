"""Given an archive, a user searching Datasette for a two-character word or a phrase
finds the messages that contain it."""
import pytest

from review.site import make_datasette
from tests.review_helpers import cookies_for


@pytest.fixture
def archive(qunguan, db_path, fixtures):
    qunguan("ingest", fixtures / "memotrace3-week1.csv", "--db", db_path, "--group", "防火群", "--silent")
    qunguan("ingest", fixtures / "wecom/chatdata.jsonl", "--db", db_path, "--silent")
    qunguan("users", "add", "reader", "--role", "auditor", "--db", db_path, "--password-stdin", input="Reader-Pass-123\n")
    return db_path


async def search(archive, term):
    ds = make_datasette(archive)
    cookies = cookies_for(ds, "reader")
    response = await ds.client.get("/archive/messages.json", params={"_search": term, "_shape": "array"},
                                   cookies=cookies)
    assert response.status_code == 200, response.text
    return {row["text"] for row in response.json()}


@pytest.mark.parametrize("term, expected", [
    ("红包", "谁有抢红包的截图，发群里看看"),  # inside the longer word 抢红包
    ("截图", "谁有抢红包的截图，发群里看看"),
    ("抢红包", "谁有抢红包的截图，发群里看看"),
    ("拍照", "请于今天下班前上传走访照片，每户都要拍照"),
    ("森林防火", "【通知】请各乡镇于3月5日前报送春季森林防火隐患排查台账。@所有人\u2005"),
    ("防火隐患排查", "【通知】请各乡镇于3月5日前报送春季森林防火隐患排查台账。@所有人\u2005"),
])
async def test_two_character_words_and_phrases_are_found(archive, term, expected):
    assert expected in await search(archive, term)


async def test_a_word_that_is_not_there_finds_nothing(archive):
    assert await search(archive, "谣言") == set()


async def test_the_chinese_search_page_finds_words_newest_first_and_needs_a_login(archive):
    ds = make_datasette(archive)
    cookies = cookies_for(ds, "reader")
    page = await ds.client.get("/-/qunguan/search", params={"q": "红包"}, cookies=cookies)
    assert page.status_code == 200 and "谁有抢<mark>红包</mark>的截图" in page.text
    assert "恭喜发财" in page.text  # the red packet itself (its wish text) is found too
    assert (await ds.client.get("/-/qunguan/search", params={"q": "红包"})).status_code == 403


async def test_words_in_quotes_on_the_search_page_are_found_only_as_that_phrase(archive):
    ds = make_datasette(archive)
    cookies = cookies_for(ds, "reader")
    # 防火 and 隐患 both occur in the notice, but "隐患防火" in that order nowhere.
    apart = await ds.client.get("/-/qunguan/search", params={"q": "隐患 防火"}, cookies=cookies)
    phrase = await ds.client.get("/-/qunguan/search", params={"q": "“隐患防火”"}, cookies=cookies)
    assert "森林" in apart.text and "没有找到包含这些词的消息" in phrase.text
    found = await ds.client.get("/-/qunguan/search", params={"q": "\"防火隐患\""}, cookies=cookies)
    assert "<mark>防火隐患</mark>" in found.text


async def test_a_phrase_in_quotes_ignores_case_as_the_rest_of_search_does(archive, qunguan, fixtures, tmp_path):
    path = tmp_path / "ocr.csv"
    path.write_text("消息ID,类型,发送人,时间,内容,备注,昵称,更多信息\n"
                    "9001,文本,李华,2025-03-04 09:00:00,请把材料转成Word格式再发,,,\n", encoding="utf-8-sig")
    qunguan("ingest", path, "--db", archive, "--group", "防火群", "--silent")
    ds = make_datasette(archive)
    page = await ds.client.get("/-/qunguan/search", params={"q": "\"word格式\""}, cookies=cookies_for(ds, "reader"))
    assert "<mark>Word格式</mark>" in page.text


async def test_a_later_page_of_results_leads_back_to_the_first(archive):
    ds = make_datasette(archive)
    cookies = cookies_for(ds, "reader")
    first = await ds.client.get("/-/qunguan/search", params={"q": "红包"}, cookies=cookies)
    assert "« 第一页" not in first.text
    later = await ds.client.get("/-/qunguan/search", params={"q": "红包", "before": "999999"}, cookies=cookies)
    assert 'href="/-/qunguan/search?q=%E7%BA%A2%E5%8C%85">« 第一页' in later.text


async def test_the_search_page_says_it_searches_what_messages_say_not_who_sent_them(archive):
    # A supervisor typing a colleague's name gets the messages naming them, not theirs.
    ds = make_datasette(archive)
    page = await ds.client.get("/-/qunguan/search", params={"q": "刘洋"}, cookies=cookies_for(ds, "reader"))
    assert "检索词只在消息内容中查找，不查发送人和群名" in page.text


def listed(page: str) -> str:
    """The rows of a search page's results."""
    return page.split("<tbody>")[1].split("</tbody>")[0]


async def test_an_auditor_lists_what_one_sender_said_with_or_without_words(archive, qunguan, tmp_path):
    # Who said what: the sender's own messages, by the name they were exported under or their
    # real name once the roster links them; words narrow them down; another sender's are left out.
    roster = tmp_path / "roster.csv"
    roster.write_text("姓名,单位,职务,微信号,企业微信账号,群昵称\n刘洋,黄坑乡,副乡长,,,黄坑乡-刘洋\n", encoding="utf-8")
    qunguan("roster", "import", roster, "--db", archive)
    ds = make_datasette(archive)
    cookies = cookies_for(ds, "reader")
    for name in ("黄坑乡-刘洋", "刘洋"):
        said = await ds.client.get("/-/qunguan/search", params={"sender": name}, cookies=cookies)
        assert said.status_code == 200 and "收到" in listed(said.text)
        assert "县应急局-周敏" not in listed(said.text) and "森林防火" not in listed(said.text)
    notice = await ds.client.get("/-/qunguan/search", params={"q": "森林防火", "sender": "县应急局-周敏"}, cookies=cookies)
    assert "<mark>森林防火</mark>" in notice.text
    other = await ds.client.get("/-/qunguan/search", params={"q": "森林防火", "sender": "黄坑乡-刘洋"}, cookies=cookies)
    assert "森林防火" not in listed(other.text) and "限发送人“黄坑乡-刘洋”" in listed(other.text)
    nobody = await ds.client.get("/-/qunguan/search", params={"sender": "查无此人"}, cookies=cookies)
    assert "没有找到这位发送人的消息" in nobody.text

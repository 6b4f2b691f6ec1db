"""新媒体 posts: platform exports go into `posts` with the chat archive's identity rules,
and the posts classifier and rules flag what 第十条 forbids, into the same review queue."""
import json

import openpyxl
import pytest

from classifiers import model as chat_model
from detectors import privacy, secret
from ingest.schema import open_archive
from newmedia.checks import run_newmedia
from newmedia.classify import POSTS, shop_links
from newmedia.context import flag_context
from newmedia.settings import DEFAULTS

SHOP_POST = ("开学季好物推荐：文具礼包限时5折，点击 https://item.taobao.com/item.htm?id=6612345 立即抢购，"
             "前100名下单再送书包，数量有限先到先得！")
SERVICE_POST = ("【便民】国庆假期政务服务办事指南：10月1日至8日市政务服务中心暂停窗口服务，社保查询、公积金提取等事项"
                "可通过“赣服通”宜春分厅24小时在线办理，急事请拨打12345热线。")


@pytest.fixture
def registry(qunguan, db_path, fixtures):
    qunguan("accounts", "import", fixtures / "newmedia" / "台账-gb18030.csv", "--db", db_path)
    return db_path


def test_posts_are_imported_and_bad_rows_are_named_and_kept(qunguan, registry, query, fixtures):
    result = qunguan("posts", "import", fixtures / "newmedia" / "posts.csv", "--db", registry)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "posts.csv\tposts-csv\tnew 4\talready present 0\trejected 2\n"
    assert "第 6 行：「昨天下午」不是有效的发布时间" in result.stderr and "第 7 行：台账中没有账号「宜春没有这个号」" in result.stderr
    first = query("select a.name as account, p.published_at, p.title, p.url, p.reads, p.likes, p.raw from posts p "
                  "join accounts a on a.id = p.account_id order by p.id limit 1")[0]
    assert first["account"] == "宜春教育" and first["published_at"] == "2025-09-20T10:00:00"
    assert (first["reads"], first["likes"]) == (12000, 86) and first["url"] == "https://mp.weixin.qq.com/s/jy-0920"
    assert json.loads(first["raw"])["在看数"] == "40"  # columns not mapped are kept
    assert [r["line"] for r in query("select line from rejects order by id")] == [6, 7]
    assert query("select format, new, rejected, group_id from imports") == [
        {"format": "posts-csv", "new": 4, "rejected": 2, "group_id": None}]


def test_reimporting_posts_adds_only_what_is_new(qunguan, registry, query, fixtures, tmp_path):
    qunguan("posts", "import", fixtures / "newmedia" / "posts.csv", "--db", registry)
    again = qunguan("posts", "import", fixtures / "newmedia" / "posts.csv", "--db", registry)
    assert "new 0\talready present 4" in again.stdout
    # The same posts exported again as .xlsx from one account's back end (no account column), plus one new post.
    book = openpyxl.Workbook()
    book.active.append(["标题", "发表时间", "正文", "原文链接", "阅读量"])
    book.active.append(["【通知】2025年秋季学期学生资助申请开始", "2025-09-20 10:00", "另一次导出的正文", "https://mp.weixin.qq.com/s/jy-0920", 12000])
    book.active.append(["秋季学期开学安全提醒", "2025-09-28 08:00", "请各校落实开学安全检查。", "https://mp.weixin.qq.com/s/jy-0928", 900])
    path = tmp_path / "宜春教育.xlsx"
    book.save(path)
    result = qunguan("posts", "import", path, "--db", registry, "--account", "宜春教育")
    assert result.stdout == "宜春教育.xlsx\tposts-xlsx\tnew 1\talready present 1\trejected 0\n"
    assert query("select count(*) as n from posts") == [{"n": 5}]


def test_two_identical_posts_without_urls_stay_two_and_a_failed_file_leaves_nothing(qunguan, registry, query, tmp_path):
    path = tmp_path / "weibo.csv"
    path.write_text("账号,发布时间,内容\n宜春教育,2025-09-01 09:00,【转发】开学第一课\n宜春教育,2025-09-01 09:00,【转发】开学第一课\n",
                    encoding="utf-8")
    assert "new 2" in qunguan("posts", "import", path, "--db", registry).stdout
    assert "new 0\talready present 2" in qunguan("posts", "import", path, "--db", registry).stdout
    not_posts = tmp_path / "roster.csv"
    not_posts.write_text("账号,标题\n宜春教育,没有发布时间\n", encoding="utf-8")
    refused = qunguan("posts", "import", not_posts, "--db", registry)
    assert refused.exit_code == 1 and "needs a 发布时间 column" in refused.stderr
    assert refused.stderr.startswith(f"错误：{not_posts}：须有 发布时间 列，以及 标题 或 正文 列")
    assert query("select count(*) as n from imports") == [{"n": 2}]


@pytest.mark.parametrize("text, links", [
    (SHOP_POST, ["https://item.taobao.com/item.htm?id=6612345"]),
    ("618大促，复制这段话打开淘宝领券 ￥Ab12Cd34Ef￥", ["复制这段话打开淘宝", "￥Ab12Cd34Ef￥"]),
    ("详见市政府网站 http://www.yichun.gov.cn/art/2025/9/1/art_1.html", []),
    ("京东方签约落户宜春经开区，访问 xjd.com 了解", []),
])
def test_shop_links_are_recognised_by_host(text, links):
    assert shop_links(text, DEFAULTS["shop_domains"]) == links


@pytest.fixture(scope="module")
def posts_model():
    return chat_model.load(task=POSTS)


def test_the_posts_classifier_flags_a_shop_link_and_not_a_public_service_notice(posts_model):
    (shop_labels, _), (service_labels, _) = posts_model.predict([SHOP_POST, SERVICE_POST])
    assert "advertising" in shop_labels
    assert service_labels == []


@pytest.mark.parametrize("text, expected", [
    ("【停水通知】因管网改造，9月28日8:00至18:00袁州区部分区域停水，请居民提前储水。小编说句心里话：这个月都停三次了，"
     "真是让人受不了，换我也要骂人！", ["personal_opinion"]),
    ("【好物】中秋月饼礼盒限时特价！扫码进入XX食品旗舰店下单，本号粉丝专享8折。", ["advertising"]),
    # Hard negatives: money, prices and vouchers in public service, warm words in news.
    ("市人社局提醒：2025年城乡居民养老保险缴费档次为每年300元至6000元共14档，缴费越多、领取越多，请于12月31日前通过“赣服通”缴纳。", []),
    ("宜春市第三批政府消费券将于5月20日10:00在“云闪付”APP发放，分满200减50、满100减20两档，请以活动页面为准。", []),
    ("【温暖】民警连续奋战6小时帮走失老人回家，家属送来锦旗。平凡的坚守，守护万家灯火。#最美警察#", []),
])
def test_clear_breaches_and_hard_negatives(posts_model, text, expected):
    assert posts_model.predict([text])[0][0] == expected


def test_the_posts_model_card_records_its_task_data_and_honest_test_scores(posts_model):
    card = posts_model.card
    assert card["name"] == "posts" and card["labels"] == ["advertising", "personal_opinion"]
    assert card["articles"] == {"advertising": "新媒体 第十条", "personal_opinion": "新媒体 第十条"}
    assert card["data"]["test"] > 0 and {"macro_f1", "work_flagged"} <= card["test_metrics"].keys()
    assert (chat_model.MODELS_DIR / "posts.skops").stat().st_size < 5_000_000


def test_post_flags_reach_the_review_queue_with_the_post_and_its_account(qunguan, registry, fixtures):
    qunguan("posts", "import", fixtures / "newmedia" / "posts.csv", "--db", registry)
    conn = open_archive(str(registry)).conn
    added, warnings, _ = run_newmedia(conn, today=None)
    assert not [w for w in warnings if "posts model" in w]
    flagged = {(r[0], r[1]) for r in conn.execute("select p.title, f.category from flags f join posts p on p.id = f.post_id")}
    assert ("开学季好物推荐｜文具礼包限时5折", "advertising") in flagged
    assert not [c for t, c in flagged if t == "国庆假期政务服务办事指南"]
    flag_id, post_id, article, account_id, group_id = conn.execute(
        "select id, post_id, article, account_id, group_id from flags where subject = 'post:2' and category = 'advertising'").fetchone()
    assert post_id == 2 and article == "新媒体 第十条" and account_id == 1 and group_id is None
    context = flag_context(conn, flag_id)
    assert context["post"]["title"] == "开学季好物推荐｜文具礼包限时5折"
    assert context["account"]["name"] == "宜春教育" and context["account"]["supervising_body"] == "政府办"
    assert run_newmedia(conn)[0] == 0  # incremental: nothing new, nothing added


@pytest.mark.parametrize("account, message", [
    ("宜春没有这个号", "no account '宜春没有这个号'"),
    ("宜春教育", None),  # resolved: the export is stored under it
])
def test_a_wrong_account_option_refuses_the_file_before_writing_anything(qunguan, registry, query, tmp_path, account,
                                                                         message):
    export = tmp_path / "后台导出.csv"
    export.write_text("标题,发布时间\n开学通知,2025-09-01 09:00\n秋季招生,2025-09-02 09:00\n", encoding="utf-8")
    result = qunguan("posts", "import", export, "--db", registry, "--account", account)
    if message is None:
        assert result.exit_code == 0 and "new 2" in result.stdout
        return
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [f"错误：台账中没有账号 '{account}'；请先导入台账（qunguan accounts import）"
                                          f"（error: {message} in the registry; import the 台账 first (qunguan accounts import)）"]
    assert query("select (select count(*) from imports) as imports, (select count(*) from rejects) as rejects, "
                 "(select count(*) from posts) as posts") == [{"imports": 0, "rejects": 0, "posts": 0}]


def test_an_account_option_naming_two_accounts_asks_for_the_platform(qunguan, db_path, query, tmp_path):
    ledger = tmp_path / "台账.csv"
    ledger.write_text("单位,平台,账号名称,账号ID\n宜春市教育局,微信公众号,宜春教育,gh_1\n宜春市教育局,抖音,宜春教育,dy_1\n",
                      encoding="utf-8")
    qunguan("accounts", "import", ledger, "--db", db_path)
    export = tmp_path / "导出.csv"
    export.write_text("标题,发布时间\n开学通知,2025-09-01 09:00\n", encoding="utf-8")
    result = qunguan("posts", "import", export, "--db", db_path, "--account", "宜春教育")
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    assert "matches several accounts" in result.stderr and "give --platform or #id" in result.stderr
    assert query("select count(*) as n from imports") == [{"n": 0}]
    chosen = qunguan("posts", "import", export, "--db", db_path, "--account", "宜春教育", "--platform", "抖音")
    assert chosen.exit_code == 0 and "new 1" in chosen.stdout
    # A file whose rows say their platform needs no --platform.
    both = tmp_path / "两个平台.csv"
    both.write_text("标题,发布时间,平台\n开学通知,2025-09-01 09:00,微信公众号\n开学视频,2025-09-01 10:00,抖音\n",
                    encoding="utf-8")
    rows = qunguan("posts", "import", both, "--db", db_path, "--account", "宜春教育")
    assert rows.exit_code == 0 and "new 2" in rows.stdout, rows.stderr
    unknown = qunguan("posts", "import", both, "--db", db_path, "--account", "宜春发布")
    assert unknown.exit_code == 1 and "no account '宜春发布'" in unknown.stderr


def test_unknown_counts_and_common_time_formats_keep_the_post(qunguan, registry, query, tmp_path):
    export = tmp_path / "后台导出.csv"
    export.write_text("标题,发布时间,阅读数,点赞\n毫秒,2025-03-08 10:00:00.000,5,1\n无空格,2025年3月9日10:00,5,1\n"
                      "横线,2025-03-10 10:00,-,1\n暂无,2025-03-11 10:00,--,\n时区,2025-03-12T02:00:00Z,5,1\n",
                      encoding="utf-8")
    result = qunguan("posts", "import", export, "--db", registry, "--account", "宜春教育")
    assert result.exit_code == 0 and "new 5\talready present 0\trejected 0" in result.stdout, result.stderr
    beijing = "2025-03-12T10:00:00"  # 02:00 UTC, in the archive's local time whatever the server's zone
    assert query("select title, published_at, reads, likes from posts order by id") == [
        {"title": "毫秒", "published_at": "2025-03-08T10:00:00", "reads": 5, "likes": 1},
        {"title": "无空格", "published_at": "2025-03-09T10:00:00", "reads": 5, "likes": 1},
        {"title": "横线", "published_at": "2025-03-10T10:00:00", "reads": None, "likes": 1},
        {"title": "暂无", "published_at": "2025-03-11T10:00:00", "reads": None, "likes": None},
        {"title": "时区", "published_at": beijing, "reads": 5, "likes": 1},  # the machine's local time
    ]


def _imported(qunguan, registry, tmp_path, text: str):
    """A back end's export of 宜春教育's posts, as `text`, imported."""
    export = tmp_path / "后台导出.csv"
    export.write_text(text, encoding="utf-8")
    return qunguan("posts", "import", export, "--db", registry, "--account", "宜春教育")


def test_odd_counts_and_excel_times_keep_the_post_and_cells_past_the_header_are_kept(qunguan, registry, query,
                                                                                     tmp_path):
    result = _imported(qunguan, registry, tmp_path, "标题,发布时间,阅读数,点赞\n千,2025-03-08 10:00,3.5k,1,多出来的备注\n"
                       "序列,45921.5,5,1\n无穷,2025-03-10 10:00,inf,1\n")
    assert result.exit_code == 0 and "new 3\talready present 0\trejected 0" in result.stdout, result.stderr
    assert "第 4 行：阅读数「inf」不是数字，已留空" in result.stderr
    rows = query("select title, published_at, reads, raw from posts order by id")
    assert [(r["title"], r["published_at"], r["reads"]) for r in rows] == [
        ("千", "2025-03-08T10:00:00", 3500), ("序列", "2025-09-21T12:00:00", 5), ("无穷", "2025-03-10T10:00:00", None)]
    assert "多出来的备注" in rows[0]["raw"]


@pytest.mark.parametrize("text", [
    "第一段，介绍春耕情况\n详见 https://x.cn/a?b=1,c=2, and more\n第三段",
    # Lines as wide as the export's rows, but the first is the post's own words, not the
    # rest of a row after a quote typed by hand.
    "附表：\n1,城关镇,张三,已完成\n2,黄坑乡,李四,未开始",
], ids=["commas", "a table as wide as the export"])
def test_a_post_whose_text_runs_over_lines_with_commas_in_is_one_post(qunguan, registry, query, tmp_path, text):
    # A body of several paragraphs, a link or a count with commas on a later one: the
    # back end quotes it, and its lines are the post's, not rows (as a roster's may be).
    export = tmp_path / "后台导出.csv"
    export.write_text(f'标题,正文,发布时间,阅读数\n春耕,"{text}",2025-03-01 10:00,"1,234"\n下一篇,正文,2025-03-02 10:00,5\n',
                      encoding="utf-8")
    result = qunguan("posts", "import", export, "--db", registry, "--account", "宜春教育")
    assert "new 2\talready present 0\trejected 0" in result.stdout, result.stderr
    assert query("select title, text, reads from posts order by id")[0] == {"title": "春耕", "text": text, "reads": 1234}


@pytest.mark.parametrize("rows, texts", [
    (['春耕,"第一段,2025-03-01 10:00,5', "夏收,正文二,2025-03-02 10:00,6", '秋种,正文三",2025-03-03 10:00,7',
      "冬藏,正文四,2025-03-04 10:00,8"], ['"第一段', "正文二", '正文三"', "正文四"]),
    (['春耕,"第一段,2025-03-01 10:00,5', "夏收,正文二,2025-03-02 10:00,6", '秋种,正文三",2025-03-03 10:00,7'],
     ['"第一段', "正文二", '正文三"']),  # closing on the last row
    (['"春耕,第一段,2025-03-01 10:00,5', "夏收,正文二,2025-03-02 10:00,6", '秋种,正文三",2025-03-03 10:00,7'],
     ["第一段", "正文二", '正文三"']),  # opened in one column, closed in another
], ids=["rows after", "the last row", "two columns"])
def test_two_quotes_typed_by_hand_a_few_rows_apart_cost_no_post(qunguan, registry, query, tmp_path, rows, texts):
    # Edited in Notepad: the second quote closed the cell the first opened, and the posts
    # between them were stored as one post's body, so nothing was said.
    export = tmp_path / "后台导出.csv"
    export.write_text("标题,正文,发布时间,阅读数\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = qunguan("posts", "import", export, "--db", registry, "--account", "宜春教育")
    assert f"new {len(rows)}\talready present 0\trejected 0" in result.stdout, result.stderr
    assert [r["text"] for r in query("select text from posts order by published_at")] == texts
    assert [r["source_line"] for r in query("select source_line from posts order by published_at")] == [
        2, 3, 4, 5][:len(rows)]


@pytest.mark.parametrize("rows, texts", [
    # A back end writing LF, its body last: a table pasted into it as wide as the export.
    (['开学通知,2025-09-01 08:00,"各位家长：\n时间,地点,内容\n9月1日,城关小学,开学典礼"'],
     ["各位家长：\n时间,地点,内容\n9月1日,城关小学,开学典礼"]),
    # A table pasted into it with dates under 发布时间: its own dates, not the back end's times.
    (['开学通知,2025-09-01 08:00,"各位家长：\n开学典礼,2025-09-01,城关小学\n家长会,2025-09-02,城关小学"'],
     ["各位家长：\n开学典礼,2025-09-01,城关小学\n家长会,2025-09-02,城关小学"]),
    (['开学通知,2025-09-01 08:00,"各位家长：\n开学典礼,2025/9/1 10:00,城关小学"'],
     ["各位家长：\n开学典礼,2025/9/1 10:00,城关小学"]),
    # Two quotes typed by hand in that last column: the rows between them are rows.
    (['春耕,2025-03-01 10:00,"第一段', "夏收,2025-03-02 10:00,正文二", '秋种,2025-03-03 10:00,正文三"'],
     ['"第一段', "正文二", '正文三"']),
    # So in an export Excel saved, its times unpadded (9:00, 10:00).
    (['春耕,2025/3/1 9:00,"第一段', "夏收,2025/3/2 10:00,正文二", '秋种,2025/3/13 10:00,正文三"'],
     ['"第一段', "正文二", '正文三"']),
    # So where one post was typed in by hand, or two back ends' rows put together: one
    # writes its seconds, a T, a zone, the other not.
    (['春耕,2025-03-01 10:00,"第一段', "夏收,2025-03-02 10:00:00,正文二", '秋种,2025-03-03T10:00+08:00,正文三"'],
     ['"第一段', "正文二", '正文三"']),
    # A back end quoting every cell: lines with no quotes in a body are none of its rows,
    # though the table pasted there is dated as its rows are.
    (['"开学通知","2025-09-01 08:00","各位家长：\n开学典礼,2025-09-01 10:00,城关小学\n家长会,2025-09-02 10:00,城关小学"',
      '"秋季招生","2025-09-03 08:00","招生简章"'],
     ["各位家长：\n开学典礼,2025-09-01 10:00,城关小学\n家长会,2025-09-02 10:00,城关小学", "招生简章"]),
    # A back end quoting its titles only: two quotes typed by hand in the body join rows.
    (['"春耕",2025-03-01 10:00,"第一段', '"夏收",2025-03-02 10:00,正文二', '"秋种",2025-03-03 10:00,正文三"'],
     ['"第一段', "正文二", '正文三"']),
], ids=["a pasted table", "a pasted table with dates", "a pasted table with times", "typed quotes",
         "typed quotes, Excel's times", "typed quotes, times written two ways", "every cell quoted, a pasted table",
         "titles quoted, typed quotes"])
def test_a_body_in_the_last_column_is_split_only_into_rows_with_their_times(qunguan, registry, query, tmp_path,
                                                                           rows, texts):
    export = tmp_path / "后台导出.csv"
    export.write_text("标题,发布时间,正文\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = qunguan("posts", "import", export, "--db", registry, "--account", "宜春教育")
    assert f"new {len(texts)}\talready present 0\trejected 0" in result.stdout, result.stderr
    assert [r["text"] for r in query("select text from posts order by published_at")] == texts


def test_a_quote_left_open_in_a_body_of_an_export_quoting_every_cell_swallows_no_post(qunguan, registry, query,
                                                                                      tmp_path):
    # The clerk deleted the closing quote of 春耕's body in Notepad: the body ran on into
    # 夏收's row, cells and all, a row wider than any the back end writes. 夏收 is a post
    # of its own; 春耕's row is named, not stored with 夏收 inside it.
    result = _imported(qunguan, registry, tmp_path, '标题,发布时间,正文\n"春耕","2025-03-01 10:00","第一段\n'
                       '"夏收","2025-03-02 10:00","正文二"\n"秋种","2025-03-03 10:00","正文三"\n')
    assert "new 2\talready present 0\trejected 1" in result.stdout, result.stderr
    assert "第 2 行" in result.stderr
    assert [(r["title"], r["text"]) for r in query("select title, text from posts order by published_at")] == [
        ("夏收", "正文二"), ("秋种", "正文三")]


BACK_END_EXPORT = ("标题,正文,发布时间,阅读数\r\n春耕,春耕备耕工作有序推进,2025-03-01 10:00,5\r\n"
                   '防汛,"第一段，汛期将至\n第二段，请做好准备",2025-03-02 10:00,6\r\n秋种,秋种工作部署,2025-03-03 10:00,7\r\n')


@pytest.mark.parametrize("cut_at, encoding, rejected", [
    ("秋种工作部署", "gbk", 1),  # a byte of 秋 left: shown as �
    ("工作部署", "utf-8", 1),  # between two characters of the last row
    ("第二段", "utf-8", 2),  # inside a body of two lines: its first line and the part after it, each said
], ids=["mid-character", "mid-row", "mid-body"])
def test_a_copy_cut_off_stores_no_part_of_a_post_and_the_whole_copy_adds_the_rest(qunguan, registry, query, tmp_path,
                                                                                 cut_at, encoding, rejected):
    # The USB stick was pulled while the export was copied: the file stops inside a post.
    data = BACK_END_EXPORT.encode(encoding)
    cut = tmp_path / "cut" / "后台导出.csv"
    cut.parent.mkdir()
    cut.write_bytes(data[:data.index(cut_at.encode(encoding)) + 1])
    result = qunguan("posts", "import", cut, "--db", registry, "--account", "宜春教育")
    kept = 3 - rejected
    assert f"new {kept}\talready present 0\trejected {rejected}" in result.stdout, result.stderr
    assert "此行未导入" in result.stderr
    whole = tmp_path / "后台导出.csv"
    whole.write_bytes(data)
    assert f"new {3 - kept}\talready present {kept}\trejected 0" in qunguan(
        "posts", "import", whole, "--db", registry, "--account", "宜春教育").stdout
    assert [r["title"] for r in query("select title from posts order by published_at")] == ["春耕", "防汛", "秋种"]


@pytest.mark.parametrize("tail, stored", [("\n  ", 2), ("\n,,,", 2), ("", 1)], ids=["spaces", "empty cells", "no line end"])
def test_a_last_post_short_of_cells_ended_with_its_line_is_whole_whatever_blank_follows(qunguan, registry, query,
                                                                                        tmp_path, tail, stored):
    # 夏收 was typed in without its 阅读数; the clerk ended the row, and a line of nothing
    # after it says nothing of a copy cut off there. With no line end, it may be one.
    export = tmp_path / "后台导出.csv"
    export.write_text("标题,发布时间,正文,阅读数\n春耕,2025-03-01 10:00,正文一,5\n夏收,2025-03-02 10:00,正文二" + tail,
                      encoding="utf-8")
    result = qunguan("posts", "import", export, "--db", registry, "--account", "宜春教育")
    assert f"new {stored}\talready present 0\trejected {2 - stored}" in result.stdout, result.stderr


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_post_quoting_garbled_text_is_kept_as_written(qunguan, registry, query, tmp_path, encoding):
    # The back end's own text holds U+FFFD (an emoji a platform broke): no byte is lost,
    # so the post is whole, unlike a copy cut inside a character.
    text = "原文乱码：\ufffd\ufffd，请见谅"
    export = tmp_path / "后台导出.csv"
    export.write_bytes(f"标题,正文,发布时间,阅读数\r\n转载,{text},2025-03-01 10:00,5\r\n".encode(encoding))
    result = qunguan("posts", "import", export, "--db", registry, "--account", "宜春教育")
    assert "new 1\talready present 0\trejected 0" in result.stdout, result.stderr
    assert query("select text from posts") == [{"text": text}]


@pytest.mark.parametrize("ending", ["", "\r\n"], ids=["no line end", "line end"])
def test_a_last_row_saved_without_a_line_end_or_short_of_an_empty_cell_is_kept(qunguan, registry, query, tmp_path,
                                                                               ending):
    export = tmp_path / "后台导出.csv"
    export.write_text("标题,正文,发布时间,阅读数\r\n春耕,春耕备耕,2025-03-01 10:00,5\r\n秋种,秋种工作部署,2025-03-03 10:00,7"
                      + ending, encoding="utf-8")
    short = tmp_path / "short.csv"
    short.write_text("标题,正文,发布时间,阅读数\r\n夏收,夏收工作部署,2025-03-02 10:00\r\n", encoding="utf-8")
    for path in (export, short):
        result = qunguan("posts", "import", path, "--db", registry, "--account", "宜春教育")
        assert "rejected 0" in result.stdout, result.stderr
    assert [r["title"] for r in query("select title from posts order by published_at")] == ["春耕", "夏收", "秋种"]


def test_a_wechat_article_exported_with_other_share_parameters_is_the_same_post(qunguan, registry, query, tmp_path):
    link = "https://mp.weixin.qq.com/s?__biz=MzA1&mid=100&idx=1&sn=abc"
    for name, tail in (("a.csv", "&chksm=111#rd"), ("b.csv", "&chksm=999&scene=21#wechat_redirect")):
        (tmp_path / name).write_text(f"标题,发布时间,正文,链接\n防汛提醒,2025-09-01 10:00,注意防汛,{link}{tail}\n",
                                     encoding="utf-8")
    assert "new 1" in qunguan("posts", "import", tmp_path / "a.csv", "--db", registry, "--account", "宜春教育").stdout
    assert "new 0\talready present 1" in qunguan("posts", "import", tmp_path / "b.csv", "--db", registry,
                                                 "--account", "宜春教育").stdout
    assert query("select count(*) n from posts") == [{"n": 1}]


def test_a_post_archived_under_its_link_as_exported_is_still_found(qunguan, registry, query, tmp_path):
    # Versions before took the exported link itself for the post's identity.
    import sqlite3

    from ingest.save import message_key

    exported = "https://mp.weixin.qq.com/s?__biz=MzA1&mid=100&idx=1&sn=abc&chksm=111#rd"
    (tmp_path / "a.csv").write_text(f"标题,发布时间,正文,链接\n防汛提醒,2025-09-01 10:00,注意防汛,{exported}\n", encoding="utf-8")
    qunguan("posts", "import", tmp_path / "a.csv", "--db", registry, "--account", "宜春教育")
    with sqlite3.connect(registry) as con:
        con.execute("update posts set key = ? where url = ?",
                    [message_key("p", query("select account_id from posts")[0]["account_id"], exported), exported])
    again = qunguan("posts", "import", tmp_path / "a.csv", "--db", registry, "--account", "宜春教育")
    assert "new 0\talready present 1" in again.stdout
    # And shared again with other parameters.
    (tmp_path / "b.csv").write_text("标题,发布时间,正文,链接\n防汛提醒,2025-09-01 10:00,注意防汛,"
                                    + exported.replace("chksm=111#rd", "chksm=999&scene=21"), encoding="utf-8")
    other = qunguan("posts", "import", tmp_path / "b.csv", "--db", registry, "--account", "宜春教育")
    assert "new 0\talready present 1" in other.stdout
    assert query("select count(*) n from posts") == [{"n": 1}]


def test_a_published_list_with_id_numbers_and_a_secret_document_are_flagged_under_article_ten(qunguan, registry,
                                                                                             query, tmp_path):
    # The commonest real incident: a village's list published with its people's ID numbers.
    export = tmp_path / "湖田镇.csv"
    export.write_text(
        "标题,发布时间,正文\n"
        "低保名单公示,2025-09-01 09:00,公示名单：1. 王建华 362201195812123459 湖田村；2. 刘小明 362201201205061233 下浦村…\n"
        "防汛方案,2025-09-02 09:00,关于印发《湖田镇防汛工作方案》的通知（秘密★1年）\n"
        "干部调整,2025-09-03 09:00,本文为内部资料，请勿外传：关于2027年村干部调整的初步方案\n"
        "防汛提醒,2025-09-04 09:00,请勿在微信群、朋友圈传播秘密级文件，咨询电话：0795-3200001\n", encoding="utf-8")
    qunguan("posts", "import", export, "--db", registry, "--account", "宜春教育")
    assert qunguan("accounts", "check", "--db", registry, "--today", "2025-09-10").exit_code == 0
    flagged = query("select p.title, f.category, f.article, f.evidence, f.account_id from flags f "
                    "join posts p on p.id = f.post_id where f.category in ('privacy', 'secret') order by p.id")
    assert [(f["title"], f["category"], f["article"]) for f in flagged] == [
        ("低保名单公示", "privacy", "新媒体 第十条"), ("防汛方案", "secret", "新媒体 第十条"),
        ("干部调整", "secret", "新媒体 第十条")]
    assert "身份证号 3622**********3459；身份证号 3622**********1233" in flagged[0]["evidence"]
    assert not any("362201195812123459" in f["evidence"] or "群内" in f["evidence"] for f in flagged)
    assert "「秘密★1年」" in flagged[1]["evidence"] and "内部资料" in flagged[2]["evidence"]
    assert {f["account_id"] for f in flagged} == {1}
    # Incremental: the chat messages' watermarks are not the posts' and a second run adds nothing.
    again = qunguan("accounts", "check", "--db", registry, "--today", "2025-09-10")
    assert again.stdout == "flags added 0\n"
    marks = {r["detector"] for r in query("select detector from detector_state")}
    assert {f"rules@posts_privacy.{privacy.VERSION}", f"rules@posts_secret.{secret.VERSION}"} <= marks


def test_what_a_notice_publishes_on_purpose_is_no_leak_but_residents_numbers_and_internal_material_are(
        qunguan, registry, query, tmp_path):
    # A week of an education bureau's posts: advice, a book, a correction, a sign-up
    # contact and a missing person's family contact are meant for the public; the rest leak.
    export = tmp_path / "宜春教育.csv"
    export.write_text(
        "标题,发布时间,正文\n"
        "反诈提醒,2025-09-01 09:00,防范电信诈骗，请广大市民注意保密银行卡密码\n"
        "新书推介,2025-09-02 09:00,《内部资料》一书出版发行\n"
        "更正说明,2025-09-03 09:00,本号此前发布的内部参考信息有误，特此更正\n"
        "秋季招生,2025-09-04 09:00,秋季班即日起报名。报名咨询：王老师 13907951234\n"
        "寻人启事,2025-09-05 09:00,张某某，男，75岁，9月4日在袁州区走失。家属联系电话13907951234\n"
        "走访记录,2025-09-06 09:00,本周走访困难户：王某某 13907951234；李某某 13807954321\n"
        "舆情摘报,2025-09-07 09:00,【内部资料】2025年第3期舆情摘报\n"
        "资助发放,2025-09-08 09:00,资助款已发放至王建华的银行卡6228480012345678911\n", encoding="utf-8")
    qunguan("posts", "import", export, "--db", registry, "--account", "宜春教育")
    assert qunguan("accounts", "check", "--db", registry).exit_code == 0
    flagged = query("select p.title, f.category, f.evidence from flags f join posts p on p.id = f.post_id "
                    "where f.category in ('privacy', 'secret') order by p.id")
    assert [(f["title"], f["category"]) for f in flagged] == [
        ("走访记录", "privacy"), ("舆情摘报", "secret"), ("资助发放", "privacy")]
    assert "手机号 139*****234；手机号 138*****321" in flagged[0]["evidence"]
    assert "疑似内部资料经新媒体公开发布（标注「内部资料」）" in flagged[1]["evidence"]
    assert "银行卡号 6228***********8911" in flagged[2]["evidence"]


def test_a_count_written_in_words_leaves_the_count_empty_not_the_post(qunguan, registry, query, tmp_path):
    export = tmp_path / "后台导出.csv"
    export.write_text("标题,发布时间,正文,阅读数,点赞数\n防汛提醒,2025-06-01 09:00,注意防汛,约5000,十几个\n",
                      encoding="utf-8")
    result = qunguan("posts", "import", export, "--db", registry, "--account", "宜春教育")
    assert "new 1\talready present 0\trejected 0" in result.stdout
    assert "第 2 行：阅读数「约5000」不是数字，已留空" in result.stderr and "点赞数「十几个」不是数字，已留空" in result.stderr
    [post] = query("select title, reads, likes, raw from posts")
    assert (post["title"], post["reads"], post["likes"]) == ("防汛提醒", None, None)
    assert json.loads(post["raw"])["阅读数"] == "约5000"  # the cell as written, for whoever needs it


def test_an_export_made_before_a_rename_finds_the_account_by_its_former_name(qunguan, registry, query, tmp_path):
    renamed = tmp_path / "台账-改名.csv"
    renamed.write_text("单位名称,平台,账号名称,账号ID\n宜春市教育局,微信公众号,宜春教育发布厅,gh_yc_jy01\n", encoding="utf-8")
    assert "updated 1" in qunguan("accounts", "import", renamed, "--db", registry).stdout
    export = tmp_path / "旧导出.csv"
    export.write_text("账号,标题,发布时间\n宜春教育,开学通知,2025-09-01 09:00\n宜春教育发布厅,秋季招生,2025-10-02 09:00\n"
                      "宜春教育局,招聘,2025-10-03 09:00\n", encoding="utf-8")
    result = qunguan("posts", "import", export, "--db", registry)
    assert "new 2\talready present 0\trejected 1" in result.stdout
    assert query("select distinct a.name from posts p join accounts a on a.id = p.account_id") == [{"name": "宜春教育发布厅"}]
    # A name nobody had is refused in Chinese, like every other row reason.
    assert "第 4 行：台账中没有账号「宜春教育局」：请核对账号名称，或先导入台账" in result.stderr
    # The back end's own export has no 账号 column: --account may name it as it was called too.
    own = tmp_path / "后台导出.csv"
    own.write_text("标题,发布时间\n寒假通知,2025-01-10 09:00\n", encoding="utf-8")
    assert "new 1" in qunguan("posts", "import", own, "--db", registry, "--account", "宜春教育").stdout



def test_a_bom_opening_a_paragraph_of_a_post_is_the_posts_own(qunguan, registry, query, tmp_path):
    # Written in a back end's editor, which leaves an invisible mark (U+FEFF) where a
    # paragraph began. A post without a link is known by its text, marks and all, as
    # archives made before know it; a BOM opening a row (files joined into one) is not text.
    text = "寒假将至。\n\ufeff请各位家长加强对孩子的安全教育。"
    path = tmp_path / "posts.csv"
    path.write_bytes("\ufeff账号,发布时间,标题,正文\n".encode() + f'\ufeff宜春教育,2025-01-10 08:00,寒假安全提醒,"{text}"\n'.encode())
    result = qunguan("posts", "import", path, "--db", registry)
    assert "new 1\talready present 0\trejected 0" in result.stdout, result.stderr
    assert query("select text from posts") == [{"text": text}]


def test_posts_are_left_for_the_next_run_when_the_posts_model_and_its_card_are_of_two_trainings(qunguan, registry,
                                                                                                fixtures, tmp_path):
    import shutil

    qunguan("posts", "import", fixtures / "newmedia" / "posts.csv", "--db", registry)
    shutil.copy(chat_model.MODELS_DIR / "posts.skops", tmp_path)
    card = json.loads((chat_model.MODELS_DIR / "posts.card.json").read_text(encoding="utf-8"))
    # A `posts train` stopped after moving its new card into place, before its model.
    (tmp_path / "posts.card.json").write_text(json.dumps({**card, "skops_sha256": "0" * 64}), encoding="utf-8")
    _, warnings, _ = run_newmedia(open_archive(str(registry)).conn, models_dir=tmp_path)
    assert any("posts.card.json are of two trainings" in w and "posts were not scored for" in w for w in warnings)
    # Said to the admins in Chinese first, as `classify` and `accounts check` say warnings.
    assert any(getattr(w, "zh", "").startswith("模型文件与其说明卡（card）不是同一次训练的") for w in warnings)


def test_a_posts_train_while_the_chat_model_is_left_mismatched_still_gets_its_posts_model(tmp_path):
    import shutil

    from newmedia.classify import CORPUS_DIR, chat_on_posts

    # A chat `train` stopped after moving its new card into place, before its model.
    shutil.copy(chat_model.MODELS_DIR / "chat.skops", tmp_path)
    card = json.loads((chat_model.MODELS_DIR / "chat.card.json").read_text(encoding="utf-8"))
    (tmp_path / "chat.card.json").write_text(json.dumps({**card, "skops_sha256": "0" * 64}), encoding="utf-8")
    # The chat model's scores on posts are left out of the posts card, as without a chat
    # model, and `posts train` saves the posts model it spent its minutes on.
    assert chat_on_posts(CORPUS_DIR, models_dir=tmp_path) is None


def test_posts_left_unscored_for_want_of_a_model_are_said_in_chinese_first(qunguan, registry, fixtures, tmp_path):
    import shutil

    qunguan("posts", "import", fixtures / "newmedia" / "posts.csv", "--db", registry)
    for name in ("chat.skops", "chat.card.json"):  # the chat model there, no posts model
        shutil.copy(chat_model.MODELS_DIR / name, tmp_path)
    _, warnings, _ = run_newmedia(open_archive(str(registry)).conn, models_dir=tmp_path)
    [missing] = [w for w in warnings if "model in" in w]
    assert missing.startswith(f"no posts model in {tmp_path}; posts were not scored for") and "qunguan posts train" in missing
    assert missing.zh.startswith(f"{tmp_path} 中没有 posts 模型，帖子没有按") and "请运行 `qunguan posts train`" in missing.zh

"""Datasette's own pages (databases, tables, rows, SQL) in Chinese, like the rest of
the web UI: auditors query the archive there.

Datasette's templates are read through `ChineseLoader`, which replaces their English
phrases with Chinese ones before Jinja compiles them (qunguan's own templates are
written in Chinese). Each phrase is an exact snippet of a Datasette 0.65 template;
a test fails when one no longer matches, i.e. when a new Datasette reworded it.
The column menus, which Datasette's table.js builds in the browser, are translated the
same way: the table page loads `table_js()` (served by the plugin) in place of it. The
description of a table page's rows ("where kind = "text" sorted by id"), which Datasette
builds in Python, is written again in Chinese by `describe`. Error pages show titles
and messages that Datasette raises in Python ("Table not found", "Cannot sort table by
x"): the `zh_error` filter in error.html maps the ones in `ERRORS`, each an exact
snippet of Datasette's source, checked by a test like the template phrases.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

import datasette
import jinja2
from markupsafe import Markup

from review import user_events

PHRASES: list[tuple[str, str]] = [
    # _crumbs.html: Datasette's Python names the first crumb "home"; a database or table
    # called "home" must keep its name, so the crumb is known by where it leads.
    ('<a href="{{ item.href }}">{{ item.label }}</a>',
     '<a href="{{ item.href }}">{% if item.href == urls.instance() %}首页{% else %}{{ item.label }}{% endif %}</a>'),
    # base.html, logout.html, _footer.html
    ("<!DOCTYPE html>\n<html>", '<!DOCTYPE html>\n<html lang="zh-CN">'),
    ('<title id="nav-menu-svg-title">Menu</title>', '<title id="nav-menu-svg-title">菜单</title>'),
    ('<button class="button-as-link">Log out</button>', '<button class="button-as-link">退出登录</button>'),
    ("{% block title %}Log out{% endblock %}", "{% block title %}退出登录{% endblock %}"),
    ("<h1>Log out</h1>", "<h1>退出登录</h1>"),
    ("<p>You are logged in as <strong>", "<p>当前登录：<strong>"),
    ('<input type="submit" value="Log out">', '<input type="submit" value="退出登录">'),
    ("Powered by <a", "技术支持：<a"),
    ("&middot; Queries took {{ query_ms|round(3) }}ms", "&middot; 查询用时 {{ query_ms|round(3) }} 毫秒"),
    ("&middot; Data license:", "&middot; 数据许可："),
    ("Data source: {%", "数据来源：{%"),
    ("About: {%", "关于：{%"),
    # index.html: "546 rows in 9 tables, 686 rows in 5 hidden tables, 1 view"
    ('{{ metadata.title or "Datasette" }}: {% for database in databases %}{{ database.name }}{% if not loop.last %}, ',
     '{{ metadata.title or "Datasette" }}：{% for database in databases %}{{ database.name }}{% if not loop.last %}、'),
    ('title="{{ table.count }} rows"', 'title="{{ table.count }} 行"'),
    (" rows in {% endif %}", " 行，分属 {% endif %}"),
    ("{% if database.tables_count and database.hidden_tables_count %}, {% endif -%}",
     "{% if database.tables_count and database.hidden_tables_count %}；{% endif -%}"),
    ("{% if database.tables_count or database.hidden_tables_count %}, {% endif -%}",
     "{% if database.tables_count or database.hidden_tables_count %}；{% endif -%}"),
    (" table{% if database.tables_count != 1 %}s{% endif %}", " 张表"),
    (" hidden table{% if database.hidden_tables_count != 1 %}s{% endif -%}", " 张隐藏表"),
    (" view{% if database.views_count != 1 %}s{% endif %}", " 个视图"),
    # database.html
    (">Table actions<", ">表操作<"),
    (">Custom SQL query<", ">自定义 SQL 查询<"),
    (">Format SQL<", ">格式化 SQL<"),
    ('value="Run SQL"', 'value="运行 SQL"'),
    ("The following databases are attached to this connection, and can be used for cross-database joins:",
     "以下数据库已附加到此连接，可在查询中跨库联接："),
    (">Queries<", ">预设查询<"),
    (">Tables<", ">数据表<"),
    ("> (hidden)<", ">（隐藏）<"),
    ('{% if table.count is none %}Many rows{% else %}{{ "{:,}".format(table.count) }} row'
     '{% if table.count == 1 %}{% else %}s{% endif %}{% endif %}',
     '{% if table.count is none %}行数很多{% else %}{{ "{:,}".format(table.count) }} 行{% endif %}'),
    (">... and <", ">……另有 <"),
    (" hidden table{% if hidden_count == 1 %}{% else %}s{% endif %}", " 张隐藏表"),
    (">Views<", ">视图<"),
    # table.html, _table.html
    (' row{% if filtered_table_rows_count == 1 %}{% else %}s{% endif %}', ' 行'),
    (">Search:<", ">搜索：<"),
    (">- remove filter -<", ">- 删除筛选 -<"),
    (">- column -<", ">- 列 -<"),
    (">Sort...<", ">排序…<"),
    (">Sort by {{ column.name }}<", ">按 {{ column.name }} 排序<"),
    ("> descending<", "> 降序<"),
    ('value="Apply"', 'value="应用"'),
    (">remove<", ">删除<"),
    (">View and edit SQL<", ">查看并编辑 SQL<"),
    ("This data as {%", "导出为 {%"),
    ('(<a href="#export">advanced</a>)', '（<a href="#export">高级</a>）'),
    ("These facets timed out:", "以下分面统计超时："),
    (">Next page<", ">下一页<"),
    (">Advanced export<", ">高级导出<"),
    ("JSON shape:", "JSON 格式："),
    (">default<", ">默认<"),
    (">array<", ">数组<"),
    (">newline-delimited<", ">逐行<"),
    (">object<", ">对象<"),
    ("CSV options:", "CSV 选项："),
    ("> download file<", "> 下载文件<"),
    ("> expand labels<", "> 展开关联标签<"),
    ("> stream all rows<", "> 导出全部行<"),
    ('value="Export CSV"', 'value="导出 CSV"'),
    (">0 records<", ">0 条记录<"),
    ("Suggested facets: {%", "建议分面：{%"),
    # row.html: links to rows of tables the user may not open are left out (unreadable_tables).
    ("{% if foreign_key_tables %}",
     '{% set foreign_key_tables = foreign_key_tables|rejectattr("other_table", "in", unreadable_tables or ())|list %}'
     "{% if foreign_key_tables %}"),
    (">Links from other tables<", ">其他表中引用此行的记录<"),
    # _table.html: nor, on a table page, to the row a foreign key names (unlinked_columns):
    # the key alone, without the link or the label read from that table.
    ('type-{{ cell.value_type }}">{{ cell.value }}</td>',
     'type-{{ cell.value_type }}">{% if cell.column in unlinked_columns and cell.raw is not none %}{{ cell.raw }}'
     '{% else %}{{ cell.value }}{% endif %}</td>'),
    (' row{% if other.count == 1 %}{% else %}s{% endif %}', ' 行'),
    ("from {{ other.other_column }} in {{ other.other_table }}", "（{{ other.other_table }} 表的 {{ other.other_column }} 列）"),
    # query.html, error.html
    ("This query cannot be executed because the database is immutable.", "数据库为只读，无法执行此查询。"),
    ('<h3>Custom SQL query{% if display_rows %} returning {% if truncated %}more than {% endif %}'
     '{{ "{:,}".format(display_rows|length) }} row{% if display_rows|length == 1 %}{% else %}s{% endif %}{% endif %}',
     '<h3>自定义 SQL 查询{% if display_rows %}，返回 {% if truncated %}超过 {% endif %}'
     '{{ "{:,}".format(display_rows|length) }} 行{% endif %}'),
    (">Query parameters<", ">查询参数<"),
    (">Edit SQL<", ">编辑 SQL<"),
    (">0 results<", ">0 条结果<"),
    ('(<a href="{{ show_hide_link }}">{{ show_hide_text }}</a>)',  # Python gives "hide" or "show"
     '（<a href="{{ show_hide_link }}">{{ "隐藏" if show_hide_text == "hide" else "显示" }}</a>）'),
    ("{% else %}Error {{ status }}{% endif %}", "{% else %}错误 {{ status }}{% endif %}"),
    # Error titles and messages come from Python: translated by a Jinja filter (ERRORS).
    # query.html: a query's own error is SQLite's message.
    ('<p class="message-error">{{ error }}</p>', '<p class="message-error">{{ error|zh_sql_error }}</p>'),
    ("{% if title %}{{ title }}", "{% if title %}{{ title|zh_error }}"),
    ('border: 3px solid red;">{{ error }}</div>', 'border: 3px solid red;">{{ error|zh_error }}</div>'),
    # base.html: messages flashed by Datasette's Python ("You are now logged out"), by a filter (FLASHES).
    ('">{{ message }}</p>', '">{{ message|zh_message }}</p>'),
    # The filter operators' names come from Python: translated by a Jinja filter.
    (">{{ display }}</option>", ">{{ display|zh_operator }}</option>"),
    # table.html, twice (title and heading): the description of the rows shown
    ("{{ human_description_en }}",
     "{{ zh_description(human_description_en, filters, request, sort, sort_desc, supports_search) }}"),
    # table.html: the column menus' script, translated (TABLE_JS_PHRASES)
    ("""<script src="{{ urls.static('table.js') }}" defer></script>""",
     """<script src="{{ urls.path('/-/qunguan/table.js') }}" defer></script>"""),
]

# Snippets of Datasette 0.65's static/table.js: the column menu and the filter rows.
TABLE_JS_PHRASES: list[tuple[str, str]] = [
    ('href="#">Sort ascending</a>', 'href="#">升序排列</a>'),
    ('href="#">Sort descending</a>', 'href="#">降序排列</a>'),
    ('href="#">Facet by this</a>', 'href="#">按此列分面统计</a>'),
    ('href="#">Hide this column</a>', 'href="#">隐藏此列</a>'),
    ('href="#">Show all columns</a>', 'href="#">显示全部列</a>'),
    ('href="#">Show not-blank rows</a>', 'href="#">只看非空的行</a>'),
    ('columnTypeP.innerText = `Type: ${', 'columnTypeP.innerText = `类型：${'),
    ('" NOT NULL" : ""', '"（非空）" : ""'),
    ('a.setAttribute("aria-label", "Remove this filter");', 'a.setAttribute("aria-label", "删除此筛选");'),
]

OPERATORS = {
    "contains": "包含", "ends with": "结尾是", "starts with": "开头是", "like": "匹配（like）",
    "not like": "不匹配（like）", "glob": "匹配（glob）", "in": "属于", "not in": "不属于",
    "array contains": "数组包含", "array does not contain": "数组不包含", "date": "日期为",
    "is null": "为 null", "is not null": "不为 null", "is blank": "为空", "is not blank": "不为空",
}


# Error titles and messages that Datasette builds in Python, each written exactly as in
# its source (a test finds every one there), "{...}" standing for a value filled in when
# raised; in the Chinese, "{}" takes those values in order.
ERRORS: list[tuple[str, str]] = [
    ("Forbidden", "无权访问"),
    ("Invalid SQL", "SQL 有误"),
    ("SQL Interrupted", "SQL 查询已中断"),
    ("You do not have permission to view this database", "没有查看此数据库的权限"),
    ("You do not have permission to view this table", "没有查看此表的权限"),
    ("You do not have permission to view this query", "没有查看此查询的权限"),
    ("Permission denied", "没有权限"),
    ("Database download is forbidden", "不允许下载数据库"),
    ("Database not found", "找不到该数据库"),
    ("Table not found", "找不到该表"),
    ("Record not found", "找不到该行"),
    ("Cannot sort table by {sort}", "无法按 {} 排序"),
    ("Cannot use _sort and _sort_desc at the same time", "_sort 与 _sort_desc 不能同时使用"),
    ("Invalid _through - could not find corresponding foreign key", "_through 参数有误：所指的表没有指向此表的外键"),
    ("_size must be a positive integer", "_size 必须是正整数"),
    ("_size must be <= {self.ds.max_returned_rows}", "_size 不能大于 {}"),
    ("_col={} - invalid columns", "_col 中有不存在的列：{}"),
    ("_nocol={} - invalid columns", "_nocol 中有无效的列：{}"),
    ("_where= is not allowed", "不允许使用 _where="),
    ("_facet= is not allowed", "不允许使用 _facet="),
    ("_next not allowed for CSV streaming", "导出全部行（_stream）时不能同时指定 _next：请去掉 _next 从头导出"),
    ("Cannot search by that column", "不能按该列搜索"),
    ("Statement must be a SELECT", "只能执行 SELECT 语句"),
    ("Statement contained a disallowed PRAGMA. Allowed pragma functions are {}", "语句含有不允许的 PRAGMA。允许的 pragma 函数：{}"),
    # A permission check that fails names its action only (Datasette's ensure_permissions).
    ("view-instance", "没有访问权限"),
    ("view-database", "没有查看此数据库的权限"),
    ("view-table", "没有查看此表的权限"),
    ("view-query", "没有查看此查询的权限"),
    ("execute-sql", "没有执行 SQL 查询的权限"),
    ("view-database-download", "没有下载数据库的权限"),
]

# Messages Datasette's Python flashes to the next page, written as ERRORS are (the
# others, on writable canned queries and a debugging page, never show here).
FLASHES: list[tuple[str, str]] = [
    ("You are now logged out", "您已退出登录"),
]

# The one error message Datasette writes in HTML (a query over sql_time_limit_ms), by
# its phrases as in its source: the query it quotes stays as it is.
INTERRUPTED_PHRASES: list[tuple[str, str]] = [
    ("SQL query took too long. The time limit is controlled by the", "SQL 查询用时过长。时间上限由"),
    ("configuration option.</p>", "设置项决定。</p>"),
]


# SQLite's own messages (and the sqlite3 module's), which Datasette shows as they are: a
# failed query of an auditor, a table page's `_where` or facet, a write that waited in
# vain for another writer. Each is explained in Chinese, the message kept after it, as
# the exact name of the problem to look up (`sql_error`). "{...}" as in ERRORS.
SQLITE_ERRORS: list[tuple[str, str]] = [
    ("no such column: {column}", "没有名为 {} 的列（列名有误，或未写明所属的表）"),
    ("no such table: {table}", "没有名为 {} 的表或视图"),
    ("no such function: {function}", "没有名为 {} 的函数"),
    ("no such module: {module}", "没有名为 {} 的虚拟表模块"),
    ("ambiguous column name: {column}", "列名 {} 不明确：多个表都有此列，请写成“表名.列名”"),
    ('near "{token}": syntax error', "SQL 语法错误：在“{}”附近"),
    ("incomplete input", "SQL 语句不完整：可能缺少右括号、引号或语句的后半部分"),
    ("unrecognized token: {token}", "SQL 中有无法识别的符号：{}"),
    ("You can only execute one statement at a time.", "一次只能执行一条 SQL 语句：请去掉分号后的语句"),
    ("wrong number of arguments to function {function}", "函数 {} 的参数个数不对"),
    ("misuse of aggregate: {function}", "聚合函数 {} 用法有误：不能用在 WHERE 中，请改用 HAVING"),
    ("misuse of aggregate function {function}", "聚合函数 {} 用法有误：不能用在 WHERE 中，请改用 HAVING"),
    ("a GROUP BY clause is required before HAVING", "使用 HAVING 前需要 GROUP BY"),
    ("sub-select returns {n} columns - expected 1", "子查询返回了 {} 列，此处只能返回 1 列"),
    ("SELECTs to the left and right of UNION do not have the same number of result columns",
     "UNION 两侧的 SELECT 列数不同"),
    ("SELECTs to the left and right of UNION ALL do not have the same number of result columns",
     "UNION ALL 两侧的 SELECT 列数不同"),
    ("{nth} ORDER BY term out of range - should be between 1 and {n}", "ORDER BY 的一项（{0}）超出范围：应在 1 到 {1} 之间"),
    ("{nth} ORDER BY term does not match any column in the result set", "ORDER BY 的一项（{}）不是结果中的列"),
    ("no tables specified", "没有指定要查询的表"),
    ("row value misused", "行值（括号中的多个值）用法有误"),
    ("Incorrect number of bindings supplied. The current statement uses {used}, and there are {given} supplied.",
     "查询参数个数不对：语句需要 {} 个，提供了 {} 个"),
    ("You did not supply a value for binding parameter {name}.", "没有为查询参数 {} 提供值"),
    ("malformed JSON", "JSON 格式有误"),
    ("bad JSON path: {path}", "JSON 路径有误：{}"),
    ("JSON path error near {path}", "JSON 路径有误：在 {} 附近（路径以 $ 开头，如 $.name）"),
    ("fts5: syntax error near {token}", "全文检索语法有误：在 {} 附近（含引号、括号等符号的词请用双引号括起）"),
    ("unterminated string", "全文检索语法有误：引号没有成对"),
    ("interrupted", "查询已中断"),
    ("string or blob too big", "内容过长，超出了数据库的上限"),
    ("too many SQL variables", "查询参数过多"),
    ("parser stack overflow", "SQL 嵌套层数过多"),
    ("Expression tree is too large (maximum depth {n})", "SQL 表达式嵌套过深（最多 {} 层）"),
    ("integer overflow", "整数超出范围"),
    ("not authorized", "无权执行此操作"),
    # site.READABLE_PRAGMAS, site.UNREADABLE_TABLES: the server's paths, settings and
    # running statements are not for queries.
    ("access to {column} is prohibited", "无权读取 {}：查询不能读取服务器的文件路径、设置和正在执行的语句"),
    ("attempt to write a readonly database", "数据库为只读，不能写入"),
    ("database is locked", "数据库正忙：其他程序（如导入、违规识别）正在写入，请稍后重试"),
    ("database table is locked", "数据库正忙：其他程序（如导入、违规识别）正在写入，请稍后重试"),
    ("database disk image is malformed", "数据库文件已损坏，请联系管理员"),
    ("file is not a database", "数据库文件已损坏或不是数据库，请联系管理员"),
    ("unable to open database file", "无法打开数据库文件，请联系管理员"),
    ("disk I/O error", "磁盘读写出错，请联系管理员"),
    ("database or disk is full", "磁盘已满，请联系管理员"),
]


def sql_error(message: str) -> str:
    """SQLite's `message` explained in Chinese, the message itself after it; one this
    module does not know gets a general explanation."""
    explained = _matched(message, SQLITE_ERRORS)
    return f"{'数据库执行 SQL 时出错' if explained == message else explained}（SQLite：{message}）"


@functools.cache
def _patterns(table: tuple[tuple[str, str], ...]) -> list[tuple[re.Pattern, str]]:
    return [(re.compile("(.+)".join(re.escape(part) for part in re.split(r"\{[^}]*\}", english))), chinese)
            for english, chinese in table]


def _matched(message: str, table: list[tuple[str, str]]) -> str:
    """`message` in Chinese when it is one of `table`'s English, else as it is."""
    for pattern, chinese in _patterns(tuple(table)):
        if match := pattern.fullmatch(message):
            return chinese.format(*match.groups())
    return message


def error_message(message):
    """An error's title or message in Chinese when Datasette's wording is in ERRORS;
    anything else (SQLite's own messages, qunguan's Chinese ones) as it is."""
    if isinstance(message, Markup):
        return Markup(translate(str(message), INTERRUPTED_PHRASES))
    return _matched(message, ERRORS) if isinstance(message, str) else message


def flash_message(message):
    """A message Datasette flashed, in Chinese when it is in FLASHES; qunguan's own as they are."""
    return _matched(message, FLASHES) if isinstance(message, str) else message


# Each of Datasette's filter lookups as a clause: {c} the column, {v} the value.
CLAUSES = {
    "exact": "{c} 为“{v}”", "not": "{c} 不为“{v}”", "contains": "{c} 包含“{v}”", "endswith": "{c} 结尾是“{v}”",
    "startswith": "{c} 开头是“{v}”", "gt": "{c} > {v}", "gte": "{c} ≥ {v}", "lt": "{c} < {v}", "lte": "{c} ≤ {v}",
    "like": "{c} 匹配（like）“{v}”", "notlike": "{c} 不匹配（like）“{v}”", "glob": "{c} 匹配（glob）“{v}”",
    "in": "{c} 属于 {v}", "notin": "{c} 不属于 {v}", "arraycontains": "{c} 数组包含“{v}”",
    "arraynotcontains": "{c} 数组不包含“{v}”", "date": "{c} 日期为 {v}", "isnull": "{c} 为 null",
    "notnull": "{c} 不为 null", "isblank": "{c} 为空", "notblank": "{c} 不为空",
}


def describe(english: str, filters, request, sort: str | None, sort_desc: str | None, searchable: bool) -> str:
    """Datasette's description of a table page's rows (`english`), in Chinese: the search,
    each filter, the sort order. Rows narrowed by what only another plugin describes
    (`_through`) keep Datasette's English, which says it exactly."""
    if not english or "_through" in request.args:
        return english
    bits = []
    searches = {key: request.args[key] for key in request.args if key.startswith("_search") and key != "_searchmode"}
    if searchable and searches:
        if "_search" in searches:
            bits.append(f"搜索“{searches['_search']}”")
        else:
            bits += [f"在 {key.split('_search_', 1)[1]} 列中搜索“{text}”" for key, text in searches.items()]
    for column, lookup, value in filters.selections():
        template = CLAUSES.get(lookup)
        if template is None:
            continue  # nor does Datasette filter by a lookup it does not know
        if lookup in ("in", "notin"):
            value = "、".join(f"“{v}”" for v in filters._filters_by_key[lookup].split_value(value))
        elif lookup in ("exact", "not") and value.isdigit():  # numbers unquoted, as Datasette does
            template = {"exact": "{c} = {v}", "not": "{c} ≠ {v}"}[lookup]
        bits.append(template.format(c=column, v=value))
    words = [f"其中 {'，'.join(bits)}"] if bits else []
    # The page's `sort` is the primary key when none was asked for; Datasette's English
    # (built before) names only an order the user asked for.
    if (sort or sort_desc) and "sorted by" in english:
        words.append(f"按 {sort or sort_desc} {'降序' if sort_desc else '升序'}排列")
    return "，".join(words)


def translate(source: str, phrases: list[tuple[str, str]] = PHRASES) -> str:
    for english, chinese in phrases:
        source = source.replace(english, chinese)
    return source


def datasette_table_js() -> str:
    return (Path(datasette.__file__).parent / "static" / "table.js").read_text(encoding="utf-8")


@functools.cache
def table_js() -> str:
    """Datasette's table.js with its menus in Chinese."""
    return translate(datasette_table_js(), TABLE_JS_PHRASES)


def install(env: jinja2.Environment) -> None:
    """Make `env` (Datasette's) read its templates in Chinese, with filters for the words
    that Datasette and qunguan build in Python (operators, errors, roles, account events)."""
    env.loader = ChineseLoader(env.loader)
    env.filters["zh_operator"] = lambda name: OPERATORS.get(name, name)
    env.filters["zh_error"] = error_message
    env.filters["zh_sql_error"] = sql_error
    env.filters["zh_message"] = flash_message
    env.filters["zh_role"] = user_events.role_name
    env.filters["zh_user_event"] = user_events.event_name
    env.filters["zh_login_name"] = user_events.login_name
    env.filters["zh_attempt"] = user_events.attempt_name
    env.globals["zh_description"] = describe


class ChineseLoader(jinja2.BaseLoader):
    """Another loader's templates, with `PHRASES` translated."""

    def __init__(self, inner: jinja2.BaseLoader):
        self.inner = inner

    def get_source(self, environment, template):
        source, filename, uptodate = self.inner.get_source(environment, template)
        return translate(source), filename, uptodate

    def list_templates(self):
        return self.inner.list_templates()

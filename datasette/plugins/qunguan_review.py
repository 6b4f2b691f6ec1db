"""qunguan's Datasette plugin: its hooks and routes. The views live in the `review`
package (`views_*`, `guard`, `web`), beside the logic they call, which is tested
without a server."""
from datasette import hookimpl

from review import csv_export, datasette_zh, errors, guard, site, views_refusal
from review.permissions import allowed
from review.views_case import case_view
from review.views_dashboard import dashboard_view
from review.views_datasette import debug_page_view, flag_link, server_page_view, table_js_view, template_vars
from review.views_login import login, logout
from review.views_password import password_view
from review.views_queue import bulk_view, queue_view
from review.views_search import search_view
from review.views_users import users_view
from review.web import PASSWORD_PATH, ROUTES_PREFIX, menu, role_of

views_refusal.install()
csv_export.install()


@hookimpl
def permission_allowed(datasette, actor, action, resource):
    # Every answer is given here, True or False, so no Datasette default lets anyone in.
    return allowed(role_of(datasette, actor), action, resource)


@hookimpl
def prepare_connection(conn):
    site.limit_connection(conn)


@hookimpl
def asgi_wrapper(datasette):
    return guard.wrapper(datasette)


@hookimpl
def forbidden(datasette, request, message):
    return views_refusal.forbidden(datasette, request, message)


@hookimpl
def handle_exception(datasette, request, exception):
    return views_refusal.handle_exception(datasette, request, exception)


@hookimpl
def register_output_renderer(datasette):
    # In place of Datasette's own JSON, whose errors it writes in English.
    return {"extension": "json", "render": errors.render_json}


@hookimpl
def menu_links(datasette, actor):
    return lambda: menu(datasette, actor)


@hookimpl
def prepare_jinja2_environment(env):
    datasette_zh.install(env)


@hookimpl
def extra_template_vars(datasette, request, database, table, view_name):
    return lambda: template_vars(datasette, request, database, table, view_name)


@hookimpl
def render_cell(value, column, table, database, datasette):
    return flag_link(datasette, database, table, column, value)


@hookimpl
def register_routes():
    return [
        (r"^/-/login$", login),
        (r"^/-/logout$", logout),
        (rf"^{PASSWORD_PATH}$", password_view),
        (r"^/-/(?P<page>allow-debug|messages|patterns)$", debug_page_view),
        (r"^/-/(?P<page>metadata|versions|plugins|settings|config|threads|databases|actor)(\.(?P<format>json))?$",
         server_page_view),
        (rf"^{ROUTES_PREFIX}/queue$", queue_view),
        # Any last segment, so a mistyped id is answered here (404) and not by Datasette's
        # fallback, which fails with a 500 when rich is installed.
        (rf"^{ROUTES_PREFIX}/flags/(?P<flag_id>[^/]+)$", case_view),
        (rf"^{ROUTES_PREFIX}/bulk$", bulk_view),
        (rf"^{ROUTES_PREFIX}/dashboard$", dashboard_view),
        (rf"^{ROUTES_PREFIX}/search$", search_view),
        (rf"^{ROUTES_PREFIX}/users$", users_view),
        (rf"^{ROUTES_PREFIX}/table\.js$", table_js_view),
    ]

"""Chinese full-text search for Datasette: `_search` input is segmented with the
project's tokenizer before Datasette's FTS5 query sees it, the same segmentation that
filled `messages.tokens`. Without this, 抢红包 typed as one word would never meet the
tokens 抢红包 / 红包 stored for it."""
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl

from classifiers.tokenizer import query_terms


def segment_search_params(query_string: bytes) -> bytes:
    """Rewrite `_search` and `_search_<column>` values as space-joined query words."""
    pairs = parse_qsl(query_string.decode("utf-8", "replace"), keep_blank_values=True)
    if not any(k == "_search" or k.startswith("_search_") for k, _ in pairs):
        return query_string
    rewritten = [(k, " ".join(query_terms(v)) if (k == "_search" or k.startswith("_search_")) else v)
                 for k, v in pairs]
    return urlencode(rewritten).encode("ascii")


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def segmented(scope, receive, send):
            if scope.get("type") == "http" and scope.get("query_string"):
                scope = dict(scope, query_string=segment_search_params(scope["query_string"]))
            await app(scope, receive, send)

        return segmented

    return wrap

"""Which names the site answers to. A page on another site can have its name resolve to
127.0.0.1 once loaded (DNS rebinding), and then read this server as its own, past every
browser rule: its requests carry its own name as Host, which is no name of this server."""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

# What a browser on this machine calls it, whatever address the server is bound to.
LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")
# Bound to every address: any of this machine's addresses may be typed, and an address
# typed as such is never a rebound name.
WILDCARDS = ("0.0.0.0", "::", "")
ANY_ADDRESS = "*address"
# What a browser that came by another name is told to do (a Host, or a login's Origin,
# that is no name of this site): a name the office gives the server, or a reverse proxy's
# that passes on its own, is allowed when serve starts.
USE_A_SERVED_NAME = "请用启动服务时显示的地址访问（其他名称须在启动时以 --allow-host 允许）"


def allowed_hosts(bound: str, extra: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The host names served when bound to `bound`, with the `extra` ones `serve
    --allow-host` gave (a name or address the users type, such as the server's in the office)."""
    bound = host_of(bound)
    names = [*LOCAL_NAMES, *(host_of(name) for name in extra)]
    names.append(ANY_ADDRESS if bound in WILDCARDS else bound)
    if not _is_loopback(bound):
        # Served to the network: and the machine's own name, which colleagues type in the
        # office: a rebinding page sends its own site's name, never this machine's.
        names += [host_of(name) for name in (socket.gethostname(), socket.getfqdn()) if name]
    return sorted(set(names))


def host_of(header: str) -> str:
    """The name in a Host header, without its port, an IPv6 address's brackets or the
    trailing dot of a name typed whole (`localhost.`, as DNS writes it)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    name, _, port = header.rpartition(":")
    name = name if name and (port.isdigit() or not port) and ":" not in name else header
    return name.removesuffix(".")


_DEFAULT_PORTS = {"http": 80, "https": 443}


def same_origin(origin: str, scheme: str, host: str | None) -> bool:
    """Whether the `origin` a browser sent is the site as the request reached it: the
    `scheme` and `Host` header it came by, host name and port alike (a scheme's default port
    where none is written). Another port of the same machine is another site to a browser."""
    try:
        return host is not None and _origin_parts(origin) == _origin_parts(f"{scheme}://{host}")
    except ValueError:  # a port that is no number
        return False


def _origin_parts(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url.strip().lower())
    return parts.scheme, host_of(parts.hostname or ""), parts.port or _DEFAULT_PORTS.get(parts.scheme)


def is_allowed(header: str | None, allowed: list[str]) -> bool:
    if not header:
        return False  # every browser sends one
    host = host_of(header)
    return host in allowed or (ANY_ADDRESS in allowed and _is_address(host))


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_loopback(bound: str) -> bool:
    """Whether `bound` serves this machine alone (127.0.0.1, ::1, localhost)."""
    try:
        return ipaddress.ip_address(bound).is_loopback
    except ValueError:
        return bound == "localhost"

"""Normalised message kinds from the type codes and names that exporters write."""
from __future__ import annotations

import functools

_APPMSG = {  # WeChat Type 49 SubType -> kind
    3: "link", 4: "link", 5: "link", 6: "file", 19: "merge_forward", 24: "other",
    33: "mini_program", 36: "mini_program", 51: "link", 53: "other", 57: "quote",
    62: "pat", 63: "link", 87: "notice", 2000: "transfer", 2001: "red_packet", 2003: "other",
}
_TYPES = {
    1: "text", 3: "image", 34: "voice", 37: "other", 42: "card", 43: "video", 47: "sticker",
    48: "location", 50: "call", 10000: "system", 10002: "system",
}
# Order matters: the first fragment contained in the exporter's name wins.
_NAMES = (
    ("撤回", "recall"), ("拍一拍", "pat"), ("系统", "system"), ("邀请", "system"),
    ("引用", "quote"), ("合并", "merge_forward"), ("聊天记录", "merge_forward"),
    ("红包", "red_packet"), ("转账", "transfer"), ("图片", "image"), ("通话", "call"),
    ("语音", "voice"), ("视频号", "link"), ("视频", "video"), ("表情", "sticker"),
    ("文件", "file"), ("位置", "location"), ("名片", "card"), ("小程序", "mini_program"),
    ("群公告", "notice"), ("链接", "link"), ("分享", "link"), ("音乐", "link"),
    ("文本", "text"),
)


def kind_from_codes(type_: int, sub: int = 0, text: str = "") -> str:
    """Kind of a PC WeChat message from Type and SubType (3.x columns)."""
    if type_ == 49:
        return _APPMSG.get(sub, "link" if sub == 0 else "other")
    kind = _TYPES.get(type_, "other")
    if kind == "system" and ("撤回" in text or "revokemsg" in text):
        return "recall"
    return kind


def kind_from_composite(code: int, text: str = "") -> str:
    """Kind from WeChat 4.x's `local_type` = (SubType << 32) | Type."""
    return kind_from_codes(code & 0xFFFFFFFF, code >> 32, text)


def kind_from_name(name: str, text: str = "") -> str:
    """Kind from a Chinese type name (MemoTrace 2025, PyWxDump)."""
    kind = _name_kind(name or "")
    return "recall" if kind == "system" and "撤回" in text else kind


@functools.lru_cache(maxsize=256)
def _name_kind(name: str) -> str:
    return next((kind for fragment, kind in _NAMES if fragment in name), "other")

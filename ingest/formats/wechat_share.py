"""WeChat's own phone export: 多选 → 分享 / 邮件. Names only, minute precision, the date
only from the last `—————  YYYY-MM-DD  —————` separator; a share of one day may have none,
and then the day comes from `--date`."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Iterator

from detectors.setting_values import Problem
from ingest.records import UNENDED, Context, Doubt, FormatError, Record, Reject, first_line

# Straight quotes as WeChat writes them; curly ones where a phone's or an editor's
# "smart quotes" turned them, as pasting into a Word or WPS document does.
_GROUP = re.compile(r'^微信群["“](?P<name>.+)["”]的聊天记录如下[:：]?\s*$')
_PRIVATE = re.compile(r"^.+ 和 .+ 在微信上的聊天记录如下，请查收。\s*$")
_DATE = re.compile(r"^[—\-–]{2,}\s*(?P<y>\d{4})\s*[-/年]\s*(?P<m>\d{1,2})\s*[-/月]\s*(?P<d>\d{1,2})\s*日?\s*[—\-–]{2,}\s*$")
_SENDER = re.compile(r"^(?P<name>\S.*?)[ \u3000]{2,}(?P<h>\d{1,2}):(?P<m>\d{2})\s*$")
_IMAGE = re.compile(r"^\[图片: .+\(请在附件中查看\)\]$")


class Text:
    NAME = "wechat-share"
    ONE_CHAT = True  # a share is of one chat

    @staticmethod
    def sniff(head: str, filename: str) -> bool:
        # A share copied from the mail body may start at its first message: its title and
        # date lines were left behind (the day then comes from --date, the group from --group).
        first = first_line(head).strip()
        return bool(_GROUP.match(first) or _PRIVATE.match(first) or _DATE.match(first) or _SENDER.match(first))

    @staticmethod
    def parse(lines: Iterator[str], ctx: Context) -> Iterator[Record | Reject]:
        chat_name, date, current, titled = None, ctx.day, None, False
        listing = False  # the line before was shaped like a sender line but is message text
        line, ended = "", True
        for number, line in enumerate(lines, start=1):
            ended = line.endswith("\n")
            line = line.rstrip("\n").lstrip("\ufeff")
            # The title is the first text, wherever a hand edit has moved or indented it.
            if not titled and (title := line.strip()):
                titled = True
                if m := _GROUP.match(title):
                    chat_name = m["name"]
                    continue
                if _PRIVATE.match(title):
                    continue
                if date is None and _SENDER.match(line):
                    # Copied from the mail body from its first message on, read without
                    # --date: nothing says the day, nor the group; and a note starts so too
                    # ("签到时间  08:30"). One line, not a rejected record per message.
                    raise FormatError(f"a phone share without its title and date line, or a note (first line: "
                                      f"{title[:60]!r}): if it is a share, ingest it alone with --date YYYY-MM-DD "
                                      "--group NAME; if it is a note, nothing is lost",
                                      f"是缺少标题和日期行的手机分享文本，或是一段说明（第一行：{title[:60]!r}）：如果是分享的"
                                      "聊天记录，请单独导入它，加上 --date 年-月-日 --group 群名；如果是说明，不影响导入")
            if m := _DATE.match(line):
                yield from _finish(current)
                current, date = None, f"{int(m['y']):04d}-{int(m['m']):02d}-{int(m['d']):02d}"
                continue
            sender = _SENDER.match(line)
            if sender and _starts_message(sender, current, listing):
                yield from _finish(current)
                current = {"line": number, "name": sender["name"], "time": _clock(sender),
                           "date": date, "chat": chat_name, "content": []}
                listing = False
                continue
            listing = bool(sender)
            if current is not None:
                current["content"].append(line)
            elif line.strip():
                yield Reject(number, Problem("text before any 'name  HH:MM' sender line",
                                             "这段文字前面没有“名字  时:分”的发送人行，不知道是谁发的"), line)
        # A file stopping, with no line end, in a character no encoding reads (half of a
        # UTF-8 character, a GBK lead byte): a copy cut off inside the last message.
        # (Blanks typed after the message's last line, with no line end, leave it whole.)
        unended = not ended and current is not None and current["content"][-1:] == [line] and bool(line.strip())
        cut = unended and line.endswith("\ufffd")
        for item in _finish(current, cut=cut):
            # WeChat ends its text with a line end; without one the copy may have been cut
            # between two characters, or only the line end left out (copied from the mail
            # by hand): the words cannot tell, so the message is kept and the admin told. (A
            # picture's line is whole, or it is no picture's.)
            yield Doubt(item.line, Problem("the file stops in this message with no line end: if the copy was cut off, "
                                           "it is cut; kept as read",
                                           "文件在这条消息中结束、其后没有换行：若复制时被截断，这条消息不完整；"
                                           "已按读到的保存，请与原聊天核对"),
                        record=replace(item, raw={**item.raw, UNENDED: True})) \
                if unended and isinstance(item, Record) and item.kind != "image" else item


def _starts_message(sender: re.Match, current: dict | None, listing: bool) -> bool:
    """Whether a line shaped like 'name  HH:MM' starts a message rather than being text of
    the current one, as in a notice that lists "签到时间  08:30". An export writes messages
    in time order, so a time earlier than the current message's is text, and so is such a
    line right under one: the list goes on ("开会时间  09:00"). The cost: a real sender line
    written straight under such a list, with no blank line between, is read as part of the
    list; its text stays in the archive, under the notice's sender."""
    # A time no clock shows (25:10, a hand-edit) orders nothing: the next sender line
    # starts a message of its own.
    if current is None or current["time"] >= "24":
        return True
    return not listing and _clock(sender) >= current["time"]


def _clock(sender: re.Match) -> str:
    return f"{int(sender['h']):02d}:{sender['m']}:00"


def _finish(current: dict | None, cut: bool = False) -> Iterator[Record | Reject]:
    """The message `current` holds; `cut` where the file stops inside its last character."""
    if current is None:
        return
    text = "\n".join(current["content"]).strip("\n")
    shown = f"{current['name']}  {current['time'][:5]}\n{text}"
    if cut:
        # Stored, it would be a message nobody sent, beside the whole one the next share brings.
        yield Reject(current["line"], Problem(
            "the file ends in the middle of a character of this message: it was cut off (truncated) when copied; its "
            "text as read is kept in rejects; share the messages again for the whole of it",
            "文件停在这条消息的一个字中间：复制时被截断了；读到的文字保存在 rejects 表中；请重新分享这些消息，取得完整内容"),
            shown)
        return
    if current["date"] is None:
        yield Reject(current["line"], Problem(
            "no date line (—————  YYYY-MM-DD  —————) before this message, so its day is unknown; if you know it, "
            "ingest again with --date YYYY-MM-DD",
            "这条消息前面没有日期行（—————  YYYY-MM-DD  —————），不知道是哪天发的；如果知道日期，请加 --date 年-月-日 "
            "重新导入"), shown)
        return
    if not text.strip():
        # The share writes every message's words ([图片] for a picture): nothing under a
        # sender line is a message cut off, or a line edited into a sender line below it.
        yield Reject(current["line"], Problem("a sender line with no message under it (cut off, or the next line was "
                                              "edited)", "发送人行下面没有消息（被截断，或下一行被改动过）"),
                     f"{current['name']}  {current['time'][:5]}")
        return
    kind = "image" if _IMAGE.match(text) else "text"
    yield Record(
        line=current["line"], sent_at=f"{current['date']}T{current['time']}", precision="minute",
        kind=kind, text="" if kind == "image" else text, sender_name=current["name"],
        chat_name=current["chat"], raw={"name": current["name"], "date": current["date"],
                                        "time": current["time"][:5], "content": text},
    )

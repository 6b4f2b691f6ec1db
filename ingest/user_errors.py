"""An error that ends a command with a message for a person: its English text, which the
tests, scripts and the README quote, and the same said in Chinese for the admins, who read
Chinese (`cli_output.fail` prints both, the Chinese first)."""
from __future__ import annotations

import errno
import zipfile
import zlib

from detectors.setting_values import Problem


class Said:
    """An error's message in English (the message, quoted by tests and scripts) and in
    Chinese (`zh`): mixed into the errors that end with a line for the admins. A message
    that is a Problem brings its own Chinese."""

    def __init__(self, message: str, zh: str | None = None):
        super().__init__(message)
        self.zh = zh or getattr(message, "zh", None)


class UserError(Said, ValueError):
    pass


def said(error: Exception) -> str:
    """What `error` says, as a Problem carrying its Chinese where it has one: kept for a
    line printed later (a file refused, a record rejected)."""
    zh = getattr(error, "zh", None)
    return Problem(str(error), zh) if zh else str(error)


_OS_ZH = {errno.ENOENT: "文件不存在", errno.EISDIR: "是文件夹，请写出其中的文件",
          errno.EACCES: "没有读取权限", errno.EPERM: "没有读取权限", errno.EIO: "磁盘或网络盘读写出错",
          errno.ETIMEDOUT: "网络盘读取超时", errno.ENAMETOOLONG: "文件名过长", errno.ENOSPC: "磁盘已满"}


def unreadable_zh(error: BaseException) -> str:
    """Why a file cannot be read, in Chinese: the OS's error or a zip's. The OS's own
    words are English (Permission denied), and the admins read Chinese."""
    if isinstance(error, zipfile.BadZipFile):
        return "压缩包或其中的这个文件已损坏"
    if isinstance(error, zlib.error):
        return "压缩包中这个文件的内容已损坏"
    if isinstance(error, EOFError):
        return "文件在中途断了（可能没有复制完整）"
    if isinstance(error, RuntimeError) and "encrypted" in str(error):
        return "压缩包设了密码，请先解压"
    return _OS_ZH.get(getattr(error, "errno", None)) or f"无法读取（{type(error).__name__}）"

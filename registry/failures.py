"""The one error path: any exception becomes a Chinese message for the user, and a bug
becomes a log entry that holds no personal data.

Refusals (UserError and the forms' validation errors) already carry their message. Anything
else is a bug or an accident of the machine (disk full, file locked): the user is told what
can be told, and the log gets `safe_details` — the exception's type and stack, never its
message, because messages of SQL drivers, KeyErrors and our own refusals can quote names, ID
numbers, phones and bank accounts.
"""

from __future__ import annotations

import errno
import logging
import traceback

from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError, ProgrammingError

from forms.idnumber import IdNumberError
from forms.validation import Invalid
from registry.errors import UserError
from registry.progress import Cancelled

log = logging.getLogger("fupin")

CANCELLED = "已取消,未作任何改动"


def is_refusal(exc: BaseException) -> bool:
    """True for an expected refusal whose message is meant for the user."""
    return isinstance(exc, UserError | Invalid | IdNumberError | Cancelled)


def user_message(exc: BaseException) -> str:
    """What to tell the user, in Chinese, for any exception."""
    if isinstance(exc, Cancelled):
        return CANCELLED
    if is_refusal(exc):
        return str(exc)
    if isinstance(exc, OSError):
        return _os_message(exc)
    if isinstance(exc, OperationalError) and "locked" in str(exc.orig):
        return "数据库正被另一个程序使用,请关闭其他打开此数据库的窗口后再试"
    if isinstance(exc, DatabaseError) and not isinstance(exc, IntegrityError | ProgrammingError):
        return "读写数据库时出错,数据库可能已损坏:请用“fupin verify”检查,或从备份恢复"
    if isinstance(exc, MemoryError):
        return "内存不足,操作未完成。请关闭其他程序后再试,或分批处理"
    return f"程序内部错误({type(exc).__name__}),操作未完成。详情已记入日志,请联系技术支持"


def _os_message(exc: OSError) -> str:
    where = f":{exc.filename}" if exc.filename else ""
    if isinstance(exc, FileNotFoundError):
        return f"找不到文件或文件夹{where}"
    if isinstance(exc, PermissionError):
        return f"没有权限读写{where or '该文件'},文件可能正被其他程序打开,或U盘写保护"
    if exc.errno == errno.ENOSPC:
        return f"磁盘(或U盘)已满,无法写入{where}"
    if isinstance(exc, IsADirectoryError | NotADirectoryError):
        return f"路径不对(文件与文件夹弄混了){where}"
    return f"读写文件出错{where}(错误码 {exc.errno})"


def safe_details(exc: BaseException) -> str:
    """The exception's type and stack (file, line, function), with its causes, and never a
    message, a value or a code line: safe for the log and for 复制详情."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = type(current)
        lines = [f"{kind.__module__}.{kind.__qualname__}"]
        for frame in traceback.extract_tb(current.__traceback__):
            # No code line either: file and line number find it in the released source.
            lines.append(f"  {frame.filename}:{frame.lineno} in {frame.name}")
        parts.append("\n".join(lines))
        current = current.__cause__ or current.__context__
    return "\n caused by ".join(parts)


def report(exc: BaseException, doing: str) -> str:
    """Logs the failure of `doing` (a fixed text naming the work, no data) and returns the
    message for the user. Refusals are one INFO line; anything else an ERROR with its stack."""
    if is_refusal(exc):
        log.info("%s: refused (%s)", doing, type(exc).__name__)
    else:
        log.error("%s: failed\n%s", doing, safe_details(exc))
    return user_message(exc)

"""The one error path: every exception gets a Chinese message; the log never holds data."""

from __future__ import annotations

import errno
import logging
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from forms.validation import FieldError, Invalid
from registry import applog, failures
from registry.errors import StoreError
from registry.progress import Cancelled

PERSONAL = ("王秀英", "513431199001011234", "13812345678", "6228480402564890018")


def _raise_with_personal_data() -> None:
    try:
        {}["王秀英 513431199001011234"]
    except KeyError as e:
        raise IntegrityError("INSERT INTO member (name, id_number, phone) VALUES (?, ?, ?)",
                             PERSONAL[:3], e) from e


@pytest.mark.parametrize(("exc", "expected"), [
    (StoreError("密码至少8位"), "密码至少8位"),
    (Invalid([FieldError("name", "姓名不能为空")]), "姓名不能为空"),
    (Cancelled(), failures.CANCELLED),
    (FileNotFoundError(errno.ENOENT, "x", "/媒体/U盘/a.fpb"), "找不到文件或文件夹:/媒体/U盘/a.fpb"),
    (PermissionError(errno.EACCES, "x", "a.xlsx"), "没有权限读写:a.xlsx"),
    (OSError(errno.ENOSPC, "No space left on device", "b.pdf"), "磁盘(或U盘)已满"),
    (MemoryError(), "内存不足"),
    (ZeroDivisionError("division by zero"), "程序内部错误(ZeroDivisionError)"),
])
def test_every_exception_gets_a_chinese_message(exc: BaseException, expected: str) -> None:
    assert expected in failures.user_message(exc)


def test_details_keep_the_stack_and_drop_every_message() -> None:
    with pytest.raises(IntegrityError) as info:
        _raise_with_personal_data()
    details = failures.safe_details(info.value)
    assert "sqlalchemy.exc.IntegrityError" in details and "builtins.KeyError" in details
    assert "_raise_with_personal_data" in details and "test_failures.py" in details
    for value in PERSONAL:
        assert value not in details


def test_report_writes_one_entry_without_personal_data(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(applog.LOG_DIR_ENV, str(tmp_path / "logs"))
    path = applog.setup()
    assert path == tmp_path / "logs" / applog.LOG_FILE
    try:
        with pytest.raises(IntegrityError) as info:
            _raise_with_personal_data()
        message = failures.report(info.value, "保存农户")
        failures.report(StoreError("身份证号码 513431199001011234 已登记在王秀英户"), "保存农户")
        logging.getLogger("fupin").handlers[0].flush()
        text = path.read_text(encoding="utf-8")
    finally:
        monkeypatch.delenv(applog.LOG_DIR_ENV)
        applog.setup()
    assert "程序内部错误" in message
    assert text.count(" ERROR ") == 1 and text.count(" INFO ") == 1
    assert "IntegrityError" in text and "refused (StoreError)" in text
    for value in PERSONAL:
        assert value not in text


def test_an_unwritable_log_folder_is_no_failure(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(applog.LOG_DIR_ENV, str(blocker / "logs"))
    try:
        assert applog.setup() is None
        failures.report(RuntimeError("x"), "测试")
    finally:
        monkeypatch.delenv(applog.LOG_DIR_ENV)
        applog.setup()


class _Finalizer:
    def __del__(self) -> None:
        raise KeyError("王秀英 513431199001011234")  # raised where nothing can catch it


def test_an_exception_nobody_can_catch_goes_to_the_log(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(applog.LOG_DIR_ENV, str(tmp_path / "logs"))
    previous = sys.unraisablehook
    try:
        path = applog.setup()
        assert path is not None
        _Finalizer()  # dropped at once: __del__ raises
        logging.getLogger("fupin").handlers[0].flush()
        text = path.read_text(encoding="utf-8")
    finally:
        sys.unraisablehook = previous
        monkeypatch.delenv(applog.LOG_DIR_ENV)
        applog.setup()
        sys.unraisablehook = previous
    assert "Traceback" not in capsys.readouterr().err
    assert " WARNING " in text and "builtins.KeyError" in text and "__del__" in text
    for value in PERSONAL[:2]:
        assert value not in text

"""Every `fupin` subcommand, fed missing, empty, wrong-type and random arguments and files:
each ends in a Chinese refusal, never in a traceback and never in "程序内部错误" (which
would mean a bug met the bad input before any check did)."""

from __future__ import annotations

import argparse
import random
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cli.main import build_parser, main
from registry import demo
from registry.store import Store
from sync import enroll, export
from tests.conftest import COUNTY, PASSWORD, TOWNSHIP

SEED = 20141231


@dataclass(frozen=True)
class Command:
    words: tuple[str, ...]
    actions: tuple[argparse.Action, ...]

    @property
    def name(self) -> str:
        return " ".join(self.words)


def _commands() -> list[Command]:
    found: list[Command] = []

    def walk(parser: argparse.ArgumentParser, words: tuple[str, ...]) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            found.append(Command(words, tuple(
                a for a in parser._actions if not isinstance(a, argparse._HelpAction))))
            return
        for name, sub in subs[0].choices.items():
            walk(sub, (*words, name))

    walk(build_parser(), ())
    return found


COMMANDS = _commands()


@dataclass
class Files:
    folder: Path
    station: Path
    county: Path
    bundle: Path
    request: Path
    answer: Path
    bad: dict[str, Path]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Files]:
    folder = tmp_path_factory.mktemp("fuzz")
    station, _ = Store.create(folder / "station.db", kind="station", region_code=TOWNSHIP,
                              user="admin", password=PASSWORD)
    county, _ = Store.create(folder / "county.db", kind="county", region_code=COUNTY,
                             user="admin", password=PASSWORD)
    demo.generate(station, 12, seed=5)
    request, answer = folder / "request.json", folder / "answer.json"
    enroll.write_request(station, request)
    enroll.enroll(county, request, answer)
    enroll.accept(station, answer)
    (folder / "usb").mkdir()
    bundle = export.export_station(station, folder / "usb").path
    station.close()
    county.close()
    rng = random.Random(SEED)
    bad = {
        "missing": folder / "nowhere" / "x.db",
        "empty": folder / "empty.db",
        "junk": folder / "junk.db",
        "folder": folder / "a-folder",
        "text": folder / "text.json",
        "no-keys": folder / "no-keys.db",
        "folder-named-like-a-file": folder / "a-folder.xlsx",
    }
    bad["empty"].write_bytes(b"")
    bad["junk"].write_bytes(bytes(rng.randrange(256) for _ in range(5000)))
    bad["folder"].mkdir()
    bad["folder-named-like-a-file"].mkdir()
    bad["text"].write_text('{"kind": "enroll-request", "station": [1, 2', encoding="utf-8")
    shutil.copy(folder / "station.db", bad["no-keys"])
    yield Files(folder, folder / "station.db", folder / "county.db", bundle, request, answer,
                bad)


def _values(action: argparse.Action, files: Files, rng: random.Random) -> list[str]:
    """Bad values for one argument, and a good one first where there is one."""
    bad_paths = [str(p) for p in files.bad.values()]
    texts = ["", " ", "张三", "x" * 3000, "../../etc/passwd", "%s%n{}", "-1", "０１２"]
    numbers = ["abc", "", "-1", "0", "99999999999999999999", "1e9", "3.5"]
    dest = action.dest
    if action.choices:
        return [str(next(iter(action.choices))), "nonsense", ""]
    if dest == "store":
        return [str(files.station), str(files.county), *bad_paths]
    if dest in ("out", "marked", "dir"):
        return [str(files.folder / f"out-{rng.randrange(10**6)}"), str(files.bad["folder"]),
                str(files.bad["folder-named-like-a-file"]),
                str(files.bad["missing"]), "", str(files.bad["junk"])]
    if dest in ("request", "answer", "file", "files"):
        return [str(files.request), str(files.answer), str(files.bundle), *bad_paths, ""]
    if getattr(action.type, "__name__", "") == "int":
        return ["3", *numbers]
    if getattr(action.type, "__name__", "") == "_day":
        return ["2015-03-01", "2015-13-45", "yesterday", ""]
    if dest in ("village", "township", "county", "station"):
        return [TOWNSHIP + "200", TOWNSHIP, COUNTY, "", "abc", "5134311022009"]
    return [rng.choice(texts) for _ in range(3)]


def _argv(command: Command, files: Files, rng: random.Random, bad: str | None
          ) -> list[str]:
    """One argument vector: every argument its good value, but `bad` (a dest) a bad one,
    or (bad None) each argument a random choice."""
    argv = list(command.words)
    for action in command.actions:
        values = _values(action, files, rng)
        if action.nargs == 0:  # a flag
            if rng.random() < 0.5:
                argv.append(action.option_strings[0])
            continue
        # --households always given: the default demo station is 3,000 households.
        if not action.required and bad != action.dest and action.dest != "households" \
                and rng.random() < 0.5:
            continue
        value = rng.choice(values[1:]) if bad == action.dest or bad is None and \
            rng.random() < 0.5 else values[0]
        if action.option_strings:
            argv += [action.option_strings[0], value]
        else:
            argv.append(value)
    return argv


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_bad_input_is_refused_in_chinese(command: Command, files: Files,
                                         tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("FUPIN_PASSWORD", PASSWORD)
    monkeypatch.setenv("FUPIN_NEW_PASSWORD", "another-pass-2")
    monkeypatch.delenv("FUPIN_USER", raising=False)
    monkeypatch.delenv("FUPIN_RECOVERY_KEY", raising=False)
    monkeypatch.setenv("FUPIN_LOG_DIR", str(tmp_path / "logs"))
    # Commands that change a store work on copies, so each run starts from the same files.
    work = Files(files.folder, tmp_path / "station.db", tmp_path / "county.db", files.bundle,
                 files.request, files.answer, files.bad)
    for src, dst in ((files.station, work.station), (files.county, work.county)):
        shutil.copy(src, dst)
        shutil.copy(f"{src}.keys", f"{dst}.keys")
    if command.words == ("demo-county",):  # 30 stations by default: a small one, in tmp
        monkeypatch.setattr("sync.demo_county.DEMO_STATIONS", 2)
        monkeypatch.setattr("sync.demo_county.DEMO_HOUSEHOLDS", 10)
        monkeypatch.chdir(tmp_path)
    rng = random.Random(f"{SEED}-{command.name}")
    runs: list[list[str]] = [list(command.words)]
    runs += [_argv(command, work, rng, a.dest) for a in command.actions if a.nargs != 0]
    runs += [_argv(command, work, rng, None) for _ in range(4)]
    for argv in runs:
        try:
            code = main(argv)
        except SystemExit as e:  # argparse: usage and a Chinese 参数错误
            code = int(e.code or 0)
        out, err = capsys.readouterr()
        shown = f"fupin {' '.join(a[:60] for a in argv)}\n{err[-500:]}"
        assert "Traceback" not in out + err, shown
        assert "程序内部错误" not in err, shown
        if code != 0:  # said in Chinese: 错误:… on stderr, or a result line such as [已拒绝]
            assert re.search("[\u4e00-\u9fff]", err) or re.search("[\u4e00-\u9fff]", out), shown

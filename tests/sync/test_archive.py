"""县归档: `fupin archive build` writes the registers, summary, workbooks and the stations'
records with a signed manifest; `fupin archive verify` passes on a fresh archive and
names a changed byte, a removed file, an added file and a tampered manifest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cli.main import main
from sync import archive
from sync.demo_county import DEMO_PASSWORD, DEMO_USER
from tests.reports.test_pdf_support import assert_fonts_embedded, needs_poppler, pdf_text

YEAR = "2026"


@pytest.fixture(scope="module")
def built(demo_county_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("archive") / "归档"
    mp = pytest.MonkeyPatch()
    mp.setenv("FUPIN_PASSWORD", DEMO_PASSWORD)
    mp.setenv("FUPIN_USER", DEMO_USER)
    try:
        assert main(["archive", "build", "--store", str(demo_county_dir / "county.db"),
                     "--year", YEAR, "--out", str(out)]) == 0
    finally:
        mp.undo()
    return out


@pytest.fixture
def copy(built: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built, tmp_path / "copy"))


def _verify(folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["archive", "verify", str(folder)])
    return code, capsys.readouterr().out


def test_a_fresh_archive_verifies(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _verify(built, capsys)
    assert code == 0 and "归档完整" in out


def test_it_holds_every_part_listed_with_hash_and_size(built: Path) -> None:
    manifest = json.loads((built / archive.MANIFEST).read_text(encoding="utf-8"))["manifest"]
    paths = {f["path"] for f in manifest["files"]}
    registers = [p for p in paths if p.endswith("农户登记簿.pdf")]
    workbooks = [p for p in paths if p.startswith("农户数据Excel/") and p.endswith(".xlsx")]
    assert len(registers) == 3 and len(workbooks) == 3
    assert any(p.endswith("汇总表.pdf") for p in paths)
    assert len([p for p in paths if p.startswith(archive.STATIONS_DIR)]) == 3
    for f in manifest["files"]:
        digest, size = archive.file_digest(built / f["path"])
        assert (digest, size) == (f["sha256"], f["size"])
    record = json.loads(next(built.glob(f"{archive.STATIONS_DIR}/*.json"))
                        .read_text(encoding="utf-8"))
    assert record["bundles"] and record["receipts"]
    assert record["bundles"][0]["manifest"]["seq"] == 1


def test_it_holds_the_statistics_report_and_workbook(built: Path,
                                                     demo_county_dir: Path) -> None:
    """Issue 14 item 5: the 统计报告 (PDF by township, every table as a workbook by
    village) is in the archive and in its signed manifest, with the county's figures."""
    from openpyxl import load_workbook

    from registry.store import Store
    from reports.statistics.archive import STATISTICS_DIR
    from reports.statistics.tables import REPORT_ORDER, load_tables
    from reports.statistics.workbook import TITLE_ROWS

    manifest = json.loads((built / archive.MANIFEST).read_text(encoding="utf-8"))["manifest"]
    listed = {f["path"] for f in manifest["files"]}
    pdf = next(built.glob(f"{STATISTICS_DIR}/*统计报告(按乡镇).pdf"))
    book = next(built.glob(f"{STATISTICS_DIR}/*统计表(按行政村).xlsx"))
    assert {f"{STATISTICS_DIR}/{pdf.name}", f"{STATISTICS_DIR}/{book.name}"} <= listed
    assert pdf.read_bytes().startswith(b"%PDF")
    with Store.open(demo_county_dir / "county.db", DEMO_USER, DEMO_PASSWORD) as store, \
            store.session() as s:
        tables = load_tables(s, "village", None)
    sheets = load_workbook(book).worksheets
    assert len(sheets) == len(REPORT_ORDER) == len(tables)
    for ws, table in zip(sheets, tables, strict=True):
        rows = [r[:len(table.columns)] for r in ws.iter_rows(min_row=TITLE_ROWS + 1,
                                                            values_only=True)]
        assert [list(r[:5]) for r in rows if any(v is not None for v in r)] == \
            [c[:5] for c in table.cells()], table.by


@needs_poppler
def test_the_statistics_report_reads_right(built: Path) -> None:
    from reports.statistics.archive import STATISTICS_DIR

    pdf = next(built.glob(f"{STATISTICS_DIR}/*.pdf"))
    assert_fonts_embedded(pdf)
    text = pdf_text(pdf)
    assert "扶贫开发建档立卡统计报告(按乡镇)" in text and "表13" in text


@needs_poppler
def test_each_register_is_titled_with_its_township(built: Path) -> None:
    for pdf in sorted(built.glob("登记簿/*农户登记簿.pdf")):
        township = pdf.stem.split("-", 1)[1].removesuffix("农户登记簿")
        assert_fonts_embedded(pdf)
        first = pdf_text(pdf, 1, 1)
        assert f"{township}农户登记簿" in first
    summary = next(built.glob("登记簿/*汇总表.pdf"))
    assert_fonts_embedded(summary)
    assert "全县合计" in pdf_text(summary)


def test_a_changed_byte_is_named(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = next(copy.glob("农户数据Excel/*.xlsx"))
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 1
    target.write_bytes(bytes(data))
    code, out = _verify(copy, capsys)
    assert code == 1
    assert f"已改动:农户数据Excel/{target.name}" in out


def test_a_removed_file_is_named(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = next(copy.glob("登记簿/*农户登记簿.pdf"))
    target.unlink()
    code, out = _verify(copy, capsys)
    assert code == 1 and f"缺少:登记簿/{target.name}" in out


def test_an_added_file_is_named(copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (copy / "登记簿" / "补充说明.txt").write_text("后加的", encoding="utf-8")
    code, out = _verify(copy, capsys)
    assert code == 1 and "多出:登记簿/补充说明.txt" in out


def test_a_tampered_manifest_fails_its_signature(copy: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Someone changes a file and writes its new hash into the manifest: the signature
    no longer holds."""
    target = next(copy.glob("农户数据Excel/*.xlsx"))
    target.write_bytes(target.read_bytes() + b"\0")
    path = copy / archive.MANIFEST
    document = json.loads(path.read_text(encoding="utf-8"))
    for f in document["manifest"]["files"]:
        if f["path"].endswith(target.name):
            f["sha256"], f["size"] = archive.file_digest(target)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    code, out = _verify(copy, capsys)
    assert code == 1 and "清单签名无效" in out and "已改动" not in out


def test_a_manifest_signed_by_another_key_is_refused_with_the_store(
        copy: Path, demo_county_dir: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Re-signed with a key of the forger's own: valid in itself, not the county's."""
    from sync import crypto
    from sync.formats import canonical

    path = copy / archive.MANIFEST
    document = json.loads(path.read_text(encoding="utf-8"))
    private, public = crypto.new_sign_key()
    document["manifest"]["sign_public"] = public
    document["signature"] = crypto.sign(
        private, archive.SIGNATURE_CONTEXT + canonical(document["manifest"])).hex()
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("FUPIN_PASSWORD", DEMO_PASSWORD)
    assert main(["archive", "verify", str(copy), "--store",
                 str(demo_county_dir / "county.db"), "--user", DEMO_USER]) == 1
    assert "不是由本县扶贫办数据库的密钥签发" in capsys.readouterr().out


def test_a_damaged_or_missing_manifest_is_said(copy: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    (copy / archive.MANIFEST).write_text("{", encoding="utf-8")
    assert main(["archive", "verify", str(copy)]) == 1
    assert "已损坏" in capsys.readouterr().err
    (copy / archive.MANIFEST).unlink()
    assert main(["archive", "verify", str(copy)]) == 1
    assert "没有 manifest.json" in capsys.readouterr().err


def test_build_refuses_a_folder_in_use_and_a_station(
        built: Path, demo_county_dir: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUPIN_PASSWORD", DEMO_PASSWORD)
    monkeypatch.setenv("FUPIN_USER", DEMO_USER)
    assert main(["archive", "build", "--store", str(demo_county_dir / "county.db"),
                 "--out", str(built)]) == 1
    assert "不是空的" in capsys.readouterr().err
    station = next(demo_county_dir.glob("station-*.db"))
    assert main(["archive", "build", "--store", str(station),
                 "--out", str(built.parent / "x")]) == 1
    assert "县扶贫办数据库" in capsys.readouterr().err


def test_extra_parts_are_written_and_listed(demo_county_dir: Path, tmp_path: Path) -> None:
    """Another module's part (the 统计报告) goes in like the standard ones."""
    from registry.store import Store

    def report(path: Path) -> None:
        path.write_bytes(b"%PDF-demo")

    with Store.open(demo_county_dir / "county.db", DEMO_USER, DEMO_PASSWORD) as store:
        result = archive.build_archive(store, 2026, tmp_path / "a", parts=[],
                                       extra=[("统计报告/统计报告.pdf", report)])
    assert [f.path for f in result.files] == ["统计报告/统计报告.pdf"]
    assert archive.verify_archive(tmp_path / "a").ok
    with pytest.raises(archive.ArchiveError, match="不合法"):
        archive.safe_part_path("../x.pdf")

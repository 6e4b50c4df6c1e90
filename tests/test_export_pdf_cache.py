"""No audit PDF rendered twice: an export's audit PDFs are made from the evidence alone
(stamped with the chain entry they show the record as of, not with who exported it when),
kept in the data folder's private cache under a key of everything they show, verified by
HMAC before reuse, and copied into the next export of the same decisions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import multiprocessing
import os
import stat
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from detainer_desk.adapters.export.bundle import open_bundle
from detainer_desk.adapters.pdf import parallel, render_checkpoint_pdf
from detainer_desk.adapters.pdf.audit import render_audit_document
from detainer_desk.adapters.pdf.cache import FOLDER, SECRET_FILE, AuditPdfCache
from detainer_desk.domain import lifecycle as lc
from detainer_desk.services.export import Exporter, ExportRequest, ExportResult
from detainer_desk.services.ports import Actor, AttachmentIn, DecisionQuery
from detainer_desk.services.records import activate_policy, amend_decision, record_decision
from detainer_desk.services.settings import read_settings, save_settings

from .helpers import JUDICIAL_WARRANT_POLICY, request_json, seed_accounts
from .test_pdf_documents import CONTEXT, make_record, request_document

NOW = dt.datetime(2026, 2, 12, 17, 0, tzinfo=dt.UTC)
OFFICER = Actor("officer.a", "INTAKE-1")
SUPERVISOR = Actor("sgt.b", "DESK-2")
COUNSEL = Actor("counsel.d", "LAW-1")
ADMIN = Actor("admin", "ADMIN-1")
DECISIONS = parallel.PARALLEL_FROM + 2  # enough for the worker processes to be used


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 260), (235, 235, 225)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def records(runtime):
    """A store with DECISIONS decisions, the first with a scan and two amendments."""
    seed_accounts(runtime.uow(), NOW)
    activate_policy(runtime.uow(), JUDICIAL_WARRANT_POLICY, "policy.toml", ADMIN, NOW)
    for n in range(DECISIONS):
        scans = [AttachmentIn("warrant.png", "image/png", _png())] if n == 0 else []
        request = request_json(
            **{"subject.name": f"PERSON {n}, Test", "subject.booking_number": f"B26-{n}"}
        )
        record_decision(runtime.uow(), request, "r", scans, OFFICER, NOW + dt.timedelta(minutes=n))
    amend_decision(runtime.uow(), 1, lc.COUNTERSIGN, SUPERVISOR, NOW + dt.timedelta(hours=1))
    return runtime


def _cache(runtime) -> AuditPdfCache:
    cache = AuditPdfCache.in_data_folder(runtime.paths.data_dir)
    assert cache is not None
    return cache


def _export(runtime, destination: Path, cache: AuditPdfCache | None, **options) -> ExportResult:
    actor = options.get("actor", COUNSEL)
    now = options.get("now", NOW + dt.timedelta(days=1))
    render = (
        parallel.render_audit_pdfs if cache is None else cache.renderer(parallel.render_audit_pdfs)
    )
    result = None
    exporter = Exporter(
        runtime.uow,
        runtime.ledger,
        runtime.signer,
        open_bundle,
        render,
        render_checkpoint_pdf,
        lambda: now,
    )
    request = ExportRequest(
        DecisionQuery(), "Smith & Jones LLP (case 26-cv-101)", str(destination), actor
    )
    for step in exporter.export(request):
        if isinstance(step, ExportResult):
            result = step
    assert result is not None
    return result


def _audit_pdfs(bundle: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((bundle / "PDF").glob("*.pdf"))}


def _pdf_of(bundle: Path, decision_id: int) -> str:
    """The file name of a decision's audit PDF in the bundle (decisions.jsonl says)."""
    for line in (bundle / "decisions.jsonl").read_text().splitlines():
        entry = json.loads(line)
        if entry["decision_id"] == decision_id:
            return str(entry["audit_pdf"]).removeprefix("PDF/")
    raise AssertionError(f"decision {decision_id} is not in {bundle}")


def _opt_pages(bundle: Path) -> dict[str, int]:
    lines = (bundle / "LOADFILES" / "export.opt").read_text().splitlines()
    return {line.split(",")[0]: int(line.split(",")[6]) for line in lines if ",PDF\\" in line}


def test_a_second_export_copies_every_audit_pdf_the_first_made(records, tmp_path: Path) -> None:
    first_cache = _cache(records)
    _export(records, tmp_path / "first", first_cache)
    assert (first_cache.made, first_cache.reused) == (DECISIONS, 0)

    second_cache = _cache(records)  # another export, another day, another person
    other_counsel = Actor("counsel.d", "LAW-7")
    _export(
        records,
        tmp_path / "second",
        second_cache,
        actor=other_counsel,
        now=NOW + dt.timedelta(days=30),
    )

    assert (second_cache.made, second_cache.reused) == (0, DECISIONS)
    first, second = _audit_pdfs(tmp_path / "first"), _audit_pdfs(tmp_path / "second")
    assert len(first) == DECISIONS and first == second
    # The page counts kept with the PDFs are the PDFs' own.
    pages = {
        name.removesuffix(".pdf"): len(PdfReader(io.BytesIO(data)).pages)
        for name, data in second.items()
    }
    assert _opt_pages(tmp_path / "second") == pages == _opt_pages(tmp_path / "first")
    # The manifest lists each copied PDF's own SHA-256 (computed as the cache read it).
    listed = {
        path: digest
        for digest, path in (
            line.split("  ", 1)
            for line in (tmp_path / "second" / "manifest.sha256").read_text().splitlines()
        )
    }
    for name, data in second.items():
        assert listed[f"PDF/{name}"] == hashlib.sha256(data).hexdigest()
    # The export's own files still say who made it, and when.
    readme = (tmp_path / "second" / "README.txt").read_text()
    assert f"by {other_counsel.user} for Smith & Jones LLP" in readme
    assert "Made Sat 14 Mar 2026, 10:00 PDT" in readme  # NOW + 30 days, the county's clock


def test_an_exported_audit_pdf_shows_the_record_as_of_its_newest_entry(
    records, tmp_path: Path
) -> None:
    _export(records, tmp_path / "bundle", None)
    first = _audit_pdfs(tmp_path / "bundle")[_pdf_of(tmp_path / "bundle", 1)]  # countersigned
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(first)).pages)
    with records.engine.connect() as conn:
        countersigned = conn.exec_driver_sql("SELECT max(seq) FROM amendments").scalar()
    assert f"Record as of chain entry {countersigned}, recorded" in text
    assert "Generated" not in text and COUNSEL.user not in text
    assert PdfReader(io.BytesIO(first)).metadata.author == "Detainer Desk"


def test_the_same_record_gives_the_same_pdf_in_any_export_without_a_cache(
    records, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DETAINER_DESK_PDF_CACHE_MB", "0")
    assert AuditPdfCache.in_data_folder(records.paths.data_dir) is None
    _export(records, tmp_path / "one", None)
    _export(records, tmp_path / "two", None, now=NOW + dt.timedelta(days=9))
    assert _audit_pdfs(tmp_path / "one") == _audit_pdfs(tmp_path / "two")
    assert not (records.paths.data_dir / FOLDER).exists()


def test_an_amendment_makes_that_decisions_pdf_again_and_only_that(records, tmp_path: Path) -> None:
    _export(records, tmp_path / "before", _cache(records))
    amend_decision(
        records.uow(), 5, lc.RELEASE_ELIGIBLE, SUPERVISOR, NOW + dt.timedelta(hours=5),
        effective_at=NOW + dt.timedelta(hours=2),
    )  # fmt: skip
    cache = _cache(records)
    _export(records, tmp_path / "after", cache)

    assert (cache.made, cache.reused) == (1, DECISIONS - 1)
    before, after = _audit_pdfs(tmp_path / "before"), _audit_pdfs(tmp_path / "after")
    changed = [name for name in before if before[name] != after[name]]
    assert changed == [_pdf_of(tmp_path / "after", 5)]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(after[changed[0]])).pages)
    assert "Release eligible" in text or "release eligible" in text


def test_a_new_county_name_makes_every_pdf_again(records, tmp_path: Path) -> None:
    _export(records, tmp_path / "before", _cache(records))
    settings = read_settings(records.uow())
    renamed = dataclasses.replace(settings, county_name="Multnomah County")
    save_settings(records.uow(), ADMIN, renamed, NOW + dt.timedelta(hours=3))
    cache = _cache(records)
    _export(records, tmp_path / "after", cache)
    assert (cache.made, cache.reused) == (DECISIONS, 0)
    text = (
        PdfReader(io.BytesIO(_audit_pdfs(tmp_path / "after")[_pdf_of(tmp_path / "after", 2)]))
        .pages[0]
        .extract_text()
    )
    assert "Multnomah County" in text


def _kept_files(runtime) -> list[Path]:
    return sorted((runtime.paths.data_dir / FOLDER).rglob("*.pdf"))


@pytest.mark.parametrize("harm", ["one byte changed", "cut short", "another key's file", "foreign"])
def test_a_kept_pdf_that_fails_verification_is_made_again(
    records, tmp_path: Path, harm: str
) -> None:
    _export(records, tmp_path / "first", _cache(records))
    kept = _kept_files(records)
    assert len(kept) == DECISIONS
    victim = kept[3]
    if harm == "one byte changed":
        data = bytearray(victim.read_bytes())
        data[-200] ^= 0x01
        victim.write_bytes(bytes(data))
    elif harm == "cut short":
        victim.write_bytes(victim.read_bytes()[:-500])
    elif harm == "another key's file":
        victim.write_bytes(kept[4].read_bytes())
    else:  # the cache of another installation (another secret): nothing is trusted
        (records.paths.data_dir / SECRET_FILE).write_bytes(os.urandom(32))
    cache = _cache(records)
    _export(records, tmp_path / "second", cache)

    expected_made = DECISIONS if harm == "foreign" else 1
    assert (cache.made, cache.reused) == (expected_made, DECISIONS - expected_made)
    assert _audit_pdfs(tmp_path / "second") == _audit_pdfs(tmp_path / "first")  # right bytes
    again = _cache(records)
    _export(records, tmp_path / "third", again)  # the bad file was replaced by a good one
    assert (again.made, again.reused) == (0, DECISIONS)


def test_the_cache_is_private(records, tmp_path: Path) -> None:
    _export(records, tmp_path / "bundle", _cache(records))
    data_dir = records.paths.data_dir
    folders = [
        data_dir / FOLDER.parent,
        data_dir / FOLDER,
        *(p.parent for p in _kept_files(records)),
    ]
    assert {stat.S_IMODE(folder.stat().st_mode) for folder in folders} == {0o700}
    files = [data_dir / SECRET_FILE, *_kept_files(records)]
    assert {stat.S_IMODE(file.stat().st_mode) for file in files} == {0o600}
    assert len((data_dir / SECRET_FILE).read_bytes()) == 32
    leftovers = [p for p in (data_dir / FOLDER).rglob("*") if p.name.endswith(".partial")]
    assert leftovers == []


def test_the_cache_keeps_to_its_size_dropping_the_least_recently_used(
    records, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _export(records, tmp_path / "first", _cache(records))
    sizes = sorted(p.stat().st_size for p in _kept_files(records))
    budget = sum(sizes[:6])  # room for about six of them
    cache = _cache(records)
    cache.max_bytes = budget
    cache.prune()
    kept = _kept_files(records)
    assert 0 < len(kept) < DECISIONS
    assert sum(p.stat().st_size for p in kept) <= budget * 9 // 10


# -- the renderer with a cache -------------------------------------------------------------


def _jobs(count: int):
    return [
        (make_record(request=request_document(name=f"PERSON {n}, Number"), scans=[]), CONTEXT)
        for n in range(count)
    ]


def test_found_and_made_pdfs_come_back_in_the_order_asked(tmp_path: Path) -> None:
    jobs = _jobs(parallel.PARALLEL_FROM * 2 + 3)
    cache = AuditPdfCache(tmp_path / "cache", b"k" * 32, 1 << 30)
    for number, job in enumerate(jobs):
        if number % 3 == 0:  # every third one made before
            cache.put(cache.key(*job), render_audit_document(*job))
    cache.made = 0
    here = [render_audit_document(*job).data for job in jobs]

    got = [
        document.data for document in parallel.render_audit_pdfs(iter(jobs), workers=2, cache=cache)
    ]

    assert got == here
    assert (cache.reused, cache.made) == (9, len(jobs) - 9)


def test_when_every_pdf_is_found_no_worker_is_started(tmp_path: Path) -> None:
    jobs = _jobs(parallel.PARALLEL_FROM + 2)
    cache = AuditPdfCache(tmp_path / "cache", b"k" * 32, 1 << 30)
    for job in jobs:
        cache.put(cache.key(*job), render_audit_document(*job))
    cache.made = 0
    rendering = parallel.render_audit_pdfs(iter(jobs), workers=2, cache=cache)
    next(rendering)
    assert multiprocessing.active_children() == []
    rest = list(rendering)
    assert len(rest) == len(jobs) - 1 and cache.made == 0


def test_the_export_reads_decisions_many_at_a_time_in_the_order_asked(records) -> None:
    with records.uow() as uow:
        rows = uow.records.decisions([3, 99, 1, 2])
        contents = uow.records.attachment_contents([rows[1].attachments[0].id, 999])
    assert [row.summary.decision_id for row in rows] == [3, 1, 2]
    assert [row.summary.subject_name for row in rows] == [
        "PERSON 2, Test",
        "PERSON 0, Test",
        "PERSON 1, Test",
    ]
    assert [(len(row.attachments), len(row.amendments)) for row in rows] == [(0, 0), (1, 1), (0, 0)]
    assert [a.kind for a in rows[1].amendments] == [lc.COUNTERSIGN]
    assert contents == {rows[1].attachments[0].id: _png()}
    assert len({row.entry_hash for row in rows}) == 3


def test_a_zip_bundle_stores_pdfs_and_pictures_as_they_are(records, tmp_path: Path) -> None:
    import zipfile

    _export(records, tmp_path / "bundle.zip", None)
    with zipfile.ZipFile(tmp_path / "bundle.zip") as bundle:
        assert bundle.testzip() is None
        packing = {info.filename: info.compress_type for info in bundle.infolist()}
        listed = {
            path: digest
            for digest, path in (
                line.split("  ", 1) for line in bundle.read("manifest.sha256").decode().splitlines()
            )
        }
        for name, digest in listed.items():
            assert hashlib.sha256(bundle.read(name)).hexdigest() == digest
    assert {name: kind for name, kind in packing.items() if name.endswith((".pdf", ".png"))}
    assert all(
        kind == (zipfile.ZIP_STORED if name.endswith((".pdf", ".png")) else zipfile.ZIP_DEFLATED)
        for name, kind in packing.items()
    )
    assert packing["decisions.csv"] == zipfile.ZIP_DEFLATED


def test_a_cache_that_cannot_be_used_never_stops_an_export(records, tmp_path: Path) -> None:
    data_dir = records.paths.data_dir
    (data_dir / FOLDER.parent).write_text("a file where the cache folder should be\n")
    assert AuditPdfCache.in_data_folder(data_dir) is None  # then every PDF is made
    first = _export(records, tmp_path / "without", None)
    (data_dir / FOLDER.parent).unlink()

    cache = _cache(records)
    for shard in "0123456789abcdef":  # every place a PDF would be kept is taken by a file
        for second in "0123456789abcdef":
            (cache.folder / f"{shard}{second}").write_text("not a folder\n")
    result = _export(records, tmp_path / "with", cache)
    assert result.decisions == first.decisions == DECISIONS
    assert (cache.made, cache.reused) == (DECISIONS, 0)
    assert _kept_files(records) == []
    assert _audit_pdfs(tmp_path / "with") == _audit_pdfs(tmp_path / "without")

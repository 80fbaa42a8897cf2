"""``python -m bench.answers``: a live broker's answers over a seeded database are recorded
identically twice, without writing to it, and a changed answer is caught (tiny scale)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from bench.answers import AGO, BASE, MigrationNeeded, main, normalise, record
from bench.seed import seed
from pact_pipeline.broker import migrate
from pact_pipeline.broker.db import make_engine

TINY = 0.02
#: Few subjects per kind: the test asks a few hundred requests, not thousands.
LIMIT = 2


def _sha256(file: Path) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()


def _lines(file: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    file = tmp_path_factory.mktemp("answers") / "tiny.sqlite"
    seed(f"sqlite:///{file}", TINY)
    return file


@pytest.fixture(scope="module")
def recordings(database: Path) -> tuple[Path, Path]:
    """Two recordings over one tiny seeded database, which they must leave as it was: the
    first with the broker over the database itself, the second over a copy."""
    url = f"sqlite:///{database}"
    before = _sha256(database)
    first, second = database.with_name("first.jsonl"), database.with_name("second.jsonl")
    done = record(url, first, limit=LIMIT, jobs=4, in_place=True)
    assert _sha256(database) == before, "the broker wrote to the database"
    record(url, second, limit=LIMIT, jobs=1)
    assert _sha256(database) == before, "recording over a copy wrote to the database"
    assert done.requests == len(_lines(first))
    assert done.note is None
    return first, second


def test_recording_twice_gives_identical_answers(
    recordings: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = recordings
    assert main(["compare", str(first), str(second)]) == 0
    assert " 0 differ" in capsys.readouterr().out
    lines = _lines(first)
    assert len(lines) > 200
    kinds = {line["kind"] for line in lines}
    assert {"for-verification", "can-i-deploy", "matrix", "pact", "html", "version"} <= kinds
    assert all(isinstance(s, int) and s < 500 for s in (line["status"] for line in lines))
    posts = [line for line in lines if line["method"] == "POST"]
    assert posts
    assert all(str(line["path"]).endswith("/for-verification") for line in posts)
    text = first.read_text(encoding="utf-8")
    assert "127.0.0.1:" not in text
    assert BASE in text


def test_compare_names_the_request_whose_answer_changed(
    recordings: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, _ = recordings
    lines = _lines(first)
    changed = next(i for i, line in enumerate(lines) if line["kind"] == "can-i-deploy")
    answer = json.loads(str(lines[changed]["response"]))
    answer["summary"]["deployable"] = not answer["summary"]["deployable"]
    lines[changed]["response"] = json.dumps(answer, separators=(",", ":"))
    dropped = lines.pop()
    altered = tmp_path / "altered.jsonl"
    altered.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")

    assert main(["compare", str(first), str(altered)]) == 1

    out = capsys.readouterr().out
    assert f"DIFFERS [can-i-deploy] GET {lines[changed]['path']}" in out
    assert '"deployable":' in out
    assert f"ONLY IN {first}: [{dropped['kind']}] {dropped['method']} {dropped['path']}" in out
    assert "1 differ; 1 only in" in out


def test_record_refuses_to_let_the_broker_migrate_a_database_in_place(
    database: Path, tmp_path: Path
) -> None:
    older = tmp_path / "older.sqlite"
    shutil.copyfile(database, older)
    engine = make_engine(f"sqlite:///{older}")
    try:
        migrate.downgrade(engine, "-1")
    finally:
        engine.dispose()
    before = _sha256(older)
    with pytest.raises(MigrationNeeded, match="would migrate"):
        record(f"sqlite:///{older}", tmp_path / "answers.jsonl", in_place=True)
    assert _sha256(older) == before


def test_normalise_replaces_the_base_url_and_relative_times_only() -> None:
    base = "http://127.0.0.1:4321"
    html = f'<a href="{base}/x">x</a> <td title="2026-12-04 18:20 UTC">3 days ago</td> just now'
    assert normalise(html, base, "text/html; charset=utf-8") == (
        f'<a href="{BASE}/x">x</a> <td title="2026-12-04 18:20 UTC">{AGO}</td> {AGO}'
    )
    hal = '{"text":"3 days ago","href":"http://127.0.0.1:4321/"}'
    assert normalise(hal, base, "application/hal+json") == '{"text":"3 days ago","href":"{base}/"}'

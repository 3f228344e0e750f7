"""Broken seeds, beyond tests/test_validation.py: every problem is named by file and entry, and
no entry point (the loader, ``ballerina-kg``, uvicorn) ever serves a graph built from them.

test_validation.py covers one case of each kind of break (a changed quote, a dangling relation
target, a duplicate id within a file, an unknown kind, role, type and field, a bad indent, a
comment-only file, Latin-1 bytes); the cases here are the other shapes the same breaks take.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from graph.build import load_graph
from graph.load import load_knowledge_base
from graph.problems import AnnotationError
from server.settings import Settings
from tests.conftest import ROOT, SEEDS
from tests.live_server import ServerDidNotStart, free_port, live_server

CLI = Path(sys.executable).with_name("ballerina-kg")


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy)
    return copy


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found in {path.name}: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@functools.cache
def loading_seconds() -> float:
    """How long loading and building the committed seeds takes here, now."""
    started = time.perf_counter()
    load_graph(SEEDS)
    return time.perf_counter() - started


def problems_of(seeds: Path) -> list[str]:
    started = time.perf_counter()
    with pytest.raises(AnnotationError) as info:
        load_graph(seeds)
    # Refusing is as cheap as loading: nothing in a broken file makes the loader work harder.
    assert time.perf_counter() - started < 3 * loading_seconds()
    problems = [str(p) for p in info.value.problems]
    # Every problem says where it is: a seed file (and an entry), never a bare message.
    assert all(p.startswith(("annotations", "documents.yaml")) for p in problems), problems
    return problems


def break_seeds(seeds: Path) -> Path:
    """A seed folder with one duplicate id: the smallest break, for the entry-point tests."""
    edit(seeds / "annotations" / "places.yaml", "- id: gapyeong", "- id: hotel")
    return seeds


# --- bad quotes ---------------------------------------------------------------------------------


def test_bad_quotes_in_participants_and_dispute_claims_are_named(seeds):
    notes = seeds / "annotations"
    edit(
        notes / "events.yaml",
        'qa-review: "she recognized Ok-ju as they had studied at Yahwa School together"',
        'qa-review: "she recognized Ok-ju as they had studied at Yahwa Academy together"',
    )
    edit(
        notes / "disputes.yaml",
        'qa-review: "Ok-ju put a gravely injured Choi in her truck"',
        'qa-review: "Ok-ju put a gravely injured Choi in her van"',
    )
    problems = problems_of(seeds)
    assert any(
        p.startswith(
            "annotations/events.yaml: school-days participant 3: quote not found in qa-review"
        )
        and "Yahwa Academy" in p
        for p in problems
    ), problems
    assert any(
        p.startswith(
            "annotations/disputes.yaml: vehicle-to-beach/truck: quote not found in qa-review"
        )
        and "her van" in p
        for p in problems
    ), problems


def test_a_quote_cited_from_the_wrong_document_is_not_found_there(seeds):
    # The sentence is real, but it is the capsule review's, not the plot recap's.
    edit(
        seeds / "annotations" / "disputes.yaml",
        'capsule-review: "We learn that Ok-Ju used to be a bodyguard',
        'plot-recap: "We learn that Ok-Ju used to be a bodyguard',
    )
    problems = problems_of(seeds)
    assert any(
        p.startswith(
            "annotations/disputes.yaml: how-they-met/bodyguard: quote not found in plot-recap"
        )
        for p in problems
    ), problems


def test_an_empty_quote_is_refused_not_matched_everywhere(seeds):
    edit(
        seeds / "annotations" / "disputes.yaml",
        'qa-review: "Ok-ju put a gravely injured Choi in her truck"',
        'qa-review: ""',
    )
    assert (
        "annotations/disputes.yaml: vehicle-to-beach/truck: citation of 'qa-review' has an empty quote"
        in problems_of(seeds)
    )


# --- dangling references ------------------------------------------------------------------------


def test_dangling_participant_and_dispute_references_are_named(seeds):
    notes = seeds / "annotations"
    edit(
        notes / "events.yaml",
        "    - {entity: bakery, role: location}",
        "    - {entity: cafe, role: location}",
    )
    edit(
        notes / "events.yaml",
        "    - {entity: birthday-cake, role: theme}",
        "    - {entity: school-days, role: theme}",
    )
    edit(
        notes / "disputes.yaml",
        "about: [drive-to-beach, lamborghini, truck]",
        "about: [drive-to-beach, lambo]",
    )
    edit(notes / "disputes.yaml", "  preferred: school\n", "  preferred: kindergarten\n")
    problems = problems_of(seeds)
    assert (
        "annotations/events.yaml: bakery-reunion participant cafe: unknown entity 'cafe'"
        in problems
    )
    assert (
        "annotations/events.yaml: bakery-reunion participant school-days: 'school-days' is an event, not an entity"
        in problems
    )
    assert (
        "annotations/disputes.yaml: vehicle-to-beach: 'about' names unknown id 'lambo'" in problems
    )
    assert (
        "annotations/disputes.yaml: how-they-met: preferred claim 'kindergarten' is not one of its claims"
        in problems
    )


def test_a_document_that_is_gone_takes_down_every_citation_of_it(seeds):
    (seeds / "004_d387f2f173b40709.txt").unlink()
    problems = problems_of(seeds)
    assert (
        "documents.yaml: capsule-review: text file '004_d387f2f173b40709.txt' not found" in problems
    )
    # Each citation of it is named too, by entry, so the fix is visible either way.
    assert any(
        p.startswith("annotations/characters.yaml: ok-ju: cites unknown document 'capsule-review'")
        for p in problems
    ), problems


# --- duplicate ids ------------------------------------------------------------------------------


def test_an_id_shared_by_an_entity_and_an_event_in_another_file(seeds):
    edit(seeds / "annotations" / "events.yaml", "- id: school-days", "- id: ok-ju")
    problems = problems_of(seeds)
    assert (
        "annotations/events.yaml: ok-ju: duplicate id (already used in annotations/characters.yaml)"
        in problems
    )


def test_duplicate_relation_dispute_claim_and_document_ids(seeds):
    notes = seeds / "annotations"
    relations = notes / "relations.yaml"
    relations.write_text(
        relations.read_text(encoding="utf-8")
        + "\n- source: park-yu-rim\n  type: plays\n  target: min-hee\n  cite:\n"
        + '    - plot-recap: "Min-hee (Park Yu-rim)"\n',
        encoding="utf-8",
    )
    edit(notes / "disputes.yaml", "- id: opening-store", "- id: how-they-met")
    edit(notes / "disputes.yaml", "    - id: truck\n", "    - id: lamborghini\n")
    edit(seeds / "documents.yaml", "- id: capsule-review", "- id: qa-review")
    problems = problems_of(seeds)
    assert (
        "annotations/relations.yaml: park-yu-rim/plays/min-hee: duplicate relation id" in problems
    )
    assert "annotations/disputes.yaml: how-they-met: duplicate dispute id" in problems
    assert "annotations/disputes.yaml: vehicle-to-beach/lamborghini: duplicate claim id" in problems
    assert "documents.yaml: qa-review: duplicate document id" in problems


# --- unknown kinds ------------------------------------------------------------------------------


def test_a_kind_that_is_not_a_string_or_not_an_entity_kind(seeds):
    notes = seeds / "annotations"
    edit(notes / "objects.yaml", "- id: bike\n  kind: object", "- id: bike\n  kind: [object]")
    edit(notes / "symbols.yaml", "- id: fish\n  kind: symbol", "- id: fish\n  kind: event")
    problems = problems_of(seeds)
    assert (
        "annotations/objects.yaml: bike: 'kind' must be a non-empty string, not ['object']"
        in problems
    )
    assert any(
        p.startswith("annotations/symbols.yaml: fish: unknown kind 'event'") for p in problems
    )
    # The entity with an unreadable kind is left out, and what points at it is named too.
    assert (
        "annotations/relations.yaml: ok-ju/owns/bike: target 'bike' is not a known id" in problems
    )


# --- malformed files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "fish: {kind: symbol}\n",
            "annotations/symbols.yaml: must hold a list of entries, not a dict",
        ),
        ('- id: fish\n  name: "unclosed\n', "annotations/symbols.yaml: is not valid YAML (line 3"),
        ("- id: fish\n\tname: tab\n", "annotations/symbols.yaml: is not valid YAML (line 2"),
        ("- fish\n", "annotations/symbols.yaml: entry 1: must be a mapping of fields"),
        # A tag constructs nothing (nothing is run): the value it tags is checked as it is.
        (
            "- !!python/object/apply:os.system ['echo pwned']\n",
            "annotations/symbols.yaml: entry 1: must be a mapping of fields",
        ),
        (
            "- id: fish\n  kind: symbol\n  kind: place\n",
            'annotations/symbols.yaml: is not valid YAML (line 1, column 3): entry 1: duplicate key "kind"',
        ),
        (
            "- id: fish\n---\n- id: cat\n",
            "annotations/symbols.yaml: is not valid YAML: deserializing from YAML containing more than one document",
        ),
    ],
    ids=[
        "mapping",
        "unclosed-quote",
        "tab",
        "scalar-entry",
        "python-tag",
        "duplicate-key",
        "two-documents",
    ],
)
def test_malformed_files_are_named_with_what_is_wrong(seeds, content, message):
    (seeds / "annotations" / "symbols.yaml").write_text(content, encoding="utf-8")
    problems = problems_of(seeds)
    assert any(p.startswith(message) for p in problems), problems
    # The entities of the broken file are missing, and every reference to them says so.
    assert (
        "annotations/relations.yaml: fish/symbolizes/freedom: source 'fish' is not a known id"
        in problems
    )


def test_a_billion_laughs_file_is_refused_quickly(seeds):
    # Ten levels of nine references: 9**10 strings if anything expanded them.
    lines = ["- &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"- &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 10)]
    (seeds / "annotations" / "symbols.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems = problems_of(seeds)  # asserts it is quick
    assert "annotations/symbols.yaml: is not valid YAML: repetition limit exceeded" in problems


# --- empty and missing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content", [b"", b"---\n", b"\n\n   \n"], ids=["zero-bytes", "document-marker", "blank"]
)
def test_empty_files_are_named(seeds, content):
    (seeds / "annotations" / "events.yaml").write_bytes(content)
    problems = problems_of(seeds)
    assert "annotations/events.yaml: is empty: expected a list of entries" in problems


def test_missing_documents_and_annotations(seeds, tmp_path):
    (seeds / "documents.yaml").unlink()
    problems = problems_of(seeds)
    assert any(p.startswith("documents.yaml: not found in") for p in problems), problems

    shutil.rmtree(seeds / "annotations")
    assert any(p.startswith("annotations: no annotation files") for p in problems_of(seeds))

    nowhere = problems_of(tmp_path / "no-such-folder")
    assert any(p.startswith("documents.yaml: not found in") for p in nowhere), nowhere


# --- encodings ----------------------------------------------------------------------------------


def test_utf16_and_binary_annotation_files_are_not_utf8(seeds):
    notes = seeds / "annotations"
    symbols = notes / "symbols.yaml"
    symbols.write_bytes(symbols.read_text(encoding="utf-8").encode("utf-16"))
    (notes / "works.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    problems = problems_of(seeds)
    assert any(p.startswith("annotations/symbols.yaml: is not UTF-8 text") for p in problems)
    assert any(p.startswith("annotations/works.yaml: is not UTF-8 text") for p in problems)


def test_a_document_text_that_is_not_utf8(seeds):
    # Re-encoding the Korean title's text as EUC-KR is the likeliest way to get this wrong.
    path = seeds / "004_d387f2f173b40709.txt"
    path.write_bytes(path.read_text(encoding="utf-8").encode("euc-kr", errors="replace"))
    problems = problems_of(seeds)
    assert any(
        p.startswith("documents.yaml: capsule-review: 004_d387f2f173b40709.txt is not UTF-8")
        for p in problems
    ), problems


def test_a_utf8_byte_order_mark_is_accepted(seeds):
    # Editors on some systems add one; it is still UTF-8 and the graph is the same.
    path = seeds / "annotations" / "symbols.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    kb = load_knowledge_base(seeds)
    assert len(kb.entities) + len(kb.events) == 110


# --- the entry points refuse to serve bad seeds ---------------------------------------------------


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLI), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
    )


def assert_problems_listed_cleanly(output: str, seeds: Path) -> None:
    assert "Traceback" not in output, output
    assert f"the seeds in {seeds} are not valid" in output, output
    assert "annotations/places.yaml: hotel: duplicate id" in output, output
    assert (
        "annotations/relations.yaml: gapyeong/located_in/korea: source 'gapyeong' is not a known id"
        in output
    )


@pytest.mark.slow
def test_validate_exits_non_zero_with_every_problem(seeds):
    good = run_cli("--seeds", str(seeds), "validate")
    assert good.returncode == 0 and "valid" in good.stdout, good.stderr
    bad = run_cli("--seeds", str(break_seeds(seeds)), "validate")
    assert bad.returncode == 1
    assert_problems_listed_cleanly(bad.stderr, seeds)
    assert "3 problems in the seed annotations" in bad.stderr


def test_serve_refuses_to_start_on_bad_seeds(seeds):
    port = free_port()
    # Had it served, run_cli would have timed out (TimeoutExpired): it stopped by itself.
    result = run_cli("--seeds", str(break_seeds(seeds)), "serve", "--port", str(port))
    assert result.returncode == 1
    assert_problems_listed_cleanly(result.stderr, seeds)
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)


@pytest.mark.slow
def test_query_and_export_refuse_bad_seeds_and_write_nothing(seeds, tmp_path):
    bad = break_seeds(seeds)
    query = run_cli("--seeds", str(bad), "query", "{ stats { nodeCount } }")
    assert query.returncode == 1 and not query.stdout
    assert_problems_listed_cleanly(query.stderr, seeds)
    target = tmp_path / "out.gexf"
    export = run_cli("--seeds", str(bad), "export", "-o", str(target))
    assert export.returncode == 1
    assert_problems_listed_cleanly(export.stderr, seeds)
    assert not target.exists() and not list(tmp_path.glob("*.part"))


def test_uvicorn_factory_never_serves_bad_seeds(seeds, tmp_path, monkeypatch):
    monkeypatch.setenv("BALLERINA_SEEDS", str(break_seeds(seeds)))
    log = tmp_path / "uvicorn.log"
    with (
        pytest.raises(ServerDidNotStart) as info,
        live_server("server.app:create_app", ready_path="/healthz", log_path=log),
    ):
        pytest.fail("uvicorn answered /healthz on bad seeds")
    assert "exit code" in str(info.value)  # it stopped by itself rather than hanging
    output = log.read_text(errors="replace")
    assert_problems_listed_cleanly(output, seeds)
    assert "Application startup failed" in output


def test_the_app_does_not_start_in_process_on_bad_seeds(seeds):
    from starlette.testclient import TestClient

    from server.app import create_app

    app = create_app(None, Settings(seeds_dir=break_seeds(seeds)))
    with pytest.raises(AnnotationError) as info, TestClient(app):
        pytest.fail("the app started on bad seeds")
    assert len(info.value.problems) == 3

"""Broken seeds, beyond tests/test_validation.py: every problem is named by file and entry, and
no entry point (the loader, ``ballerina-kg``, uvicorn) ever serves a graph built from them.

test_validation.py covers one case of each kind of break (a changed quote, a dangling relation
target, a duplicate id within a file, an unknown kind, role, type and field, a bad indent, a
comment-only file, Latin-1 bytes); the cases here are the other shapes the same breaks take,
and seeds that would load but say something other than what they hold: files outside the seed
folder or not regular files (a FIFO, a directory, a symlink loop), an article over the size
bound, a missing sha256, an unknown document kind, a date that is not one, a name shared by two
entities, a YAML boolean or number where a string belongs, a self-relation, a located_in cycle
and two edges with one key.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from graph import load
from graph.build import load_graph
from graph.load import load_knowledge_base
from graph.problems import AnnotationError
from graph.query import resolve
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
    """The CPU time loading and building the committed seeds takes in this process: work, not
    wall-clock time, so the machine's load at one moment or another does not enter into it."""
    started = time.process_time()
    load_graph(SEEDS)
    return time.process_time() - started


def problems_of(seeds: Path) -> list[str]:
    started = time.process_time()
    with pytest.raises(AnnotationError) as info:
        load_graph(seeds)
    # Refusing is as cheap as loading: nothing in a broken file makes the loader work harder.
    assert time.process_time() - started < 3 * loading_seconds()
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
            "annotations/events.yaml: school-days participant yahwa-school: "
            "quote not found in qa-review"
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


def test_a_quote_that_begins_or_ends_inside_a_word_is_not_found(seeds):
    # "he recognized Ok-ju" occurs only inside "she recognized Ok-ju"; "Yahwa Schoo" only
    # inside "Yahwa School": a cut word is not what the article says.
    edit(
        seeds / "annotations" / "events.yaml",
        'qa-review: "she recognized Ok-ju as they had studied at Yahwa School together"',
        'qa-review: "he recognized Ok-ju as they had studied at Yahwa Schoo"',
    )
    problems = problems_of(seeds)
    assert any(
        p.startswith(
            "annotations/events.yaml: school-days participant yahwa-school: quote not found "
            "in qa-review only inside words"
        )
        for p in problems
    ), problems


def test_an_event_or_dispute_quote_must_name_one_of_what_it_is_about(seeds):
    notes = seeds / "annotations"
    # "she" is Min-hee only because the annotation says so; without it the quote names Ok-ju,
    # who is not in the event.
    edit(notes / "events.yaml", '      refers: {"she": min-hee}\n', "")
    # A real sentence of the article, but not about either vehicle.
    edit(
        notes / "disputes.yaml",
        'qa-review: "Ok-ju put a gravely injured Choi in her truck"',
        'qa-review: "Ok-ju went back to Choi’s house"',
    )
    problems = problems_of(seeds)
    assert any(
        p.startswith(
            "annotations/events.yaml: min-hee-suicide: quote from capsule-review names none of "
            "min-hee, min-hee-home, bathtub, choi-pro"
        )
        for p in problems
    ), problems
    assert any(
        p.startswith(
            "annotations/disputes.yaml: vehicle-to-beach/truck: quote from qa-review names none "
            "of lamborghini, truck"
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
        "    - entity: bakery\n      role: location\n",
        "    - entity: cafe\n      role: location\n",
    )
    edit(
        notes / "events.yaml",
        "    - entity: birthday-cake\n      role: theme\n",
        "    - entity: school-days\n      role: theme\n",
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


def test_a_duplicate_id_is_named_once_not_by_every_quote_of_the_first_declaration(seeds):
    # The second "hotel" is Gapyeong renamed. Its names must not replace the hotel's in the
    # receipts check, or every quote that says "the hotel" would be reported as not naming it.
    assert problems_of(break_seeds(seeds)) == [
        "annotations/places.yaml: hotel: duplicate id (already used in annotations/places.yaml)",
        "annotations/relations.yaml: hotel/located_in/gapyeong: target 'gapyeong' is not a known id",
    ]


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
    committed = load_knowledge_base(SEEDS)
    assert kb.entities == committed.entities and len(kb.events) == len(committed.events)


# --- document files: only regular files inside the seed folder ----------------------------------

CAPSULE = "004_d387f2f173b40709.txt"


def set_document_file(seeds: Path, name: str) -> None:
    edit(seeds / "documents.yaml", f"file: {CAPSULE}", f"file: {name}")


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        ("absolute", "is an absolute path: name a file inside the seed folder"),
        ("dot-dot", "goes up a folder ('..'): name a file inside the seed folder"),
        ("dot-dot-inside", "goes up a folder ('..'): name a file inside the seed folder"),
    ],
)
def test_a_document_path_that_leaves_the_seed_folder_is_refused(seeds, tmp_path, where, reason):
    # The file named is the article itself, byte for byte, so its sha256 matches: what refuses
    # it is where it is, nothing else.
    outside = tmp_path / "outside.txt"
    shutil.copyfile(seeds / CAPSULE, outside)
    (seeds / "texts").mkdir()
    name = {
        "absolute": str(outside),
        "dot-dot": "../outside.txt",
        "dot-dot-inside": f"texts/../{CAPSULE}",
    }[where]
    set_document_file(seeds, name)
    problems = problems_of(seeds)
    assert f"documents.yaml: capsule-review: text file {name!r} {reason}" in problems, problems


def test_a_document_path_with_a_nul_character_is_refused(seeds):
    set_document_file(seeds, '"004\\0.txt"')
    assert (
        "documents.yaml: capsule-review: text file '004\\x00.txt' holds a NUL character, "
        "which no file name can" in problems_of(seeds)
    )


def test_the_reported_path_escapes_are_refused(seeds):
    # The issue's own examples, which used to validate and be served by document(id:) { text }.
    edit(seeds / "documents.yaml", f"file: {CAPSULE}", "file: /etc/hostname")
    edit(
        seeds / "documents.yaml",
        "file: 003_26e0d078d28566ff.txt",
        "file: ../../../../etc/os-release",
    )
    problems = problems_of(seeds)
    assert (
        "documents.yaml: capsule-review: text file '/etc/hostname' is an absolute path: "
        "name a file inside the seed folder" in problems
    )
    assert (
        "documents.yaml: symbolism-explainer: text file '../../../../etc/os-release' goes up a "
        "folder ('..'): name a file inside the seed folder" in problems
    )


def test_a_symlink_out_of_the_seed_folder_is_refused(seeds, tmp_path):
    outside = tmp_path / "outside.txt"
    shutil.copyfile(seeds / CAPSULE, outside)
    (seeds / CAPSULE).unlink()
    (seeds / CAPSULE).symlink_to(outside)
    # A folder that is a symlink to the outside, with the file under it, is just as far out.
    (seeds / "elsewhere").symlink_to(tmp_path, target_is_directory=True)
    set_document_file(seeds, "elsewhere/outside.txt")
    edit(seeds / "documents.yaml", "file: 003_26e0d078d28566ff.txt", f"file: {CAPSULE}")
    problems = problems_of(seeds)
    for entry, name in (
        ("capsule-review", "elsewhere/outside.txt"),
        ("symbolism-explainer", CAPSULE),
    ):
        assert (
            f"documents.yaml: {entry}: text file {name!r} is a symlink to {outside.resolve()}, "
            "outside the seed folder" in problems
        ), problems


def test_a_symlink_inside_the_seed_folder_and_a_subfolder_are_fine(seeds):
    (seeds / "texts").mkdir()
    (seeds / CAPSULE).rename(seeds / "texts" / CAPSULE)
    (seeds / CAPSULE).symlink_to(Path("texts") / CAPSULE)
    edit(seeds / "documents.yaml", "file: 003_26e0d078d28566ff.txt", "file: texts/moved.txt")
    (seeds / "003_26e0d078d28566ff.txt").rename(seeds / "texts" / "moved.txt")
    kb = load_knowledge_base(seeds)
    assert kb.documents["capsule-review"].text == (SEEDS / CAPSULE).read_text(encoding="utf-8")
    assert kb.documents["symbolism-explainer"].file == "texts/moved.txt"


def test_a_fifo_in_place_of_an_article_or_an_annotation_is_named_not_opened(seeds):
    # Opening a FIFO for reading blocks until something writes to it: the loader used to hang
    # there for ever, in `validate` and in `serve`. Run in a process of its own, with a timeout,
    # so that a regression fails this test rather than hanging the suite.
    (seeds / CAPSULE).unlink()
    os.mkfifo(seeds / CAPSULE)
    os.mkfifo(seeds / "annotations" / "extra.yaml")
    result = run_cli("--seeds", str(seeds), "validate", timeout=60)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert (
        f"documents.yaml: capsule-review: text file '{CAPSULE}' is a FIFO (named pipe), "
        "not a regular file" in result.stderr
    ), result.stderr
    assert "annotations/extra.yaml: is a FIFO (named pipe), not a regular file" in result.stderr, (
        result.stderr
    )


def test_symlink_loops_and_directories_are_named_and_the_rest_still_checked(seeds):
    notes = seeds / "annotations"
    (seeds / CAPSULE).unlink()
    (seeds / CAPSULE).symlink_to(CAPSULE)  # points at itself
    (seeds / "003_26e0d078d28566ff.txt").unlink()
    (seeds / "003_26e0d078d28566ff.txt").mkdir()
    (notes / "loop.yaml").symlink_to("loop.yaml")
    (notes / "folder.yaml").mkdir()
    edit(notes / "objects.yaml", "speeding on her bike", "speeding on her scooter")
    problems = problems_of(seeds)
    expected = [
        f"documents.yaml: capsule-review: text file '{CAPSULE}' is a symlink loop "
        "(too many levels of symbolic links)",
        "documents.yaml: symbolism-explainer: text file '003_26e0d078d28566ff.txt' is a "
        "directory, not a regular file",
        "annotations/loop.yaml: is a symlink loop (too many levels of symbolic links)",
        "annotations/folder.yaml: is a directory, not a regular file",
    ]
    for problem in expected:
        assert problem in problems, problems
    # Nothing stopped at the first: the annotations were read and checked after all of these.
    assert any(
        p.startswith("annotations/objects.yaml: bike: quote not found in ending-explained")
        for p in problems
    ), problems


def test_an_annotation_file_that_is_a_symlink_out_of_the_folder(seeds, tmp_path):
    outside = tmp_path / "symbols.yaml"
    shutil.move(seeds / "annotations" / "symbols.yaml", outside)
    (seeds / "annotations" / "symbols.yaml").symlink_to(outside)
    problems = problems_of(seeds)
    assert (
        f"annotations/symbols.yaml: is a symlink to {outside.resolve()}, outside the seed folder"
        in problems
    ), problems


def test_documents_yaml_itself_must_be_a_regular_file(seeds):
    (seeds / "documents.yaml").unlink()
    (seeds / "documents.yaml").mkdir()
    problems = problems_of(seeds)
    assert "documents.yaml: is a directory, not a regular file" in problems, problems


# --- document size --------------------------------------------------------------------------------


def test_an_article_over_the_size_bound_is_refused_before_it_is_read(seeds):
    # The 50 MB article took 36 s and 2.6 GB to start; the bound is 1 MB per document.
    assert load.MAX_DOCUMENT_BYTES == 1_000_000
    text = (seeds / CAPSULE).read_bytes()
    big = text * (load.MAX_DOCUMENT_BYTES // len(text) + 1)
    (seeds / CAPSULE).write_bytes(big)
    set_sha256(seeds, "capsule-review", hashlib.sha256(big).hexdigest())
    problems = problems_of(seeds)
    assert (
        f"documents.yaml: capsule-review: text file '{CAPSULE}' is {len(big):,} bytes, "
        "over the limit of 1,000,000 bytes per document" in problems
    ), problems


def test_the_size_bound_is_inclusive(seeds, monkeypatch):
    largest = max(path.stat().st_size for path in seeds.glob("*.txt"))
    monkeypatch.setattr(load, "MAX_DOCUMENT_BYTES", largest)
    assert len(load_knowledge_base(seeds).documents) == 5
    monkeypatch.setattr(load, "MAX_DOCUMENT_BYTES", largest - 1)
    assert [p for p in problems_of(seeds) if p.startswith("documents.yaml")] == [
        "documents.yaml: qa-review: text file '002_8bf98b6dfac8ce34.txt' is "
        f"{largest:,} bytes, over the limit of {largest - 1:,} bytes per document"
    ]


# --- documents.yaml: checksum, kind, date ---------------------------------------------------------


def set_sha256(seeds: Path, doc_id: str, value: str | None) -> None:
    path = seeds / "documents.yaml"
    text = path.read_text(encoding="utf-8")
    entry = text.index(f"- id: {doc_id}\n")
    start = text.index("  sha256: ", entry)
    end = text.index("\n", start) + 1
    line = "" if value is None else f"  sha256: {value}\n"
    path.write_text(text[:start] + line + text[end:], encoding="utf-8")


def test_sha256_is_required_and_must_be_a_sha256(seeds):
    set_sha256(seeds, "capsule-review", None)
    set_sha256(seeds, "qa-review", "not-a-checksum")
    set_sha256(seeds, "plot-recap", '"' + "4C" * 32 + '"')
    problems = problems_of(seeds)
    assert (
        "documents.yaml: capsule-review: missing 'sha256' (the sha256sum of its text file)"
        in problems
    )
    assert (
        "documents.yaml: qa-review: 'sha256' must be 64 lowercase hex digits, not 'not-a-checksum'"
        in problems
    )
    assert any(p.startswith("documents.yaml: plot-recap: 'sha256' must be 64") for p in problems)
    # The texts are still read and their quotes checked: the only problems are these three.
    assert len(problems) == 3, problems


def test_an_unknown_document_kind_is_refused(seeds):
    edit(seeds / "documents.yaml", "  kind: review\n", "  kind: blog\n")
    assert (
        "documents.yaml: capsule-review: unknown document kind 'blog' "
        "(known: recap, explainer, review)" in problems_of(seeds)
    )


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("2023-13-45", "date '2023-13-45' is not a real date written YYYY-MM-DD (or null)"),
        ("2023-02-29", "date '2023-02-29' is not a real date written YYYY-MM-DD (or null)"),
        ("yes", "date 'yes' is not a real date written YYYY-MM-DD (or null)"),
        ('"20231016"', "date '20231016' is not a real date written YYYY-MM-DD (or null)"),
        ("16/10/2023", "date '16/10/2023' is not a real date written YYYY-MM-DD (or null)"),
        ("2023", "'date' must be a non-empty string, not 2023"),
        ("true", "'date' must be a non-empty string, not True"),
    ],
)
def test_a_date_that_is_not_a_real_iso_date_is_refused(seeds, written, problem):
    edit(seeds / "documents.yaml", 'date: "2023-10-16"', f"date: {written}")
    assert f"documents.yaml: plot-recap: {problem}" in problems_of(seeds)


def test_kind_and_date_are_named_even_when_the_text_cannot_be_read(seeds):
    path = seeds / "documents.yaml"
    text = path.read_text(encoding="utf-8")
    entry = text.index("- id: capsule-review\n")
    path.write_text(
        text[:entry]
        + text[entry:].replace("kind: review", "kind: blog").replace("date: null", "date: soon"),
        encoding="utf-8",
    )
    (seeds / CAPSULE).unlink()
    problems = problems_of(seeds)
    for message in (
        f"text file '{CAPSULE}' not found",
        "unknown document kind 'blog' (known: recap, explainer, review)",
        "date 'soon' is not a real date written YYYY-MM-DD (or null)",
    ):
        assert f"documents.yaml: capsule-review: {message}" in problems, problems


# --- names, aliases and YAML scalars --------------------------------------------------------------


def test_two_entities_with_one_name_must_both_mark_it_ambiguous(seeds):
    characters = seeds / "annotations" / "characters.yaml"
    edit(characters, "  name: Choi's boss\n", "  name: Choi Pro\n")
    problems = problems_of(seeds)
    assert (
        "annotations/characters.yaml: gang-boss: name 'Choi Pro' also names choi-pro: "
        "list it under 'ambiguous' in both" in problems
    ), problems
    assert (
        "annotations/characters.yaml: choi-pro: name 'Choi Pro' also names gang-boss: "
        "list it under 'ambiguous' in both" in problems
    ), problems

    # Marked by one of them only (Choi Pro comes first in the file), the other is still named.
    edit(characters, "  name: Choi Pro\n", "  name: Choi Pro\n  ambiguous: [Choi Pro]\n")
    problems = problems_of(seeds)
    assert [p for p in problems if "also names" in p] == [
        "annotations/characters.yaml: gang-boss: name 'Choi Pro' also names choi-pro: "
        "list it under 'ambiguous' in both"
    ]

    # Marked by both, it is accepted as what it is: a name that looks up neither on its own.
    edit(
        characters,
        "  aliases: [Choi's boss,",
        "  ambiguous: [Choi Pro]\n  aliases: [Choi's boss,",
    )
    G = load_graph(seeds)
    assert resolve(G, "Choi Pro") == ["choi-pro", "gang-boss"]
    assert resolve(G, "Chef Choi") == ["choi-pro"]


def test_names_that_differ_only_in_case_or_spacing_are_one_name(seeds):
    # Look-up folds case and normalises white space, so these would have answered null.
    edit(seeds / "annotations" / "characters.yaml", "  name: Choi's boss\n", "  name: CHOI  PRO\n")
    problems = problems_of(seeds)
    assert any(
        p.startswith("annotations/characters.yaml: gang-boss: name 'CHOI  PRO' also names choi-pro")
        for p in problems
    ), problems


@pytest.mark.parametrize(
    ("written", "item", "problem"),
    [
        ("true", 2, "must be a string, not the YAML boolean True: put it in quotes"),
        ("False", 2, "must be a string, not the YAML boolean False: put it in quotes"),
        ("2023", 2, "must be a string, not the YAML number 2023: put it in quotes"),
        ("0x10", 2, "must be a string, not the YAML number 16: put it in quotes"),
        ("1e3", 2, "must be a string, not the YAML number 1000.0: put it in quotes"),
        ("~", 2, "must be a string, not the YAML null None: put it in quotes"),
        ('""', 2, "is an empty string"),
    ],
)
def test_aliases_that_yaml_reads_as_something_else_are_refused(seeds, written, item, problem):
    # `aliases: [Ok-ju, true]` used to become the alias "True": entity(name: "True") found Ok-ju.
    edit(
        seeds / "annotations" / "characters.yaml",
        "  aliases: [Min-hee, Min-Hee, Choi Min-Hee, Min-ee]",
        f"  aliases: [Min-hee, {written}, Min-Hee, Choi Min-Hee, Min-ee]",
    )
    edit(
        seeds / "annotations" / "works.yaml",
        "  ambiguous: [Ballerina]\n",
        f"  ambiguous: [Ballerina, {written}]\n",
    )
    problems = problems_of(seeds)
    assert f"annotations/characters.yaml: min-hee: 'aliases' item {item} {problem}" in problems
    assert any(p.endswith(f": 'ambiguous' item {item} {problem}") for p in problems), problems


def test_yaml_1_2_words_that_yaml_1_1_read_as_booleans_stay_words(seeds):
    # YAML 1.2, as ryaml reads it: only true/false (in three spellings) are booleans; `off`,
    # `yes`, `no` and `on` are the words as written, and are kept as such.
    edit(
        seeds / "annotations" / "characters.yaml",
        "  aliases: [Min-hee, Min-Hee, Choi Min-Hee, Min-ee]",
        "  aliases: [Min-hee, off, Yes, Min-Hee, Choi Min-Hee, Min-ee]",
    )
    kb = load_knowledge_base(seeds)
    (min_hee,) = [e for e in kb.entities if e.id == "min-hee"]
    assert min_hee.aliases[1:3] == ("off", "Yes")


# --- relations: self, cycles, edge keys -----------------------------------------------------------


def add_relation(
    seeds: Path, source: str, type_: str, target: str, document: str, quote: str
) -> None:
    """Append a relation citing a real quote that names both its ends, so that the quote is
    not what the test finds wrong with it."""
    path = seeds / "annotations" / "relations.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + f"\n- source: {source}\n  type: {type_}\n  target: {target}\n"
        + f'  cite:\n    - {document}: "{quote}"\n',
        encoding="utf-8",
    )


def test_a_relation_from_an_entity_to_itself_is_refused(seeds):
    add_relation(seeds, "ok-ju", "helps", "ok-ju", "plot-recap", "On remembering Ok-ju from school")
    assert (
        "annotations/relations.yaml: ok-ju/helps/ok-ju: relates 'ok-ju' to itself"
        in problems_of(seeds)
    )


def test_a_located_in_or_part_of_cycle_is_refused(seeds):
    # fish-bells -> buddhist-temples -> korea are in the seeds; korea -> fish-bells closes the
    # loop, and the-continental -> john-wick is closed by john-wick -> the-continental. Each
    # quote names both ends (Korea and the wind chimes; John Wick and The Continental).
    korea_and_bells = (
        "In Korea, particularly in Buddhist temples, wind chimes or bells with a fish hanging "
        "from the bell"
    )
    add_relation(seeds, "korea", "located_in", "fish-bells", "symbolism-explainer", korea_and_bells)
    add_relation(
        seeds,
        "john-wick",
        "part_of",
        "the-continental",
        "plot-recap",
        "the John Wick universe's The Continental series",
    )
    problems = problems_of(seeds)
    assert (
        "annotations/relations.yaml: buddhist-temples/located_in/korea: located_in goes "
        "round in a cycle, buddhist-temples -> korea -> fish-bells -> buddhist-temples "
        "(relations buddhist-temples/located_in/korea, korea/located_in/fish-bells, "
        "fish-bells/located_in/buddhist-temples): remove one of them" in problems
    ), problems
    assert any(
        p.startswith(
            "annotations/relations.yaml: john-wick/part_of/the-continental: part_of goes round in a cycle"
        )
        or p.startswith(
            "annotations/relations.yaml: the-continental/part_of/john-wick: part_of goes round in a cycle"
        )
        for p in problems
    ), problems
    assert len(problems) == 2, problems


def test_a_cycle_of_a_type_that_allows_one_is_accepted(seeds):
    # Who helps whom can go both ways; only containment is acyclic.
    add_relation(
        seeds,
        "min-hee",
        "helps",
        "ok-ju",
        "plot-recap",
        "Min-hee took the responsibility of ensuring Ok-ju celebrated her birthday the right way",
    )
    add_relation(
        seeds, "ok-ju", "helps", "min-hee", "ending-explained", "Ok-ju avenges the death of Min-hee"
    )
    load_knowledge_base(seeds)


def test_every_edge_key_is_unique_across_relations_and_participations(seeds):
    # An event's participant twice in one role, and a relation whose derived id is the key of a
    # participation (event/role/entity): both would be two edges with one key.
    # school-days lists ok-ju as agent, then min-hee; a second ok-ju agent goes between them.
    edit(
        seeds / "annotations" / "events.yaml",
        '        - plot-recap: "On remembering Ok-ju from school"\n'
        "    - entity: min-hee\n      role: co_agent\n",
        '        - plot-recap: "On remembering Ok-ju from school"\n'
        "    - entity: ok-ju\n      role: agent\n      cite:\n"
        '        - plot-recap: "On remembering Ok-ju from school"\n'
        "    - entity: min-hee\n      role: co_agent\n",
    )
    add_relation(
        seeds,
        "bakery-reunion",
        "agent",
        "ok-ju",
        "qa-review",
        "They had met by coincidence when Ok-ju had gone to pick up a cake in the bakery",
    )
    problems = problems_of(seeds)
    assert (
        "annotations/events.yaml: school-days participant ok-ju: listed twice as 'agent'"
        in problems
    )
    assert (
        "annotations/relations.yaml: bakery-reunion/agent/ok-ju: relation id is already the key "
        "of a participant of bakery-reunion" in problems
    ), problems


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
        "annotations/relations.yaml: hotel/located_in/gapyeong: target 'gapyeong' is not a known id"
        in output
    )


@pytest.mark.slow
def test_validate_exits_non_zero_with_every_problem(seeds):
    good = run_cli("--seeds", str(seeds), "validate")
    assert good.returncode == 0 and "valid" in good.stdout, good.stderr
    bad = run_cli("--seeds", str(break_seeds(seeds)), "validate")
    assert bad.returncode == 1
    assert_problems_listed_cleanly(bad.stderr, seeds)
    assert "2 problems in the seed annotations" in bad.stderr


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
    assert len(info.value.problems) == 2

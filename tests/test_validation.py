"""Broken annotations are refused with every problem named by file and entry, never half-built."""

from __future__ import annotations

import re
import shutil

import pytest

from graph.build import load_graph
from graph.problems import AnnotationError
from tests.conftest import SEEDS


@pytest.fixture
def seeds(tmp_path):
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy)
    return copy


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found in {path.name}: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(seeds):
    with pytest.raises(AnnotationError) as info:
        load_graph(seeds)
    return [str(p) for p in info.value.problems]


def test_the_committed_seeds_are_valid(seeds):
    assert load_graph(seeds).graph.number_of_nodes() > 100


def test_broken_quote_dangling_reference_and_duplicate_id_are_all_named(seeds):
    notes = seeds / "annotations"
    edit(
        notes / "objects.yaml",
        "Ok-ju can be seen speeding on her bike",
        "Ok-ju can be seen speeding on her scooter",
    )
    edit(
        notes / "relations.yaml",
        "  type: directed\n  target: the-call",
        "  type: directed\n  target: the-phone-call",
    )
    edit(notes / "places.yaml", "- id: gapyeong", "- id: hotel")
    problems = problems_of(seeds)
    assert any(
        p.startswith("annotations/objects.yaml: bike: quote not found in ending-explained")
        and "scooter" in p
        for p in problems
    ), problems
    assert (
        "annotations/relations.yaml: lee-chung-hyun/directed/the-phone-call: target 'the-phone-call' is not a known id"
        in problems
    )
    assert any(p.startswith("annotations/places.yaml: hotel: duplicate id") for p in problems), (
        problems
    )


def test_unknown_kind_role_relation_type_and_field(seeds):
    notes = seeds / "annotations"
    edit(notes / "objects.yaml", "- id: bike\n  kind: object", "- id: bike\n  kind: vehicle")
    edit(
        notes / "events.yaml",
        "    - entity: bike\n      role: instrument",
        "    - entity: bike\n      role: steed",
    )
    edit(
        notes / "relations.yaml",
        "  type: rescues\n  target: schoolgirl",
        "  type: saves\n  target: schoolgirl",
    )
    edit(notes / "symbols.yaml", "  aliases: [fish]", "  alias: [fish]")
    problems = "\n".join(problems_of(seeds))
    assert "annotations/objects.yaml: bike: unknown kind 'vehicle'" in problems
    assert "annotations/events.yaml: final-ride participant bike: unknown role 'steed'" in problems
    assert (
        "annotations/relations.yaml: ok-ju/saves/schoolgirl: unknown relation type 'saves'"
        in problems
    )
    assert "annotations/symbols.yaml: fish: unknown field 'alias'" in problems


def test_missing_citation_and_unknown_document(seeds):
    notes = seeds / "annotations"
    edit(notes / "people.yaml", '  cite:\n    - plot-recap: "his boss (Kim Moo-Yul)"\n', "")
    edit(
        notes / "people.yaml",
        '    - plot-recap: "Myung-shik (Park Hyoung-Soo)"',
        '    - imdb: "Myung-shik (Park Hyoung-Soo)"',
    )
    problems = "\n".join(problems_of(seeds))
    assert "annotations/people.yaml: kim-moo-yul: has no citation" in problems
    assert "annotations/people.yaml: park-hyoung-soo: cites unknown document 'imdb'" in problems


def test_alias_shared_without_being_marked_ambiguous(seeds):
    edit(
        seeds / "annotations" / "works.yaml",
        "  aliases: [Ballerina]\n  ambiguous: [Ballerina]\n",
        "  aliases: [Ballerina]\n",
    )
    problems = problems_of(seeds)
    assert any(
        p.startswith(
            "annotations/works.yaml: ballerina-john-wick: alias 'Ballerina' also names ballerina-2023"
        )
        for p in problems
    ), problems


def test_dangling_claim_and_preferred_without_reason(seeds):
    notes = seeds / "annotations"
    edit(notes / "relations.yaml", "claim: how-they-met/school", "claim: how-they-met/kindergarten")
    edit(
        notes / "disputes.yaml",
        "  preferred: school\n  reason: >-\n",
        "  preferred: school\n  comment: >-\n",
    )
    problems = "\n".join(problems_of(seeds))
    assert (
        "ok-ju/classmate_of/min-hee: claim 'how-they-met/kindergarten' is not a dispute-id/claim-id"
        in problems
    )
    assert (
        "annotations/disputes.yaml: how-they-met: a preferred claim needs a stated 'reason'"
        in problems
    )


def test_malformed_empty_and_wrongly_encoded_files(seeds):
    notes = seeds / "annotations"
    (notes / "symbols.yaml").write_text("- id: fish\n  kind: symbol\n   name: broken indent\n")
    (notes / "works.yaml").write_text("# nothing here yet\n")
    (notes / "organizations.yaml").write_bytes("- id: netflix\n  name: caf\xe9\n".encode("latin-1"))
    problems = "\n".join(problems_of(seeds))
    assert "annotations/symbols.yaml: is not valid YAML (line 3" in problems
    assert "annotations/works.yaml: is empty" in problems
    assert "annotations/organizations.yaml: is not UTF-8 text" in problems
    # References into the broken files are reported too: nothing is silently dropped.
    assert "'fish' is not a known id" in problems or "unknown entity 'fish'" in problems


def test_a_changed_document_text_is_refused(seeds):
    path = seeds / "004_d387f2f173b40709.txt"
    path.write_bytes(path.read_bytes().replace(b"Capsule Review", b"Capsule review"))
    problems = "\n".join(problems_of(seeds))
    assert (
        "documents.yaml: capsule-review: 004_d387f2f173b40709.txt has changed since it was annotated"
        in problems
    )


def test_duplicate_yaml_keys_are_refused(seeds):
    edit(
        seeds / "annotations" / "objects.yaml",
        "- id: bike\n  kind: object\n",
        "- id: bike\n  kind: object\n  kind: place\n",
    )
    problems = problems_of(seeds)
    # The line of the entry and the entry's position in its file, as an editor would show them.
    assert any(
        p.startswith("annotations/objects.yaml: is not valid YAML (line ")
        and re.search(r"entry \d+: duplicate key \"kind\"$", p)
        for p in problems
    ), problems

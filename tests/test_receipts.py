"""Receipts that hold: every quote names what it is cited for, hedges are kept, mentions resolved.

The first half checks the committed seeds; the second breaks a copy of them, one rule at a
time, and expects the loader to refuse it with the file, the entry and the quote named.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from graph import receipts
from graph.build import build_graph
from graph.load import load_knowledge_base
from graph.mentions import index_mentions
from graph.problems import AnnotationError
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base(SEEDS)


# -- the committed seeds ----------------------------------------------------------------------


def test_every_edge_quote_names_each_entity_end_itself(kb):
    """Not trusting the checker: each end is found in the quote by name, alias, description or
    a declared reference whose text really is in that quote."""
    forms = {e.id: {e.name, *e.aliases, *e.descriptions} - set(e.ambiguous) for e in kb.entities}

    def named(entity, citation):
        text = citation.quote.replace("\u2019", "'").casefold()
        if any(re.search(rf"(?<!\w){re.escape(f.casefold())}(?!\w)", text) for f in forms[entity]):
            return True
        return any(
            r.entity == entity and r.text.replace("\u2019", "'").casefold() in text
            for r in citation.refers
        )

    edges = [(r.citations, (r.source, r.target)) for r in kb.relations]
    edges += [(p.citations, (p.entity,)) for e in kb.events for p in e.participants]
    for citations, ends in edges:
        assert citations, ends
        for citation in citations:
            for end in ends:
                assert named(end, citation), (end, citation.quote)


def test_no_participation_rests_on_its_event_quotes_alone(kb):
    graph = build_graph(kb).graph
    for event in kb.events:
        for p in event.participants:
            key = f"{event.id}/{p.role}/{p.entity}"
            assert graph.edges[p.entity, event.id, key]["citations"] == p.citations
            assert p.citations


def test_the_issue_examples_now_carry_their_own_evidence(kb):
    events = {e.id: e for e in kb.events}
    burning = {p.entity: p for p in events["burning-of-choi"].participants}
    # The flamethrower is cited by quotes that name it, not by "sets Choi on fire".
    assert all("flamethrower" in c.quote for c in burning["flamethrower"].citations)
    # No sentence puts the beach and the burning together: the annotation says it infers it.
    assert burning["beach"].certainty == "inferred" and burning["beach"].reason
    relations = {r.id: r for r in kb.relations}
    # "the mountain behind her house" is not located_in.
    assert "mountain/near/ok-ju-home" in relations
    assert "mountain/located_in/ok-ju-home" not in relations
    # The fish capsules as Choi's drug: "appear to be", so hedged.
    assert relations["choi-pro/uses/fish-capsules"].certainty == "hedged"
    # The suicide note is no instrument of the suicide, nor any other role of it: no role of the
    # vocabulary means "left behind". It is what Ok-ju finds.
    suicide = {p.entity: p for p in events["min-hee-suicide"].participants}
    assert "suicide-note" not in suicide
    found = {p.entity: p for p in events["body-found"].participants}
    assert found["suicide-note"].role == "theme"


def test_hedge_words_are_found_on_word_boundaries():
    assert receipts.hedge_words("It could be possible that Choi was going") == [
        "could",
        "possible",
    ]
    assert receipts.hedge_words("a mayor in May; the likelihood") == ["may"]
    assert receipts.hedge_words("Ok-ju burns Choi alive") == []


def test_every_override_and_inferred_claim_has_its_reason(kb):
    report = receipts.report(kb)
    assert report.overrides and all(o.reason for o in report.overrides)
    assert report.inferred and all(reason for _, _, reason in report.inferred)
    assert report.edge_citations == (
        report.edge_citations_by_name + report.edge_citations_by_reference
    )


def test_ballerina_is_counted_per_occurrence_and_the_film_is_mentioned(kb):
    index = index_mentions(kb.documents, kb.entities, kb.mention_rules)
    resolved = index.resolved["Ballerina"]
    assert resolved["ballerina-john-wick"] == 2  # "Ana de Armas-starred", "also titled"
    assert resolved["ballerina-symbol"] >= 3  # the drive's label, Ok-ju's name for herself
    assert resolved["ballerina-2023"] > 40
    # "does it make sense to have a Ballerina 2?" names the speculated sequel, not the film.
    assert index.unresolved == []
    assert index.counts["ballerina-sequel"]["ending-explained"] >= 1
    totals = {e: sum(c.values()) for e, c in index.counts.items()}
    # Before the rules the film, subject of every article, had no mention at all.
    assert totals["ballerina-2023"] > totals["choi-pro"] / 2
    assert all(index.counts["ballerina-2023"].get(d) for d in kb.documents)


# -- broken copies ----------------------------------------------------------------------------


@pytest.fixture
def seeds(tmp_path):
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy)
    return copy


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found in {path.name}: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems_of(seeds: Path) -> list[str]:
    with pytest.raises(AnnotationError) as info:
        load_knowledge_base(seeds)
    return [str(p) for p in info.value.problems]


def test_a_quote_that_does_not_name_an_end_is_refused_with_file_entry_quote_and_end(seeds):
    relations = seeds / "annotations" / "relations.yaml"
    edit(
        relations,
        '    - qa-review: "She torched him alive and took revenge for Min-hee\'s death."\n'
        '      refers: {"She": ok-ju}\n',
        '    - qa-review: "She torched him alive and took revenge for Min-hee\'s death."\n',
    )
    (problem,) = problems_of(seeds)
    assert problem.startswith("annotations/relations.yaml: ok-ju/avenges/min-hee: ")
    assert "does not name ok-ju" in problem and "She torched him alive" in problem


def test_a_participation_without_its_own_quote_is_refused(seeds):
    events = seeds / "annotations" / "events.yaml"
    text = events.read_text(encoding="utf-8")
    start = text.index("    - entity: flamethrower\n      role: instrument\n      cite:\n")
    end = text.index("    - entity:", start + 10)
    events.write_text(
        text[:start] + "    - {entity: flamethrower, role: instrument}\n" + text[end:],
        encoding="utf-8",
    )
    problems = problems_of(seeds)
    assert (
        "annotations/events.yaml: burning-of-choi participant flamethrower: has no citation: "
        "add `cite: [{document-id: quote}]`"
    ) in problems


def test_a_stated_claim_on_a_hedged_quote_is_refused_until_marked_or_explained(seeds):
    relations = seeds / "annotations" / "relations.yaml"
    edit(relations, "  target: fish-capsules\n  certainty: hedged\n", "  target: fish-capsules\n")
    (problem,) = problems_of(seeds)
    assert problem.startswith("annotations/relations.yaml: choi-pro/uses/fish-capsules: ")
    assert "stated claim cites a quote from symbolism-explainer that hedges (appear to)" in problem


def test_a_hedged_claim_needs_a_hedging_quote_and_an_inferred_one_its_reason(seeds):
    relations = seeds / "annotations" / "relations.yaml"
    edit(relations, "  target: min-hee\n  cite:", "  target: min-hee\n  certainty: hedged\n  cite:")
    text = relations.read_text(encoding="utf-8")
    reason = re.search(r"  certainty: inferred\n  reason: .*\n", text)
    relations.write_text(
        text.replace(reason.group(), "  certainty: inferred\n", 1), encoding="utf-8"
    )
    problems = problems_of(seeds)
    assert any("hedged claim, but none of its quotes hedges" in p for p in problems), problems
    assert any(p.endswith("an inferred claim needs its `reason`") for p in problems), problems


def test_a_reference_must_be_in_its_quote_and_name_an_entity(seeds):
    relations = seeds / "annotations" / "relations.yaml"
    edit(relations, 'refers: {"She": ok-ju}', 'refers: {"Her": ok-ju, "him": nobody-at-all}')
    problems = problems_of(seeds)
    assert any("refers 'Her', which is not in the quote" in p for p in problems), problems
    assert any("refers 'him' to 'nobody-at-all', which is not an entity" in p for p in problems), (
        problems
    )


def test_a_mention_rule_naming_no_entity_is_refused(seeds):
    edit(
        seeds / "annotations" / "mentions.yaml",
        "entity: ballerina-john-wick",
        "entity: ballerina-2024",
    )
    assert problems_of(seeds) == [
        "annotations/mentions.yaml: Ballerina: rule names unknown entity 'ballerina-2024'"
    ]


def test_unknown_certainty_is_named(seeds):
    edit(
        seeds / "annotations" / "relations.yaml",
        "  certainty: hedged\n",
        "  certainty: maybe\n",
    )
    problems = problems_of(seeds)
    assert any("unknown certainty 'maybe' (known: stated, hedged, inferred)" in p for p in problems)


def test_a_sample_of_citations_is_drawn_repeatably_with_its_claim(kb):
    first = list(receipts.sample_lines(kb, 40, seed=11))
    assert first == list(receipts.sample_lines(kb, 40, seed=11))
    assert first != list(receipts.sample_lines(kb, 40, seed=12))
    numbered = [line for line in first if re.match(r"^\d+\. ", line)]
    assert len(numbered) == 40
    quotes = [line for line in first if re.match(r"^   [a-z-]+ \[\d+:\d+\]: ", line)]
    assert len(quotes) == 40
    for line in quotes:  # each offset pair really is that quote in that document
        doc, start, end = re.match(r"^   ([a-z-]+) \[(\d+):(\d+)\]", line).groups()
        assert repr(kb.documents[doc].text[int(start) : int(end)]) in line


def test_each_review_verdict_is_a_claim_of_that_review_alone(kb, seeds):
    verdicts = {d.id: d.verdict for d in kb.documents.values() if d.verdict is not None}
    assert {"capsule-review", "qa-review", "ending-explained"} <= set(verdicts)
    for doc, verdict in verdicts.items():
        assert verdict.about == "ballerina-2023"
        assert verdict.citations and all(c.document == doc for c in verdict.citations)
    # A verdict quoting another article is refused.
    edit(
        seeds / "documents.yaml",
        '      - capsule-review: "The movie gets off to a promising start"\n'
        '        refers: {"The movie": ballerina-2023}\n',
        '      - qa-review: "in the end, Ballerina fails to strike a chord, at least with us"\n'
        '        refers: {"Ballerina": ballerina-2023}\n',
    )
    assert problems_of(seeds) == [
        "documents.yaml: capsule-review verdict: cites qa-review: a verdict cites its own text"
    ]


def test_relations_and_the_timeline_filter_by_certainty(gql):
    def ask(document):
        answer = gql(document)
        assert "errors" not in answer, answer
        return answer["data"]

    unsure = ask(
        "{ relations(certainty: [HEDGED, INFERRED], first: 100) "
        "{ totalCount relations { id certainty certaintyReason } } }"
    )["relations"]
    assert unsure["totalCount"] == len(unsure["relations"]) > 0
    assert {r["certainty"] for r in unsure["relations"]} == {"HEDGED", "INFERRED"}
    assert all(r["certaintyReason"] for r in unsure["relations"] if r["certainty"] == "INFERRED")
    every = ask("{ relations(first: 0) { totalCount } }")["relations"]["totalCount"]
    stated = ask("{ relations(certainty: [STATED], first: 0) { totalCount } }")["relations"]
    assert stated["totalCount"] + unsure["totalCount"] == every
    timeline = ask("{ all: timeline { id } stated: timeline(certainty: [STATED]) { id } }")
    assert [e for e in timeline["all"] if e in timeline["stated"]] == timeline["stated"]

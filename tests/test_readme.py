"""The README's example answers are the graph's real answers: each ```graphql block followed by
a ```json block is run through the app and compared."""

from __future__ import annotations

import json
import re

from tests.conftest import ROOT

EXAMPLE = re.compile(r"```graphql\n(.*?)```\s*```json\n(.*?)```", re.DOTALL)


def test_readme_examples_give_the_answers_shown(gql):
    examples = EXAMPLE.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(examples) >= 4
    for query, answer in examples:
        assert gql(query) == json.loads(answer), query


def test_readme_states_the_graph_sizes_it_measures(ballerina):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    counts = ballerina.counts
    entities = counts.nodes - dict(counts.by_kind)["event"]
    for figure in (
        f"{entities} entities",
        f"{dict(counts.by_kind)['event']} plot events",
        f"{counts.relations} typed relations",
        f"{counts.participations} participations",
        f"{counts.citations} citations",
        f"{counts.disputes} disputes",
    ):
        assert figure in readme, figure


def test_readme_shows_the_evidence_report_as_validate_prints_it(capsys):
    from server.cli import main

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (shown,) = re.findall(r"```text\n(evidence:\n.*?)```", readme, re.DOTALL)
    assert main(["validate"]) == 0
    printed = capsys.readouterr().out
    assert shown in printed

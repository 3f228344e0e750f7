"""The ballerina-kg command: each subcommand on the real seeds, and its failures as one message."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import networkx as nx
import pytest

from server.cli import main
from tests.conftest import ROOT, SEEDS


def test_validate_prints_the_counts(capsys, ballerina):
    assert main(["validate"]) == 0
    out = capsys.readouterr().out
    counts = ballerina.counts
    assert "valid" in out
    assert f"nodes           {counts.nodes}" in out
    assert f"citations       {counts.citations}" in out


def test_validate_lists_every_problem_of_bad_seeds_and_exits_1(tmp_path, capsys):
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    objects = seeds / "annotations" / "objects.yaml"
    objects.write_text(objects.read_text().replace("speeding on her bike", "speeding on her horse"))
    people = seeds / "annotations" / "people.yaml"
    people.write_text(
        people.read_text().replace(
            "  kind: person\n  name: Shin Sehwi", "  kind: actor\n  name: Shin Sehwi"
        )
    )
    assert main(["--seeds", str(seeds), "validate"]) == 1
    err = capsys.readouterr().err
    assert "2 problems" in err
    assert "annotations/objects.yaml: bike: quote not found in ending-explained" in err
    assert "annotations/people.yaml: shin-sehwi: unknown kind 'actor'" in err
    assert "Traceback" not in err


def test_export_writes_a_graph_networkx_reads_back(tmp_path, ballerina):
    out = tmp_path / "ego.graphml"
    assert (
        main(
            ["export", "--format", "graphml", "--center", "ok-ju", "--radius", "1", "-o", str(out)]
        )
        == 0
    )
    G = nx.read_graphml(out)
    assert "choi-pro" in G and "ok-ju" in G
    assert G.number_of_nodes() == len({"ok-ju", *nx.all_neighbors(ballerina.graph, "ok-ju")})


def test_export_to_stdout_as_json(capsysbinary):
    assert main(["export", "--format", "json", "--kind", "person"]) == 0
    data = json.loads(capsysbinary.readouterr().out)
    assert sorted(n["id"] for n in data["nodes"])[:2] == ["ana-de-armas", "jeon-jong-seo"]


def test_export_with_a_bad_filter_says_which_and_leaves_no_file(tmp_path, capsys):
    out = tmp_path / "x.gexf"
    assert main(["export", "--kind", "spaceship", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.strip() == "ballerina-kg export: unknown node kind 'spaceship'"
    assert list(tmp_path.iterdir()) == []


def test_export_into_a_missing_folder(tmp_path, capsys):
    assert main(["export", "-o", str(tmp_path / "nowhere" / "x.gexf")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_query_prints_the_answer(capsys):
    assert main(["query", '{ character(id: "Chef Choi") { name actors { name } } }']) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer == {
        "data": {"character": {"name": "Choi Pro", "actors": [{"name": "Kim Ji-hoon"}]}}
    }


def test_query_with_variables_and_an_operation_name(capsys):
    document = "query A { stats { nodeCount } } query B($id: String!) { node(id: $id) { name } }"
    assert (
        main(["query", document, "--operation", "B", "--variables", '{"id": "lamborghini"}']) == 0
    )
    assert json.loads(capsys.readouterr().out) == {"data": {"node": {"name": "Choi's Lamborghini"}}}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["query", "{ nope }"], "Cannot query field 'nope'"),
        (
            ["query", "{ nodes(first: 5000) { totalCount } }"],
            "Argument 'first' must be between 0 and 100",
        ),
    ],
)
def test_query_errors_exit_1_with_the_error_in_the_answer(capsys, argv, message):
    assert main(argv) == 1
    assert message in capsys.readouterr().out


def test_query_with_bad_variables_is_one_line(capsys):
    assert main(["query", "{ stats { nodeCount } }", "--variables", "[1, 2"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ballerina-kg query: --variables is not JSON") and err.count("\n") == 1


def test_usage_errors_exit_2():
    result = subprocess.run(
        [sys.executable, "-m", "server", "export", "--format", "pdf"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 2
    assert "invalid choice: 'pdf'" in result.stderr and "Traceback" not in result.stderr

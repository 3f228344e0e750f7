"""The ballerina-kg command: each subcommand on the real seeds, and its failures as one message."""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import os
import shutil
import signal
import stat
import subprocess
import sys

import networkx as nx
import pytest

from server import atomic_file, cli
from server.cli import main
from server.exports import FORMATS
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
    assert err.strip() == (
        "ballerina-kg export: --kind: unknown node kind 'spaceship' (known: character, person, "
        "place, organization, object, work, symbol, theme, event)"
    )
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
    document = (
        "query A { stats { nodeCount } } query B($id: String!) { entity(name: $id) { name } }"
    )
    assert (
        main(["query", document, "--operation", "B", "--variables", '{"id": "lamborghini"}']) == 0
    )
    assert json.loads(capsys.readouterr().out) == {
        "data": {"entity": {"name": "Choi's Lamborghini"}}
    }


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["query", "{ nope }"], "Cannot query field 'nope'"),
        (
            ["query", "{ entities(first: 5000) { totalCount } }"],
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


# Arguments checked before any work ------------------------------------------------------------


def _usage_error(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as exit:
        main(argv)
    assert exit.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("usage: ballerina-kg")
    return err.splitlines()[-1]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "99999"], "argument --port: must be between 1 and 65535, got 99999"),
        (["--port", "-1"], "argument --port: must be between 1 and 65535, got -1"),
        (["--port", "0"], "argument --port: must be between 1 and 65535, got 0"),
        (["--port", "http"], "argument --port: not an integer: 'http'"),
        (["--workers", "0"], "argument --workers: must be at least 1, got 0"),
        (["--log-level", "bogus"], "argument --log-level: invalid choice: 'bogus'"),
    ],
)
def test_serve_refuses_arguments_out_of_range_before_starting(capsys, argv, message):
    assert message in _usage_error(capsys, ["serve", *argv])


def test_the_log_levels_offered_are_uvicorns():
    import uvicorn.config

    from server.workers import LOG_LEVELS

    assert set(LOG_LEVELS) == set(uvicorn.config.LOG_LEVELS)


def test_export_radius_is_bounded_as_over_http(tmp_path, capsys, client):
    over_http = client.get("/export/graph.gexf", params={"center": "ok-ju", "radius": "10"})
    assert over_http.status_code == 400
    message = over_http.json()["error"].removeprefix("radius: ")
    assert main(["export", "--center", "ok-ju", "--radius", "10", "-o", str(tmp_path / "x")]) == 1
    assert capsys.readouterr().err == f"ballerina-kg export: --radius: {message}\n"
    assert list(tmp_path.iterdir()) == []


# query: the document and the variables --------------------------------------------------------


def test_query_from_a_file_that_is_not_utf8(tmp_path, capsys):
    document = tmp_path / "q.graphql"
    text = "{ stats { nodeCount } } # café".encode("latin-1")
    document.write_bytes(text)
    assert main(["query", f"@{document}"]) == 1
    err = capsys.readouterr().err
    where = f"byte 0xe9 at offset {text.index(0xE9)}"
    assert err == f"ballerina-kg query: {document} is not UTF-8 text ({where})\n"


def test_query_from_an_endless_file_reads_no_more_than_a_request_holds(capsys):
    assert main(["query", "@/dev/zero"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "ballerina-kg query: /dev/zero is larger than 100,000 bytes, "
        "the most the service reads in a request\n"
    )


def test_query_from_a_folder_or_a_missing_file(tmp_path, capsys):
    assert main(["query", f"@{tmp_path}"]) == 1
    assert capsys.readouterr().err == (
        f"ballerina-kg query: cannot read the document: {tmp_path}: Is a directory\n"
    )
    assert main(["query", f"@{tmp_path / 'nope'}"]) == 1
    assert "No such file or directory" in capsys.readouterr().err


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [cli.MAX_VARIABLES_DEPTH + 1, 2_000, 100_000])
def test_query_variables_nested_too_deeply_are_one_message(capsys, depth):
    variables = f'{{"id": "ok-ju", "deep": {_nested(depth - 1)}}}'
    assert main(["query", "{ stats { nodeCount } }", "--variables", variables]) == 1
    assert capsys.readouterr().err == (
        f"ballerina-kg query: --variables nests deeper than {cli.MAX_VARIABLES_DEPTH} levels\n"
    )


def test_query_variables_nested_up_to_the_bound_are_passed_on(capsys):
    variables = f'{{"id": "ok-ju", "deep": {_nested(cli.MAX_VARIABLES_DEPTH - 1)}}}'
    document = "query($id: String!) { entity(name: $id) { name } }"
    assert main(["query", document, "--variables", variables]) == 0
    assert json.loads(capsys.readouterr().out) == {"data": {"entity": {"name": "Jang Ok-ju"}}}


# export -o: the whole file or none, with the usual mode -------------------------------------


def test_export_into_a_folder_says_so_and_leaves_nothing(tmp_path, capsys):
    assert main(["export", "-o", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (
        f"ballerina-kg export: {tmp_path} is a directory; -o names the file to write\n"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_export_gives_the_file_the_usual_mode(tmp_path, umask):
    previous = os.umask(umask)
    try:
        assert main(["export", "--kind", "place", "-o", str(tmp_path / "places.gexf")]) == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "places.gexf").stat().st_mode) == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir()] == ["places.gexf"]


def test_export_through_a_symlink_replaces_the_file_it_points_to(tmp_path):
    (tmp_path / "real.json").write_text("old")
    (tmp_path / "link.json").symlink_to("real.json")
    assert (
        main(["export", "--format", "json", "--kind", "place", "-o", str(tmp_path / "link.json")])
        == 0
    )
    assert (tmp_path / "link.json").is_symlink()
    assert json.loads((tmp_path / "real.json").read_text())["nodes"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]


@contextlib.contextmanager
def disposition(signum: int, handler):
    """``signum`` handled by ``handler`` inside, whatever this process inherited (a background
    job starts with SIGINT ignored)."""
    previous = signal.signal(signum, handler)
    try:
        yield
    finally:
        signal.signal(signum, previous)


def _signalled_midway(signum: int, folder):
    """The real GEXF export, with ``signum`` sent to this process once the first chunk is out."""
    real = FORMATS["gexf"]

    def signalled_midway(graph):
        chunks = real.iter_bytes(graph)
        yield next(chunks)
        assert any(p.name.endswith(".part") for p in folder.iterdir())
        os.kill(os.getpid(), signum)
        yield from chunks

    return {**FORMATS, "gexf": dataclasses.replace(real, iter_bytes=signalled_midway)}


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_export_stopped_by_a_signal_leaves_the_old_file_and_no_other(
    tmp_path, capsys, monkeypatch, signum
):
    target = tmp_path / "graph.gexf"
    target.write_bytes(b"the previous export")
    monkeypatch.setattr(cli, "FORMATS", _signalled_midway(signum, tmp_path))
    usual = signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL
    with disposition(signum, usual):
        assert main(["export", "-o", str(target)]) == 128 + signum
        assert signal.getsignal(signum) is usual
    name = signal.Signals(signum).name
    assert capsys.readouterr().err == f"ballerina-kg export: stopped by {name}; nothing written\n"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.gexf"]
    assert target.read_bytes() == b"the previous export"


def test_export_leaves_a_signal_the_process_ignores_ignored(tmp_path, ballerina, monkeypatch):
    # `nohup ballerina-kg export -o ...` must finish despite the hang-up.
    target = tmp_path / "graph.gexf"
    monkeypatch.setattr(cli, "FORMATS", _signalled_midway(signal.SIGHUP, tmp_path))
    with disposition(signal.SIGHUP, signal.SIG_IGN):
        assert main(["export", "-o", str(target)]) == 0
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    assert target.read_bytes() == b"".join(FORMATS["gexf"].iter_bytes(ballerina.graph))
    assert [p.name for p in tmp_path.iterdir()] == ["graph.gexf"]


def test_export_that_fails_at_the_last_sync_leaves_the_old_file(tmp_path, capsys, monkeypatch):
    target = tmp_path / "graph.graphml"
    target.write_bytes(b"the previous export")

    def disk_full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic_file.os, "fsync", disk_full)
    assert main(["export", "--format", "graphml", "-o", str(target)]) == 1
    assert capsys.readouterr().err == "ballerina-kg export: No space left on device\n"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.graphml"]
    assert target.read_bytes() == b"the previous export"


def _unshare_mount_works() -> bool:
    if shutil.which("unshare") is None or os.geteuid() != 0:
        return False
    probe = subprocess.run(
        ["unshare", "--mount", "true"], capture_output=True, timeout=30, check=False
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _unshare_mount_works(), reason="needs root and `unshare --mount`")
@pytest.mark.parametrize("where", ["early", "at the end"])
def test_export_onto_a_file_system_that_fills_up_leaves_no_file(tmp_path, ballerina, where):
    # A real full disk: a small tmpfs, mounted in a mount namespace of the command's own.
    size = len(b"".join(FORMATS["gexf"].iter_bytes(ballerina.graph)))
    room = 16 * 1024 if where == "early" else size // 4096 * 4096
    assert room < size
    mount = tmp_path / "small"
    mount.mkdir()
    script = (
        f"mount -t tmpfs -o size={room} none {mount} && "
        f'{sys.executable} -m server export -o {mount}/graph.gexf; echo "exit $?"; ls -A {mount}'
    )
    result = subprocess.run(
        ["unshare", "--mount", "sh", "-c", script],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert result.stdout == "exit 1\n", result.stdout + result.stderr
    assert result.stderr == "ballerina-kg export: No space left on device\n"


def test_query_variables_with_a_huge_integer_are_one_message(capsys):
    variables = '{"id": ' + "1" * 5_000 + "}"
    assert main(["query", "{ stats { nodeCount } }", "--variables", variables]) == 1
    assert capsys.readouterr().err == (
        "ballerina-kg query: --variables holds a number too long to read\n"
    )


@pytest.mark.parametrize("flag", ["--head-timeout", "--timeout-keep-alive"])
@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "soon"])
def test_serve_refuses_timeouts_that_would_close_every_connection_or_none(capsys, flag, value):
    with pytest.raises(SystemExit) as stop:
        main(["serve", flag, value])
    assert stop.value.code == 2
    assert f"argument {flag}" in capsys.readouterr().err

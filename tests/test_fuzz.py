"""Property-based fuzzing of everything a client controls: GraphQL documents generated from the
live schema, the export filters, and the command line's arguments.

Whatever is generated, the answer is well-formed and any error is one of the expected, named
kinds; nothing is ever "Internal server error", a 500, an uncaught exception or a traceback.
Runs are deterministic (``derandomize``, no example database) and small, to keep the suite fast.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import string
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
import yaml
from graphql import StringValueNode, Visitor, parse, print_ast, visit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, queries
from starlette.testclient import TestClient

from graph.model import KINDS, RELATION_TYPES, ROLES
from schema import build_schema
from server import cli, workers
from server.settings import Settings
from tests.conftest import SEEDS


def fuzz(max_examples: int) -> settings:
    """Deterministic and modest: the same examples on every machine, a few seconds a test."""
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,  # each request is bounded by the service's own time limit instead
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


GRJ = "application/graphql-response+json"
#: Short, so that a generated query that asks for a lot is cut rather than waited for.
FUZZ_TIME_LIMIT = 0.5
#: The codes of errors meant for clients; anything else would be a bug.
EXPECTED_CODES = {"BAD_USER_INPUT", "NOT_FOUND", "AMBIGUOUS_NAME", "TIME_LIMIT_EXCEEDED"}
#: The extensions of the error of a request stopped at FUZZ_TIME_LIMIT.
TIME_LIMIT = {"code": "TIME_LIMIT_EXCEEDED", "limit": "request_timeout", "seconds": FUZZ_TIME_LIMIT}
#: What a document refused for crossing a static limit is told.
LIMIT_MESSAGES = re.compile(
    r"exceeds maximum operation depth|aliases found\. Allowed|tokens\. Parsing aborted"
)


def _ids(name: str) -> list[str]:
    entries = yaml.safe_load((SEEDS / name).read_text(encoding="utf-8"))
    return [str(entry["id"]) for entry in entries]


#: Strings that mean something to the graph: ids, names, aliases, vocabulary, and near misses.
#: Random strings almost never name a node, so generated arguments are often replaced by these.
MEANINGFUL = sorted(
    {
        *(
            line.strip()
            for line in (SEEDS.parent / "tests" / "stable_ids.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")
        ),
        *_ids("documents.yaml"),
        *_ids("annotations/disputes.yaml"),
        *KINDS,
        *RELATION_TYPES,
        *ROLES,
        "Chef Choi",
        "Jeon Jong-seo",
        "lamborgini",
        "발레리나",
        "Ballerina",
        "b2Zmc2V0OjQ=",  # a cursor this API gives out
        # global ids of every Node type, and near misses
        "relation:ok-ju/owns/truck",
        "dispute:vehicle-to-beach",
        "claim:vehicle-to-beach/truck",
        "claim:vehicle-to-beach",
        "document:plot-recap",
        "villain:choi-pro",
    }
)


# --- GraphQL documents from the live schema --------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_client(ballerina) -> Iterator[TestClient]:
    from server.app import create_app

    app = create_app(ballerina, Settings(request_timeout=FUZZ_TIME_LIMIT))
    with TestClient(app) as client:
        yield client


#: The schema the service serves, as graphql-core sees it: what the documents are drawn from.
LIVE_SCHEMA = build_schema()._schema


@st.composite
def documents(draw: st.DrawFn, mode: Mode) -> str:
    text = draw(queries(LIVE_SCHEMA, mode=mode))

    class MeaningfulStrings(Visitor):
        def enter_string_value(self, node: StringValueNode, *_: object) -> StringValueNode | None:
            if draw(st.booleans()):
                return StringValueNode(value=draw(st.sampled_from(MEANINGFUL)))
            return None

    return print_ast(visit(parse(text), MeaningfulStrings()))


def post(client: TestClient, document: str):
    return client.post(
        "/graphql",
        content=json.dumps({"query": document}).encode("ascii"),
        headers={"content-type": "application/json", "accept": GRJ},
    )


def assert_well_formed(response) -> dict:
    assert response.status_code in (200, 400), response.text
    assert response.headers["content-type"].startswith(GRJ)
    body = json.loads(response.content.decode("utf-8"))
    assert set(body) <= {"data", "errors"} and body, body
    for error in body.get("errors", ()):
        assert isinstance(error["message"], str) and error["message"], error
        assert error["message"] != "Internal server error", error
        assert error["extensions"]["code"], error
    return body


@pytest.mark.slow
@fuzz(200)
@given(document=documents(Mode.POSITIVE))
def test_valid_documents_get_data_or_named_errors(fuzz_client, document):
    body = assert_well_formed(post(fuzz_client, document))
    if "data" not in body:
        # Refused before execution: only a static limit may do that, or the request's time
        # limit passing while the document was still being read (a busy machine).
        for error in body["errors"]:
            assert LIMIT_MESSAGES.search(error["message"]) or (
                error["extensions"] == TIME_LIMIT and "path" not in error
            ), body
        return
    for error in body.get("errors", ()):
        code = error.get("extensions", {}).get("code")
        assert code in EXPECTED_CODES, error
        # A field's error names the field; the time limit, when it passes before the first
        # field (a busy machine), is the request's, and has no path.
        assert error.get("path") or code == "TIME_LIMIT_EXCEEDED", error


@pytest.mark.slow
@fuzz(100)
@given(document=documents(Mode.NEGATIVE))
def test_invalid_documents_are_400_with_the_reason(fuzz_client, document):
    response = post(fuzz_client, document)
    body = assert_well_formed(response)
    if response.status_code == 400:
        assert "data" not in body and body["errors"], body
    else:  # the violation is one only execution can see (a value out of range, say)
        assert all(e.get("extensions", {}).get("code") in EXPECTED_CODES for e in body["errors"])


# --- export filters -----------------------------------------------------------------------------

EXPORT_PARAMETERS = ("kind", "relation", "document", "certainty", "center", "radius")
_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)
_values = st.one_of(
    st.sampled_from(sorted(KINDS)),
    st.sampled_from(sorted(RELATION_TYPES)),
    st.sampled_from(MEANINGFUL),
    st.sampled_from(["plot-recap", "QA-REVIEW", "stated", "HEDGED", "inferred"]),
    st.integers(-3, 6).map(str),
    st.sampled_from(["", " ", ",", "1e309", "99999999999999999999", "٣", "0x2", "1_0"]),
    st.lists(st.sampled_from(sorted(KINDS)), min_size=2, max_size=4).map(",".join),
    _text,
)
# Mostly the real parameters, one time in eight anything at all.
_names = st.integers(0, 7).flatmap(
    lambda i: _text if i == 0 else st.sampled_from(EXPORT_PARAMETERS)
)
_pairs = st.lists(st.tuples(_names, _values), max_size=3)


@fuzz(100)
@given(
    extension=st.sampled_from(["gexf", "gexf", "graphml", "json"])
    | st.text(string.ascii_letters + string.digits + "-._~", min_size=1, max_size=8),
    pairs=_pairs,
)
def test_export_filters_answer_the_graph_or_name_the_bad_parameter(client, extension, pairs):
    response = client.get(f"/export/graph.{extension}", params=pairs)
    if response.status_code == 200:
        assert response.content.startswith((b"<?xml", b"{")), response.content[:100]
        return
    assert response.status_code in (400, 404), (response.status_code, response.text[:300])
    error = response.json()
    assert {"error", "parameter", "value"} <= set(error) <= {"error", "parameter", "value", "known"}
    if response.status_code == 404:
        assert error["parameter"] == "format" and "no export format" in error["error"]
    else:
        names = {name.strip() for name, _ in pairs} | {name for name, _ in pairs}
        assert error["parameter"] in names, (error, pairs)
        assert error["error"].startswith(error["parameter"]), error


@pytest.mark.parametrize(
    ("query_string", "status", "parameter"),
    [
        ("kind=%FF", 400, "kind"),
        ("center=%00", 400, "center"),
        ("radius=1e309&center=ok-ju", 400, "radius"),
        ("radius=99999999999999999999&center=ok-ju", 400, "radius"),
        ("center=" + "a" * 5000, 400, "center"),
        ("center=ok-ju&radius=%D9%A3", 200, None),  # an Arabic-Indic 3: still three
        ("%FF=1", 400, "\N{REPLACEMENT CHARACTER}"),
    ],
)
def test_export_query_strings_that_are_not_text_or_not_numbers(
    client, query_string, status, parameter
):
    response = client.get(f"/export/graph.gexf?{query_string}")
    assert response.status_code == status, response.text[:300]
    if parameter is not None:
        assert response.json()["parameter"] == parameter


# --- the command line ----------------------------------------------------------------------------

#: Text a shell can pass: anything but NUL (argv cannot hold one), including the lone surrogates
#: U+DC80..U+DCFF that stand for bytes of an argument that are not UTF-8.
_arg = st.lists(
    st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00")
    | st.sampled_from([chr(code) for code in range(0xDC80, 0xDD00)]),
    max_size=15,
).map("".join)  # not st.text, which would draw the surrogates in proportion: almost never
_documents = st.sampled_from(
    [
        "{ stats { nodeCount } }",
        '{ entity(name: "ok-ju") { name } }',
        '{ path(from: "nobody", to: "ok-ju") { found } }',
        "{ entities(first: 1000) { totalCount } }",
        "query($id: String!) { entity(name: $id) { id } }",
        "query A { stats { nodeCount } } query B { disputes { id } }",
        "{",
        "",
        "@/nonexistent/query.graphql",
        "@/dev/zero",
        "@",
    ]
)
#: --variables nested from not at all to far past what the JSON reader can follow.
_nested_variables = st.integers(0, 3_000).map(lambda d: '{"x": ' + "[" * d + "]" * d + "}")


def _cli_argv(
    seeds: st.SearchStrategy[str],
    output: st.SearchStrategy[str],
    documents: st.SearchStrategy[str] = _documents,
) -> st.SearchStrategy:
    # Mostly nothing after the command; sometimes help, a dangling option or a stray word.
    junk = st.lists(st.sampled_from(["--seeds", "--help", "-h", "--nope"]) | _arg, max_size=1)
    common = st.integers(0, 3).flatmap(lambda i: junk if i == 0 else st.just([]))
    export = st.tuples(
        st.just(["export"]),
        st.lists(
            st.tuples(
                st.sampled_from(
                    ["--format", "--kind", "--relation", "--document", "--certainty"]
                    + ["--center", "--radius"]
                ),
                st.sampled_from(
                    ["gexf", "json", "character", "kills", "plot-recap", "hedged", "ok-ju"]
                    + ["2", "-1", "3", "4", "10"]
                )
                | _arg,
            ).map(list),
            max_size=4,
        ).map(lambda pairs: [x for pair in pairs for x in pair]),
        st.lists(st.tuples(st.just("-o"), output).map(list), max_size=1).map(
            lambda pairs: [x for pair in pairs for x in pair]
        ),
    ).map(lambda parts: [x for part in parts for x in part])
    query = st.tuples(
        st.just(["query"]),
        st.lists(documents | _arg, min_size=0, max_size=1),
        st.lists(
            st.tuples(
                st.sampled_from(["--variables", "--operation"]),
                st.sampled_from(['{"id": "ok-ju"}', "[1]", "{", "null", "A", "B"])
                | _nested_variables
                | _arg,
            ).map(list),
            max_size=2,
        ).map(lambda pairs: [x for pair in pairs for x in pair]),
    ).map(lambda parts: [x for part in parts for x in part])
    command = st.one_of(st.just(["validate"]), export, query, st.lists(_arg, max_size=2))
    return st.tuples(
        st.lists(st.tuples(st.just("--seeds"), seeds).map(list), max_size=1).map(
            lambda pairs: [x for pair in pairs for x in pair]
        ),
        command,
        common,
    ).map(lambda parts: [x for part in parts for x in part])


@contextlib.contextmanager
def captured() -> Iterator[tuple[io.TextIOWrapper, io.TextIOWrapper]]:
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")  # with .buffer, for exports
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        yield out, err


def run_cli(argv: list[str], graph) -> tuple[int, str, bytes]:
    real_load = cli.load_or_build

    def load(seeds: Path, snapshots: Path | None):
        # The built-in seeds are loaded once for the whole module; any other folder for real.
        return graph if Path(seeds) == SEEDS else real_load(seeds, snapshots)

    with mock.patch.object(cli, "load_or_build", load), captured() as (out, err):
        try:
            status = cli.main(argv)
        except SystemExit as exit:  # argparse: usage errors (2) and --help (0)
            status = exit.code if isinstance(exit.code, int) else 1
        out.flush()
        err.flush()
        stdout, stderr = out.buffer.getvalue(), err.buffer.getvalue().decode("utf-8")
    return status, stderr, stdout


@pytest.fixture(scope="module")
def cli_outputs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli-outputs")


@pytest.fixture(scope="module")
def cli_inputs(tmp_path_factory) -> list[str]:
    """``@FILE`` documents that are not what a query file should be."""
    folder = tmp_path_factory.mktemp("cli-inputs")
    latin1 = folder / "latin1.graphql"
    latin1.write_bytes('{ entity(name: "Café") { id } }'.encode("latin-1"))
    binary = folder / "random.bin"
    binary.write_bytes(bytes(range(256)) * 4)
    large = folder / "large.graphql"
    large.write_text("{ stats { nodeCount } } #" + "x" * 100_000)
    return [f"@{path}" for path in (latin1, binary, large, folder)]


def _said_once(stderr: str) -> bool:
    """One message: one line, or argparse's usage and its error, or the list of seed problems."""
    lines = stderr.rstrip("\n").split("\n")  # not splitlines: an argument may hold U+0085
    if stderr.startswith("ballerina-kg: the seeds in "):
        return True
    if stderr.startswith("usage: ballerina-kg"):
        return re.match(r"ballerina-kg( \w+)?: error: ", lines[-1]) is not None
    return len(lines) == 1 and lines[0].startswith("ballerina-kg ")


@fuzz(80)
@given(data=st.data())
def test_cli_arguments_exit_0_1_or_2_without_a_traceback(ballerina, cli_outputs, cli_inputs, data):
    seeds = st.sampled_from([str(SEEDS), str(cli_outputs / "no-seeds-here"), "", "."]) | _arg
    # Output files only ever go into the test's own folder (or are the folder itself).
    names = _arg.filter(lambda name: name and "/" not in name and name not in (".", ".."))
    output = names.map(lambda name: str(cli_outputs / name)) | st.just(str(cli_outputs))
    documents = _documents | st.sampled_from(cli_inputs)
    argv = data.draw(_cli_argv(seeds, output, documents), label="argv")
    status, stderr, stdout = run_cli(argv, ballerina)
    assert status in (0, 1, 2), (argv, status, stderr)
    assert "Traceback" not in stderr, (argv, stderr)
    if status:
        # A failure says why: on stderr, or (a query) as the errors of the answer it prints.
        said = stderr.strip() or (stdout and "errors" in json.loads(stdout))
        assert said, (argv, stdout, stderr)
        assert not stderr or _said_once(stderr), (argv, stderr)
    # Whatever happened, no partial export is left behind.
    assert not [p.name for p in cli_outputs.rglob("*.part")], argv


_ports = st.integers(-70_000, 70_000).map(str) | st.sampled_from(["0", "65535", "65536", "8k"])
_serve_options = st.one_of(
    st.tuples(st.just("--port"), _ports | _arg),
    st.tuples(st.just("--workers"), st.integers(-3, 8).map(str) | _arg),
    st.tuples(
        st.just("--log-level"), st.sampled_from([*workers.LOG_LEVELS, "bogus", "INFO"]) | _arg
    ),
    st.tuples(st.just("--host"), st.sampled_from(["127.0.0.1", "::1", "localhost"])),
    st.just(("--reload",)),
)


@fuzz(80)
@given(options=st.lists(_serve_options, max_size=4))
def test_cli_serve_arguments_are_checked_before_anything_starts(ballerina, options):
    argv = ["serve", *(part for option in options for part in option)]
    started = []
    with mock.patch.object(cli, "serve_command", lambda args: started.append(args) or 0):
        status, stderr, _ = run_cli(argv, ballerina)
    assert "Traceback" not in stderr, (argv, stderr)
    if status == 0:
        (args,) = started
        assert 1 <= args.port <= 65_535 and args.workers >= 1, argv
        assert args.log_level in workers.LOG_LEVELS, argv
    else:
        assert status == 2 and not started, (argv, status)
        assert _said_once(stderr), (argv, stderr)


def test_cli_serve_with_bad_arguments_is_a_usage_error(ballerina):
    for argv in (["serve", "--port", "http"], ["serve", "--workers", "many"], ["serve", "--nope"]):
        status, stderr, _ = run_cli(argv, ballerina)
        assert status == 2 and "usage: ballerina-kg" in stderr, (argv, stderr)


def test_cli_query_with_a_lone_surrogate(ballerina):
    argv = [
        "query",
        "query($x: String!) { entity(name: $x) { id } }",
        "--variables",
        '{"x": "\\ud800"}',
    ]
    status, stderr, _ = run_cli(argv, ballerina)
    assert status in (0, 1) and "Traceback" not in stderr

"""``ballerina-kg``: serve, export, validate and query the knowledge graph from a shell.

Every failure is one clear message on stderr and a non-zero exit status, never a traceback:
2 for a usage error (argparse's, which also checks ``serve``'s port, workers and log level
before anything starts), 1 for everything else (bad seeds, a bad query, an unwritable file),
and 128 plus the signal's number for an export stopped by SIGINT, SIGTERM or SIGHUP (which
leaves no file).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import httpx
import networkx as nx

from graph import receipts
from graph.build import build_graph
from graph.errors import SelectionError
from graph.filters import parse_filter
from graph.load import load_knowledge_base
from graph.model import Document
from graph.problems import AnnotationError
from graph.subgraph import selected
from server.atomic_file import Terminated, replacing
from server.exports import FORMATS, TABLES, gexf
from server.graphql_http.params import MAX_JSON_DEPTH, nests_deeper_than
from server.settings import (
    DEFAULT_SEEDS,
    EXECUTION_MODES,
    SNAPSHOT_OFF,
    SettingError,
    Settings,
    default_snapshot_dir,
    environment,
    parse_size,
    parse_snapshot_dir,
    parse_timeout,
)
from server.snapshot import load_or_build
from server.workers import add_server_arguments, server_options

if TYPE_CHECKING:
    from graph.knowledge import KnowledgeGraph

#: Deepest nesting of ``--variables``: the endpoint's bound on a request body
#: (server.graphql_http.params), less the body object that holds the variables.
MAX_VARIABLES_DEPTH = MAX_JSON_DEPTH - 1

#: ``export --format csv``: Neo4j's node and edge tables and the LOAD CSV script, into a folder.
CSV_FORMAT = "csv"

#: The options of ``export``, by the argument of :func:`graph.filters.parse_filter` each gives.
EXPORT_OPTIONS = {
    "kinds": "--kind",
    "relation_types": "--relation",
    "documents": "--document",
    "certainty": "--certainty",
    "center": "--center",
    "radius": "--radius",
}


class CommandError(Exception):
    """A failure to report as one line and exit 1."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    # Each subcommand sets its ``run`` (set_defaults); argparse's Namespace holds it as Any.
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except AnnotationError as error:
        print(f"ballerina-kg: the seeds in {args.seeds} are not valid.\n{error}", file=sys.stderr)
    except BrokenPipeError:
        # The reader went away (`| head`): nothing more to write, and nothing worth saying.
        _discard_stdout()
    except (CommandError, SelectionError, SettingError) as error:
        print(f"ballerina-kg {args.command}: {error}", file=sys.stderr)
    except OSError as error:
        print(f"ballerina-kg {args.command}: {_describe(error)}", file=sys.stderr)
    except Terminated as stop:
        print(f"ballerina-kg {args.command}: {stop}; nothing written", file=sys.stderr)
        return 128 + stop.signum
    except KeyboardInterrupt:
        print(f"ballerina-kg {args.command}: interrupted", file=sys.stderr)
        return 130
    return 1


def _describe(error: OSError) -> str:
    """``FILE: reason``, without the ``[Errno N]`` prefix that says nothing to a user."""
    if error.filename is not None and error.strerror:
        return f"{error.filename}: {error.strerror}"
    return error.strerror or str(error)


def _discard_stdout() -> None:
    # Python flushes stdout once more at exit, which would raise again: point it at nothing.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (captured output)
        pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ballerina-kg",
        description="A cited knowledge graph of the film Ballerina (2023), served over GraphQL.",
    )
    parser.add_argument(
        "--seeds",
        type=Path,
        default=Path(os.environ.get("BALLERINA_SEEDS") or DEFAULT_SEEDS),
        help="seed folder (documents.yaml, the texts, annotations/); default: the built-in one",
    )
    parser.add_argument(
        "--snapshot-dir",
        type=_setting(parse_snapshot_dir),
        metavar="DIR",
        help="folder of the built graph's snapshot, loaded when the seeds and the code are "
        f"unchanged, or {SNAPSHOT_OFF!r} to build at every start (default: "
        "$BALLERINA_SNAPSHOT_DIR, else $XDG_CACHE_HOME/ballerina-kg)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the service (GraphQL, GraphiQL, exports)")
    add_server_arguments(serve)
    serve.add_argument("--reload", action="store_true", help="restart when the code changes")
    # Settings of the GraphQL endpoint (server.settings.Settings), passed to every worker.
    serve.add_argument(
        "--request-timeout",
        type=_setting(parse_timeout),
        metavar="SECONDS",
        help="time limit of one GraphQL request, or 'none' (default 10)",
    )
    serve.add_argument(
        "--response-cache",
        action=argparse.BooleanOptionalAction,
        help="replay error-free answers to repeated queries (default on)",
    )
    serve.add_argument(
        "--response-cache-bytes",
        type=_setting(parse_size),
        metavar="BYTES",
        help="budget of the response cache per worker (default 64000000)",
    )
    serve.add_argument(
        "--compiled-plans",
        action=argparse.BooleanOptionalAction,
        help="run queries on compiled plans; off: graphql-core's executor only (default on)",
    )
    serve.add_argument(
        "--execution",
        choices=EXECUTION_MODES,
        help="where answers are computed (default loop-then-thread)",
    )
    serve.set_defaults(run=serve_command)

    export = commands.add_parser("export", help="write the graph (or part of it) to a file")
    export.add_argument("--format", choices=sorted([*FORMATS, CSV_FORMAT]), default="gexf")
    export.add_argument(
        "--kind", action="append", help="keep nodes of this kind, in either case (repeatable)"
    )
    export.add_argument(
        "--relation",
        action="append",
        help="keep edges of this relation type or participant role (repeatable)",
    )
    export.add_argument(
        "--document",
        action="append",
        help="keep the claims cited from this document id: what it says (repeatable)",
    )
    export.add_argument(
        "--certainty",
        action="append",
        help="keep the claims of this certainty: stated, hedged or inferred (repeatable)",
    )
    export.add_argument(
        "--center", help="ego network around this node (its id or any name the articles use)"
    )
    export.add_argument(
        "--radius", type=int, help="ego network radius (default 1, at most as over HTTP)"
    )
    export.add_argument(
        "--keep-isolated",
        action="store_true",
        help="with --relation, --document or --certainty, keep the nodes no kept edge joins too",
    )
    export.add_argument(
        "-o",
        "--output",
        type=Path,
        help="output file (default: standard output); for --format csv, the folder of its files",
    )
    export.add_argument(
        "--network",
        choices=("graph", "cooccurrence"),
        default="graph",
        help="the knowledge graph (default) or the sentence co-occurrence network (of one "
        "--document, or of all)",
    )
    export.add_argument(
        "--ids",
        choices=("slug", "numeric"),
        default="slug",
        help="GEXF node ids: the nodes' own (default) or 0, 1, 2 ... for NetworKit",
    )
    export.set_defaults(run=export_command)

    validate = commands.add_parser("validate", help="check the seeds and print a summary")
    validate.add_argument(
        "--sample",
        type=int,
        metavar="N",
        help="instead of the report, print N citations drawn at random, each with its claim, "
        "for a reader to check against the articles",
    )
    validate.add_argument("--seed", type=int, default=0, help="random seed of --sample")
    validate.set_defaults(run=validate_command)

    query = commands.add_parser("query", help="run a GraphQL query and print the JSON answer")
    query.add_argument("document", help="the GraphQL document, or @FILE to read it from a file")
    query.add_argument("--variables", default=None, help="variables as a JSON object")
    query.add_argument(
        "--operation", default=None, help="operation name, for a document of several"
    )
    query.set_defaults(run=query_command)
    return parser


def serve_command(args: argparse.Namespace) -> int:
    from server.workers import serve

    options = server_options(args)
    graph = _graph(args)  # refuse to start on bad seeds, with every problem listed
    os.environ["BALLERINA_SEEDS"] = str(args.seeds)
    if args.snapshot_dir is not None:
        os.environ["BALLERINA_SNAPSHOT_DIR"] = args.snapshot_dir
    # The endpoint's settings travel in the environment: Settings.from_env() reads them here,
    # before the workers fork, and in the reloader's process.
    os.environ.update(
        environment(
            request_timeout=args.request_timeout,
            response_cache=args.response_cache,
            response_cache_bytes=args.response_cache_bytes,
            compiled_plans=args.compiled_plans,
            execution=args.execution,
        )
    )
    if args.reload:
        # Development only: uvicorn's reloader runs the app by name in a process of its own,
        # which builds its graph from the seeds as they are at each reload.
        import uvicorn

        uvicorn.run(
            "server.app:create_app",
            factory=True,
            reload=True,
            host=options.host,
            port=options.port,
            log_level=options.log_level,
            access_log=options.access_log,
            loop="uvloop",
            http="server.protocol:BoundedHeadProtocol",  # by name: the reloader spawns
            ws="none",
        )
        return 0
    from server.app import create_app

    # Built once, here: with --workers N, every worker (and every replacement of one) is a fork
    # of this process and serves this graph; the seeds are not read again (server.workers).
    return serve(create_app(graph, Settings.from_env()), options, workers=args.workers)


def _graph(args: argparse.Namespace) -> KnowledgeGraph:
    """The graph of ``--seeds``, from its snapshot where ``--snapshot-dir`` (or the
    environment, or the default) has a good one (server.snapshot)."""
    chosen = args.snapshot_dir or os.environ.get("BALLERINA_SNAPSHOT_DIR", "").strip()
    try:
        snapshots = parse_snapshot_dir(chosen) if chosen else default_snapshot_dir()
    except ValueError:
        raise CommandError(f"BALLERINA_SNAPSHOT_DIR={chosen!r} is not valid") from None
    return load_or_build(args.seeds, snapshots)


def _setting(parse: Callable[[str], object]) -> Callable[[str], str]:
    """An argparse type from a settings parser: the text itself, once it is known valid (the
    workers read it back from the environment)."""

    def check(text: str) -> str:
        try:
            parse(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not valid: {text!r}") from None
        return text

    check.__name__ = parse.__name__.removeprefix("parse_")
    return check


def export_command(args: argparse.Namespace) -> int:
    tables = args.format == CSV_FORMAT
    if tables:
        _check_folder(args.output)
    elif args.output is not None:
        _check_output(args.output)  # before the graph is built: a bad path fails at once
    numeric_ids = args.ids == "numeric"
    if numeric_ids and args.format != "gexf":  # as over HTTP
        raise CommandError(f"--ids numeric is for GEXF only, not {args.format}")
    if args.network == "cooccurrence":
        _check_no_selection(args)
    graph = _graph(args)
    if args.network == "cooccurrence":
        document = args.document[0] if args.document else None
        try:
            # Undirected: the writers read any networkx graph (GEXF says it is undirected).
            chosen = cast("nx.MultiDiGraph[Any]", graph.cooccurrence_network(document).graph)
        except SelectionError as error:
            raise CommandError(f"--document: {error}") from None
    else:
        try:
            # Read and checked as the HTTP exports and GraphQL read and check them.
            checked = parse_filter(
                graph.graph,
                kinds=args.kind,
                relation_types=args.relation,
                documents=args.document,
                certainty=args.certainty,
                center=args.center,
                radius=args.radius,
                keep_isolated=args.keep_isolated,
                names=graph.search.names,
                known_documents=graph.documents,
                max_radius=Settings.from_env().limits.max_radius,
            )
        except SelectionError as error:
            option = EXPORT_OPTIONS.get(error.parameter, error.parameter)
            raise CommandError(f"{option}: {error}") from None
        chosen = selected(graph.graph, checked).graph
    if tables:
        return _write_tables(args.output, chosen, graph.documents)
    if numeric_ids:
        chunks = gexf.iter_bytes(chosen, numeric_ids=True)
    else:
        chunks = FORMATS[args.format].stream(chosen, graph.documents)
    if args.output is None:
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
        sys.stdout.buffer.flush()
        return 0
    # A new file beside the target, renamed over it once whole: never a partial file.
    with replacing(args.output) as out:
        for chunk in chunks:
            out.write(chunk)
    print(
        f"wrote {args.output} ({chosen.number_of_nodes()} nodes, {chosen.number_of_edges()} edges)",
        file=sys.stderr,
    )
    return 0


def _write_tables(
    folder: Path, selected: nx.MultiDiGraph[Any], documents: Mapping[str, Document]
) -> int:
    # Each file is written beside its target and all are renamed into place once all are whole:
    # a failure or a signal part-way leaves the folder as it was.
    with contextlib.ExitStack() as files:
        for name, table in TABLES.items():
            out = files.enter_context(replacing(folder / name))
            for chunk in table.stream(selected, documents):
                out.write(chunk)
    print(
        f"wrote {', '.join(TABLES)} in {folder} ({selected.number_of_nodes()} nodes, "
        f"{selected.number_of_edges()} edges)",
        file=sys.stderr,
    )
    return 0


def _check_folder(output: Path | None) -> None:
    if output is None:
        files = ", ".join(TABLES)
        raise CommandError(f"--format {CSV_FORMAT} writes {files}: -o names their folder")
    if not Path(os.path.realpath(output)).is_dir():
        raise CommandError(f"{output} is not a folder; with --format {CSV_FORMAT}, -o names one")


def _check_no_selection(args: argparse.Namespace) -> None:
    """The co-occurrence network is exported whole (or of one document), as over HTTP."""
    given = [
        flag
        for flag, value in (
            ("--kind", args.kind),
            ("--relation", args.relation),
            ("--center", args.center),
            ("--radius", args.radius),
            ("--certainty", args.certainty),
        )
        if value is not None
    ]
    if args.document is not None and len(args.document) > 1:
        given.append("--document (more than one)")
    if args.format in (CSV_FORMAT, "ttl", "jsonld"):
        given.append(f"--format {args.format}")
    if args.keep_isolated:
        given.append("--keep-isolated")
    if given:
        raise CommandError(f"{', '.join(given)}: not with --network cooccurrence")


def _check_output(output: Path) -> None:
    target = Path(os.path.realpath(output))
    if target.is_dir():
        raise CommandError(f"{output} is a directory; -o names the file to write")
    if not target.parent.is_dir():
        raise CommandError(f"cannot write {output}: folder {target.parent} does not exist")


def validate_command(args: argparse.Namespace) -> int:
    knowledge = load_knowledge_base(Path(args.seeds))
    if args.sample is not None:
        if args.sample < 1:
            raise CommandError("--sample must be at least 1")
        for line in receipts.sample_lines(knowledge, args.sample, args.seed):
            print(line)
        return 0
    graph = build_graph(knowledge)
    counts = graph.counts
    print(f"seeds {args.seeds}: valid")
    print(f"  documents       {counts.documents}")
    print(f"  nodes           {counts.nodes}")
    for kind, n in counts.by_kind:
        print(f"    {kind:<14}{n}")
    print(f"  relations       {counts.relations}")
    print(f"  participations  {counts.participations}")
    print(f"  citations       {counts.citations} (every quote found in its document)")
    print(f"  disputes        {counts.disputes}")
    print("evidence:")
    for line in receipts.report(knowledge, graph.mentions).lines():
        print(f"  {line}")
    return 0


def query_command(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    document = args.document
    if document.startswith("@"):
        document = _read_document(document[1:], settings.max_body_bytes)
    variables = None if args.variables is None else _parse_variables(args.variables)
    body = {"query": document, "variables": variables, "operationName": args.operation}
    status, answer = asyncio.run(_post(_graph(args), settings, body))
    text = json.dumps(answer, indent=2, ensure_ascii=False)
    try:
        print(text)
    except UnicodeEncodeError:
        # A lone surrogate (from argv bytes that are not UTF-8, or a "\ud800" escape) cannot be
        # written as UTF-8: fall back to JSON's ASCII escapes, which say the same thing.
        print(json.dumps(answer, indent=2))
    return 0 if status == 200 and not answer.get("errors") else 1


def _read_document(name: str, max_bytes: int) -> str:
    """The text of ``@FILE``: UTF-8, and no longer than the service reads in one request."""
    try:
        with open(name, "rb") as file:
            data = file.read(max_bytes + 1)  # not more: @/dev/zero must not fill the memory
    except OSError as error:
        raise CommandError(f"cannot read the document: {_describe(error)}") from None
    if len(data) > max_bytes:
        raise CommandError(
            f"{name} is larger than {max_bytes:,} bytes, the most the service reads in a request"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CommandError(
            f"{name} is not UTF-8 text (byte {data[error.start]:#04x} at offset {error.start})"
        ) from None


def _parse_variables(text: str) -> dict[str, Any]:
    try:
        variables = json.loads(text)
    except json.JSONDecodeError as error:
        raise CommandError(f"--variables is not JSON: {error}") from None
    except RecursionError:  # nested past what the reader can follow
        raise _too_deep() from None
    except ValueError:  # Python refuses to read an integer of more than 4,300 digits
        raise CommandError("--variables holds a number too long to read") from None
    if not isinstance(variables, dict):
        raise CommandError("--variables must be a JSON object")
    if nests_deeper_than(variables, MAX_VARIABLES_DEPTH):
        raise _too_deep()
    return variables


def _too_deep() -> CommandError:
    return CommandError(f"--variables nests deeper than {MAX_VARIABLES_DEPTH} levels")


async def _post(
    graph: KnowledgeGraph, settings: Settings, body: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    """Run one request through the real app, limits and all, without a network."""
    from server.app import create_app

    app = create_app(graph, settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://cli") as client:
            response = await client.post(
                "/graphql",
                # ASCII escapes keep lone surrogates (see query_command) valid JSON on the wire.
                content=json.dumps(body).encode("ascii"),
                headers={
                    "accept": "application/graphql-response+json",
                    "content-type": "application/json",
                },
            )
    return response.status_code, response.json()


if __name__ == "__main__":
    sys.exit(main())

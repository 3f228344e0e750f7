"""``ballerina-kg``: serve, export, validate and query the knowledge graph from a shell.

Every failure is one clear message on stderr and a non-zero exit status, never a traceback:
2 for a usage error, 1 for everything else (bad seeds, a bad query, an unwritable file).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import httpx

from graph.build import load_graph
from graph.errors import SelectionError
from graph.problems import AnnotationError
from graph.subgraph import select
from server.exports import FORMATS
from server.settings import DEFAULT_SEEDS, Settings
from server.workers import DEFAULTS, ServeOptions


class CommandError(Exception):
    """A failure to report as one line and exit 1."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except AnnotationError as error:
        print(f"ballerina-kg: the seeds in {args.seeds} are not valid.\n{error}", file=sys.stderr)
    except (CommandError, SelectionError, OSError) as error:
        print(f"ballerina-kg {args.command}: {error}", file=sys.stderr)
    except KeyboardInterrupt:
        return 130
    return 1


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
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the service (GraphQL, GraphiQL, exports)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.add_argument("--reload", action="store_true", help="restart when the code changes")
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--access-log", action="store_true", help="log every request (default off)")
    serve.add_argument(
        "--timeout-keep-alive",
        type=float,
        default=DEFAULTS.timeout_keep_alive,
        help="seconds an idle keep-alive connection stays open (default %(default)g)",
    )
    serve.add_argument(
        "--head-timeout",
        type=float,
        default=DEFAULTS.head_timeout,
        help="seconds a client has to send a whole request head (default %(default)g)",
    )
    serve.set_defaults(run=serve_command)

    export = commands.add_parser("export", help="write the graph (or part of it) to a file")
    export.add_argument("--format", choices=sorted(FORMATS), default="gexf")
    export.add_argument("--kind", action="append", help="keep nodes of this kind (repeatable)")
    export.add_argument("--relation", action="append", help="keep edges of this type (repeatable)")
    export.add_argument("--center", help="ego network around this node id")
    export.add_argument("--radius", type=int, help="ego network radius (default 1)")
    export.add_argument("-o", "--output", type=Path, help="output file (default: standard output)")
    export.set_defaults(run=export_command)

    validate = commands.add_parser("validate", help="check the seeds and print a summary")
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

    options = ServeOptions(
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=args.access_log,
        timeout_keep_alive=args.timeout_keep_alive,
        head_timeout=args.head_timeout,
    )
    graph = load_graph(args.seeds)  # refuse to start on bad seeds, with every problem listed
    os.environ["BALLERINA_SEEDS"] = str(args.seeds)
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


def export_command(args: argparse.Namespace) -> int:
    graph = load_graph(args.seeds)
    selected = select(
        graph,
        kinds=args.kind,
        relation_types=args.relation,
        center=args.center,
        radius=args.radius,
    )
    chunks = FORMATS[args.format].iter_bytes(selected)
    if args.output is None:
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
        sys.stdout.buffer.flush()
        return 0
    # Write beside the target and rename, so a failure never leaves a partial file behind.
    folder = args.output.resolve().parent
    if not folder.is_dir():
        raise CommandError(f"folder {folder} does not exist")
    with tempfile.NamedTemporaryFile("wb", dir=folder, delete=False, suffix=".part") as out:
        try:
            for chunk in chunks:
                out.write(chunk)
        except BaseException:
            out.close()
            os.unlink(out.name)
            raise
    os.replace(out.name, args.output)
    print(
        f"wrote {args.output} ({selected.number_of_nodes()} nodes, "
        f"{selected.number_of_edges()} edges)",
        file=sys.stderr,
    )
    return 0


def validate_command(args: argparse.Namespace) -> int:
    graph = load_graph(args.seeds)
    counts = graph.graph["counts"]
    print(f"seeds {args.seeds}: valid")
    print(f"  documents       {counts['documents']}")
    print(f"  nodes           {counts['nodes']}")
    for kind, n in counts["by_kind"]:
        print(f"    {kind:<14}{n}")
    print(f"  relations       {counts['relations']}")
    print(f"  participations  {counts['participations']}")
    print(f"  citations       {counts['citations']} (every quote found in its document)")
    print(f"  disputes        {counts['disputes']}")
    return 0


def query_command(args: argparse.Namespace) -> int:
    document = args.document
    if document.startswith("@"):
        document = Path(document[1:]).read_text(encoding="utf-8")
    variables = None
    if args.variables is not None:
        try:
            variables = json.loads(args.variables)
        except json.JSONDecodeError as error:
            raise CommandError(f"--variables is not JSON: {error}") from None
        if not isinstance(variables, dict):
            raise CommandError("--variables must be a JSON object")
    body = {"query": document, "variables": variables, "operationName": args.operation}
    status, answer = asyncio.run(_post(load_graph(args.seeds), body))
    text = json.dumps(answer, indent=2, ensure_ascii=False)
    try:
        print(text)
    except UnicodeEncodeError:
        # A lone surrogate (from argv bytes that are not UTF-8, or a "\ud800" escape) cannot be
        # written as UTF-8: fall back to JSON's ASCII escapes, which say the same thing.
        print(json.dumps(answer, indent=2))
    return 0 if status == 200 and not answer.get("errors") else 1


async def _post(graph, body: dict) -> tuple[int, dict]:
    """Run one request through the real app, limits and all, without a network."""
    from server.app import create_app

    app = create_app(graph, Settings.from_env())
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

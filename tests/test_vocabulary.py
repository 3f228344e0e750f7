"""One source for each vocabulary: graph/model.py. The GraphQL enums, the `vocabulary` query, the
explorer's and the GEXF export's colours all come from it, so that adding a node kind, a role or
a relation type is an edit of that one file (shown here end to end, in a subprocess)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from graph.model import KIND_COLORS, KINDS, MEASURES, RELATION_TYPES, ROLES
from schema import build_schema
from tests.conftest import ROOT


def enum_values(name: str) -> dict[str, str]:
    """The values of a GraphQL enum of the schema, with their descriptions (by introspection)."""
    result = build_schema().execute_sync(
        "query($name: String!) { __type(name: $name) { enumValues { name description } } }",
        variable_values={"name": name},
    )
    assert result.errors is None, result.errors
    return {v["name"]: v["description"] for v in result.data["__type"]["enumValues"]}


def test_the_enums_are_the_model_vocabularies() -> None:
    assert enum_values("NodeKind") == {k.upper(): d for k, d in KINDS.items()}
    assert enum_values("Role") == {r.upper(): d for r, d in ROLES.items()}
    assert enum_values("RelationType") == {t.upper(): d for t, d in RELATION_TYPES.items()}
    assert enum_values("Measure") == {m.name: m.description for m in MEASURES.values()}


def test_every_kind_has_a_colour_of_its_own() -> None:
    assert set(KIND_COLORS) == set(KINDS)
    assert len(set(KIND_COLORS.values())) == len(KIND_COLORS)
    assert all(len(c) == 7 and int(c[1:], 16) >= 0 for c in KIND_COLORS.values())


def test_the_vocabulary_query_serves_the_model(gql) -> None:
    body = gql(
        "{ vocabulary { kinds { name description color } roles { name description color }"
        " relationTypes { name description } } }"
    )
    vocabulary = body["data"]["vocabulary"]
    assert vocabulary["kinds"] == [
        {"name": k, "description": d, "color": KIND_COLORS[k]} for k, d in KINDS.items()
    ]
    assert vocabulary["roles"] == [
        {"name": r, "description": d, "color": None} for r, d in ROLES.items()
    ]
    assert vocabulary["relationTypes"] == [
        {"name": t, "description": d} for t, d in RELATION_TYPES.items()
    ]


def test_relation_types_as_an_enum_and_as_strings(gql) -> None:
    body = gql(
        '{ entity(name: "ok-ju") { relations(types: ["kills", "agent"]) { type relationType kind } } }'
    )
    relations = body["data"]["entity"]["relations"]
    assert {(r["type"], r["relationType"], r["kind"]) for r in relations} == {
        ("kills", "KILLS", "RELATION"),
        ("agent", None, "PARTICIPATION"),
    }


# What graph/model.py would say after someone adds a kind, a role and a relation type to it;
# nothing else in the repository changes.
ADDITIONS = {
    # At the start of a line: DOCUMENT_KINDS opens the same way.
    "\nKINDS: dict[str, str] = {": '"vehicle": "a car, a truck or a bike",',
    "KIND_COLORS: dict[str, str] = {": '"vehicle": "#123456",',
    "ROLES: dict[str, str] = {": '"driver": "who drives",',
    "RELATION_TYPES: dict[str, str] = {": '"drives": "someone drives a vehicle",',
}

SCRIPT = """
import importlib.util, json, shutil, sys, tempfile
from pathlib import Path

# graph/model.py as it would read after the edit, in the place of the committed one.
source = Path("graph/model.py").read_text(encoding="utf-8")
for opening, entry in json.loads(sys.argv[1]).items():
    assert source.count(opening) == 1, opening
    source = source.replace(opening, opening + "\\n    " + entry)
spec = importlib.util.spec_from_loader("graph.model", loader=None)
model = importlib.util.module_from_spec(spec)
sys.modules["graph.model"] = model
exec(compile(source, "graph/model.py", "exec"), model.__dict__)

from graph.build import load_graph
from schema import Context, Limits, build_schema
from server.exports import gexf
from graph.subgraph import select

seeds = Path(tempfile.mkdtemp()) / "seeds"
shutil.copytree("seeds", seeds)
# Each quote names what it is cited for (graph/receipts.py): the car through a `refers`.
quote = '"Ok-ju decides to wait before killing Choi and takes him, in his own car"'
refers = '{"his own car": the-car}'
with open(seeds / "annotations" / "objects.yaml", "a", encoding="utf-8") as out:
    out.write(f'''
- id: the-car
  kind: vehicle
  name: The car to the beach
  description: What takes Choi to the beach.
  cite:
    - plot-recap: {quote}
      refers: {refers}
''')
with open(seeds / "annotations" / "relations.yaml", "a", encoding="utf-8") as out:
    out.write(f'''
- source: ok-ju
  type: drives
  target: the-car
  cite:
    - plot-recap: {quote}
      refers: {refers}
''')
with open(seeds / "annotations" / "events.yaml", "a", encoding="utf-8") as out:
    out.write(f'''
- id: the-drive
  name: Ok-ju drives to the beach
  description: Ok-ju drives Choi to the beach.
  story_order: 100000
  participants:
    - {{entity: ok-ju, role: driver, cite: [{{plot-recap: {quote}}}]}}
    - entity: the-car
      role: instrument
      cite:
        - plot-recap: {quote}
          refers: {refers}
  cite:
    - plot-recap: {quote}
''')

K = load_graph(seeds)
result = build_schema().execute_sync(
    '''{
      entity(name: "the-car") { __typename kind relations { type relationType } }
      event(id: "the-drive") { participants(role: DRIVER) { role node { id } } }
      entities(kinds: [VEHICLE]) { totalCount }
      vocabulary { kinds { name color } roles { name } relationTypes { name } }
    }''',
    context_value=Context(graph=K, limits=Limits()),
)
assert result.errors is None, result.errors
document = b"".join(gexf.iter_bytes(select(K.graph, center="the-car", radius=0))).decode()
print(json.dumps({"data": result.data, "gexf": document}))
"""


def test_a_kind_a_role_and_a_relation_type_are_added_in_graph_model_alone() -> None:
    import json

    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(SCRIPT), json.dumps(ADDITIONS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    data = found["data"]
    assert data["entity"] == {
        "__typename": "Vehicle",
        "kind": "VEHICLE",
        "relations": [
            {"type": "instrument", "relationType": None},  # of the drive
            {"type": "drives", "relationType": "DRIVES"},
        ],
    }
    assert data["event"] == {"participants": [{"role": "DRIVER", "node": {"id": "ok-ju"}}]}
    assert data["entities"] == {"totalCount": 1}
    vocabulary = data["vocabulary"]
    assert {"name": "vehicle", "color": "#123456"} in vocabulary["kinds"]
    assert {"name": "driver"} in vocabulary["roles"]
    assert {"name": "drives"} in vocabulary["relationTypes"]
    assert '<viz:color r="18" g="52" b="86"/>' in found["gexf"]  # #123456

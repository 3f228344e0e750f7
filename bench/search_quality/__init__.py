"""Search quality: does `search` find what the articles' words mean, and `passages` the
sentences that answer a question? ``python -m bench.run search-quality``.

Two lists, kept here beside this module:

- ``names.yaml``: surface forms the five articles use for the graph's entities, each with the
  node it means and the document it occurs in;
- ``questions.yaml``: questions a reader might ask, each with the sentences that answer them
  (document and a verbatim quote within one sentence).

Both are asked through the GraphQL schema, in process, against the built-in graph, and scored
by top-1 accuracy (the expected node, or an answering sentence, comes first), mean reciprocal
rank (over the first 10) and recall@5. For names, also how many ``entity(name:)`` resolves to the
node meant (an ambiguous name is an error, so a miss).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.knowledge import KnowledgeGraph
from graph.load import parse_yaml

HERE = Path(__file__).resolve().parent
NAMES = HERE / "names.yaml"
QUESTIONS = HERE / "questions.yaml"
#: Ranks looked at: MRR counts a hit up to here, recall up to RECALL_AT.
DEPTH = 10
RECALL_AT = 5


@dataclass(frozen=True, slots=True)
class Name:
    form: str
    node: str
    document: str


@dataclass(frozen=True, slots=True)
class Question:
    question: str
    #: (document, quote) pairs, any of which answers it
    answers: tuple[tuple[str, str], ...]


def names() -> list[Name]:
    return [Name(e["form"], e["node"], e["document"]) for e in parse_yaml(NAMES.read_text())]


def questions() -> list[Question]:
    return [
        Question(
            e["question"],
            tuple(next(iter(answer.items())) for answer in e["answers"]),
        )
        for e in parse_yaml(QUESTIONS.read_text())
    ]


def _scores(ranks: list[int | None]) -> dict[str, float]:
    """Top-1, MRR and recall@5 of 1-based ranks (``None``: not in the first DEPTH)."""
    n = len(ranks)
    return {
        "count": n,
        "top1": sum(r == 1 for r in ranks) / n,
        "mrr": sum(1 / r for r in ranks if r is not None) / n,
        f"recall@{RECALL_AT}": sum(r is not None and r <= RECALL_AT for r in ranks) / n,
    }


def _rank(found: list[bool]) -> int | None:
    return next((at for at, hit in enumerate(found, 1) if hit), None)


SEARCH = f"query($t: String!) {{ search(text: $t, first: {DEPTH}) {{ node {{ id }} }} }}"
NODE = "query($t: String!) { entity(name: $t) { id } }"
PASSAGES = (
    f"query($t: String!) {{ passages(text: $t, first: {DEPTH}) {{ text document {{ id }} }} }}"
)


def measure(K: KnowledgeGraph) -> dict[str, Any]:
    """Ask every name and question of the lists; the scores, and what was missed."""
    from schema import Context, Limits, build_schema

    schema = build_schema()
    context = Context(graph=K, limits=Limits())

    def ask(query: str, text: str) -> Any:
        result = schema.execute_sync(query, {"t": text}, context_value=context)
        return result.data

    # An ambiguous name asked of entity(name:) is an error by design: not worth a logged traceback.
    log = logging.getLogger("strawberry.execution")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        return _measure(ask)
    finally:
        log.setLevel(level)


def _measure(ask) -> dict[str, Any]:
    from graph.quotes import normalize
    from schema.ids import document_id

    name_ranks, resolved, missed = [], 0, []
    for name in names():
        hits = [h["node"]["id"] for h in ask(SEARCH, name.form)["search"]]
        rank = _rank([node == name.node for node in hits])
        name_ranks.append(rank)
        if rank != 1:
            missed.append({"form": name.form, "expected": name.node, "got": hits[:3]})
        answer = ask(NODE, name.form)
        resolved += bool(answer and answer["entity"] and answer["entity"]["id"] == name.node)

    question_ranks, unanswered = [], []
    for question in questions():
        passages = ask(PASSAGES, question.question)["passages"]
        found = [
            any(
                document_id(doc) == p["document"]["id"] and normalize(quote) in normalize(p["text"])
                for doc, quote in question.answers
            )
            for p in passages
        ]
        rank = _rank(found)
        question_ranks.append(rank)
        if rank is None or rank > RECALL_AT:
            first = passages[0]["text"][:100] if passages else None
            unanswered.append({"question": question.question, "rank": rank, "first": first})

    names_scores = _scores(name_ranks)
    names_scores["node_resolves"] = resolved / len(name_ranks)
    return {
        "names": names_scores,
        "questions": _scores(question_ranks),
        "names_missed": missed,
        "questions_missed": unanswered,
    }

"""Read the seed folder into a :class:`~graph.model.KnowledgeBase`, verifying every quote.

Layout of a seed folder::

    documents.yaml            the documents: id, file, title, kind, date
    *.txt                     the documents' text, unchanged
    annotations/events.yaml   plot events
    annotations/relations.yaml
    annotations/disputes.yaml
    annotations/*.yaml        any other file holds entities (characters.yaml, places.yaml, ...)

Loading never stops at the first problem: every one found is collected and reported together in
an :class:`~graph.problems.AnnotationError`, so that a bad annotation never yields a partial graph.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ryaml

from graph.collector import collector_paused
from graph.model import (
    Citation,
    Claim,
    Dispute,
    Document,
    Entity,
    Event,
    KnowledgeBase,
    Participation,
    Relation,
)
from graph.problems import AnnotationError, Problem
from graph.quotes import NormalizedText
from graph.validate import validate

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SPECIAL_FILES = ("events.yaml", "relations.yaml", "disputes.yaml")

ENTITY_FIELDS = {
    "id",
    "kind",
    "name",
    "aliases",
    "descriptions",
    "ambiguous",
    "description",
    "cite",
}
EVENT_FIELDS = {
    "id",
    "name",
    "description",
    "story_order",
    "narrative_order",
    "narrative",
    "aliases",
    "participants",
    "cite",
}
PARTICIPANT_FIELDS = {"entity", "role", "cite", "note", "claim"}
RELATION_FIELDS = {"id", "source", "type", "target", "claim", "note", "cite"}
DISPUTE_FIELDS = {"id", "question", "about", "claims", "preferred", "reason"}
CLAIM_FIELDS = {"id", "statement", "cite"}
DOCUMENT_FIELDS = {"id", "file", "title", "kind", "date", "url", "sha256"}


# ryaml (libyaml's parser ported to Rust, serde building the values) reads YAML 1.2 into plain
# lists, mappings, strings, numbers, booleans and nulls about ten times faster than PyYAML on
# libyaml, which is what makes a seed folder of a million edges load in seconds. It refuses
# duplicate keys, several documents in one file and alias bombs, and never constructs objects:
# a tag is ignored, and the value it tags is checked like any other.
_LOCATION = re.compile(r" at line (\d+) column (\d+)")
_ENTRY_PATH = re.compile(r"^\.\[(\d+)\](\S*): ")


class YAMLProblem(ValueError):
    """A file that is not valid YAML: ``line`` and ``column`` (1-based) where known."""

    def __init__(self, detail: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(detail)
        self.detail, self.line, self.column = detail, line, column

    def __str__(self) -> str:
        where = f" (line {self.line}, column {self.column})" if self.line else ""
        return f"is not valid YAML{where}: {self.detail}"


def parse_yaml(raw: str) -> Any:
    """The value of one YAML document; :class:`YAMLProblem` says where and why it is not one."""
    try:
        return ryaml.loads(raw)
    except ValueError as exc:  # ryaml's InvalidYamlError, or a complex key Python cannot hash
        detail = str(exc).removeprefix("TypeError: ")
        where = _LOCATION.search(detail)
        if where:
            detail = detail[: where.start()] + detail[where.end() :]
        # ryaml names the value by its path, ".[0].cite[1]": the seeds call it "entry 1".
        detail = _ENTRY_PATH.sub(_entry_label, detail).replace("duplicate entry with", "duplicate")
        line, column = (int(where[1]), int(where[2])) if where else (None, None)
        raise YAMLProblem(detail, line, column) from None


def _entry_label(path: re.Match[str]) -> str:
    inside = path[2].removeprefix(".")
    return f"entry {int(path[1]) + 1}" + (f" {inside}" if inside else "") + ": "


class _Reader:
    """Collects problems while turning parsed YAML into records."""

    def __init__(self, seeds: Path) -> None:
        self.seeds = seeds
        self.problems: list[Problem] = []
        self.documents: dict[str, Document] = {}
        self._normalized: dict[str, NormalizedText] = {}

    def problem(self, file: str, entry: str | None, message: str) -> None:
        self.problems.append(Problem(file, entry, message))

    # -- files ----------------------------------------------------------------------------------

    def read_yaml_list(self, path: Path) -> list[Any]:
        name = path.relative_to(self.seeds).as_posix()
        try:
            raw = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            self.problem(name, None, f"is not UTF-8 text ({exc.reason} at byte {exc.start})")
            return []
        try:
            data = parse_yaml(raw)
        except YAMLProblem as exc:
            self.problem(name, None, str(exc))
            return []
        if data is None:
            self.problem(name, None, "is empty: expected a list of entries")
            return []
        if not isinstance(data, list):
            self.problem(name, None, f"must hold a list of entries, not a {type(data).__name__}")
            return []
        return data

    def entries(self, path: Path, fields: set[str]) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Yield ``(file, entry label, mapping)`` for each well-formed entry of a list file."""
        name = path.relative_to(self.seeds).as_posix()
        for index, entry in enumerate(self.read_yaml_list(path)):
            if not isinstance(entry, dict):
                self.problem(name, f"entry {index + 1}", "must be a mapping of fields")
                continue
            label = str(entry.get("id") or f"entry {index + 1}")
            for unknown in sorted(set(map(str, entry)) - fields):
                self.problem(name, label, f"unknown field {unknown!r} (allowed: {sorted(fields)})")
            yield name, label, entry

    # -- field helpers --------------------------------------------------------------------------

    def text(
        self, file: str, label: str, entry: dict[str, Any], key: str, required: bool = True
    ) -> str | None:
        value = entry.get(key)
        if value is None:
            if required:
                self.problem(file, label, f"missing {key!r}")
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(file, label, f"{key!r} must be a non-empty string, not {value!r}")
            return None
        return value.strip()

    def ident(self, file: str, label: str, entry: dict[str, Any], key: str = "id") -> str | None:
        value = self.text(file, label, entry, key)
        if value is not None and not ID_PATTERN.match(value):
            self.problem(file, label, f"{key} {value!r} is not a lowercase-hyphenated slug")
            return None
        return value

    def strings(self, file: str, label: str, entry: dict[str, Any], key: str) -> tuple[str, ...]:
        value = entry.get(key, [])
        if value is None:
            return ()
        if not isinstance(value, list) or not all(
            isinstance(v, str | int) and str(v).strip() for v in value
        ):
            self.problem(file, label, f"{key!r} must be a list of non-empty strings")
            return ()
        return tuple(str(v).strip() for v in value)

    def integer(
        self, file: str, label: str, entry: dict[str, Any], key: str, required: bool
    ) -> int | None:
        value = entry.get(key)
        if value is None:
            if required:
                self.problem(file, label, f"missing {key!r}")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(file, label, f"{key!r} must be an integer, not {value!r}")
            return None
        return value

    def citations(
        self, file: str, label: str, entry: dict[str, Any], required: bool = True
    ) -> tuple[Citation, ...]:
        raw = entry.get("cite")
        if raw is None or raw == []:
            if required:
                self.problem(file, label, "has no citation: add `cite: [{document-id: quote}]`")
            return ()
        if not isinstance(raw, list):
            self.problem(file, label, "'cite' must be a list of {document-id: quote} mappings")
            return ()
        found: list[Citation] = []
        for item in raw:
            if not (isinstance(item, dict) and len(item) == 1):
                self.problem(file, label, f"citation {item!r} must be one {{document-id: quote}}")
                continue
            ((document, quote),) = item.items()
            if document not in self.documents:
                known = ", ".join(sorted(self.documents))
                self.problem(file, label, f"cites unknown document {document!r} (known: {known})")
                continue
            if not isinstance(quote, str) or not quote.strip():
                self.problem(file, label, f"citation of {document!r} has an empty quote")
                continue
            span = self._normalized[document].locate(quote)
            if span is None:
                self.problem(file, label, f"quote not found in {document}: {quote!r}")
                continue
            found.append(
                Citation(document, self.documents[document].text[span[0] : span[1]], *span)
            )
        return tuple(found)

    # -- sections -------------------------------------------------------------------------------

    def read_documents(self) -> None:
        path = self.seeds / "documents.yaml"
        if not path.is_file():
            self.problem("documents.yaml", None, f"not found in {self.seeds}")
            return
        for file, label, entry in self.entries(path, DOCUMENT_FIELDS):
            doc_id = self.ident(file, label, entry)
            name = self.text(file, label, entry, "file")
            title = self.text(file, label, entry, "title")
            kind = self.text(file, label, entry, "kind")
            date = entry.get("date")
            if doc_id is None or name is None or title is None or kind is None:
                continue
            if doc_id in self.documents:
                self.problem(file, doc_id, "duplicate document id")
                continue
            text_path = self.seeds / name
            try:
                raw = text_path.read_bytes()
                text = raw.decode("utf-8")
            except FileNotFoundError:
                self.problem(file, doc_id, f"text file {name!r} not found")
                continue
            except UnicodeDecodeError as exc:
                self.problem(
                    file, doc_id, f"{name} is not UTF-8 ({exc.reason} at byte {exc.start})"
                )
                continue
            expected = entry.get("sha256")
            if expected is not None and hashlib.sha256(raw).hexdigest() != expected:
                self.problem(
                    file,
                    doc_id,
                    f"{name} has changed since it was annotated "
                    "(its sha256 differs): re-check every quote, then update sha256",
                )
                continue
            self.documents[doc_id] = Document(
                doc_id,
                name,
                title,
                kind,
                None if date is None else str(date),
                text,
                entry.get("url"),
            )
            self._normalized[doc_id] = NormalizedText.of(text)

    def read_entities(self, path: Path) -> Iterator[Entity]:
        for file, label, entry in self.entries(path, {*ENTITY_FIELDS}):
            ident = self.ident(file, label, entry)
            kind = self.text(file, label, entry, "kind")
            name = self.text(file, label, entry, "name")
            description = self.text(file, label, entry, "description") or ""
            aliases = self.strings(file, label, entry, "aliases")
            ambiguous = self.strings(file, label, entry, "ambiguous")
            descriptions = self.strings(file, label, entry, "descriptions")
            cites = self.citations(file, label, entry)
            if ident and kind and name:
                yield Entity(
                    ident, kind, name, aliases, description, cites, ambiguous, file, descriptions
                )

    def read_events(self, path: Path) -> Iterator[Event]:
        for file, label, entry in self.entries(path, EVENT_FIELDS):
            ident = self.ident(file, label, entry)
            name = self.text(file, label, entry, "name")
            description = self.text(file, label, entry, "description") or ""
            story = self.integer(file, label, entry, "story_order", required=True)
            told = self.integer(file, label, entry, "narrative_order", required=False)
            narrative = self.text(file, label, entry, "narrative", required=False)
            cites = self.citations(file, label, entry)
            participants = tuple(self.read_participants(file, label, entry))
            if ident and name and story is not None:
                yield Event(
                    ident,
                    name,
                    description,
                    story,
                    participants,
                    cites,
                    told,
                    narrative,
                    self.strings(file, label, entry, "aliases"),
                    file,
                )

    def read_participants(
        self, file: str, label: str, entry: dict[str, Any]
    ) -> Iterator[Participation]:
        raw = entry.get("participants")
        if not isinstance(raw, list) or not raw:
            self.problem(file, label, "'participants' must be a non-empty list")
            return
        for index, item in enumerate(raw):
            where = f"{label} participant {index + 1}"
            if not isinstance(item, dict):
                self.problem(file, where, "must be a mapping with 'entity' and 'role'")
                continue
            for unknown in sorted(set(map(str, item)) - PARTICIPANT_FIELDS):
                self.problem(file, where, f"unknown field {unknown!r}")
            entity = self.text(file, where, item, "entity")
            role = self.text(file, where, item, "role")
            cites = self.citations(file, where, item, required=False)
            note = self.text(file, where, item, "note", required=False) or ""
            claim = self.text(file, where, item, "claim", required=False)
            if entity and role:
                yield Participation(entity, role, cites, note, claim)

    def read_relations(self, path: Path) -> Iterator[Relation]:
        for file, label, entry in self.entries(path, RELATION_FIELDS):
            source = self.text(file, label, entry, "source")
            kind = self.text(file, label, entry, "type")
            target = self.text(file, label, entry, "target")
            derived = f"{source}/{kind}/{target}" if source and kind and target else None
            ident = self.ident(file, label, entry) if "id" in entry else derived
            label = ident or label
            cites = self.citations(file, label, entry)
            claim = self.text(file, label, entry, "claim", required=False)
            note = self.text(file, label, entry, "note", required=False) or ""
            if ident and source and kind and target:
                yield Relation(ident, source, kind, target, cites, claim, note, file)

    def read_disputes(self, path: Path) -> Iterator[Dispute]:
        for file, label, entry in self.entries(path, DISPUTE_FIELDS):
            ident = self.ident(file, label, entry)
            question = self.text(file, label, entry, "question")
            about = self.strings(file, label, entry, "about")
            preferred = self.text(file, label, entry, "preferred", required=False)
            reason = self.text(file, label, entry, "reason", required=False)
            claims: list[Claim] = []
            raw = entry.get("claims")
            if not isinstance(raw, list) or len(raw) < 2:
                self.problem(file, label, "a dispute needs a list of at least two 'claims'")
                raw = raw if isinstance(raw, list) else []
            for index, item in enumerate(raw):
                where = f"{label} claim {index + 1}"
                if not isinstance(item, dict):
                    self.problem(file, where, "must be a mapping with id, statement and cite")
                    continue
                for unknown in sorted(set(map(str, item)) - CLAIM_FIELDS):
                    self.problem(file, where, f"unknown field {unknown!r}")
                claim_id = self.ident(file, where, item)
                where = f"{label}/{claim_id}" if claim_id else where
                statement = self.text(file, where, item, "statement")
                cites = self.citations(file, where, item)
                if claim_id and statement:
                    claims.append(Claim(claim_id, statement, cites))
            if ident and question:
                yield Dispute(ident, question, about, tuple(claims), preferred, reason, file)


@collector_paused
def read_knowledge_base(seeds: Path) -> tuple[KnowledgeBase, list[Problem]]:
    """Parse the seed folder. Returns what could be read and the problems met on the way."""
    reader = _Reader(Path(seeds))
    reader.read_documents()
    folder = reader.seeds / "annotations"
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not files:
        reader.problem("annotations", None, f"no annotation files (*.yaml) in {folder}")
    entities: list[Entity] = []
    events: list[Event] = []
    relations: list[Relation] = []
    disputes: list[Dispute] = []
    for path in files:
        if path.name == "events.yaml":
            events.extend(reader.read_events(path))
        elif path.name == "relations.yaml":
            relations.extend(reader.read_relations(path))
        elif path.name == "disputes.yaml":
            disputes.extend(reader.read_disputes(path))
        else:
            entities.extend(reader.read_entities(path))
    kb = KnowledgeBase(
        reader.documents, tuple(entities), tuple(events), tuple(relations), tuple(disputes)
    )
    return kb, reader.problems


def load_knowledge_base(seeds: Path) -> KnowledgeBase:
    """Parse and validate the seed folder; raise :class:`AnnotationError` listing every problem."""
    kb, problems = read_knowledge_base(seeds)
    problems += validate(kb)
    if problems:
        raise AnnotationError(problems)
    return kb

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

import dataclasses
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ryaml

from graph import mentions, receipts
from graph.collector import collector_paused
from graph.model import (
    CERTAINTIES,
    Citation,
    Claim,
    Dispute,
    Document,
    Entity,
    Event,
    KnowledgeBase,
    MentionRule,
    MentionRules,
    Participation,
    Reference,
    Relation,
    Verdict,
)
from graph.problems import AnnotationError, Problem
from graph.quotes import NormalizedText, normalize
from graph.seedfiles import SeedFileMissing, SeedFileProblem, SeedFileTooLarge, read_seed_file
from graph.validate import document_fields, validate

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Every claim (a description, a participation, a relation, a dispute's claim) may say how firmly
# its quotes support it: `certainty` (graph.model.CERTAINTIES) and, for an inferred one, `reason`.
CERTAINTY_FIELDS = {"certainty", "reason"}
ENTITY_FIELDS = {"id", "kind", "name", "aliases", "descriptions", "ambiguous", "description"}
ENTITY_FIELDS |= {"cite"} | CERTAINTY_FIELDS
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
    *CERTAINTY_FIELDS,
}
PARTICIPANT_FIELDS = {"entity", "role", "cite", "note", "claim", *CERTAINTY_FIELDS}
RELATION_FIELDS = {"id", "source", "type", "target", "claim", "note", "cite", *CERTAINTY_FIELDS}
DISPUTE_FIELDS = {"id", "question", "about", "claims", "preferred", "reason"}
CLAIM_FIELDS = {"id", "statement", "cite", *CERTAINTY_FIELDS}
MENTION_FIELDS = {"forms", "rules"}
MENTION_RULE_FIELDS = {"entity", "before", "after", "why"}
#: Keys a citation may carry beside its `document-id: quote` pair (graph.model.Citation).
CITATION_FIELDS = {"refers", "hedge", "erratum"}
DOCUMENT_FIELDS = {"id", "file", "title", "kind", "date", "url", "sha256", "verdict"}
VERDICT_FIELDS = {"about", "statement", "cite", *CERTAINTY_FIELDS}
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
#: The largest document text the loader reads. Every quote is searched for in the text and every
#: alias counted in it, so a text costs time and memory in proportion; the film's articles are
#: 3 to 9 kB.
MAX_DOCUMENT_BYTES = 1_000_000


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
        # ryaml imports loads from its extension module without listing it in __all__, which
        # strict mypy does not count as an export; it is ryaml's documented entry point.
        return ryaml.loads(raw)  # type: ignore[attr-defined]
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


def _yaml_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null"
    return "mapping" if isinstance(value, dict) else "list"


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
            raw = read_seed_file(self.seeds, name).decode("utf-8")
        except SeedFileMissing:
            self.problem(name, None, f"not found in {self.seeds}")
            return []
        except SeedFileProblem as exc:
            self.problem(name, None, str(exc))
            return []
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

    def items(
        self, file: str, label: str, raw: list[Any], fields: set[str], needs: str
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """``(label n, mapping)`` of each well-formed item of a list inside an entry
        (participants, claims, rules), naming any item that is no mapping or has unknown fields."""
        for index, item in enumerate(raw):
            where = f"{label} {index + 1}"
            if not isinstance(item, dict):
                self.problem(file, where, f"must be a mapping with {needs}")
                continue
            for unknown in sorted(set(map(str, item)) - fields):
                self.problem(file, where, f"unknown field {unknown!r}")
            yield where, item

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
        if not isinstance(value, list):
            self.problem(file, label, f"{key!r} must be a list of non-empty strings")
            return ()
        found: list[str] = []
        for index, item in enumerate(value, start=1):
            if isinstance(item, str) and item.strip():
                found.append(item.strip())
            elif isinstance(item, str):
                self.problem(file, label, f"{key!r} item {index} is an empty string")
            else:
                # YAML 1.2 reads `true` as a boolean and `2023` or `0x10` as numbers; turned
                # back into text they would be "True", "2023" and "16", names nobody wrote.
                self.problem(
                    file,
                    label,
                    f"{key!r} item {index} must be a string, not the YAML "
                    f"{_yaml_type(item)} {item!r}: put it in quotes",
                )
        return tuple(found)

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
            citation = self.citation(file, label, item)
            if citation is not None:
                found.append(citation)
        return tuple(found)

    def citation(self, file: str, label: str, item: object) -> Citation | None:
        """One ``{document-id: quote}``, with optional ``refers``, ``hedge`` and ``erratum``."""
        pairs = (
            [(k, v) for k, v in item.items() if k not in CITATION_FIELDS]
            if isinstance(item, dict)
            else []
        )
        if not isinstance(item, dict) or len(pairs) != 1:
            self.problem(
                file,
                label,
                f"citation {item!r} must be one {{document-id: quote}} "
                f"(with optional {', '.join(sorted(CITATION_FIELDS))})",
            )
            return None
        ((document, quote),) = pairs
        if document not in self.documents:
            known = ", ".join(sorted(self.documents))
            self.problem(file, label, f"cites unknown document {document!r} (known: {known})")
            return None
        if not isinstance(quote, str) or not quote.strip():
            self.problem(file, label, f"citation of {document!r} has an empty quote")
            return None
        span = self._normalized[document].locate(quote)
        if span is None:
            where = (
                "only inside words (a quote begins and ends on word boundaries)"
                if normalize(quote) in self._normalized[document].text
                else ""
            )
            self.problem(
                file, label, f"quote not found in {document}{where and ' ' + where}: {quote!r}"
            )
            return None
        text = self.documents[document].text[span[0] : span[1]]
        refers = self.references(file, label, item.get("refers"), text)
        notes = {}
        for key in ("hedge", "erratum"):
            value = item.get(key)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                self.problem(file, label, f"citation's {key!r} must be a non-empty string")
                value = None
            notes[key] = (value or "").strip()
        return Citation(document, text, *span, refers, notes["hedge"], notes["erratum"])

    def references(self, file: str, label: str, raw: object, quote: str) -> tuple[Reference, ...]:
        """A citation's ``refers: {text in the quote: entity-id}``, each text found in the quote."""
        if raw is None:
            return ()
        if not isinstance(raw, dict) or not raw:
            self.problem(file, label, "a citation's 'refers' must map text in the quote to an id")
            return ()
        found = []
        haystack = normalize(quote).casefold()
        for text, entity in raw.items():
            if not isinstance(text, str) or not isinstance(entity, str) or not text.strip():
                self.problem(file, label, f"refers {text!r}: {entity!r} must map text to an id")
                continue
            words = re.escape(normalize(text).casefold())
            if not re.search(rf"(?<!\w){words}(?!\w)", haystack):
                self.problem(file, label, f"refers {text!r}, which is not in the quote {quote!r}")
                continue
            found.append(Reference(text.strip(), entity.strip()))
        return tuple(found)

    def certainty(self, file: str, label: str, entry: dict[str, Any]) -> tuple[str, str]:
        """The claim's ``certainty`` (default ``stated``) and its ``reason``."""
        value = entry.get("certainty", "stated")
        reason = self.text(file, label, entry, "reason", required=False) or ""
        if value not in CERTAINTIES:
            self.problem(
                file, label, f"unknown certainty {value!r} (known: {', '.join(CERTAINTIES)})"
            )
            return "stated", reason
        return value, reason

    # -- sections -------------------------------------------------------------------------------

    def read_mention_rules(self, path: Path) -> Iterator[MentionRules]:
        for file, label, entry in self.entries(path, MENTION_FIELDS):
            forms = self.strings(file, label, entry, "forms")
            label = forms[0] if forms else label
            if not forms:
                self.problem(file, label, "'forms' must list the surface forms the rules resolve")
            raw = entry.get("rules")
            if not isinstance(raw, list) or not raw:
                self.problem(file, label, "'rules' must be a non-empty list")
                continue
            rules = []
            for where, item in self.items(
                file, f"{label} rule", raw, MENTION_RULE_FIELDS, "'entity'"
            ):
                entity = self.text(file, where, item, "entity")
                patterns = {}
                for key in ("before", "after"):
                    value = item.get(key, "")
                    try:
                        re.compile(value)
                    except (re.error, TypeError) as exc:
                        self.problem(file, where, f"{key!r} is not a regular expression: {exc}")
                        value = ""
                    patterns[key] = value
                why = self.text(file, where, item, "why", required=False) or ""
                if entity:
                    rules.append(MentionRule(entity, patterns["before"], patterns["after"], why))
            yield MentionRules(forms, tuple(rules), file)

    def verdict(self, file: str, doc_id: str, raw: object) -> Verdict | None:
        """A document's verdict: a claim of that document, so cited from it and no other."""
        where = f"{doc_id} verdict"
        if not isinstance(raw, dict):
            self.problem(file, where, "must be a mapping with about, statement and cite")
            return None
        for unknown in sorted(set(map(str, raw)) - VERDICT_FIELDS):
            self.problem(file, where, f"unknown field {unknown!r}")
        about = self.text(file, where, raw, "about")
        statement = self.text(file, where, raw, "statement")
        cites = self.citations(file, where, raw)
        for citation in cites:
            if citation.document != doc_id:
                self.problem(
                    file, where, f"cites {citation.document}: a verdict cites its own text"
                )
        certainty, reason = self.certainty(file, where, raw)
        if about is None or statement is None:
            return None
        return Verdict(about, statement, cites, certainty, reason)

    def read_documents(self) -> None:
        for file, label, entry in self.entries(self.seeds / "documents.yaml", DOCUMENT_FIELDS):
            doc_id = self.ident(file, label, entry)
            label = doc_id or label
            name = self.text(file, label, entry, "file")
            title = self.text(file, label, entry, "title")
            kind = self.text(file, label, entry, "kind")
            date = self.text(file, label, entry, "date", required=False)
            url = self.text(file, label, entry, "url", required=False)
            for message in document_fields(kind, date):
                self.problem(file, label, message)
            expected = self.checksum(file, label, entry)
            raw = None if name is None else self.document_bytes(file, label, name)
            if doc_id is not None and doc_id in self.documents:
                self.problem(file, doc_id, "duplicate document id")
                continue
            if doc_id is None or name is None or title is None or kind is None or raw is None:
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                self.problem(
                    file, doc_id, f"{name} is not UTF-8 ({exc.reason} at byte {exc.start})"
                )
                continue
            if expected is not None and hashlib.sha256(raw).hexdigest() != expected:
                self.problem(
                    file,
                    doc_id,
                    f"{name} has changed since it was annotated "
                    "(its sha256 differs): re-check every quote, then update sha256",
                )
                continue
            # A missing sha256 was named above; the text is kept so that the quotes citing it
            # are still checked.
            self.documents[doc_id] = Document(doc_id, name, title, kind, date, text, url)
            self._normalized[doc_id] = NormalizedText.of(text)
            if entry.get("verdict") is not None:
                verdict = self.verdict(file, doc_id, entry["verdict"])
                if verdict is not None:
                    self.documents[doc_id] = dataclasses.replace(
                        self.documents[doc_id], verdict=verdict
                    )

    def checksum(self, file: str, label: str, entry: dict[str, Any]) -> str | None:
        value = entry.get("sha256")
        if value is None:
            self.problem(file, label, "missing 'sha256' (the sha256sum of its text file)")
            return None
        if not (isinstance(value, str) and SHA256_PATTERN.match(value)):
            self.problem(file, label, f"'sha256' must be 64 lowercase hex digits, not {value!r}")
            return None
        return value

    def document_bytes(self, file: str, label: str, name: str) -> bytes | None:
        """The text file's bytes; ``None`` (and a problem) unless it is a regular file inside the
        seed folder and no larger than :data:`MAX_DOCUMENT_BYTES`."""
        try:
            return read_seed_file(self.seeds, name, max_bytes=MAX_DOCUMENT_BYTES)
        except SeedFileTooLarge as exc:
            self.problem(file, label, f"text file {name!r} {exc} per document")
        except SeedFileProblem as exc:
            self.problem(file, label, f"text file {name!r} {exc}")
        return None

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
            certainty, reason = self.certainty(file, label, entry)
            if ident and kind and name:
                yield Entity(
                    ident,
                    kind,
                    name,
                    aliases,
                    description,
                    cites,
                    ambiguous,
                    file,
                    certainty,
                    reason,
                    descriptions,
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
            certainty, reason = self.certainty(file, label, entry)
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
                    certainty,
                    reason,
                )

    def read_participants(
        self, file: str, label: str, entry: dict[str, Any]
    ) -> Iterator[Participation]:
        raw = entry.get("participants")
        if not isinstance(raw, list) or not raw:
            self.problem(file, label, "'participants' must be a non-empty list")
            return
        items = self.items(
            file, f"{label} participant", raw, PARTICIPANT_FIELDS, "'entity' and 'role'"
        )
        for where, item in items:
            entity = self.text(file, where, item, "entity")
            role = self.text(file, where, item, "role")
            where = f"{label} participant {entity}" if entity else where
            # A participation is a claim of its own: its quotes must name the participant,
            # so it never rests on the event's citations.
            cites = self.citations(file, where, item)
            note = self.text(file, where, item, "note", required=False) or ""
            claim = self.text(file, where, item, "claim", required=False)
            certainty, reason = self.certainty(file, where, item)
            if entity and role:
                yield Participation(entity, role, cites, note, claim, certainty, reason)

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
            certainty, reason = self.certainty(file, label, entry)
            if ident and source and kind and target:
                yield Relation(
                    ident, source, kind, target, cites, claim, note, file, certainty, reason
                )

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
            items = self.items(file, f"{label} claim", raw, CLAIM_FIELDS, "id, statement and cite")
            for where, item in items:
                claim_id = self.ident(file, where, item)
                where = f"{label}/{claim_id}" if claim_id else where
                statement = self.text(file, where, item, "statement")
                cites = self.citations(file, where, item)
                certainty, why = self.certainty(file, where, item)
                if claim_id and statement:
                    claims.append(Claim(claim_id, statement, cites, certainty, why))
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
    mention_rules: list[MentionRules] = []
    for path in files:
        if path.name == "mentions.yaml":
            mention_rules.extend(reader.read_mention_rules(path))
        elif path.name == "events.yaml":
            events.extend(reader.read_events(path))
        elif path.name == "relations.yaml":
            relations.extend(reader.read_relations(path))
        elif path.name == "disputes.yaml":
            disputes.extend(reader.read_disputes(path))
        else:
            entities.extend(reader.read_entities(path))
    kb = KnowledgeBase(
        reader.documents,
        tuple(entities),
        tuple(events),
        tuple(relations),
        tuple(disputes),
        mention_rules=tuple(mention_rules),
    )
    return kb, reader.problems


def load_knowledge_base(seeds: Path) -> KnowledgeBase:
    """Parse and validate the seed folder; raise :class:`AnnotationError` listing every problem."""
    kb, problems = read_knowledge_base(seeds)
    problems += validate(kb)
    problems += receipts.check(kb)
    problems += mentions.check_rules(kb)
    if problems:
        raise AnnotationError(problems)
    return kb

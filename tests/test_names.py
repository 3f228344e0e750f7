"""Names: one look-up for every argument that takes a node, and a search ranking a person would
agree with, on the real graph (issue 16's cases)."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from graph import query as q
from graph.names import AmbiguousName, forms_of, key, words
from graph.quotes import normalize


def data(body: dict) -> dict:
    assert "errors" not in body, body.get("errors")
    return body["data"]


def error_of(body: dict) -> dict:
    (error,) = body["errors"]
    return error


# --- normalisation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("big boss", "the big boss"),
        ("The Big-Boss", "big boss"),
        ("Choi’s boss", "choi's boss"),  # typographic apostrophe
        ("Choi's boss", "Choi boss"),
        ("her best friend", "best friend"),
        ("their old couple", "an old couple"),
        ("Min Hee", "min-hee"),
        ("gun dealers' contact", "gun dealers contact"),
        ("  Jamsu   Bridge ", "jamsu_bridge"),
    ],
)
def test_keys_ignore_case_spacing_hyphens_quotes_articles_and_possessives(a, b) -> None:
    assert key(a) == key(b)


def test_a_leading_word_alone_is_kept_and_inner_words_are() -> None:
    assert words("The") == ["the"]
    assert words("the head of the gang") == ["head", "of", "the", "gang"]
    assert key("Ballerina 2") != key("Ballerina (2023)")


# --- the annotations ------------------------------------------------------------------------------


def test_every_description_is_used_by_some_article(ballerina) -> None:
    """Descriptions, like aliases, are the articles' words, not inventions."""
    texts = " ".join(normalize(d.text) for d in ballerina.documents.values())
    unused = [
        (node, form)
        for node, forms in ballerina.graph.nodes(data="descriptions", default=())
        for form in forms
        if not re.search(rf"(?<!\w){re.escape(normalize(form))}(?!\w)", texts)
    ]
    assert unused == []
    assert sum(len(f) for _, f in ballerina.graph.nodes(data="descriptions", default=())) >= 80


def test_a_name_shared_by_several_nodes_is_marked_ambiguous_by_each(ballerina) -> None:
    """Every key two nodes answer to is marked ``ambiguous`` by each of them (for a form it
    names them by), and a form marked ambiguous is indeed shared: the annotation says what the
    look-up will do."""
    owners: dict[str, set[str]] = defaultdict(set)
    for node, attributes in ballerina.graph.nodes(data=True):
        for form in forms_of(node, attributes):
            owners[key(form.text)].add(node)
    shared = {k: nodes for k, nodes in owners.items() if len(nodes) > 1}
    assert "ballerina" in shared and "friend" in shared
    from graph.load import read_knowledge_base
    from tests.conftest import SEEDS

    kb, _ = read_knowledge_base(SEEDS)
    marked = {(e.id, key(form)) for e in kb.entities for form in e.ambiguous}
    for k, nodes in shared.items():
        for node in nodes:
            assert (node, k) in marked, (node, k)
    for node, k in marked:
        assert len(owners[k]) > 1, (node, k)


# --- the look-up --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "node"),
    [
        ("big boss", "gang-boss"),
        ("The Big Boss", "gang-boss"),
        ("the film’s antagonist", "choi-pro"),
        ("local gangster", "choi-pro"),
        ("ex-bodyguard", "ok-ju"),
        ("old school friend", "min-hee"),
        ("pharmacist friend", "myung-shik"),
        ("the young girl", "schoolgirl"),
        ("dangerous perverts", "choi-customers"),
        ("illegal firearms", "old-guns"),
        ("Ballerina (2023)", "ballerina-2023"),
        ("gang-boss", "gang-boss"),
    ],
)
def test_names_and_descriptions_resolve_to_their_node(ballerina, name, node) -> None:
    assert q.resolve(ballerina, name) == [node]
    assert q.require(ballerina, name) == node


def test_an_ambiguous_name_resolves_to_every_candidate_best_first(ballerina) -> None:
    assert q.resolve(ballerina, "ballerina") == [
        "ballerina-2023",  # named so, and the most central of those named so
        "ballerina-john-wick",
        "ballerina-symbol",
        "ok-ju",  # called so: she takes the name
        "min-hee",  # described so: she is a ballerina
    ]
    with pytest.raises(AmbiguousName) as raised:
        q.require(ballerina, "her friend")
    assert raised.value.candidates == ("min-hee", "schoolgirl")
    assert "her friend" in str(raised.value)


def test_node_lookups_take_any_name_and_refuse_an_ambiguous_one(gql) -> None:
    body = data(
        gql(
            """{ a: entity(name: "big boss") { id } b: character(id: "the film's antagonist") { id }
                 c: place(id: "the bridge") { id } d: object(id: "weapons") { id }
                 e: place(id: "ballerina") { id } }"""
        )
    )
    assert body == {
        "a": {"id": "gang-boss"},
        "b": {"id": "choi-pro"},
        "c": {"id": "jamsu-bridge"},
        "d": {"id": "old-guns"},
        "e": None,  # no place answers to it
    }
    error = error_of(gql('{ entity(name: "Ballerina") { id } }'))
    assert error["extensions"]["code"] == "AMBIGUOUS_NAME"
    assert error["extensions"]["argument"] == "name"
    assert error["extensions"]["candidates"][:2] == ["ballerina-2023", "ballerina-john-wick"]
    # A typed look-up weighs only the candidates of its kind: two characters are still two.
    error = error_of(gql('{ character(id: "ballerina") { id } }'))
    assert error["extensions"]["candidates"] == ["ok-ju", "min-hee"]


@pytest.mark.parametrize(
    ("query", "argument"),
    [
        ('{ path(from: "her friend", to: "ok-ju") { length } }', "from"),
        ('{ path(from: "ok-ju", to: "ballerina") { length } }', "to"),
        ('{ egoNetwork(center: "her friend") { nodes { id } } }', "center"),
        ('{ timeline(participant: "her friend") { id } }', "participant"),
        ('{ timeline(place: "his house") { id } }', "place"),
    ],
)
def test_arguments_that_take_a_node_name_the_candidates_of_an_ambiguous_name(
    gql, query, argument
) -> None:
    error = error_of(gql(query))
    assert error["extensions"]["code"] == "AMBIGUOUS_NAME"
    assert error["extensions"]["argument"] == argument
    assert len(error["extensions"]["candidates"]) >= 2
    assert all(c in error["message"] for c in error["extensions"]["candidates"])


def test_arguments_that_take_a_node_accept_descriptions(gql) -> None:
    body = data(
        gql(
            """{ path(from: "pharmacist friend", to: "the film's antagonist", limit: 1) {
                   source: from { id } target: to { id } length }
                 timeline(participant: "the young girl") { id }
                 egoNetwork(center: "local gangster", radius: 1) { nodes { id } } }"""
        )
    )
    assert body["path"]["source"] == {"id": "myung-shik"}
    assert body["path"]["target"] == {"id": "choi-pro"} and body["path"]["length"] == 1
    assert "schoolgirl-kidnapped" in {e["id"] for e in body["timeline"]}
    assert {"id": "choi-pro"} in body["egoNetwork"]["nodes"]


def test_export_centre_takes_a_name_and_refuses_an_ambiguous_one(client) -> None:
    by_name = client.get("/export/graph.json", params={"center": "local gangster"})
    by_id = client.get("/export/graph.json", params={"center": "choi-pro"})
    assert by_name.status_code == 200 and by_name.content == by_id.content
    ambiguous = client.get("/export/graph.json", params={"center": "ballerina"})
    assert ambiguous.status_code == 400
    body = ambiguous.json()
    assert body["parameter"] == "center" and "ballerina-2023" in body["error"]


# --- the ranking ----------------------------------------------------------------------------------


def search(gql, text: str, first: int = 10) -> list[dict]:
    return data(
        gql(
            "query($t: String!, $n: Int!) { search(text: $t, first: $n) "
            "{ score matched field node { id kind } } }",
            {"t": text, "n": first},
        )
    )["search"]


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("big boss", "gang-boss"),  # not his lair
        ("boss", "gang-boss"),  # the character, before the events
        ("the beach", "beach"),
        ("the bridge", "jamsu-bridge"),
        ("weapons", "old-guns"),
        ("ballerina", "ballerina-2023"),
        ("Jeon Jong-seo", "jeon-jong-seo"),
        ("lamborgini", "lamborghini"),
    ],
)
def test_the_node_a_person_means_comes_first(gql, text, first) -> None:
    hits = search(gql, text)
    assert hits[0]["node"]["id"] == first, hits


@pytest.mark.parametrize("text", ["boss", "the beach", "the bridge", "weapons"])
def test_for_a_noun_phrase_entities_come_before_events(gql, text) -> None:
    kinds = [h["node"]["kind"] for h in search(gql, text) if h["field"] != "PASSAGE"]
    assert "EVENT" in kinds, "the phrase names events too"
    first_event = kinds.index("EVENT")
    assert all(k != "EVENT" for k in kinds[:first_event]) and first_event >= 1


def test_ballerina_returns_every_node_of_that_name_film_first(gql) -> None:
    hits = search(gql, "ballerina")
    ids = [h["node"]["id"] for h in hits]
    assert ids[:5] == [
        "ballerina-2023",
        "ballerina-john-wick",
        "ballerina-symbol",
        "ok-ju",
        "min-hee",
    ]
    assert [h["score"] for h in hits[:5]] == [1.0, 1.0, 1.0, 0.98, 0.95]
    assert [h["field"] for h in hits[:5]] == ["NAME", "NAME", "NAME", "ALIAS", "DESCRIPTION"]


def test_ballerina_2_is_the_sequel_not_the_2023_film(gql) -> None:
    """The alias "Ballerina 2" names the sequel the ending explainer speculates about; the 2023
    film's name is no prefix of it (a number must be a whole word), so it comes well after."""
    hits = search(gql, "Ballerina 2")
    assert (hits[0]["node"]["id"], hits[0]["score"], hits[0]["field"]) == (
        "ballerina-sequel",
        0.98,
        "ALIAS",
    )
    assert all(h["score"] < 0.8 for h in hits[1:]), "no other name is 'Ballerina 2'"


def test_scores_never_increase_and_ties_go_to_the_more_central(gql, ballerina) -> None:
    for text in ["choi", "the", "ok", "drives", "her friend", "house"]:
        hits = search(gql, text, 30)
        scores = [h["score"] for h in hits]
        assert scores == sorted(scores, reverse=True), text
        for a, b in zip(hits, hits[1:], strict=False):
            if a["score"] == b["score"]:
                pa = ballerina.graph.nodes[a["node"]["id"]]["pagerank"]
                pb = ballerina.graph.nodes[b["node"]["id"]]["pagerank"]
                assert pa >= pb - 1e-12, (text, a, b)


def test_matched_is_the_text_that_matched(gql, ballerina) -> None:
    for text in ["choi men", "big boss", "local gangster", "lamborgini", "drug dealer", "choi"]:
        for hit in search(gql, text, 20):
            node = ballerina.graph.nodes[hit["node"]["id"]]
            matched, field = hit["matched"], hit["field"]
            assert matched, hit
            if field == "NAME":
                assert matched == node["name"] or node["name"].startswith(matched), hit
            elif field == "ALIAS":
                assert matched in node["aliases"], hit
            elif field == "DESCRIPTION":
                assert matched in node.get("descriptions", ()) or matched == node["description"]
            elif field == "ID":
                assert matched == hit["node"]["id"] == text
            else:
                assert field == "PASSAGE"
                assert any(matched in d.text for d in ballerina.documents.values())
    hit = search(gql, "choi men", 1)[0]
    assert (hit["matched"], hit["field"]) == ("Choi's men", "NAME")


def test_a_question_no_name_matches_finds_the_nodes_its_answer_mentions(gql) -> None:
    hits = search(gql, "who helped Ok-ju escape the hotel", 5)
    assert hits and all(h["field"] == "PASSAGE" for h in hits)
    assert {"ok-ju", "hotel"} <= {h["node"]["id"] for h in hits}
    assert all(0 < h["score"] <= 0.2 for h in hits)
    assert "helped her escape from the hotel" in hits[0]["matched"]
    # A name that matched, even misspelt, is what was meant: no sentences then.
    assert all(h["field"] != "PASSAGE" for h in search(gql, "lamborgini", 10))


def test_the_fallback_leaves_out_no_word_of_the_films_articles(ballerina, monkeypatch) -> None:
    """The fallback's bound on a word's passages is above the number of the film's sentences,
    so that its answers there are those of the whole query; and the one statement that counts
    every word's passages agrees with counting them one by one."""
    from graph.search import PASSAGE_WORD_LIMIT

    index = ballerina.passages
    assert len(index.passages) < PASSAGE_WORD_LIMIT
    words = ["ok", "ju", "choi", "hotel", "capsules", "zzyzx"]
    count = "SELECT count(*) FROM passage WHERE passage MATCH ?"
    each = [index._db.execute(count, [f'"{w}"']).fetchone()[0] for w in words]
    assert each[0] > 40 and 1 < each[4] <= 40 and each[5] == 0, each
    for limit in (1, 3, 40):
        assert index._found_in_at_most(words, limit) == [n <= limit for n in each]
    assert index._found_in_at_most(words * 40, 3) == [n <= 3 for n in each] * 40  # 240 words
    # Words looked up before are remembered, up to a bound, past which all are forgotten and
    # looked up again: the answers stay the same.
    from graph import passages

    monkeypatch.setattr(passages, "_REMEMBERED_WORDS", 4)
    for limit in (2, 3, 40, 2):
        assert index._found_in_at_most(words[::-1], limit) == [n <= limit for n in each[::-1]]
        assert len(index._rare) <= 4 + len(words)


def test_re_weighting_stops_early_with_the_answer_of_weighting_every_row(ballerina) -> None:
    """The re-weighting of the full-text candidates stops at the first whose BM25 is below the
    k-th score so far: its answer is the first k of weighting every candidate."""
    import random

    from graph.passages import ABOUT_WEIGHT, query_words

    index = ballerina.passages
    rng = random.Random(3)
    texts = [p.text.split() for p in index.passages]
    stopped = 0
    for _ in range(300):
        text = rng.choice(texts)
        at = rng.randrange(len(text))
        words = query_words(" ".join(text[at : at + rng.randrange(1, 8)]))
        if not words:
            continue
        match = " OR ".join(f'"{w}"' for w in words)
        bm25 = f"bm25(passage, 1.0, {ABOUT_WEIGHT})"
        rows = index._db.execute(
            f"SELECT rowid, -{bm25} FROM passage WHERE passage MATCH ? ORDER BY {bm25}", [match]
        ).fetchall()
        every = index._reweighted(rows, words, len(rows))
        for limit in (1, 3, 5):
            assert index._reweighted(rows, words, limit) == every[:limit], (words, limit)
            visited: list[int] = []
            index._reweighted(_Counted(rows, visited), words, limit)
            stopped += len(visited) < len(rows)
    assert stopped > 300  # most stop early (so the comparison above is not of whole walks)


class _Counted(list):
    """Rows that note how many of them were read."""

    def __init__(self, rows, visited: list[int]) -> None:
        super().__init__(rows)
        self._visited = visited

    def __iter__(self):
        for row in super().__iter__():
            self._visited.append(row[0])
            yield row


# --- passages -----------------------------------------------------------------------------------

PASSAGES = """query($t: String!, $n: Int, $d: [ID!]) {
  passages(text: $t, first: $n, documents: $d) {
    score text start end position document { id text }
    mentions { id } citations { quote start end document { id } } nodes { id }
    relations { id type } claims { id }
  }
}"""


def passages(gql, text: str, first: int = 5, documents: list[str] | None = None) -> list[dict]:
    return data(gql(PASSAGES, {"t": text, "n": first, "d": documents}))["passages"]


def test_passages_answer_a_question_with_offsets_mentions_and_citations(gql) -> None:
    found = passages(gql, "who helped Ok-ju escape the hotel", 3)
    best = found[0]
    assert "helped her escape from the hotel" in best["text"]
    assert best["document"]["text"][best["start"] : best["end"]] == best["text"]
    assert {"ok-ju", "hotel"} <= {m["id"] for m in best["mentions"]}
    # The citations listed overlap the sentence, and are what the graph cites for it.
    for citation in best["citations"]:
        assert citation["document"]["id"] == best["document"]["id"]
        assert citation["start"] < best["end"] and citation["end"] > best["start"]
    assert "hotel-slave-girls" in {n["id"] for n in best["nodes"]}
    assert "helps" in {r["type"] for r in best["relations"]}
    scores = [p["score"] for p in found]
    assert scores == sorted(scores, reverse=True) and scores[-1] > 0
    assert any("high school student" in p["text"] for p in found)


def test_fish_capsules_finds_the_sentences_about_them(gql) -> None:
    found = passages(gql, "fish capsules", 2)
    assert all("fish capsules" in p["text"] for p in found)
    assert all("fish-capsules" in {m["id"] for m in p["mentions"]} for p in found)


def test_passages_keep_to_the_documents_asked_for(gql) -> None:
    found = passages(gql, "Ok-ju", 10, ["capsule-review"])
    assert found and {p["document"]["id"] for p in found} == {"document:capsule-review"}
    # The document's global id names it too.
    assert passages(gql, "Ok-ju", 10, ["document:capsule-review"]) == found
    error = error_of(gql(PASSAGES, {"t": "Ok-ju", "n": 5, "d": ["nowhere"]}))
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert error["extensions"]["argument"] == "documents"


def test_passages_check_their_arguments(gql) -> None:
    assert passages(gql, "who what the", 5) == []  # nothing to search for
    assert passages(gql, "fish", 0) == []
    for variables, argument in [
        ({"t": "fish", "n": 101}, "first"),
        ({"t": "   ", "n": 5}, "text"),
        ({"t": "x" * 201, "n": 5}, "text"),
    ]:
        error = error_of(gql(PASSAGES, variables))
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": argument}


def test_a_dispute_claim_is_found_through_the_sentence_it_cites(gql) -> None:
    found = passages(gql, "took Choi to the beach in her truck", 5)
    claims = {c["id"] for p in found for c in p["claims"]}
    assert claims, found


# --- the annotation field -----------------------------------------------------------------------


def test_the_loader_names_a_bad_descriptions_field_and_a_stray_ambiguous_form(tmp_path) -> None:
    import shutil

    from graph.load import load_knowledge_base
    from graph.problems import AnnotationError
    from tests.conftest import SEEDS

    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    characters = seeds / "annotations" / "characters.yaml"
    text = characters.read_text(encoding="utf-8")
    assert '  descriptions: ["his boss"]\n' in text
    text = text.replace('  descriptions: ["his boss"]\n', "  descriptions: his boss\n")
    text = text.replace('  ambiguous: ["her friend"]\n', '  ambiguous: ["her friend", "my pal"]\n')
    characters.write_text(text, encoding="utf-8")
    with pytest.raises(AnnotationError) as raised:
        load_knowledge_base(seeds)
    problems = [str(p) for p in raised.value.problems]
    assert any(
        "characters.yaml: gang-boss: 'descriptions' must be a list of non-empty strings" in p
        for p in problems
    ), problems
    assert any(
        "schoolgirl: ambiguous form 'my pal' is not one of its aliases or descriptions" in p
        for p in problems
    ), problems


def test_search_filters_by_the_certainty_of_a_node(gql, ballerina) -> None:
    """`certainty:` keeps the nodes whose description is of one of those certainties, as
    `relations(certainty:)` keeps edges: the sequel the ending explainer speculates about is
    hedged, so a search for what is stated never offers it."""

    def found(text: str, *certainty: str) -> list[str]:
        answer = gql(
            "query($t: String!, $c: [Certainty!]) { search(text: $t, first: 50, certainty: $c) "
            "{ node { id } } }",
            {"t": text, "c": list(certainty)},
        )
        return [h["node"]["id"] for h in data(answer)["search"]]

    certainty = dict(ballerina.graph.nodes(data="certainty", default="stated"))
    assert found("Ballerina 2", "HEDGED")[0] == "ballerina-sequel"
    assert "ballerina-sequel" not in found("Ballerina 2", "STATED")
    for text in ["Ballerina 2", "sequel", "notebook", "fish", "who does Choi sell to"]:
        for wanted in ("STATED", "HEDGED", "INFERRED"):
            hits = found(text, wanted)
            assert {certainty[n] for n in hits} <= {wanted.lower()}, (text, wanted)
        everything = {h["node"]["id"] for h in search(gql, text, 50)}
        assert set(found(text, "STATED", "HEDGED", "INFERRED")) == everything, text

"""What was rewritten for large graphs answers as the straightforward version did.

- ``graph.mentions._FormMatcher`` (look-ups by first word) finds what one regular expression
  alternating every form finds;
- ``graph.quotes.NormalizedText`` (a few shift points) maps offsets as a per-character table
  does;
- ``graph.centrality`` (NumPy over a sparse matrix, a breadth-first level at a time) gives
  networkx's sampled betweenness and PageRank, to rounding;
- ``graph.load.parse_yaml`` (ryaml, YAML 1.2) reads the seeds as PyYAML's safe loader does.
The first two on random texts full of the awkward cases: overlapping forms, forms that start with
punctuation, typographic quotes, Unicode and repeated whitespace.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable

import pytest

from graph.mentions import _FormMatcher, _pattern
from graph.quotes import _QUOTE_MARKS, NormalizedText

#: The generated graph the tests below share: about 2,050 nodes, where a given name starts
#: hundreds of forms. Just past ``graph.centrality.EXACT_BETWEENNESS_MAX_NODES``, where
#: betweenness is sampled, it builds in a seventh of the time a 6,000-edge graph (1,800 nodes,
#: exact betweenness) took, and it is three times the size.
GENERATED_EDGES = 6_700


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A generated seed folder and the graph built from it, once for the module (read only)."""
    from bench.generate import generate
    from graph.build import load_graph

    folder = tmp_path_factory.mktemp("generated")
    generate(folder, edges=GENERATED_EDGES)
    return folder, load_graph(folder)


WORDS = ["the", "hotel", "clerk", "Choi", "Choi's", "boss", "Ok-ju", "Ok", "Min", "hee",
         "x_y", "é", "'B'", "A.", "$100", "’s", "Ju"]  # fmt: skip
GAPS = [" ", "  ", "\n", "\n\n", "\t", ", ", ". ", "-", "\u00a0", "\u2028 "]


def _text(rng: random.Random, words: int) -> str:
    return "".join(rng.choice(WORDS) + rng.choice(GAPS) for _ in range(words))


def test_form_matcher_finds_what_the_alternation_finds() -> None:
    rng = random.Random(7)
    for _ in range(500):
        forms = list({" ".join(rng.sample(WORDS, rng.randrange(1, 3))) for _ in range(6)})
        text = _text(rng, rng.randrange(0, 40))
        expected = [(m.start(1), m.end(1), m.group(1)) for m in _pattern(forms).finditer(text)]
        assert _FormMatcher(forms).finditer(text) == expected, (forms, text)


def _reference(original: str) -> tuple[str, list[int]]:
    """Normalisation character by character, as graph.quotes first did it."""
    chars: list[str] = []
    offsets: list[int] = []
    pending = False
    for i, ch in enumerate(original):
        if ch.isspace():
            pending = bool(chars)
            continue
        if pending:
            chars.append(" ")
            offsets.append(i - 1)
            pending = False
        chars.append(ch)
        offsets.append(i)
    return "".join(chars).translate(_QUOTE_MARKS), offsets


def test_normalized_offsets_match_a_per_character_table() -> None:
    rng = random.Random(11)
    for _ in range(500):
        original = rng.choice(["", " ", "\n  "]) + _text(rng, rng.randrange(0, 30))
        text, offsets = _reference(original)
        normalized = NormalizedText.of(original)
        assert normalized.text == text
        assert [normalized.offset(i) for i in range(len(text))] == offsets
        if text:
            start = rng.randrange(len(text))
            end = rng.randrange(start, len(text)) + 1
            assert normalized.span(start, end) == (offsets[start], offsets[end - 1] + 1)


@pytest.mark.slow
def test_sampled_betweenness_is_networkx_sampled_betweenness() -> None:
    import networkx as nx
    import pytest

    from graph.centrality import Adjacency, sampled_betweenness

    graphs = [
        nx.gnm_random_graph(n, m, seed=seed)
        for seed, (n, m) in enumerate([(60, 90), (300, 900), (500, 520)])
    ]
    graphs.append(nx.path_graph(400))  # a long chain: hundreds of levels
    graphs.append(nx.disjoint_union(nx.cycle_graph(30), nx.star_graph(40)))  # unreachable nodes
    for G in graphs:
        G.add_edge(5, 5)  # a self-loop changes no shortest path
        n = G.number_of_nodes()
        G = nx.relabel_nodes(G, {i: f"node-{(i * 7919) % n}" for i in G})
        adjacency = Adjacency.of(nx.MultiDiGraph(G))
        for k in (2, 16, 17, n - 1, n):
            expected = nx.betweenness_centrality(G, k=k, seed=0)
            assert sampled_betweenness(adjacency, k, seed=0) == pytest.approx(
                expected, rel=1e-12, abs=1e-15
            )


def test_sampled_betweenness_survives_more_shortest_paths_than_floats_count() -> None:
    """A chain of 1,100 diamonds has 2**1100 shortest paths end to end: networkx's counts
    overflow to inf and its betweenness is NaN; ours stays finite and exact where it can be
    checked: each diamond's two sides share its traffic equally."""
    import math

    import networkx as nx
    import pytest

    from graph.centrality import Adjacency, sampled_betweenness

    G = nx.MultiDiGraph()
    for i in range(1_100):
        G.add_edges_from(
            [(f"a{i}", f"b{i}"), (f"a{i}", f"c{i}"), (f"b{i}", f"a{i + 1}"), (f"c{i}", f"a{i + 1}")]
        )
    betweenness = sampled_betweenness(Adjacency.of(G), 8, seed=0)
    assert all(math.isfinite(v) for v in betweenness.values())
    sources = set(random.Random(0).sample(list(G), 8))  # networkx's sample, rescaled apart
    for i in range(1_100):
        if not {f"b{i}", f"c{i}"} & sources:
            assert betweenness[f"b{i}"] == pytest.approx(betweenness[f"c{i}"], rel=1e-9)
    # On a chain short enough for floats, the same numbers as networkx.
    short = nx.Graph(nx.subgraph(G, [n for n in G if int(n[1:]) < 300]))
    expected = nx.betweenness_centrality(short, k=8, seed=0)
    assert sampled_betweenness(Adjacency.of(short), 8, seed=0) == pytest.approx(
        expected, rel=1e-12, abs=1e-15
    )


def test_pagerank_is_networkx_pagerank(ballerina, generated) -> None:
    import networkx as nx
    import pytest

    from graph.centrality import Adjacency, pagerank

    for G in (ballerina.graph, generated[1].graph):
        adjacency = Adjacency.of(G)
        ours = dict(zip(adjacency.nodes, pagerank(adjacency).tolist(), strict=True))
        assert ours == pytest.approx(nx.pagerank(nx.Graph(G)), rel=1e-12)
    # The film's graph, whose rankings the README shows, gets exactly networkx's numbers.
    film = ballerina.graph
    assert {n: r for n, r in film.nodes(data="pagerank")} == nx.pagerank(nx.Graph(film))


@pytest.mark.slow  # PyYAML's pure-Python loader over the generated files
def test_the_seed_parser_reads_the_seeds_as_pyyaml_does() -> None:
    """ryaml (YAML 1.2) reads every seed file exactly as PyYAML's safe loader (YAML 1.1) does,
    and the generator's files too: the choice of parser changes no value."""
    import datetime
    import tempfile
    from pathlib import Path

    import yaml

    from bench.generate import generate
    from graph.load import parse_yaml

    def plain(value):  # PyYAML reads an unquoted date as a date; the loader stores str(date)
        return str(value) if isinstance(value, datetime.date) else value

    seeds = Path(__file__).resolve().parent.parent / "seeds"
    with tempfile.TemporaryDirectory() as generated:
        generate(Path(generated), edges=3_000)
        files = sorted(seeds.rglob("*.yaml")) + sorted(Path(generated).rglob("*.yaml"))
        assert len(files) > 20
        for path in files:
            text = path.read_text(encoding="utf-8")
            expected = yaml.safe_load(text)
            if path.name == "documents.yaml":
                expected = [{k: plain(v) for k, v in entry.items()} for entry in expected]
            assert parse_yaml(text) == expected, path


def _forms(K) -> list[tuple[str, dict, list[tuple[str, str, set[str], list[str]]], set[str]]]:
    """Every node with each of its forms (field, key, trigrams, words) and the words of its
    description, worked out once for the many scans of one graph."""
    from graph.names import forms_of, words
    from graph.names import key as name_key
    from graph.search import trigrams

    table = []
    for node, data in K.graph.nodes(data=True):
        forms = []
        for form in forms_of(node, data):
            form_key = name_key(form.text)
            forms.append((form.field, form_key, trigrams(form_key), words(form.text)))
        table.append((node, data, forms, set(words(data.get("description") or ""))))
    return table


def _scan(
    K, query: str, forms=None, max_postings: int | None = None, budget: int | None = None
) -> list[tuple[str, float]]:
    """What scoring every form of every node with graph.search.form_score gives, best first
    (``forms``: what :func:`_forms` gives for ``K``, if already worked out).

    With ``max_postings`` and ``budget``, as the index defines it for a large graph: the
    query's trigrams are counted rarest first (by the number of forms having each, then
    alphabetically), and not those that more than ``max_postings`` forms have nor any from the
    first that would bring their forms, added up, above ``budget``; a trigram not counted
    neither makes a form a candidate nor counts in its similarity, and the similarity (Dice)
    is taken over the trigrams of the query and of the form that at most ``max_postings``
    forms have."""
    from graph.names import key as name_key
    from graph.names import words
    from graph.search import (
        DESCRIPTION_SCORE,
        EVENT_FACTOR,
        EXACT_SCORES,
        form_score,
        trigrams,
    )

    G = K.graph
    pagerank = dict(G.nodes(data="pagerank"))
    rank = {n: i for i, n in enumerate(sorted(G, key=lambda n: (-float(f"{pagerank[n]:.12g}"), n)))}
    key, query_words, grams = name_key(query), words(query), trigrams(name_key(query))
    table = forms if forms is not None else _forms(K)
    counted = grams
    common_enough: Callable[[set[str]], int] = len  # the trigrams a similarity is taken over
    if max_postings is not None:
        cap = max_postings
        having: dict[str, int] = defaultdict(int)
        for _, _, node_forms, _ in table:
            for _, form_key, form_grams, _ in node_forms:  # as the index holds them: each form
                for gram in form_grams if form_key else ():
                    having[gram] += 1

        def common_enough(grams: set[str]) -> int:
            return sum(having[g] <= cap for g in grams)  # not those too common to count

        counted, total = set(), 0
        for gram in sorted(grams, key=lambda g: (having[g], g)):
            total += having[gram]
            if having[gram] > max_postings or (budget is not None and total > budget):
                break
            counted.add(gram)
    best: dict[str, float] = {}
    for node, data, node_forms, _ in table:
        for field, form_key, form_grams, form_words in node_forms:
            if not form_key:
                continue
            if form_key == key:
                score = EXACT_SCORES[field]
            else:
                # Candidates come from trigram postings: a form sharing none is not one
                # (so "mi" is no prefix of "$100 million": its key is "100million").
                common = len(counted & form_grams)
                if not common:
                    continue
                dice = 2 * common / (common_enough(grams) + common_enough(form_grams))
                score = form_score(key, query_words, form_key, form_words, dice)
                if data["kind"] == "event":
                    score *= EVENT_FACTOR
            if score and score > best.get(node, 0):
                best[node] = round(score, 4)
        if query == node:
            best[node] = max(best.get(node, 0), 1.0)
    for node, _, _, described in table:
        if node not in best and query_words and set(query_words) <= described:
            best[node] = DESCRIPTION_SCORE
    return sorted(best.items(), key=lambda item: (-item[1], rank[item[0]]))


def test_search_answers_as_a_scan_of_every_form_would(ballerina) -> None:
    """The counting bounds of graph.search rule out only forms that could reach no tier: the
    index answers as scoring every form of every node with graph.search.form_score does."""
    rng = random.Random(5)
    names = [d["name"] for _, d in ballerina.graph.nodes(data=True)]
    queries = ["choi", "pro choi", "lamborgini", "Jeon Jong-seo", "the", "ok ju", "flame"]
    queries += ["Ballerina 2", "big boss", "boss", "gang-boss", "her friend", "weapons"]
    queries += [rng.choice(names)[: rng.randrange(2, 12)] for _ in range(60)]
    forms = _forms(ballerina)
    for query in [*queries, "the", "she", "ok-ju's friend"]:
        expected = _scan(ballerina, query, forms)
        for limit in (1, 5, len(ballerina)):
            found = [(h.node, h.score) for h in ballerina.search.search(query, limit=limit)]
            assert found == expected[:limit], (query, limit)


def test_search_stops_early_only_where_nothing_left_could_enter(generated, monkeypatch) -> None:
    """On a generated graph, where a given name starts hundreds of forms and the search stops
    looking once its top is certain, it still answers as the full scan does."""
    K = generated[1]
    rng = random.Random(9)
    names = [d["name"] for _, d in K.graph.nodes(data=True) if d["kind"] == "character"]
    queries = [name.split()[0] for name in rng.sample(names, 15)]  # a given name
    queries += [name[: rng.randrange(2, 5)] for name in rng.sample(names, 15)]  # its start
    queries += [name.split()[-1] for name in rng.sample(names, 5)]  # a story's family name
    import graph.search

    scored = []
    real_form_score = graph.search.form_score

    def counting(*args):
        scored.append(args)
        return real_form_score(*args)

    crowded, cut, forms = 0, 0, _forms(K)
    for query in queries:
        expected = _scan(K, query, forms)
        crowded += len(expected) > 100  # enough candidates for the cut to matter
        scored.clear()
        with monkeypatch.context() as patch:
            patch.setattr(graph.search, "form_score", counting)
            K.search.search(query, limit=3)
        cut += len(expected) > 100 and len(scored) < len(expected) / 2
        for limit in (1, 3, 10, 25):
            found = [(h.node, h.score) for h in K.search.search(query, limit=limit)]
            assert found == expected[:limit], (query, limit)
    assert crowded >= 8 and cut >= 8  # and the search looked at a fraction of them


def test_loading_and_building_pause_the_cycle_collector(monkeypatch) -> None:
    """Full collections walked every object of a large build again and again (15 s of 100 at
    10^6 edges); the collector is off while loading and building, and back on after."""
    import gc

    from graph import build, load
    from graph.build import load_graph

    seen: list[bool] = []

    def spy(real):
        def spied(*args, **kwargs):
            seen.append(gc.isenabled())
            return real(*args, **kwargs)

        return spied

    monkeypatch.setattr(build, "add_centrality", spy(build.add_centrality))
    monkeypatch.setattr(load._Reader, "read_documents", spy(load._Reader.read_documents))
    assert gc.isenabled()
    load_graph()
    assert seen == [False, False]
    assert gc.isenabled()


def _filtered_queries(K, rng: random.Random) -> list[str]:
    from graph.names import forms_of

    forms = [f.text for n, d in K.graph.nodes(data=True) for f in forms_of(n, d)]
    queries = rng.sample(forms, min(len(forms), 120))
    queries += [q[: rng.randrange(2, 6)] for q in rng.sample(forms, 30)]
    return [*queries, "the", "in", "a", "of the", "she", "zzzz", "Ballerina 2", "boss"]


def _kind_filters(K) -> list[tuple[set[str] | None, set[str] | None]]:
    kinds = sorted({k for _, k in K.graph.nodes(data="kind")})
    certainties = sorted({d.get("certainty", "stated") for _, d in K.graph.nodes(data=True)})
    found: list[tuple[set[str] | None, set[str] | None]] = [(None, None)]
    found += [({k}, None) for k in kinds] + [(set(kinds[:2]), None), ({"dancer"}, None)]
    found += [(None, {c}) for c in certainties] + [({kinds[0]}, {certainties[-1]})]
    return found


def _assert_filters_answer_as_the_unfiltered_list_filtered(K, queries: list[str]) -> None:
    G = K.graph

    def passes(node: str, kinds, certainties) -> bool:
        data = G.nodes[node]
        return (kinds is None or data["kind"] in kinds) and (
            certainties is None or data.get("certainty", "stated") in certainties
        )

    for query in queries:
        everything = K.search.search(query, limit=len(G))
        for kinds, certainties in _kind_filters(K):
            expected = [h for h in everything if passes(h.node, kinds, certainties)]
            for limit in (1, 5, 20):
                found = K.search.search(query, limit, kinds=kinds, certainties=certainties)
                assert found == expected[:limit], (query, kinds, certainties, limit)


def test_search_filters_answer_as_the_unfiltered_list_filtered(ballerina) -> None:
    """search(kinds:, certainty:) rules nodes out inside the index, before scoring them; it
    answers with the first nodes of the unfiltered answer that pass (what it was defined as,
    and computed as, before)."""
    _assert_filters_answer_as_the_unfiltered_list_filtered(
        ballerina, _filtered_queries(ballerina, random.Random(12))
    )


@pytest.mark.slow  # a full scan of every form for each of 160 queries
def test_search_answers_as_the_scan_and_filters_as_defined_on_a_generated_graph(
    generated,
) -> None:
    """On a generated graph (hundreds of forms sharing a given or family name, descriptions
    sharing most of their words), the index answers as the full scan does, and its filters
    as the unfiltered answer filtered."""
    K = generated[1]
    queries, forms = _filtered_queries(K, random.Random(13)), _forms(K)
    for query in queries:
        expected = _scan(K, query, forms)
        for limit in (1, 5, 20, len(K)):
            found = [(h.node, h.score) for h in K.search.search(query, limit=limit)]
            assert found == expected[:limit], (query, limit)
    _assert_filters_answer_as_the_unfiltered_list_filtered(K, queries[::4])


def _candidates(index, query: str, cap: int) -> int:
    """How many forms share a counted trigram with the query: what the index bounds."""
    import numpy as np

    from graph import search
    from graph.names import key

    postings = index._postings
    shared = [
        postings[g]
        for g in search.trigrams(key(query))
        if g in postings and len(postings[g]) <= cap
    ]
    return len(np.unique(np.concatenate(shared))) if shared else 0


@pytest.mark.slow  # building the generated graph
@pytest.mark.parametrize("budget", [None, 100])
def test_trigrams_too_common_to_count_still_rule_out_prefix_and_substring(
    generated, monkeypatch, budget
) -> None:
    """At 10^6 edges every syllable of a generated name is in more forms than the index counts
    (graph.search.MAX_POSTINGS), and an exact event name ("Mi-ju Hado follows Hyun-ho
    Hado") left every candidate a possible prefix match, each scored in Python for nothing.
    Here the cap is lowered until the same happens on a small graph: the answers are still
    the scan's (with the common trigrams uncounted, as the index defines it), and an exact
    name scores a few forms, not its thousands of candidates. So does a given name of
    two-letter syllables, which no trigram lies inside: its forms are told apart by the
    words they start. With ``budget``, the postings counted in all are bounded too
    (graph.search.COUNTED_POSTINGS, which a long event name reaches at 10^6 edges)."""
    import graph.search

    (_, K), cap = generated, 60
    index = graph.search.SearchIndex.of(
        K.graph, max_postings=cap, counted_postings=budget or graph.search.COUNTED_POSTINGS
    )
    forms = _forms(K)
    rng = random.Random(17)
    data = dict(K.graph.nodes(data=True))
    events = [d["name"] for d in data.values() if d["kind"] == "event"]
    characters = [d["name"] for d in data.values() if d["kind"] == "character"]
    exact = rng.sample(events, 12) + [e.lower() for e in rng.sample(events, 6)]
    given = [c.split()[0] for c in rng.sample(characters, 8)]  # "Ju-bo": no trigram inside
    queries = exact + given + rng.sample(characters, 6) + ["follows", "Yo", "ju bo"]
    queries += [q[: rng.randrange(2, 5)] for q in rng.sample(characters, 6)]

    scored: list[tuple[object, ...]] = []
    real_form_score = graph.search.form_score

    def counting(*args):
        scored.append(args)
        return real_form_score(*args)

    crowded = 0
    for query in queries:
        expected = _scan(K, query, forms, max_postings=cap, budget=budget)
        for limit in (1, 5, 20):
            found = [(h.node, h.score) for h in index.search(query, limit=limit)]
            assert found == expected[:limit], (query, limit)
        if query in exact or query in given:
            scored.clear()
            with monkeypatch.context() as patch:
                patch.setattr(graph.search, "form_score", counting)
                index.search(query, limit=5)
            candidates = _candidates(index, query, cap)
            crowded += candidates > 100
            assert len(scored) <= max(10, candidates // 10), (query, len(scored), candidates)
    assert crowded >= 10  # the cap made the event names crowded, as at 10^6 edges
    if budget is not None:  # and the budget left out trigrams the cap alone would count
        from graph.names import key

        postings = index._postings
        bounded = 0
        for query in exact:
            grams = graph.search.trigrams(key(query))
            under_cap = {g for g in grams if len(postings.get(g, ())) <= cap}
            bounded += index._counted(grams) < under_cap
        assert bounded >= len(exact) // 2, bounded


@pytest.mark.slow  # building the generated graph
def test_a_querys_shared_trigram_counts_are_those_of_its_forms_trigram_sets(generated) -> None:
    """The one sort that gathers a query's candidates (SearchIndex._gathered) counts, for
    every form having a counted trigram, as many shared trigrams, and as many inside the
    query's key and inside its words, as intersecting the form's own trigrams gives: on the
    generated graph with the bound lowered (so that some trigrams are not counted) and not."""
    from graph.names import key, words
    from graph.search import SearchIndex, trigrams

    (_, K) = generated
    rng = random.Random(23)
    names = [d["name"] for _, d in K.graph.nodes(data=True)]
    queries = [rng.choice(names) for _ in range(30)] + ["Ju-bo", "the", "follows", "yo", "xq"]
    for index in (K.search, SearchIndex.of(K.graph, max_postings=60, counted_postings=200)):
        form_grams = [trigrams(form_key) for _, form_key, _ in index._forms]
        for query in queries:
            grams = trigrams(key(query))
            counted = index._counted(grams)
            inside_words = {g for w in words(query) for g in trigrams(w) if " " not in g}
            inside_key = {g for g in grams if " " not in g}
            inside_words, inside_key = inside_words & counted, inside_key & counted
            forms, common, in_words, in_key = index._gathered(counted, inside_words, inside_key)
            expected = [
                (at, len(counted & held), len(inside_words & held), len(inside_key & held))
                for at, held in enumerate(form_grams)
                if counted & held
            ]
            columns = (forms, common, in_words, in_key)
            found = list(zip(*(column.tolist() for column in columns), strict=True))
            assert found == expected, query


def _assert_select_nodes_names_what_the_scan_scores(K, queries: list[str]) -> None:
    from graph.query import TEXT_MATCH, select_nodes

    forms = _forms(K)
    for query in queries:
        expected = {node for node, score in _scan(K, query, forms) if score >= TEXT_MATCH}
        found = select_nodes(K, text=query)
        assert len(found) == len(expected) and set(found) == expected, query


def test_select_nodes_by_text_names_the_nodes_the_scan_scores(ballerina) -> None:
    """nodes(text:) asks the search for every node scoring graph.query.TEXT_MATCH or more,
    and the search leaves out the forms that cannot before scoring them: the same nodes as
    scoring every form would give."""
    rng = random.Random(21)
    queries = _filtered_queries(ballerina, rng)[::3] + ["choi", "Ok-ju", "lamborgini", "boss"]
    _assert_select_nodes_names_what_the_scan_scores(ballerina, queries)


@pytest.mark.slow  # building the generated graph
def test_select_nodes_by_text_on_a_generated_graph(generated, monkeypatch) -> None:
    """The same on a generated graph, where a given name or a common word names hundreds of
    nodes; the fuzzy candidates that cannot score TEXT_MATCH are not scored."""
    import graph.search

    _, K = generated
    rng = random.Random(22)
    characters = [d["name"] for _, d in K.graph.nodes(data=True) if d["kind"] == "character"]
    queries = [c.split()[0] for c in rng.sample(characters, 8)] + rng.sample(characters, 4)
    queries += ["follows", "story", "the"]
    _assert_select_nodes_names_what_the_scan_scores(K, queries)

    scored: list[tuple[object, ...]] = []
    real_form_score = graph.search.form_score

    def counting(*args):
        scored.append(args)
        return real_form_score(*args)

    from graph.query import TEXT_MATCH

    monkeypatch.setattr(graph.search, "form_score", counting)
    cut = 0
    for query in queries:
        scored.clear()
        K.search.search(query, limit=len(K.graph), descriptions=False, at_least=TEXT_MATCH)
        bounded = len(scored)
        scored.clear()
        K.search.search(query, limit=len(K.graph), descriptions=False)
        assert bounded <= len(scored), query
        cut += bounded < len(scored)
    assert cut >= 2

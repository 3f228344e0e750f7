"""The landing page at ``/``: what the service is, and where to go from here."""

from __future__ import annotations

from html import escape

from graph.knowledge import KnowledgeGraph

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ballerina (2023) knowledge graph</title>
<style>
  body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 3rem auto; padding: 0 1rem; color: #222; }}
  h1 {{ font-size: 1.6rem; margin-bottom: .2rem; }}
  .sub {{ color: #666; margin-top: 0; }}
  code {{ background: #f3f3f3; padding: .1rem .3rem; border-radius: 3px; }}
  table {{ border-collapse: collapse; }} td {{ padding: .15rem .8rem .15rem 0; }}
  a {{ color: #8a1c4a; }}
</style>
</head>
<body>
<h1>Ballerina (2023): a knowledge graph with receipts</h1>
<p class="sub">{nodes} nodes, {edges} edges, {citations} citations from {documents} articles, {disputes} recorded disagreements.</p>
<p>The characters, cast and crew, places, objects and plot events of the Netflix film
<em>Ballerina</em> (발레리나), each backed by verbatim quotes from five published articles.
Where the articles disagree, both claims are kept.</p>
<ul>
  <li><a href="/explore">The explorer</a>: see the whole graph, click any node for its evidence, step through the story.</li>
  <li><a href="/graphql">GraphiQL</a>: explore and query the graph (example operations included).</li>
  <li>Exports: <a href="/export/graph.gexf">GEXF&nbsp;1.3</a> (open in Gephi),
      <a href="/export/graph.graphml">GraphML</a>,
      <a href="/export/graph.json">JSON node-link</a>,
      RDF as <a href="/export/graph.ttl">Turtle</a> and <a href="/export/graph.jsonld">JSON-LD</a>
      (schema.org, each quote a Web Annotation),
      Neo4j's <a href="/export/nodes.csv">nodes.csv</a> and <a href="/export/edges.csv">edges.csv</a>
      with <a href="/export/load.cypher">load.cypher</a>;
      filter with <code>?kind=character</code>, <code>?relation=kills</code>,
      <code>?center=ok-ju&amp;radius=2</code>.</li>
  <li><a href="/healthz">/healthz</a>: is the graph loaded.</li>
</ul>
<h2>Nodes by kind</h2>
<table>{kinds}</table>
</body>
</html>
"""


def landing_page(K: KnowledgeGraph) -> str:
    counts = K.counts
    kinds = "".join(
        f"<tr><td>{escape(kind)}</td><td>{count}</td></tr>" for kind, count in counts.by_kind
    )
    return _PAGE.format(
        nodes=counts.nodes,
        edges=counts.edges,
        citations=counts.citations,
        documents=counts.documents,
        disputes=counts.disputes,
        kinds=kinds,
    )

"""HTTP caching and compression of GET answers on the real app: ETag, 304, Cache-Control, gzip."""

from __future__ import annotations

import dataclasses
import gzip
import json

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from server.app import create_app
from server.exports.routes import export_routes
from server.graphiql import ASSET_FILES, ASSET_PREFIX
from server.graphql_http import GraphQLEndpoint
from server.http_cache import CACHE_CONTROL, GZIP_MINIMUM_SIZE
from server.settings import Settings

SMALL = "{ stats { nodeCount } }"
#: An answer well past GZIP_MINIMUM_SIZE.
LARGE = "{ entities(first: 100) { nodes { id name } } }"
IDENTITY = {"accept-encoding": "identity"}


def graphql_endpoint(client: TestClient) -> GraphQLEndpoint:
    return next(r.endpoint for r in client.app.routes if getattr(r, "path", "") == "/graphql")


def get(client: TestClient, query: str, **headers: str) -> httpx.Response:
    return client.get("/graphql", params={"query": query}, headers={**IDENTITY, **headers})


# --- GET /graphql ---------------------------------------------------------------------------------


def test_a_get_query_has_a_strong_etag_and_cache_control(client: TestClient) -> None:
    response = get(client, SMALL)
    assert response.status_code == 200
    tag = response.headers["etag"]
    assert tag.startswith('"') and tag.endswith('"') and not tag.startswith("W/")
    assert response.headers["cache-control"] == CACHE_CONTROL == "public, max-age=300"
    assert get(client, SMALL).headers["etag"] == tag  # the same request, the same tag


def test_the_etag_changes_with_the_query_and_the_negotiated_media_type(client: TestClient) -> None:
    plain = get(client, SMALL).headers["etag"]
    assert get(client, "{ stats { edgeCount } }").headers["etag"] != plain
    graphql_json = get(client, SMALL, accept="application/graphql-response+json")
    assert graphql_json.headers["content-type"].startswith("application/graphql-response+json")
    assert graphql_json.headers["etag"] != plain
    # Accept headers negotiated to the same media type name the same answer.
    assert get(client, SMALL, accept="application/json, */*;q=0.5").headers["etag"] == plain


def test_the_etag_changes_with_the_seeds(ballerina) -> None:
    other = dataclasses.replace(ballerina, seeds_sha256="0" * 64)
    with (
        TestClient(create_app(ballerina, Settings())) as a,
        TestClient(create_app(other, Settings())) as b,
    ):
        assert get(a, SMALL).json() == get(b, SMALL).json()
        assert get(a, SMALL).headers["etag"] != get(b, SMALL).headers["etag"]


def test_the_etag_changes_with_the_limits_and_the_code(ballerina, monkeypatch) -> None:
    """An answer depends on the code and the limits too: a deploy that changes either must not
    have caches revalidate old answers (a limit can change an answer into a refusal)."""
    import server.http_cache
    from schema.limits import Limits

    with TestClient(create_app(ballerina, Settings())) as shipped:
        tag = get(shipped, SMALL).headers["etag"]
        export_tag = shipped.get("/export/graph.json", headers=IDENTITY).headers["etag"]
    other_limits = Settings(limits=Limits(max_page_size=50))
    with TestClient(create_app(ballerina, other_limits)) as limited:
        assert get(limited, SMALL).headers["etag"] != tag
        assert limited.get("/export/graph.json", headers=IDENTITY).headers["etag"] != export_tag
    monkeypatch.setattr(server.http_cache, "_ANSWERING_PACKAGES", ("graph", "schema"))
    with TestClient(create_app(ballerina, Settings())) as other_code:
        assert get(other_code, SMALL).headers["etag"] != tag


def test_if_none_match_is_answered_304_without_running_the_query(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    tag = get(client, SMALL).headers["etag"]

    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("the query ran for a request answered 304")

    endpoint = graphql_endpoint(client)
    monkeypatch.setattr(endpoint.answers, "answer", must_not_run)
    monkeypatch.setattr(endpoint, "responses", None)
    for if_none_match in (tag, f"W/{tag}", f'"other", {tag}', "*"):
        response = get(client, SMALL, **{"if-none-match": if_none_match})
        assert response.status_code == 304, if_none_match
        assert response.content == b""
        assert response.headers["etag"] == tag
        assert response.headers["cache-control"] == CACHE_CONTROL
    monkeypatch.undo()
    stale = get(client, SMALL, **{"if-none-match": '"not-this-one"'})
    assert stale.status_code == 200 and stale.headers["etag"] == tag


def test_answers_with_errors_are_not_tagged_nor_cached(client: TestClient) -> None:
    response = get(client, '{ character(name: "Nobody at all") { name } }')
    assert response.status_code == 200 and response.json()["errors"]
    assert "etag" not in response.headers
    assert response.headers["cache-control"] == "no-store"
    invalid = get(client, "{ noSuchField }")
    assert "etag" not in invalid.headers and invalid.headers["cache-control"] == "no-store"


def test_post_answers_are_not_tagged(client: TestClient) -> None:
    response = client.post("/graphql", json={"query": SMALL}, headers=IDENTITY)
    assert response.status_code == 200
    assert "etag" not in response.headers
    assert "cache-control" not in response.headers


# --- compression ----------------------------------------------------------------------------------


def test_a_large_answer_is_gzipped_for_clients_that_accept_it(client: TestClient) -> None:
    plain = get(client, LARGE)
    assert len(plain.content) > GZIP_MINIMUM_SIZE
    assert "content-encoding" not in plain.headers
    with client.stream(
        "GET", "/graphql", params={"query": LARGE}, headers={"accept-encoding": "gzip"}
    ) as zipped:
        raw = b"".join(zipped.iter_raw())
        headers = zipped.headers
    assert headers["content-encoding"] == "gzip"
    assert int(headers["content-length"]) == len(raw) < len(plain.content)
    assert json.loads(gzip.decompress(raw)) == plain.json()
    assert [v.strip() for v in headers["vary"].split(",")] == ["Accept", "Accept-Encoding"]
    assert [v.strip() for v in plain.headers["vary"].split(",")] == ["Accept", "Accept-Encoding"]
    # Another representation, another strong tag; each revalidates only itself.
    assert headers["etag"] != plain.headers["etag"]
    again = client.get(
        "/graphql",
        params={"query": LARGE},
        headers={"accept-encoding": "gzip", "if-none-match": headers["etag"]},
    )
    assert again.status_code == 304
    assert get(client, LARGE, **{"if-none-match": headers["etag"]}).status_code == 200


def test_a_small_answer_is_not_compressed(client: TestClient) -> None:
    response = client.get("/graphql", params={"query": SMALL}, headers={"accept-encoding": "gzip"})
    assert len(response.content) < GZIP_MINIMUM_SIZE
    assert "content-encoding" not in response.headers
    # Not compressed, but a client's Accept-Encoding decides that for larger answers of this
    # path, and a cache must key on it alike.
    assert response.headers["vary"] == "Accept, Accept-Encoding"
    # Its tag is the one a client without gzip gets: the same bytes.
    assert response.headers["etag"] == get(client, SMALL).headers["etag"]


@pytest.mark.parametrize("query", [SMALL, LARGE])
@pytest.mark.parametrize("accept_encoding", ["gzip", "identity"])
def test_a_304_varies_as_the_200_it_stands_for(
    client: TestClient, query: str, accept_encoding: str
) -> None:
    headers = {"accept-encoding": accept_encoding}
    answer = client.get("/graphql", params={"query": query}, headers=headers)
    again = client.get(
        "/graphql",
        params={"query": query},
        headers={**headers, "if-none-match": answer.headers["etag"]},
    )
    assert again.status_code == 304
    assert again.headers["vary"] == answer.headers["vary"] == "Accept, Accept-Encoding"


def test_a_304_varies_as_its_200_where_nothing_compresses(client: TestClient) -> None:
    """The endpoint and the export routes mounted bare, as graphql_http's docstring mounts the
    endpoint: no CompressedPaths to add Accept-Encoding, so a 304 names no more than its 200."""
    bare = Starlette(routes=[Route("/graphql", graphql_endpoint(client)), *export_routes()])
    bare.state = client.app.state
    plain = TestClient(bare)
    for url, vary in (("/graphql?query=" + SMALL, "Accept"), ("/export/graph.json", None)):
        for coding in ("gzip", "identity"):
            answer = plain.get(url, headers={"accept-encoding": coding})
            assert answer.status_code == 200 and "content-encoding" not in answer.headers
            again = plain.get(
                url, headers={"accept-encoding": coding, "if-none-match": answer.headers["etag"]}
            )
            assert again.status_code == 304, url
            assert again.headers.get("vary") == answer.headers.get("vary") == vary, url


# --- exports --------------------------------------------------------------------------------------

EXPORTS = ["/export/graph.gexf", "/export/graph.graphml", "/export/graph.json?center=Ok-ju"]


@pytest.mark.parametrize("coding", ["identity", "gzip"])
@pytest.mark.parametrize("url", EXPORTS)
def test_an_export_has_an_etag_and_revalidates_to_304_without_writing_it(
    client: TestClient, url: str, coding: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = {"accept-encoding": coding}
    first = client.get(url, headers=headers)
    assert first.status_code == 200
    tag = first.headers["etag"]
    assert first.headers["cache-control"] == CACHE_CONTROL
    assert client.get(url, headers=headers).headers["etag"] == tag

    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("the export was computed for a request answered 304")

    monkeypatch.setattr("server.exports.routes.parse_filter", must_not_run)
    monkeypatch.setattr("server.exports.routes.selected", must_not_run)
    response = client.get(url, headers={**headers, "if-none-match": tag})
    assert response.status_code == 304 and response.content == b""
    assert response.headers["etag"] == tag
    assert response.headers["vary"] == first.headers["vary"] == "Accept-Encoding"


def test_exports_with_other_filters_have_other_tags(client: TestClient) -> None:
    tags = {
        client.get(url, headers=IDENTITY).headers["etag"]
        for url in (
            "/export/graph.gexf",
            "/export/graph.graphml",
            "/export/graph.gexf?kind=character",
            "/export/graph.gexf?center=Ok-ju&radius=2",
        )
    }
    assert len(tags) == 4


def test_a_bad_export_request_is_not_tagged(client: TestClient) -> None:
    response = client.get("/export/graph.gexf?radius=lots", headers=IDENTITY)
    assert response.status_code == 400
    assert "etag" not in response.headers


def test_a_streamed_export_is_gzipped_whole(client: TestClient) -> None:
    plain = client.get("/export/graph.gexf", headers=IDENTITY)
    with client.stream("GET", "/export/graph.gexf", headers={"accept-encoding": "gzip"}) as zipped:
        raw = b"".join(zipped.iter_raw())
        headers = zipped.headers
    assert headers["content-encoding"] == "gzip"
    assert "content-length" not in headers  # still streamed
    assert "Accept-Encoding" in headers["vary"]
    assert gzip.decompress(raw) == plain.content
    assert len(raw) * 4 < len(plain.content)
    assert headers["etag"] != plain.headers["etag"]
    assert headers["content-disposition"] == plain.headers["content-disposition"]


def test_static_files_are_not_compressed_under_their_file_etag(client: TestClient) -> None:
    # Their ETags (Starlette's, of the file) would name two representations.
    url = f"{ASSET_PREFIX}/{ASSET_FILES['react']}"
    response = client.get(url, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200 and len(response.content) > GZIP_MINIMUM_SIZE
    assert "etag" in response.headers
    assert "content-encoding" not in response.headers

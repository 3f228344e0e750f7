"""Content negotiation: which media type to answer in, and which request bodies to read."""

from __future__ import annotations

from server.graphql_http.refusals import RequestRefused

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"

#: The Content-Type header of an answer in each media type.
CONTENT_TYPES = {
    GRAPHQL_RESPONSE_JSON: b"application/graphql-response+json; charset=utf-8",
    JSON: b"application/json; charset=utf-8",
}
HTML_CONTENT_TYPE = b"text/html; charset=utf-8"


class NotAcceptable(RequestRefused):
    status = 406
    code = "NOT_ACCEPTABLE"

    def __init__(self, accept: str) -> None:
        super().__init__(
            f"None of the media types in Accept: '{accept}' can be served; "
            f"accept {GRAPHQL_RESPONSE_JSON} or {JSON}"
        )
        self.accept = accept


def choose_media_type(accept: str | None) -> str:
    """The response media type for an ``Accept`` header, or ``NotAcceptable``.

    ``application/graphql-response+json`` only when named explicitly and weighted at least as
    much as ``application/json``; wildcards and a missing header mean ``application/json``, as
    the specification asks for clients that predate the new media type.
    """
    if accept is None or accept == JSON or not accept.strip():
        return JSON
    if accept == GRAPHQL_RESPONSE_JSON:
        return GRAPHQL_RESPONSE_JSON
    response_q: float | None = None
    # Weights of application/json, application/* and */*: the most specific one present counts.
    json_q: list[float | None] = [None, None, None]
    for item in accept.split(","):
        media_type, _, parameters = item.partition(";")
        media_type = media_type.strip().lower()
        q = _weight(parameters)
        if media_type == GRAPHQL_RESPONSE_JSON:
            response_q = max(q, response_q or 0.0)
        elif media_type == JSON:
            json_q[0] = max(q, json_q[0] or 0.0)
        elif media_type == "application/*":
            json_q[1] = max(q, json_q[1] or 0.0)
        elif media_type == "*/*":
            json_q[2] = max(q, json_q[2] or 0.0)
    plain_q = next((q for q in json_q if q is not None), 0.0)
    if response_q and response_q >= plain_q:
        return GRAPHQL_RESPONSE_JSON
    if plain_q:
        return JSON
    raise NotAcceptable(accept)


def _weight(parameters: str) -> float:
    q = 1.0
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        name = name.strip().lower()
        value = value.strip().strip('"').lower()
        if name == "q":
            try:
                q = min(max(float(value), 0.0), 1.0)
            except ValueError:
                q = 0.0
        elif name == "charset" and value not in ("utf-8", "utf8"):
            return 0.0  # we only ever answer in UTF-8
    return q


def is_json_content_type(content_type: str) -> bool:
    media_type, _, parameters = content_type.partition(";")
    if media_type.strip().lower() != JSON:
        return False
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
            "utf-8",
            "utf8",
        ):
            return False
    return True

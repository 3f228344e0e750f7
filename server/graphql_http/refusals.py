"""Requests refused before any GraphQL work: each is one HTTP status and one message.

The endpoint answers a :class:`RequestRefused` with its ``status``, its ``headers`` and a single
GraphQL-style error carrying ``message``, whatever the media type.
"""

from __future__ import annotations

from graphql import OperationType


class RequestRefused(Exception):
    """A request that is not a well-formed GraphQL-over-HTTP request.

    Answered with ``status`` and a single GraphQL-style error carrying ``message`` and, as
    ``extensions.code``, ``code``.
    """

    status = 400
    code = "BAD_REQUEST"
    headers: tuple[tuple[bytes, bytes], ...] = ()

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MalformedBody(RequestRefused):
    code = "MALFORMED_REQUEST"


class BatchNotSupported(RequestRefused):
    code = "BATCH_NOT_SUPPORTED"

    def __init__(self, size: int) -> None:
        super().__init__(
            f"Batched requests are not supported: send one JSON object per request, "
            f"not an array (got {size} items)"
        )
        self.size = size


class MissingQuery(RequestRefused):
    code = "MISSING_QUERY"

    def __init__(self) -> None:
        super().__init__("The 'query' parameter is missing: it must be a GraphQL document string")


class InvalidParameter(RequestRefused):
    code = "INVALID_PARAMETER"

    def __init__(self, name: str, value: object, expected: str) -> None:
        super().__init__(f"The '{name}' parameter must be {expected}, not {json_type(value)}")
        self.name = name
        self.value = value


class RepeatedParameter(RequestRefused):
    code = "REPEATED_PARAMETER"

    def __init__(self, name: str) -> None:
        super().__init__(f"The '{name}' parameter is given more than once")
        self.name = name


class BodyTooLarge(RequestRefused):
    code = "BODY_TOO_LARGE"
    status = 413

    def __init__(self, limit: int) -> None:
        super().__init__(f"The request body is larger than the limit of {limit} bytes")
        self.limit = limit


class BodyTimedOut(RequestRefused):
    code = "BODY_TIME_LIMIT_EXCEEDED"
    status = 408

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"The request body did not arrive within the time limit of {seconds:g} s "
            "(request_timeout): send it all at once"
        )
        self.seconds = seconds


class UnsupportedMediaType(RequestRefused):
    code = "UNSUPPORTED_MEDIA_TYPE"
    status = 415

    def __init__(self, content_type: str | None) -> None:
        given = f"'{content_type}'" if content_type else "no Content-Type"
        super().__init__(
            f"POST requests must have Content-Type: application/json (charset utf-8), not {given}"
        )
        self.content_type = content_type


class MethodNotAllowed(RequestRefused):
    code = "METHOD_NOT_ALLOWED"
    status = 405
    headers = ((b"allow", b"GET, POST"),)

    def __init__(self, method: str) -> None:
        super().__init__(f"Method {method} is not allowed: use GET or POST")
        self.method = method


class OperationNotAllowedOverGet(RequestRefused):
    code = "OPERATION_NOT_ALLOWED_OVER_GET"
    status = 405
    headers = ((b"allow", b"POST"),)

    def __init__(self, operation_type: OperationType) -> None:
        kind = operation_type.value
        super().__init__(f"A {kind} cannot be sent with GET: send {kind} operations with POST")
        self.operation_type = operation_type


def json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__

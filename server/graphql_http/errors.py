"""The errors of crossed limits, each with a machine-readable ``extensions.code``.

Every one names the limit it is about (``extensions.limit``, the name of the ``Limits`` or
``Settings`` field) and its bound, as the ``BAD_USER_INPUT`` errors of arguments name theirs.
"""

from __future__ import annotations

import re

from graphql import GraphQLError, GraphQLFormattedError

__all__ = [
    "ASK_FOR_LESS",
    "AliasLimitExceeded",
    "DepthLimitExceeded",
    "LimitExceeded",
    "NestingLimitExceeded",
    "ObjectLimitExceeded",
    "ResponseTooLarge",
    "TimeLimitExceeded",
    "TokenLimitExceeded",
    "ValidationTooComplex",
    "readable_entry",
    "is_limit",
    "with_code",
]

ASK_FOR_LESS = "Ask for less: fewer aliases or nested lists, smaller pages, radii or depths."


class LimitExceeded(GraphQLError):
    """A request that crossed one of the service's limits."""

    code = "LIMIT_EXCEEDED"


class DepthLimitExceeded(LimitExceeded):
    code = "DEPTH_LIMIT_EXCEEDED"

    def __init__(self, operation: str, depth: int, limit: int) -> None:
        super().__init__(
            f"'{operation}' exceeds maximum operation depth of {limit} (max_depth): its "
            f"selections nest {depth} fields deep, counting those of its fragments.",
            extensions={"code": self.code, "limit": "max_depth", "depth": depth, "max": limit},
        )
        self.depth = depth


class AliasLimitExceeded(LimitExceeded):
    code = "ALIAS_LIMIT_EXCEEDED"

    def __init__(self, aliases: int, limit: int, cap: int) -> None:
        found = f"At least {cap:,}" if aliases >= cap else str(aliases)
        super().__init__(
            f"{found} aliases found. Allowed: {limit} (max_aliases); a fragment's aliases "
            "count as often as it is spread.",
            extensions={
                "code": self.code,
                "limit": "max_aliases",
                "aliases": min(aliases, cap),
                "max": limit,
            },
        )
        self.aliases = aliases


class NestingLimitExceeded(LimitExceeded):
    code = "NESTING_LIMIT_EXCEEDED"

    def __init__(self, nesting: int, limit: int) -> None:
        super().__init__(
            f"The document nests selection sets {nesting} levels deep through its fragments "
            f"(fields, inline fragments and spreads); at most {limit} can be validated.",
            extensions={"code": self.code, "limit": "nesting", "nesting": nesting, "max": limit},
        )


class TokenLimitExceeded(LimitExceeded):
    code = "TOKEN_LIMIT_EXCEEDED"

    def __init__(self, limit: int, syntax_error: GraphQLError) -> None:
        super().__init__(
            f"The document has more than {limit} tokens (max_tokens) and was not read further. "
            "Send a shorter document: fewer fields, aliases or fragments.",
            source=syntax_error.source,
            positions=syntax_error.positions,
            extensions={"code": self.code, "limit": "max_tokens", "max": limit},
        )


class ValidationTooComplex(LimitExceeded):
    """graphql-core's budget for comparing fields of the same name ran out."""

    code = "VALIDATION_TOO_COMPLEX"

    def __init__(self) -> None:
        super().__init__(
            "The document is too costly to validate: checking that its fields of the same "
            "response name can be merged takes more comparisons than graphql-core allows. "
            "Repeat a field, or spread a fragment, fewer times.",
            extensions={"code": self.code, "limit": "validation complexity"},
        )


class TimeLimitExceeded(LimitExceeded):
    """Raised between objects once a request's deadline has passed; a field error like any."""

    code = "TIME_LIMIT_EXCEEDED"

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"The request took longer than the time limit of {seconds:g} s (request_timeout) "
            f"and was stopped; the fields not resolved by then are null. {ASK_FOR_LESS}",
            extensions={"code": self.code, "limit": "request_timeout", "seconds": seconds},
        )


class ObjectLimitExceeded(LimitExceeded):
    """Raised once an answer has grown past ``Limits.max_objects`` objects."""

    code = "OBJECT_LIMIT_EXCEEDED"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"The answer grew past the limit of {limit} objects (max_objects) and was refused. "
            f"{ASK_FOR_LESS}",
            extensions={"code": self.code, "limit": "max_objects", "objects": limit},
        )


class ResponseTooLarge(LimitExceeded):
    """Raised once an answer has grown past ``Limits.max_response_bytes``."""

    code = "RESPONSE_TOO_LARGE"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"The answer grew past the limit of {limit} bytes (max_response_bytes) and was "
            f"refused. {ASK_FOR_LESS} Long texts (document text, citation context) count most.",
            extensions={"code": self.code, "limit": "max_response_bytes", "bytes": limit},
        )


#: Longest message an error keeps: those that quote a client's value (a variable, an argument)
#: would otherwise echo all of it back, as many times as there are errors.
MAX_MESSAGE_CHARS = 1000
#: Longest text value kept in an error's ``extensions``.
MAX_EXTENSION_CHARS = 200


#: Python's own words, which say nothing to a client, and what to say instead.
_PYTHON_INTERNALS = (
    (
        re.compile(r"'?Exceeds the limit \((\d+) digits\) for integer string conversion[^']*'?"),
        r"(an integer of more than \1 digits)",
    ),
    (re.compile(r"maximum recursion depth exceeded[^'\n]*"), "a value nested too deeply"),
)


#: ``extensions.code`` of the errors GraphQL itself raises, named as Apollo Server names them.
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
OPERATION_RESOLUTION_FAILURE = "OPERATION_RESOLUTION_FAILURE"
BAD_USER_INPUT = "BAD_USER_INPUT"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


def with_code(entry: GraphQLFormattedError, code: str) -> GraphQLFormattedError:
    """A formatted error with ``extensions.code``: its own if it has one, else ``code``, so that
    every error a client gets says what kind it is."""
    extensions = entry.get("extensions") or {}
    if "code" in extensions:
        return entry
    return {**entry, "extensions": {"code": code, **extensions}}


def readable_entry(entry: GraphQLFormattedError) -> GraphQLFormattedError:
    """A formatted error as a client should read it: Python's internals in words of the
    request, and the message and extension texts cut to a readable length."""
    message = entry.get("message")
    if isinstance(message, str):
        for pattern, replacement in _PYTHON_INTERNALS:
            if pattern.search(message):
                message = pattern.sub(replacement, message)
                entry = {**entry, "message": message}
    extensions = entry.get("extensions")
    long_message = isinstance(message, str) and len(message) > MAX_MESSAGE_CHARS
    long_extension = isinstance(extensions, dict) and any(
        isinstance(v, str) and len(v) > MAX_EXTENSION_CHARS for v in extensions.values()
    )
    if not long_message and not long_extension:
        return entry
    entry = entry.copy()
    if long_message and isinstance(message, str):
        entry["message"] = _shortened(message, MAX_MESSAGE_CHARS)
    if long_extension and isinstance(extensions, dict):
        entry["extensions"] = {
            k: _shortened(v, MAX_EXTENSION_CHARS) if isinstance(v, str) else v
            for k, v in extensions.items()
        }
    return entry


def _shortened(text: str, limit: int) -> str:
    cut = len(text) - limit
    head, tail = text[: limit * 3 // 4], text[len(text) - limit // 4 :]
    return f"{head}… [{cut} characters cut] …{tail}"


def is_limit(error: GraphQLError, kind: type[LimitExceeded]) -> bool:
    """Whether ``error`` is (or, raised in a resolver's place, wraps) a ``kind``."""
    return isinstance(error, kind) or isinstance(error.original_error, kind)

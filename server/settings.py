"""Settings of one running service, read once at start-up.

``Settings.from_env`` reads the ``BALLERINA_*`` variables below; ``ballerina-kg serve`` sets
them from its flags, so that every worker process starts with the same settings.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from schema.limits import Limits

# Re-exported: the command line offers the modes as choices of --execution.
from server.graphql_http.endpoint import EXECUTION_MODES as EXECUTION_MODES

DEFAULT_SEEDS = Path(__file__).resolve().parent.parent / "seeds"
#: What ``BALLERINA_SNAPSHOT_DIR`` (and ``--snapshot-dir``) take to turn the snapshot off.
SNAPSHOT_OFF = "off"


def default_snapshot_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where the graph's snapshots go by default (:mod:`server.snapshot`): the user's cache
    folder, ``$XDG_CACHE_HOME/ballerina-kg`` (``~/.cache/ballerina-kg`` when it is not set)."""
    env = os.environ if environ is None else environ
    cache = env.get("XDG_CACHE_HOME", "")
    # The XDG spec: a relative path is not valid and is ignored.
    root = Path(cache) if os.path.isabs(cache) else Path.home() / ".cache"
    return root / "ballerina-kg"


def parse_snapshot_dir(text: str) -> Path | None:
    """A snapshot folder, or ``None`` for :data:`SNAPSHOT_OFF`; ``ValueError`` if empty."""
    text = text.strip()
    if not text:
        raise ValueError(text)
    return None if text.lower() == SNAPSHOT_OFF else Path(text)


T = TypeVar("T")


class SettingError(ValueError):
    """An environment variable whose value is not a valid setting; names both."""

    def __init__(self, variable: str, value: str, expected: str) -> None:
        super().__init__(f"{variable}={value!r} is not valid: expected {expected}")
        self.variable = variable
        self.value = value


@dataclass(frozen=True, slots=True)
class Settings:
    seeds_dir: Path = DEFAULT_SEEDS
    #: Where the built graph's snapshot is kept and looked for (:mod:`server.snapshot`);
    #: ``None``: no snapshot, the graph is built at every start.
    snapshot_dir: Path | None = field(default_factory=default_snapshot_dir)
    limits: Limits = field(default_factory=Limits)
    #: Largest request body the GraphQL endpoint reads, in bytes.
    max_body_bytes: int = 100_000
    #: Wall-clock budget of one GraphQL request (body, parsing, validation, execution), in
    #: seconds; ``None`` for none.
    request_timeout: float | None = 10.0
    #: Origins allowed by CORS; empty means no CORS headers (same-origin only).
    cors_origins: tuple[str, ...] = ()
    #: Keep error-free answers and replay them for the same query, variables and operation.
    response_cache: bool = True
    #: Budget of the response cache, in bytes (answers and their keys), per worker process.
    response_cache_bytes: int = 64_000_000
    #: Answers larger than this are not cached, in bytes.
    response_cache_entry_bytes: int = 1_000_000
    #: Budget of the cache of parsed and validated documents, in bytes (estimated), per worker.
    document_cache_bytes: int = 32_000_000
    #: Run queries on their compiled plans (server.fast_execution); off: graphql-core only.
    compiled_plans: bool = True
    #: Where answers are computed: "loop-then-thread" (a short slice of the event loop, then a
    #: worker thread), "thread" (always a worker thread) or "loop" (always the event loop,
    #: which one heavy query then holds up for every client).
    execution: str = "loop-then-thread"

    def __post_init__(self) -> None:
        if self.execution not in EXECUTION_MODES:
            raise ValueError(f"execution must be one of {EXECUTION_MODES}, not {self.execution!r}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings the environment gives; the defaults for variables it does not set.

        ``BALLERINA_SEEDS``, ``BALLERINA_SNAPSHOT_DIR`` (a folder, or ``off``),
        ``BALLERINA_CORS_ORIGINS`` (comma-separated),
        ``BALLERINA_REQUEST_TIMEOUT`` (seconds, ``none`` for none), ``BALLERINA_RESPONSE_CACHE``
        (``on``/``off``), ``BALLERINA_RESPONSE_CACHE_BYTES``, ``BALLERINA_COMPILED_PLANS``
        (``on``/``off``) and ``BALLERINA_EXECUTION``. A value that is not valid raises
        :class:`SettingError` naming the variable.
        """
        env = os.environ if environ is None else environ
        defaults = cls()
        seeds = env.get("BALLERINA_SEEDS")
        origins = env.get("BALLERINA_CORS_ORIGINS", "")

        def read(name: str, parse: Callable[[str], T], expected: str, default: T) -> T:
            raw = env.get(name)
            if raw is None or not raw.strip():
                return default
            try:
                return parse(raw.strip())
            except ValueError:
                raise SettingError(name, raw, expected) from None

        execution = read(
            "BALLERINA_EXECUTION",
            _choice(EXECUTION_MODES),
            " or ".join(EXECUTION_MODES),
            defaults.execution,
        )
        snapshot_dir: Path | None = default_snapshot_dir(env)
        return cls(
            seeds_dir=Path(seeds) if seeds else DEFAULT_SEEDS,
            snapshot_dir=read(
                "BALLERINA_SNAPSHOT_DIR",
                parse_snapshot_dir,
                f"a folder or {SNAPSHOT_OFF!r}",
                snapshot_dir,
            ),
            cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
            request_timeout=read(
                "BALLERINA_REQUEST_TIMEOUT",
                _timeout,
                "a positive number of seconds or 'none'",
                defaults.request_timeout,
            ),
            response_cache=read(
                "BALLERINA_RESPONSE_CACHE", _switch, "on or off", defaults.response_cache
            ),
            response_cache_bytes=read(
                "BALLERINA_RESPONSE_CACHE_BYTES",
                _size,
                "a positive number of bytes",
                defaults.response_cache_bytes,
            ),
            compiled_plans=read(
                "BALLERINA_COMPILED_PLANS", _switch, "on or off", defaults.compiled_plans
            ),
            execution=execution,
        )


#: The environment variable behind each setting ``ballerina-kg serve`` has a flag for.
ENVIRONMENT = {
    "request_timeout": "BALLERINA_REQUEST_TIMEOUT",
    "response_cache": "BALLERINA_RESPONSE_CACHE",
    "response_cache_bytes": "BALLERINA_RESPONSE_CACHE_BYTES",
    "compiled_plans": "BALLERINA_COMPILED_PLANS",
    "execution": "BALLERINA_EXECUTION",
}


def environment(**settings: object) -> dict[str, str]:
    """The variables that make ``Settings.from_env`` give these settings (``None``: not set,
    so the default holds; except for ``request_timeout``, where ``"none"`` means no limit)."""
    found = {}
    for name, value in settings.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "on" if value else "off"
        found[ENVIRONMENT[name]] = str(value)
    return found


def parse_timeout(text: str) -> float | None:
    """Seconds (a positive number) or ``none``; ``ValueError`` otherwise."""
    return _timeout(text.strip())


def parse_size(text: str) -> int:
    """A positive number of bytes; ``ValueError`` otherwise."""
    return _size(text.strip())


def _switch(text: str) -> bool:
    value = text.lower()
    if value in ("on", "true", "1", "yes"):
        return True
    if value in ("off", "false", "0", "no"):
        return False
    raise ValueError(text)


def _size(text: str) -> int:
    value = int(text.replace("_", ""))
    if value <= 0:
        raise ValueError(text)
    return value


def _timeout(text: str) -> float | None:
    if text.lower() == "none":
        return None
    value = float(text)
    if not 0 < value < float("inf"):
        raise ValueError(text)
    return value


def _choice(choices: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in choices:
            raise ValueError(text)
        return text

    return parse

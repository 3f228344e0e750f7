"""Settings of one running service, read once at start-up."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from schema.limits import Limits

DEFAULT_SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@dataclass(frozen=True, slots=True)
class Settings:
    seeds_dir: Path = DEFAULT_SEEDS
    limits: Limits = field(default_factory=Limits)
    #: Largest request body the GraphQL endpoint reads, in bytes.
    max_body_bytes: int = 100_000
    #: Wall-clock budget of one GraphQL request, in seconds.
    request_timeout: float = 10.0
    #: Origins allowed by CORS; empty means no CORS headers (same-origin only).
    cors_origins: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        seeds = env.get("BALLERINA_SEEDS")
        origins = env.get("BALLERINA_CORS_ORIGINS", "")
        return cls(
            seeds_dir=Path(seeds) if seeds else DEFAULT_SEEDS,
            cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
        )

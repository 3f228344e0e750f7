"""What is wrong with an annotation, named by file, entry and field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    file: str
    entry: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.entry is None else f"{self.file}: {self.entry}"
        return f"{where}: {self.message}"


class AnnotationError(Exception):
    """The seeds do not make a valid knowledge base. Carries every problem found, not the first."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = sorted(problems)

    def __str__(self) -> str:
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the seed annotations:"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])

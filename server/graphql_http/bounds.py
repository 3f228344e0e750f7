"""The static bounds of a document (depth, aliases, nesting), in one pass.

Each definition's own selections are walked once, and each fragment's totals are worked out
once and reused wherever it is spread, so the cost is linear in the size of the document
whatever its fragments do. That matters because spreads can multiply: fragments that each
spread the next one twice (``fragment F0 on Query { ...F1 ...F1 }`` and so on, forty times in
1.6 kB) stand for 2^40 copies of the last one, and a limiter that walks every spread again,
as strawberry's ``QueryDepthLimiter`` and ``MaxAliasesLimiter`` do, never finishes.

What is counted is what those limiters count, so the limits mean what they did:

- **depth**, per operation: the most fields with a selection set along any path from the
  operation down, through fragments; introspection fields (``__schema``, ``__type``) and what
  lies below them do not count;
- **aliases**, over the whole document: every aliased field, a fragment's counted as often as it
  is spread (through nested fragments too); with fragments fanning out, the count grows
  exponentially, so it is kept exact only up to a cap and reported as "more than" beyond;
- **nesting**: the most selection sets (fields, inline fragments, spreads) one inside the
  other, through fragments. graphql-core gives up validating past 200 levels with a bare
  "Validation aborted."; this names the problem first;
- **comparisons**: pairs of fields with the same response name in one selection set, which
  graphql-core's rule for merging fields compares (quadratic in their number) within a budget
  of its own; a document sure to exhaust it is refused without spending it.

A fragment spread within itself (directly or through others) is not followed: the document is
then left to graphql-core's ``NoFragmentCycles`` rule, which names the cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from graphql.validation.rules.overlapping_fields_can_be_merged import MAX_COMPLEXITY_BUDGET

from schema.limits import Limits
from server.graphql_http.errors import (
    AliasLimitExceeded,
    DepthLimitExceeded,
    NestingLimitExceeded,
    ValidationTooComplex,
)

__all__ = ["ALIAS_COUNT_CAP", "MAX_NESTING", "DocumentBounds", "measure", "refusals"]

#: Alias counts are exact up to this and saturate there: beyond, "more than" is all one needs.
ALIAS_COUNT_CAP = 10**12
#: Most selection sets one inside the other (graphql-core's validation gives up past 200).
MAX_NESTING = 100


@dataclass(slots=True)
class _Summary:
    """What one definition holds by itself, and where it spreads fragments."""

    #: Deepest run of counted fields within the definition itself.
    depth: int = 0
    #: Deepest nesting of selection sets within the definition itself.
    nesting: int = 0
    #: Aliased fields within the definition itself.
    aliases: int = 0
    #: (fragment, counted fields above the spread) for spreads outside introspection fields.
    depth_spreads: list[tuple[str, int]] = field(default_factory=list)
    #: (fragment, selection sets above the spread), for every spread.
    nesting_spreads: list[tuple[str, int]] = field(default_factory=list)
    #: fragment -> how many times it is spread here (for aliases, which count every copy).
    spread_counts: dict[str, int] = field(default_factory=dict)
    #: Pairs of fields with the same response name in the same selection set (each pair
    #: twice): what graphql-core's OverlappingFieldsCanBeMerged compares at the least.
    comparisons: int = 0


@dataclass(frozen=True, slots=True)
class _Totals:
    """A definition's bounds with its fragments expanded."""

    depth: int
    nesting: int
    aliases: int


@dataclass(frozen=True, slots=True)
class DocumentBounds:
    """The bounds of a whole document."""

    #: Operation name ("anonymous" for one without) -> its depth.
    depths: dict[str, int]
    #: Aliases of all operations, fragments counted per spread; saturates at ALIAS_COUNT_CAP.
    aliases: int
    #: Deepest nesting of selection sets in any operation.
    nesting: int
    #: Whether some fragment is spread within itself (the rest then counts it once).
    has_cycle: bool
    #: The least graphql-core's overlapping-fields rule spends on the document (see _Summary).
    comparisons: int = 0


def _summarise(selection_set: SelectionSetNode) -> _Summary:
    """One walk over a definition's own selections (not into the fragments it spreads).

    With an explicit stack: the parser allows 200 levels of nesting, more than Python's
    recursion would like to spend on it.
    """
    summary = _Summary()
    counts = summary.spread_counts
    # (selection set, counted fields above it, selection sets above it incl. itself, counted?)
    stack: list[tuple[SelectionSetNode, int, int, bool]] = [(selection_set, 0, 1, True)]
    while stack:
        current, depth, nesting, counted = stack.pop()
        if nesting > summary.nesting:
            summary.nesting = nesting
        names: dict[str, int] = {}
        for selection in current.selections:
            if isinstance(selection, FieldNode):
                key = (selection.alias or selection.name).value
                names[key] = names.get(key, 0) + 1
                if selection.alias is not None:
                    summary.aliases += 1
                if selection.selection_set is None:
                    continue
                # Introspection fields, and all below them, do not count for depth.
                below = counted and not selection.name.value.startswith("__")
                if below and depth + 1 > summary.depth:
                    summary.depth = depth + 1
                stack.append((selection.selection_set, depth + 1, nesting + 1, below))
            elif isinstance(selection, InlineFragmentNode):
                stack.append((selection.selection_set, depth, nesting + 1, counted))
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                counts[name] = counts.get(name, 0) + 1
                summary.nesting_spreads.append((name, nesting))
                if counted:
                    summary.depth_spreads.append((name, depth))
        summary.comparisons += sum(n * (n - 1) for n in names.values() if n > 1)
    return summary


def measure(document: DocumentNode) -> DocumentBounds:
    """The bounds of ``document``: linear in its size, each fragment summed up once."""
    fragments: dict[str, _Summary] = {}
    operations: list[tuple[str, _Summary]] = []
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            # A repeated name is graphql-core's to report; the first one stands in meanwhile.
            fragments.setdefault(definition.name.value, _summarise(definition.selection_set))
        elif isinstance(definition, OperationDefinitionNode):
            name = definition.name.value if definition.name else "anonymous"
            operations.append((name, _summarise(definition.selection_set)))
    post_order, has_cycle = _walk(fragments)
    totals: dict[str, _Totals] = {}

    def expanded(summary: _Summary) -> _Totals:
        depth, nesting, aliases = summary.depth, summary.nesting, summary.aliases
        for name, above in summary.depth_spreads:
            if name in totals:
                depth = max(depth, above + totals[name].depth)
        for name, above in summary.nesting_spreads:
            if name in totals:
                nesting = max(nesting, above + totals[name].nesting)
        for name, count in summary.spread_counts.items():
            if name in totals:
                aliases = min(aliases + count * totals[name].aliases, ALIAS_COUNT_CAP)
        return _Totals(depth, nesting, aliases)

    # Fragments in an order where each comes after those it spreads: each is expanded once.
    for name in post_order:
        totals[name] = expanded(fragments[name])
    depths: dict[str, int] = {}
    aliases = nesting = 0
    comparisons = sum(summary.comparisons for summary in fragments.values())
    for name, summary in operations:
        comparisons += summary.comparisons
        total = expanded(summary)
        depths[name] = max(depths.get(name, 0), total.depth)
        aliases = min(aliases + total.aliases, ALIAS_COUNT_CAP)
        nesting = max(nesting, total.nesting)
    return DocumentBounds(depths, aliases, nesting, has_cycle, comparisons)


def _walk(fragments: dict[str, _Summary]) -> tuple[list[str], bool]:
    """The fragments in post-order (each after every fragment it spreads, a spread closing a
    cycle ignored), and whether any spread closes a cycle: one depth-first walk of the spreads,
    without recursion."""
    order: list[str] = []
    has_cycle = False
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in fragments:
        if root in state:
            continue
        state[root] = 1
        path = [(root, iter(fragments[root].spread_counts))]
        while path:
            name, spreads = path[-1]
            for spread in spreads:
                if spread not in fragments:
                    continue
                seen = state.get(spread)
                if seen == 1:
                    has_cycle = True
                elif seen is None:
                    state[spread] = 1
                    path.append((spread, iter(fragments[spread].spread_counts)))
                    break
            else:
                path.pop()
                state[name] = 2
                order.append(name)
    return order, has_cycle


def refusals(document: DocumentNode, limits: Limits) -> list[GraphQLError]:
    """The errors of the limits ``document`` crosses (empty when it is within them all).

    A document with a fragment cycle gets none: graphql-core's rules name the cycle, which is
    what is wrong with it.
    """
    bounds = measure(document)
    if bounds.has_cycle:
        return []
    errors: list[GraphQLError] = [
        DepthLimitExceeded(name, depth, limits.max_depth)
        for name, depth in bounds.depths.items()
        if depth > limits.max_depth
    ]
    if not errors and bounds.nesting > MAX_NESTING:
        # Deep nesting that the depth limit does not count (inline fragments, introspection).
        errors.append(NestingLimitExceeded(bounds.nesting, MAX_NESTING))
    if not errors and bounds.comparisons > MAX_COMPLEXITY_BUDGET:
        # graphql-core would give up on it anyway, after spending its whole budget.
        errors.append(ValidationTooComplex())
    if bounds.aliases > limits.max_aliases:
        errors.append(AliasLimitExceeded(bounds.aliases, limits.max_aliases, ALIAS_COUNT_CAP))
    return errors

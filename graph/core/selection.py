"""What a request selected below a list field, so its resolver fetches only that.

Fragments are followed; `@include`/`@skip` are not evaluated, so a field under one counts as
selected (fetching a little more is safe, fetching less is not).
"""

from __future__ import annotations

from collections.abc import Iterable

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from graph.core.context import Info


def _fields(selections: Iterable[Selection]) -> Iterable[SelectedField]:
    for selection in selections:
        if isinstance(selection, FragmentSpread | InlineFragment):
            yield from _fields(selection.selections)
        else:
            yield selection


def item_fields(info: Info) -> set[str]:
    """GraphQL names selected on a connection's items: under `nodes` and `edges { node }`."""
    names: set[str] = set()
    for connection in info.selected_fields:
        for field in _fields(connection.selections):
            if field.name == "nodes":
                names.update(f.name for f in _fields(field.selections))
            elif field.name == "edges":
                for edge_field in _fields(field.selections):
                    if edge_field.name == "node":
                        names.update(f.name for f in _fields(edge_field.selections))
    return names

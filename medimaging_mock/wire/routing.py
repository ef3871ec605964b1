"""Routing by HTTP method and path, compiled from each operation's `requestUri` in the model."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from botocore.model import OperationModel, ServiceModel

_LABEL = re.compile(r"\{([^}+]+)(\+?)\}")


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    operation: OperationModel
    literal_length: int


def _compile(template: str) -> tuple[re.Pattern[str], int]:
    """`/datastore/{datastoreId}` -> a regex with one named group per label.

    A greedy label (`{name+}`) spans slashes. So does a label that ends the path: a server in front of us
    may already have percent-decoded `/tags/arn%3A...%2Fimageset%2F...` into several segments.
    """
    path = template.split("?", 1)[0]
    parts, position, literal = [], 0, 0
    for match in _LABEL.finditer(path):
        text = path[position : match.start()]
        parts.append(re.escape(text))
        literal += len(text)
        spans_slashes = match.group(2) == "+" or match.end() == len(path)
        parts.append(f"(?P<{match.group(1)}>{'.*' if spans_slashes else '[^/]*'})")
        position = match.end()
    parts.append(re.escape(path[position:]))
    literal += len(path) - position
    return re.compile("".join(parts)), literal


class Router:
    def __init__(self, model: ServiceModel):
        routes = []
        for name in model.operation_names:
            operation = model.operation_model(name)
            pattern, literal = _compile(operation.http["requestUri"])
            routes.append(Route(operation.http["method"], pattern, operation, literal))
        # The most literal route wins: /datastore/{id}/searchImageSets before /datastore/{id}.
        self._routes = sorted(routes, key=lambda route: -route.literal_length)

    def match(self, method: str, path: str) -> tuple[OperationModel, Mapping[str, str]] | None:
        """The operation and its URI labels (read-only: the endpoint remembers them between calls)."""
        for route in self._routes:
            if route.method == method:
                found = route.pattern.fullmatch(path)
                if found:
                    return route.operation, MappingProxyType(found.groupdict())
        return None

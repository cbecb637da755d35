"""Layered layout of a dependency graph, as plain Python (no ORM, no Django).

Takes nodes and edges as plain data and returns every node with a position and every edge with
an SVG path, laid out left to right in layers (a Sugiyama-style layout, kept small):

1. edges to unknown nodes, self-loops and duplicates are dropped (and counted), so missing data
   never breaks the picture;
2. cycles are broken by a depth-first search from the roots: an edge that closes a cycle is kept
   but marked ``back`` and ignored for layering;
3. each node's layer is its longest path from a root, so a service sits left of its systems,
   systems left of the systems they need, then suppliers, then the suppliers' suppliers;
4. nodes are ordered within their layer by the barycentre of their neighbours, sweeping down and
   up a few times, which removes most crossings in graphs of this size;
5. coordinates: layers are columns, each column centred vertically.

The layout is deterministic: the same input gives the same picture.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    kind: str = ""
    url: str = ""


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str = ""


@dataclass(frozen=True)
class PlacedNode:
    id: str
    label: str
    kind: str
    url: str
    layer: int
    x: float
    y: float
    width: float
    height: float

    @property
    def short_label(self) -> str:
        # About 7 px per character at the stylesheet's node font size, 12 px padding each side.
        room = max(4, int((self.width - 24) / 7))
        return self.label if len(self.label) <= room else self.label[: room - 1] + "…"

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True)
class PlacedEdge:
    source: str
    target: str
    label: str
    path: str
    back: bool


@dataclass(frozen=True)
class Layout:
    nodes: tuple[PlacedNode, ...]
    edges: tuple[PlacedEdge, ...]
    width: float
    height: float
    layers: int
    dropped_edges: int

    def node(self, node_id: str) -> PlacedNode:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)


def layout(nodes: Iterable[Node], edges: Iterable[Edge], roots: Sequence[str] = (), *,
           node_width: float = 190, node_height: float = 40, layer_gap: float = 90, row_gap: float = 16,
           margin: float = 16, sweeps: int = 4) -> Layout:
    """Place ``nodes`` in layers from ``roots`` (default: nodes nothing points to)."""
    by_id: dict[str, Node] = {}
    for node in nodes:
        by_id.setdefault(node.id, node)
    kept, dropped = _clean_edges(by_id, edges)
    if not by_id:
        return Layout((), (), 0, 0, 0, dropped)

    successors: dict[str, list[str]] = {n: [] for n in by_id}
    indegree = dict.fromkeys(by_id, 0)
    for edge in kept:
        successors[edge.source].append(edge.target)
        indegree[edge.target] += 1
    starts = [r for r in roots if r in by_id] or [n for n in by_id if indegree[n] == 0] or [next(iter(by_id))]

    back, discovery = _back_edges(by_id, successors, starts)
    forward = [e for e in kept if (e.source, e.target) not in back]
    layer = _longest_path_layers(by_id, forward, discovery)
    # An edge spanning several layers is split by a waypoint in each layer it crosses, ordered
    # like a node, so that it runs between boxes instead of behind them.
    waypoints: dict[tuple[str, str], list[str]] = {}
    segments: list[Edge] = []
    for edge in forward:
        chain = [edge.source]
        for step in range(layer[edge.source] + 1, layer[edge.target]):
            point = f"\x00{len(layer)}"
            layer[point] = step
            discovery.append(point)
            chain.append(point)
        chain.append(edge.target)
        waypoints[(edge.source, edge.target)] = chain[1:-1]
        segments += [Edge(a, b) for a, b in zip(chain, chain[1:], strict=False)]
    columns = _order_layers(layer, segments, discovery, sweeps)

    def size(item: str) -> float:
        return node_height if item in by_id else _WAYPOINT

    heights = [sum(size(i) for i in column) + row_gap * (len(column) - 1) for column in columns]
    tallest = max(heights)
    placed: dict[str, PlacedNode] = {}
    passes: dict[str, tuple[float, float]] = {}  # waypoint → (x, y)
    for index, column in enumerate(columns):
        x = margin + index * (node_width + layer_gap)
        y = margin + (tallest - heights[index]) / 2
        for item in column:
            if item in by_id:
                node = by_id[item]
                placed[item] = PlacedNode(id=node.id, label=node.label, kind=node.kind, url=node.url, layer=index,
                                          x=x, y=y, width=node_width, height=node_height)
            else:
                passes[item] = (x, y + _WAYPOINT / 2)
            y += size(item) + row_gap
    width = 2 * margin + len(columns) * (node_width + layer_gap) - layer_gap
    height = 2 * margin + tallest
    placed_edges = []
    for edge in kept:
        is_back = (edge.source, edge.target) in back
        via = [passes[p] for p in waypoints.get((edge.source, edge.target), [])]
        path = _path(placed[edge.source], placed[edge.target], is_back, via, node_width)
        placed_edges.append(PlacedEdge(edge.source, edge.target, edge.label, path, is_back))
    if any(e.back for e in placed_edges):
        height += 2 * node_height  # room for the loops drawn under the columns
    ordered = tuple(placed[n] for column in columns for n in column if n in placed)
    return Layout(ordered, tuple(placed_edges), width, height, len(columns), dropped)


#: Height of the slot a long edge takes in a layer it crosses.
_WAYPOINT = 10


def _clean_edges(by_id: dict[str, Node], edges: Iterable[Edge]) -> tuple[list[Edge], int]:
    kept, seen, dropped = [], set(), 0
    for edge in edges:
        pair = (edge.source, edge.target)
        if edge.source not in by_id or edge.target not in by_id or edge.source == edge.target or pair in seen:
            dropped += 1
            continue
        seen.add(pair)
        kept.append(edge)
    return kept, dropped


def _back_edges(by_id, successors, starts) -> tuple[set[tuple[str, str]], list[str]]:
    """Edges closing a cycle (target still on the DFS stack), and the nodes in discovery order.

    Iterative, so a long chain cannot exhaust Python's recursion limit.
    """
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    back: set[tuple[str, str]] = set()
    discovery: list[str] = []
    for start in [*starts, *by_id]:
        if start in state:
            continue
        state[start] = 1
        discovery.append(start)
        stack = [(start, iter(successors[start]))]
        while stack:
            node, children = stack[-1]
            for child in children:
                if state.get(child) == 1:
                    back.add((node, child))
                elif child not in state:
                    state[child] = 1
                    discovery.append(child)
                    stack.append((child, iter(successors[child])))
                    break
            else:
                state[node] = 2
                stack.pop()
    return back, discovery


def _longest_path_layers(by_id, forward: list[Edge], discovery: list[str]) -> dict[str, int]:
    successors: dict[str, list[str]] = {n: [] for n in by_id}
    indegree = dict.fromkeys(by_id, 0)
    for edge in forward:
        successors[edge.source].append(edge.target)
        indegree[edge.target] += 1
    layer = dict.fromkeys(by_id, 0)
    ready = deque(n for n in discovery if indegree[n] == 0)
    while ready:
        node = ready.popleft()
        for child in successors[node]:
            layer[child] = max(layer[child], layer[node] + 1)
            indegree[child] -= 1
            if indegree[child] == 0:
                ready.append(child)
    return layer


def _order_layers(layer: dict[str, int], forward: list[Edge], discovery: list[str], sweeps: int) -> list[list[str]]:
    columns: list[list[str]] = [[] for _ in range(max(layer.values()) + 1)]
    for node in discovery:
        columns[layer[node]].append(node)
    predecessors: dict[str, list[str]] = {n: [] for n in layer}
    successors: dict[str, list[str]] = {n: [] for n in layer}
    for edge in forward:
        predecessors[edge.target].append(edge.source)
        successors[edge.source].append(edge.target)

    def position() -> dict[str, float]:
        # Relative position in its column (0..1), so columns of different heights compare.
        return {n: (i + 0.5) / len(c) for c in columns for i, n in enumerate(c)}

    def reorder(column: list[str], neighbours: dict[str, list[str]], pos: dict[str, float]) -> list[str]:
        def key(item):
            i, node = item
            linked = [pos[n] for n in neighbours[node]]
            return (sum(linked) / len(linked) if linked else pos[node], i)

        return [node for _, node in sorted(enumerate(column), key=key)]

    for _ in range(sweeps):
        for i in range(1, len(columns)):
            columns[i] = reorder(columns[i], predecessors, position())
        for i in range(len(columns) - 2, -1, -1):
            columns[i] = reorder(columns[i], successors, position())
    return columns


def _path(source: PlacedNode, target: PlacedNode, back: bool, via=(), span: float = 0) -> str:
    if back:
        # Leave from the bottom of the source, loop under the columns, enter the target from below.
        sx, sy = source.cx, source.y + source.height
        tx, ty = target.cx, target.y + target.height
        drop = max(sy, ty) + 1.5 * source.height
        return f"M{sx:.1f},{sy:.1f} C{sx:.1f},{drop:.1f} {tx:.1f},{drop:.1f} {tx:.1f},{ty:.1f}"
    # Curves across the gaps between layers, straight runs through the layers crossed.
    x, y = source.x + source.width, source.cy
    parts = [f"M{x:.1f},{y:.1f}"]
    for px, py in [*via, (target.x, target.cy)]:
        bend = (px - x) / 2
        parts.append(f"C{x + bend:.1f},{y:.1f} {px - bend:.1f},{py:.1f} {px:.1f},{py:.1f}")
        if (px, py) != (target.x, target.cy):
            parts.append(f"L{px + span:.1f},{py:.1f}")
            x, y = px + span, py
    return " ".join(parts)

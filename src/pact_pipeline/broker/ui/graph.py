"""The network of pacticipants and integrations, drawn server-side as an inline SVG string.

A layered (Sugiyama-style) drawing in which consumers flow left to right toward their providers.
Pure: no I/O and only the standard library; the same input always gives the same markup.

Cycles are broken by reversing the back edges a depth-first search finds; each pacticipant's
layer (column) is its longest path from a source (isolated ones go first); an edge spanning
several layers passes through a dummy vertex in each layer between, so it runs between boxes, not
through them; barycentre sweeps reduce crossings (the order with the fewest is kept); columns are
stacked evenly and centred, and edges are cubic Béziers with horizontal tangents.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Literal

__all__ = ["COLOURS", "Edge", "Node", "render_graph"]

Status = Literal["verified", "failed", "unverified"]

#: Edge colour by status.
COLOURS: dict[str, str] = {"verified": "#2e7d32", "failed": "#c62828", "unverified": "#9e9e9e"}
#: Drawing order, bottom first: failed edges are drawn on top.
_STATUS_ORDER = ("verified", "unverified", "failed")
#: Which status wins when the same integration is given twice.
_SEVERITY = {"failed": 0, "unverified": 1, "verified": 2}
#: Line style by status, so status does not depend on colour alone.
_STROKE = {
    "verified": 'stroke-width="1.5"',
    "failed": 'stroke-width="2.25"',
    "unverified": 'stroke-width="1.5" stroke-dasharray="5 3"',
}

CHAR_WIDTH = 7  # estimated px per character at 12px
WIDE_CHAR_WIDTH = 12  # East Asian wide and full-width characters
TEXT_PAD = 10  # between the text and the box's sides
MIN_BOX_WIDTH = 64
MAX_BOX_WIDTH = 180
BOX_HEIGHT = 30
NODE_PITCH = 48  # vertical room for one box: 30px box plus 18px gap
DUMMY_PITCH = 12  # vertical room for an edge passing through a column
LAYER_GAP = 100  # horizontal room between columns for the edges' curves
MARGIN = 16
RIGHT_MARGIN = 40  # room for self-integration loops on the last column
LEGEND_HEIGHT = 30
SWEEPS = 8
PORT_STEP = 6  # vertical distance between edge ends on one side of a box
_LEGEND_ITEMS = ("verified", "failed", "unverified")
_LEGEND_WIDTH = sum(30 + CHAR_WIDTH * len(status) + 18 for status in _LEGEND_ITEMS)

_SVG_NS = "http://www.w3.org/2000/svg"
_FONT = 'font-family="system-ui, -apple-system, \'Segoe UI\', Roboto, sans-serif" font-size="12"'
_INVALID_XML = re.compile(r"[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")
Point = tuple[float, float]
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:")

_EMPTY_SVG = (
    f'<svg xmlns="{_SVG_NS}" viewBox="0 0 240 60" width="240" height="60" role="img" '
    f'aria-label="No integrations yet" class="pact-network pact-network-empty" {_FONT}>'
    '<rect x="0.5" y="0.5" width="239" height="59" rx="6" fill="#fafafa" stroke="#e0e0e0"/>'
    '<text x="120" y="30" dy="0.35em" text-anchor="middle" fill="#616161">'
    "No integrations yet</text></svg>"
)
_DEFS = "<defs>{}</defs>".format(
    "".join(
        f'<marker id="pp-arrow-{status}" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{COLOURS[status]}"/></marker>'
        for status in _STATUS_ORDER
    )
)


@dataclass(frozen=True)
class Edge:
    """An integration: ``status`` is the latest main-branch verification of the latest pact."""

    consumer: str
    provider: str
    status: Status
    href: str | None = None  # the integration's page


@dataclass(frozen=True)
class Node:
    """A pacticipant."""

    name: str
    href: str | None = None  # the pacticipant's page


@dataclass
class _Chain:
    """An edge routed through the layers: ``vertices`` run left to right, real at both ends."""

    edge: Edge
    vertices: list[int]
    reversed: bool  # a back edge: the consumer is on the right


@dataclass
class _Layout:
    names: list[str]  # real vertices are 0..len(names)-1, the rest are dummies
    hrefs: list[str | None]
    labels: list[str]
    layer_of: list[int]
    layers: list[list[int]]
    chains: list[_Chain]
    loops: list[Edge]
    column_x: list[float] = field(default_factory=list)
    column_width: list[float] = field(default_factory=list)
    y: list[float] = field(default_factory=list)  # each vertex's centre
    width: float = 0.0
    height: float = 0.0


def render_graph(nodes: Sequence[Node], edges: Sequence[Edge]) -> str:
    """The network as an ``<svg>`` element to inline in HTML (no XML declaration).

    Pacticipants named only by an edge are drawn too; an integration given twice is drawn once,
    with its worst status.
    """
    if unknown := sorted({edge.status for edge in edges} - COLOURS.keys()):
        raise ValueError(f"unknown edge status {unknown[0]!r}")
    if not nodes and not edges:
        return _EMPTY_SVG
    layout = _layout(nodes, edges)
    width, height = _num(layout.width), _num(layout.height)
    label = (
        f"Network of {_plural(len(layout.names), 'pacticipant')} and "
        f"{_plural(len(layout.chains) + len(layout.loops), 'integration')}"
    )
    parts = [
        f'<svg xmlns="{_SVG_NS}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{_esc(label)}" class="pact-network" {_FONT}>',
        _DEFS,
        _legend(),
        *_edges_markup(layout),
        *_nodes_markup(layout),
        "</svg>",
    ]
    return "\n".join(parts)


def _layout(nodes: Sequence[Node], edges: Sequence[Edge]) -> _Layout:
    hrefs_by_name: dict[str, str | None] = {}
    for node in sorted(nodes, key=lambda n: (n.name, n.href is None, n.href or "")):
        if hrefs_by_name.get(node.name) is None:
            hrefs_by_name[node.name] = node.href
    unique = _unique_edges(edges)
    for edge in unique:
        hrefs_by_name.setdefault(edge.consumer, None)
        hrefs_by_name.setdefault(edge.provider, None)
    names = sorted(hrefs_by_name)
    index = {name: i for i, name in enumerate(names)}
    chains, layer_of = _chains(names, index, [e for e in unique if e.consumer != e.provider])
    layers: list[list[int]] = [[] for _ in range(max(layer_of) + 1)]
    for vertex, layer in enumerate(layer_of):
        layers[layer].append(vertex)
    up: list[list[int]] = [[] for _ in layer_of]
    down: list[list[int]] = [[] for _ in layer_of]
    for chain in chains:
        for left, right in pairwise(chain.vertices):
            down[left].append(right)
            up[right].append(left)
    layout = _Layout(
        names=names,
        hrefs=[hrefs_by_name[name] for name in names],
        labels=[_truncate(name) for name in names],
        layer_of=layer_of,
        layers=_order(layers, up, down),
        chains=chains,
        loops=[e for e in unique if e.consumer == e.provider],
    )
    _place(layout)
    return layout


def _unique_edges(edges: Sequence[Edge]) -> list[Edge]:
    """One edge per (consumer, provider), keeping the worst status, sorted."""
    unique: dict[tuple[str, str], Edge] = {}
    ranked = sorted(
        edges, key=lambda e: (e.consumer, e.provider, _SEVERITY[e.status], e.href or "")
    )
    for edge in ranked:
        unique.setdefault((edge.consumer, edge.provider), edge)
    return list(unique.values())


def _chains(
    names: list[str], index: dict[str, int], links: list[Edge]
) -> tuple[list[_Chain], list[int]]:
    """Each edge as a chain through the layers, and every vertex's layer (dummies included)."""
    successors: list[list[int]] = [[] for _ in names]
    for edge in links:
        successors[index[edge.consumer]].append(index[edge.provider])
    back = _back_edges(successors)
    oriented: list[tuple[Edge, int, int, bool]] = []
    for edge in links:
        consumer, provider = index[edge.consumer], index[edge.provider]
        if (consumer, provider) in back:
            oriented.append((edge, provider, consumer, True))
        else:
            oriented.append((edge, consumer, provider, False))
    layer_of = _longest_path_layers(len(names), [(lo, hi) for _, lo, hi, _ in oriented])
    chains: list[_Chain] = []
    for edge, lo, hi, reversed_ in oriented:
        vertices = [lo]
        for layer in range(layer_of[lo] + 1, layer_of[hi]):
            vertices.append(len(layer_of))
            layer_of.append(layer)
        vertices.append(hi)
        chains.append(_Chain(edge=edge, vertices=vertices, reversed=reversed_))
    return chains, layer_of


def _back_edges(successors: list[list[int]]) -> set[tuple[int, int]]:
    """The edges that close a cycle in an (iterative) depth-first search, in vertex order."""
    state = [0] * len(successors)  # 0: unvisited, 1: on the stack, 2: finished
    back: set[tuple[int, int]] = set()
    for root in range(len(successors)):
        if state[root]:
            continue
        state[root] = 1
        stack: list[tuple[int, Iterator[int]]] = [(root, iter(successors[root]))]
        while stack:
            vertex, pending = stack[-1]
            for successor in pending:
                if state[successor] == 1:
                    back.add((vertex, successor))
                elif state[successor] == 0:
                    state[successor] = 1
                    stack.append((successor, iter(successors[successor])))
                    break
            else:
                state[vertex] = 2
                stack.pop()
    return back


def _longest_path_layers(count: int, dag: list[tuple[int, int]]) -> list[int]:
    """Each vertex's layer: the length of the longest path reaching it from a source."""
    successors: list[list[int]] = [[] for _ in range(count)]
    waiting = [0] * count
    for lo, hi in dag:
        successors[lo].append(hi)
        waiting[hi] += 1
    layer = [0] * count
    ready = [v for v in range(count) if waiting[v] == 0]
    while ready:
        vertex = ready.pop()
        for successor in successors[vertex]:
            layer[successor] = max(layer[successor], layer[vertex] + 1)
            waiting[successor] -= 1
            if waiting[successor] == 0:
                ready.append(successor)
    return layer


def _order(layers: list[list[int]], up: list[list[int]], down: list[list[int]]) -> list[list[int]]:
    """Barycentre sweeps down and up the layers, keeping the order with the fewest crossings."""
    current = [list(layer) for layer in layers]
    best, fewest = [list(layer) for layer in current], _crossings(current, down)
    for _ in range(SWEEPS):
        for sweep in (range(1, len(current)), range(len(current) - 2, -1, -1)):
            for i in sweep:
                downward = sweep.step > 0
                fixed = current[i - 1] if downward else current[i + 1]
                current[i] = _barycentre_order(current[i], fixed, up if downward else down)
            crossings = _crossings(current, down)
            if crossings < fewest:
                best, fewest = [list(layer) for layer in current], crossings
    return best


def _barycentre_order(layer: list[int], fixed: list[int], neighbours: list[list[int]]) -> list[int]:
    """``layer`` sorted by the mean position of each vertex's neighbours in ``fixed``."""
    position = {vertex: i for i, vertex in enumerate(fixed)}
    scale = len(fixed) / max(len(layer), 1)

    def key(item: tuple[int, int]) -> tuple[float, int]:
        i, vertex = item
        adjacent = [position[n] for n in neighbours[vertex] if n in position]
        centre = sum(adjacent) / len(adjacent) if adjacent else i * scale
        return centre, i

    return [vertex for _, vertex in sorted(enumerate(layer), key=key)]


def _crossings(layers: list[list[int]], down: list[list[int]]) -> int:
    """How many pairs of segments between adjacent layers cross."""
    total = 0
    for upper, lower in pairwise(layers):
        position = {vertex: i for i, vertex in enumerate(lower)}
        ends = sorted((i, position[w]) for i, v in enumerate(upper) for w in down[v])
        seen = [0] * (len(lower) + 1)
        for _, end in ends:
            total += sum(seen[end + 1 :])
            seen[end] += 1
    return total


def _place(layout: _Layout) -> None:
    """Columns left to right, each stacked evenly and centred vertically."""
    real = len(layout.names)
    x = float(MARGIN)
    for layer in layout.layers:
        widths = [_text_width(layout.labels[v]) + 2 * TEXT_PAD for v in layer if v < real]
        layout.column_x.append(x)
        layout.column_width.append(min(MAX_BOX_WIDTH, max([MIN_BOX_WIDTH, *widths])))
        x += layout.column_width[-1] + LAYER_GAP
    heights = [
        sum(NODE_PITCH if v < real else DUMMY_PITCH for v in layer) for layer in layout.layers
    ]
    tallest = max(heights)
    layout.y = [0.0] * len(layout.layer_of)
    for layer, height in zip(layout.layers, heights, strict=True):
        offset = MARGIN + LEGEND_HEIGHT + (tallest - height) / 2
        for vertex in layer:
            pitch = NODE_PITCH if vertex < real else DUMMY_PITCH
            layout.y[vertex] = offset + pitch / 2
            offset += pitch
    legend_width = MARGIN + _LEGEND_WIDTH + MARGIN
    layout.width = max(x - LAYER_GAP + RIGHT_MARGIN, legend_width)
    layout.height = MARGIN + LEGEND_HEIGHT + tallest + MARGIN


def _char_width(char: str) -> int:
    return WIDE_CHAR_WIDTH if unicodedata.east_asian_width(char) in ("W", "F") else CHAR_WIDTH


def _text_width(text: str) -> int:
    return sum(_char_width(char) for char in text)


def _truncate(name: str) -> str:
    """``name`` shortened with "…" to fit the widest box."""
    name = " ".join(name.split()) or name
    room = MAX_BOX_WIDTH - 2 * TEXT_PAD
    if _text_width(name) <= room:
        return name
    kept, used = [], CHAR_WIDTH  # room for the ellipsis
    for char in name:
        used += _char_width(char)
        if used > room:
            break
        kept.append(char)
    return "".join(kept).rstrip() + "…"


def _esc(text: str) -> str:
    """``text`` escaped for XML text or a double-quoted attribute; invalid characters replaced."""
    escaped = html.escape(_INVALID_XML.sub("\ufffd", text), quote=True)
    return escaped.replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")


def _num(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _link(href: str | None, body: str) -> str:
    """``body`` in a link to ``href``, unless it is absent or names a scheme other than http(s)
    (``javascript:`` and the like; browsers ignore control characters and spaces there)."""
    if href is None:
        return body
    probe = re.sub(r"[\x00-\x20]", "", href).lower()
    if _SCHEME.match(probe) and not probe.startswith(("http:", "https:")):
        return body
    return f'<a href="{_esc(href)}">{body}</a>'


def _legend() -> str:
    parts, x, y = [], float(MARGIN), MARGIN + 8
    for status in _LEGEND_ITEMS:
        parts.append(
            f'<line x1="{_num(x)}" y1="{y}" x2="{_num(x + 24)}" y2="{y}" '
            f'stroke="{COLOURS[status]}" {_STROKE[status]}/>'
            f'<text x="{_num(x + 30)}" y="{y}" dy="0.35em" fill="#424242">{status}</text>'
        )
        x += 30 + CHAR_WIDTH * len(status) + 18
    return f'<g class="legend" aria-hidden="true">{"".join(parts)}</g>'


def _ports(layout: _Layout) -> tuple[list[float], list[float]]:
    """Where each chain leaves its left vertex and enters its right one, spread over the box
    in the order of the neighbouring vertex's height so that edges do not cross at a box."""
    leaving: dict[int, list[tuple[float, int]]] = {}
    entering: dict[int, list[tuple[float, int]]] = {}
    for i, chain in enumerate(layout.chains):
        first, second = chain.vertices[0], chain.vertices[1]
        last, before = chain.vertices[-1], chain.vertices[-2]
        leaving.setdefault(first, []).append((layout.y[second], i))
        entering.setdefault(last, []).append((layout.y[before], i))
    starts, ends = [0.0] * len(layout.chains), [0.0] * len(layout.chains)
    for ports, result in ((leaving, starts), (entering, ends)):
        for vertex, items in ports.items():
            items.sort()
            step = min(PORT_STEP, (BOX_HEIGHT - 10) / max(len(items) - 1, 1))
            for k, (_, chain_index) in enumerate(items):
                result[chain_index] = layout.y[vertex] + (k - (len(items) - 1) / 2) * step
    return starts, ends


def _chain_points(layout: _Layout, chain: _Chain, start: float, end: float) -> list[Point]:
    """The chain's way points; between consecutive points, curves and straight runs alternate."""
    first, last = chain.vertices[0], chain.vertices[-1]
    layer = layout.layer_of[first]
    points: list[Point] = [(layout.column_x[layer] + layout.column_width[layer], start)]
    for dummy in chain.vertices[1:-1]:
        layer = layout.layer_of[dummy]
        points.append((layout.column_x[layer], layout.y[dummy]))
        points.append((layout.column_x[layer] + layout.column_width[layer], layout.y[dummy]))
    points.append((layout.column_x[layout.layer_of[last]], end))
    if chain.reversed:
        points.reverse()
    return points


def _path(points: list[Point]) -> str:
    (x, y), commands = points[0], [f"M{_num(points[0][0])},{_num(points[0][1])}"]
    for i, (nx, ny) in enumerate(points[1:]):
        if i % 2 == 0:
            bend = (nx - x) / 2
            commands.append(
                f"C{_num(x + bend)},{_num(y)} {_num(nx - bend)},{_num(ny)} {_num(nx)},{_num(ny)}"
            )
        else:
            commands.append(f"L{_num(nx)},{_num(ny)}")
        x, y = nx, ny
    return " ".join(commands)


def _loop_path(layout: _Layout, name: str) -> str:
    """A small loop on top of a pacticipant that is its own provider."""
    vertex = layout.names.index(name)
    layer = layout.layer_of[vertex]
    right, top = layout.column_x[layer] + layout.column_width[layer], layout.y[vertex] - 15
    start, end, peak = _num(right - 30), _num(right - 10), _num(top - 18)
    return f"M{start},{_num(top)} C{start},{peak} {end},{peak} {end},{_num(top)}"


def _edge_markup(edge: Edge, d: str) -> str:
    status = edge.status
    title = f"{edge.consumer} → {edge.provider}: {status}"
    body = (
        f"<title>{_esc(title)}</title>"
        f'<path class="edge-hit" d="{d}" fill="none" stroke="#000" stroke-opacity="0" '
        'stroke-width="10"/>'
        f'<path class="edge-line" d="{d}" fill="none" stroke="{COLOURS[status]}" '
        f'{_STROKE[status]} marker-end="url(#pp-arrow-{status})"/>'
    )
    return (
        f'<g class="edge edge-{status}" data-consumer="{_esc(edge.consumer)}" '
        f'data-provider="{_esc(edge.provider)}" data-status="{status}">'
        f"{_link(edge.href, body)}</g>"
    )


def _edges_markup(layout: _Layout) -> list[str]:
    starts, ends = _ports(layout)
    drawn: list[tuple[Edge, str]] = [
        (chain.edge, _path(_chain_points(layout, chain, starts[i], ends[i])))
        for i, chain in enumerate(layout.chains)
    ]
    drawn += [(edge, _loop_path(layout, edge.consumer)) for edge in layout.loops]
    drawn.sort(
        key=lambda item: (_STATUS_ORDER.index(item[0].status), item[0].consumer, item[0].provider)
    )
    return ['<g class="edges">', *(_edge_markup(edge, d) for edge, d in drawn), "</g>"]


def _nodes_markup(layout: _Layout) -> list[str]:
    parts = ['<g class="nodes">']
    for vertex, name in enumerate(layout.names):
        layer = layout.layer_of[vertex]
        x, width, y = layout.column_x[layer], layout.column_width[layer], layout.y[vertex]
        body = (
            f"<title>{_esc(name)}</title>"
            f'<rect class="node-box" x="{_num(x)}" y="{_num(y - BOX_HEIGHT / 2)}" '
            f'width="{_num(width)}" height="{BOX_HEIGHT}" rx="6" fill="#ffffff" '
            'stroke="#546e7a" stroke-width="1.25"/>'
            f'<text x="{_num(x + width / 2)}" y="{_num(y)}" dy="0.35em" text-anchor="middle" '
            f'fill="#263238">{_esc(layout.labels[vertex])}</text>'
        )
        parts.append(
            f'<g class="node" data-name="{_esc(name)}">{_link(layout.hrefs[vertex], body)}</g>'
        )
    parts.append("</g>")
    return parts

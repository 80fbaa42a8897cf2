"""The network graph's SVG: well-formed, complete, escaped, deterministic and legible."""

from __future__ import annotations

import itertools
import random
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Literal

import pytest

from pact_pipeline.broker.ui.graph import Edge, Node, render_graph

NS = "{http://www.w3.org/2000/svg}"
STATUSES: tuple[Literal["verified", "failed", "unverified"], ...] = (
    "verified",
    "failed",
    "unverified",
)
COLOUR = {"verified": "#2e7d32", "failed": "#c62828", "unverified": "#9e9e9e"}


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float
    label: str

    def overlaps(self, other: Box) -> bool:
        return (
            self.x < other.x + other.width
            and other.x < self.x + self.width
            and self.y < other.y + other.height
            and other.y < self.y + self.height
        )


def parse(svg: str) -> ET.Element:
    assert not svg.startswith("<?xml")
    root = ET.fromstring(svg)  # noqa: S314 - the document under test, not untrusted input
    assert root.tag == f"{NS}svg"
    return root


def groups(root: ET.Element, kind: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{NS}g") if kind in (g.get("class") or "").split()]


def boxes(root: ET.Element) -> dict[str, Box]:
    found: dict[str, Box] = {}
    for group in groups(root, "node"):
        rect, text = group.find(f".//{NS}rect"), group.find(f".//{NS}text")
        assert rect is not None and text is not None
        name = group.get("data-name")
        assert name is not None and name not in found
        x, y, width, height = (float(rect.get(a, "nan")) for a in ("x", "y", "width", "height"))
        found[name] = Box(x, y, width, height, text.text or "")
    return found


def edges_by_pair(root: ET.Element) -> dict[tuple[str, str], ET.Element]:
    return {
        (g.get("data-consumer", ""), g.get("data-provider", "")): g for g in groups(root, "edge")
    }


def big_graph(
    seed: int = 1, count: int = 50, integrations: int = 88
) -> tuple[list[Node], list[Edge]]:
    """A broker-sized network: names of realistic length, cycles included."""
    rng = random.Random(seed)
    words = ["Order", "Billing", "Frontend", "Product", "User", "Search", "Payment", "Inventory"]
    kinds = ["Service", "API", "Website", "Worker", "Gateway", "Notifications"]
    names = [f"{rng.choice(words)}{rng.choice(kinds)}{i}" for i in range(count)]
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < integrations:
        a, b = rng.sample(range(count), 2)
        pairs.add((a, b))
    edges = [
        Edge(names[a], names[b], rng.choice(STATUSES), href=f"/integrations/{a}/{b}")
        for a, b in sorted(pairs)
    ]
    return [Node(name, href=f"/pacticipants/{name}") for name in names], edges


def assert_legible(root: ET.Element) -> None:
    """No two boxes overlap, each box's text fits it and every box is inside the drawing."""
    found = list(boxes(root).values())
    for a, b in itertools.combinations(found, 2):
        assert not a.overlaps(b), (a, b)
    _, _, width, height = (float(v) for v in root.get("viewBox", "").split())
    assert root.get("width") == root.get("viewBox", "").split()[2]
    for box in found:
        assert 7 * len(box.label) <= box.width - 2 * 8, box
        assert box.x >= 0 and box.y >= 0
        assert box.x + box.width <= width and box.y + box.height <= height


SMALL_NODES = [
    Node("FrontendWebsite", href="/pacticipants/FrontendWebsite"),
    Node("ProductService"),
    Node("UserService"),
    Node("MobileApp"),
]
SMALL_EDGES = [
    Edge("FrontendWebsite", "ProductService", "verified", href="/integrations/1"),
    Edge("FrontendWebsite", "UserService", "failed"),
    Edge("MobileApp", "ProductService", "unverified"),
]


def test_a_small_graph_is_well_formed_svg_with_every_node_and_edge() -> None:
    svg = render_graph(SMALL_NODES, SMALL_EDGES)
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Network of 4 pacticipants and 3 integrations"
    assert set(boxes(root)) == {n.name for n in SMALL_NODES}
    drawn = edges_by_pair(root)
    assert set(drawn) == {(e.consumer, e.provider) for e in SMALL_EDGES}
    for edge in SMALL_EDGES:
        group = drawn[edge.consumer, edge.provider]
        assert group.get("class") == f"edge edge-{edge.status}"
        assert group.get("data-status") == edge.status
        line = group.find(f".//{NS}path[@class='edge-line']")
        assert line is not None
        assert line.get("stroke") == COLOUR[edge.status]
        assert line.get("marker-end") == f"url(#pp-arrow-{edge.status})"
        assert (line.get("d") or "").startswith("M")
        title = group.find(f".//{NS}title")
        assert title is not None
        assert title.text == f"{edge.consumer} → {edge.provider}: {edge.status}"


def test_nodes_and_edges_link_only_when_given_an_href() -> None:
    root = parse(render_graph(SMALL_NODES, SMALL_EDGES))
    nodes = {g.get("data-name"): g for g in groups(root, "node")}
    link = nodes["FrontendWebsite"].find(f"{NS}a")
    assert link is not None and link.get("href") == "/pacticipants/FrontendWebsite"
    assert nodes["ProductService"].find(f"{NS}a") is None
    drawn = edges_by_pair(root)
    link = drawn["FrontendWebsite", "ProductService"].find(f"{NS}a")
    assert link is not None and link.get("href") == "/integrations/1"
    assert drawn["FrontendWebsite", "UserService"].find(f"{NS}a") is None


def test_script_urls_are_not_linked() -> None:
    nodes = [Node("A", href="javascript:alert(1)"), Node("B", href=" Java\tScript:alert(1)")]
    edges = [Edge("A", "B", "verified", href="data:text/html,<b>x</b>")]
    root = parse(render_graph(nodes, edges))
    assert list(root.iter(f"{NS}a")) == []


def test_failed_edges_are_drawn_on_top_and_the_legend_names_every_status() -> None:
    nodes, edges = big_graph()
    root = parse(render_graph(nodes, edges))
    statuses = [g.get("data-status") for g in groups(root, "edge")]
    first_failed = statuses.index("failed")
    assert set(statuses[first_failed:]) == {"failed"}
    assert set(statuses) == set(STATUSES)
    legend = groups(root, "legend")
    assert len(legend) == 1
    assert [t.text for t in legend[0].iter(f"{NS}text")] == ["verified", "failed", "unverified"]


def test_a_broker_sized_graph_is_complete_and_legible() -> None:
    nodes, edges = big_graph()
    root = parse(render_graph(nodes, edges))
    assert set(boxes(root)) == {n.name for n in nodes}
    drawn = edges_by_pair(root)
    assert len(drawn) == len(edges) == 88
    for edge in edges:
        assert drawn[edge.consumer, edge.provider].get("data-status") == edge.status
    assert_legible(root)


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_other_broker_sized_graphs_are_legible(seed: int) -> None:
    assert_legible(parse(render_graph(*big_graph(seed))))


def test_cycles_terminate_and_stay_legible() -> None:
    edges = [
        Edge("A", "B", "verified"),
        Edge("B", "C", "failed"),
        Edge("C", "A", "unverified"),
        Edge("B", "A", "verified"),  # a two-cycle
        Edge("C", "C", "verified"),  # a pacticipant that is its own provider
        Edge("D", "A", "failed"),
    ]
    root = parse(render_graph([], edges))
    assert set(boxes(root)) == {"A", "B", "C", "D"}
    assert set(edges_by_pair(root)) == {(e.consumer, e.provider) for e in edges}
    assert_legible(root)


def test_a_large_cycle_does_not_overflow_the_stack() -> None:
    names = [f"S{i:04d}" for i in range(1500)]
    edges = [Edge(a, b, "verified") for a, b in itertools.pairwise([*names, names[0]])]
    root = parse(render_graph([], edges))
    assert len(groups(root, "edge")) == 1500


def test_consumers_are_left_of_their_providers_in_an_acyclic_graph() -> None:
    rng = random.Random(7)
    names = [f"P{i:02d}" for i in range(30)]
    pairs = {tuple(sorted(rng.sample(range(30), 2))) for _ in range(60)}
    edges = [Edge(names[a], names[b], "verified") for a, b in sorted(pairs)]
    found = boxes(parse(render_graph([Node(n) for n in names], edges)))
    for edge in edges:
        consumer, provider = found[edge.consumer], found[edge.provider]
        assert consumer.x + consumer.width < provider.x, edge


def test_layers_are_longest_paths_and_isolated_pacticipants_go_first() -> None:
    nodes = [Node("Lonely")]
    edges = [Edge("A", "B", "verified"), Edge("B", "C", "verified"), Edge("A", "C", "verified")]
    found = boxes(parse(render_graph(nodes, edges)))
    assert found["Lonely"].x == found["A"].x
    assert found["A"].x < found["B"].x < found["C"].x


def test_markup_in_names_and_hrefs_is_escaped() -> None:
    hostile = ["<script>alert(1)</script>", "Fish & Chips", "\"quoted\" 'single'", "a]]>b"]
    href = '/p?a=1&b="2"><script>x</script>'
    nodes = [Node(name, href=href) for name in hostile]
    edges = [Edge(hostile[0], hostile[1], "failed", href=href)]
    svg = render_graph(nodes, edges)
    assert "<script" not in svg
    root = parse(svg)
    tags = {element.tag.removeprefix(NS) for element in root.iter()}
    assert tags <= {"svg", "defs", "marker", "path", "g", "line", "text", "title", "a", "rect"}
    assert set(boxes(root)) == set(hostile)
    for link in root.iter(f"{NS}a"):
        assert link.get("href") == href
    titles = {t.text for t in root.iter(f"{NS}title")}
    assert set(hostile) <= titles
    assert f"{hostile[0]} → {hostile[1]}: failed" in titles
    assert (hostile[0], hostile[1]) in edges_by_pair(root)


def test_characters_xml_cannot_hold_are_replaced() -> None:
    root = parse(render_graph([Node("bell\x07\x00"), Node("tab\tnew\nline")], []))
    assert set(boxes(root)) == {"bell\ufffd\ufffd", "tab\tnew\nline"}


def test_long_names_are_truncated_with_the_full_name_in_a_title() -> None:
    name = "AnExtraordinarilyLongPacticipantNameThatWouldNeverFitInABox" * 2
    root = parse(render_graph([Node(name), Node("Short")], [Edge(name, "Short", "verified")]))
    box = boxes(root)[name]
    assert box.label.endswith("…") and name.startswith(box.label[:-1])
    assert box.width <= 180
    group = next(g for g in groups(root, "node") if g.get("data-name") == name)
    title = group.find(f".//{NS}title")
    assert title is not None and title.text == name
    assert_legible(root)


def test_wide_characters_fit_their_box() -> None:
    name = "注文サービス" * 4
    box = boxes(parse(render_graph([Node(name)], [])))[name]
    assert box.label.endswith("…")
    assert 12 * (len(box.label) - 1) + 7 <= box.width - 2 * 8


def test_the_same_input_gives_the_same_output_in_any_order() -> None:
    nodes, edges = big_graph()
    first = render_graph(nodes, edges)
    assert render_graph(nodes, edges) == first
    shuffled_nodes, shuffled_edges = list(nodes), list(edges)
    rng = random.Random(99)
    rng.shuffle(shuffled_nodes)
    rng.shuffle(shuffled_edges)
    assert render_graph(shuffled_nodes, shuffled_edges) == first


def test_an_empty_network_says_so() -> None:
    svg = render_graph([], [])
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-label") == "No integrations yet"
    assert [t.text for t in root.iter(f"{NS}text")] == ["No integrations yet"]
    assert groups(root, "node") == [] and groups(root, "edge") == []


def test_pacticipants_without_integrations_are_drawn() -> None:
    root = parse(render_graph([Node("Alone")], []))
    assert set(boxes(root)) == {"Alone"}
    assert root.get("aria-label") == "Network of 1 pacticipant and 0 integrations"


def test_pacticipants_named_only_by_an_edge_are_drawn() -> None:
    root = parse(render_graph([], [Edge("Consumer", "Provider", "unverified")]))
    assert set(boxes(root)) == {"Consumer", "Provider"}


def test_an_integration_given_twice_is_drawn_once_with_its_worst_status() -> None:
    edges = [Edge("A", "B", "verified"), Edge("A", "B", "failed"), Edge("A", "B", "unverified")]
    drawn = groups(parse(render_graph([], edges)), "edge")
    assert [g.get("data-status") for g in drawn] == ["failed"]


def test_an_unknown_status_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown edge status"):
        render_graph([], [Edge("A", "B", "passed")])  # type: ignore[arg-type]


def test_the_drawing_grows_with_layers_and_rows() -> None:
    def size(edges: list[Edge]) -> tuple[float, float]:
        root = parse(render_graph([], edges))
        return float(root.get("width", "0")), float(root.get("height", "0"))

    one = size([Edge("A", "B", "verified")])
    deeper = size([Edge("A", "B", "verified"), Edge("B", "C", "verified")])
    taller = size([Edge(f"C{i}", "P", "verified") for i in range(10)])
    assert deeper[0] > one[0]
    assert taller[1] > one[1]

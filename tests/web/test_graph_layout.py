"""The layered layout engine of the dependency picture, on plain data."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from forceb.inventory.graph import Edge, Node, layout


def nodes(*ids):
    return [Node(i, i.upper()) for i in ids]


def test_chain_is_laid_out_left_to_right_one_layer_per_step():
    result = layout(nodes("svc", "sys", "db", "vendor"),
                    [Edge("svc", "sys"), Edge("sys", "db"), Edge("db", "vendor")], roots=["svc"])
    layers = {n.id: n.layer for n in result.nodes}
    assert layers == {"svc": 0, "sys": 1, "db": 2, "vendor": 3}
    xs = [result.node(i).x for i in ("svc", "sys", "db", "vendor")]
    assert xs == sorted(xs) and len(set(xs)) == 4
    assert result.layers == 4 and result.dropped_edges == 0


def test_layer_is_the_longest_path_so_a_shortcut_does_not_pull_a_node_left():
    # svc needs app and (directly) the supplier; app also needs the supplier.
    result = layout(nodes("svc", "app", "cloud"),
                    [Edge("svc", "app"), Edge("svc", "cloud"), Edge("app", "cloud")])
    assert result.node("cloud").layer == 2


def test_a_cycle_terminates_and_its_closing_edge_is_marked_back():
    result = layout(nodes("svc", "a", "b"), [Edge("svc", "a"), Edge("a", "b"), Edge("b", "a")], roots=["svc"])
    back = [(e.source, e.target) for e in result.edges if e.back]
    assert back == [("b", "a")]
    assert result.node("a").layer == 1 and result.node("b").layer == 2
    assert len(result.edges) == 3


def test_a_pure_cycle_without_roots_still_gets_a_layout():
    result = layout(nodes("a", "b", "c"), [Edge("a", "b"), Edge("b", "c"), Edge("c", "a")])
    assert sorted(n.layer for n in result.nodes) == [0, 1, 2]
    assert sum(e.back for e in result.edges) == 1


def test_missing_endpoints_self_loops_and_duplicates_are_dropped_and_counted():
    result = layout(nodes("svc", "sys"),
                    [Edge("svc", "sys"), Edge("svc", "sys"), Edge("sys", "gone"), Edge("sys", "sys")])
    assert [(e.source, e.target) for e in result.edges] == [("svc", "sys")]
    assert result.dropped_edges == 3


def test_empty_input_gives_an_empty_picture():
    result = layout([], [Edge("a", "b")])
    assert result.nodes == () and result.width == 0 and result.dropped_edges == 1


def test_duplicate_nodes_keep_the_first():
    result = layout([Node("a", "first"), Node("a", "second")], [])
    assert [n.label for n in result.nodes] == ["first"]


def crossings(result):
    spans = [(result.node(e.source).y, result.node(e.target).y) for e in result.edges]
    return sum(1 for (a, b), (c, d) in itertools.combinations(spans, 2) if (a - c) * (b - d) < 0)


def test_barycentre_sweeps_remove_crossings():
    pairs = [("n3", "n0"), ("n1", "n0"), ("n2", "n0"), ("n2", "n4"), ("n1", "n4")]
    args = (nodes("n0", "n1", "n2", "n3", "n4"), [Edge(a, b) for a, b in pairs])
    assert crossings(layout(*args, sweeps=0)) == 3
    assert crossings(layout(*args)) == 1


def test_forward_edge_paths_run_from_source_right_side_to_target_left_side():
    result = layout(nodes("s", "t"), [Edge("s", "t", "needs")])
    s, t = result.node("s"), result.node("t")
    edge = result.edges[0]
    assert edge.label == "needs"
    assert edge.path.startswith(f"M{s.x + s.width:.1f},{s.cy:.1f}")
    assert edge.path.endswith(f"{t.x:.1f},{t.cy:.1f}")


def test_long_labels_are_shortened_for_the_box_but_kept_whole():
    long = "Core banking platform of the whole institution"
    node = layout([Node("a", long)], []).nodes[0]
    assert node.label == long
    assert node.short_label.endswith("…") and len(node.short_label) < len(long)


graphs = st.integers(min_value=1, max_value=12).flatmap(
    lambda n: st.tuples(st.just(n), st.lists(st.tuples(st.integers(0, n + 1), st.integers(0, n + 1)), max_size=30)))


@settings(max_examples=150, deadline=None)
@given(graphs)
def test_any_graph_is_placed_whole_without_overlaps(graph):
    count, pairs = graph
    ids = [f"n{i}" for i in range(count)]
    result = layout([Node(i, i) for i in ids], [Edge(f"n{a}", f"n{b}") for a, b in pairs])
    assert sorted(n.id for n in result.nodes) == sorted(ids)
    placed = {(n.x, n.y) for n in result.nodes}
    assert len(placed) == count  # no two boxes at the same spot
    for node in result.nodes:
        assert 0 <= node.x and node.x + node.width <= result.width
        assert 0 <= node.y and node.y + node.height <= result.height
    for edge in result.edges:
        if not edge.back:
            assert result.node(edge.source).layer < result.node(edge.target).layer


def test_an_edge_skipping_a_layer_runs_beside_the_boxes_of_that_layer_not_behind_them():
    result = layout(nodes("svc", "portal", "core"),
                    [Edge("svc", "portal"), Edge("portal", "core"), Edge("svc", "core")])
    portal = result.node("portal")
    long_edge = next(e for e in result.edges if (e.source, e.target) == ("svc", "core"))
    run = [part for part in long_edge.path.split() if part.startswith("L")]
    assert len(run) == 1  # one straight run through layer 1
    x, y = (float(v) for v in run[0][1:].split(","))
    assert x == portal.x + portal.width
    assert not portal.y <= y <= portal.y + portal.height
    assert result.height >= portal.height * 1.2  # the layer made room for the run

"""Pictures that do not mislead and reports that are read and kept (issue #13): the gap is never the
loss in disguise, every axis is labelled, a misprint's plot shows the corrected bound, a graph drawing
shows every use of a variable, and `optlab verify` never overwrites the full report."""
import json
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from optlab import Variable  # noqa: E402
from optlab.algorithms import GD, Adam, run  # noqa: E402
from optlab.autodiff.draw import draw  # noqa: E402
from optlab.autodiff.notes import MultiplyOperation, PlusConstantOperation, SquareOperation  # noqa: E402
from optlab.cli import main  # noqa: E402
from optlab.plotting import plot_trace  # noqa: E402
from optlab.problems import cosine_sum, quadratic, wrap  # noqa: E402
from optlab.theory import Instance, check, get  # noqa: E402
from optlab.theory.report import plot_check, plot_checks  # noqa: E402


def teardown_function():
    plt.close("all")


# ---------------------------------------------------------------------------------- plot_trace
def test_gap_without_f_star_is_refused_not_the_loss_under_its_label():
    p = wrap(lambda x: 0.5 * (x @ x) + 1.0, d=2, H=1.0)          # f* not stated
    tr = run(GD(lr=0.5), p, steps=5, x0=np.ones(2))
    with pytest.raises(ValueError, match="metric='gap' needs f\\*"):
        plot_trace(tr, metric="gap")
    ax = plot_trace(tr)                                          # the default picks the loss
    assert ax.get_ylabel() == "f(x_t)"
    np.testing.assert_allclose(ax.lines[0].get_ydata(), tr.loss)


def test_gap_with_f_star_is_the_gap_and_legends_are_short():
    p = quadratic(d=3, mu=0.5, H=2.0)
    ax = plot_trace([run(Adam(lr=0.05), p, steps=5), run(GD(lr=0.1), p, steps=5)])
    assert ax.get_ylabel() == "f(x_t) - f*"
    assert [line.get_label() for line in ax.lines] == ["Adam(lr=0.05)", "GD(lr=0.1)"]


# ---------------------------------------------------------------------------------- theorem plots
def test_theorem_plot_has_a_y_label_and_names_the_bound():
    p = quadratic(d=3, mu=0.5, H=2.0)
    ax = plot_check(check(get("EC500-5.8"), Instance(p, np.ones(3), T=20, hyper={"lr": 0.5})))
    assert ax.get_ylabel().replace("\n", " ") == get("EC500-5.8").measured_text
    assert "bound (as printed)" in [line.get_label() for line in ax.lines]


def test_a_misprint_plot_shows_the_printed_and_the_corrected_bound():
    t = get("EC500-6.2/printed")
    c = check(t, t.counterexample())
    labels = [line.get_label() for line in plot_check(c).lines]
    assert "printed bound" in labels and "corrected bound (EC500-6.2)" in labels
    corrected = plot_check(c).lines[-1].get_ydata()
    assert np.all(c.measured <= corrected) and not np.all(c.measured <= c.bound)   # the point of it


def test_panels_of_one_figure_share_one_scale():
    p = cosine_sum(d=4, seed=0)
    checks = [check(get("EC500-5.8"), Instance(p, np.full(4, 0.3), T=60, hyper={"lr": e / p.H}))
              for e in (0.25, 0.5, 1.0)]
    scales = {ax.get_yscale() for ax in plot_checks(checks).axes if ax.get_visible()}
    assert len(scales) == 1


# ---------------------------------------------------------------------------------- graph drawing
def _nodes_and_edges(svg):
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    nodes = [("e", float(e.get("cx")), float(e.get("cy")), float(e.get("rx")), float(e.get("ry")))
             for e in root.iter(ns + "ellipse")]
    nodes += [("r", float(r.get("x")), float(r.get("y")), float(r.get("width")), float(r.get("height")))
              for r in root.iter(ns + "rect")]
    edges = []
    s = np.linspace(0.03, 0.97, 300)
    for line in root.iter(ns + "line"):
        x0, y0, x1, y1 = (float(line.get(k)) for k in ("x1", "y1", "x2", "y2"))
        edges.append(np.stack([x0 + s * (x1 - x0), y0 + s * (y1 - y0)], axis=1))
    for path in root.iter(ns + "path"):
        d = path.get("d")
        if "Q" not in d:
            continue                                            # the arrow marker
        (x0, y0), (cx, cy), (x1, y1) = (tuple(map(float, p.split(","))) for p in
                                        d.replace("M", "").replace("Q", " ").split())
        b = lambda a, c, e: (1 - s) ** 2 * a + 2 * s * (1 - s) * c + s ** 2 * e  # noqa: E731
        edges.append(np.stack([b(x0, cx, x1), b(y0, cy, y1)], axis=1))
    return nodes, edges


def _inside(node, pts):
    kind, a, b, c, d = node
    if kind == "e":
        return ((pts[:, 0] - a) / c) ** 2 + ((pts[:, 1] - b) / d) ** 2 < 0.98
    return (pts[:, 0] > a + 1) & (pts[:, 0] < a + c - 1) & (pts[:, 1] > b + 1) & (pts[:, 1] < b + d - 1)


def _graphs():
    x = Variable(value=2, name="x")
    g1 = MultiplyOperation().forward(x, PlusConstantOperation(constant=1).forward(x))   # x (x + 1)
    x = Variable(value=3, name="x")
    g2 = MultiplyOperation().forward(SquareOperation().forward(x), PlusConstantOperation(constant=2).forward(x))
    return [g1, g2]


@pytest.mark.parametrize("k", [0, 1])
def test_no_edge_of_a_graph_drawing_runs_through_a_node(k):
    nodes, edges = _nodes_and_edges(draw(_graphs()[k])._repr_svg_())
    assert len(edges) == (5 if k == 0 else 7)
    for pts in edges:
        hit = [n for n in nodes if _inside(n, pts).any()]
        assert not hit, f"an edge passes through the node at {hit[0][1:3]}: a use of a variable is hidden"


# ---------------------------------------------------------------------------------- verify keeps work
def test_verify_theorem_and_json_never_overwrite_the_full_report(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    full = tmp_path / "report"
    full.mkdir()
    (full / "index.md").write_text("the full report of make verify")
    assert main(["verify", "--theorem", "EC500-2.4", "--quiet"]) == 0
    assert (full / "index.md").read_text() == "the full report of make verify"
    assert (full / "only" / "EC500-2.4" / "index.md").exists()
    assert main(["verify", "--theorem", "EC500-5.8", "--json", "--quiet"]) == 0
    assert (full / "index.md").read_text() == "the full report of make verify"
    out = capsys.readouterr().out
    assert isinstance(json.loads(out[out.index("["):]), list)


def test_the_report_is_a_page_to_read(tmp_path):
    assert main(["verify", "--theorem", "EC500-2.4", "--theorem", "EC500-6.2/printed", "--quiet",
                 "--report", str(tmp_path)]) == 0
    md, page = (tmp_path / "index.md").read_text(), (tmp_path / "index.html").read_text()
    anchors = [a for a in md.split('<a id="')[1:]]
    assert len(anchors) == 1 + 3                                     # top + one per check
    for k in range(3):
        assert f"(#check-{k:03d})" in md and f"href='#check-{k:03d}'" in page
        assert f"id='check-{k:03d}'" in page and f"src='{k:03d}_" in page
    assert "Instance: " in md and "misprint shown" in md and "T = " in md
    assert "Corrected form EC500-6.2 on the same instance: drawn beside the printed bound" in md


def test_explain_prints_what_a_check_needs(capsys):
    assert main(["explain", "EC500-6.1"]) == 0
    out = capsys.readouterr().out
    for words in ("Hypotheses", "smooth", "Constants", "H, f_star", "lr in [0, 1]", "Oracle", "sigma",
                  "Thm 6.1", "Default instance"):
        assert words in out
    assert main(["explain", "EC500-99"]) == 2


def test_ctrl_c_in_verify_keeps_the_finished_checks(tmp_path, monkeypatch, capsys):
    import optlab.theory.verify as verify_module

    real, calls = verify_module.checks_for, {"n": 0}

    def interrupted_on_the_second(theorem, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(theorem, **kw)

    monkeypatch.setattr(verify_module, "checks_for", interrupted_on_the_second)
    monkeypatch.chdir(tmp_path)
    assert main(["verify", "--theorem", "EC500-2.4", "--theorem", "EC500-5.8", "--quiet"]) == 130
    assert "EC500-2.4" in capsys.readouterr().out                   # the table of what finished
    page = tmp_path / "report" / "only" / "EC500-2.4+EC500-5.8" / "interrupted" / "index.md"
    assert "EC500-2.4" in page.read_text() and not (tmp_path / "report" / "index.md").exists()

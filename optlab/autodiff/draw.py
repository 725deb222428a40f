"""Draw a computation graph: variables as ovals (``name : value : derivative``), operations as boxes.

In Jupyter the returned object renders itself as SVG; ``.to_dot()`` gives Graphviz source for those
who have Graphviz, and ``str()`` a plain-text listing. No external program is needed.

Example:
    >>> from optlab.autodiff.notes import PlusConstantOperation, MultiplyOperation, backward_topological
    >>> from optlab import Variable
    >>> x = Variable(value=2, name="x")
    >>> z = MultiplyOperation().forward(x, PlusConstantOperation(constant=1).forward(x))
    >>> backward_topological(z)
    >>> print(draw(z))
    x : 2 : 5
    v1 : 3 : 2  <- plus_constant(x)
    v2 : 6 : 1  <- multiply(x, v1)
"""
from __future__ import annotations

import html

import numpy

from ..backend import to_numpy
from .backward import reverse_topological_order
from .graph import Variable


def _short(value, digits=4):
    a = to_numpy(value)
    if a.ndim == 0:
        return f"{float(a):.{digits}g}"
    if a.size <= 4:
        return numpy.array2string(a.ravel(), precision=3, separator=", ")
    return f"array{a.shape}"


class GraphDrawing:
    """A drawable snapshot of the graph that produced ``output``."""

    def __init__(self, output):
        self.variables = list(reversed(reverse_topological_order(output)))  # inputs first
        self.names = {}
        counter = 0
        for v in self.variables:
            if v.name is None:
                counter += 1
            self.names[v] = v.name if v.name is not None else f"v{counter}"
        # Layer = length of the longest path from an input: a simple, readable left-to-right layout.
        self.layer = {}
        for v in self.variables:
            parents = [p for p in v.op.parents if isinstance(p, Variable)] if v.op else []
            self.layer[v] = 0 if not parents else 2 + max(self.layer[p] for p in parents)

    def label(self, v):
        return f"{self.names[v]} : {_short(v.value)} : {_short(getattr(v, 'derivative', 0.0))}"

    def _operand(self, p):
        return self.names[p] if isinstance(p, Variable) else _short(p)

    def __str__(self):
        lines = []
        for v in self.variables:
            line = self.label(v)
            if v.op is not None:
                line += f"  <- {v.op.primitive.name}({', '.join(self._operand(p) for p in v.op.parents)})"
            lines.append(line)
        return "\n".join(lines)

    def to_dot(self):
        """Graphviz source: variable nodes as ellipses, operation nodes as boxes."""
        out = ["digraph G {", "  rankdir=LR;"]
        index = {v: i for i, v in enumerate(self.variables)}  # by identity (== compares values)
        for i, v in enumerate(self.variables):
            out.append(f'  v{i} [shape=ellipse, label="{self.label(v)}"];')
            if v.op is not None:
                out.append(f'  o{i} [shape=box, label="{v.op.primitive.name}"];')
                for p in v.op.parents:
                    if isinstance(p, Variable):
                        out.append(f"  v{index[p]} -> o{i};")
                out.append(f"  o{i} -> v{i};")
        out.append("}")
        return "\n".join(out)

    def layout(self):
        """Node centres, edges and the SVG size.

        Columns are the layers (an operation sits one column left of its output); within a column
        nodes stack downwards. An edge whose straight line would cross another node (a variable that
        feeds two operations, like x in x * (x + 1)) is drawn as an arc over the top of the picture,
        so that every use of a variable is visible. Returns ``(centre, edges, width, height)`` where
        ``edges`` holds ``(points, curved)`` with points ``[start, end]`` or ``[start, control, end]``.
        """
        width_per_layer, row_height = 150, 60
        rows, cell = {}, {}
        for v in self.variables:
            col = self.layer[v]
            cell[v] = (col, rows.get(col, 0))
            rows[col] = rows.get(col, 0) + 1
            if v.op is not None:  # its operation sits one column to the left
                cell[v.op] = (col - 1, rows.get(col - 1, 0))
                rows[col - 1] = rows.get(col - 1, 0) + 1
        pairs = []
        for v in self.variables:
            if v.op is not None:
                pairs += [(p, v.op) for p in v.op.parents if isinstance(p, Variable)] + [(v.op, v)]
        straight = lambda a, b: all(not _crosses(cell, a, b, c) for c in cell if c is not a and c is not b)  # noqa: E731
        n_arcs = sum(not straight(a, b) for a, b in pairs)
        top = 44 + 18 * n_arcs          # room above the first row for the arcs
        centre = {k: (20 + col * width_per_layer + 65, top + row * row_height) for k, (col, row) in cell.items()}
        edges, level = [], 0
        for a, b in pairs:
            (ax, ay), (bx, by) = centre[a], centre[b]
            ha, hb = self._half(a), self._half(b)
            if straight(a, b):
                edges.append(([(ax + ha[0], ay), (bx - hb[0], by)], False))
                continue
            level += 1
            peak = top - 34 - 18 * (level - 1)
            start, end = (ax, ay - ha[1]), (bx, by - hb[1])
            control = ((start[0] + end[0]) / 2, 2 * peak - (start[1] + end[1]) / 2)
            edges.append(([start, control, end], True))
        width = 40 + (max(self.layer.values()) + 1) * width_per_layer
        height = top + 10 + max(rows.values()) * row_height
        return centre, edges, width, height

    def _half(self, item):
        """Half width and half height of a node: ellipse for a variable, box for an operation."""
        return (62, 16) if isinstance(item, Variable) else (35, 12)

    def _repr_svg_(self):
        centre, edges, width, height = self.layout()
        parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
                 'font-family="monospace" font-size="11">',
                 '<defs><marker id="a" markerWidth="8" markerHeight="8" refX="8" refY="4" '
                 'orient="auto"><path d="M0,0 L8,4 L0,8 z"/></marker></defs>']
        for points, curved in edges:
            if curved:
                (x0, y0), (cx, cy), (x1, y1) = points
                parts.append(f'<path d="M{x0:g},{y0:g} Q{cx:g},{cy:g} {x1:g},{y1:g}" fill="none" '
                             'stroke="#555" marker-end="url(#a)"/>')
            else:
                (x0, y0), (x1, y1) = points
                parts.append(f'<line x1="{x0:g}" y1="{y0:g}" x2="{x1:g}" y2="{y1:g}" '
                             'stroke="#555" marker-end="url(#a)"/>')
        for v in self.variables:
            if v.op is None:
                continue
            ox, oy = centre[v.op]
            parts.append(f'<rect x="{ox - 35:g}" y="{oy - 12:g}" width="70" height="24" fill="#fde9c8" '
                         'stroke="#b57a00"/>')
            parts.append(f'<text x="{ox:g}" y="{oy + 4:g}" text-anchor="middle">'
                         f'{html.escape(v.op.primitive.name)}</text>')
        for v in self.variables:
            vx, vy = centre[v]
            parts.append(f'<ellipse cx="{vx:g}" cy="{vy:g}" rx="62" ry="16" fill="#dcebfa" stroke="#2a5d9f"/>')
            parts.append(f'<text x="{vx:g}" y="{vy + 4:g}" text-anchor="middle">{html.escape(self.label(v))}</text>')
        parts.append("</svg>")
        return "".join(parts)


def _crosses(cell, a, b, c):
    """Would the straight edge a -> b pass through node c? (Same row, c strictly between in column.)"""
    (ca, ra), (cb, rb), (cc, rc) = cell[a], cell[b], cell[c]
    if ra != rb:       # a slanted edge: crosses c if c's row lies between and its column too
        return min(ca, cb) < cc < max(ca, cb) and min(ra, rb) <= rc <= max(ra, rb)
    return rc == ra and min(ca, cb) < cc < max(ca, cb)


def draw(output):
    """A drawing of the graph that produced ``output`` (renders as SVG in Jupyter)."""
    if not isinstance(output, Variable):
        raise TypeError(f"draw needs a graph value (an optlab Variable), got {type(output).__name__}")
    return GraphDrawing(output)

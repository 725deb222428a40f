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

    def _repr_svg_(self):
        width_per_layer, row_height, box_w = 150, 60, 130
        rows = {}
        pos = {}
        for v in self.variables:
            col = self.layer[v]
            pos[v] = (col, rows.get(col, 0))
            rows[col] = rows.get(col, 0) + 1
            if v.op is not None:  # its operation sits one column to the left
                pos[v.op] = (col - 1, rows.get(col - 1, 0))
                rows[col - 1] = rows.get(col - 1, 0) + 1

        def xy(item):
            col, row = pos[item]
            return 20 + col * width_per_layer + box_w / 2, 30 + row * row_height

        width = 40 + (max(self.layer.values()) + 1) * width_per_layer
        height = 40 + max(rows.values()) * row_height
        parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
                 'font-family="monospace" font-size="11">',
                 '<defs><marker id="a" markerWidth="8" markerHeight="8" refX="8" refY="4" '
                 'orient="auto"><path d="M0,0 L8,4 L0,8 z"/></marker></defs>']
        for v in self.variables:
            if v.op is None:
                continue
            ox, oy = xy(v.op)
            for p in v.op.parents:
                if isinstance(p, Variable):
                    px, py = xy(p)
                    parts.append(f'<line x1="{px + 55}" y1="{py}" x2="{ox - 35}" y2="{oy}" '
                                 'stroke="#555" marker-end="url(#a)"/>')
            vx, vy = xy(v)
            parts.append(f'<line x1="{ox + 35}" y1="{oy}" x2="{vx - 60}" y2="{vy}" '
                         'stroke="#555" marker-end="url(#a)"/>')
            parts.append(f'<rect x="{ox - 35}" y="{oy - 12}" width="70" height="24" fill="#fde9c8" '
                         'stroke="#b57a00"/>')
            parts.append(f'<text x="{ox}" y="{oy + 4}" text-anchor="middle">'
                         f'{html.escape(v.op.primitive.name)}</text>')
        for v in self.variables:
            vx, vy = xy(v)
            parts.append(f'<ellipse cx="{vx}" cy="{vy}" rx="62" ry="16" fill="#dcebfa" stroke="#2a5d9f"/>')
            parts.append(f'<text x="{vx}" y="{vy + 4}" text-anchor="middle">{html.escape(self.label(v))}</text>')
        parts.append("</svg>")
        return "".join(parts)


def draw(output):
    """A drawing of the graph that produced ``output`` (renders as SVG in Jupyter)."""
    if not isinstance(output, Variable):
        raise TypeError(f"draw needs a graph value (an optlab Variable), got {type(output).__name__}")
    return GraphDrawing(output)

"""The reverse pass: vector-Jacobian products pulled back in reverse topological order.

EC500 section 4.5 states the backward pass as two mutually recursive procedures (Algorithms 4 and 5;
``notes.py`` keeps them literally, as the reference the tests compare with) that push the product of
partials along *every path* from the output, whose number grows exponentially with reuse. Here every
node is visited once, after all of its children: its cotangent is then complete (the sum over all
paths through it, by linearity), and one vector-Jacobian product per parent pushes it on.

* The order is computed iteratively (a graph of 10^6 nodes works; no recursion limit).
* Cotangents live in a dictionary local to the call, never on the nodes: a second call gives the
  same gradients (never doubled). They are keyed by :func:`node` (see ``lean.py`` for why).
* One loop applies the VJPs, :func:`pull_back`; the NaN finder (``checks.py``) and the notes' edge
  Jacobians (``notes.py``) read what it yields.

Example:
    >>> from optlab.autodiff.graph import Variable
    >>> x = Variable(3.0)
    >>> backward(x * x + x, 1.0, [x])
    [7.0]
"""
from __future__ import annotations

from collections import deque
from .graph import Variable


def node(v):
    """The identity of ``v`` as a graph node: the operation that produced it, or ``v`` for an input."""
    return v.op or v


def reverse_topological_order(output, stop=()):
    """Variables reachable from ``output``, each listed after every variable that uses it.

    Kahn's algorithm run backwards: count the uses of each variable as a parent, then release a
    variable once all its uses are visited. Variables in ``stop`` are listed but not expanded.
    """
    return _order(output, {node(s) for s in stop})[0]


def _order(output, stop):
    """``(the order, whether a source outside ``stop`` was reached)``; ``stop`` holds nodes.

    The second item tells ``api._make_vjp`` whether a nested derivative closes over an outer variable.
    """
    uses, stack, foreign = {}, [output], False
    while stack:
        v = stack.pop()
        op = v.op
        if op is None:
            foreign = foreign or v not in stop
            continue
        if op in stop:
            continue
        for p in op.parents:
            if isinstance(p, Variable):
                k = p.op or p  # node(p), inlined (once per edge)
                if k in uses:
                    uses[k] += 1
                else:
                    uses[k] = 1
                    stack.append(p)
    order, ready = [], [output]
    while ready:
        v = ready.pop()
        order.append(v)
        op = v.op
        if op is None or op in stop:
            continue
        for p in op.parents:
            if isinstance(p, Variable):
                k = p.op or p
                n = uses[k] - 1
                uses[k] = n
                if n == 0:
                    ready.append(p)
    return order, foreign


def backward(output, seed, inputs, create_graph=False, keep_all=False):
    """The cotangent of each of ``inputs`` (None if ``output`` does not depend on it), given the
    cotangent ``seed`` of ``output`` (1.0 for the gradient of a scalar). The graph is left as it was.

    ``create_graph=True`` records the VJPs' own work, so the result can be differentiated again;
    ``keep_all=True`` returns ``{variable: cotangent}`` for every variable reached (for display).
    """
    stop = {node(x) for x in inputs}
    order = _order(output, stop)[0]
    variables = order[:] if keep_all else ()
    cotangents = {node(output): seed}
    deque(pull_back(order, cotangents, stop, create_graph, keep_all), maxlen=0)  # run it through
    if keep_all:
        return {v: cotangents[node(v)] for v in variables if node(v) in cotangents}
    return [cotangents.get(node(x)) for x in inputs]


def pull_back(order, cotangents, stop=(), create_graph=False, keep=False):
    """Apply every node's VJPs; yield ``(v, i, g_i)`` per edge, then add ``g_i`` into ``cotangents``.

    ``g_i`` is what the VJP rule of argument ``i`` of ``v.op`` passes to that parent. ``order`` (from
    :func:`_order`, output first) is emptied as it is visited and, unless ``keep``, each visited
    node's cotangent is dropped, so nothing here keeps a visited node alive (``lean.py`` relies on
    it). ``cotangents`` starts as ``{node(output): seed}``; ``stop`` holds nodes not expanded.
    """
    order.reverse()  # pop() from the end visits the output first
    while order:
        v = order.pop()
        op = v.op
        if op is None or op in stop:
            continue
        g = cotangents.get(op) if keep else cotangents.pop(op, None)
        if g is None:  # reached, but only through non-differentiable arguments
            continue
        parents, params, prim = op.parents, op.params, op.primitive
        rules, variadic = prim.vjps, prim.variadic
        if create_graph:
            args, ans = parents, v
        else:
            args, ans = [p.value if isinstance(p, Variable) else p for p in parents], v.value  # raw()
        for i, p in enumerate(parents):
            if not isinstance(p, Variable):
                continue
            if variadic:  # one rule for every argument, told which one
                g_i = rules[0](i, g, ans, *args, **params)
            else:
                rule = rules[i] if i < len(rules) else None
                if rule is None:  # not differentiable in this argument: contributes nothing
                    continue
                g_i = rule(g, ans, *args, **params)
            yield v, i, g_i
            k = p.op or p  # node(p), inlined: this line runs once per edge
            cotangents[k] = cotangents[k] + g_i if k in cotangents else g_i

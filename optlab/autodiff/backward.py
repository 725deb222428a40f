"""The reverse pass: vector-Jacobian products pulled back in reverse topological order.

EC500 section 4.5 states the backward pass as two mutually recursive procedures (Algorithms 4 and 5,
kept literally in ``notes.py`` as the reference the tests compare with) that push the product of
partial derivatives along *every path* from the output to each input. That is correct but does work
proportional to the number of paths, which grows exponentially in graphs with reuse. Here every node
is visited once, after all of its children: its cotangent is then complete (the sum over all paths
through it, by linearity), and one vector-Jacobian product per parent pushes it on.

* The order is computed iteratively (a graph of 10^6 nodes works; no recursion limit).
* Cotangents live in a dictionary local to the call, never on the nodes, so calling ``backward``
  twice gives the same gradients (never doubled).
* Parents are an ordered tuple with one entry per argument, so ``x * x`` has two edges to ``x``.
* One loop applies the VJPs: :func:`pull_back`. ``backward`` runs it; the NaN finder (``checks.py``)
  and the notes' edge Jacobians (``notes.py``) look at what it yields.

A variable node is identified by the operation that produced it (an input by the Variable itself):
:func:`node`. This matters only for ``lean.py``, where two Variables can stand for one node.

Example:
    >>> from optlab.autodiff.graph import Variable
    >>> x = Variable(3.0)
    >>> backward(x * x + x, 1.0, [x])
    [7.0]
"""
from __future__ import annotations

from .graph import Variable


def node(v):
    """The identity of ``v`` as a graph node: the operation that produced it, or ``v`` for an input."""
    return v.op or v


def reverse_topological_order(output, stop=()):
    """Variables reachable from ``output``, each listed after every variable that uses it.

    Kahn's algorithm run backwards: count how many times each variable is used as a parent, then
    release a variable once all its uses have been visited. Variables in ``stop`` are listed but
    not expanded (the inputs of a nested derivative).
    """
    return _order(output, {node(s) for s in stop})[0]


def _order(output, stop):
    """``(reverse topological order, whether a source outside ``stop`` was reached)``; ``stop`` holds nodes.

    The second item tells the API whether a nested derivative closes over a variable of an outer
    one (then its result must stay differentiable; see ``api._make_vjp``).
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
                uses[k] -= 1
                if uses[k] == 0:
                    ready.append(p)
    return order, foreign


def backward(output, seed, inputs, create_graph=False, keep_all=False):
    """Cotangents of ``inputs`` given the cotangent ``seed`` of ``output``.

    The graph is left as it was, so calling ``backward`` again on it gives the same result.

    Args:
        output: the Variable the pass starts from.
        seed: its cotangent (``1.0`` for the gradient of a scalar).
        inputs: the Variables whose cotangents are wanted (the pass does not go beyond them).
        create_graph: if True, the VJP rules receive Variables and their computation is itself
            recorded, so the result can be differentiated again (Hessian-vector products).
        keep_all: if True, return the cotangent of every variable reached, as a dictionary (used
            to display the graph after backward).

    Returns:
        A list with the cotangent of each input (``None`` where the output does not depend on it).
    """
    stop = {node(x) for x in inputs}
    order = _order(output, stop)[0]
    variables = order[:] if keep_all else ()
    cotangents = {node(output): seed}
    for _ in pull_back(order, cotangents, stop, create_graph, keep_all):
        pass
    if keep_all:
        return {v: cotangents[node(v)] for v in variables if node(v) in cotangents}
    return [cotangents.get(node(x)) for x in inputs]


def pull_back(order, cotangents, stop=(), create_graph=False, keep=False):
    """Apply every node's VJPs, adding each into ``cotangents``; yield ``(v, i, g_i)`` per edge.

    ``g_i`` is the cotangent that the VJP rule of argument ``i`` of ``v.op`` passes to that parent;
    it is added to the parent's entry right after the yield, so a caller may stop early (the NaN
    finder does). Visiting ``order`` (output first) empties it, one node at a time, and drops each
    visited node's cotangent unless ``keep``: nothing but the caller keeps the graph alive, which is
    what lets ``lean.backward_and_release`` free it during the pass.

    Args:
        order: a reverse topological order (from :func:`_order`); consumed.
        cotangents: ``{node(v): cotangent}``, seeded with the output's.
        stop: nodes whose own VJPs are not run (the inputs).
        create_graph: pass Variables to the rules (so their work is recorded) instead of raw values.
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
        parents, params, rules, variadic = op.parents, op.params, op.primitive.vjps, op.primitive.variadic
        if create_graph:
            args, ans = parents, v
        else:
            args, ans = [p.value if isinstance(p, Variable) else p for p in parents], v.value
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

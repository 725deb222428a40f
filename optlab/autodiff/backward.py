"""The reverse pass: vector-Jacobian products pulled back in reverse topological order.

EC500 section 4.5 states the backward pass as two mutually recursive procedures (Algorithms 4 and 5)
that push the product of partial derivatives along *every path* from the output to each input. That is
correct but does work proportional to the number of paths, which grows exponentially in graphs with
reuse. Here every node is visited once, after all of its children: its cotangent is then complete (the
sum over all paths through it, by linearity), and one vector-Jacobian product per parent pushes it on.

Design choices, each fixing a known pitfall of small autodiff engines:

* the order is computed iteratively (a graph of 10^6 nodes works; no recursion limit);
* cotangents live in a dictionary local to the call, never on the nodes, so calling ``backward``
  twice gives the same gradients (never doubled);
* parents are an ordered tuple with one entry per argument, so ``x * x`` has two edges to ``x``.
"""
from __future__ import annotations

from .graph import Variable


def reverse_topological_order(output, stop=()):
    """Variables reachable from ``output``, each listed after every variable that uses it.

    Kahn's algorithm run backwards: count how many times each variable is used as a parent, then
    release a variable once all its uses have been visited. Variables in ``stop`` are listed but
    not expanded (the inputs of a nested derivative).
    """
    uses = {}
    stack = [output]
    while stack:
        v = stack.pop()
        op = v.op
        if op is None or v in stop:
            continue
        for p in op.parents:
            if isinstance(p, Variable):
                if p in uses:
                    uses[p] += 1
                else:
                    uses[p] = 1
                    stack.append(p)
    order = []
    ready = [output]
    while ready:
        v = ready.pop()
        order.append(v)
        op = v.op
        if op is None or v in stop:
            continue
        for p in op.parents:
            if isinstance(p, Variable):
                uses[p] -= 1
                if uses[p] == 0:
                    ready.append(p)
    return order


def backward(output, seed, inputs, create_graph=False, keep_all=False):
    """Cotangents of ``inputs`` given the cotangent ``seed`` of ``output``.

    Args:
        output: the Variable the pass starts from.
        seed: its cotangent (``1.0`` for the gradient of a scalar).
        inputs: the Variables whose cotangents are wanted (the pass does not go beyond them).
        create_graph: if True, the VJP rules receive Variables and their computation is itself
            recorded, so the result can be differentiated again (Hessian-vector products).
        keep_all: if True, ``inputs`` only stops the pass, and the whole dictionary of cotangents
            (every variable reached) is returned; used to display the graph after backward.

    Returns:
        A list with the cotangent of each input (``None`` where the output does not depend on it).
    """
    stop = set(inputs)
    cotangents = {output: seed}
    for v in reverse_topological_order(output, stop):
        op = v.op
        if op is None or v in stop:
            continue
        g = cotangents.get(v) if keep_all else cotangents.pop(v, None)
        if g is None:  # reached, but only through non-differentiable arguments
            continue
        prim = op.primitive
        parents = op.parents
        if create_graph:
            args, ans = parents, v
        else:
            args = [p.value if isinstance(p, Variable) else p for p in parents]
            ans = v.value
        for i, p in enumerate(parents):
            if not isinstance(p, Variable):
                continue
            rule = prim.vjp_rule(i)
            if rule is None:  # not differentiable in this argument: contributes nothing
                continue
            pg = rule(g, ans, *args, **op.params)
            cotangents[p] = cotangents[p] + pg if p in cotangents else pg
    return cotangents if keep_all else [cotangents.get(x) for x in inputs]

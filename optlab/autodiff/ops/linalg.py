"""Products: matmul (and the derived dot and outer) and einsum, with their VJPs.

The VJP of a product with respect to one factor is a product of the cotangent with the other factors:
for C = A @ B, dA = G @ B^T and dB = A^T @ G (section 4.6: the Jacobian itself is never formed).
"""
from __future__ import annotations

import re

import numpy

from ..graph import Primitive
from ._util import shape_of, unbroadcast, xp_of
from .shape import expand_dims, reshape, swapaxes

__all__ = [  # the public functions (optlab.numpy re-exports them; ops/__init__.py)
    "matmul", "dot", "outer", "einsum",
]


def _matmul(a, b):
    xp = xp_of(a, b)
    if xp is not numpy:  # tall-skinny X @ w and X.T @ r on the GPU: coalesced kernels beat cuBLAS
        from ... import fused_linalg

        if fused_linalg.usable(a, b):
            return fused_linalg.matvec(a, b)
        if fused_linalg.usable_transposed(a, b):
            return fused_linalg.rmatvec(a.T, b)
    return xp.matmul(a, b)


def _matmul_vjp_a(g, ans, a, b):
    na, nb = len(shape_of(a)), len(shape_of(b))
    if na == 1 and nb == 1:          # inner product: g is a scalar
        return g * b
    if nb == 1:                       # (..., n, k) @ (k,) -> (..., n)
        return unbroadcast(expand_dims(g, -1) * b, a)
    if na == 1 and nb == 2:           # (k,) @ (k, m) -> (m,): da = b @ g
        return matmul(b, g)
    if na == 1:                       # (k,) @ (..., k, m) -> (..., m)
        return unbroadcast(matmul(b, expand_dims(g, -1))[..., 0], a)
    return unbroadcast(matmul(g, swapaxes(b, -1, -2)), a)


def _matmul_vjp_b(g, ans, a, b):
    na, nb = len(shape_of(a)), len(shape_of(b))
    if na == 1 and nb == 1:
        return g * a
    if nb == 1 and na == 2:           # (n, k) @ (k,) -> (n,): db = a^T @ g, a single BLAS gemv
        return matmul(swapaxes(a, -1, -2), g)
    if nb == 1:                       # dB[k] = sum_n g[..., n] A[..., n, k]
        return unbroadcast(matmul(expand_dims(g, -2), a)[..., 0, :], b)
    if na == 1:                       # dB = outer(a, g)
        return unbroadcast(expand_dims(a, -1) * expand_dims(g, -2), b)
    return unbroadcast(matmul(swapaxes(a, -1, -2), g), b)


matmul = Primitive("matmul", _matmul, [_matmul_vjp_a, _matmul_vjp_b],
                   doc="a @ b, with NumPy's rules for 1-D operands and batch broadcasting.", needs_ans=False)


def dot(a, b):
    """numpy.dot for scalars, vectors and matrices (use matmul or einsum beyond 2-D)."""
    na, nb = len(shape_of(a)), len(shape_of(b))
    if na == 0 or nb == 0:
        return a * b
    if na > 2 or nb > 2:
        raise NotImplementedError(
            f"dot of operands with {na} and {nb} dimensions: optlab.numpy.dot covers up to 2-D; "
            "use matmul (batched) or einsum for higher-dimensional contractions"
        )
    return matmul(a, b)


def outer(a, b):
    """Outer product of two vectors (inputs are flattened, as in NumPy)."""
    return reshape(a, (-1, 1)) * reshape(b, (1, -1))


# ---- einsum -------------------------------------------------------------------------------------------

def _parse(subscripts, n_operands):
    spec = subscripts.replace(" ", "")
    if "." in spec:
        raise NotImplementedError("einsum with '...' is not supported; write the axes out explicitly")
    if "->" in spec:
        inputs, output = spec.split("->")
    else:  # implicit mode: the output has the letters that appear once, in alphabetical order
        inputs = spec
        letters = inputs.replace(",", "")
        output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    inputs = inputs.split(",")
    if len(inputs) != n_operands:
        raise ValueError(f"einsum: '{subscripts}' names {len(inputs)} operands, got {n_operands}")
    for term in inputs:
        if len(set(term)) != len(term):
            raise NotImplementedError(
                f"einsum: a repeated index within one operand ('{term}', a diagonal or trace) "
                "is not differentiable in optlab yet; take the diagonal with indexing instead"
            )
    return inputs, output


def _einsum(*operands, subscripts):
    return xp_of(*operands).einsum(subscripts, *operands)


def _einsum_vjp(i, g, ans, *operands, subscripts):
    inputs, output = _parse(subscripts, len(operands))
    target = inputs[i]
    others = [t for j, t in enumerate(inputs) if j != i]
    available = set(output).union(*others) if others else set(output)
    # Indices summed away inside operand i alone are absent from g and the other operands:
    # contract what is available, then broadcast along the missing axes.
    kept = "".join(c for c in target if c in available)
    spec = ",".join([output] + others) + "->" + kept
    grad = einsum(spec, g, *[op for j, op in enumerate(operands) if j != i])
    if kept == target:
        return grad
    shape = shape_of(operands[i])
    grad = reshape(grad, [shape[k] if c in available else 1 for k, c in enumerate(target)])
    from ._util import broadcast_to

    return broadcast_to(grad, shape=shape)


_einsum_p = Primitive("einsum", _einsum, [_einsum_vjp], variadic=True, needs_ans=False)


def einsum(subscripts, *operands):
    """numpy.einsum with explicit or implicit output (no '...', no repeated index in one operand)."""
    if not isinstance(subscripts, str) or not re.fullmatch(r"[a-zA-Z,\->. ]*", subscripts):
        raise ValueError(f"einsum: subscripts must be a string such as 'ij,jk->ik', got {subscripts!r}")
    inputs, output = _parse(subscripts, len(operands))
    return _einsum_p(*operands, subscripts=",".join(inputs) + "->" + output)

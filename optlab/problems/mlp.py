"""A small multilayer perceptron, x -> W_2 s(W_1 s(W_0 x)), fitted by squared loss (EC500 L3706).

The model of the notes' section on layer-wise methods (LARS, LAMB): a chain of weight matrices with an
activation s between them and none after the last. ``widths = (d_in, h_1, ..., d_out)`` gives
``len(widths) - 1`` matrices, W_l of shape (widths[l+1], widths[l]); the default (d_in, h1, h2, d_out)
is the notes' three-matrix network. No biases, as in the notes.

The loss is a finite sum over n data points, f_i(w) = 1/2 ||net_w(x_i) - y_i||^2, with inputs
x_i ~ N(0, I) and targets from a random *teacher* network of the same shape (weights N(0, 1/fan_in))
plus ``noise`` * N(0, I). The flat parameter w is the concatenation of the matrices, each row-major.

Per-layer blocks (the interface of the layer-wise methods) are declared fields of the problem:

* ``blocks``: the (start, stop) slice of each matrix in w (the convention of the scale-invariant
  families), ``block_names``: ("W0", "W1", ...), ``block_sizes``: the sizes, which is what
  ``LARS(blocks=...)`` and ``LAMB(blocks=...)`` take; ``shapes``: each matrix's shape;
* ``layers(w)``: the matrices of w (views; a batch of iterates (S, d) gives (S, out, in) matrices).

What is certified, and what is not:

* Non-convex, and **not** claimed smooth, Lipschitz or second-order smooth: along the last matrix the
  loss grows quadratically (no G), and the curvature in the earlier layers grows like ||W_last||^2 (the
  residual and the back-propagated signal both scale with it; the Hessian's norm goes 1.7, 89, 8710 for
  W_last scaled by 1, 10, 100 on a small instance), so no global H or rho exists. ``H``, ``G``, ``rho``,
  ``mu``, ``x_star`` and ``f_star`` are None (f >= 0 only).
* ``extra['H_last_block']`` (bounded activations, "tanh" only): with every other layer fixed, each f_i
  is a quadratic in the last matrix with Hessian I (x) a a^T, a = s(...) the last hidden layer; its
  norm is ||a||^2 <= h_last (|tanh| <= 1), so every f_i, and f, is h_last-smooth in the last block.
  The bound is approached as the pre-activations saturate, not attained.
* ``extra['x_norm_max']``: max_i ||x_i|| of the data.

Derivatives: ``grad``/``grad_i``/``grad_all`` are hand-written backpropagation (an independent check of
the engine, which differentiates ``f_i``); Hessian-vector products are the engine's (reverse over
reverse). ``f``, ``grad``, ``f_i``, ``grad_i`` and ``hvp`` vectorize over a leading seed axis
(``batched=True``): a batch of iterates (S, d) with one index row per seed (S, B) or shared (B,).
The stochastic gradients (minibatches of terms, a stream per seed) are the :class:`~.oracle.Oracle`'s
and :class:`~.batch_oracle.BatchOracle`'s, as for every finite sum.

Starting points: ``x0()`` is a LeCun-normal draw (W_l ~ N(0, 1/fan_in)) independent of the teacher;
``init_weights(seed)`` draws another one for any seed (``x0(seed)`` with seed >= 1 adds N(0, 1) to every
weight instead, the common rule of all families).

Source: EC500 notes (seed 003) §24.2, L3704-3716 (the model x -> W_2 s(W_1 s(W_0 x)), ReLU there).

Example:
    >>> import numpy as np
    >>> p = mlp(n=8, widths=(3, 4, 4, 2), seed=0)
    >>> p.block_names, p.block_sizes, p.d
    (('W0', 'W1', 'W2'), (12, 16, 8), 36)
    >>> [W.shape for W in p.layers(p.x0())]
    [(4, 3), (4, 4), (2, 4)]
    >>> bool(np.allclose(p.grad(p.x0()), p.engine_grad(p.x0())))
    True
"""
from __future__ import annotations

import numpy

import optlab.numpy as onp

from .. import autodiff as _ad
from .base import DeviceData, FiniteSumProblem, check_int, check_nonnegative

ACTIVATIONS = ("tanh", "softplus", "relu")


def _act(name, z):
    """The activation s(z), written with optlab.numpy (differentiable by the engine)."""
    if name == "tanh":
        return onp.tanh(z)
    if name == "softplus":
        return onp.softplus(z)
    return onp.relu(z)


def _act_and_slope(name, z, xp):
    """(s(z), s'(z)) on plain arrays, for the hand-written backpropagation."""
    if name == "tanh":
        a = xp.tanh(z)
        return a, 1.0 - a * a
    if name == "softplus":
        return xp.logaddexp(0.0, z), 0.5 * (1.0 + xp.tanh(0.5 * z))    # softplus' = sigmoid
    return xp.maximum(z, 0.0), (z > 0).astype(z.dtype)              # relu' = 0 at the kink


def _check_widths(widths):
    widths = tuple(widths) if not isinstance(widths, (str, bytes)) else ()
    if len(widths) < 2:
        raise ValueError(f"widths must list at least (d_in, d_out), e.g. (4, 8, 8, 1), got widths={widths!r}")
    return tuple(check_int("each entry of widths", h) for h in widths)


def _lecun(widths, rng):
    """Weights W_l ~ N(0, 1/fan_in), flattened."""
    return numpy.concatenate([rng.standard_normal((o, i)).ravel() / numpy.sqrt(i)
                              for i, o in zip(widths[:-1], widths[1:])])


def _layout(widths):
    """(shapes, blocks): each W_l's shape (out, in) and its (start, stop) slice of the flat w."""
    shapes = tuple((o, i) for i, o in zip(widths[:-1], widths[1:]))
    stops = numpy.cumsum([o * i for o, i in shapes])
    return shapes, [(int(b - o * i), int(b)) for b, (o, i) in zip(stops, shapes)]


def _layers(w, shapes, blocks, reshape=onp.reshape):
    lead = tuple(w.shape[:-1])
    return [reshape(w[..., a:b], lead + shape) for (a, b), shape in zip(blocks, shapes)]


class MLPProblem(FiniteSumProblem):
    """A finite sum f_i(w) = 1/2 ||net_w(x_i) - y_i||^2 with declared layers (see the module docstring).

    Fields: ``widths``, ``activation``, ``X`` (n x d_in), ``Y`` (n x d_out), ``w_teacher``, ``blocks``,
    ``block_names``, ``block_sizes``, ``shapes``.
    """

    def __init__(self, X, Y, widths, activation, w_teacher, name, **kwargs):
        self.widths, self.activation = widths, activation
        self.X, self.Y, self.w_teacher = X, Y, w_teacher
        self.shapes, self.blocks = _layout(widths)
        self.block_sizes = tuple(o * i for o, i in self.shapes)
        self.block_names = tuple(f"W{l}" for l in range(len(self.shapes)))
        super().__init__(n=X.shape[0], d=self.blocks[-1][1], name=name, batched=True, **kwargs)

    def layers(self, w):
        """The weight matrices of w: W_l of shape (out, in), or (S, out, in) for a batch (S, d)."""
        return _layers(w, self.shapes, self.blocks)

    def init_weights(self, seed=0):
        """A LeCun-normal draw W_l ~ N(0, 1/fan_in) from ``seed`` (on the host)."""
        return _lecun(self.widths, numpy.random.default_rng(seed))


def mlp(n=64, widths=(4, 8, 8, 1), activation="tanh", seed=0, noise=0.1):
    """x -> W_{L-1} s(... s(W_0 x)) on n teacher-labelled points; squared loss (see the module docstring)."""
    n = check_int("n", n)
    widths = _check_widths(widths)
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got activation={activation!r}")
    noise = check_nonnegative("noise", noise)
    shapes, blocks = _layout(widths)
    L = len(shapes)

    def net(w, A):
        """The network's outputs on the input rows A (written with optlab.numpy for the engine)."""
        Ws = _layers(w, shapes, blocks)
        for W in Ws[:-1]:
            A = _act(activation, A @ onp.swapaxes(W, -1, -2))     # (..., B, out): s(W a) for every row a
        return A @ onp.swapaxes(Ws[-1], -1, -2)

    def backprop(w, A, R, xp, per_row=False):
        """The gradient of sum_rows <R, net_w(A)> wrt each W_l (R: the output residual rows): the sum
        over rows of delta a^T per layer, or (per_row) each row's own delta a^T, one row per term."""
        Ws = _layers(w, shapes, blocks, xp.reshape)
        ins, slopes = [A], []
        for W in Ws[:-1]:                                         # forward, keeping a_l and s'(z_l)
            a, slope = _act_and_slope(activation, ins[-1] @ xp.swapaxes(W, -1, -2), xp)
            ins.append(a)
            slopes.append(slope)
        grads, delta = [None] * L, R                              # delta = d(loss)/d(z) of layer l
        for l in range(L - 1, -1, -1):
            if per_row:
                grads[l] = (delta[:, :, None] * ins[l][:, None, :]).reshape(len(delta), -1)
            else:
                grads[l] = (xp.swapaxes(delta, -1, -2) @ ins[l]).reshape(w.shape[:-1] + (-1,))
            if l:
                delta = (delta @ Ws[l]) * slopes[l - 1]           # back through W_l, then s'(z_l)
        return xp.concatenate(grads, axis=-1)

    rng = numpy.random.default_rng(seed)
    X = rng.standard_normal((n, widths[0]))
    w_teacher = _lecun(widths, rng)
    w0 = _lecun(widths, rng)
    Y = numpy.asarray(net(w_teacher, X)) + noise * rng.standard_normal((n, widths[-1]))
    data = DeviceData(X, Y)

    # idx: (B,) for one iterate; for a batch of seeds w (S, d), (S, B) per seed or (B,) shared
    def f_i(w, idx):
        _, X_, Y_ = data(w)
        r = net(w, X_[idx]) - Y_[idx]
        return 0.5 * onp.mean(onp.sum(r * r, axis=-1), axis=-1)

    def grad_i(w, idx):
        xp, X_, Y_ = data(w)
        A = X_[idx]
        return backprop(w, A, (net(w, A) - Y_[idx]) / idx.shape[-1], xp)

    def grad_all(w):
        xp, X_, Y_ = data(w)
        return backprop(w, X_, net(w, X_) - Y_, xp, per_row=True)

    def hvp_i(w, v, idx):
        return _ad.hvp(lambda u: onp.sum(f_i(u, idx)))(w, v)      # the engine's; a batch's rows are independent

    extra = {"x_norm_max": float(numpy.max(numpy.linalg.norm(X, axis=1)))}
    if activation == "tanh" and L > 1:
        extra["H_last_block"] = float(widths[-2])
    p = MLPProblem(X, Y, widths, activation, w_teacher,
                   f"MLP {'-'.join(map(str, widths))} ({activation}, n={n})",
                   f_i=f_i, grad_i=grad_i, grad_all=grad_all, hvp_i=hvp_i, hvp=None,
                   assumptions={"nonconvex"}, x0=w0,
                   source="seed 003 §24.2, L3704-3716 (the model x -> W2 s(W1 s(W0 x)))",
                   notes="teacher-student regression; no global H, G or rho (see the module docstring)",
                   extra=extra)
    return p

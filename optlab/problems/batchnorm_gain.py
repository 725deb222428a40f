"""One batch-normalized neuron with a gain: a scale-invariant block w and a scale-variant block g, exact constants.

Seed 001's framework (Sec. 2.2) splits the parameters into scale-invariant weights W and the rest g (the BN
gains gamma). ``batchnorm_gain(n, k)`` is the smallest network with both: inputs x_b in R^k (b = 1..n),
one neuron with the smoothed BN of eq. (8) and gain g, squared loss and weight decay on g:

    F_b(w, g) = 1/2 (g z_b(w) - y_b)^2 + lam/2 g^2,   z_b(w) = w^T (x_b - u) / ||w||_{S + eps I},

u, S the inputs' mean and covariance. The inputs are whitened (S = I exactly), so z_b = xh_b^T v with
xh_b = (x_b - u)/sqrt(1 + eps) and v = w/||w||. Then, with kappa = 1/(1 + eps), c = mean_b y_b xh_b and
m2 = mean_b y_b^2, the loss is L(w, g) = (kappa + lam) g^2/2 - g c^T v + m2/2, and every constant of
Sec. 2.4 is exact or a proved bound (v on the unit sphere, |g| <= g_max):

* L_min = m2/2 - ||c||^2 / (2 (kappa + lam)), at v = c/||c||, g = ||c||/(kappa + lam) (attained);
* L^gg = kappa + lam (the g-curvature is constant); L^vg = ||c|| (grad_w d_g L = -(c - (c^T v) v), norm
  <= ||c||, attained at v perp c);
* L^vv = 2 g_max ||c|| / sqrt 3: hess_ww (c^T w/||w||) at unit v is -(c v^T + v c^T) - beta (I - 3 v v^T),
  beta = c^T v; on span{v, c} it is [[0, -gam], [-gam, -beta]] (gam^2 = ||c||^2 - beta^2), elsewhere -beta;
  its largest |eigenvalue| (|beta| + sqrt(beta^2 + 4 gam^2))/2 is largest, 2||c||/sqrt 3, at beta^2 = ||c||^2/3.
* per sample (for SGD, every F_b): ||hess q_b|| <= 2 ||xh_b||^2 (a Rayleigh quotient of xh_b xh_b^T, see
  :mod:`.scale_invariant`), ||grad q_b|| <= ||xh_b||^2, ||hess r_b|| <= 2 ||xh_b|| / sqrt 3, ||grad r_b|| <=
  ||xh_b|| for q_b = z_b^2, r_b = z_b; so L^vv_z = max_b (g_max^2 ||xh_b||^2 + 2 g_max |y_b| ||xh_b|| / sqrt 3),
  L^vg_z = G_g = max_b (g_max ||xh_b||^2 + |y_b| ||xh_b||), L^gg_z = max_b ||xh_b||^2 + lam.

**g stays bounded** (Lemma C.2 made explicit): a step on g is g' = (1 - eta a) g + eta r with a = mean z^2 + lam
in (0, a_max] and r = mean y z over the batch, and |r| / a <= Y (the mediant of the terms' |y_b z_b| / (z_b^2 +
lam)): Y = ||c|| / (kappa + lam) full batch; per sample Y = max_b |y_b| phi(||xh_b||), phi(s) = s / (s^2 + lam)
for s^2 <= lam, else 1 / (2 sqrt lam) (as |z_b| <= ||xh_b||). If 0 < eta <= eta_max < 2 / a_max, the interval
|g| <= g_max = max(|g_0|, Y, eta_max a_max Y / (2 - eta_max a_max)) is never left: if eta a <= 1,
|g'| <= (1 - eta a) g_max + eta a Y <= g_max; if eta a > 1, |g'| <= (eta a - 1) g_max + eta a Y <= g_max.
The constants above hold on the segment between consecutive iterates (it stays in the box), which is what
the proofs use. ``sphere_constants(g0, lr_g, per_sample)`` returns them for a run started at g_0 with g-steps <= ``lr_g``
(``per_sample``: steps on single terms or minibatches, so the box is the per-sample one).

Source: seed 001 Sec. 2.2 (eq. 4), Sec. 2.4 (L^vv, L^vg, L^gg, G_g; eq. 8), App. C (weight decay keeps g
bounded). The network is a special case of App. C's (one layer, whitened inputs, no beta).

Example:
    >>> import numpy as np
    >>> p = batchnorm_gain(n=8, k=3, seed=0)
    >>> theta = np.array([1.0, -2.0, 0.5, 0.7])
    >>> bool(np.isclose(p.value(theta), p.value(np.array([3.0, -6.0, 1.5, 0.7]))))   # w scale invariant
    True
    >>> c = p.sphere_constants(g0=1.0, lr_g=0.5)
    >>> bool(np.isclose(c["L_gg"], p.kappa + p.lam)), bool(np.isclose(c["L_vg"], np.linalg.norm(p.c)))
    (True, True)
"""
from __future__ import annotations

import math

import numpy

import optlab.numpy as onp

from .base import DeviceData, FiniteSumProblem, check_int, check_nonnegative, check_positive


class BatchNormGainProblem(FiniteSumProblem):
    """One BN neuron with gain g (module docstring). Declared fields: ``Xh`` (whitened inputs, n x k),
    ``y``, ``lam``, ``eps``, ``kappa``, ``c`` (= mean_b y_b xh_b), ``blocks`` (w is coordinates 0..k-1, g is k)."""

    def __init__(self, f_i, n, d, name, *, Xh, y, lam, eps, **kwargs):
        self.Xh, self.y, self.lam, self.eps = Xh, y, lam, eps
        self.kappa = 1.0 / (1.0 + eps)
        self.c = Xh.T @ y / n
        self.blocks = ((0, d - 1),)
        super().__init__(f_i, n, d, name, batched=True, **kwargs)

    def g_max(self, g0, lr_g, per_sample=False):
        """The radius of an interval of g that (S)GD with g-steps at most ``lr_g`` never leaves (module docstring)."""
        lr_g = check_positive("lr_g", lr_g)
        norms = numpy.linalg.norm(self.Xh, axis=1)
        if per_sample:
            if self.lam == 0:
                raise ValueError("lam must be > 0 for the per-sample bound on g (weight decay keeps g bounded)")
            a_max = float(numpy.max(norms ** 2)) + self.lam
            phi = numpy.where(norms ** 2 <= self.lam, norms / (norms ** 2 + self.lam), 0.5 / math.sqrt(self.lam))
            Y = float(numpy.max(numpy.abs(self.y) * phi))
        else:
            a_max = self.kappa + self.lam
            Y = float(numpy.linalg.norm(self.c)) / a_max
        if not lr_g * a_max < 2:
            raise ValueError(f"lr_g must be < 2 / L^gg = {2 / a_max:.6g} for g to stay bounded, got lr_g={lr_g}")
        return max(abs(float(g0)), Y, lr_g * a_max * Y / (2 - lr_g * a_max))

    def sphere_constants(self, g0, lr_g, per_sample=False):
        """On {||v|| = 1, |g| <= g_max(g0, lr_g, per_sample)}: ``L_vv``, ``L_vg``, ``L_gg`` of L and, with
        ``per_sample``, ``L_vv_z``, ``L_vg_z``, ``L_gg_z``, ``G_g`` of every term F_b (module docstring)."""
        K = self.g_max(g0, lr_g, per_sample)
        c = float(numpy.linalg.norm(self.c))
        out = {"g_max": K, "L_vv": 2 * K * c / math.sqrt(3), "L_vg": c, "L_gg": self.kappa + self.lam}
        if per_sample:
            x2, ay = numpy.sum(self.Xh ** 2, axis=1), numpy.abs(self.y)
            x1 = numpy.sqrt(x2)
            vg = float(numpy.max(K * x2 + ay * x1))
            out.update(L_vv_z=float(numpy.max(K ** 2 * x2 + 2 * K * ay * x1 / math.sqrt(3))), L_vg_z=vg,
                       L_gg_z=float(numpy.max(x2)) + self.lam, G_g=vg)
        return out


def batchnorm_gain(n=16, k=3, eps=1e-3, lam=0.1, seed=0):
    """One BN neuron with gain g on whitened inputs; parameters [w (k), g]; w is scale invariant."""
    n, k = check_int("n", n, minimum=2), check_int("k", k, minimum=2)
    eps, lam = check_nonnegative("eps", eps), check_nonnegative("lam", lam)
    if n <= k:
        raise ValueError(f"n must be > k to whiten the inputs (a full-rank covariance), got n={n}, k={k}")
    rng = numpy.random.default_rng(seed)
    X = rng.standard_normal((n, k))
    teacher = rng.standard_normal(k)
    y = X @ teacher + 0.5 * rng.standard_normal(n)
    Xc = X - X.mean(axis=0)
    evals, evecs = numpy.linalg.eigh(Xc.T @ Xc / n)
    Xw = Xc @ (evecs / numpy.sqrt(evals)) @ evecs.T       # whitened: covariance exactly I (ZCA)
    Xh = Xw / math.sqrt(1 + eps)                          # so z_b = w^T (x_b - u) / ||w||_{S + eps I} = xh_b^T v
    data = DeviceData(Xh, y)

    # one iterate theta (d,) with idx (B,), or a batch (S, d) with idx (B,) or (S, B)
    def f_i(theta, idx):
        _, Xh_, y_ = data(theta)
        w, g = theta[..., :k], theta[..., k:]
        z = (Xh_[idx] @ w[..., None])[..., 0] if theta.ndim > 1 else Xh_[idx] @ w
        z = z / onp.sqrt(onp.sum(w * w, axis=-1, keepdims=True) if theta.ndim > 1 else onp.sum(w * w))
        r = g * z - y_[idx]
        return onp.mean(0.5 * r * r, axis=-1) + 0.5 * lam * onp.sum(g * g, axis=-1)

    def grad_i(theta, idx):
        """d_g = mean (g z - y) z + lam g;  grad_w = mean (g z - y) g (xh - z v) / ||w||  (grad_w z = (xh - z v)/||w||)."""
        _, Xh_, y_ = data(theta)
        w, g = theta[..., :k], theta[..., k:]
        nw = onp.sqrt(onp.sum(w * w, axis=-1))[..., None]               # (1,) or (S, 1)
        v = w / nw
        Xb = Xh_[idx]                                                    # (B, k) or (S?, B, k)
        z = onp.sum(Xb * onp.expand_dims(v, -2), axis=-1)               # (B,) or (S, B)
        r = g * z - y_[idx]
        gw = onp.mean((r * g)[..., None] * (Xb - z[..., None] * onp.expand_dims(v, -2)), axis=-2) / nw
        gg = onp.mean(r * z, axis=-1)[..., None] + lam * g
        return onp.concatenate([gw, gg], axis=-1)

    c = Xh.T @ y / n
    L_min = 0.5 * float(y @ y) / n - float(c @ c) / (2 * (1 / (1 + eps) + lam))
    x_star = numpy.concatenate([c / numpy.linalg.norm(c), [numpy.linalg.norm(c) / (1 / (1 + eps) + lam)]])
    x0 = numpy.concatenate([rng.standard_normal(k), [1.0]])      # gain initialized at 1, as BN does
    return BatchNormGainProblem(
        f_i, n, k + 1, f"BN neuron with gain (n={n}, k={k})", Xh=Xh, y=y, lam=lam, eps=eps,
        grad_i=grad_i, grad_all=lambda theta: grad_i(theta, numpy.arange(n)[:, None]),   # one term per row
        assumptions={"nonconvex", "scale_invariant"}, x0=x0, x_star=x_star, f_star=L_min,
        source="seed 001 Sec. 2.2, 2.4 (eq. 8), App. C; constants derived in the module docstring",
        domain="w != 0 (constants in sphere_constants are for ||v|| = 1, |g| <= g_max)",
        notes="w (first k coordinates) is scale invariant; the gain g (last coordinate) is scale variant")

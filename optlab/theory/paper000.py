"""Gradient autoscaled normalization (seed 000, Yun): eq. (1) (L76-80), Lemma 1 and Theorem 2 (L96-102,
proofs L210-297).

The paper analyses the *scaled SGD update* w_{t+1} = w_t - eta a_t grad L_t(w_t) (t = 0, 1, ...), with
L beta-smooth, E grad L_t(w) = grad L(w), E||grad L_t(w) - grad L(w)||^2 <= sigma^2 / b, eta a_t <= 1/beta.
One block per theorem.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy

from ..algorithms import SGD, GradientAutoscale, Transformed, run
from ..problems import quadratic
from .block import theorem
from .ec500_normalized import noise_sd
from .measures import KeepStates, grad_sq_norms, grads, iterates, losses, per_run, slack, states
from .theorem import Instance

SOURCE = "Gradient autoscaled normalization (seed 000)"


@dataclass(frozen=True)
class ScaledLR:
    """eta a_t with a_t = 1 / sqrt(1 + decay t) fixed in advance (t = 0, 1, ...; optlab's step is t + 1)."""
    lr: float
    decay: float = 0.0

    def __call__(self, step):
        return self.lr / math.sqrt(1 + self.decay * (step - 1))


def _steps(inst):
    """eta a_t for t = 0 .. T-1."""
    if "a" in inst.hyper:
        return numpy.full(inst.T, inst.hyper["lr"] * inst.hyper["a"])
    s = ScaledLR(inst.hyper["lr"], inst.hyper.get("decay", 0.0))
    return numpy.array([s(t) for t in range(1, inst.T + 1)])


def _scaled_sgd(inst):
    H = inst.problem.H
    if numpy.max(_steps(inst)) > (1 + 1e-12) / H:
        raise ValueError(f"the scaled step eta a_t must satisfy eta a_t <= 1/beta = {1 / H}, got "
                         f"{numpy.max(_steps(inst))}")
    if "a" in inst.hyper:
        return SGD(lr=inst.hyper["lr"] * inst.hyper["a"])
    return SGD(lr=ScaledLR(inst.hyper["lr"], inst.hyper.get("decay", 0.0)))


def _gaussian(problem, T, u, **hyper):
    b = 1 + int(4 * u[3])
    return Instance(problem, numpy.asarray(problem.x0(seed=1 + int(u[0] * 1000))), T=T, hyper=hyper, seeds=24,
                    oracle={"noise": "gaussian", "sigma": 0.2 + 2 * (4 * u[3] % 1), "batch_size": b})


def _isotropic_tight(**hyper):
    p = quadratic(d=4, mu=2.0, H=2.0, seed=0)
    return Instance(p, numpy.asarray(p.x_star) + 1.0, T=20, hyper=hyper, seeds=4,
                    oracle={"noise": "sphere", "sigma": 1.0}, label="tight")


# ---- eq. (1): the autoscale a_t, printed versus its stated simplification ----------------------------

EPS_000 = 1e-8          # the paper's stabilizer (L63)


def eq1_corrected(s, p):
    """Eq. (1) with the exponent on the bracket: (((0.5 + 1/(0.5 x)) - 0.5) * 2)^p, x = |ln s| + eps, which is
    the stated simplification (4/x)^p (L80). Written from the bracket, not from GradientAutoscale.scale."""
    x = abs(math.log(s)) + EPS_000 if s > 0 else math.inf
    return (((0.5 + 1 / (0.5 * x)) - 0.5) * 2) ** p


def eq1_printed(s, p):
    """Eq. (1) as printed (L78): ((0.5 + 1/(0.5 x)) - 0.5) * 2^p = 2^(p+1)/x, x = |ln s| + eps."""
    x = abs(math.log(s)) + EPS_000 if s > 0 else math.inf
    return ((0.5 + 1 / (0.5 * x)) - 0.5) * 2 ** p


def _eq1_method(inst):
    """GAN-GD with the paper's a_t (no cap): the whole vector is one eligible tensor."""
    return KeepStates(Transformed(SGD(lr=inst.hyper["lr"]), GradientAutoscale(shapes=None, clip_a=None)))


def _eq1_instance(s1, label):
    """GAN-GD on ||w - w*||^2/2 (beta = 1, eta = 1) from a start whose gradient has std s1 < e^-4 (so a_t is
    defined without the cap and lies in (0, 1]); the gradient's mean 0.5 is never removed (centring)."""
    p = quadratic(d=4, mu=1.0, H=1.0, seed=0)
    e = numpy.array([1.0, -2.0, 0.5, 0.5])
    e *= s1 / e.std(ddof=1)
    return Instance(p, numpy.asarray(p.x_star) + 0.5 + e, T=20, hyper={"lr": 1.0}, label=label)


class _Eq1:
    """GAN's a_t (read from its state) against eq. (1) evaluated at s_t = Std(grad L(w_t)), ddof = 1,
    recomputed from the iterates (noise-free oracle): both sides of the equality as two inequalities."""
    algorithm, kind = GradientAutoscale, "every_step"
    rule = "noise-free gradients; s_t < e^-4 (no cap needed); p_t by the one-shot rule of eq. (1)"
    path_bound = True
    _formula = staticmethod(eq1_corrected)

    def method(self, inst):
        """GAN-GD; refused before the run unless GAN receives the full gradient (which _sides recomputes)."""
        if dict(inst.oracle).get("noise") is not None or getattr(inst.problem, "n", None) is not None:
            raise ValueError(f"{self.id} recomputes s_t from the full gradient at the iterates: run it without "
                             f"noise (oracle={{}}) on a problem that is not a finite sum (a finite sum's oracle "
                             f"samples terms), got oracle={dict(inst.oracle)} on {inst.problem.name}")
        return _eq1_method(inst)

    def _sides(self, inst, r):
        s = grads(inst.problem, iterates(r)[:-1]).std(axis=1, ddof=1)   # s_t of the gradient GAN received
        p = 1 if self._formula(s[0], 2) < 0.5 else 2                    # a_1 with p = 2 decides p_t, t >= 2
        formula = numpy.array([self._formula(v, 2 if t == 0 else p) for t, v in enumerate(s)])
        a = numpy.array([st.tstate.a for st in states(r)])
        return a, formula

    def measure(self, runs, inst):
        return per_run(runs, lambda r: numpy.concatenate(self._sides(inst, r)))

    def bound(self, inst, runs):
        return per_run(runs, lambda r: numpy.concatenate(self._sides(inst, r)[::-1]))


@theorem
class Y000_eq1(_Eq1):
    """GAN's autoscale equals eq. (1) with the exponent on the bracket, (4/(|ln s_t| + eps))^p_t

    Eq. (1) (L76-80) read as its stated simplification (L80), x = |ln s_t| + eps:

        [a_t, (((0.5 + 1/(0.5 x)) - 0.5) 2)^p_t]  <=  [(((0.5 + 1/(0.5 x)) - 0.5) 2)^p_t, a_t] (both sides)

    p_t = 1 for t >= 2 if a_1 < 0.5 (a_1 computed with p = 2), else 2. At s = 1e-3 (x = 6.9078): a = 0.3353
    with p = 2, so p_t = 1 afterwards and a = 0.5791:

    >>> round(eq1_corrected(1e-3, 2), 4), round(eq1_corrected(1e-3, 1), 4)
    (0.3353, 0.5791)
    """
    id, source, statement = "000-eq1", f"{SOURCE} eq. (1), L76-80", "corrected"
    tight_factor = 0.999999
    note = ("An identity, checked on a real run: the a_t that GradientAutoscale applies equals the corrected "
            "eq. (1) evaluated at the std of the gradient recomputed from the iterates (which also checks s_t: "
            "unbiased, uncentred). Equality at every step, so the ratio is 1.")

    def default(self, seed):
        return _eq1_instance(6e-3, "GAN-GD on ||w - w*||^2/2, s_1 = 6e-3 (a_1 = 0.61, so p_t = 2)")

    def tight(self):
        return _eq1_instance(1e-3, "GAN-GD on ||w - w*||^2/2, s_1 = 1e-3 (a_1 = 0.34, so p_t = 1)")


@theorem
class Y000_eq1_printed(_Eq1):
    """GAN's autoscale equals eq. (1) as printed, ((0.5 + 1/(0.5 x)) - 0.5) 2^p_t

    Eq. (1) as printed (L78), x = |ln s_t| + eps; it equals 2^(p_t + 1)/x, which agrees with the stated
    simplification (4/x)^p_t (L80) at p_t = 1 and not at p_t = 2 (8/x against 16/x^2):

        [a_t, ((0.5 + 1/(0.5 x)) - 0.5) 2^p_t]  <=  [((0.5 + 1/(0.5 x)) - 0.5) 2^p_t, a_t] (both sides)

    At s = 1e-3 and p = 2 the printed form gives 1.1581, the simplified one 0.3353:

    >>> round(eq1_printed(1e-3, 2), 4), round(eq1_printed(1e-3, 1), 4) == round(eq1_corrected(1e-3, 1), 4)
    (1.1581, True)
    """
    id, source, statement = "000-eq1/printed", f"{SOURCE} eq. (1), L76-80", "printed"
    _formula = staticmethod(eq1_printed)
    note = ("Erratum E1: eq. (1) as printed, ((0.5 + 1/(0.5 (|log s_t| + eps))) - 0.5) * 2^p_t, equals "
            "2^(p_t + 1)/x with x = |log s_t| + eps; the text (L80) says it 'simplifies' to (4/x)^p_t. The two "
            "agree for p_t = 1 and disagree for p_t = 2 (8/x against 16/x^2): the exponent p_t belongs on the "
            "bracket times 2, (((0.5 + 1/(0.5 x)) - 0.5) * 2)^p_t = (4/x)^p_t. optlab (GradientAutoscale) "
            "implements the simplified form, which is also the only reading under which the one-shot rule "
            "'p_t = 1 if a_1 < 0.5' changes the curvature of the map. On the counterexample GAN's a_t "
            "(p_t = 2) differs from the printed value at every step.")

    def counterexample(self):
        return _eq1_instance(6e-3, "GAN-GD on ||w - w*||^2/2, s_1 = 6e-3, p_t = 2: a_1 = 0.61 vs printed 1.56")


# ---- Lemma 1 ------------------------------------------------------------------------------------------

class _ScaledSGD:
    """The paper's analysed update, w_{t+1} = w_t - eta a_t grad L_t(w_t) with a_t fixed in advance
    (not a theorem itself)."""
    source, algorithm = f"{SOURCE} Lemma 1, L96-98 (proof L210-268)", SGD
    requires, constants = {"smooth"}, ("H",)

    def method(self, inst):
        return _scaled_sgd(inst)

    def tight(self):
        return _isotropic_tight(lr=0.5, **self._tight_hyper)


@theorem
class Y000_Lemma1(_ScaledSGD):
    """one scaled SGD step decreases E L by eta a ||grad||^2 / 2 up to the noise term

    Lemma 1 (L96-98, proof L210-268). L beta-smooth, E grad L_t(w) = grad L(w), E||grad L_t(w) - grad L(w)||^2
    <= sigma^2 / b, eta a_t <= 1/beta with a_t fixed in advance (the proof, L222-226, needs a_t independent
    of the step-t sample):

        E L(w_{t+1}) - E L(w_t) + (eta a_t / 2) E||grad L(w_t)||^2  <=  (eta a_t)^2 beta sigma^2 / (2 b)

    Equality for eta a_t = 1/beta on the isotropic quadratic with noise of constant norm. With beta = 2,
    eta a = 1/4, sigma = 2 and b = 2: (1/16) * 2 * 4 / 4.

    >>> inst = Instance(quadratic(d=1, mu=2.0, H=2.0), [1.0], T=2, hyper={"lr": 0.25, "a": 1.0},
    ...                 oracle={"noise": "gaussian", "sigma": 2.0, "batch_size": 2})
    >>> Y000_Lemma1.theorem.bound(inst)
    array([0.125, 0.125])
    """
    id, kind = "000-Lemma1", "expectation"
    rule = "eta a_t <= 1/beta, a_t fixed in advance"
    admissible = {"lr": (0.0, None), "a": (0.0, 1.0)}
    tight_factor, _tight_hyper = 0.999999, {"a": 1.0}
    note = ("sigma^2/b is the oracle's variance (Gaussian noise of variance sigma^2 averaged over b draws). "
            "The proof's variance algebra (L228-248) repeats one decomposition three times and says "
            "'substituting (21) into (22)' for the reverse; harmless. 1 - eta a beta/2 >= 1/2 (L262) is where "
            "eta a <= 1/beta is used; on the isotropic quadratic with eta a = 1/beta and noise of norm sigma "
            "both sides are equal for every sample path.")

    def measure(self, runs, inst):
        p, step = inst.problem, _steps(inst)

        def one(r):
            W = iterates(r)
            f = losses(p, W)
            return f[1:] - f[:-1] + step / 2 * grad_sq_norms(p, W[:-1]) - slack(f[1:], f[:-1])

        return per_run(runs, one)

    def bound(self, inst):
        return _steps(inst) ** 2 * inst.problem.H * noise_sd(inst) ** 2 / 2

    def default(self, seed):
        return Instance(quadratic(d=5, mu=0.5, H=4.0, seed=seed), numpy.ones(5), T=40,
                        hyper={"lr": 0.25, "a": 0.8}, seeds=200,
                        oracle={"noise": "gaussian", "sigma": 1.0, "batch_size": 2},
                        label="quadratic, eta a = 0.8/beta, sigma = 1, b = 2")

    def draw(self, problem, T, u):
        return _gaussian(problem, T, u, lr=(0.05 + 0.95 * u[1]) / problem.H, a=0.2 + 0.8 * u[2])


# ---- Theorem 2: printed (GAN's a_t, the paper's method) ---------------------------------------------

def _gan(inst):
    return KeepStates(Transformed(SGD(lr=inst.hyper["lr"]), GradientAutoscale(shapes=None, clip_a=1.0)))


@theorem
class Y000_Thm2_printed:
    """scaled SGD: average E||grad L||^2 <= 2 gap/(T eta a) + eta a beta sigma^2/b

    Theorem 2 as printed (L100-102, proof L270-297), checked on the method the paper runs (GAN-SGD, L59-92):

        (1/T) sum_{t<T} E||grad L(w_t)||^2  <=  2 (L(w_0) - E L(w_T)) / (T eta a_t) + eta a_t beta sigma^2 / b
        (the largest over t < T)

    The t of a_t is free after the sum (the proof divides by eta a_t / 2 at L294 as if a_t were constant),
    and GAN centres each eligible gradient tensor, which the analysed update omits: a real GAN run violates
    the printed bound, even read with the most favourable a_t of the run:

    >>> Y000_Thm2_printed.theorem.check(Y000_Thm2_printed.theorem.counterexample()).holds
    False
    """
    id, source, statement = "000-Thm2/printed", f"{SOURCE} Thm 2, L100-102 (proof L270-297)", "printed"
    algorithm, kind = GradientAutoscale, "every_step"
    requires, constants = {"smooth"}, ("H",)
    rule = "eta a_t <= 1/beta (GAN's a_t, capped at 1)"
    note = ("Checked for every horizon T' with the most favourable reading of the free a_t (the largest bound "
            "over a_0 .. a_{T'-1}), on the paper's method: GAN-SGD (L59-92, clip at 1 so that eta a_t <= "
            "1/beta), here deterministic (sigma = 0). It fails for three reasons. E5: GAN centres every "
            "eligible tensor, so the direction is a_t P grad L with P the projection removing the mean; the "
            "mean of the gradient is never reduced, ||grad L|| stays >= 1, while L(w_0) - L(w_T) is bounded by "
            "the centred part (~1e-6 here). E6: a_t is computed from the sample it scales, so E[a_t grad L_t] != "
            "E[a_t] grad L and Lemma 1's expectation step does not apply. And a_t varies, so dividing by eta "
            "a_t / 2 after summing (L294) is only valid for a constant a. The paper's 'a_t in (0, 1]' (L104) "
            "is also false without a cap: a_t = (4/(|ln s_t| + eps))^p is singular at s_t = 1.")

    def method(self, inst):
        return _gan(inst)

    def measure(self, runs, inst):
        def one(r):
            g2 = grad_sq_norms(inst.problem, iterates(r)[:-1])
            return numpy.cumsum(g2) / numpy.arange(1, inst.T + 1)

        return per_run(runs, one)

    def bound(self, inst):
        """max over the run's a_0 .. a_{T'-1} of 2 (L(w_0) - L(w_T'))/(T' eta a) + eta a beta sigma^2/b."""
        p, eta = inst.problem, inst.hyper["lr"]
        r = run(_gan(inst), p, steps=inst.T, x0=inst.x0, progress=False, **dict(inst.oracle))
        a = numpy.array([s.tstate.a for s in states(r)])
        f = losses(p, iterates(r))
        noise = p.H * noise_sd(inst) ** 2
        out = []
        for Tp in range(1, inst.T + 1):
            ap = a[:Tp]
            out.append(numpy.max(2 * (f[0] - f[Tp]) / (Tp * eta * ap) + eta * ap * noise))
        return numpy.array(out)

    def counterexample(self):
        p = quadratic(d=4, mu=1.0, H=1.0, seed=0)                   # beta = 1, L = ||w - w*||^2 / 2
        e = numpy.array([1.0, -2.0, 0.5, 0.5]) * 1e-3
        return Instance(p, numpy.asarray(p.x_star) + 0.5 + e, T=50, hyper={"lr": 1.0},
                        label="GAN-GD (eta = 1/beta, a_t <= 1) on ||w - w*||^2/2, gradient with mean 0.5")


# ---- Theorem 2: corrected (a_t fixed in advance, summed before dividing) ---------------------------

@theorem
class Y000_Thm2(_ScaledSGD):
    """scaled SGD with a_t fixed in advance: sum_t eta a_t E||grad L(w_t)||^2 bound

    Theorem 2, corrected (summing Lemma 1 before dividing): for a_t fixed in advance with eta a_t <= 1/beta,
    for every horizon T (E L(w_T) - L_* >= 0 moved to the left):

        sum_{t<T} eta a_t E||grad L(w_t)||^2 + 2 (E L(w_T) - L_*)  <=
        2 (L(w_0) - L_*) + (beta sigma^2 / b) sum_{t<T} (eta a_t)^2

    On w^2 (beta = 2) from w_0 = 1 (L(w_0) - L_* = 1) with eta a_t = 1/2, sigma = b = 1: 2 + 2 (t/4).

    >>> inst = Instance(quadratic(d=1, mu=2.0, H=2.0, x_star=[0.0]), [1.0], T=2, hyper={"lr": 0.5},
    ...                 oracle={"noise": "gaussian", "sigma": 1.0})
    >>> Y000_Thm2.theorem.bound(inst)
    array([2.5, 3. ])
    """
    id, source, statement = "000-Thm2", f"{SOURCE} Thm 2, L100-102 (proof L270-297)", "corrected"
    kind, data = "expectation", ("f_star",)
    rule = "eta a_t <= 1/beta with a_t = 1/sqrt(1 + decay t) fixed in advance"
    admissible = {"lr": (0.0, lambda p: 1 / p.H), "decay": (0.0, None)}
    tight_factor, _tight_hyper = 0.999999, {"decay": 0.0}
    note = ("Derivation: Lemma 1 holds at every t with a_t fixed in advance (or F_t-measurable and "
            "independent of the step-t sample); summing it over t < T before dividing gives the statement, "
            "and with a_t in [a_min, a_max]: (1/T) sum E||grad L||^2 <= 2 (L(w_0) - inf L)/(T eta a_min) + "
            "eta beta sigma^2 a_max^2 / (b a_min). E L(w_T) - L_* >= 0 is moved to the left (checked for every "
            "horizon T). The default's a_t decays like GAN's a_t along a run (a_t ~ 4/|ln s_t| with |ln s_t| growing "
            "like sqrt(t)); GAN itself computes a_t from the same sample and centres the gradient (see the "
            "printed form), so it is not covered by this corrected theorem.")

    def measure(self, runs, inst):
        p, step = inst.problem, _steps(inst)

        def one(r):
            W = iterates(r)
            f = losses(p, W)
            return (numpy.cumsum(step * grad_sq_norms(p, W[:-1])) + 2 * (f[1:] - p.f_star)
                    - slack(2 * f[1:], 2 * p.f_star))

        return per_run(runs, one)

    def bound(self, inst):
        p = inst.problem
        return 2 * (float(p.f(inst.x0)) - p.f_star) + p.H * noise_sd(inst) ** 2 * numpy.cumsum(_steps(inst) ** 2)

    def default(self, seed):
        return Instance(quadratic(d=5, mu=0.5, H=4.0, seed=seed), numpy.ones(5), T=60,
                        hyper={"lr": 0.25, "decay": 0.2}, seeds=200, oracle={"noise": "gaussian", "sigma": 1.0},
                        label="quadratic, eta = 1/beta, a_t = 1/sqrt(1 + t/5), sigma = 1")

    def draw(self, problem, T, u):
        return _gaussian(problem, T, u, lr=(0.05 + 0.95 * u[1]) / problem.H, decay=2 * u[2])


THEOREMS = (Y000_eq1.theorem, Y000_eq1_printed.theorem, Y000_Lemma1.theorem, Y000_Thm2_printed.theorem,
            Y000_Thm2.theorem)

"""Online and Projected: the wrappers that run a catalogue method on an online sequence or on the
problem's feasible set, checked against the recursions written out by hand."""
import math

import numpy as np
import pytest

from optlab.algorithms import SGD, AdaGradNorm, Online, Projected, run
from optlab.problems import quadratic, reddi_adam_example, zipf_one_hot


def test_online_feeds_the_cyclic_sequence_and_projects():
    p = reddi_adam_example(C=3.0)
    eta, T, x = 0.7, 30, 0.2
    expected = [x]
    for t in range(1, T + 1):                       # f_t = 3x, -x, -x, ...: gradient 3 or -1
        x = min(1.0, max(-1.0, x - eta * (3.0 if t % 3 == 1 else -1.0)))
        expected.append(x)
    tr = run(Online(SGD(lr=eta)), p, steps=T, x0=np.array([0.2]), seed=5, progress=False)
    np.testing.assert_allclose(tr.x[:, 0], expected, rtol=0, atol=1e-15)
    assert tr.oracle_calls[-1] > 0


def test_online_refuses_a_problem_without_an_online_sequence():
    with pytest.raises(ValueError, match="online_index"):
        run(Online(SGD(lr=0.1)), quadratic(d=2, mu=1.0, H=1.0), steps=1, progress=False)


@pytest.mark.parametrize("seed", range(3))
def test_projected_adagrad_norm_is_the_clipped_recursion(seed):
    p = zipf_one_hot(d=8, s=1.5, D=0.7, bias=0.4)
    c = 1.3
    tr = run(Projected(AdaGradNorm(c=c, eps=0.0)), p, steps=50, x0=np.zeros(8), seed=seed, progress=False)
    from optlab.problems import Oracle
    o, w, total = Oracle(p, seed=seed), np.zeros(8), 0.0
    expected = [w]
    for _ in range(50):                             # w <- clip(w - c g / sqrt(sum ||g||^2), -D, D)
        g = o.stoch_grad(w, o.sample())
        total += float(g @ g)
        w = np.clip(w - c / math.sqrt(total) * g, -0.7, 0.7)
        expected.append(w)
    np.testing.assert_allclose(tr.x, np.array(expected), rtol=1e-12, atol=1e-15)


def test_projected_refuses_an_unconstrained_problem():
    with pytest.raises(ValueError, match="unconstrained"):
        run(Projected(SGD(lr=0.1)), quadratic(d=2, mu=1.0, H=1.0), steps=1, progress=False)

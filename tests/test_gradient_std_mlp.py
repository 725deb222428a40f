"""Paper 000's empirical motivation (Figs 1-2, L27-53) on optlab's MLP, as lecture 17 shows it: the std of the
full gradient, per layer and over all layers, during minibatch SGD. Not a theorem: a fixed-seed regression test
of the lecture's statements (deterministic, so it fails only if the code or the family changes), with the
quantities computed here from the iterates (np.std of the problem's gradient), not by the lecture's code."""
import numpy as np
import pytest

from optlab.algorithms import SGD, run
from optlab.problems import mlp
from optlab.theory.measures import grads


@pytest.fixture(scope="module")
def stds():
    net = mlp(n=256, widths=(8, 32, 32, 1), seed=0)
    tr = run(SGD(lr=0.05), net, steps=1500, seeds=range(3), batch_size=16, every=25, progress=False,
             grad_norm=False)
    X = np.asarray(tr.x)
    G = np.stack([grads(net, X[k]) for k in range(len(X))])             # (seeds, records, d)
    out = {name: G[..., a:b].std(axis=-1, ddof=1) for name, (a, b) in zip(net.block_names, net.blocks)}
    out["global"] = G.std(axis=-1, ddof=1)
    return out


def test_every_std_falls_tenfold_early_and_then_drifts_down(stds):
    """Measured: t = 0 over t = 100, 12-32 (per seed and layer); the mean log-std over t >= 1150 against
    t in [375, 750], a factor 0.74-0.99 per seed (0.99: the last layer, seed 2), so the drift is asserted on
    the geometric mean over the three seeds (0.78-0.85)."""
    for name, v in stds.items():                                         # v: (3 seeds, 61 records, every 25)
        assert np.all(v[:, 4] < v[:, 0] / 10), name                     # t = 100: more than 10x below t = 0
        late, mid = np.log(v[:, 46:]).mean(), np.log(v[:, 15:31]).mean()
        assert late < mid + np.log(0.9), (name, np.exp(late - mid))     # at least 10% lower late than mid


def test_global_std_is_not_monotone_and_layers_differ_in_scale(stds):
    g = np.exp(np.log(stds["global"]).mean(axis=0))
    assert 0.3 < np.mean(np.diff(g) < 0) < 0.8                          # it falls on only part of the intervals
    ratio = stds["W2"] / stds["W0"]
    assert ratio.min() > 2 and ratio.max() < 20                         # last layer's std a few times the first's

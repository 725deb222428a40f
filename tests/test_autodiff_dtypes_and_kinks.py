"""Dtypes (float64 default, float32 kept, integers refused or promoted) and the documented subgradients."""
from __future__ import annotations

import numpy as np
import pytest

import optlab
import optlab.numpy as onp
from optlab import Variable, grad, hessian, hvp, jacobian, value_and_grad

x32 = np.array([0.5, -1.5, 2.0], dtype=np.float32)

FLOAT32_FUNCTIONS = {
    "sum of squares": lambda x: onp.sum(x ** 2),
    "mean of exp": lambda x: onp.mean(onp.exp(x)),
    "logsumexp": onp.logsumexp,
    "softplus and sigmoid": lambda x: onp.sum(onp.softplus(x) * onp.sigmoid(x)),
    "norm": onp.norm,
    "matmul with a float32 matrix": lambda x: onp.sum(np.ones((2, 3), dtype=np.float32) @ x),
    "times a float64 constant": lambda x: onp.sum(x * np.array([1.0, 2.0, 3.0])),
    "times an int64 constant": lambda x: onp.sum(x * np.array([1, 2, 3])),
    "log_softmax": lambda x: onp.sum(onp.log_softmax(x) * np.float32(2.0)),
}


def test_float64_is_the_default():
    for x in (2.0, [1.0, 2.0], np.array([1.0, 2.0])):
        value, g = value_and_grad(lambda x: onp.sum(x * x))(x)
        assert np.asarray(g).dtype == np.float64 and np.asarray(value).dtype == np.float64
    assert Variable([1, 2]).value.dtype == np.float64


@pytest.mark.parametrize("name", sorted(FLOAT32_FUNCTIONS))
def test_float32_inputs_give_float32_gradients(name):
    f = FLOAT32_FUNCTIONS[name]
    value, g = value_and_grad(f)(x32)
    assert g.dtype == np.float32, g.dtype
    # Against the float64 gradient (a second evaluation, in double precision).
    np.testing.assert_allclose(g, grad(f)(x32.astype(np.float64)), rtol=2e-6, atol=1e-6)
    assert hvp(f)(x32, np.ones(3, dtype=np.float32)).dtype == np.float32
    assert hessian(f)(x32).dtype == np.float32


def test_float32_values_stay_float32_where_numpy_keeps_them():
    value, g = value_and_grad(lambda x: onp.sum(onp.tanh(x) * 2.0))(x32)
    assert np.asarray(value).dtype == np.float32 and g.dtype == np.float32
    assert jacobian(lambda x: onp.exp(x))(x32).dtype == np.float32
    assert Variable(x32).value.dtype == np.float32


@pytest.mark.parametrize("x", [np.array([1, 2, 3]), np.arange(3, dtype=np.int32), np.int64(3), 3, True, [1, 2],
                               np.array([True, False]), np.array([1, 2], dtype=np.uint8)])
def test_integer_and_boolean_inputs_to_grad_raise_type_error(x):
    with pytest.raises(TypeError, match="integer or boolean"):
        grad(lambda x: onp.sum(x * x))(x)
    with pytest.raises(TypeError, match="astype"):
        hvp(lambda x: onp.sum(x * x))(x, x)


def test_integer_constants_are_promoted():
    x = np.array([0.5, 2.0])
    g = grad(lambda x: onp.sum(x * np.array([1, 2]) + np.array([3, 4]) ** 2 + x ** 2))(x)
    np.testing.assert_array_equal(g, np.array([1.0, 2.0]) + 2 * x)
    assert g.dtype == np.float64
    # An integer array inside the graph is promoted where it enters: Variable holds floats.
    v = Variable(np.array([1, 2]))
    assert v.value.dtype == np.float64
    assert Variable(3).value == 3.0 and isinstance(Variable(3).value, float)
    # d/dy of x ** y with an integer exponent array treated as a constant.
    np.testing.assert_array_equal(grad(lambda x: onp.sum(x ** np.array([2, 3])))(x), [2 * x[0], 3 * x[1] ** 2])


# ---- subgradients at kinks (documented in ops/elementwise.py and ops/reduce.py) ----------------------


def test_norm_gradient_at_zero_is_zero_not_nan():
    for shape, kwargs in [((3,), {}), ((2, 3), {}), ((2, 3), {"ord": "fro"}), ((2, 3), {"axis": 1}),
                          ((2, 3), {"axis": 0, "keepdims": True}), ((2, 2, 2), {"axis": (0, 2)})]:
        g = grad(lambda x: onp.sum(onp.norm(x, **kwargs)))(np.zeros(shape))
        np.testing.assert_array_equal(g, np.zeros(shape))
    # Only the zero row gets the zero subgradient; the other row gets x / ||x||.
    x = np.array([[0.0, 0.0], [3.0, 4.0]])
    np.testing.assert_array_equal(grad(lambda x: onp.sum(onp.norm(x, axis=1)))(x), [[0, 0], [0.6, 0.8]])


def test_relu_and_abs_derivatives_at_zero_are_zero():
    assert grad(onp.relu)(0.0) == 0.0
    assert grad(onp.abs)(0.0) == 0.0
    assert grad(abs)(0.0) == 0.0
    np.testing.assert_array_equal(grad(lambda x: onp.sum(onp.relu(x)))(np.array([-1.0, 0.0, 2.0])), [0, 0, 1])
    np.testing.assert_array_equal(grad(lambda x: onp.sum(onp.abs(x)))(np.array([-1.0, 0.0, 2.0])), [-1, 0, 1])


def test_ties_follow_the_documented_rules():
    # maximum / minimum: on a tie the gradient goes to the first argument.
    assert grad(onp.maximum, argnums=(0, 1))(1.0, 1.0) == (1.0, 0.0)
    assert grad(onp.minimum, argnums=(0, 1))(1.0, 1.0) == (1.0, 0.0)
    # max / min reductions: tied entries share the gradient equally.
    np.testing.assert_array_equal(grad(onp.max)(np.array([1.0, 3.0, 3.0])), [0, 0.5, 0.5])
    np.testing.assert_array_equal(grad(onp.min)(np.array([1.0, 1.0, 3.0])), [0.5, 0.5, 0])
    # clip: gradient 1 on the closed interval [a_min, a_max], 0 outside.
    np.testing.assert_array_equal(grad(lambda x: onp.sum(onp.clip(x, -1.0, 1.0)))(np.array([-2.0, -1.0, 1.0, 2.0])),
                                  [0, 1, 1, 0])
    # sign is piecewise constant: derivative 0 everywhere (also at 0).
    np.testing.assert_array_equal(grad(lambda x: onp.sum(onp.sign(x) * 2.0))(np.array([-1.0, 0.0])), [0, 0])


def test_stable_ml_staples_at_extreme_inputs():
    x = np.array([-800.0, -40.0, 0.0, 40.0, 800.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow, no NaN
        s = onp.sigmoid(x)
        sp = onp.softplus(x)
        g = grad(lambda x: onp.sum(onp.softplus(x)))(x)
        lse = onp.logsumexp(x)
    # Closed forms in extended precision where they do not overflow, limits where they do.
    np.testing.assert_allclose(s, [0.0, np.exp(-40.0) / (1 + np.exp(-40.0)), 0.5, 1 / (1 + np.exp(-40.0)), 1.0],
                               rtol=1e-15, atol=0)
    np.testing.assert_allclose(sp, [0.0, np.log1p(np.exp(-40.0)), np.log(2.0), 40.0 + np.log1p(np.exp(-40.0)), 800.0],
                               rtol=1e-15, atol=0)
    np.testing.assert_allclose(g, s, rtol=1e-15, atol=0)
    assert lse == 800.0
    np.testing.assert_allclose(onp.log_softmax(np.array([0.0, 1000.0])), [-1000.0, 0.0])
    np.testing.assert_allclose(onp.softmax(np.array([0.0, 1000.0])), [0.0, 1.0])
    assert optlab.check_grad(lambda x: onp.sum(onp.sigmoid(x) ** 2), np.array([-5.0, 0.5, 5.0])) < 1e-6


def test_softplus_and_sigmoid_gradients_at_infinite_inputs_are_their_limits():
    x = np.array([-np.inf, np.inf])
    np.testing.assert_array_equal(grad(lambda x: onp.sum(onp.softplus(x)))(x), [0.0, 1.0])
    np.testing.assert_array_equal(grad(lambda x: onp.sum(onp.sigmoid(x)))(x), [0.0, 0.0])

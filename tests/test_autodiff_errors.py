"""Bad input is reported where the mistake is made, naming the operation and what was wrong."""
from __future__ import annotations

import re

import numpy as np
import pytest

import optlab
import optlab.numpy as onp
from optlab import NonFiniteError, Variable, check_finite, check_grad, grad, value_and_grad
from optlab.autodiff import find_nonfinite


@pytest.mark.parametrize("name, build, shapes", [
    ("add", lambda a, b: a + b, [(3,), (4,)]),
    ("multiply", lambda a, b: onp.multiply(a, b), [(2, 3), (3, 2)]),
    ("matmul", lambda a, b: a @ b, [(3, 2), (4,)]),
    ("concatenate", lambda a, b: onp.concatenate([a, b], axis=1), [(2, 3), (3, 3)]),
    ("einsum", lambda a, b: onp.einsum("ij,jk->ik", a, b), [(2, 3), (4, 2)]),
])
def test_a_shape_mismatch_names_the_operation_and_both_shapes_when_the_graph_is_built(name, build, shapes):
    a, b = Variable(np.ones(shapes[0])), np.ones(shapes[1])
    with pytest.raises(ValueError) as info:
        build(a, b)  # raised here, while building, not later in the reverse pass
    message = str(info.value)
    assert message.startswith(f"{name}:")
    for shape in shapes:
        assert str(shape) in message
    with pytest.raises(ValueError, match=re.escape(name)):
        grad(lambda a: onp.sum(build(a, b)))(np.ones(shapes[0]))


def test_grad_of_a_non_scalar_output_raises_and_points_to_jacobian():
    for api in (optlab.grad, value_and_grad):
        with pytest.raises(TypeError, match=r"scalar output.*shape \(3,\).*jacobian"):
            api(lambda x: x * 2.0)(np.ones(3))
    with pytest.raises(TypeError, match="jacobian"):
        optlab.hvp(lambda x: x * x)(np.ones(2), np.ones(2))


def test_a_numpy_function_without_a_primitive_says_how_to_add_one():
    with pytest.raises(NotImplementedError, match=r"numpy\.sinh.*optlab\.Primitive\('sinh'") as info:
        np.sinh(Variable(np.array([1.0])))
    assert "vjp_rule" in str(info.value)
    with pytest.raises(NotImplementedError, match=r"Primitive"):
        grad(lambda x: np.sum(np.sinh(x)))(np.ones(2))
    with pytest.raises(NotImplementedError, match=r"numpy\.median.*Primitive"):
        np.median(Variable(np.ones(3)))


def test_optlab_numpy_without_the_function_says_how_to_add_a_primitive():
    with pytest.raises(AttributeError, match=r"no function 'sinh'.*optlab\.Primitive\('sinh'"):
        onp.sinh  # noqa: B018
    assert not hasattr(onp, "sinh")


def test_float_of_a_variable_refuses_to_drop_it_from_the_graph():
    with pytest.raises(TypeError, match=r"\.value"):
        grad(lambda x: float(x) * 2.0)(1.0)


@pytest.mark.parametrize("f, x, name", [
    (lambda x: onp.sum(onp.log(x)), np.array([1.0, -1.0]), "log"),
    (lambda x: onp.sum(onp.sqrt(x - 2.0)), np.array([1.0, 3.0]), "sqrt"),
    (lambda x: onp.sum(1.0 / (x - 1.0)), np.array([1.0, 3.0]), "divide"),
    (lambda x: onp.sum(onp.exp(x * 1000.0)), np.array([1.0, -1.0]), "exp"),
])
def test_check_finite_and_check_grad_name_the_operation_that_made_nan_or_inf(f, x, name):
    with np.errstate(all="ignore"):
        with pytest.raises(NonFiniteError, match=f"operation '{name}'"):
            check_finite(f, x)
        with pytest.raises(NonFiniteError, match=f"operation '{name}'"):
            check_grad(f, x)
        out = f(Variable(x))
    assert find_nonfinite(out).op.primitive.name == name


def test_check_grad_names_the_operation_whose_derivative_is_not_finite():
    # sqrt(0) = 0 is finite, its derivative is not.
    with np.errstate(all="ignore"), pytest.raises(NonFiniteError, match="forward pass is finite.*'sqrt'"):
        check_grad(lambda x: onp.sum(onp.sqrt(x)), np.array([1.0, 0.0]))
    assert find_nonfinite(onp.sum(onp.sqrt(Variable(np.array([1.0, 0.0]))))) is None


def test_check_grad_is_small_for_right_gradients_and_large_for_wrong_ones():
    x = np.array([0.3, -1.2, 2.0])
    assert check_grad(lambda x: onp.sum(onp.sin(x) * x ** 2), x) < 1e-7
    wrong = optlab.Primitive("wrong_sin", np.sin, [lambda g, ans, x: g * onp.sin(x)])  # should be cos
    assert check_grad(lambda x: onp.sum(wrong(x)), x) > 0.1


def test_a_supported_ufunc_with_out_says_what_is_unsupported():
    v = Variable(np.ones(2))
    with pytest.raises(TypeError, match=r"numpy\.exp.*\['out'\]"):
        np.exp(v, out=np.empty(2))
    np.testing.assert_array_equal(np.exp(v).value, np.exp(np.ones(2)))  # without it, it works

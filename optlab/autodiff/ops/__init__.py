"""Every differentiable operation of optlab, gathered in one namespace (exported as optlab.numpy)."""
from ._util import broadcast_to, shape_of, sum_to, unbroadcast
from .elementwise import (
    abs, add, clip, cos, divide, exp, expm1, log, log1p, maximum, minimum, multiply, negative, power,
    relu, sigmoid, sign, sin, softplus, sqrt, square, subtract, tanh, where,
)
from .linalg import dot, einsum, matmul, outer
from .reduce import log_softmax, logsumexp, max, mean, min, norm, softmax, sum
from .shape import concatenate, expand_dims, getitem, ravel, reshape, stack, swapaxes, transpose

true_divide = divide
absolute = abs

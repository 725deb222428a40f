"""Argument checks, one contract for the whole package: a bad value raises ValueError naming the argument,
the rule, and the value given, where the mistake is made (a method's or a problem's constructor).

Numbers must be real numbers (Python or NumPy; a bool or a string is refused) and finite. ``optional=True``
lets None through (a constant a problem does not claim); otherwise None is refused like any other bad
value.

Example:
    >>> check_positive("lr", 0.1)
    0.1
    >>> check_nonnegative("G", None, optional=True) is None
    True
    >>> check_int("d", 0)
    Traceback (most recent call last):
    ...
    ValueError: d must be an integer >= 1, got d=0
    >>> check_beta("beta1", 1.0)
    Traceback (most recent call last):
    ...
    ValueError: beta1 must lie in [0, 1), got beta1=1.0
"""
from __future__ import annotations

import math
import numbers


def check_number(name, value, rule="a finite number", *, optional=False):
    """``value`` as a float; ValueError naming ``name`` unless it is a finite real number (or None,
    returned as None, when ``optional``)."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be {rule}, got {name}={value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be {rule}, got {name}={value!r}")
    return value


def check_positive(name, value, *, optional=False):
    """A finite number > 0 (see :func:`check_number`)."""
    v = check_number(name, value, "a finite number > 0", optional=optional)
    if v is not None and v <= 0:
        raise ValueError(f"{name} must be > 0, got {name}={value!r}")
    return v


def check_nonnegative(name, value, *, optional=False):
    """A finite number >= 0 (see :func:`check_number`)."""
    v = check_number(name, value, "a finite number >= 0", optional=optional)
    if v is not None and v < 0:
        raise ValueError(f"{name} must be >= 0, got {name}={value!r}")
    return v


def check_int(name, value, minimum=1):
    """``value`` as an int; ValueError naming ``name`` unless it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {name}={value!r}")
    return int(value)


def check_beta(name, value, *, closed=False):
    """A momentum/averaging factor in [0, 1) (or [0, 1] with ``closed=True``)."""
    interval = "[0, 1]" if closed else "[0, 1)"
    v = check_number(name, value, f"a number in {interval}")
    if not (0 <= v <= 1 if closed else 0 <= v < 1):
        raise ValueError(f"{name} must lie in {interval}, got {name}={value!r}")
    return v


def check_unit_interval(name, value):
    """A weight in (0, 1] (e.g. the notes' momentum parameter alpha, where alpha = 1 is no momentum)."""
    v = check_number(name, value, "a number in (0, 1]")
    if not 0 < v <= 1:
        raise ValueError(f"{name} must lie in (0, 1], got {name}={value!r}")
    return v


def check_choice(name, value, choices):
    """One of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {name}={value!r}")
    return value

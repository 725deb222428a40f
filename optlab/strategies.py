"""Hypothesis strategies for optlab: problems drawn by the assumptions they satisfy, starting points,
horizons, and whole theorem instances inside a theorem's hypotheses.

One implementation serves optlab's own suite (``tests/test_theorems.py``) and your tests:

* :func:`problems` draws a problem from the catalogue's families (``optlab.problems.FAMILIES``) that
  satisfies the assumptions you name, e.g. ``problems(requires={"smooth", "convex"})``; the family,
  its dimension (up to the family's example size) and its seed are drawn, so hypothesis shrinks a
  failing problem towards a small dimension and seed 0.
* :func:`starting_points` draws a start ``problem.x0(seed)`` for a given problem.
* :func:`cases` draws a :class:`Case` for a theorem: a compatible family, its dimension and seed, the
  horizon T and the numbers ``u`` in [0, 1) that the theorem's own ``draw(problem, T, u)`` maps into its
  admissible hyperparameters; :func:`instances` draws the :class:`optlab.theory.Instance` it builds.

A :class:`Case` is plain data, so it reproduces its instance exactly (``case.instance()``), and its
``code()`` is a Python expression for that instance that you can paste into a session.

Draws stay inside the theorem's hypotheses by construction: a family is paired with a theorem by
``optlab.theory.compatible_families``, a drawn problem whose own claimed assumptions or constants
fall short of the theorem's (a family may lose one at some seeds, e.g. logistic regression on
separable data has no minimiser) is rejected, and ``draw`` keeps the hyperparameters in ``admissible``.
``tests/test_strategies.py`` checks this against the theorem's own ``optlab.theory.theorem.validate``.

Example:
    >>> from hypothesis import given, settings
    >>> from optlab.theory import get, check
    >>> @settings(max_examples=3, derandomize=True, deadline=None, database=None)
    ... @given(instance=instances(get("EC500-5.8")))
    ... def gd_finds_critical_points(instance):
    ...     assert check(get("EC500-5.8"), instance).holds
    >>> gd_finds_critical_points()
    >>> Case("EC500-5.8", "cosine_sum", d=1, seed=0, T=2, u=(0.5, 0.5, 0.0, 0.0)).code()
    "Instance(problem=cosine_sum(d=1, seed=0), x0=np.array([1.19793517686496]), T=2, hyper={'lr': 0.5})"
"""
from __future__ import annotations

import dataclasses
import functools
import inspect
from typing import Mapping, Optional

import numpy

try:
    from hypothesis import assume, strategies as st
except ImportError as err:       # hypothesis is an optional dependency (the 'test' extra)
    raise ImportError("optlab.strategies needs hypothesis: pip install 'optlab[test]' "
                      "(or pip install hypothesis)") from err

__all__ = ["Case", "cases", "instances", "problems", "starting_points", "horizons", "family_dims"]

T_RANGE = (1, 40)         # horizons drawn by default: small enough for a fast test, long enough to matter
N_U = 4                   # how many numbers in [0, 1) a theorem's draw() receives


def _family(name):
    from .problems import FAMILIES

    for f in FAMILIES:
        if f.name == name:
            return f
    raise KeyError(f"no problem family {name!r}; known: {', '.join(f.name for f in FAMILIES)}")


def _takes(family, argument):
    return argument in inspect.signature(family.factory).parameters


@functools.lru_cache(maxsize=None)
def family_dims(name):
    """The dimensions drawn for a family: 1 up to its example's ``d``, keeping those at which the
    family (seed 0) still claims exactly its catalogue assumptions. A family without ``d`` gives ``()``.

    Example:
        >>> family_dims("cosine_sum"), family_dims("least_squares_overparameterized"), family_dims("median_example")
        ((1, 2, 3, 4), (6, 7, 8, 9, 10), ())
    """
    f = _family(name)
    if "d" not in f.example:
        return ()
    seed = {"seed": 0} if _takes(f, "seed") else {}
    dims = []
    for d in range(1, int(f.example["d"]) + 1):
        try:
            p = f.make(d=d, **seed)
        except (ValueError, AssertionError, numpy.linalg.LinAlgError):
            continue            # e.g. strict_saddle needs d > k, sparse_hogwild needs d >= nnz
        if frozenset(p.assumptions) == f.assumptions:     # e.g. least squares with n >= d gains strong convexity
            dims.append(d)
    return tuple(dims)


def _format(value):
    if isinstance(value, float):
        return repr(float(value))
    if isinstance(value, numpy.ndarray):
        return f"np.array({numpy.asarray(value, dtype=float).tolist()!r})"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k!r}: {_format(v)}" for k, v in value.items()) + "}"
    return repr(value)


@dataclasses.dataclass(frozen=True)
class Case:
    """A reproducible theorem instance: ``theorem.draw(family.make(d=d, seed=seed), T, u)``.

    ``d`` is None for a family without a dimension argument, ``seed`` is None for one without a seed;
    ``hyper`` overrides hyperparameters of the drawn instance (pinned by the caller).
    """

    theorem: str
    family: str
    d: Optional[int]
    seed: Optional[int]
    T: int
    u: tuple
    hyper: Mapping = dataclasses.field(default_factory=dict)

    def problem_kwargs(self):
        """The factory's arguments: the family's example, with the drawn ``d`` and ``seed``."""
        f = _family(self.family)
        kwargs = dict(f.example)
        if self.d is not None:
            kwargs["d"] = self.d
        if self.seed is not None:
            kwargs["seed"] = self.seed
        return kwargs

    def problem(self):
        return _make(self.family, self.d, self.seed)

    def instance(self, problem=None):
        """The :class:`optlab.theory.Instance` this case stands for (the same every time)."""
        from .theory import get

        inst = get(self.theorem).draw(self.problem() if problem is None else problem, self.T, self.u)
        if self.hyper:
            inst = dataclasses.replace(inst, hyper={**inst.hyper, **self.hyper})
        return dataclasses.replace(inst, label=self.problem_code())

    def problem_code(self):
        f = _family(self.family)
        args = ", ".join(f"{k}={_format(v)}" for k, v in self.problem_kwargs().items())
        return f"{f.factory.__name__}({args})"

    def code(self, instance=None):
        """A Python expression for the instance (``from optlab.problems import ...``, ``np`` is NumPy)."""
        inst = self.instance() if instance is None else instance
        parts = [f"problem={self.problem_code()}", f"x0={_format(numpy.asarray(inst.x0))}", f"T={inst.T}"]
        if inst.hyper:
            parts.append(f"hyper={_format(dict(inst.hyper))}")
        if inst.oracle:
            parts.append(f"oracle={_format(dict(inst.oracle))}")
        if inst.seeds != 1:
            parts.append(f"seeds={inst.seeds}")
        return f"Instance({', '.join(parts)})"

    def describe(self):
        """One line: family, dimension, seed, T (the hyperparameters are the instance's)."""
        d = "-" if self.d is None else self.d
        return f"family {self.family}, d = {d}, seed = {self.seed}, T = {self.T}"


@functools.lru_cache(maxsize=256)
def _make(name, d, seed):
    """The family's problem at this dimension and seed (cached: building one certifies its constants,
    and a drawn case is built once to be screened and again as its instance)."""
    kwargs = {k: v for k, v in (("d", d), ("seed", seed)) if v is not None}
    return _family(name).make(**kwargs)


def _satisfies(problem, requires, constants):
    if not set(requires) <= set(getattr(problem, "assumptions", ())):
        return False
    return all(getattr(problem, c, None) is not None for c in constants)


@st.composite
def _family_draw(draw, families, requires, constants):
    """(family name, d, seed, problem) for one of ``families``; rejects a problem that lacks a need."""
    f = draw(st.sampled_from(families))
    dims = family_dims(f.name)
    d = draw(st.sampled_from(dims)) if dims else None
    seed = draw(st.integers(0, 2 ** 16)) if _takes(f, "seed") else None
    problem = _make(f.name, d, seed)
    assume(_satisfies(problem, requires, constants))
    return f.name, d, seed, problem


def _select(requires, families, projected):
    from .problems import FAMILIES

    pool = FAMILIES if families is None else tuple(_family(f) if isinstance(f, str) else f for f in families)
    need = frozenset(requires)
    keep = tuple(f for f in pool if need <= f.assumptions
                 and (projected or not getattr(f.make(), "constrained", False)))
    if not keep:
        raise ValueError(f"no problem family claims all of {sorted(need)}"
                         + ("" if projected else " on an unconstrained domain")
                         + f" among {[f.name for f in pool]}; see optlab.problems.FAMILIES")
    return keep


def problems(requires=(), *, families=None, constants=(), projected=False):
    """Problems from the families that claim every assumption in ``requires`` and carry ``constants``.

    Args:
        requires: assumption names (as in ``Problem.assumptions``), e.g. ``{"smooth", "convex"}``.
        families: restrict to these families (names or ``Family`` entries); default all of FAMILIES.
        constants: constants the problem must know (not None), e.g. ``("H", "f_star")``.
        projected: also draw families on a constrained domain (for methods that project onto it).

    Example:
        >>> from hypothesis import find
        >>> p = find(problems(requires={"smooth", "convex"}), lambda p: True)
        >>> {"smooth", "convex"} <= p.assumptions
        True
    """
    pool = _select(requires, families, projected)
    return _family_draw(pool, frozenset(requires), tuple(constants)).map(lambda drawn: drawn[3])


def starting_points(problem, seeds=(0, 1000)):
    """Starts ``problem.x0(seed)`` for a drawn seed (the family's own distribution of starts)."""
    return st.integers(*seeds).map(lambda s: numpy.asarray(problem.x0(seed=s)))


def horizons(low=T_RANGE[0], high=T_RANGE[1]):
    """Horizons T in [low, high] (hypothesis shrinks towards ``low``)."""
    return st.integers(low, high)


def _theorem(theorem):
    from .theory import get

    t = get(theorem) if isinstance(theorem, str) else theorem
    if t.draw is None:
        raise ValueError(f"{t.id} has no draw(): it is checked on its default instance only "
                         f"(optlab verify --theorem {t.id}), not on drawn instances")
    return t


@st.composite
def _case_draw(draw, theorem, pool, T, hyper):
    name, d, seed, _ = draw(_family_draw(pool, theorem.requires, theorem.constants))
    horizon = draw(horizons(*T))
    u = draw(st.tuples(*[st.floats(0.0, 1.0, exclude_max=True)] * N_U))
    return Case(theorem.id, name, d, seed, horizon, u, dict(hyper or {}))


_POOLS = {}


def _compatible(theorem):
    """``compatible_families(theorem)`` whose example instance carries the constants the bound reads
    (as optlab's suite pairs them), computed once per (requires, constants, projected)."""
    from .theory import compatible_families

    key = (frozenset(theorem.requires), tuple(theorem.constants), bool(theorem.projected))
    if key not in _POOLS:
        _POOLS[key] = tuple(f for f in compatible_families(theorem)
                            if _satisfies(f.make(), theorem.requires, theorem.constants))
    return _POOLS[key]


def cases(theorem, *, families=None, T=T_RANGE, hyper=None):
    """:class:`Case` records for ``theorem`` (an id or a Theorem) on its compatible families.

    Args:
        families: restrict to these families (names or entries); each must be compatible.
        T: the range of horizons drawn, ``(low, high)``.
        hyper: hyperparameters to pin (they replace the drawn ones; ``validate`` may then refuse them).
    """
    t = _theorem(theorem)
    pool = _compatible(t)
    if families is not None:
        wanted = {f if isinstance(f, str) else f.name for f in families}
        unknown = wanted - {f.name for f in pool}
        if unknown:
            raise ValueError(f"families {sorted(unknown)} are not compatible with {t.id} (it needs "
                             f"{sorted(t.requires)}); compatible: {[f.name for f in pool]}")
        pool = tuple(f for f in pool if f.name in wanted)
    if not pool:
        raise ValueError(f"no family is compatible with {t.id} (it needs {sorted(t.requires)} and "
                         f"the constants {list(t.constants)})")
    return _case_draw(t, pool, tuple(T), hyper)


def instances(theorem, *, families=None, T=T_RANGE, hyper=None):
    """:class:`optlab.theory.Instance` objects inside ``theorem``'s hypotheses (see :func:`cases`)."""
    return cases(theorem, families=families, T=T, hyper=hyper).map(Case.instance)

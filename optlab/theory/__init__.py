"""optlab.theory: every stated convergence bound of the sources as an executable theorem.

``THEOREMS`` is the catalogue, an explicit tuple gathered chapter by chapter (no registration magic).
See :mod:`.theorem` for the Theorem object and how checks work, :mod:`.verify` for ``optlab verify``.
"""
from . import (
    ec500_accel, ec500_accel_alg10, ec500_adaptive, ec500_adaptive_rates, ec500_adaptive_s12, ec500_convex,
    ec500_coordinate, ec500_gd, ec500_momentum, ec500_normalized, ec500_parallel, ec500_second_order,
    ec500_sgd, ec500_sgd_schedules, ec500_strongly_convex, ec500_svrg, paper000, paper001, paper002, slides004,
)
from . import ec500_accel_extra, ec500_adam_extra, ec500_coordinate_extra  # added for lectures 08-10
from . import slides004_extra  # added for lecture 20 (issue #19)
from .theorem import ALPHA, AssumptionError, Check, Instance, Theorem, check, validate

# In the order of the sources: EC500 sections 2-25, then the papers 000, 001, 002 and the slides 004.
THEOREMS = (
    *ec500_gd.THEOREMS, *ec500_sgd.THEOREMS, *ec500_sgd_schedules.THEOREMS, *ec500_adaptive.THEOREMS,
    *ec500_adaptive_rates.THEOREMS, *ec500_adaptive_s12.THEOREMS, *ec500_convex.THEOREMS,
    *ec500_accel.THEOREMS, *ec500_accel_alg10.THEOREMS, *ec500_coordinate.THEOREMS,
    *ec500_parallel.THEOREMS, *ec500_momentum.THEOREMS, *ec500_strongly_convex.THEOREMS, *ec500_svrg.THEOREMS,
    *ec500_normalized.THEOREMS, *ec500_second_order.THEOREMS,
    *paper000.THEOREMS, *paper001.THEOREMS, *paper002.THEOREMS, *slides004.THEOREMS,
    *ec500_accel_extra.THEOREMS, *ec500_adam_extra.THEOREMS, *ec500_coordinate_extra.THEOREMS,
)
THEOREMS += slides004_extra.THEOREMS  # issue #19: slides 004 D1, D3

__all__ = ["THEOREMS", "get", "about", "Theorem", "Instance", "Check", "check", "validate", "AssumptionError",
           "ALPHA", "compatible_families"]


def compatible_families(theorem, families=None):
    """The problem families whose claimed assumptions include everything ``theorem`` requires.

    Families on a constrained domain (``problem.constrained``) are paired only with
    theorems about projected algorithms (``theorem.projected``): elsewhere their f_star and constants
    refer to a set the iterates would leave.
    """
    from ..problems import FAMILIES

    def fits(f):
        if not set(theorem.requires) <= set(getattr(f, "assumptions", ())):
            return False
        return theorem.projected or not getattr(f.make(), "constrained", False)

    return tuple(f for f in (families or FAMILIES) if fits(f))


def get(theorem_id):
    """The theorem with this id (e.g. ``"EC500-5.8"``); KeyError listing the known ids otherwise."""
    for t in THEOREMS:
        if t.id == theorem_id:
            return t
    raise KeyError(f"no theorem {theorem_id!r}; known: {', '.join(t.id for t in THEOREMS)}")


def method_class(theorem):
    """The method class ``theorem`` is about: its ``algorithm``, or, for a module not yet written as blocks
    (which names it with a string), the catalogue class of that name (``optlab list``'s name or the
    class name, any case); None if there is none."""
    if not isinstance(theorem.algorithm, str):
        return theorem.algorithm
    from ..algorithms import ALGORITHMS

    name = theorem.algorithm.lower()
    return next((e.method for e in ALGORITHMS if name in (e.name, e.method.__name__.lower())), None)


def about(cls):
    """The theorems about the method class ``cls``, in catalogue order.

    >>> from optlab.algorithms import GD
    >>> [t.id for t in about(GD)][:3]
    ['EC500-2.4', 'EC500-5.7', 'EC500-5.8']
    """
    return tuple(t for t in THEOREMS if method_class(t) is cls)

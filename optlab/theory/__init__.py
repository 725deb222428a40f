"""optlab.theory: every stated convergence bound of the sources as an executable theorem.

``THEOREMS`` is the catalogue, an explicit tuple gathered chapter by chapter (no registration magic).
See :mod:`.theorem` for the Theorem object and how checks work, :mod:`.verify` for ``optlab verify``.
"""
from . import (
    ec500_accel, ec500_accel_alg10, ec500_almost_convex, ec500_accel_extra, ec500_adam_extra, ec500_adaptive, ec500_adaptive_rates,
    ec500_adaptive_s12, ec500_convex, ec500_coordinate, ec500_coordinate_extra, ec500_erm, ec500_foundations,
    ec500_gd, ec500_momentum, ec500_normalized, ec500_parallel, ec500_regularization, ec500_schedules,
    ec500_second_order, ec500_sgd, ec500_sgd_schedules, ec500_strongly_convex, ec500_svrg,
    ec500_svrg_estimator, ec500_variance, paper000, paper001, paper002, paper002_pl,
    slides004, slides004_extra,
)
from .theorem import ALPHA, AssumptionError, Check, Instance, Theorem, check, validate

# In the order of the sources: EC500 sections 1-25, then the papers 000, 001, 002 and the slides 004.
THEOREMS = (
    *ec500_foundations.THEOREMS, *ec500_gd.THEOREMS,                                  # sections 1-2, 5
    *ec500_sgd.THEOREMS, *ec500_erm.THEOREMS, *ec500_sgd_schedules.THEOREMS,         # 3, 6-7
    *ec500_schedules.THEOREMS,                                                        # 8
    *ec500_adaptive.THEOREMS, *ec500_adaptive_rates.THEOREMS, *ec500_adaptive_s12.THEOREMS,
    *ec500_variance.THEOREMS,                                                         # 9-12
    *ec500_convex.THEOREMS, *ec500_accel.THEOREMS, *ec500_accel_alg10.THEOREMS,
    *ec500_accel_extra.THEOREMS,                                                      # 13-15
    *ec500_coordinate.THEOREMS, *ec500_coordinate_extra.THEOREMS, *ec500_adam_extra.THEOREMS,   # 16-17
    *ec500_parallel.THEOREMS, *ec500_momentum.THEOREMS,                               # 19-20
    *ec500_strongly_convex.THEOREMS, *ec500_regularization.THEOREMS,                  # 21-22
    *ec500_almost_convex.THEOREMS,                                                    # 22
    *ec500_svrg.THEOREMS, *ec500_svrg_estimator.THEOREMS,                             # 23
    *ec500_normalized.THEOREMS, *ec500_second_order.THEOREMS,                         # 24-25
    *paper000.THEOREMS, *paper001.THEOREMS, *paper002.THEOREMS, *paper002_pl.THEOREMS,
    *slides004.THEOREMS, *slides004_extra.THEOREMS,
)

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
    """The method class ``theorem`` is about (its ``algorithm``: a catalogue class, or a theory-local
    class such as an algorithm as misprinted)."""
    return theorem.algorithm


def about(cls):
    """The theorems about the method class ``cls``, in catalogue order.

    >>> from optlab.algorithms import GD
    >>> [t.id for t in about(GD)][:4]
    ['EC500-2.1', 'EC500-2.1/printed', 'EC500-2.3', 'EC500-2.4']
    """
    return tuple(t for t in THEOREMS if method_class(t) is cls)

"""optlab.theory: every stated convergence bound of the sources as an executable theorem.

``THEOREMS`` is the catalogue, an explicit tuple gathered chapter by chapter (no registration magic).
See :mod:`.theorem` for the Theorem object and how checks work, :mod:`.verify` for ``optlab verify``.
"""
from . import ec500_gd
from .theorem import ALPHA, AssumptionError, Check, Instance, Theorem, check, validate

THEOREMS = (
    *ec500_gd.THEOREMS,
)

__all__ = ["THEOREMS", "Theorem", "Instance", "Check", "check", "validate", "AssumptionError", "ALPHA",
           "compatible_families"]


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

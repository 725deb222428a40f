"""Every differentiable operation of optlab, gathered in one namespace (exported as optlab.numpy).

Each module lists its public functions in ``__all__``; their union below is the one list of them:
``optlab.numpy`` re-exports it, the NumPy dispatch (``dispatch.py``) maps NumPy's functions of the
same names to it, and the tests check that every ``Primitive`` is covered. Adding a primitive means
defining it in its module, naming it in that module's ``__all__``, and adding a row to the tests.
"""
from . import _util, elementwise, linalg, reduce, shape
from ._util import *  # noqa: F401,F403
from ._util import shape_of, sum_to, unbroadcast  # noqa: F401  helpers for user-written VJP rules
from .elementwise import *  # noqa: F401,F403
from .linalg import *  # noqa: F401,F403
from .reduce import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403
from .shape import getitem  # noqa: F401  x[index]: reached through Variable.__getitem__

__all__ = _util.__all__ + elementwise.__all__ + linalg.__all__ + reduce.__all__ + shape.__all__

"""The executed examples in the catalogue's docstrings (each module states its box and an example)."""
import doctest
import importlib

import pytest

MODULES = ["base", "schedules", "gd", "sgd", "momentum", "adaptive", "adam", "normalized",
           "generalized_smooth", "variance_reduced", "second_order", "almost_convex", "lars_lamb",
           "scale_invariant", "transforms", "hogwild", "hogwild_shm", "run", "__init__"]


@pytest.mark.parametrize("name", MODULES + ["plotting"])
def test_docstring_examples(name):
    mod = importlib.import_module("optlab.plotting" if name == "plotting"
                                  else "optlab.algorithms" + ("" if name == "__init__" else "." + name))
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0 or name in ()

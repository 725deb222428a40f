"""Lecture explorations: a slider in Jupyter, a static sweep when the notebook runs headless.

A lecture lets the student move one parameter (a step size, a momentum, a dimension) and redraws the
measured curve against its bound. In a live Jupyter kernel with ipywidgets installed that is a slider
(``ipywidgets.interact``); headless (the test suite runs notebooks with the non-interactive Agg
backend), or without ipywidgets, the same drawing function is called once per value, so every setting
the slider offers is still executed and drawn.

Example:
    >>> explore(lambda beta: print(f"beta = {beta}"), "beta", [0.0, 0.5, 0.9], static=True)
    beta = 0.0
    beta = 0.5
    beta = 0.9
"""
from __future__ import annotations


def _interactive():
    """True in a live kernel that can show widgets (ipywidgets importable, an interactive backend)."""
    try:
        import ipywidgets  # noqa: F401
        import matplotlib
    except ImportError:
        return False
    return matplotlib.get_backend().lower() != "agg"


def explore(draw, name, values, default=None, static=None):
    """Call ``draw(name=value)`` under a slider named ``name`` over ``values``, or for each value in turn.

    ``static``: force the static sweep (True) or the slider (False); by default the slider is used only
    where it can be shown (see the module docstring). ``default``: the slider's starting value.
    """
    values = list(values)
    if not values:
        raise ValueError(f"values must list at least one setting of {name}, got values={values!r}")
    if static is None:
        static = not _interactive()
    if static:
        for v in values:
            draw(**{name: v})
        return None
    import ipywidgets

    slider = ipywidgets.SelectionSlider(options=values, value=values[0] if default is None else default,
                                        description=name, continuous_update=False)
    return ipywidgets.interact(draw, **{name: slider})

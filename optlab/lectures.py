"""The lecture notebooks: the seed sections they cover (``optlab lectures``) and their explorations.

Each notebook in ``lectures/`` states what it teaches in its metadata,
``"optlab": {"covers": ["EC500 §2", ...]}``. :data:`SEED_SECTIONS` is the full list of sections of the
five source documents that the lectures are meant to cover, so the uncovered ones can be listed.

>>> "EC500 §1" in SEED_SECTIONS and "slides 004" in SEED_SECTIONS
True
"""
from __future__ import annotations

import json
import os
import pathlib

# EC500 notes (seed 003): sections 1-25 and appendices A, B; the papers 000-002; the slides 004.
SEED_SECTIONS = (
    *(f"EC500 §{k}" for k in range(1, 26)), "EC500 App A", "EC500 App B",
    "paper 000", "paper 001", "paper 002", "slides 004",
)

LECTURES_DIR = pathlib.Path(__file__).resolve().parent.parent / "lectures"


def read_covers(path):
    """The ``covers`` list of one notebook; ValueError naming the file if it is missing or names an
    unknown section."""
    path = pathlib.Path(path)
    meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    covers = meta.get("optlab", {}).get("covers")
    if not isinstance(covers, list) or not covers:
        raise ValueError(f"{path.name}: notebook metadata needs \"optlab\": {{\"covers\": [...]}} listing the "
                         f"seed sections it teaches (names as in optlab.lectures.SEED_SECTIONS)")
    unknown = [c for c in covers if c not in SEED_SECTIONS]
    if unknown:
        raise ValueError(f"{path.name}: covers names unknown sections {unknown}; use names from "
                         f"optlab.lectures.SEED_SECTIONS, e.g. 'EC500 §3'")
    return list(covers)


def lectures(folder=None):
    """``[(notebook path, covers), ...]`` for every ``*.ipynb`` in ``folder`` (default: the repository's
    ``lectures/``), sorted by name."""
    folder = pathlib.Path(folder) if folder else LECTURES_DIR
    if not folder.is_dir():
        raise FileNotFoundError(f"no lectures folder {folder}; pass --dir pointing at the lectures/ folder")
    return [(p, read_covers(p)) for p in sorted(folder.glob("*.ipynb"))]


def uncovered(listing):
    """The seed sections that no lecture in ``listing`` covers, in the order of SEED_SECTIONS."""
    covered = {c for _, covers in listing for c in covers}
    return [s for s in SEED_SECTIONS if s not in covered]


def main(args):
    listing = lectures(getattr(args, "dir", None))
    for path, covers in listing:
        print(f"{path.stem:<32} {', '.join(covers)}")
    missing = uncovered(listing)
    print(f"\nnot yet covered ({len(missing)} of {len(SEED_SECTIONS)}): {', '.join(missing) or 'none'}")
    return 0


def explore(show, *, static=None, **sliders):
    """An exploration: ``show(**values)`` draws one picture for the chosen parameter values.

    With ipywidgets in a live notebook, each keyword becomes a slider over its list of values (the
    first value is the start). Headless (no ipywidgets, ``MPLBACKEND=Agg`` as in the test suite, or
    ``OPTLAB_STATIC=1``, or ``static=True``) it falls back to a static sweep: ``show`` is called for every
    value of the first slider with the others at their first value, so the notebook still runs top to bottom.

    >>> seen = []
    >>> explore(lambda eta, T: seen.append((eta, T)), static=True, eta=[0.1, 1.0], T=[10, 100])
    >>> seen
    [(0.1, 10), (1.0, 10)]
    """
    if not sliders:
        raise ValueError("explore needs at least one slider, e.g. explore(show, eta=[0.1, 1.0])")
    for name, values in sliders.items():
        if not isinstance(values, (list, tuple)) or not values:
            raise ValueError(f"slider {name!r} needs a non-empty list of values, got {values!r}")
    headless = static if static is not None else (
        os.environ.get("OPTLAB_STATIC") == "1" or os.environ.get("MPLBACKEND", "").lower() == "agg")
    try:
        import ipywidgets
    except ImportError:
        ipywidgets = None
    if ipywidgets is None or headless:
        first, *rest = sliders
        for v in sliders[first]:
            show(**{first: v, **{k: sliders[k][0] for k in rest}})
        return None
    widgets = {k: ipywidgets.SelectionSlider(options=list(v), value=v[0], description=k)
               for k, v in sliders.items()}
    return ipywidgets.interact(show, **widgets)

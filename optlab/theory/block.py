"""One block per theorem: the ``@theorem`` decorator compiles a class into a :class:`~.theorem.Theorem`.

A theorem is written as one class, read top to bottom like the statement in the notes::

    @theorem
    class EC500_5_8:
        \"\"\"GD on H-smooth non-convex losses: sum of squared gradient norms <= 2 Delta / eta

        EC500 Theorem 5.8 (seed 003, L917-945). L H-smooth, 0 < eta <= 1/H. For every t:

            sum_{s<=t} ||grad L(w_s)||^2  <=  2 (L(w_1) - inf L) / eta

        Exactly attained on (H/2) w^2 with eta = 1/H (one step reaches 0).

        (a doctest: bound() on a small instance, the number worked out from the formula by hand)
        \"\"\"
        id, source = "EC500-5.8", f"{SOURCE} Thm 5.8, L917-945"
        algorithm, kind = GD, "every_step"
        requires, constants, data = {"smooth"}, ("H",), ("f_star",)
        rule, admissible = "0 < eta <= 1/H", {"lr": (0.0, lambda p: 1 / p.H)}
        tight_factor = 0.999999

        def method(self, inst): return GD(lr=inst.hyper["lr"])
        def measure(self, runs, inst): ...        # one row per run
        def bound(self, inst): ...
        def default(self, seed): ...              # the instance ``optlab verify`` checks
        def tight(self): ...                      # an instance on which the bound is attained
        def draw(self, problem, T, u): ...        # the property tests' instance on any compatible family

The parts, all class attributes (methods take ``self``, so a helper such as ``self.lr(inst)`` can be
overridden by a variant):

* the **docstring**: its first line is the title; its first indented block is the statement
  ``measured  <=  bound`` (two spaces either side of ``<=``; continuation lines are joined with one space,
  and ``<=`` may also end a line or start the next),
  which becomes ``measured_text`` and ``bound_text`` (tables, plots, ERRATA.md): the formula is written
  once, here, and a doctest evaluates ``bound`` at one point so that text and code are read together;
* ``id``, ``source``; ``algorithm``: the method's class from :mod:`optlab.algorithms` (or a method class
  of the theory module, e.g. an algorithm as misprinted); ``kind``: ``"every_step"``, ``"expectation"``
  or ``"probability"``;
* ``requires``: assumptions; ``constants``: the problem's constants the bound reads (``H``, ``G``, ``mu``,
  ...); ``data``: other problem attributes it reads (``x_star``, ``f_star``, ``A``); both must be known;
* ``rule`` (the hyperparameter rule in words), ``admissible`` (``name -> (low, high)``);
* ``method(inst)``: the configured algorithm (the hyperparameter rule made concrete); by default
  ``algorithm(**inst.hyper)``;
* ``measure(runs, inst)``, ``bound(inst)`` (``bound(inst, runs)`` with ``path_bound = True``),
  ``default(seed)``, and optionally ``tight()`` with ``tight_factor``, ``counterexample()``,
  ``draw(problem, T, u)``;
* optional flags, as in :class:`~.theorem.Theorem`: ``statement`` (``"as printed"``, ``"printed"``,
  ``"corrected"``), ``exact``, ``probability``, ``note``, ``projected``, ``path_bound``. A printed
  (misprinted) statement is expected to fail on its ``counterexample``, which is also its ``default``.

**Variants** subclass the block and override only what differs (and carry their own ``@theorem``,
id and docstring); a variant drops an inherited part by setting it to None (e.g. ``draw = None``).
Parts shared by several theorems that are none of them go in a plain base class without the decorator.

``@theorem`` returns the class; the compiled record is ``cls.theorem``, which the module lists in its
``THEOREMS`` tuple. Mistakes (no formula in the docstring, a string instead of a class, a misspelled
field, a derived field such as ``bound_text`` set by hand) raise :class:`TypeError` naming the class and
the fix. Data a block keeps for its own methods go in names starting with ``_``.
See :mod:`optlab.theory.ec500_gd` for complete blocks.
"""
from __future__ import annotations

import inspect

from .theorem import Theorem

# Fields of the record that the block does not write directly: the compiler derives them.
_DERIVED = {"title": "the docstring's first line", "measured_text": "the docstring's formula",
            "bound_text": "the docstring's formula", "tight_instance": "a method tight(self)"}
_FLAGS = ("admissible", "statement", "exact", "probability", "tight_factor", "note", "projected", "path_bound")
_NAMES = {"id", "source", "algorithm", "kind", "requires", "constants", "data", "rule", *_FLAGS}
_PARTS = ("method", "measure", "bound", "default", "tight", "counterexample", "draw")   # None: a variant drops it
SEPARATOR = "  <=  "


def formula(doc, where="the docstring"):
    """``(measured_text, bound_text)`` from the first indented block of a docstring (after its title line).

    >>> formula('''Title
    ...
    ... Statement:
    ...
    ...     sum_{s<=t} a_s  <=  b +
    ...       c t
    ... ''')
    ('sum_{s<=t} a_s', 'b + c t')
    """
    lines = (doc or "").expandtabs().split("\n")
    # The docstring's margin is the indentation of its closing quotes (its last, blank line), so that a
    # formula right below the title, with no prose around it, still counts as indented.
    margin = len(lines[-1]) if not lines[-1].strip() else 0
    block, in_example = [], False
    for line in (ln[margin:] if not ln[:margin].strip() else ln.lstrip() for ln in lines[1:]):
        if line.lstrip().startswith(">>>"):
            in_example = True
        elif not line.strip():
            in_example = False
            if block:
                break
        elif line.startswith("    ") and not in_example:
            block.append(line.strip())
        elif block:
            break
    text = ""
    for part in block:       # one space between lines, two around a "<=" that starts or ends a line
        text += ("  " if part.startswith("<=") or text.endswith("<=") else " ") + part if text else part
    if text.count(SEPARATOR) != 1:
        raise TypeError(f"{where} needs one indented formula 'measured  <=  bound' (two spaces either side of "
                        f"'<='); found {text!r}")
    measured, bound = text.split(SEPARATOR)
    return measured.strip(), bound.strip()


def theorem(cls):
    """Compile the theorem block ``cls`` into a :class:`Theorem` record, kept as ``cls.theorem``."""
    name = cls.__name__
    for field, where in _DERIVED.items():
        if field in vars(cls):
            raise TypeError(f"{name}: do not set {field}; write it as {where}")
    for field in ("id", "source", "algorithm", "kind"):
        if not hasattr(cls, field):
            raise TypeError(f"{name}: a theorem block needs the class attribute {field!r}")
    if not inspect.isclass(cls.algorithm):
        raise TypeError(f"{name}: algorithm must be the method's class (e.g. GD from optlab.algorithms), "
                        f"got {cls.algorithm!r}")
    unknown = sorted(k for k, v in vars(cls).items()
                     if not k.startswith("_") and not callable(v) and k not in _NAMES
                     and not (k in _PARTS and v is None))
    if unknown:
        raise TypeError(f"{name}: unknown attribute(s) {', '.join(unknown)}; a block sets "
                        f"{', '.join(sorted(_NAMES))} (data for its own methods go in names starting with '_')")
    if cls.__doc__ is None:
        raise TypeError(f"{name}: write the statement as the class docstring (a variant needs its own)")
    doc = cls.__doc__
    measured_text, bound_text = formula(doc, f"{name}'s docstring")
    block = cls()
    fields = {f: getattr(cls, f) for f in _FLAGS if hasattr(cls, f)}
    title = inspect.cleandoc(doc).splitlines()[0].strip()
    counterexample = getattr(block, "counterexample", None)
    tight = getattr(block, "tight", None)
    missing = [f for f in ("measure", "bound") if not hasattr(block, f)]
    statement = fields.get("statement", "as printed")
    if statement == "printed" and counterexample is None:
        missing.append("counterexample")
    elif statement != "printed" and getattr(block, "default", None) is None:
        missing.append("default")
    if missing:
        raise TypeError(f"{name}: a theorem block needs the method(s) {', '.join(missing)}")
    record = Theorem(
        id=cls.id, title=title, source=cls.source, algorithm=cls.algorithm,
        requires=frozenset(getattr(cls, "requires", ())),
        constants=tuple(getattr(cls, "constants", ())) + tuple(getattr(cls, "data", ())),
        rule=getattr(cls, "rule", ""), kind=cls.kind, measured_text=measured_text, bound_text=bound_text,
        method=getattr(block, "method", None) or (lambda inst: cls.algorithm(**inst.hyper)),
        measure=block.measure, bound=block.bound,
        default=(lambda seed=0: counterexample()) if statement == "printed" else getattr(block, "default", None),
        expect=statement != "printed", counterexample=counterexample,
        tight=tight is not None, tight_instance=tight, draw=getattr(block, "draw", None),
        **{**fields, "admissible": dict(fields.get("admissible", {}))},
    )
    cls.theorem = record
    return cls


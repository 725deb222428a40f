"""Is this file a notebook the grader may use? The nbformat schema plus the types optlab reads.

A submission is untrusted input: any field the grader reads (cell types, sources, ``metadata.nbgrader``,
tags, ``metadata.optlab``) may have the wrong type, and the JSON may be nested deep enough to exhaust
the parser's recursion. :func:`check_submission` raises :class:`InvalidNotebook` with a reason a student
can act on, and never anything else, so that a batch scores the file 0 and goes on.

The nbformat schema check (``nbformat.validate``, the ``grading`` or ``dev`` extra) runs on a copy in which
missing cell ids are filled in: notebooks saved by Jupyter before nbformat 4.5 have none, and that is
not the student's fault.

Example:
    >>> check_submission({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
    ...     {"cell_type": "code", "source": "x = 1", "metadata": {"nbgrader": "oops"},
    ...      "outputs": [], "execution_count": None}]})
    Traceback (most recent call last):
    ...
    optlab.grading.validate.InvalidNotebook: cell 0: metadata.nbgrader must be an object, not str
"""
from __future__ import annotations

import copy
import json
import warnings

MAX_BYTES = 32 * 2**20       # a submission notebook larger than this is refused unread
MAX_DEPTH = 64               # JSON nesting a notebook never needs (Jupyter writes about 8)


class InvalidNotebook(ValueError):
    """The file is not a notebook the grader can use; the message says why."""


def _depth_ok(text):
    """Nesting depth of JSON text without parsing it recursively (strings skipped)."""
    depth, in_string, escaped = 0, False, False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return False
        elif ch in "]}":
            depth -= 1
    return True


def parse(data):
    """The notebook dict from the bytes of a file; InvalidNotebook if it is not JSON we accept."""
    if len(data) > MAX_BYTES:
        raise InvalidNotebook(f"the file is larger than {MAX_BYTES // 2**20} MiB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InvalidNotebook(f"the file is not UTF-8 text ({err.reason} at byte {err.start})") from None
    if not _depth_ok(text):
        raise InvalidNotebook(f"the JSON is nested more than {MAX_DEPTH} levels deep")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as err:
        raise InvalidNotebook(f"not valid JSON ({str(err)[:200]})") from None


def _type(where, value, types, what):
    if not isinstance(value, types) or isinstance(value, bool) and bool not in _flat(types):
        raise InvalidNotebook(f"{where}{what} must be {_names(types)}, not {type(value).__name__}")


def _flat(types):
    return types if isinstance(types, tuple) else (types,)


def _names(types):
    words = {dict: "an object", list: "a list", str: "a string", bool: "true or false", int: "a number",
             float: "a number", type(None): "null"}
    return " or ".join(dict.fromkeys(words[t] for t in _flat(types)))


def _source(where, src):
    if isinstance(src, list):
        for part in src:
            _type(where, part, str, "source lines")
    else:
        _type(where, src, (str, list), "source")


def check_types(nb):
    """The fields optlab reads, with the types it expects (the schema check comes after)."""
    _type("", nb, dict, "the notebook")
    if nb.get("nbformat") != 4:
        raise InvalidNotebook(f"expected an nbformat 4 notebook, got nbformat {nb.get('nbformat')!r}")
    _type("", nb.get("cells"), list, "cells")
    _type("", nb.get("metadata", {}), dict, "metadata")
    optlab_meta = nb.get("metadata", {}).get("optlab", {})
    _type("", optlab_meta, dict, "metadata.optlab")
    _type("", optlab_meta.get("exercise", ""), str, "metadata.optlab.exercise")
    for i, cell in enumerate(nb["cells"]):
        where = f"cell {i}: "
        _type(where, cell, dict, "a cell")
        if cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise InvalidNotebook(f"{where}cell_type must be code, markdown or raw, "
                                  f"not {str(cell.get('cell_type'))[:40]!r}")
        _source(where, cell.get("source", ""))
        meta = cell.get("metadata", {})
        _type(where, meta, dict, "metadata")
        tags = meta.get("tags", [])
        _type(where, tags, list, "metadata.tags")
        for tag in tags:
            _type(where, tag, str, "metadata.tags entries")
        grader = meta.get("nbgrader", {})
        _type(where, grader, dict, "metadata.nbgrader")
        for key, types in (("grade_id", str), ("solution", bool), ("grade", bool), ("locked", bool),
                           ("points", (int, float))):
            if key in grader:
                _type(where, grader[key], types, f"metadata.nbgrader.{key}")
    return nb


def check_schema(nb):
    """``nbformat.validate`` on a copy with missing cell ids filled in; InvalidNotebook if it fails."""
    try:
        import nbformat
        from nbformat.validator import ValidationError
    except ImportError as err:  # the instructor's install, not the student's file
        raise ImportError("grading needs nbformat to validate notebooks: pip install 'optlab[grading]'") from err
    nb = copy.deepcopy(nb)
    for i, cell in enumerate(nb["cells"]):
        cell.setdefault("id", f"cell-{i}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nbformat.validate(nb)
    except ValidationError as err:
        raise InvalidNotebook(f"not a valid notebook (nbformat schema): {str(err.message)[:300]}") from None
    except RecursionError:
        raise InvalidNotebook("not a valid notebook (nested too deeply)") from None


def check_submission(nb):
    """Both checks; returns ``nb`` (a dict) or raises :class:`InvalidNotebook`."""
    check_types(nb)
    check_schema(nb)
    return nb

"""Strip a notebook to what belongs in git: sources, without outputs, counts or a kernel's metadata.

Used as a git clean filter (``make lab`` sets it up; see README "Lectures"), so a lecture that a student
ran and saved still commits, diffs and tests as its stripped form, while the working copy keeps its
outputs. Reads the notebook on stdin (or the files named) and writes the stripped JSON to stdout (or
back to the files). Plain Python: no dependency beyond the standard library.

    python lectures/strip_outputs.py < lecture.ipynb > stripped.ipynb
    python lectures/strip_outputs.py --in-place lectures/*.ipynb
"""
import json
import sys

KERNEL_METADATA = ("kernelspec", "language_info", "widgets", "toc", "varInspector")
CELL_NOISE = ("execution", "ExecuteTime", "scrolled", "collapsed", "jupyter", "trusted")


def strip(nb):
    """The notebook dict without outputs, execution counts, or metadata a kernel or a front end added."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cell["metadata"] = {k: v for k, v in cell.get("metadata", {}).items() if k not in CELL_NOISE}
    for key in KERNEL_METADATA:
        nb.get("metadata", {}).pop(key, None)
    return nb


def dumps(nb):
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"   # nbformat's layout


def main(argv):
    if argv[:1] == ["--in-place"]:
        for path in argv[1:]:
            with open(path, encoding="utf-8") as f:
                text = dumps(strip(json.load(f)))
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        return 0
    sys.stdout.write(dumps(strip(json.load(sys.stdin))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

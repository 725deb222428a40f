"""The student's path (issue #13): lectures open in JupyterLab from one command, and running and saving
a lecture never puts outputs into git nor breaks `make test`."""
import configparser
import json
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
STRIP = ROOT / "lectures" / "strip_outputs.py"
LECTURE = sorted((ROOT / "lectures").glob("*.ipynb"))[-1]


def _as_run(text):
    """The notebook as JupyterLab saves it after a run: outputs, counts, kernel metadata."""
    nb = json.loads(text)
    for k, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["42\n"]}]
            cell["execution_count"] = k
            cell["metadata"]["execution"] = {"iopub.execute_input": "2026-01-01"}
    nb["metadata"]["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb["metadata"]["language_info"] = {"name": "python"}
    return json.dumps(nb, indent=1)


def test_the_filter_gives_back_the_committed_notebook_byte_for_byte():
    text = LECTURE.read_text(encoding="utf-8")
    done = subprocess.run([sys.executable, str(STRIP)], input=_as_run(text), capture_output=True, text=True,
                          check=True, timeout=60)
    assert done.stdout == text


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_saved_run_lecture_commits_stripped_and_keeps_its_outputs_locally(tmp_path):
    git = lambda *a: subprocess.run(["git", *a], cwd=tmp_path, check=True, capture_output=True,  # noqa: E731
                                    text=True, timeout=60).stdout
    (tmp_path / "lectures").mkdir()
    shutil.copy(STRIP, tmp_path / "lectures")
    shutil.copy(ROOT / ".gitattributes", tmp_path)
    nb = tmp_path / "lectures" / "lecture.ipynb"
    nb.write_text(LECTURE.read_text(encoding="utf-8"), encoding="utf-8")
    git("init", "-q")
    git("config", "user.email", "s@example.org")
    git("config", "user.name", "student")
    # the line `make` runs (Makefile, $(STAMP) and notebook-filter), with this interpreter as python3
    git("config", "filter.strip-notebook.clean", f"{sys.executable} lectures/strip_outputs.py")
    git("add", ".")
    git("commit", "-qm", "lectures")
    nb.write_text(_as_run(LECTURE.read_text(encoding="utf-8")), encoding="utf-8")   # run and saved
    assert git("diff") == ""                                      # no change to review ...
    git("add", ".")
    assert git("status", "--porcelain") == ""                     # ... and nothing to commit
    assert git("show", ":lectures/lecture.ipynb") == LECTURE.read_text(encoding="utf-8")
    assert '"42\\n"' in nb.read_text(encoding="utf-8")            # the student keeps the outputs


def test_make_sets_the_filter_and_lab_opens_the_lectures_on_the_venv_kernel():
    make = (ROOT / "Makefile").read_text()
    assert 'git config filter.strip-notebook.clean "python3 lectures/strip_outputs.py"' in make
    assert "lab: $(STAMP)" in make and "$(PY) -m jupyter lab lectures/" in make
    assert "lectures/*.ipynb filter=strip-notebook" in (ROOT / ".gitattributes").read_text()
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    extras = cfg["options.extras_require"]
    for extra in ("lectures", "dev"):
        assert {"jupyterlab>=4", "ipywidgets>=8"} <= set(extras[extra].split())


def test_progress_bars_show_in_a_notebook(monkeypatch):
    import importlib

    from optlab.algorithms import diagnostics

    run_module = importlib.import_module("optlab.algorithms.run")

    monkeypatch.setattr(diagnostics, "in_notebook", lambda: True)
    bar = run_module._progress(None, 50_000, "x")
    assert bar is not None
    bar.close()
    assert run_module._progress(None, 10, "x") is None

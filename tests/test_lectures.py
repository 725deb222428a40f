"""Every lecture notebook runs headless, top to bottom, in under a minute, and is stored without outputs.

Notebooks live in git as .ipynb with outputs stripped, so diffs show only the source cells.
"""
import os
import pathlib
import subprocess
import time

import nbformat
import pytest
from nbclient import NotebookClient

LECTURES = sorted((pathlib.Path(__file__).parent.parent / "lectures").glob("*.ipynb"))


def test_there_are_lectures():
    assert LECTURES, "no lecture notebooks found in lectures/"


def _as_committed(path):
    """The notebook as git stores it (the index), so a lecture a student ran and saved locally does not
    fail the suite; outside a git checkout, the file itself."""
    rel = path.relative_to(path.parent.parent).as_posix()
    try:
        blob = subprocess.run(["git", "show", f":{rel}"], cwd=path.parent.parent, capture_output=True,
                              check=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return nbformat.read(path, as_version=4)
    return nbformat.reads(blob.decode("utf-8"), as_version=4)


@pytest.mark.parametrize("path", LECTURES, ids=lambda p: p.stem)
def test_lecture_is_stored_without_outputs(path):
    nb = _as_committed(path)
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; strip them before committing"


@pytest.mark.parametrize("path", LECTURES, ids=lambda p: p.stem)
def test_lecture_runs_headless(path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    # the kernel imports the optlab of this checkout, whichever one the environment has installed
    root = str(path.parent.parent)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(UNLABELLED_AXES))
    start = time.perf_counter()
    NotebookClient(nb, timeout=60, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    elapsed = time.perf_counter() - start
    assert elapsed < 30, f"{path.name} took {elapsed:.0f} s; the teaching standard asks for under 30 s"
    unlabelled = "".join(o.get("text", "") for o in nb.cells[-1].outputs).strip()
    assert unlabelled == "[]", f"{path.name}: plotted axes without an x or y label (figure, title): {unlabelled}"


# Appended to each lecture run (MPLBACKEND=Agg keeps every figure open): the teaching standard's
# "labelled axes", checked on every axes that holds data (colorbars excepted).
UNLABELLED_AXES = """
import matplotlib.pyplot as _plt
print([(_n, _ax.get_title()[:60]) for _n in _plt.get_fignums() for _ax in _plt.figure(_n).axes
       if (_ax.lines or _ax.collections or _ax.patches or _ax.images) and _ax.get_label() != "<colorbar>"
       and not (_ax.get_xlabel() and _ax.get_ylabel())])
"""


# Lectures 07-10 (issue #17) state the EC500 sections they teach in their metadata ("optlab": {"covers"}).
COVERS_07_TO_10 = {
    "07_smooth_convex_momentum": ["EC500 §13", "EC500 §14"], "08_acceleration": ["EC500 §15"],
    "09_per_coordinate_rates": ["EC500 §16"], "10_adam": ["EC500 §17"],
}


@pytest.mark.parametrize("stem", sorted(COVERS_07_TO_10))
def test_lectures_07_to_10_declare_what_they_cover(stem):
    nb = nbformat.read(pathlib.Path(__file__).parent.parent / "lectures" / f"{stem}.ipynb", as_version=4)
    assert nb.metadata.get("optlab", {}).get("covers") == COVERS_07_TO_10[stem], f"{stem}: metadata optlab.covers"
# ---- what the lectures cover (`optlab lectures`) ------------------------------------------------------
# Sections that no lecture covers yet. Shrink this list when a lecture covers one: the test below fails
# both when a listed section becomes covered and when an unlisted one is uncovered.
NOT_YET_COVERED = ["EC500 App A", "EC500 App B"]


def test_every_lecture_states_what_it_covers_and_the_uncovered_list_is_exact():
    from optlab.lectures import SEED_SECTIONS, lectures, uncovered

    listing = lectures(LECTURES[0].parent)          # raises, naming the notebook, if metadata is missing
    assert len(listing) == len(LECTURES)
    assert set(NOT_YET_COVERED) <= set(SEED_SECTIONS), "NOT_YET_COVERED names a section that is not a seed's"
    missing = uncovered(listing)
    newly = sorted(set(NOT_YET_COVERED) - set(missing), key=SEED_SECTIONS.index)
    lost = sorted(set(missing) - set(NOT_YET_COVERED), key=SEED_SECTIONS.index)
    assert not newly, f"now covered by a lecture: remove {newly} from NOT_YET_COVERED"
    assert not lost, f"covered by no lecture: {lost} (add a lecture, or list them in NOT_YET_COVERED)"


def test_lectures_command_lists_each_notebook_with_its_sections(capsys):
    from optlab.cli import main

    assert main(["lectures", "--dir", str(LECTURES[0].parent)]) == 0
    out = capsys.readouterr().out
    assert "02_gd_sgd_nonconvex" in out and "EC500 §5, EC500 §6, EC500 §7" in out
    assert f"not yet covered ({len(NOT_YET_COVERED)} of" in out


def test_a_notebook_without_covers_metadata_is_refused_by_name(tmp_path):
    from optlab.lectures import lectures

    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "99_x.ipynb")
    with pytest.raises(ValueError, match="99_x.ipynb: notebook metadata needs"):
        lectures(tmp_path)


# Lectures 11-14 (issue #18) state the EC500 sections they teach in their metadata ("optlab": {"covers"}).
COVERS_11_TO_14 = {
    "11_distributed_sgd": ["EC500 §18", "EC500 §19"], "12_momentum_sgd": ["EC500 §20"],
    "13_regularization_strong_convexity": ["EC500 §21", "EC500 §22"], "14_variance_reduction": ["EC500 §23"],
}


@pytest.mark.parametrize("stem", sorted(COVERS_11_TO_14))
def test_lectures_11_to_14_declare_what_they_cover(stem):
    nb = nbformat.read(pathlib.Path(__file__).parent.parent / "lectures" / f"{stem}.ipynb", as_version=4)
    assert nb.metadata.get("optlab", {}).get("covers") == COVERS_11_TO_14[stem], f"{stem}: metadata optlab.covers"


# Lectures 15-20 (issue #19) state the sources they teach in their metadata ("optlab": {"covers"}).
COVERS_15_TO_20 = {
    "15_normalized_sgd": ["EC500 §24"], "16_second_order": ["EC500 §25"], "17_autoscaled_normalization": ["paper 000"],
    "18_batchnorm_rate_tuning": ["paper 001"], "19_generalized_smoothness": ["paper 002"],
    "20_sgd_in_practice": ["slides 004"],
}


@pytest.mark.parametrize("stem", sorted(COVERS_15_TO_20))
def test_lectures_15_to_20_declare_what_they_cover(stem):
    nb = nbformat.read(pathlib.Path(__file__).parent.parent / "lectures" / f"{stem}.ipynb", as_version=4)
    assert nb.metadata.get("optlab", {}).get("covers") == COVERS_15_TO_20[stem], f"{stem}: metadata optlab.covers"

"""Every lecture notebook runs headless, top to bottom, in under a minute, and is stored without outputs.

Notebooks live in git as .ipynb with outputs stripped, so diffs show only the source cells.
"""
import pathlib
import time

import nbformat
import pytest
from nbclient import NotebookClient

LECTURES = sorted((pathlib.Path(__file__).parent.parent / "lectures").glob("*.ipynb"))


def test_there_are_lectures():
    assert LECTURES, "no lecture notebooks found in lectures/"


@pytest.mark.parametrize("path", LECTURES, ids=lambda p: p.stem)
def test_lecture_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; strip them before committing"


@pytest.mark.parametrize("path", LECTURES, ids=lambda p: p.stem)
def test_lecture_runs_headless(path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=60, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    elapsed = time.perf_counter() - start
    assert elapsed < 60, f"{path.name} took {elapsed:.0f} s; lectures must run in under a minute"


# Lectures 07-10 (issue #17) state the EC500 sections they teach in their metadata ("optlab": {"covers"}).
COVERS_07_TO_10 = {
    "07_smooth_convex_momentum": ["EC500 §13", "EC500 §14"], "08_acceleration": ["EC500 §15"],
    "09_per_coordinate_rates": ["EC500 §16"], "10_adam": ["EC500 §17"],
}


@pytest.mark.parametrize("stem", sorted(COVERS_07_TO_10))
def test_lectures_07_to_10_declare_what_they_cover(stem):
    nb = nbformat.read(pathlib.Path(__file__).parent.parent / "lectures" / f"{stem}.ipynb", as_version=4)
    assert nb.metadata.get("optlab", {}).get("covers") == COVERS_07_TO_10[stem], f"{stem}: metadata optlab.covers"


# Lectures 15-20 (issue #19) state the sources they teach in their metadata ("optlab": {"covers"}).
COVERS_15_TO_20 = {"20_sgd_in_practice": ["004"], "16_second_order": ["EC500 §25"], "15_normalized_sgd": ["EC500 §24"], "19_generalized_smoothness": ["002"], "17_autoscaled_normalization": ["000"], "18_batchnorm_rate_tuning": ["001"]}


@pytest.mark.parametrize("stem", sorted(COVERS_15_TO_20))
def test_lectures_15_to_20_declare_what_they_cover(stem):
    nb = nbformat.read(pathlib.Path(__file__).parent.parent / "lectures" / f"{stem}.ipynb", as_version=4)
    assert nb.metadata.get("optlab", {}).get("covers") == COVERS_15_TO_20[stem], f"{stem}: metadata optlab.covers"

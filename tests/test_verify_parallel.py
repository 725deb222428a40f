"""`optlab verify` on worker processes (issue #12): the same checks, in the same order, with the same
plots as the sweep in one process; the report's reused figure draws the same pixels as a fresh one."""
import numpy as np
import pytest

from optlab.cli import main
from optlab.theory import get
from optlab.theory.report import ReportFigure, write_report
from optlab.theory.verify import verify, verify_parallel

# a Monte Carlo check with a band over seeds (6.1/b), a log-scale plot (21.8), a misprint with its
# corrected bound (10.2/printed), one with a tight instance (5.8) and a one-point plot (6.1/b)
IDS = ("EC500-6.1/b", "EC500-21.8", "EC500-10.2/printed", "EC500-5.8")


@pytest.fixture(scope="module")
def serial():
    return verify([get(i) for i in IDS], progress=False)


def test_a_reused_report_figure_draws_what_a_fresh_one_draws(serial):
    reused = ReportFigure()
    for c in serial + serial[::-1]:           # each plot after a different one (scale, colours, band)
        assert reused.png(c) == ReportFigure().png(c), c.theorem.id


def test_the_parallel_sweep_gives_the_serial_checks_and_their_plots(serial):
    checks, images = verify_parallel([get(i) for i in IDS], progress=False, jobs=2)
    assert [(c.theorem.id, c.instance.label) for c in checks] == \
        [(c.theorem.id, c.instance.label) for c in serial]
    for a, b, png in zip(checks, serial, images):
        np.testing.assert_array_equal(a.measured, b.measured)
        np.testing.assert_array_equal(a.bound, b.bound)
        assert a.holds == b.holds and a.detail == b.detail
        assert png == ReportFigure().png(b), a.theorem.id
    _, none = verify_parallel([get(IDS[0])], progress=False, jobs=2, draw=False)
    assert none == [None]


def test_write_report_takes_drawn_plots_and_draws_the_missing_ones(serial, tmp_path):
    drawn = [b"not a real png"] + [None] * (len(serial) - 1)
    write_report(serial, tmp_path, images=drawn)
    pngs = sorted(tmp_path.glob("*.png"))
    assert len(pngs) == len(serial) and pngs[0].read_bytes() == b"not a real png"
    assert pngs[1].read_bytes() == ReportFigure().png(serial[1])
    with pytest.raises(ValueError, match="one entry"):
        write_report(serial, tmp_path, images=[None])


def test_jobs_below_one_is_refused(capsys):
    assert main(["verify", "--theorem", "EC500-5.8", "--jobs", "0", "--quiet", "--report", ""]) == 2
    assert "--jobs" in capsys.readouterr().err

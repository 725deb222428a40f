"""Every code block of docs/your-own-problem.md runs, in order, as a reader would run them (issue #13)."""
import pathlib
import re

import matplotlib

matplotlib.use("Agg")

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "your-own-problem.md"


def blocks(text):
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_the_page_has_its_blocks():
    assert len(blocks(PAGE.read_text())) >= 6


def test_every_block_of_the_page_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)                  # the page saves a figure
    scope = {}
    for k, code in enumerate(blocks(PAGE.read_text())):
        exec(compile(code, f"{PAGE.name} block {k + 1}", "exec"), scope)   # noqa: S102 - our own docs
    out = capsys.readouterr().out
    assert "needs the hyperparameter 'lr'" in out and "holds" in out
    assert (tmp_path / "my_check.png").exists()
    assert scope["result"].holds and scope["gd"].holds

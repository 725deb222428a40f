# Two commands for users: `make verify` (the main job) and `make test` (the test suite).
# Each creates or reuses the local virtual environment .venv by itself.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: verify test test-thorough bench errata venv clean lab notebook-filter

$(STAMP): setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	-git config filter.strip-notebook.clean "python3 lectures/strip_outputs.py"
	touch $(STAMP)

venv: $(STAMP)

verify: $(STAMP)
	$(PY) -m optlab verify

test: $(STAMP)
	$(PY) -m pytest -n 2 -q

test-thorough: $(STAMP)
	OPTLAB_PROFILE=thorough $(PY) -m pytest -n 2 -q

bench: $(STAMP)
	$(PY) bench/run_all.py

# The lectures in JupyterLab, on a kernel that has optlab (the .venv's own). Saving a run lecture keeps
# its outputs in your copy only: the git filter below commits the stripped form (see README).
lab: $(STAMP) notebook-filter
	$(PY) -m jupyter lab lectures/

notebook-filter:
	-git config filter.strip-notebook.clean "python3 lectures/strip_outputs.py"
	-git config filter.strip-notebook.smudge cat

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .hypothesis report

errata: $(STAMP)
	$(PY) -m optlab errata -o ERRATA.md

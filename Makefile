# The two commands a newcomer needs: `make book` and `make test`. See README.md.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
# A pinned-down instruction set, set before Python starts: a stand-in for "another CPU"
# (see docs/contributing.md, "Numbers that hold on every machine").
PINNED := ATEN_CPU_CAPABILITY=default ONEDNN_MAX_CPU_ISA=SSE41 MKL_ENABLE_INSTRUCTIONS=SSE4_2
export PYTHONHASHSEED := 0
export OMP_NUM_THREADS := 1
# Two pytest workers (pytest-xdist), one torch thread each: the 2 cores both busy. nbval keeps
# the cells of one notebook on one worker (--dist loadscope); the browser suite keeps each
# JupyterLab (student edition, book) on one worker (--dist loadgroup, tests/conftest.py).
WORKERS := -n 2

.PHONY: setup vendor chromium book test unit records records-pinned nbval nbval-pinned browser lab notebooks student serve lint clean lane-code lane-notebooks

setup: $(STAMP)
# pip installs without byte-compiling, and compileall then compiles on both cores (half the
# time pip takes alone). The compiling is not optional: where PYTHONDONTWRITEBYTECODE is set,
# no process writes a .pyc later, and every kernel would compile torch from source (measured:
# the browser suite twice as slow). The one file skipped is a Python 3.12 test helper of torch's
# that no 3.11 can compile (pip skips it too).
$(STAMP): requirements.txt requirements-book.txt pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --no-compile -r requirements.txt
	$(PY) -m pip install -q --no-compile --no-deps -e .
	$(PY) -m compileall -q -j 2 -x py312_intrinsics $(VENV)/lib
	@touch $@

chromium:
	@bash tools/ensure_chromium.sh

vendor: _vendor/.versions
_vendor/.versions: tools/vendor_js.sh
	bash tools/vendor_js.sh

student: setup
	$(PY) tools/make_student.py

book: setup vendor student
	rm -rf _build/html _build/jupyter_execute _build/.doctrees
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	@echo "The book: $(CURDIR)/_build/html/index.html"

lint: setup
	$(VENV)/bin/ruff check .

# The tests (the record re-checks included), and the examples in the package's docstrings.
unit: setup
	$(VENV)/bin/pytest $(WORKERS) tests lstm_helpers --doctest-modules -m "not browser"

# Only the tests that re-run part of each shipped record and compare, natively (`unit` runs
# them too; `records-pinned` repeats them under the pinned set).
records: setup
	$(VENV)/bin/pytest $(WORKERS) tests -m records

nbval: setup
	$(VENV)/bin/pytest $(WORKERS) --dist loadscope $(NBVAL) book

# The same notebooks under the pinned set; then the tests that re-check shipped records.
nbval-pinned: setup
	$(PINNED) $(VENV)/bin/pytest $(WORKERS) --dist loadscope $(NBVAL) book

records-pinned: setup
	$(PINNED) $(VENV)/bin/pytest $(WORKERS) tests -m records

browser: chromium book
	$(VENV)/bin/pytest $(WORKERS) --dist loadgroup --no-loadscope-reorder tests -m browser

# Two lanes at once on the 2 cores (each stage also runs two pytest workers); each lane's
# output is printed when it ends. The code lane: the unit tests, then the book build and the
# browser suite (the static pages, then every chapter live in JupyterLab). The notebook lane:
# nbval natively, then nbval and the record re-checks under the pinned instruction set.
# Everything here is CPU-bound; of the layouts measured this one was the fastest (README,
# "Timing").
test: setup vendor chromium lint
	$(MAKE) --no-print-directory -j2 --output-sync=recurse lane-code lane-notebooks

lane-code:
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory browser

lane-notebooks:
	$(MAKE) --no-print-directory nbval
	$(MAKE) --no-print-directory nbval-pinned
	$(MAKE) --no-print-directory records-pinned

lab: setup
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 --no-browser --notebook-dir=book \
		$(if $(filter 0,$(shell id -u)),--allow-root)

notebooks: setup
	$(PY) tools/run_notebooks.py

serve: book
	$(PY) -m http.server --bind 127.0.0.1 --directory _build/html 8000

clean:
	rm -rf _build dist .pytest_cache .hypothesis

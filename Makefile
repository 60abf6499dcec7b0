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
# Two pytest workers (pytest-xdist), one torch thread each: the 2 cores both busy. A notebook's
# cells run in order on one worker: through --dist loadscope when nbval runs alone (`make
# nbval`), through the notebook groups of tests/conftest.py and --dist loadgroup when it shares
# a session with the tests (`make test`). The browser suite keeps each JupyterLab (student
# edition, book) and each page on one worker (--dist loadgroup, tests/conftest.py).
WORKERS := -n 2

.PHONY: setup vendor chromium chromium-background book test unit records records-pinned nbval nbval-pinned browser lab notebooks student serve lint clean lane-browser lane-cpu checks-pinned checks-native

setup: $(STAMP)
# pip installs without byte-compiling (that took it 81 s, most of setup), and Python writes
# each module's bytecode (.pyc) the first time a process imports it: only what is used gets
# compiled, once. Some machines set PYTHONDONTWRITEBYTECODE; then no process would ever write
# one and every kernel would compile torch from source again (measured: the browser suite
# twice as slow), so make does not pass it on.
unexport PYTHONDONTWRITEBYTECODE
$(STAMP): requirements.txt requirements-book.txt pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --no-compile -r requirements.txt
	$(PY) -m pip install -q --no-compile --no-deps -e .
	@touch $@

# `make test` starts installing Chromium (when it is missing and it can) before anything else,
# in the background; the browser lane waits for it only after building the book.
chromium:
	@bash tools/ensure_chromium.sh

chromium-background:
	@bash tools/ensure_chromium.sh --background

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

# The same notebooks under the pinned set (`records-pinned` re-checks the records under it).
nbval-pinned: setup
	$(PINNED) $(VENV)/bin/pytest $(WORKERS) --dist loadscope $(NBVAL) book

records-pinned: setup
	$(PINNED) $(VENV)/bin/pytest $(WORKERS) tests -m records

browser: book chromium
	$(VENV)/bin/pytest $(WORKERS) --dist loadgroup --no-loadscope-reorder tests -m browser

# Two lanes at once on the 2 cores; each lane's output is printed when it ends. The browser
# lane (the book build, the static pages, then every chapter live in JupyterLab) runs at
# normal priority, so that its page loads and kernels wait on nothing (measured: 5.5-6.6
# minutes); the CPU lane (the record re-checks and nbval under the pinned set in one session,
# then nbval and the unit tests natively in another) runs under `nice` and takes every cycle
# the browser lane leaves. Both are CPU-bound; README, "Timing".
test: chromium-background setup vendor lint
	$(MAKE) --no-print-directory -j2 --output-sync=recurse lane-browser lane-cpu

lane-browser:
	$(MAKE) --no-print-directory browser

lane-cpu:
	nice -n 10 $(MAKE) --no-print-directory checks-pinned
	nice -n 10 $(MAKE) --no-print-directory checks-native

# The CPU lane's two pytest sessions: `records-pinned` with `nbval-pinned`, and `nbval` with
# `unit`. One session per instruction set, so that its short tests fill in behind its longest
# (tests/conftest.py orders them; --dist loadgroup keeps each notebook's cells together on one
# worker and hands every other test out on its own).
checks-pinned: setup
	$(PINNED) $(VENV)/bin/pytest $(WORKERS) --dist loadgroup --no-loadscope-reorder $(NBVAL) \
		tests book -m "records or notebook"

checks-native: setup
	$(VENV)/bin/pytest $(WORKERS) --dist loadgroup --no-loadscope-reorder $(NBVAL) \
		tests lstm_helpers book --doctest-modules -m "not browser"

lab: setup
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 --no-browser --notebook-dir=book \
		$(if $(filter 0,$(shell id -u)),--allow-root)

notebooks: setup
	$(PY) tools/run_notebooks.py

serve: book
	$(PY) -m http.server --bind 127.0.0.1 --directory _build/html 8000

clean:
	rm -rf _build dist .pytest_cache .hypothesis

# The two commands a newcomer needs: `make book` and `make test`. See README.md.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
export PYTHONHASHSEED := 0
export OMP_NUM_THREADS := 1

.PHONY: setup vendor book test unit nbval browser lab notebooks student serve lint clean

setup: $(STAMP)
$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps -e .
	@touch $@

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

unit: setup
	$(VENV)/bin/pytest tests -m "not browser"

nbval: setup
	$(VENV)/bin/pytest $(NBVAL) book

browser: book
	$(VENV)/bin/pytest tests -m browser

test: setup vendor
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest tests -m "not browser"
	$(VENV)/bin/pytest $(NBVAL) book
	$(MAKE) browser

lab: setup
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 --no-browser --notebook-dir=book \
		$(if $(filter 0,$(shell id -u)),--allow-root)

notebooks: setup
	$(PY) tools/run_notebooks.py

serve: book
	$(PY) -m http.server --bind 127.0.0.1 --directory _build/html 8000

clean:
	rm -rf _build dist .pytest_cache .hypothesis

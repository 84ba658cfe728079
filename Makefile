# Two commands for everyone: `make lab` (use the notebooks) and `make test` (check everything).
# Both create .venv on first use and install exactly the versions CI tests (constraints.txt).

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8888
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
# The oldest tested stack (constraints-oldest.txt: Colab's versions) runs on Python 3.12; pyenv's
# 3.12 is used where pyenv has one.
VENV_OLDEST ?= .venv-oldest
PYTHON_OLDEST ?= $(shell v=$$(pyenv versions --bare 2>/dev/null | grep -E '^3\.12(\.|$$)' | tail -n 1); \
  if [ -n "$$v" ]; then echo "$$(pyenv root)/versions/$$v/bin/python3.12"; else echo python3.12; fi)
BOOK_DIR ?= build/book
# Volatile notebook metadata (execution timestamps, widget state, the Python patch version) that
# `make notebooks` strips after executing; outputs, execution counts and cell ids are kept.
NBSTRIPOUT_FLAGS := --keep-output --keep-count --keep-id --extra-keys "metadata.language_info.version"
NBVAL_OPTS := --nbval-lax --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=600 -p no:cacheprovider

# Same numbers on every run, and no C++ log noise in notebook outputs.
export PYTHONHASHSEED := 0
export TF_CPP_MIN_LOG_LEVEL := 2
export KERAS_BACKEND := tensorflow

.PHONY: help lab test test-oldest unit nbval browser notebooks lint doctor constraints constraints-oldest \
  environments clean assignments book book-test hygiene

help:
	@echo "make lab        install (first run) and start JupyterLab on notebooks/"
	@echo "make test       install with test extras, run lint, unit tests and every notebook (nbval)"
	@echo "make test-oldest  the same unit tests, and every notebook executed, on the oldest stack (Python 3.12)"
	@echo "make browser    run every notebook through JupyterLab in headless Chromium"
	@echo "make notebooks  re-execute every notebook in place (refresh committed outputs)"
	@echo "make book       build the book (a static site of the notebooks) into $(BOOK_DIR)/html"
	@echo "make hygiene    what the pre-commit hooks check: ruff, notebook metadata"
	@echo "make doctor     print versions and devices"
	@echo "make assignments  build dist/student/ and dist/autograder/ from assignments/ (otter-grader)"

# --- environment -----------------------------------------------------------------------------
$(PY):
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 11) else \
	  f"reglab needs Python 3.11 or newer; {sys.executable} is {v.major}.{v.minor}. Run: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV) || { echo "Could not create $(VENV). On Debian/Ubuntu: apt-get install python3-venv"; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall when the dependency lists change; the stamp records what was installed.
$(VENV)/.installed: pyproject.toml constraints.txt | $(PY)
	$(PY) -m pip install --quiet --constraint constraints.txt --editable '.[test,course,book]'
	@touch $@

# --- the two commands ------------------------------------------------------------------------
lab: $(VENV)/.installed
	@$(eval TOKEN := $(shell $(PY) -c 'import secrets; print(secrets.token_hex(16))'))
	@echo "JupyterLab will serve http://127.0.0.1:$(PORT)/lab?token=$(TOKEN)"
	@echo "(open that URL in your browser; stop the server with Ctrl-C)"
	$(VENV)/bin/jupyter lab --no-browser --ip=127.0.0.1 --port=$(PORT) --notebook-dir=notebooks \
	  --IdentityProvider.token=$(TOKEN) $(if $(filter 0,$(shell id -u)),--allow-root,)

test: $(VENV)/.installed lint hygiene unit book-test browser nbval

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

unit: $(VENV)/.installed
	$(PY) -m pytest -p no:cacheprovider --doctest-modules -m "not browser and not book" reglab tests

nbval: $(VENV)/.installed
	REGLAB_PROGRESS=0 $(PY) -m pytest $(NBVAL_OPTS) $(NOTEBOOKS)

# Every notebook through JupyterLab's UI in headless Chromium (needs Debian's chromium; skipped,
# with the reason, without it). Screenshots: tests/browser/artifacts/.
browser: $(VENV)/.installed
	$(PY) -m pytest -p no:cacheprovider -m browser tests/browser

# --- the oldest tested stack: unit tests, and every notebook run top to bottom (any cell error
# fails; outputs are not compared: they were computed on the pinned stack) ---------------------
$(VENV_OLDEST)/.installed: pyproject.toml constraints-oldest.txt
	@test -x $(VENV_OLDEST)/bin/python || $(PYTHON_OLDEST) -m venv $(VENV_OLDEST) || \
	  { echo "Could not create $(VENV_OLDEST) with $(PYTHON_OLDEST): install Python 3.12 or pass PYTHON_OLDEST=..."; exit 1; }
	$(VENV_OLDEST)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_OLDEST)/bin/python -m pip install --quiet --constraint constraints-oldest.txt --editable '.[test]'
	@touch $@

test-oldest: $(VENV_OLDEST)/.installed
	$(VENV_OLDEST)/bin/python -m reglab doctor
	$(VENV_OLDEST)/bin/python -m pytest -p no:cacheprovider --doctest-modules -m "not browser and not book" reglab tests
	@rm -rf build/oldest-notebooks && mkdir -p build/oldest-notebooks
	REGLAB_PROGRESS=0 $(VENV_OLDEST)/bin/jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=600 \
	  --output-dir build/oldest-notebooks $(NOTEBOOKS)
# The same checks as the pre-commit hooks (.pre-commit-config.yaml), without pre-commit.
hygiene: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/nbstripout --verify $(NBSTRIPOUT_FLAGS) $(NOTEBOOKS) || \
	  { echo "Notebooks carry volatile metadata: run $(VENV)/bin/nbstripout $(NBSTRIPOUT_FLAGS) notebooks/*.ipynb"; exit 1; }

# The book: the committed notebooks (never executed here), README as front page, as a static site
# that needs no network (book/conf.py). Open $(BOOK_DIR)/html/index.html.
book: $(VENV)/.installed
	rm -rf $(BOOK_DIR)
	$(PY) -m sphinx -q -b html -W --keep-going -c book -d $(BOOK_DIR)/doctrees . $(BOOK_DIR)/html
	@echo "The book is in $(BOOK_DIR)/html: open $(BOOK_DIR)/html/index.html"

# Every page of that build in headless Chromium, offline: math, figures, links, console errors.
book-test: book
	REGLAB_BOOK_HTML=$(BOOK_DIR)/html $(PY) -m pytest -p no:cacheprovider -m book tests/book

# --- maintenance ----------------------------------------------------------------------------
notebooks: $(VENV)/.installed
	REGLAB_PROGRESS=0 $(PY) tools/execute_notebooks.py $(or $(NB),$(NOTEBOOKS))
	$(VENV)/bin/nbstripout $(NBSTRIPOUT_FLAGS) $(or $(NB),$(NOTEBOOKS))

# Course assignments (README, "For instructors"): otter assign on every assignments/*.ipynb; it
# runs each solution against its tests. dist/student/ is handed out, dist/autograder/ grades.
assignments: $(VENV)/.installed
	$(PY) assignments/build.py dist

doctor: $(VENV)/.installed
	$(PY) -m reglab doctor

constraints: $(VENV)/.installed
	{ head -n 2 constraints.txt; $(PY) -m pip freeze --exclude-editable | grep -v '^reglab'; } > constraints.tmp
	mv constraints.tmp constraints.txt
	$(MAKE) environments
	$(PY) assignments/build.py --requirements

# binder/environment.yml and environment.yml pin what constraints.txt pins.
environments:
	$(PYTHON) binder/make_environments.py

constraints-oldest: $(VENV_OLDEST)/.installed
	{ head -n 2 constraints-oldest.txt; $(VENV_OLDEST)/bin/python -m pip freeze --exclude-editable | grep -v '^reglab'; } > constraints.tmp
	mv constraints.tmp constraints-oldest.txt

clean:
	rm -rf $(VENV) $(VENV_OLDEST) .pytest_cache .ruff_cache dist build *.egg-info

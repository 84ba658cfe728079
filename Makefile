# Two commands for everyone: `make lab` (use the notebooks) and `make test` (check everything).
# Both create .venv on first use and install exactly the versions CI tests (constraints.txt).

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8888
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
NBVAL_OPTS := --nbval-lax --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout=600 -p no:cacheprovider

# Same numbers on every run, and no C++ log noise in notebook outputs.
export PYTHONHASHSEED := 0
export TF_CPP_MIN_LOG_LEVEL := 2
export KERAS_BACKEND := tensorflow

.PHONY: help lab test unit nbval browser notebooks lint doctor constraints clean assignments

help:
	@echo "make lab        install (first run) and start JupyterLab on notebooks/"
	@echo "make test       install with test extras, run lint, unit tests and every notebook (nbval)"
	@echo "make browser    run every notebook through JupyterLab in headless Chromium"
	@echo "make notebooks  re-execute every notebook in place (refresh committed outputs)"
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
	$(PY) -m pip install --quiet --constraint constraints.txt --editable '.[test,course]'
	@touch $@

# --- the two commands ------------------------------------------------------------------------
lab: $(VENV)/.installed
	@$(eval TOKEN := $(shell $(PY) -c 'import secrets; print(secrets.token_hex(16))'))
	@echo "JupyterLab will serve http://127.0.0.1:$(PORT)/lab?token=$(TOKEN)"
	@echo "(open that URL in your browser; stop the server with Ctrl-C)"
	$(VENV)/bin/jupyter lab --no-browser --ip=127.0.0.1 --port=$(PORT) --notebook-dir=notebooks \
	  --IdentityProvider.token=$(TOKEN) $(if $(filter 0,$(shell id -u)),--allow-root,)

test: $(VENV)/.installed lint unit browser nbval

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

unit: $(VENV)/.installed
	$(PY) -m pytest -p no:cacheprovider --doctest-modules -m "not browser" reglab tests

nbval: $(VENV)/.installed
	$(PY) -m pytest $(NBVAL_OPTS) $(NOTEBOOKS)

# Every notebook through JupyterLab's UI in headless Chromium (needs Debian's chromium; skipped,
# with the reason, without it). Screenshots: tests/browser/artifacts/.
browser: $(VENV)/.installed
	$(PY) -m pytest -p no:cacheprovider -m browser tests/browser

# --- maintenance ----------------------------------------------------------------------------
notebooks: $(VENV)/.installed
	$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.timeout=600 $(or $(NB),$(NOTEBOOKS))

# Course assignments (README, "For instructors"): otter assign on every assignments/*.ipynb; it
# runs each solution against its tests. dist/student/ is handed out, dist/autograder/ grades.
assignments: $(VENV)/.installed
	$(PY) assignments/build.py dist

doctor: $(VENV)/.installed
	$(PY) -m reglab doctor

constraints: $(VENV)/.installed
	{ head -n 2 constraints.txt; $(PY) -m pip freeze --exclude-editable | grep -v '^reglab'; } > constraints.tmp
	mv constraints.tmp constraints.txt
	$(PY) assignments/build.py --requirements

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache dist build *.egg-info

# LogReg Lab. Quick start: `make run` (the dashboard), `make test` (every test).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test test-fast bench screenshots deps clean-venv

# The virtual environment, (re)installed whenever requirements.txt changes.
$(STAMP): requirements.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --upgrade pip
	$(VENV)/bin/python -m pip install -r requirements.txt
	touch $@

deps: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/streamlit run app.py

# All tests: unit, slow and the browser end-to-end tests.
test: $(STAMP)
	$(VENV)/bin/python -m pytest

test-fast: $(STAMP)
	$(VENV)/bin/python -m pytest -m "not slow and not e2e"

bench: $(STAMP)
	$(VENV)/bin/python benchmarks/run.py

# Re-take the README's pictures: docs/train.png and docs/threshold.png.
screenshots: $(STAMP)
	mkdir -p docs
	LOGREG_SCREENSHOTS=docs $(VENV)/bin/python -m pytest tests/e2e -m readme_screenshot -p no:cacheprovider

clean-venv:
	rm -rf $(VENV)

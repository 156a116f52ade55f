# Kinerja: `make demo` serves the synthetic sample; `make test` runs every test (SQLite and PostgreSQL).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Domain modules that mypy checks (plain Python, no HTTP).
MYPY_TARGETS := src/kinerja/config.py src/kinerja/vocab.py src/kinerja/identity.py src/kinerja/auditchain.py \
	src/kinerja/generator.py src/kinerja/suppression.py \
	src/kinerja/charts.py src/kinerja/choices.py src/kinerja/numbers.py src/kinerja/safefile.py src/kinerja/register/due.py src/kinerja/reports/document.py src/kinerja/reports/rekap.py src/kinerja/reports/evaluation.py src/kinerja/reports/render.py src/kinerja/reports/specs.py src/kinerja/reports/texts.py src/kinerja/reports/recommendations.py src/kinerja/reports/service.py src/kinerja/reports/jobs.py src/kinerja/evidence/analysis src/kinerja/indicators \
	src/kinerja/register/tabular/tables.py src/kinerja/register/tabular/messages.py \
	src/kinerja/register/tabular/values.py src/kinerja/register/tabular/rules.py src/kinerja/register/tabular/reading.py

.PHONY: setup demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/kinerja demo --host 127.0.0.1 --port 8000

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy $(MYPY_TARGETS)

test: setup lint
	bash scripts/test.sh

bench: setup
	$(BIN)/python benchmarks/import_bench.py --cases 100000 --backend both

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache .mypy_cache

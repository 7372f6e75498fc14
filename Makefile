# The two commands a newcomer needs: `make app` and `make test`. Both install what they need.
VENV   := .venv
PY     := $(VENV)/bin/python
APP_DEBS  := chromium fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0
TEST_DEBS := $(APP_DEBS) postgresql poppler-utils
PORT   ?= 8501

.PHONY: app test install install-test bench lint mutate

$(VENV)/.installed-app: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed-app
	$(PY) -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed-app
	bash .ci/system-deps.sh $(APP_DEBS) || echo "warning: could not install $(APP_DEBS); PDF reports need them"

install-test: $(VENV)/.installed-test
	bash .ci/system-deps.sh $(TEST_DEBS)

## Run the app on http://localhost:8501 (SQLite database in data/lifecycle.db)
app: install
	$(VENV)/bin/lifecycle app --port $(PORT)

## Run the whole test suite (unit, database on SQLite and PostgreSQL, AppTest, browser), then the wheel smoke
## test: build the wheel, install it into a fresh venv outside the checkout and use it from an empty directory
test: install-test
	$(PY) -m pytest -p no:cacheprovider -n 2 --dist loadfile
	PY=$(PY) bash .ci/wheel-smoke.sh

bench: install-test
	for f in benchmarks/*.py; do [ $$f = benchmarks/mutation_table.py ] && continue; echo "== $$f"; $(PY) $$f || exit 1; done

## Mutation testing (not in CI; tens of minutes on 2 cores): mutmut mutates the modules named in [tool.mutmut] of
## pyproject.toml one change at a time, runs the fast tests that reach it, then prints the kill rate per module.
## A second run re-tests only what changed. One module with the tests that reach it (minutes):
##   make mutate MODULE='lifecycle/serving/*' TESTS='tests/unit/test_serving.py tests/unit/test_continuous_batching.py'
mutate: install-test
	$(PY) -m pip install -q -e '.[mutate]'
	if [ -n "$(MODULE)" ]; then bash benchmarks/tools/mutate_module.sh '$(MODULE)' $(TESTS); exit $$?; fi; \
	$(VENV)/bin/mutmut run --max-children 2 > mutants-run.log 2>&1 || (tail -c 2000 mutants-run.log; exit 1); \
	$(PY) benchmarks/mutation_table.py

lint: install-test
	$(VENV)/bin/ruff check lifecycle ui pages tests benchmarks app.py

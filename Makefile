# The two commands a new user runs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast install kafka lint schemas screenshot clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/provnews up

# The local Apache Kafka (deploy/kafka/pom.xml) fetched from Maven Central once; `provnews up` does the same on
# its first start, and falls back to Tansu where no Java 17 is found. The tests run on Apache Kafka.
kafka: $(STAMP)
	$(BIN)/python -m provnews.local_kafka

test: $(STAMP) kafka
	$(BIN)/python -m pytest -q

# Ruff with the rules chosen in pyproject.toml ([tool.ruff.lint]), then the import contracts ([tool.importlinter]).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

# The unit tier alone (pure logic, no broker, no port): the loop to run while editing.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m unit

schemas: $(STAMP)
	$(BIN)/provnews schemas

# The README's pictures of the explorer, taken by its browser tests (needs Debian's chromium).
screenshot: $(STAMP)
	PROVNEWS_SCREENSHOTS=docs $(BIN)/python -m pytest -q tests/e2e/test_explorer.py tests/e2e/test_scoreboard_page.py

clean:
	rm -rf $(VENV) .pytest_cache

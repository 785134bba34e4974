# The only entry points a person needs: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# The embedded store `make run` fills; empty means ssekg's default ($XDG_DATA_HOME/ssekg/store).
STORE  ?=
STORE_FLAG := $(if $(STORE),--store $(STORE),)

.PHONY: run test venv install install-test system-deps bench bench-extract bench-security crossval train clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs the package itself (not editable), so what runs is what `pip install .` gives a user.
install: $(BIN)/python
	$(BIN)/python -m pip install --quiet .

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet '.[test]'

## make run: ingest the bundled example corpus into the default store and serve the SPARQL endpoint.
run: install
	$(BIN)/ssekg ingest $(STORE_FLAG) --quiet examples/cards
	$(BIN)/ssekg serve $(STORE_FLAG) --host $(HOST) --port $(PORT)

## make test: the whole suite (system packages the tests need are installed by scripts/install-system-deps.sh).
test: install-test
	$(BIN)/pytest

system-deps:
	bash scripts/install-system-deps.sh

## make bench: N = 1,000 (BENCH_ARGS="--n 10000" or "--full" for the larger corpora); see bench/README.md.
bench: install-test
	$(BIN)/python -m pip install --quiet 'oxigraph>=0.5.13,<0.6' || echo "bench: the oxigraph server baseline will be skipped"
	command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null 2>&1 || echo "bench: no wrk; the HTTP load comes from Python threads"
	$(BIN)/python bench/run.py $(BENCH_ARGS)

## make bench-security: issue 13's load cases (slow clients, heavy queries, 2 MB bodies) against a live server.
bench-security: install-test
	$(BIN)/python bench/security_load.py $(BENCH_SECURITY_ARGS)

## make bench-extract: the extractor on the real corpus (../shared/corpus), per fold, language and field.
bench-extract: install-test
	$(BIN)/python bench/extract.py $(BENCH_EXTRACT_ARGS)

## make crossval: the learned models cross-validated over train and dev (k parts, each scored by models trained
## on the others); the figures to tune on, steadier than the 27 reports of dev alone.
crossval: $(BIN)/python
	$(BIN)/python -m pip install --quiet '.[train]'
	$(BIN)/python bench/crossval.py $(CROSSVAL_ARGS)

## make train: rebuild the extractor's models (ingest/extract/models) from corpus/gold and ../shared/corpus;
## TRAIN_ARGS="--extra-gold DIR" adds curators' corrections exported by `ssekg gold export DIR`.
train: $(BIN)/python
	$(BIN)/python -m pip install --quiet '.[train]'
	$(BIN)/python -P -m ssekg.ingest.train --gold corpus/gold --out ingest/extract/models $(TRAIN_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

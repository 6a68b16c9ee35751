# reviewlens: every workflow is one target. Run `make help` for the list.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# Label Studio lives in a virtualenv of its own: its Django pins must not touch the project's.
LS_VENV := .labelstudio-venv
LS_INSTALLED := $(LS_VENV)/.installed
# Built models, caches and stores live under one data root (see models/paths.py).
export REVIEWLENS_HOME ?= $(CURDIR)/var
REGISTRY := $(REVIEWLENS_HOME)/registry
CONFIG ?= training/configs/default.yaml
HOST ?= 127.0.0.1
PORT ?= 8000
# The offline and no-telemetry variables are set by the package itself (reviewlens/__init__.py).


.PHONY: help install serve model train baseline learning-curve evaluate compare test lint typecheck unit bench soak \
        corpus-check stats clean readme-figures labelstudio peers thorough thorough-frozen

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

install: $(INSTALLED) ## Create .venv and install reviewlens with training and dev tools

$(LS_INSTALLED): annotations/labelstudio-requirements.txt
	@test -n "$(PYTHON)" || { echo "Python 3.11 is required"; exit 1; }
	$(PYTHON) -m venv $(LS_VENV)
	$(LS_VENV)/bin/pip install --quiet --upgrade pip
	$(LS_VENV)/bin/pip install --quiet -r annotations/labelstudio-requirements.txt
	@touch $@

labelstudio: $(LS_INSTALLED) ## Label Studio and its SDK in .labelstudio-venv (start: .labelstudio-venv/bin/label-studio)

# Without the default's refit on train and dev, so that a fresh `make serve` builds in under 10 minutes on 2 cores
# (README: what the refit adds); `make train` builds the whole recipe.
model: $(INSTALLED) ## Build and promote the default model (without its refit) unless one is already promoted
	@test -f $(REGISTRY)/DEFAULT && test -d $(REGISTRY)/$$(cat $(REGISTRY)/DEFAULT) \
	  || $(BIN)/reviewlens train --config $(CONFIG) --set selection.refit=false --promote

serve: model ## Install, build the default model if absent, and serve the API on $(HOST):$(PORT)
	$(BIN)/reviewlens serve --host $(HOST) --port $(PORT)

train: $(INSTALLED) ## Train $(CONFIG) and promote it
	$(BIN)/reviewlens train --config $(CONFIG) --promote

baseline: $(INSTALLED) ## Train the linear baseline with its learning curve (not promoted)
	$(BIN)/reviewlens train --config training/configs/baseline.yaml

learning-curve: $(INSTALLED) ## Train $(CONFIG) with test macro-F1 at 25/50/100% of train in its card (not promoted)
	$(BIN)/reviewlens train --config $(CONFIG) --learning-curve

evaluate: $(INSTALLED) ## Evaluate the default model on the test and challenge splits
	$(BIN)/reviewlens evaluate default

compare: $(INSTALLED) ## Compare two models on test and challenge: make compare A=MODEL B=MODEL
	@test -n "$(A)" -a -n "$(B)" || { echo "usage: make compare A=MODEL B=MODEL"; exit 2; }
	$(BIN)/reviewlens compare $(A) $(B) --split test
	$(BIN)/reviewlens compare $(A) $(B) --split challenge

peers: model ## Build the spaCy and SetFit-style peers and compare each with the default on test and challenge
	$(BIN)/reviewlens train --config training/configs/spacy_peer.yaml
	$(BIN)/reviewlens train --config training/configs/setfit_peer.yaml
	@for peer in reviewlens-spacy-peer reviewlens-setfit-peer; do \
	  latest=$$(ls -d $(REGISTRY)/$$peer-* | tail -n 1); \
	  for split in test challenge; do $(BIN)/reviewlens compare default $$latest --split $$split || exit 1; done; \
	done

thorough: model ## Build and promote the thorough tier (fine-tuned all-mpnet-base-v2, the thorough extra; ~30 min on 2 cores)
	$(BIN)/pip install --quiet -e ".[thorough]"
	$(BIN)/reviewlens train --config training/configs/thorough_finetuned.yaml --promote

thorough-frozen: model ## Build the frozen-mpnet thorough candidate (embeddings + heads by CV), not promoted
	$(BIN)/pip install --quiet -e ".[thorough]"
	$(BIN)/reviewlens train --config training/configs/thorough.yaml

readme-figures: model ## Rewrite the README's model figures from the promoted model's metrics (they cannot drift)
	$(BIN)/python -m reviewlens.training.readme_figures

stats: $(INSTALLED) ## Corpus counts per label, theme, source, kind and split
	$(BIN)/reviewlens annotations stats

corpus-check: $(INSTALLED) ## Validate the corpus and look for near-duplicate sentences
	$(BIN)/reviewlens annotations validate annotations/corpus
	$(BIN)/reviewlens annotations near-duplicates annotations/corpus

lint: $(INSTALLED) ## ruff and mypy
	$(BIN)/ruff check reviewlens/__init__.py reviewlens/cli models training serving benchmarks tests
	$(BIN)/mypy

typecheck: $(INSTALLED) ## mypy alone
	$(BIN)/mypy

unit: $(INSTALLED) ## The fast tests only (not marked slow: no training runs, servers or browsers)
	$(BIN)/pytest -q -m "not slow"

test: lint labelstudio ## Lint, type-check and run the whole test suite (notebook and Label Studio round trip included)
	$(BIN)/pytest -q

bench: model ## Speed and memory figures for the service and bulk scoring (prints ratios, not pass/fail)
	$(BIN)/python -m benchmarks.service
	$(BIN)/python -m benchmarks.bulk --docs 200 --tier fast
	@if test -f $(REGISTRY)/THOROUGH; then $(BIN)/python -m benchmarks.bulk --docs 24 --tier thorough --workers 2; \
	  else echo "thorough tier: none promoted, so no thorough bulk figures (make thorough builds one)"; fi

soak: model ## Load a real server for ~1 min: throughput, p50/p95/p99, statuses, RSS, /healthz p99 (not in make test)
	$(BIN)/python -m benchmarks.soak $(if $(MODEL),--model $(MODEL))

clean: ## Remove the virtualenv, caches and built models
	rm -rf $(VENV) $(LS_VENV) build .mypy_cache .ruff_cache .pytest_cache $(REGISTRY) $(REVIEWLENS_HOME)/cache

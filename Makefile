# django-gke — one Pulumi program (Go), three stacks (dev, stg, prd).
# `make test` is the one test command (README and .ci/run call it).

SHELL       := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
GO          ?= go
STACK       ?= dev
FUZZTIME    ?= 15s
BIN         := build/bin
GO_SOURCES  := $(shell find . -name '*.go' -not -path './build/*') go.mod go.sum

.DEFAULT_GOAL := help
.PHONY: help test test-go test-app fuzz lint vet fmt-check plan plan-diff capacity deps local-up local-down preview up destroy clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z -]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

test: deps lint test-go fuzz test-app ## Everything: lint, Go tests over dev/stg/prd, fuzzing, the app's real-process tests

test-go: ## Go unit and stack tests (Pulumi mocks, all stacks)
	$(GO) test ./...

fuzz: ## Fuzz the config loader for FUZZTIME (default 15s)
	$(GO) test ./infra/config -run '^$$' -fuzz '^FuzzConfig$$' -fuzztime $(FUZZTIME)

test-app: deps ## Django unit tests and end-to-end tests on real Postgres, gunicorn and nginx
	scripts/local/test.sh

lint: fmt-check vet ## gofmt and go vet

fmt-check:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './build/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi

vet:
	$(GO) vet ./...

$(BIN)/plan: $(GO_SOURCES)
	$(GO) build -o $@ ./cmd/plan

plan: $(BIN)/plan ## Offline plan of STACK: resource tree, outputs, manifests in build/plan/STACK/
	$(BIN)/plan -stack $(STACK)

$(BIN)/capacity: $(GO_SOURCES)
	$(GO) build -o $@ ./cmd/capacity

FORMAT ?= table
capacity: $(BIN)/capacity ## Capacity plan and yearly cost of STACK (FORMAT=table|markdown|json)
	$(BIN)/capacity -stack $(STACK) -format $(FORMAT)

BASE ?= HEAD
plan-diff: ## Offline plan of STACK in the working tree against BASE (a git ref): changes by path, cost delta (FORMAT=text|markdown)
	$(GO) run ./cmd/plandiff -stack $(STACK) -base $(BASE) -format $(if $(filter markdown,$(FORMAT)),markdown,text)

deps: ## Install the Debian packages the app and its tests need (root), or say which
	scripts/local/deps.sh

local-up: deps ## Run the pod for real on 127.0.0.1:8080 (Postgres, gunicorn, nginx)
	scripts/local/up.sh

local-down: ## Stop everything local-up started
	scripts/local/down.sh

preview up destroy: ## Pulumi CLI on STACK against GCP (needs the Pulumi CLI and GCP credentials)
	scripts/pulumi.sh $@ $(STACK)

clean: ## Remove build outputs
	rm -rf build

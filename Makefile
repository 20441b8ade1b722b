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
.PHONY: engine cluster-up cluster-down test-e2e test-e2e-soak help test test-go test-app fuzz lint lint-selftest plan plan-diff capacity readme deps bench bench-apply bench-smoke local-up local-down preview up destroy clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z0-9 -]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

test: deps lint lint-selftest test-go fuzz test-app bench-smoke test-e2e ## Everything: lint, Go tests over dev/stg/prd, fuzzing, the app's real-process tests, a benchmark smoke run

test-go: ## Go unit and stack tests (Pulumi mocks, all stacks)
	$(GO) test ./...

fuzz: ## Fuzz the config loader for FUZZTIME (default 15s)
	$(GO) test ./infra/config -run '^$$' -fuzz '^FuzzConfig$$' -fuzztime $(FUZZTIME)

test-app: deps ## Django unit tests and end-to-end tests on real Postgres, gunicorn and nginx
	scripts/local/test.sh

lint: ## gofmt, go vet, staticcheck, pyflakes, Django checks, Dockerfile, nginx -t, shellcheck, actionlint
	scripts/lint/deps.sh
	scripts/lint/lint.sh

lint-selftest: ## Prove each lint check fails on a seeded defect
	scripts/lint/selftest.sh

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

readme: $(BIN)/capacity ## Rewrite the README's generated block (prd's capacity report)
	$(BIN)/capacity -stack prd -readme README.md

deps: ## Install the Debian packages the app and its tests need (root), or say which
	scripts/local/deps.sh

BENCH_SECONDS ?= 20
BENCH_RUNS ?= 3
bench: ## Serving benchmark on real processes: gunicorn sync/gthread, uWSGI, direct and via nginx (BENCH_SECONDS=20)
	BENCH_SECONDS=$(BENCH_SECONDS) BENCH_RUNS=$(BENCH_RUNS) scripts/bench/run.sh

bench-apply: ## Write the measured req/s per core into infra/config/podtps.json (the capacity model's TPS)
	scripts/bench/apply.sh

bench-smoke: ## The benchmark end to end in seconds, correctness only
	scripts/bench/smoke.sh

local-up: deps ## Run the pod for real on 127.0.0.1:8080 (Postgres, gunicorn, nginx)
	scripts/local/up.sh

local-down: ## Stop everything local-up started
	scripts/local/down.sh

engine: ## Build (once, cached in ~/.cache/django-gke) the Pulumi CLI and the kubernetes provider plugin from source
	scripts/engine/build.sh

cluster-up: ## Start a local control plane on 127.0.0.1 (etcd, apiserver, controller-manager, scheduler, kwok, 3 zones)
	scripts/cluster/up.sh

cluster-down: ## Stop everything cluster-up started
	scripts/cluster/down.sh

# STACK=local runs the real engine in-process (Automation API, file state in build/state);
# dev/stg/prd go through the Pulumi CLI against GCP.
preview up destroy: ## Pulumi on STACK: local → the real engine on the local cluster; dev/stg/prd → the CLI against GCP
	@if [ "$(STACK)" = local ]; then scripts/engine/build.sh && $(GO) run ./cmd/engine -stack local -action $@; \
	else scripts/pulumi.sh $@ $(STACK); fi

test-e2e: ## The real engine on the local cluster: cluster-up, up, assertions, preview (no changes), change, destroy, cluster-down
	scripts/engine/build.sh
	scripts/cluster/build.sh
	$(GO) test -count=1 -timeout 30m -tags e2e -run TestLocalEngineEndToEnd -v ./tests/e2e/

E2E_RUNS ?= 5
test-e2e-soak: ## make test-e2e E2E_RUNS times in a row (default 5) while a build keeps every core busy; prints the times
	E2E_RUNS=$(E2E_RUNS) scripts/engine/soak.sh

clean: ## Remove build outputs
	rm -rf build

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
.PHONY: engine cluster-up cluster-down test-e2e test-e2e-soak preview-gcp help test test-go test-app fuzz lint lint-selftest plan plan-diff capacity readme deps bench bench-apply bench-smoke local-up local-down preview up destroy clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z0-9 -]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

test: deps lint lint-selftest test-go fuzz test-app bench-smoke test-e2e ## Everything: lint, Go tests over every stack (mocks, the replacement guard), fuzzing, the app's real-process tests, a benchmark smoke run, the real engine on a local cluster

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
COMPARE ?=
CHART ?=
capacity: $(BIN)/capacity ## Capacity plan and yearly cost of STACK (FORMAT=table|markdown|json); COMPARE=1: every platform side by side, CHART=file.svg: cost against load
	$(BIN)/capacity -stack $(STACK) -format $(FORMAT) $(if $(or $(filter 1,$(COMPARE)),$(CHART)),-compare) $(if $(CHART),-chart $(CHART))

BASE ?= HEAD
GUARD ?= 1
ALLOW_REPLACE ?=
plan-diff: ## STACK in the working tree against BASE (a git ref): replacement guard (infra/guard's ForceNew table; GUARD=0 skips it), then plan changes by path and cost delta (FORMAT=text|markdown); exit 3 on a stateful replacement or deletion not in ALLOW_REPLACE
	$(if $(filter 1,$(GUARD)),,@echo "plan-diff: GUARD=0, the replacement guard is off" >&2)
	$(GO) build -o $(BIN)/plandiff ./cmd/plandiff
	$(BIN)/plandiff -stack $(STACK) -base $(BASE) -format $(if $(filter markdown,$(FORMAT)),markdown,text) \
		$(if $(filter 1,$(GUARD)),-guard -allow-replace "$(ALLOW_REPLACE)")

readme: $(BIN)/capacity ## Rewrite the generated docs: the README's capacity report, configuration reference and outputs; Pulumi.yaml's descriptions
	$(BIN)/capacity -stack prd -readme README.md
	$(BIN)/capacity -stack prd-global -readme README.md
	$(BIN)/capacity -stack prd -compare -chart docs/capacity-prd.svg -readme README.md
	$(GO) run ./cmd/configdoc

deps: ## Install the Debian packages the app and its tests need (root), or say which; unpack Debian 13's Django 5.2 and 4.2 stacks (scripts/python/env.sh)
	scripts/local/deps.sh
	scripts/python/env.sh 5.2 >/dev/null
	scripts/python/env.sh 4.2 >/dev/null

BENCH_SECONDS ?= 20
BENCH_RUNS ?= 3
bench: ## Serving benchmark on real processes: gunicorn sync/gthread, uWSGI, direct and via nginx (BENCH_SECONDS=20)
	BENCH_SECONDS=$(BENCH_SECONDS) BENCH_RUNS=$(BENCH_RUNS) scripts/bench/run.sh

bench-apply: ## Write the measured req/s per core into infra/config/podtps.json (the capacity model's TPS)
	scripts/bench/apply.sh

bench-smoke: ## The benchmark end to end in seconds, correctness only
	scripts/bench/smoke.sh

local-up: deps ## Run the pod for real on 127.0.0.1:8080 (Postgres, Redis with TLS + AUTH, gunicorn, nginx)
	scripts/local/up.sh

local-down: ## Stop everything local-up started
	scripts/local/down.sh

engine: ## Build (once, cached in ~/.cache/django-gke) the Pulumi CLI and the kubernetes plugin from Go modules; a user's published gcp and random plugins are used where present, never built
	scripts/engine/build.sh

cluster-up: ## Start a local control plane on 127.0.0.1 (etcd, apiserver, controller-manager, scheduler, kwok, 3 zones)
	scripts/cluster/up.sh

cluster-down: ## Stop everything cluster-up started
	scripts/cluster/down.sh

# STACK=local runs the real engine in-process (Automation API, file state in build/state).
# dev/stg/prd: preview is offline (real engine and providers, fake token, no
# state: a first up) and needs the published gcp and random plugins (without
# them it prints SKIPPED); preview-gcp, up and destroy go through the CLI against GCP.
# PREVIEW_FLAGS=-require-plugins: exit 4 instead of SKIPPED without the published plugins (the PR workflow).
PREVIEW_FLAGS ?=
preview: ## Real engine and providers on STACK, offline: local → the local cluster; dev/stg/prd → every GCP resource through the published gcp plugin's Check and preview (SKIPPED without it), no credentials
	@scripts/engine/build.sh >&2
	@if [ "$(STACK)" = local ]; then $(GO) run ./cmd/engine -stack local -action preview; \
	else $(GO) build -o $(BIN)/preview ./cmd/preview && $(BIN)/preview -stack $(STACK) $(PREVIEW_FLAGS); fi

preview-gcp: ## pulumi preview of STACK against GCP and its Pulumi backend (credentials)
	scripts/pulumi.sh preview $(STACK)

up destroy: ## Pulumi on STACK: local → the real engine on the local cluster; dev/stg/prd → the CLI against GCP
	@if [ "$(STACK)" = local ]; then scripts/engine/build.sh && $(GO) run ./cmd/engine -stack local -action $@; \
	else scripts/pulumi.sh $@ $(STACK); fi

test-e2e: ## The real engine on local clusters: cluster-up, up, assertions, preview (no changes), change, destroy, cluster-down; a regional failover with one of two clusters stopped
	scripts/engine/build.sh
	scripts/cluster/build.sh
	$(GO) test -count=1 -timeout 30m -tags e2e -run 'TestLocalEngineEndToEnd|TestCRDWaitOnARealAPIServer|TestLostRegionOnTheRealEngine' -v ./tests/e2e/

E2E_RUNS ?= 5
test-e2e-soak: ## make test-e2e E2E_RUNS times in a row (default 5) while a build keeps every core busy; prints the times
	E2E_RUNS=$(E2E_RUNS) scripts/engine/soak.sh

clean: ## Remove build outputs
	rm -rf build

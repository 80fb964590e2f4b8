# dialer: predictive and progressive outbound dialer engine.
# `make help` lists the targets.

GO      ?= go
BIN     ?= bin/dialer
PKGS    ?= ./...

.DEFAULT_GOAL := help

.PHONY: help run build test lint bench bench-go bench-sim tidy clean

include test/amd/amd.mk

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

run: ## run the demo: engine, in-process Redis, simulated network, 20 simulated agents, demo campaign
	$(GO) run ./cmd/dialer serve

build: ## build bin/dialer
	$(GO) build -o $(BIN) ./cmd/dialer

test: lint ## gofmt/vet check, then every test with the race detector (needs redis-server)
	$(GO) test -race -timeout 9m -count=1 $(PKGS)

lint: ## gofmt check and go vet
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet $(PKGS)

bench: bench-go bench-sim amd-bench ## every benchmark and report in BENCHMARKS.md (long: minutes)

bench-go: ## Go benchmarks (real redis-server, engine, simulator, AMD classifier)
	$(GO) test -run '^$$' -bench . -benchmem -timeout 60m $(PKGS)

bench-sim: build ## dialer sim --compare --tune on every shipped scenario
	@for s in test/scenarios/*.yaml; do echo "== $$s"; $(BIN) sim --scenario $$s --compare --tune || exit 1; done

tidy: ## go mod tidy
	$(GO) mod tidy

clean: ## remove build output
	rm -rf bin

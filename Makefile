# Makefile for livepatch. `make help` lists the targets; README.md explains them.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

GO  ?= go
NPM ?= npm

# BIN is the livepatch binary that `build` writes and the npm tests drive.
BIN := $(CURDIR)/bin/livepatch
JS  := integration/js

# GOTESTTIMEOUT bounds each Go test binary; GOTESTFLAGS are passed to `go test`
# too (e.g. make test-go GOTESTFLAGS='-run Foo -v').
GOTESTTIMEOUT ?= 20m
GOTESTFLAGS ?=
# BENCHARGS are passed to `go run ./integration/bench` (e.g. make bench BENCHARGS='-only=proxy');
# BENCHFLAGS to `go test -bench`, used when integration/bench does not exist.
BENCHARGS ?=
BENCHFLAGS ?= -benchtime 1s
# ARGS follow the package in `make run`; program flags go after -- (e.g. make run ARGS='-- -addr 127.0.0.1:9090').
ARGS ?=

.PHONY: help build test test-go test-js test-fidelity bench bench-replay run vet clean

help: ## list the targets
	@awk -F ':.*## ' '/^[a-z-]+:.*## / { printf "  %-13s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

build: ## build bin/livepatch
	$(GO) build -o bin/livepatch ./cmd/livepatch

test: test-go test-js test-fidelity ## run all tests: Go (with fuzz seed corpora), the npm DAP client tests, then fidelity

# FIDELITY_PKGS are run with every function replaced by its interpreted self
# (livepatch test --repatch=all): packages of this repository that can carry
# patches, and the fixtures of Go constructs. See docs/FIDELITY.md.
FIDELITY_PKGS ?= ./examples/counter ./internal/livepatch ./dapclient ./internal/repatch ./integration/testdata/fidelity/...

test-go: ## run the Go tests; fuzz targets run their seed corpora
	$(GO) test -timeout $(GOTESTTIMEOUT) $(GOTESTFLAGS) ./...

test-fidelity: build ## fail when a test that passes natively fails with its package's functions interpreted
	$(BIN) test --repatch=all $(FIDELITY_PKGS)

test-js: build $(JS)/node_modules/.package-lock.json ## run the npm DebugClient tests against bin/livepatch
	cd $(JS) && LIVEPATCH_BIN='$(BIN)' $(NPM) test

# npm ci writes node_modules/.package-lock.json; reinstall when the lock file changes.
$(JS)/node_modules/.package-lock.json: $(JS)/package-lock.json $(JS)/package.json
	cd $(JS) && $(NPM) ci --no-audit --no-fund

bench: ## run the benchmarks and print a table
	@mkdir -p bin
	@if [ -d integration/bench ]; then \
		$(GO) run ./integration/bench $(BENCHARGS); \
	else \
		echo "$(GO) test -run '^\$$' -bench . -benchmem $(BENCHFLAGS) ./..."; \
		if ! $(GO) test -run '^$$' -bench . -benchmem $(BENCHFLAGS) ./... >bin/bench.txt 2>&1; then \
			cat bin/bench.txt; exit 1; \
		fi; \
		awk "$$BENCH_TABLE" bin/bench.txt; \
		echo "raw output: bin/bench.txt"; \
	fi

# The replay part downloads published versions of two servers with the go
# command (GOPROXY as set, or the go command's default) and takes several
# minutes, so `make bench` leaves it out. See docs/BENCHMARKS.md.
bench-replay: ## replay real modules' published versions as saves into their running programs (issue 13)
	$(GO) run ./integration/bench -only=replay $(BENCHARGS)

run: build ## debug the example program with livepatch
	./bin/livepatch debug ./examples/counter $(ARGS)

vet: ## go vet and gofmt check
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './$(JS)/node_modules/*')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

clean: ## remove build outputs
	rm -rf bin

# BENCH_TABLE is an awk program that turns `go test -bench -benchmem` output
# into one aligned table: package, benchmark, iterations, ns/op, B/op, allocs/op.
define BENCH_TABLE
/^pkg: / { pkg = $$2; sub(/^github.com\/livepatch\/livepatch\/?/, "", pkg); if (pkg == "") pkg = "." }
/^Benchmark/ && / ns\/op/ {
	name = $$1; sub(/-[0-9]+$$/, "", name); sub(/^Benchmark/, "", name)
	ns = "-"; b = "-"; a = "-"
	for (i = 3; i < NF; i++) {
		if ($$(i+1) == "ns/op") ns = $$i
		if ($$(i+1) == "B/op") b = $$i
		if ($$(i+1) == "allocs/op") a = $$i
	}
	n++; P[n] = pkg; N[n] = name; I[n] = $$2; NS[n] = ns; B[n] = b; A[n] = a
	if (length(pkg) > wp) wp = length(pkg)
	if (length(name) > wn) wn = length(name)
}
END {
	if (n == 0) { print "no benchmarks found"; exit }
	if (wp < 7) wp = 7
	if (wn < 9) wn = 9
	f = "%-" wp "s  %-" wn "s  %12s  %14s  %10s  %10s\n"
	printf f, "package", "benchmark", "iterations", "ns/op", "B/op", "allocs/op"
	for (i = 1; i <= n; i++) printf f, P[i], N[i], I[i], NS[i], B[i], A[i]
}
endef
export BENCH_TABLE

# jiaoyi: `make run` serves the local platform, `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV  := .venv
STAMP := $(VENV)/.installed-$(shell cksum < internal/emulator/requirements.txt | cut -d' ' -f1)
GO    ?= go

.PHONY: help run test lint build venv emulator checkout-cost webhook-bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): internal/emulator/requirements.txt
	@command -v python3 >/dev/null || { echo "python3 is required for the emulator (moto)"; exit 1; }
	rm -rf $(VENV)
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r internal/emulator/requirements.txt
	touch $@

venv: $(STAMP) ## create .venv with the pinned emulator (moto[server])

run: venv ## the HTTP API on http://127.0.0.1:8080 against the emulator, with a demo catalog
	@mkdir -p build
	$(GO) build -o build/jiaoyi-local ./cmd/local
	./build/jiaoyi-local

test: venv lint ## lint, then every test with -race against one emulator
	$(GO) run ./cmd/emulator -- $(GO) test -race -count=1 -timeout 20m ./...

lint: ## gofmt, go vet, staticcheck (pinned in go.mod)
	@files=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.venv/*')); \
	  if [ -n "$$files" ]; then echo "gofmt needed:"; echo "$$files"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

build: ## one bootstrap zip per function under build/ (linux/arm64, provided.al2023)
	$(GO) run ./cmd/lambdabuild

checkout-cost: venv ## calls, request units, time and cost per placed order
	$(GO) run ./cmd/checkoutcost

webhook-bench: venv ## webhook handling time and AWS calls per event
	$(GO) run ./cmd/webhookbench

emulator: venv ## just the emulator, until Ctrl-C
	$(GO) run ./cmd/emulator

clean: ## remove build output, tools and the virtualenv
	rm -rf build .bin $(VENV)

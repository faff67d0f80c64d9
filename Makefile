# jiaoyi: `make run` serves the local platform, `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV  := .venv
STAMP := $(VENV)/.installed-$(shell cksum < internal/dev/emulator/requirements.txt | cut -d' ' -f1)
GO    ?= go
STAGE ?= dev
# The payment provider a deploy uses: prod refuses the sandbox.
PROVIDER ?= sandbox
# jsii (the CDK's Go bindings) warns loudly about Node 20, which these
# machines have; the app works on it.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1

.PHONY: help run test test-go test-infra lint build synth cdk-bootstrap deploy venv emulator checkout-cost webhook-bench bench-forecast risk-model \
	localstack-up localstack-deploy localstack-test localstack-down clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMP): internal/dev/emulator/requirements.txt
	@command -v python3 >/dev/null || { echo "python3 is required for the emulator (moto)"; exit 1; }
	rm -rf $(VENV)
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r internal/dev/emulator/requirements.txt
	touch $@

venv: $(STAMP) ## create .venv with the pinned emulator (moto[server]) and cfn-lint

run: venv ## the HTTP API on http://127.0.0.1:8080 against the emulator, with a demo catalog
	@mkdir -p build
	$(GO) build -o build/jiaoyi-local ./cmd/local
	./build/jiaoyi-local

test: lint test-go test-infra synth ## lint, every Go test (-race, on the emulator), the CDK checks, synth + cfn-lint

test-go: venv
	$(GO) run ./cmd/emulator -- $(GO) test -race -count=1 -timeout 20m $$($(GO) list ./... | grep -v '/infra')

test-infra: ## the CDK stack's assertion tests (no -race: jsii runs the CDK in Node)
	$(GO) test -count=1 -timeout 20m ./infra/...

lint: ## gofmt, go vet, staticcheck (pinned in go.mod)
	@files=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.venv/*')); \
	  if [ -n "$$files" ]; then echo "gofmt needed:"; echo "$$files"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

build: ## one bootstrap zip per function under build/ (linux/arm64, provided.al2023)
	$(GO) run ./cmd/lambdabuild

synth: venv build ## cdk.out/ for dev and prod, checked by cfn-lint
	rm -rf cdk.out
	CDK_CONTEXT_JSON='{"stage":"dev"}' $(GO) run ./infra
	CDK_CONTEXT_JSON='{"stage":"prod","paymentProvider":"stripe"}' $(GO) run ./infra
	$(VENV)/bin/cfn-lint --non-zero-exit-code error cdk.out/*.template.json
	@echo "synthesized and linted: cdk.out/jiaoyi-dev.template.json cdk.out/jiaoyi-prod.template.json and their areas' nested stacks"

# The CDK CLI and cdklocal, pinned in .cdk-cli/package.json (a dot folder,
# so the Go tools never walk its node_modules).
CDK      := .cdk-cli/node_modules/.bin/cdk
CDKLOCAL := .cdk-cli/node_modules/.bin/cdklocal

$(CDK): .cdk-cli/package.json
	npm install --prefix .cdk-cli --no-audit --no-fund
	@touch $@

cdk-bootstrap: $(CDK) ## once per account and region, before the first deploy
	$(CDK) bootstrap

deploy: build $(CDK) ## deploy STAGE (dev|prod) to the AWS account in your environment
	$(CDK) deploy -c stage=$(STAGE) -c paymentProvider=$(PROVIDER) jiaoyi-$(STAGE)

emulator: venv ## just the emulator, until Ctrl-C
	$(GO) run ./cmd/emulator

checkout-cost: venv ## calls, request units, time and cost per placed order
	$(GO) run ./cmd/checkoutcost

webhook-bench: venv ## webhook handling time and AWS calls per event
	$(GO) run ./cmd/webhookbench

risk-model: ## retrain the shipped risk model (internal/risk/model/default.json) from its seeded synthetic orders; prints held-out metrics
	$(GO) run ./cmd/risk demo-model

# statsforecast, pinned, for the forecasting comparison, in a virtualenv of
# its own (the emulator's is recreated whenever its requirements change);
# SF_VENV may name another.
SF_VENV ?= .venv-forecast
STATSFORECAST := statsforecast==2.1.1

bench-forecast: ## forecast seconds per series and accuracy: internal/forecast vs statsforecast
	@command -v python3 >/dev/null || { echo "python3 is required for statsforecast"; exit 1; }
	@test -x $(SF_VENV)/bin/pip || python3 -m venv $(SF_VENV)
	$(SF_VENV)/bin/pip install --quiet --disable-pip-version-check $(STATSFORECAST)
	nice $(GO) run ./cmd/forecastbench -python $(SF_VENV)/bin/python

define need_docker
	@docker info >/dev/null 2>&1 || { echo "LocalStack needs a running Docker engine, and none answers here (docker info failed)."; \
	  echo "make run gives the same API on the embedded emulator without Docker."; exit 1; }
endef

localstack-up: ## start LocalStack (needs Docker and LOCALSTACK_AUTH_TOKEN)
	$(need_docker)
	docker compose -f localstack/docker-compose.yml up -d --wait

localstack-deploy: build $(CDK) ## deploy the dev stack to LocalStack with cdklocal
	$(need_docker)
	PATH="$(CURDIR)/.cdk-cli/node_modules/.bin:$$PATH" $(CDKLOCAL) bootstrap
	PATH="$(CURDIR)/.cdk-cli/node_modules/.bin:$$PATH" $(CDKLOCAL) deploy -c stage=dev --require-approval never jiaoyi-dev

localstack-test: ## the integration tests against LocalStack
	$(need_docker)
	AWS_ENDPOINT_URL=http://localhost:4566 AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
	  $(GO) test -count=1 -timeout 30m $$($(GO) list ./... | grep -v '/infra')

localstack-down: ## stop LocalStack
	$(need_docker)
	docker compose -f localstack/docker-compose.yml down

clean: ## remove build output, tools and the virtualenvs
	rm -rf build cdk.out .bin .cdk-cli/node_modules $(VENV) .venv-forecast

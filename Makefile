# The two commands of the README: `make run` and `make test`. Everything else serves them.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
BUILD ?= build/release
HRAPP := $(BUILD)/hrapp

.PHONY: run test deps build build-asan unit test-system test-asan test-e2e test-infra test-scripts package bench clean

deps:
	scripts/dev/install-deps.sh

build: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j$(JOBS)

build-asan: deps
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j$(JOBS)

run: build
	$(HRAPP) serve

unit: build
	ctest --preset release

test-system: build
	tests/system/run.sh $(HRAPP)

test-asan: build-asan
	ctest --preset asan
	tests/system/run.sh build/asan/hrapp

test-e2e: build
	tests/e2e/run.sh $(HRAPP)

test-infra: deps
	cd infra && npm ci --no-audit --no-fund && npm test

test-scripts: deps
	tests/scripts/run.sh

test: unit test-system test-e2e test-infra test-scripts test-asan

package: build
	scripts/dev/package.sh $(HRAPP)

bench: build
	bench/run.sh $(HRAPP)

clean:
	rm -rf build

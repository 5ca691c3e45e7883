# The README's two commands are `make run` and `make test`; every other target serves them.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
RELEASE := build/release/hrapp
ASAN := build/asan/hrapp
export CDK_DISABLE_CLI_TELEMETRY := true

.PHONY: run test deps deps-build build build-asan unit test-openapi test-system test-aws test-fakes test-package test-e2e \
        test-infra test-scripts test-asan build-fuzz fuzz test-fuzz package bench bench-compression bench-totp bench-fleet bench-web screenshots clean

## Set-up, only what is missing: `deps-build` the Debian packages that building needs; `deps`
## those and what the tests need (Debian packages and npm modules).
deps-build:
	scripts/dev/install-deps.sh build

deps:
	scripts/dev/install-deps.sh

build: deps-build
	cmake --preset release >/dev/null
	cmake --build --preset release -j$(JOBS)

build-asan: deps-build
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j$(JOBS)

build-fuzz: deps
	cmake --preset fuzz >/dev/null
	cmake --build --preset fuzz -j$(JOBS)

## Runs the app on its embedded defaults: SQLite and images in ./hrapp-data, 127.0.0.1:5000.
run: build
	$(RELEASE) serve

## Every test: unit (with the SigV4 cross-check), system on SQLite and PostgreSQL, AWS,
## packaging, browser, infrastructure, operator scripts, then all again under ASan+UBSan, and
## each fuzz target briefly.
test: unit test-fakes test-openapi test-system test-aws test-package test-e2e test-infra test-scripts test-asan test-fuzz

unit: build deps
	ctest --preset release

test-fakes: deps
	node --test tests/fakes/ tests/sigv4/

## The API's description passes Redocly's recommended rules (redocly.yaml); the system tests
## check every response against it.
test-openapi: deps
	REDOCLY_SUPPRESS_UPDATE_NOTICE=true npx --no-install redocly lint docs/openapi.json

test-system: build deps
	tests/system/run.sh $(RELEASE)

test-aws: build deps
	tests/aws/run.sh $(RELEASE)

test-package: package deps
	tests/package/check.sh $$(ls -t build/release/hrapp-*-linux-x86_64.tar.gz | head -1)

test-e2e: build deps
	tests/e2e/run.sh $(RELEASE)

test-infra: package deps
	cd infra && npm ci --no-audit --no-fund --loglevel=error && npm test

## The operator scripts against the real binary, with only `aws` recorded.
test-scripts: build deps
	tests/scripts/run.sh $(RELEASE)

test-asan: build-asan deps
	ctest --preset asan
	tests/system/run.sh $(ASAN)
	tests/aws/run.sh $(ASAN)

## Each fuzz target for FUZZ_SECONDS (60) from its corpus in tests/fuzz/corpus; a finding fails
## the run and is left in build/fuzz/findings (fix it, then add the input to the corpus).
FUZZ_SECONDS ?= 60
fuzz: build-fuzz
	tests/fuzz/run.sh build/fuzz $(FUZZ_SECONDS)

test-fuzz: build-fuzz
	tests/fuzz/run.sh build/fuzz 10

## The tarball the CDK app deploys: needs only what building needs, on x86_64.
package: build
	scripts/dev/package.sh $(RELEASE)

bench: build deps
	bench/run.sh $(RELEASE)

## The per-response compression levels' cost and saving on a directory page (http/content_coding.cpp).
bench-compression: deps-build
	mkdir -p build/bench
	g++ -std=c++20 -O2 -Wall -Wextra -Werror bench/compression_levels.cpp -o build/bench/compression_levels -lbrotlienc -lz
	build/bench/compression_levels

## Lighthouse on the web UI's directory (50 people with camera-like photos), mobile and desktop,
## and what it transfers; writes its section of bench/RESULTS.md.
## What a second factor adds to a sign-in: the TOTP check against bcrypt's.
bench-totp: build
	cmake --build --preset release --target bench_totp
	build/release/bench_totp

bench-web: build deps
	npm ci --prefix bench --no-audit --no-fund --loglevel=error
	node bench/lighthouse.mjs $(RELEASE)

## The fleet rehearsal: three instances behind HAProxy set up like the ALB, under load.
bench-fleet: build deps
	bench/fleet.sh $(RELEASE)

screenshots: build deps
	tests/e2e/run.sh $(RELEASE) node tests/e2e/screenshots.mjs

clean:
	rm -rf build

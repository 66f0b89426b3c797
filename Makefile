# Glassplane's build. `make run` starts it; `make test` runs every test.

KUBE_VERSION := v1.37.2
LDFLAGS := \
  -X k8s.io/component-base/version.gitVersion=$(KUBE_VERSION) \
  -X k8s.io/component-base/version.gitMajor=1 \
  -X k8s.io/component-base/version.gitMinor=37 \
  -X k8s.io/component-base/version.gitTreeState=clean \
  -X k8s.io/client-go/pkg/version.gitVersion=$(KUBE_VERSION) \
  -X k8s.io/client-go/pkg/version.gitMajor=1 \
  -X k8s.io/client-go/pkg/version.gitMinor=37 \
  -X k8s.io/client-go/pkg/version.gitTreeState=clean
export GLASSPLANE_LDFLAGS := $(LDFLAGS)

.PHONY: build run test bench soak crash generate lint web web-test check-tools check-go check-node check-chromium dist dockerfile-steps

# What `make run` and `make test` need, each checked with one line naming
# what is missing and where to get it.
check-tools: check-go check-node

check-go:
	@command -v go >/dev/null || { echo "missing: Go 1.26 or newer (https://go.dev/dl/)"; exit 1; }
	@go version | grep -Eq 'go1\.(2[6-9]|[3-9][0-9])' || { echo "too old: $$(go version); need Go 1.26 or newer (https://go.dev/dl/)"; exit 1; }

check-node:
	@command -v node >/dev/null || { echo "missing: Node.js 20 or newer with npm (https://nodejs.org/ or apt-get install nodejs npm)"; exit 1; }
	@node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' || { echo "too old: Node.js $$(node --version); need 20 or newer (https://nodejs.org/)"; exit 1; }
	@command -v npm >/dev/null || { echo "missing: npm (comes with Node.js: https://nodejs.org/, or apt-get install npm)"; exit 1; }

check-chromium:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null || { echo "missing: Chromium, for the browser tests (apt-get install chromium)"; exit 1; }

build: check-tools web
	go build -ldflags '$(LDFLAGS)' -o bin/glassplane .

# The browser app, bundled into web/dist and embedded in the binary.
web: web/node_modules
	cd web && npm run build

web/node_modules: web/package-lock.json | check-node
	cd web && npm ci --no-audit --no-fund
	touch web/node_modules

web-test: web/node_modules
	cd web && npm run typecheck && npm test

run: build
	./bin/glassplane serve

# Every package is compiled first, in parallel; then the packages' tests run
# one package at a time (-p 1): each starts real control planes and browsers,
# and two such packages at once on a small machine test its load, not them.
test: check-tools check-chromium lint web web-test
	go test -race -count=1 -run '^$$' -ldflags '$(LDFLAGS)' ./... >/dev/null
	go test -race -count=1 -p 1 -parallel 4 -ldflags '$(LDFLAGS)' -timeout 25m ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo "gofmt: the files above need formatting"; exit 1)
	go vet ./...

# Every benchmark, three runs each, written as one table to bench/REPORT.md
# (bench/main.go says how each figure is judged).
bench:
	go run ./bench -o bench/REPORT.md

# A long class day against etcd: churn from 8 sandboxes into a 16 MiB quota
# with compaction every 200 ms; the size must level off and no write fail.
# GLASSPLANE_SOAK_COMPACTION=0 shows the same load without compaction.
soak:
	GLASSPLANE_SOAK=$${GLASSPLANE_SOAK:-10m} go test -count=1 -v -timeout 40m -run 'TestEtcdSizeLevelsOffThroughAClassDayOfChurn' ./controlplane/etcd/

# A release-style archive: the binary (browser app embedded), README and
# LICENSE, as dist/glassplane-<version>-<os>-<arch>.tar.gz.
DIST_NAME := glassplane-$(shell git describe --tags --always --dirty 2>/dev/null || echo dev)-$(shell go env GOOS 2>/dev/null)-$(shell go env GOARCH 2>/dev/null)
dist: build
	rm -rf dist/$(DIST_NAME) && mkdir -p dist/$(DIST_NAME)
	cp bin/glassplane README.md dist/$(DIST_NAME)/
	if [ -f LICENSE ]; then cp LICENSE dist/$(DIST_NAME)/; fi
	tar -C dist -czf dist/$(DIST_NAME).tar.gz $(DIST_NAME)
	@echo "dist/$(DIST_NAME).tar.gz"

# The Dockerfile's steps run on this machine, the result started as the
# image's entrypoint would and checked at /readyz (no container engine needed).
dockerfile-steps: check-tools
	./scripts/dockerfile-steps.sh

generate:
	go generate ./controlplane/apiserver/openapi/

# The crash suite's long variant: SIGKILL glassplane serve at random points,
# GLASSPLANE_CRASH_CYCLES times (default 20), and check every acknowledged
# write survives and the controllers converge.
crash:
	GLASSPLANE_CRASH_CYCLES=$${GLASSPLANE_CRASH_CYCLES:-20} go test -count=1 -v -timeout 60m -ldflags '$(LDFLAGS)' -run 'TestAcknowledgedWritesSurviveSIGKILL|TestEverySandboxOfAClassKeepsItsWritesThroughSIGKILL' .

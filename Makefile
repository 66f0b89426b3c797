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

.PHONY: build run test bench soak crash generate lint web web-test

build: web
	go build -ldflags '$(LDFLAGS)' -o bin/glassplane .

# The browser app, bundled into web/dist and embedded in the binary.
web: web/node_modules
	cd web && npm run build

web/node_modules: web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch web/node_modules

web-test: web/node_modules
	cd web && npm run typecheck && npm test

run: build
	./bin/glassplane serve

# Every package is compiled first, in parallel; then the packages' tests run
# one package at a time (-p 1): each starts real control planes and browsers,
# and two such packages at once on a small machine test its load, not them.
test: lint web web-test
	go test -race -count=1 -run '^$$' -ldflags '$(LDFLAGS)' ./... >/dev/null
	go test -race -count=1 -p 1 -parallel 4 -ldflags '$(LDFLAGS)' -timeout 25m ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo "gofmt: the files above need formatting"; exit 1)
	go vet ./...

bench:
	go test -run '^$$' -bench 'CreateVersusEtcdPut' -benchtime 2000x ./controlplane/
	go test -run '^$$' -bench 'SeedCreateToRunning' -benchtime 30x ./controlplane/
	go test -run '^$$' -bench 'Scheduling' -benchtime 3x ./controlplane/scheduler/
	go test -run '^$$' -bench 'Authorize' ./controlplane/apiserver/authz/
	go test -run '^$$' -bench 'StreamFanOut' -benchtime 20000x -ldflags '$(LDFLAGS)' ./server/
	go test -run '^$$' -bench 'Classroom' -benchtime 1x -timeout 20m -ldflags '$(LDFLAGS)' ./server/

# A long class day against etcd: churn from 8 sandboxes into a 16 MiB quota
# with compaction every 200 ms; the size must level off and no write fail.
# GLASSPLANE_SOAK_COMPACTION=0 shows the same load without compaction.
soak:
	GLASSPLANE_SOAK=$${GLASSPLANE_SOAK:-10m} go test -count=1 -v -timeout 40m -run 'TestEtcdSizeLevelsOffThroughAClassDayOfChurn' ./controlplane/etcd/

generate:
	go generate ./controlplane/apiserver/openapi/

# The crash suite's long variant: SIGKILL glassplane serve at random points,
# GLASSPLANE_CRASH_CYCLES times (default 20), and check every acknowledged
# write survives and the controllers converge.
crash:
	GLASSPLANE_CRASH_CYCLES=$${GLASSPLANE_CRASH_CYCLES:-20} go test -count=1 -v -timeout 60m -ldflags '$(LDFLAGS)' -run 'TestAcknowledgedWritesSurviveSIGKILL|TestEverySandboxOfAClassKeepsItsWritesThroughSIGKILL' .

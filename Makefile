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

.PHONY: build run test bench generate lint web

build:
	go build -ldflags '$(LDFLAGS)' -o bin/glassplane .

run: build
	./bin/glassplane serve

test: lint
	go test -race -count=1 -ldflags '$(LDFLAGS)' -timeout 20m ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo "gofmt: the files above need formatting"; exit 1)
	go vet ./...

bench:
	go test -run '^$$' -bench . -benchtime 2000x -ldflags '$(LDFLAGS)' ./controlplane/...

generate:
	go generate ./controlplane/apiserver/openapi/

#!/bin/sh
# The Dockerfile's steps, in order, on this machine (no container engine
# needed): build the browser app, build the binary with it embedded, lay out
# the runtime image's files under a scratch root, then start the binary as the
# image's ENTRYPOINT and CMD would, with the image's GLASSPLANE_* variables,
# and wait for /readyz to answer ok. Ports: WEB_PORT and API_PORT (default
# 0: free ones, read back from what serve prints, so a Glassplane already
# running on this machine is neither disturbed nor mistaken for this one).
set -eu
cd "$(dirname "$0")/.."
WEB_PORT=${WEB_PORT:-0}
API_PORT=${API_PORT:-0}
ROOT=$(mktemp -d)
trap 'if [ -n "${PID:-}" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi; rm -rf "$ROOT"' EXIT

echo "== stage web: npm ci, npm run build"
(cd web && npm ci --no-audit --no-fund >/dev/null && npm run build >/dev/null)

echo "== stage build: go mod download, go build"
go mod download
KUBE=v1.37.2
go build -o "$ROOT/usr/local/bin/glassplane" -ldflags "\
  -X k8s.io/component-base/version.gitVersion=$KUBE -X k8s.io/component-base/version.gitMajor=1 \
  -X k8s.io/component-base/version.gitMinor=37 -X k8s.io/component-base/version.gitTreeState=clean \
  -X k8s.io/client-go/pkg/version.gitVersion=$KUBE -X k8s.io/client-go/pkg/version.gitMajor=1 \
  -X k8s.io/client-go/pkg/version.gitMinor=37 -X k8s.io/client-go/pkg/version.gitTreeState=clean" .

echo "== runtime: ln -s kubectl, /data, ENTRYPOINT glassplane, CMD serve"
ln -s glassplane "$ROOT/usr/local/bin/kubectl"
mkdir -p "$ROOT/data"
GLASSPLANE_DATA_DIR="$ROOT/data" GLASSPLANE_LISTEN="0.0.0.0:$WEB_PORT" \
  GLASSPLANE_SECURE_LISTEN="0.0.0.0:$API_PORT" GLASSPLANE_SANDBOX_API_LISTEN=127.0.0.1:0 GLASSPLANE_TLS_SAN=localhost \
  "$ROOT/usr/local/bin/glassplane" serve >"$ROOT/serve.log" 2>&1 &
PID=$!

echo "== HEALTHCHECK: /readyz"
i=0
web=""
until [ -n "$web" ] && out=$(curl -fsS "http://$web/readyz?verbose" 2>/dev/null); do
  web=$(sed -n 's|^  Web UI: *http://\(.*\)/$|\1|p' "$ROOT/serve.log" | sed 's|^0\.0\.0\.0:|127.0.0.1:|;s|^\[::\]:|127.0.0.1:|')
  i=$((i + 1))
  if [ "$i" -gt 120 ] || ! kill -0 "$PID" 2>/dev/null; then
    echo "glassplane did not become ready; its output:"; cat "$ROOT/serve.log"; exit 1
  fi
  sleep 0.5
done
echo "$out"
GLASSPLANE_DATA_DIR="$ROOT/data" "$ROOT/usr/local/bin/glassplane" kubectl get --raw /readyz
echo
echo "ok: the image's steps build a binary that starts and answers /readyz"

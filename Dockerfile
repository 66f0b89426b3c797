# Glassplane in a container: one binary, data in /data, run as a user
# without privileges. Its flags come from GLASSPLANE_* variables, so
# `docker run IMAGE serve --classroom` listens on 0.0.0.0 too.
#   docker build -t glassplane .
#   docker run -p 8080:8080 -p 6443:6443 -v glassplane:/data glassplane
#   docker run -p 8080:8080 -p 6443:6443 -v glassplane:/data glassplane serve --classroom
# Then open http://localhost:8080/ and, for your own kubectl:
#   docker exec <container> glassplane kubeconfig --secure-listen localhost:6443 > kc
# Several replicas of a class on one etcd cluster (README, "Several replicas"):
#   docker run -p 8080:8080 -p 6444:6444 glassplane serve --classroom \
#     --etcd-endpoints http://etcd-1:2379,... --advertise-address THIS-HOST:8080 --sandbox-api-public LB:6444

# The browser app, bundled with esbuild.
FROM node:20-bookworm AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

# The Go binary, with the bundle embedded and kubectl version-stamped.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=web /src/web/dist/ web/dist/
RUN KUBE=v1.37.2 && go build -o /out/glassplane -ldflags "\
      -X k8s.io/component-base/version.gitVersion=$KUBE -X k8s.io/component-base/version.gitMajor=1 \
      -X k8s.io/component-base/version.gitMinor=37 -X k8s.io/component-base/version.gitTreeState=clean \
      -X k8s.io/client-go/pkg/version.gitVersion=$KUBE -X k8s.io/client-go/pkg/version.gitMajor=1 \
      -X k8s.io/client-go/pkg/version.gitMinor=37 -X k8s.io/client-go/pkg/version.gitTreeState=clean" .

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/glassplane /usr/local/bin/glassplane
RUN ln -s /usr/local/bin/glassplane /usr/local/bin/kubectl \
 && useradd --system --uid 10001 --user-group --home-dir /data glassplane \
 && mkdir -p /data && chown glassplane:glassplane /data
ENV GLASSPLANE_DATA_DIR=/data \
    GLASSPLANE_LISTEN=0.0.0.0:8080 \
    GLASSPLANE_SECURE_LISTEN=0.0.0.0:6443 \
    GLASSPLANE_SANDBOX_API_LISTEN=0.0.0.0:6444 \
    GLASSPLANE_TLS_SAN=localhost
USER 10001:10001
VOLUME /data
EXPOSE 8080 6443 6444
# /readyz through the API port with the admin kubeconfig the data dir holds
# (the image has no curl): ping, etcd, informer-sync and components.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD ["glassplane", "kubectl", "get", "--raw", "/readyz"]
ENTRYPOINT ["glassplane"]
CMD ["serve"]

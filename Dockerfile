# Glassplane in a container: one binary, data in /data.
#   docker build -t glassplane .
#   docker run -p 8080:8080 -p 6443:6443 -v glassplane:/data glassplane
# Then open http://localhost:8080/ and, for your own kubectl:
#   docker exec <container> glassplane kubeconfig --secure-listen localhost:6443 > kc

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
RUN ln -s /usr/local/bin/glassplane /usr/local/bin/kubectl
ENV GLASSPLANE_DATA_DIR=/data
VOLUME /data
EXPOSE 8080 6443
ENTRYPOINT ["glassplane"]
CMD ["serve", "--listen", "0.0.0.0:8080", "--secure-listen", "0.0.0.0:6443", "--tls-san", "localhost"]

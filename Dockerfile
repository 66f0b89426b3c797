# Glassplane in a container: one static binary, data in /data.
#   docker build -t glassplane .
#   docker run -p 8080:8080 -p 6443:6443 -v glassplane:/data glassplane
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN make build

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/bin/glassplane /usr/local/bin/glassplane
RUN ln -s /usr/local/bin/glassplane /usr/local/bin/kubectl
ENV GLASSPLANE_DATA_DIR=/data
VOLUME /data
EXPOSE 8080 6443
ENTRYPOINT ["glassplane"]
CMD ["serve", "--listen", "0.0.0.0:8080", "--secure-listen", "0.0.0.0:6443"]

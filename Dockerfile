# iamlocal in a container: a static binary built from source, run on a slim Debian with the
# interpreters functions need (python3 with boto3, node), as a non-root user.
#
#   docker build -t iamlocal .
#   docker run --rm -p 127.0.0.1:4566:4566 -e IAMLOCAL_ADMIN_TOKEN=... iamlocal
#
# CI builds the same binary the same way (.ci/run), so this stays buildable without an engine.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Static, reproducible: no cgo, no paths of the build machine, no VCS stamping (the source may
# be a mount without .git, or owned by another user).
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags="-s -w" -o /out/iamlocal ./cmd/iamlocal

FROM debian:bookworm-slim
RUN apt-get update \
	&& apt-get install -y --no-install-recommends ca-certificates curl python3 python3-boto3 nodejs \
	&& rm -rf /var/lib/apt/lists/* \
	&& useradd --system --uid 10001 --home-dir /data --create-home iamlocal
COPY --from=build /out/iamlocal /usr/local/bin/iamlocal
USER iamlocal
WORKDIR /data
# Listening beyond loopback: admin endpoints then need IAMLOCAL_ADMIN_TOKEN or a root-signed
# request (docs/security.md). Publish the port on the host's loopback only.
ENV IAMLOCAL_ADDR=0.0.0.0:4566 IAMLOCAL_DATA_DIR=/data
EXPOSE 4566
VOLUME ["/data"]
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 \
	CMD curl -fsS http://127.0.0.1:4566/_iamlocal/health || exit 1
ENTRYPOINT ["iamlocal"]
CMD ["serve"]

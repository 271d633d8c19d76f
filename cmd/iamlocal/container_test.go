package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// No container engine runs in CI, so the Dockerfile is kept honest by reading: CI builds the
// binary with the very command the Dockerfile runs, and the image runs what the README says.
func TestDockerfileBuildsWhatCIBuilds(t *testing.T) {
	t.Parallel()
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	docker, ci, compose := read("Dockerfile"), read(".ci/run"), read("docker-compose.yml")
	const build = `CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags="-s -w" -o`
	if !strings.Contains(docker, "RUN "+build+" /out/iamlocal ./cmd/iamlocal") || !strings.Contains(ci, build) {
		t.Errorf("the Dockerfile and .ci/run must build with %q", build)
	}
	for _, want := range []string{"USER iamlocal", "HEALTHCHECK", "/_iamlocal/health", "python3-boto3", "nodejs", `CMD ["serve"]`} {
		if !strings.Contains(docker, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	for _, want := range []string{"build: .", "start_period:", "iamlocal-data:/data", "IAMLOCAL_ADMIN_TOKEN", "127.0.0.1:4566:4566"} {
		if !strings.Contains(compose, want) {
			t.Errorf("docker-compose.yml lacks %q", want)
		}
	}
}

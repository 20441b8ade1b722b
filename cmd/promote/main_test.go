package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/crane"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// testRegistry serves an in-memory registry on loopback and returns its host.
func testRegistry(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func TestPromoteImageKeepsDigestAndManifest(t *testing.T) {
	host := testRegistry(t)
	img, err := random.Image(1024, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := crane.Push(img, host+"/src/django:any", crane.Insecure); err != nil {
		t.Fatal(err)
	}
	digest, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	src := host + "/src/django@" + digest.String()

	var out bytes.Buffer
	dst, err := promote(&out, src, host+"/dst/django", crane.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if want := host + "/dst/django@" + digest.String(); dst != want {
		t.Errorf("promote returned %s, want %s", dst, want)
	}
	if got, err := crane.Digest(dst, crane.Insecure); err != nil || got != digest.String() {
		t.Errorf("digest at the destination: %s, %v; want %s", got, err, digest)
	}
	srcManifest, err := crane.Manifest(src, crane.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	dstManifest, err := crane.Manifest(dst, crane.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(srcManifest, dstManifest) {
		t.Errorf("manifests differ:\nsource      %s\ndestination %s", srcManifest, dstManifest)
	}
	if want := "promoted " + src + " → " + dst + "\n"; out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
	// Promoting again is a no-op copy, not an error.
	if _, err := promote(io.Discard, src, host+"/dst/django", crane.Insecure); err != nil {
		t.Errorf("second promotion: %v", err)
	}
}

func TestPromoteIndexKeepsDigestAndEveryPlatform(t *testing.T) {
	host := testRegistry(t)
	var idx v1.ImageIndex = empty.Index
	platforms := []v1.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}}
	for _, p := range platforms {
		img, err := random.Image(512, 1)
		if err != nil {
			t.Fatal(err)
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	ref, err := name.ParseReference(host+"/src/django:any", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(ref, idx); err != nil {
		t.Fatal(err)
	}
	digest, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}

	dst, err := promote(io.Discard, host+"/src/django@"+digest.String(), host+"/dst/django", crane.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if want := host + "/dst/django@" + digest.String(); dst != want {
		t.Errorf("promote returned %s, want %s", dst, want)
	}
	if got, err := crane.Digest(dst, crane.Insecure); err != nil || got != digest.String() {
		t.Errorf("index digest at the destination: %s, %v; want %s", got, err, digest)
	}
	manifest, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range platforms {
		got, err := crane.Digest(dst, crane.Insecure, crane.WithPlatform(&p))
		if err != nil || got != manifest.Manifests[i].Digest.String() {
			t.Errorf("%s image at the destination: %s, %v; want %s", p, got, err, manifest.Manifests[i].Digest)
		}
	}
}

func TestPromoteRefusesRefsNotPinnedByDigest(t *testing.T) {
	host := testRegistry(t)
	for _, src := range []string{
		host + "/src/django:any",
		host + "/src/django",
		host + "/src/django@sha256:abc",
		host + "/src/django:any@sha512:" + strings.Repeat("0", 128),
		"",
	} {
		_, err := promote(io.Discard, src, host+"/dst/django", crane.Insecure)
		if err == nil || !strings.Contains(err.Error(), "not pinned by digest") || !strings.Contains(err.Error(), `"`+src+`"`) {
			t.Errorf("promote(%q): %v; want an error naming it, not pinned by digest", src, err)
		}
	}
}

func TestPromoteRefusesBadDestination(t *testing.T) {
	src := "127.0.0.1:1/src/django@sha256:" + strings.Repeat("a", 64)
	for _, dstRepo := range []string{"127.0.0.1:1/dst/django:tag", "127.0.0.1:1/Dst/django", ""} {
		if _, err := promote(io.Discard, src, dstRepo, crane.Insecure); err == nil || !strings.Contains(err.Error(), "destination repository") {
			t.Errorf("promote to %q: %v; want a destination repository error", dstRepo, err)
		}
	}
}

func TestPromoteMissingSourceFails(t *testing.T) {
	host := testRegistry(t)
	src := host + "/src/django@sha256:" + strings.Repeat("0", 64)
	dst, err := promote(io.Discard, src, host+"/dst/django", crane.Insecure)
	if err == nil || !strings.Contains(err.Error(), src) {
		t.Fatalf("promote of a missing digest: %q, %v; want an error naming the source", dst, err)
	}
	if _, err := crane.Digest(host+"/dst/django@sha256:"+strings.Repeat("0", 64), crane.Insecure); err == nil {
		t.Error("the destination has the missing digest")
	}
}

// The repository root holds the real stack files: dev builds, stg and prd promote.
const root = "../.."

var (
	devRef = "us-central1-docker.pkg.dev/acme-django-dev/django-gke/django@sha256:" + strings.Repeat("1", 64)
	stgRef = "us-central1-docker.pkg.dev/acme-django-stg/django-gke/django@sha256:" + strings.Repeat("2", 64)
)

// stub answers stack outputs from a map and records the calls.
type stub struct {
	outputs map[string]string
	calls   []string
}

func (s *stub) output(stack, output string) (string, error) {
	s.calls = append(s.calls, stack+" "+output)
	v, ok := s.outputs[stack]
	if !ok {
		return "", errors.New("no such stack")
	}
	return v, nil
}

func TestResolvePromoteFromReadsTheSourceStack(t *testing.T) {
	s := &stub{outputs: map[string]string{"organization/django-gke/dev": devRef, "organization/django-gke/stg": stgRef}}
	r := resolver{stackOutput: s.output}
	for _, tc := range []struct{ stack, call, src, dstRepo string }{
		{"stg", "organization/django-gke/dev imageRef", devRef, "us-central1-docker.pkg.dev/acme-django-stg/django-gke/django"},
		{"prd", "organization/django-gke/stg imageRef", stgRef, "us-central1-docker.pkg.dev/acme-django-prd/django-gke/django"},
	} {
		s.calls = nil
		src, dstRepo, err := r.resolve(root, tc.stack, "")
		if err != nil {
			t.Fatalf("%s: %v", tc.stack, err)
		}
		if src != tc.src || dstRepo != tc.dstRepo {
			t.Errorf("%s: resolved %s → %s, want %s → %s", tc.stack, src, dstRepo, tc.src, tc.dstRepo)
		}
		if len(s.calls) != 1 || s.calls[0] != tc.call {
			t.Errorf("%s: stack outputs read %q, want [%q]", tc.stack, s.calls, tc.call)
		}
	}
}

func TestResolveFromWins(t *testing.T) {
	s := &stub{}
	from := "europe-west1-docker.pkg.dev/elsewhere/releases/django@sha256:" + strings.Repeat("3", 64)
	src, dstRepo, err := resolver{stackOutput: s.output}.resolve(root, "prd", from)
	if err != nil {
		t.Fatal(err)
	}
	if src != from || dstRepo != "us-central1-docker.pkg.dev/acme-django-prd/django-gke/django" {
		t.Errorf("resolved %s → %s", src, dstRepo)
	}
	if len(s.calls) != 0 {
		t.Errorf("-from given, yet stack outputs were read: %q", s.calls)
	}
}

func TestResolveImageRefWinsOverPromoteFrom(t *testing.T) {
	dir := t.TempDir()
	project, err := os.ReadFile(filepath.Join(root, "Pulumi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	stg, err := os.ReadFile(filepath.Join(root, "Pulumi.stg.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	pinned := string(stg) + "  django-gke:image:\n    ref: " + devRef + "\n"
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), project, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Pulumi.pinned.yaml"), []byte(pinned), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &stub{}
	src, dstRepo, err := resolver{stackOutput: s.output}.resolve(dir, "pinned", "")
	if err != nil {
		t.Fatal(err)
	}
	if src != devRef || dstRepo != "us-central1-docker.pkg.dev/acme-django-stg/django-gke/django" {
		t.Errorf("resolved %s → %s", src, dstRepo)
	}
	if len(s.calls) != 0 {
		t.Errorf("image.ref set, yet stack outputs were read: %q", s.calls)
	}
}

func TestResolveRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, stack string
		outputs     map[string]string
		want        []string
	}{
		{"a stack that builds", "dev", nil, []string{"stack dev builds its image; nothing to promote"}},
		{"a local stack", "local", nil, []string{"stack local has env local", "no registry"}},
		{"no stack", "", nil, []string{"no stack given", "stg"}},
		{"unknown stack", "qa", nil, []string{"stack qa", "no such stack"}},
		{"source never deployed", "stg", nil, []string{"organization/django-gke/dev", "pulumi up", "-from"}},
		{"source exports no digest", "stg", map[string]string{"organization/django-gke/dev": "django:latest"},
			[]string{"organization/django-gke/dev", `"django:latest"`, "pulumi up"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &stub{outputs: tc.outputs}
			_, _, err := resolver{stackOutput: s.output}.resolve(root, tc.stack, "")
			if err == nil {
				t.Fatal("resolved; want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestRunDryRunCopiesNothing(t *testing.T) {
	from := "127.0.0.1:1/src/django@sha256:" + strings.Repeat("4", 64)
	var out bytes.Buffer
	if err := run(context.Background(), &out, root, "stg", from, true); err != nil {
		t.Fatal(err)
	}
	want := "would promote " + from + " → us-central1-docker.pkg.dev/acme-django-stg/django-gke/django@sha256:" + strings.Repeat("4", 64)
	if !strings.HasPrefix(out.String(), want) {
		t.Errorf("dry run printed %q, want it to start with %q", out.String(), want)
	}
	if err := run(context.Background(), io.Discard, root, "stg", "127.0.0.1:1/src/django:v1", true); err == nil ||
		!strings.Contains(err.Error(), "127.0.0.1:1/src/django:v1") {
		t.Errorf("dry run of a tag: %v; want an error naming it", err)
	}
}

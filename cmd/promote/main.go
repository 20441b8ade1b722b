// Command promote copies the app image, by digest, from the stack a stack
// promotes from into the stack's own Artifact Registry repository, where its
// workload pulls it: <region>-docker.pkg.dev/<project>/<repository>/django@<the
// source's digest>. Images and multi-platform indexes keep their digest.
//
//	promote -stack <stack> [-dir .] [-from <ref@sha256:…>] [-dry-run]
//
// The source is -from, else the stack's image.ref, else the imageRef output of
// its image.promoteFrom stack (read with `pulumi stack output`). Credentials
// are gcloud's / Application Default Credentials, then Docker's config.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/crane"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/google"

	"django-gke/infra/config"
	"django-gke/infra/imageref"
	"django-gke/infra/stackfile"
)

func main() {
	stack := flag.String("stack", "", "stack to promote to: any Pulumi.<stack>.yaml in -dir")
	dir := flag.String("dir", ".", "directory holding Pulumi.yaml")
	from := flag.String("from", "", "source image pinned by digest (…@sha256:…); default: image.ref, else the imageRef output of image.promoteFrom")
	dryRun := flag.Bool("dry-run", false, "print what would be copied; copy nothing")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "promote: unexpected arguments %q: use -stack <name> [-dir .] [-from <ref@sha256:…>] [-dry-run]\n", flag.Args())
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, *dir, *stack, *from, *dryRun); err != nil {
		fmt.Fprintf(os.Stderr, "promote: %v\n", err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, dir, stack, from string, dryRun bool) error {
	r := resolver{stackOutput: pulumiStackOutput(ctx, dir)}
	src, dstRepo, err := r.resolve(dir, stack, from)
	if err != nil {
		return err
	}
	if dryRun {
		dst, err := destination(src, dstRepo)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "would promote %s → %s (dry run: nothing copied)\n", src, dst)
		return err
	}
	auth := authn.NewMultiKeychain(google.Keychain, authn.DefaultKeychain)
	_, err = promote(w, src, dstRepo, crane.WithAuthFromKeychain(auth), crane.WithContext(ctx))
	return err
}

// resolver finds what to copy; stackOutput reads another stack's output (the
// Pulumi CLI in production, a stub in tests).
type resolver struct {
	stackOutput func(stack, output string) (string, error)
}

// resolve returns the source digest reference and the destination repository
// (the app image's path in the stack's own registry).
func (r resolver) resolve(dir, stack, from string) (src, dstRepo string, err error) {
	if stack == "" {
		return "", "", fmt.Errorf("no stack given: use -stack <name> (stacks here: %v)", stackfile.Stacks(dir))
	}
	cfg, _, err := stackfile.LoadConfig(dir, stack)
	if err != nil {
		return "", "", fmt.Errorf("stack %s:\n%w", stack, err)
	}
	if cfg.Image.Build {
		return "", "", fmt.Errorf("stack %s builds its image; nothing to promote", stack)
	}
	if cfg.Env == config.Local {
		return "", "", fmt.Errorf("stack %s has env local: it runs image.ref as is, with no registry to promote to", stack)
	}
	dstRepo = imageref.ImageRepository(cfg.Region, cfg.Project, cfg.Image.Repository)
	switch {
	case from != "":
		src = from
	case cfg.Image.Ref != "":
		src = cfg.Image.Ref
	case cfg.Image.PromoteFrom != "":
		source := cfg.Image.PromoteFrom
		out, err := r.stackOutput(source, "imageRef")
		if err != nil {
			return "", "", fmt.Errorf("reading the imageRef output of stack %s (run `pulumi up` on %s first, or pass -from <ref@sha256:…>): %w", source, source, err)
		}
		if _, _, _, ok := imageref.ParseArtifactRegistryRef(out); !ok {
			return "", "", fmt.Errorf("stack %s exports imageRef %q, not an Artifact Registry digest (…-docker.pkg.dev/<project>/<repo>/<image>@sha256:…): run `pulumi up` on %s first, or pass -from <ref@sha256:…>", source, out, source)
		}
		src = out
	default:
		return "", "", fmt.Errorf("stack %s has neither image.ref nor image.promoteFrom: pass -from <ref@sha256:…>", stack)
	}
	return src, dstRepo, nil
}

// pulumiStackOutput reads a stack output with the Pulumi CLI on PATH, run in
// dir so the project's backend settings apply.
func pulumiStackOutput(ctx context.Context, dir string) func(stack, output string) (string, error) {
	return func(stack, output string) (string, error) {
		cmd := exec.CommandContext(ctx, "pulumi", "stack", "output", output, "--stack", stack)
		cmd.Dir = dir
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			if msg := strings.TrimSpace(stderr.String()); msg != "" {
				return "", fmt.Errorf("pulumi stack output %s --stack %s: %w: %s", output, stack, err, msg)
			}
			return "", fmt.Errorf("pulumi stack output %s --stack %s: %w", output, stack, err)
		}
		return strings.TrimSpace(stdout.String()), nil
	}
}

// digestRef is a reference pinned by a sha256 digest: <repository>@sha256:<64 hex>.
var digestRef = regexp.MustCompile(`^([^@]+)@(sha256:[a-f0-9]{64})$`)

// destination is src's digest in dstRepo; src must be pinned by digest.
func destination(src, dstRepo string) (string, error) {
	m := digestRef.FindStringSubmatch(src)
	if m == nil {
		return "", fmt.Errorf("source %q is not pinned by digest (<repository>@sha256:<64 hex digits>)", src)
	}
	if _, err := name.NewDigest(src); err != nil {
		return "", fmt.Errorf("source %q: %w", src, err)
	}
	if _, err := name.NewRepository(dstRepo); err != nil {
		return "", fmt.Errorf("destination repository %q (no tag, no digest): %w", dstRepo, err)
	}
	return dstRepo + "@" + m[2], nil
}

// promote copies src (pinned by digest) into dstRepo under the same digest,
// checks the digest there, and returns the destination reference. An index
// is copied whole, with every platform's image.
func promote(w io.Writer, src, dstRepo string, opts ...crane.Option) (string, error) {
	dst, err := destination(src, dstRepo)
	if err != nil {
		return "", err
	}
	want := dst[strings.LastIndex(dst, "@")+1:]
	if err := crane.Copy(src, dst, opts...); err != nil {
		return "", fmt.Errorf("copying %s to %s: %w", src, dst, err)
	}
	got, err := crane.Digest(dst, opts...)
	if err != nil {
		return "", fmt.Errorf("checking %s after the copy: %w", dst, err)
	}
	if got != want {
		return "", fmt.Errorf("%s has digest %s after the copy, want %s", dst, got, want)
	}
	if _, err := fmt.Fprintf(w, "promoted %s → %s\n", src, dst); err != nil {
		return "", err
	}
	return dst, nil
}

package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// TestCIDeploysThroughMakeUp: the deploy action runs `make up` (the path
// people use, which copies a promoted digest into the stack's registry before
// the full up), never `pulumi up` on its own: stg/prd pods would otherwise
// wait for an image their registry does not have.
func TestCIDeploysThroughMakeUp(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot(), ".github", "actions", "pulumi-up", "action.yml"))
	require.NoError(t, err)
	var action struct {
		Runs struct {
			Steps []struct {
				Uses string            `yaml:"uses"`
				Run  string            `yaml:"run"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	require.NoError(t, yaml.Unmarshal(b, &action))
	makeUp := 0
	for _, s := range action.Runs.Steps {
		if strings.HasPrefix(s.Uses, "pulumi/actions") {
			assert.Empty(t, s.With["command"], "pulumi/actions only installs the CLI")
		}
		assert.NotRegexp(t, `(?m)^\s*pulumi up\b`, s.Run, "no pulumi up beside make up")
		if strings.Contains(s.Run, `make up STACK=`) {
			makeUp++
		}
	}
	assert.Equal(t, 1, makeUp, "the action deploys with make up")
}

// TestMakeUpCopiesThePromotedImageFirst runs scripts/pulumi.sh up for stg
// with stand-ins for the CLIs it drives (pulumi, gcloud, the auth plugin,
// `go run ./cmd/promote`; the offline plan is the real cmd/plan) and checks
// the order: the registry alone, the copy, then everything, non-interactively
// in CI.
func TestMakeUpCopiesThePromotedImageFirst(t *testing.T) {
	plan := buildPlan(t)
	bin := t.TempDir()
	log := filepath.Join(t.TempDir(), "calls.log")
	stub := func(name, body string) {
		require.NoError(t, os.WriteFile(filepath.Join(bin, name), []byte("#!/usr/bin/env bash\n"+body+"\n"), 0o755))
	}
	stub("pulumi", `echo "pulumi $*" >>"$CALLS"`)
	stub("gcloud", `exit 0`)
	stub("gke-gcloud-auth-plugin", `exit 0`)
	stub("go", `if [ "$1 $2" = "run ./cmd/plan" ]; then shift 2; exec "$PLAN_BIN" "$@"; fi
echo "go $*" >>"$CALLS"`)
	cmd := exec.Command("bash", filepath.Join(repoRoot(), "scripts", "pulumi.sh"), "up", "stg")
	cmd.Dir = repoRoot()
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "CALLS="+log, "PLAN_BIN="+plan,
		"GOOGLE_APPLICATION_CREDENTIALS=/dev/null", "PULUMI_STACK=acme/django-gke/stg", "PULUMI_UP_FLAGS=--yes --skip-preview")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	calls, err := os.ReadFile(log)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(calls)), "\n")
	require.Len(t, lines, 4, "%s", calls)
	assert.Equal(t, "pulumi stack select acme/django-gke/stg --create", lines[0])
	assert.Regexp(t, `^pulumi up --stack acme/django-gke/stg --target=\S+gcp:artifactregistry/repository:Repository::django-gke-stg-registry `, lines[1])
	assert.Contains(t, lines[1], " --yes")
	assert.Equal(t, "go run ./cmd/promote -stack stg", lines[2], "the copy comes after the registry and before the workload")
	assert.Equal(t, "pulumi up --stack acme/django-gke/stg --yes --skip-preview", lines[3])
}

package tests

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

var (
	planBinaryOnce sync.Once
	planBinary     string
	planBinaryErr  error
)

// buildPlan builds cmd/plan once per test run (the same binary `make plan` runs).
func buildPlan(t *testing.T) string {
	t.Helper()
	planBinaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "django-gke-plan-")
		if err != nil {
			planBinaryErr = err
			return
		}
		planBinary = filepath.Join(dir, "plan")
		cmd := exec.Command("go", "build", "-o", planBinary, "./cmd/plan")
		cmd.Dir = repoRoot()
		if out, err := cmd.CombinedOutput(); err != nil {
			planBinaryErr = err
			planBinary = string(out)
		}
	})
	require.NoError(t, planBinaryErr, planBinary)
	return planBinary
}

type planRun struct {
	code           int
	stdout, stderr string
	elapsed        time.Duration
}

func runPlan(t *testing.T, dir string, args ...string) planRun {
	t.Helper()
	cmd := exec.Command(buildPlan(t), args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := planRun{stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(start)}
	if exit, ok := err.(*exec.ExitError); ok {
		r.code = exit.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return r
}

func assertNoPanic(t *testing.T, r planRun) {
	t.Helper()
	for _, s := range []string{r.stdout, r.stderr} {
		assert.NotContains(t, s, "panic")
		assert.NotContains(t, s, "goroutine ")
	}
}

func TestPlanCommandForEveryStack(t *testing.T) {
	out := t.TempDir()
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			r := runPlan(t, repoRoot(), "-stack", stack, "-out", out)
			require.Equal(t, 0, r.code, r.stderr)
			t.Logf("plan %s: %.2fs (warm binary)", stack, r.elapsed.Seconds())
			assert.Contains(t, r.stdout, "Stack "+stack+" (project django-gke, env "+stack+")")
			assert.Contains(t, r.stdout, "django-gke:components:Network django-gke-"+stack)
			assert.Contains(t, r.stdout, "Resources by type:")
			assert.Contains(t, r.stdout, "kubeconfig: [secret]")
			files, err := filepath.Glob(filepath.Join(out, stack, "*.yaml"))
			require.NoError(t, err)
			require.NotEmpty(t, files)
			for _, f := range files {
				text, err := os.ReadFile(f)
				require.NoError(t, err)
				var obj map[string]any
				require.NoError(t, yaml.Unmarshal(text, &obj), f)
				assert.NotEmpty(t, obj["apiVersion"], f)
				assert.NotEmpty(t, obj["kind"], f)
				if obj["kind"] == "Secret" {
					want := map[string]any{"DJANGO_SECRET_KEY": "[secret]", "DB_PASSWORD": "[secret]"}
					if stack != "dev" { // stg and prd have a cache server
						want["CACHE_REDIS_PASSWORD"] = "[secret]"
					}
					assert.Equal(t, want, obj["stringData"], "secret values never reach plan files")
				}
			}
			assert.Contains(t, r.stdout, filepath.Join(out, stack))
		})
	}
}

func TestPlanCommandRejectsBadInput(t *testing.T) {
	dir := stackDir(t, "bad", `config:
  gcp:project: acme-django-bad
  django-gke:env: dev
  django-gke:capacity:
    targetRps: -5
  django-gke:release:
    activeColor: red
`)
	r := runPlan(t, dir, "-stack", "bad", "-out", t.TempDir())
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "django-gke:capacity.targetRps: -5 is not allowed: must be > 0")
	assert.Contains(t, r.stderr, `django-gke:release.activeColor: "red" is not allowed: must be one of blue, green`)
	assertNoPanic(t, r)

	r = runPlan(t, dir, "-stack", "missing", "-out", t.TempDir())
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, `no such stack "missing"`)
	assertNoPanic(t, r)

	r = runPlan(t, dir, "-out", t.TempDir())
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "no stack given")

	broken := stackDir(t, "broken", "config: [not, a, map\n")
	r = runPlan(t, broken, "-stack", "broken", "-out", t.TempDir())
	assert.Equal(t, 1, r.code)
	assert.True(t, strings.Contains(r.stderr, "Pulumi.broken.yaml"), r.stderr)
	assertNoPanic(t, r)
}

// TestPlanDiffShowsAPodTpsChange runs `plandiff` end to end in a snapshot of
// the working tree committed as HEAD (what this test binary was built from,
// committed or not): after podTps changes in Pulumi.prd.yaml, the diff against
// HEAD names the HPA's new maxReplicas and the yearly cost delta.
func TestPlanDiffShowsAPodTpsChange(t *testing.T) {
	clone := snapshotRepo(t)
	prd := filepath.Join(clone, "Pulumi.prd.yaml")
	text := editStackFile(t, clone, "prd", func(s string) string {
		return strings.Replace(s, "    targetRps: 10000\n", "    targetRps: 10000\n    podTps: 50\n", 1)
	})

	cmd := exec.Command("go", "run", "./cmd/plandiff", "-stack", "prd", "-base", "HEAD")
	cmd.Dir = clone
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	s := string(out)
	// The HPA's ceiling the program declares with podTps 50 (mixed with the
	// cache's hits), from the measured TPS's ceiling before. The misses are
	// slow enough that more nodes run at peak, so the autoscaled cost moves
	// too (with the cache, a small podTps change can stay within the same
	// node count).
	edit, err := planWith(t, "prd", map[string]string{"django-gke:capacity": `{"targetRps": 10000, "podTps": 50}`})
	require.NoError(t, err)
	want := in(t, obj(t, edit, hpaType, "web"), "spec.maxReplicas")
	assert.Contains(t, s, fmt.Sprintf("HorizontalPodAutoscaler web: spec.maxReplicas %d → %d", stackPlan(t, "prd").HPAMaxReplicas, want))
	assert.Contains(t, s, "NodePool django-gke-prd-pool: autoscaling.totalMaxNodeCount")
	assert.Regexp(t, `yearlyCostUsd: [0-9.]+ → [0-9.]+ \(\+[0-9.]+ USD a year\)`, s)
	assert.NotContains(t, s, "Added", "nothing is added or removed by a sizing change")

	// The working tree equal to HEAD: no changes at all.
	require.NoError(t, os.WriteFile(prd, []byte(text), 0o644))
	cmd = exec.Command("go", "run", "./cmd/plandiff", "-stack", "prd", "-base", "HEAD")
	cmd.Dir = clone
	out, err = cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "No changes to stack prd.")
}

// editStackFile rewrites Pulumi.<stack>.yaml in dir with edit, which must
// change it, and returns the text it had before.
func editStackFile(t *testing.T, dir, stack string, edit func(string) string) string {
	t.Helper()
	path := filepath.Join(dir, "Pulumi."+stack+".yaml")
	text, err := os.ReadFile(path)
	require.NoError(t, err)
	edited := edit(string(text))
	require.NotEqual(t, string(text), edited, "the edit of %s changes it", path)
	require.NoError(t, os.WriteFile(path, []byte(edited), 0o644))
	return string(text)
}

// snapshotRepo copies the working tree (tracked files and untracked ones git
// does not ignore, as they are now) into a new repository with one commit.
func snapshotRepo(t *testing.T) string {
	t.Helper()
	root := repoRoot()
	list, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	require.NoError(t, err, "git ls-files")
	dir := filepath.Join(t.TempDir(), "repo")
	for _, name := range strings.Split(strings.TrimRight(string(list), "\x00"), "\x00") {
		src := filepath.Join(root, name)
		info, err := os.Lstat(src)
		if os.IsNotExist(err) {
			continue // deleted in the working tree
		}
		require.NoError(t, err)
		if !info.Mode().IsRegular() {
			continue
		}
		data, err := os.ReadFile(src)
		require.NoError(t, err)
		dst := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(dst), 0o755))
		require.NoError(t, os.WriteFile(dst, data, info.Mode().Perm()))
	}
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-c", "user.name=test", "-c", "user.email=test@example.invalid"}, args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "git %v: %s", args, out)
	}
	git("init", "--quiet")
	git("add", "--all")
	git("commit", "--quiet", "--message", "the working tree")
	return dir
}

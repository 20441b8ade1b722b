//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
)

// localRegion is one of the test's two local clusters, standing for a region.
type localRegion struct {
	region, name string // the GCP region it stands for; CLUSTER_NAME
	portOffset   int
	state        string
	api          *apiClient
}

func (r *localRegion) env() []string {
	return []string{"CLUSTER_NAME=" + r.name, "CLUSTER_PORT_OFFSET=" + strconv.Itoa(r.portOffset),
		// The test stops this API server for minutes: the node lifecycle
		// controller must not mark the nodes NotReady for a gap it could not see.
		"CLUSTER_NODE_MONITOR_GRACE=15m"}
}

// signalAPIServer stops (SIGSTOP: connections hang, as to a region that is
// gone) or resumes the region's kube-apiserver.
func (r *localRegion) signalAPIServer(t *testing.T, sig syscall.Signal) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.state, "apiserver.pid"))
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	require.NoError(t, err)
	require.NoError(t, syscall.Kill(pid, sig), "signal %v to %s's kube-apiserver", sig, r.name)
}

// gunicornImage is the image of the web Deployment's gunicorn container in the region.
func (r *localRegion) gunicornImage(t *testing.T) string {
	t.Helper()
	var dep appsv1.Deployment
	r.api.get(t, "/apis/apps/v1/namespaces/django/deployments/web", &dep)
	for _, c := range dep.Spec.Template.Spec.Containers {
		if c.Name == "gunicorn" {
			return c.Image
		}
	}
	t.Fatalf("%s: no gunicorn container in Deployment web", r.name)
	return ""
}

// jobImages are the images of the region's migrations Jobs that succeeded.
func (r *localRegion) jobImages(t *testing.T) []string {
	t.Helper()
	var jobs batchv1.JobList
	r.api.get(t, "/apis/batch/v1/namespaces/django/jobs", &jobs)
	var out []string
	for _, j := range jobs.Items {
		if j.Status.Succeeded == 1 && len(j.Spec.Template.Spec.Containers) > 0 {
			out = append(out, j.Spec.Template.Spec.Containers[0].Image)
		}
	}
	return out
}

// writeRegionsStack writes env local's stack with regions.list: the regions
// in order (the first holds the primary), lost marking those whose control
// plane does not answer, and the image every region runs.
func writeRegionsStack(t *testing.T, dir, image string, lost map[string]bool, regions ...*localRegion) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "config:\n  django-gke:env: local\n  django-gke:image:\n    ref: %s\n", image)
	b.WriteString("  django-gke:database:\n    host: 10.96.100.10\n    port: 5432\n")
	b.WriteString("  django-gke:regions:\n    list:\n")
	for _, r := range regions {
		fmt.Fprintf(&b, "      - region: %s\n        trafficShare: 0.5\n        kubeconfig: %s\n", r.region, filepath.Join(r.state, "kubeconfig"))
		if lost[r.region] {
			b.WriteString("        lost: true\n")
		}
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.local.yaml"), []byte(b.String()), 0o644))
}

// TestLostRegionOnTheRealEngine is the README's regional failover on the real
// engine and the real kubernetes provider, with two local clusters standing
// for two regions. The primary's region (us-central1) loses its control plane
// (its kube-apiserver stopped: connections hang). Flipping the regions alone
// fails, as it did before regions.list[].lost existed: the kubernetes provider
// refuses the unreachable cluster. Marked lost, the flip completes — the
// surviving region migrates and rolls out the new image, the lost region's
// old migrations Job leaves the state without a call to its cluster — and
// so do later ups and a preview, while nothing is sent to the lost cluster.
// When the region is back and unmarked, one up brings it to what the stack
// declares.
func TestLostRegionOnTheRealEngine(t *testing.T) {
	root := repoRoot()
	scripts := filepath.Join(root, "scripts", "cluster")
	usc1 := &localRegion{region: "us-central1", name: "lostusc1", portOffset: 200}
	euw1 := &localRegion{region: "europe-west1", name: "losteuw1", portOffset: 300}
	for _, r := range []*localRegion{usc1, euw1} {
		r.state = filepath.Join(root, "build", "cluster-"+r.name)
		_, _ = run(t, nil, root, r.env(), filepath.Join(scripts, "down.sh"))
		// Registered before up: a cluster-up that fails half-way is stopped too,
		// and a stopped API server is resumed so that it can be stopped.
		t.Cleanup(func() {
			if b, err := os.ReadFile(filepath.Join(r.state, "apiserver.pid")); err == nil {
				if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
					_ = syscall.Kill(pid, syscall.SIGCONT)
				}
			}
			cmd := exec.Command(filepath.Join(scripts, "down.sh"))
			cmd.Env = append(os.Environ(), r.env()...)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("cluster-down %s: %v\n%s", r.name, err, out)
			}
		})
		_, d := run(t, nil, root, r.env(), filepath.Join(scripts, "up.sh"))
		t.Logf("cluster-up %s: %.1fs", r.name, d.Seconds())
		r.api = newClusterClient(t, r.state, 16443+r.portOffset)
	}

	engine := filepath.Join(t.TempDir(), "engine")
	run(t, nil, root, nil, "go", "build", "-o", engine, "./cmd/engine")
	dir := workdir(t, "")
	env := []string{"PULUMI_BACKEND_URL=file://" + t.TempDir()}
	engineRun := func(api *apiClient, args ...string) string {
		t.Helper()
		out, d := run(t, api, dir, env, engine, append([]string{"-stack", "local", "-dir", dir}, args...)...)
		t.Logf("engine %s: %.1fs", strings.Join(args, " "), d.Seconds())
		return out
	}
	const v1, v2, v3 = "registry.local/django-gke/django:v1", "registry.local/django-gke/django:v2", "registry.local/django-gke/django:v3"

	// Both regions serve v1; only the primary's region migrates.
	writeRegionsStack(t, dir, v1, nil, usc1, euw1)
	engineRun(usc1.api, "-action", "up")
	for _, r := range []*localRegion{usc1, euw1} {
		assert.Equal(t, v1, r.gunicornImage(t), r.region)
	}
	assert.Equal(t, []string{v1}, usc1.jobImages(t), "the primary's region ran the migrations")
	assert.Empty(t, euw1.jobImages(t), "a replica region waits for the primary's migrations")

	// us-central1 is gone: its API server accepts connections and never answers.
	usc1.signalAPIServer(t, syscall.SIGSTOP)
	lostSince := time.Now()

	// The flip alone (europe-west1 first, with a new release) cannot complete.
	writeRegionsStack(t, dir, v2, nil, euw1, usc1)
	cmd := exec.Command(engine, "-stack", "local", "-dir", dir, "-action", "up")
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "an up that reaches the lost cluster fails:\n%s", out)
	assert.Contains(t, string(out), "unreachable", "the kubernetes provider refuses the lost cluster")

	// Marked lost, it completes: europe-west1 migrates and serves v2.
	lost := map[string]bool{usc1.region: true}
	writeRegionsStack(t, dir, v2, lost, euw1, usc1)
	flipped := engineRun(euw1.api, "-action", "up")
	assert.Contains(t, flipped, "Deleting the unreachable resource from Pulumi state",
		"the lost region's migrations Job (the primary's no longer) leaves the state without a call to its cluster")
	assert.Equal(t, v2, euw1.gunicornImage(t))
	assert.Contains(t, euw1.jobImages(t), v2, "the new primary's region migrated")

	// Later ups work while the region is lost: another release, then nothing to do.
	writeRegionsStack(t, dir, v3, lost, euw1, usc1)
	engineRun(euw1.api, "-action", "up")
	assert.Equal(t, v3, euw1.gunicornImage(t))
	engineRun(euw1.api, "-action", "preview", "-expect-no-changes")
	t.Logf("us-central1 unreachable for %.0fs: the flip, a release and a preview completed", time.Since(lostSince).Seconds())

	// The region is back: nothing was sent to it while it was lost.
	usc1.signalAPIServer(t, syscall.SIGCONT)
	usc1.api.eventually(t, "us-central1's API server answering", 60*time.Second, func() (bool, string) {
		code, body, err := usc1.api.do("GET", "/readyz", nil)
		return err == nil && code == 200, fmt.Sprintf("%d %s %v", code, body, err)
	})
	assert.Equal(t, v1, usc1.gunicornImage(t), "the lost region kept what it had")
	assert.Equal(t, []string{v1}, usc1.jobImages(t),
		"its finished migrations Job is still on the cluster (only the state forgot it)")

	// Unmarked, one up brings it to what the stack declares.
	writeRegionsStack(t, dir, v3, nil, euw1, usc1)
	engineRun(usc1.api, "-action", "up")
	assert.Equal(t, v3, usc1.gunicornImage(t), "the returned region rolled out the current release")
	usc1.api.eventually(t, "Deployment web available in us-central1", 90*time.Second, func() (bool, string) {
		var dep appsv1.Deployment
		usc1.api.get(t, "/apis/apps/v1/namespaces/django/deployments/web", &dep)
		return dep.Status.UpdatedReplicas == dep.Status.Replicas && dep.Status.AvailableReplicas == dep.Status.Replicas && dep.Status.Replicas > 0,
			fmt.Sprintf("replicas %d, updated %d, available %d", dep.Status.Replicas, dep.Status.UpdatedReplicas, dep.Status.AvailableReplicas)
	})
	engineRun(usc1.api, "-action", "preview", "-expect-no-changes")

	// destroy empties both clusters (the namespace takes the stale Job with it).
	engineRun(usc1.api, "-action", "destroy")
	for _, r := range []*localRegion{usc1, euw1} {
		r.api.eventually(t, r.region+"'s namespace gone", 120*time.Second, func() (bool, string) {
			code, _, err := r.api.do("GET", "/api/v1/namespaces/django", nil)
			return err == nil && code == 404, fmt.Sprintf("GET namespace: %d %v", code, err)
		})
	}
}

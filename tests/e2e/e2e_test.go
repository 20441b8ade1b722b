//go:build e2e

// Package e2e runs the program for real: the Pulumi engine (built from source
// by make engine), the pulumi-kubernetes provider, and a real kube-apiserver
// with admission (make cluster-up), all on 127.0.0.1. Run by make test-e2e.
package e2e

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
)

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(filepath.Dir(file)))
}

// apiClient talks to a local kube-apiserver as the admin user.
type apiClient struct {
	base string
	http *http.Client
	// state is the cluster's directory (build/cluster): its PKI and logs.
	state string
}

// newAPIClient is the client of make cluster-up's cluster.
func newAPIClient(t *testing.T) *apiClient {
	return newClusterClient(t, filepath.Join(repoRoot(), "build", "cluster"), 16443)
}

// newClusterClient is the client of the cluster in state, whose API listens on port.
func newClusterClient(t *testing.T, state string, port int) *apiClient {
	pki := filepath.Join(state, "pki")
	ca, err := os.ReadFile(filepath.Join(pki, "ca.crt"))
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(ca))
	cert, err := tls.LoadX509KeyPair(filepath.Join(pki, "admin.crt"), filepath.Join(pki, "admin.key"))
	require.NoError(t, err)
	return &apiClient{base: fmt.Sprintf("https://127.0.0.1:%d", port), state: state, http: &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}},
	}}}
}

func (c *apiClient) do(method, path string, body any) (int, []byte, error) {
	var reader io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		reader = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, reader)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func (c *apiClient) get(t *testing.T, path string, into any) {
	t.Helper()
	code, body, err := c.do("GET", path, nil)
	require.NoError(t, err)
	require.Equal(t, 200, code, "GET %s: %s", path, body)
	require.NoError(t, json.Unmarshal(body, into), path)
}

func (c *apiClient) exists(path string) bool {
	code, _, err := c.do("GET", path, nil)
	return err == nil && code == 200
}

// eventually polls cond until it holds or the deadline passes; on timeout it
// reports the last detail and what the cluster looked like.
func (c *apiClient) eventually(t *testing.T, what string, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for time.Now().Before(deadline) {
		ok, detail := cond()
		if ok {
			return
		}
		last = detail
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("%s did not happen within %s: %s\n%s", what, timeout, last, c.clusterState())
}

// list GETs a list into v and says why not instead of failing the test (the
// diagnostics must never hide the failure they describe).
func (c *apiClient) list(path string, v any) error {
	code, body, err := c.do("GET", path, nil)
	if err != nil {
		return err
	}
	if code != 200 {
		return fmt.Errorf("GET %s: %d %s", path, code, body)
	}
	return json.Unmarshal(body, v)
}

// clusterState is what a failed wait prints: node conditions and heartbeats,
// node Leases, the app's pods with their conditions and container states,
// recent warning events, and the controller manager's node-health log lines.
func (c *apiClient) clusterState() string {
	var b strings.Builder
	now := time.Now()
	age := func(t time.Time) string { return fmt.Sprintf("%.0fs ago", now.Sub(t).Seconds()) }
	b.WriteString("--- cluster state at " + now.Format(time.RFC3339) + "\n")
	var nodes corev1.NodeList
	if err := c.list("/api/v1/nodes", &nodes); err != nil {
		fmt.Fprintf(&b, "nodes: %v\n", err)
	}
	for _, n := range nodes.Items {
		fmt.Fprintf(&b, "node %s:", n.Name)
		for _, cond := range n.Status.Conditions {
			fmt.Fprintf(&b, " %s=%s (heartbeat %s, since %s, %s)", cond.Type, cond.Status,
				age(cond.LastHeartbeatTime.Time), age(cond.LastTransitionTime.Time), cond.Reason)
		}
		for _, taint := range n.Spec.Taints {
			fmt.Fprintf(&b, " taint %s:%s", taint.Key, taint.Effect)
		}
		b.WriteString("\n")
	}
	var leases coordinationv1.LeaseList
	if err := c.list("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", &leases); err != nil {
		fmt.Fprintf(&b, "leases: %v\n", err)
	}
	if len(leases.Items) == 0 {
		b.WriteString("node leases: none\n")
	}
	for _, l := range leases.Items {
		renewed := "never"
		if l.Spec.RenewTime != nil {
			renewed = age(l.Spec.RenewTime.Time)
		}
		fmt.Fprintf(&b, "lease %s: renewed %s\n", l.Name, renewed)
	}
	var pods corev1.PodList
	if err := c.list("/api/v1/namespaces/django/pods", &pods); err != nil {
		fmt.Fprintf(&b, "pods: %v\n", err)
	}
	for _, p := range pods.Items {
		fmt.Fprintf(&b, "pod %s on %s: %s", p.Name, p.Spec.NodeName, p.Status.Phase)
		for _, cond := range p.Status.Conditions {
			fmt.Fprintf(&b, " %s=%s", cond.Type, cond.Status)
			if cond.Status != corev1.ConditionTrue {
				fmt.Fprintf(&b, " (%s %s, %s)", cond.Reason, cond.Message, age(cond.LastTransitionTime.Time))
			}
		}
		for _, cs := range append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
			fmt.Fprintf(&b, " [%s ready=%t restarts=%d]", cs.Name, cs.Ready, cs.RestartCount)
		}
		b.WriteString("\n")
	}
	var events corev1.EventList
	if err := c.list("/api/v1/namespaces/django/events", &events); err != nil {
		fmt.Fprintf(&b, "events: %v\n", err)
	}
	var warnings []string
	for _, e := range events.Items {
		if e.Type == corev1.EventTypeWarning {
			warnings = append(warnings, fmt.Sprintf("event %s %s/%s: %s", e.Reason, e.InvolvedObject.Kind, e.InvolvedObject.Name, e.Message))
		}
	}
	if len(warnings) > 10 {
		warnings = warnings[len(warnings)-10:]
	}
	for _, w := range warnings {
		b.WriteString(w + "\n")
	}
	lines := nodeHealthLog(c.state)
	if len(lines) > 10 {
		lines = lines[len(lines)-10:]
	}
	for _, line := range lines {
		b.WriteString("controller-manager: " + line + "\n")
	}
	return b.String()
}

// nodeHealthLog are the controller manager's log lines about node health:
// "Entering master disruption mode", nodes and pods marked NotReady.
func nodeHealthLog(state string) []string {
	text, err := os.ReadFile(filepath.Join(state, "controller-manager.log"))
	if err != nil {
		return []string{err.Error()}
	}
	var lines []string
	for _, line := range strings.Split(string(text), "\n") {
		if strings.Contains(line, "disruption mode") || strings.Contains(line, "NotReady") || strings.Contains(line, "not-Ready") ||
			strings.Contains(line, "MarkPodsNotReady") || strings.Contains(line, "Node is NotReady") {
			lines = append(lines, line)
		}
	}
	return lines
}

// staysHealthyPastHeartbeats watches nodes and pods until every node's Lease
// has been renewed and its status posted at least twice more, and the cluster
// is older than minAge; every node and every web pod must stay Ready all along.
// kwok once kept no Leases and posted status about once a minute, so about 50 s
// after start the controller marked every pod NotReady and rollouts stalled.
func staysHealthyPastHeartbeats(t *testing.T, api *apiClient, clusterUp time.Time, minAge time.Duration) {
	t.Helper()
	start := time.Now()
	renewals := map[string]map[string]bool{}   // lease → distinct renew times seen
	heartbeats := map[string]map[string]bool{} // node → distinct Ready heartbeat times seen
	record := func(m map[string]map[string]bool, key, value string) {
		if m[key] == nil {
			m[key] = map[string]bool{}
		}
		m[key][value] = true
	}
	advancedTwice := func(m map[string]map[string]bool, n int) (bool, string) {
		var seen []string
		ok := len(m) == n
		for k, values := range m {
			seen = append(seen, fmt.Sprintf("%s %d", k, len(values)-1))
			ok = ok && len(values) >= 3 // the first value, then two renewals
		}
		sort.Strings(seen)
		return ok, strings.Join(seen, ", ")
	}
	deadline := start.Add(minAge + 5*time.Minute)
	for {
		var nodes corev1.NodeList
		require.NoError(t, api.list("/api/v1/nodes", &nodes))
		for _, n := range nodes.Items {
			for _, cond := range n.Status.Conditions {
				if cond.Type == corev1.NodeReady {
					if cond.Status != corev1.ConditionTrue {
						t.Fatalf("node %s became %s after %.0fs of cluster life\n%s", n.Name, cond.Status, time.Since(clusterUp).Seconds(), api.clusterState())
					}
					record(heartbeats, n.Name, cond.LastHeartbeatTime.UTC().String())
				}
			}
		}
		var leases coordinationv1.LeaseList
		require.NoError(t, api.list("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", &leases))
		for _, l := range leases.Items {
			if l.Spec.RenewTime != nil {
				record(renewals, l.Name, l.Spec.RenewTime.UTC().String())
			}
		}
		var pods corev1.PodList
		require.NoError(t, api.list("/api/v1/namespaces/django/pods?labelSelector=app.kubernetes.io%2Fcomponent%3Dweb", &pods))
		require.NotEmpty(t, pods.Items, "web pods")
		for _, p := range pods.Items {
			for _, cond := range p.Status.Conditions {
				if cond.Type == corev1.PodReady && cond.Status != corev1.ConditionTrue {
					t.Fatalf("pod %s became NotReady (%s) after %.0fs of cluster life\n%s", p.Name, cond.Reason, time.Since(clusterUp).Seconds(), api.clusterState())
				}
			}
		}
		leasesOK, leaseDetail := advancedTwice(renewals, len(nodes.Items))
		statusOK, statusDetail := advancedTwice(heartbeats, len(nodes.Items))
		if leasesOK && statusOK && time.Since(clusterUp) >= minAge {
			t.Logf("healthy for %.0fs (cluster %.0fs old); lease renewals: %s; status posts: %s",
				time.Since(start).Seconds(), time.Since(clusterUp).Seconds(), leaseDetail, statusDetail)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nodes did not heartbeat twice within %s (lease renewals: %s; status posts: %s)\n%s",
				time.Since(start).Round(time.Second), leaseDetail, statusDetail, api.clusterState())
		}
		time.Sleep(2 * time.Second)
	}
}

// run runs a command and fails the test with its output, and with what the
// cluster looked like when api is given.
func run(t *testing.T, api *apiClient, dir string, env []string, name string, args ...string) (string, time.Duration) {
	t.Helper()
	start := time.Now()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		state := ""
		if api != nil {
			state = api.clusterState()
		}
		t.Fatalf("%s %s: %v after %.0fs:\n%s\n%s", name, strings.Join(args, " "), err, time.Since(start).Seconds(), out, state)
	}
	return string(out), time.Since(start)
}

// workdir is a project directory of its own (Pulumi.yaml, the local stack
// file, the nginx template), so the test neither edits the repository's
// files nor touches a developer's build/state.
func workdir(t *testing.T, settings string) string {
	dir := t.TempDir()
	copyFile := func(rel string) {
		b, err := os.ReadFile(filepath.Join(repoRoot(), rel))
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, rel), b, 0o644))
	}
	copyFile("Pulumi.yaml")
	copyFile("app/nginx/nginx.conf")
	writeStack(t, dir, settings)
	return dir
}

func writeStack(t *testing.T, dir, settings string) {
	b, err := os.ReadFile(filepath.Join(repoRoot(), "Pulumi.local.yaml"))
	require.NoError(t, err)
	text := strings.Replace(string(b), "kubeconfig: build/cluster/kubeconfig",
		"kubeconfig: "+filepath.Join(repoRoot(), "build", "cluster", "kubeconfig"), 1)
	if settings != "" {
		// A host name too: the ManagedCertificate and FrontendConfig then meet their CRD schemas.
		text = strings.Replace(text, "\nconfig:\n",
			"\nconfig:\n  django-gke:app:\n    hostname: django.local.example\n    settings:\n      "+settings+"\n", 1)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.local.yaml"), []byte(text), 0o644))
}

func TestLocalEngineEndToEnd(t *testing.T) {
	root := repoRoot()
	cluster := filepath.Join(root, "scripts", "cluster")
	_, _ = run(t, nil, root, nil, filepath.Join(cluster, "down.sh"))
	// Registered first: a cluster-up that fails half-way is stopped too.
	t.Cleanup(func() {
		out, err := exec.Command(filepath.Join(cluster, "down.sh")).CombinedOutput()
		if err != nil {
			t.Errorf("cluster-down: %v\n%s", err, out)
		}
	})
	_, upTime := run(t, nil, root, nil, filepath.Join(cluster, "up.sh"))
	clusterUp := time.Now()
	t.Logf("cluster-up: %.1fs", upTime.Seconds())
	api := newAPIClient(t)

	engine := filepath.Join(t.TempDir(), "engine")
	_, buildTime := run(t, nil, root, nil, "go", "build", "-o", engine, "./cmd/engine")
	t.Logf("engine driver build: %.1fs", buildTime.Seconds())
	dir := workdir(t, "")
	env := []string{"PULUMI_BACKEND_URL=file://" + t.TempDir()}
	engineRun := func(args ...string) (string, time.Duration) {
		return run(t, api, dir, env, engine, append([]string{"-stack", "local", "-dir", dir}, args...)...)
	}

	// up
	out, d := engineRun("-action", "up")
	t.Logf("pulumi up (create): %.1fs", d.Seconds())
	require.Contains(t, out, "Outputs:")

	// The namespace enforces restricted, and the app's pods were admitted under it.
	var ns corev1.Namespace
	api.get(t, "/api/v1/namespaces/django", &ns)
	assert.Equal(t, "restricted", ns.Labels["pod-security.kubernetes.io/enforce"])
	// A pod without the restricted profile's security context (fine under "baseline").
	unrestricted := map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": "unrestricted"},
		"spec": map[string]any{"containers": []any{map[string]any{"name": "c", "image": "busybox"}}}}
	code, body, err := api.do("POST", "/api/v1/namespaces/django/pods", unrestricted)
	require.NoError(t, err)
	assert.Equal(t, 403, code, "Pod Security admission refuses a pod that is not restricted: %s", body)
	var status struct{ Message string }
	require.NoError(t, json.Unmarshal(body, &status))
	assert.Contains(t, status.Message, `violates PodSecurity "restricted:latest"`)

	// The migrations Job completed before the Deployment's ReplicaSet was created.
	var jobs batchv1.JobList
	api.get(t, "/apis/batch/v1/namespaces/django/jobs", &jobs)
	require.Len(t, jobs.Items, 1)
	job := jobs.Items[0]
	require.Equal(t, int32(1), job.Status.Succeeded, "the migrations Job completed")
	require.NotNil(t, job.Status.CompletionTime)
	var rsList appsv1.ReplicaSetList
	api.get(t, "/apis/apps/v1/namespaces/django/replicasets", &rsList)
	require.Len(t, rsList.Items, 1)
	assert.False(t, rsList.Items[0].CreationTimestamp.Time.Before(job.Status.CompletionTime.Time),
		"the ReplicaSet (%s) was created before the Job completed (%s)", rsList.Items[0].CreationTimestamp, job.Status.CompletionTime)

	// The Deployment is Available with the HPA's minimum.
	var hpa autoscalingv2.HorizontalPodAutoscaler
	api.get(t, "/apis/autoscaling/v2/namespaces/django/horizontalpodautoscalers/web", &hpa)
	minReplicas := *hpa.Spec.MinReplicas
	api.eventually(t, "Deployment web available with the HPA's minimum", 90*time.Second, func() (bool, string) {
		var dep appsv1.Deployment
		api.get(t, "/apis/apps/v1/namespaces/django/deployments/web", &dep)
		return dep.Status.AvailableReplicas == minReplicas && dep.Status.Replicas == minReplicas,
			fmt.Sprintf("replicas %d, available %d, want %d", dep.Status.Replicas, dep.Status.AvailableReplicas, minReplicas)
	})
	for _, path := range []string{
		"/apis/policy/v1/namespaces/django/poddisruptionbudgets/web",
		"/api/v1/namespaces/django/services/web",
		"/apis/networking.k8s.io/v1/namespaces/django/ingresses/web",
		"/apis/cloud.google.com/v1/namespaces/django/backendconfigs/web",
		"/apis/networking.k8s.io/v1/namespaces/django/networkpolicies/default-deny",
		"/apis/networking.k8s.io/v1/namespaces/django/networkpolicies/web-ingress-from-lb",
		"/apis/networking.k8s.io/v1/namespaces/django/networkpolicies/app-egress",
	} {
		assert.True(t, api.exists(path), path)
	}

	// No perpetual diff: a preview right after up changes nothing.
	out, d = engineRun("-action", "preview", "-expect-no-changes")
	t.Logf("pulumi preview (no changes): %.1fs", d.Seconds())

	// The rollout below must work late in the cluster's life too, not only in
	// its first minute: past several node heartbeats and the controller
	// manager's grace period (2m, scripts/cluster/up.sh), nodes and pods stay Ready.
	staysHealthyPastHeartbeats(t, api, clusterUp, 2*time.Minute+30*time.Second)

	// A changed setting: a new ReplicaSet rolls out, never below the minimum available.
	secretBefore := appSecret(t, api)
	writeStack(t, dir, `FEATURE_FLAGS: "e2e-rollout"`)
	var (
		mu           sync.Mutex
		minAvailable = int32(1 << 30)
		stop         = make(chan struct{})
		watched      sync.WaitGroup
	)
	watched.Add(1)
	go func() {
		defer watched.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			code, body, err := api.do("GET", "/apis/apps/v1/namespaces/django/deployments/web", nil)
			var dep appsv1.Deployment
			if err == nil && code == 200 && json.Unmarshal(body, &dep) == nil {
				mu.Lock()
				minAvailable = min(minAvailable, dep.Status.AvailableReplicas)
				mu.Unlock()
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	out, d = engineRun("-action", "up")
	close(stop)
	watched.Wait()
	t.Logf("pulumi up (config change): %.1fs; fewest available pods during the rollout: %d", d.Seconds(), minAvailable)
	assert.GreaterOrEqual(t, minAvailable, minReplicas, "maxUnavailable 0: the rollout never went below the minimum")
	api.get(t, "/apis/apps/v1/namespaces/django/replicasets", &rsList)
	require.Len(t, rsList.Items, 2, "a new ReplicaSet")
	sort.Slice(rsList.Items, func(i, j int) bool {
		return rsList.Items[i].CreationTimestamp.Before(&rsList.Items[j].CreationTimestamp)
	})
	api.eventually(t, "the old ReplicaSet scaled down, the new one serving", 60*time.Second, func() (bool, string) {
		var old, cur appsv1.ReplicaSet
		api.get(t, "/apis/apps/v1/namespaces/django/replicasets/"+rsList.Items[0].Name, &old)
		api.get(t, "/apis/apps/v1/namespaces/django/replicasets/"+rsList.Items[1].Name, &cur)
		return old.Status.Replicas == 0 && cur.Status.AvailableReplicas == minReplicas,
			fmt.Sprintf("old %d, new available %d", old.Status.Replicas, cur.Status.AvailableReplicas)
	})
	var cm corev1.ConfigMapList
	api.get(t, "/api/v1/namespaces/django/configmaps", &cm)
	found := false
	for _, c := range cm.Items {
		found = found || c.Data["FEATURE_FLAGS"] == "e2e-rollout"
	}
	assert.True(t, found, "the new setting is in a ConfigMap")
	// The stack file was written anew without the generated secrets; cmd/engine
	// kept them in its workspace: the same immutable Secret, nothing regenerated.
	assert.Equal(t, secretBefore, appSecret(t, api), "the app's Secret (database password, Django key) is unchanged")
	for _, path := range []string{
		"/apis/networking.gke.io/v1/namespaces/django/managedcertificates/web",
		"/apis/networking.gke.io/v1beta1/namespaces/django/frontendconfigs/web",
	} {
		assert.True(t, api.exists(path), path)
	}

	assert.Empty(t, filterLines(nodeHealthLog(api.state), "disruption mode"),
		"the node lifecycle controller never saw every node NotReady (%.0fs of cluster life)", time.Since(clusterUp).Seconds())

	// destroy leaves nothing but the default namespaces.
	out, d = engineRun("-action", "destroy")
	t.Logf("pulumi destroy: %.1fs", d.Seconds())
	api.eventually(t, "only the default namespaces left", 90*time.Second, func() (bool, string) {
		var list corev1.NamespaceList
		api.get(t, "/api/v1/namespaces", &list)
		var names []string
		for _, n := range list.Items {
			names = append(names, n.Name)
		}
		sort.Strings(names)
		return strings.Join(names, ",") == "default,kube-node-lease,kube-public,kube-system", strings.Join(names, ",")
	})
	_ = out
}

// appSecret is the name of the app's Secret (immutable, auto-named: new
// values would mean a new name).
func appSecret(t *testing.T, api *apiClient) string {
	t.Helper()
	var list corev1.SecretList
	api.get(t, "/api/v1/namespaces/django/secrets", &list)
	var names []string
	for _, s := range list.Items {
		if _, ok := s.Data["DB_PASSWORD"]; ok {
			names = append(names, s.Name)
		}
	}
	require.Len(t, names, 1, "one Secret holds the database password: %v", names)
	return names[0]
}

func filterLines(lines []string, substr string) []string {
	var out []string
	for _, l := range lines {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return out
}

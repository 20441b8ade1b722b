//go:build e2e

package e2e

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"django-gke/infra/gkeapi"
	"django-gke/infra/offline"
)

// TestCRDWaitOnARealAPIServer runs the Job's command (python -m
// djangogke.waitcrd) against a real kube-apiserver, as the ServiceAccount the
// program declares, bound by the program's own ClusterRole and binding (from
// prd-global's plan): it waits while serviceexports.net.gke.io is absent,
// returns 0 once the CRD is created and Established, and without the binding
// fails at once naming the missing permission (as it does for any other CRD:
// the role names that one); a CRD that does not come times out.
func TestCRDWaitOnARealAPIServer(t *testing.T) {
	root := repoRoot()
	cluster := filepath.Join(root, "scripts", "cluster")
	_, _ = run(t, nil, root, nil, filepath.Join(cluster, "down.sh"))
	t.Cleanup(func() {
		if out, err := exec.Command(filepath.Join(cluster, "down.sh")).CombinedOutput(); err != nil {
			t.Errorf("cluster-down: %v\n%s", err, out)
		}
	})
	run(t, nil, root, nil, filepath.Join(cluster, "up.sh"))
	api := newAPIClient(t)
	// cluster-up installs GKE's CRDs for env local; here the cluster must be
	// as a new GKE cluster is before multi-cluster Services installs its CRD.
	crdPath := "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + gkeapi.ServiceExportCRD
	if api.exists(crdPath) {
		code, body, err := api.do("DELETE", crdPath, nil)
		require.NoError(t, err)
		require.True(t, code == 200 || code == 202, "DELETE %s: %d %s", crdPath, code, body)
		api.eventually(t, "the ServiceExport CRD gone", 60*time.Second, func() (bool, string) {
			return !api.exists(crdPath), "still there"
		})
	}

	// The program's RBAC for the wait, as prd-global's plan renders it.
	plan, err := offline.Run(offline.Options{Dir: root, Stack: "prd-global"})
	require.NoError(t, err)
	var role, binding map[string]any
	for _, r := range plan.Resources {
		if strings.HasSuffix(r.Name, "-usc1-crdwait-role") {
			role = offline.PlainMap(r.Outputs)
		}
		if strings.HasSuffix(r.Name, "-usc1-crdwait-binding") {
			binding = offline.PlainMap(r.Outputs)
		}
	}
	require.NotNil(t, role)
	require.NotNil(t, binding)
	post := func(path string, body any) map[string]any {
		code, out, err := api.do("POST", path, body)
		require.NoError(t, err)
		require.True(t, code == 200 || code == 201, "POST %s: %d %s", path, code, out)
		var v map[string]any
		require.NoError(t, json.Unmarshal(out, &v))
		return v
	}
	post("/api/v1/namespaces", map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "django"}})
	for _, sa := range []string{"crd-wait", "unbound"} {
		post("/api/v1/namespaces/django/serviceaccounts", map[string]any{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": map[string]any{"name": sa}})
	}
	post("/apis/rbac.authorization.k8s.io/v1/clusterroles", role)
	post("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", binding)

	tokenFile := func(sa string) string {
		v := post("/api/v1/namespaces/django/serviceaccounts/"+sa+"/token",
			map[string]any{"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": map[string]any{"expirationSeconds": 600}})
		path := filepath.Join(t.TempDir(), sa+".token")
		require.NoError(t, os.WriteFile(path, []byte(v["status"].(map[string]any)["token"].(string)), 0o600))
		return path
	}
	waiter := func(token string, args ...string) *exec.Cmd {
		cmd := exec.Command("/usr/bin/python3", append([]string{"-m", "djangogke.waitcrd"}, args...)...)
		cmd.Dir = filepath.Join(root, "app")
		cmd.Env = append(os.Environ(), "KUBERNETES_SERVICE_HOST=127.0.0.1", "KUBERNETES_SERVICE_PORT=16443",
			"WAITCRD_TOKEN_FILE="+token, "WAITCRD_CA_FILE="+filepath.Join(root, "build", "cluster", "pki", "ca.crt"))
		return cmd
	}

	// Without the binding: forbidden, at once, saying so.
	start := time.Now()
	out, err := waiter(tokenFile("unbound"), gkeapi.ServiceExportCRD, "--timeout", "60").CombinedOutput()
	assert.Error(t, err, "%s", out)
	assert.Less(t, time.Since(start), 20*time.Second, "no waiting on a permission problem")
	assert.Contains(t, string(out), "needs `get` on customresourcedefinitions")

	// The program's role reads that one CRD and no other.
	out, err = waiter(tokenFile("crd-wait"), "backendconfigs.cloud.google.com", "--timeout", "60").CombinedOutput()
	assert.Error(t, err)
	assert.Contains(t, string(out), "HTTP 403", "RBAC get on serviceexports.net.gke.io only")

	// While the CRD does not come: the timeout, named.
	out, err = waiter(tokenFile("crd-wait"), gkeapi.ServiceExportCRD, "--timeout", "2", "--interval", "0.5").CombinedOutput()
	assert.Error(t, err)
	assert.Contains(t, string(out), gkeapi.ServiceExportCRD+" not Established after 2 s")

	// The CRD appears while the wait runs: it returns 0.
	cmd := waiter(tokenFile("crd-wait"), gkeapi.ServiceExportCRD, "--timeout", "120", "--interval", "0.5")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = cmd.Stdout
	require.NoError(t, cmd.Start())
	var (
		mu    sync.Mutex
		lines []string
	)
	absent := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		once := sync.Once{}
		for sc.Scan() {
			mu.Lock()
			lines = append(lines, sc.Text())
			mu.Unlock()
			if strings.Contains(sc.Text(), ": absent") {
				once.Do(func() { close(absent) })
			}
		}
	}()
	select {
	case <-absent:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		mu.Lock()
		t.Fatalf("the wait never reported the CRD absent: %v", lines)
	}
	var crd map[string]any
	for _, c := range gkeapi.CRDs() {
		if c["metadata"].(map[string]any)["name"] == gkeapi.ServiceExportCRD {
			crd = c
		}
	}
	require.NotNil(t, crd)
	created := time.Now()
	post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		mu.Lock()
		defer mu.Unlock()
		require.NoError(t, err, "%s", strings.Join(lines, "\n"))
		assert.Contains(t, strings.Join(lines, "\n"), gkeapi.ServiceExportCRD+": established")
		t.Logf("waitcrd returned %.1fs after the CRD was created", time.Since(created).Seconds())
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		mu.Lock()
		t.Fatalf("the wait did not return after the CRD was created: %s", strings.Join(lines, "\n"))
	}
}

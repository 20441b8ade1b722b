package tests

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	sigsyaml "sigs.k8s.io/yaml"

	"django-gke/infra/gkeapi"
)

// typedKinds are the Kubernetes API types the plan's manifests must decode into.
var typedKinds = map[string]func() any{
	"v1/Namespace":                                    func() any { return &corev1.Namespace{} },
	"v1/ServiceAccount":                               func() any { return &corev1.ServiceAccount{} },
	"v1/ConfigMap":                                    func() any { return &corev1.ConfigMap{} },
	"v1/Secret":                                       func() any { return &corev1.Secret{} },
	"v1/Service":                                      func() any { return &corev1.Service{} },
	"apps/v1/Deployment":                              func() any { return &appsv1.Deployment{} },
	"batch/v1/Job":                                    func() any { return &batchv1.Job{} },
	"autoscaling/v2/HorizontalPodAutoscaler":          func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"policy/v1/PodDisruptionBudget":                   func() any { return &policyv1.PodDisruptionBudget{} },
	"networking.k8s.io/v1/Ingress":                    func() any { return &networkingv1.Ingress{} },
	"networking.k8s.io/v1/NetworkPolicy":              func() any { return &networkingv1.NetworkPolicy{} },
	"rbac.authorization.k8s.io/v1/ClusterRole":        func() any { return &rbacv1.ClusterRole{} },
	"rbac.authorization.k8s.io/v1/ClusterRoleBinding": func() any { return &rbacv1.ClusterRoleBinding{} },
}

// gkeKinds are GKE's custom resources, checked against their published API.
var gkeKinds = map[string]bool{
	"cloud.google.com/v1/BackendConfig":        true,
	"networking.gke.io/v1beta1/FrontendConfig": true,
	"networking.gke.io/v1/ManagedCertificate":  true,
	// The multi-cluster Gateway's objects (stacks with regions.list).
	"gateway.networking.k8s.io/v1/Gateway":   true,
	"gateway.networking.k8s.io/v1/HTTPRoute": true,
	"networking.gke.io/v1/HealthCheckPolicy": true,
	"networking.gke.io/v1/GCPBackendPolicy":  true,
	"networking.gke.io/v1/GCPGatewayPolicy":  true,
	"net.gke.io/v1/ServiceExport":            true,
}

// validateManifest decodes one YAML manifest strictly: unknown fields (a
// misspelt field) and values of the wrong type are errors.
func validateManifest(text []byte) (string, error) {
	js, err := sigsyaml.YAMLToJSON(text)
	if err != nil {
		return "", err
	}
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
	}
	if err := json.Unmarshal(js, &head); err != nil {
		return "", err
	}
	key := head.APIVersion + "/" + head.Kind
	if gkeKinds[key] {
		_, err := gkeapi.DecodeStrict(js)
		return key, err
	}
	newObj, ok := typedKinds[key]
	if !ok {
		return key, &unknownKind{key}
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	return key, dec.Decode(newObj())
}

// decodeManifests decodes each file strictly and counts them by apiVersion/kind.
func decodeManifests(t *testing.T, files []string) map[string]int {
	t.Helper()
	kinds := map[string]int{}
	for _, f := range files {
		text, err := os.ReadFile(f)
		require.NoError(t, err)
		key, err := validateManifest(text)
		assert.NoError(t, err, filepath.Base(f))
		kinds[key]++
	}
	return kinds
}

type unknownKind struct{ key string }

func (u *unknownKind) Error() string {
	return "no typed validation for " + u.key + ": add its type to tests/manifests_test.go"
}

// TestPlanManifestsDecodeStrictly validates what `make plan` writes, for every stack.
func TestPlanManifestsDecodeStrictly(t *testing.T) {
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			out := t.TempDir()
			r := runPlan(t, repoRoot(), "-stack", stack, "-out", out)
			require.Equal(t, 0, r.code, r.stderr)
			files, err := filepath.Glob(filepath.Join(out, stack, "*.yaml"))
			require.NoError(t, err)
			kinds := decodeManifests(t, files)
			t.Logf("%s: %d manifests: %v", stack, len(files), kinds)
			for _, want := range []string{"apps/v1/Deployment", "batch/v1/Job", "autoscaling/v2/HorizontalPodAutoscaler",
				"policy/v1/PodDisruptionBudget", "v1/Service", "cloud.google.com/v1/BackendConfig", "networking.k8s.io/v1/Ingress"} {
				assert.Equal(t, 1, kinds[want], want)
			}
			policies := 3
			if stack != "dev" {
				policies++ // egress to the cache server
			}
			assert.Equal(t, policies, kinds["networking.k8s.io/v1/NetworkPolicy"])
			if stack != "dev" {
				assert.Equal(t, 1, kinds["networking.gke.io/v1/ManagedCertificate"])
				assert.Equal(t, 1, kinds["networking.gke.io/v1beta1/FrontendConfig"])
			}
		})
	}
}

// TestStrictValidationCatchesTypos proves the validation can fail: a misspelt
// field in a typed object and in a GKE object, and a wrongly typed value.
func TestStrictValidationCatchesTypos(t *testing.T) {
	out := t.TempDir()
	r := runPlan(t, repoRoot(), "-stack", "prd", "-out", out)
	require.Equal(t, 0, r.code, r.stderr)
	read := func(name string) string {
		text, err := os.ReadFile(filepath.Join(out, "prd", name))
		require.NoError(t, err)
		return string(text)
	}
	deployment := read("deployment_django_web.yaml")
	_, err := validateManifest([]byte(deployment))
	require.NoError(t, err)
	for _, broken := range []string{
		strings.Replace(deployment, "readinessProbe:", "readinesProbe:", 1),
		strings.Replace(deployment, "terminationGracePeriodSeconds: 45", "terminationGracePeriodSeconds: forty-five", 1),
		strings.Replace(deployment, "memory: 1Gi", "memory: 1 gigabyte", 1),
	} {
		require.NotEqual(t, deployment, broken)
		_, err := validateManifest([]byte(broken))
		assert.Error(t, err)
	}
	backend := read("backendconfig_django_web.yaml")
	_, err = validateManifest([]byte(backend))
	require.NoError(t, err)
	_, err = validateManifest([]byte(strings.Replace(backend, "requestPath:", "requstPath:", 1)))
	assert.ErrorContains(t, err, "requstPath")
	_, err = validateManifest([]byte("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"))
	assert.ErrorContains(t, err, "no typed validation for example.com/v1/Widget")
}

// TestGlobalManifestsDecodeStrictly: prd-global's manifests, the multi-cluster
// Gateway's objects among them, decode strictly into their published types.
func TestGlobalManifestsDecodeStrictly(t *testing.T) {
	out := t.TempDir()
	r := runPlan(t, repoRoot(), "-stack", "prd-global", "-out", out)
	require.Equal(t, 0, r.code, r.stderr)
	files, err := filepath.Glob(filepath.Join(out, "prd-global", "*", "*.yaml"))
	require.NoError(t, err)
	for _, code := range []string{"euw1", "usc1"} {
		dir := filepath.Join(out, "prd-global", "django-gke-prd-global-"+code+"-k8s")
		assert.DirExists(t, dir, "each cluster's objects in their own directory")
	}
	kinds := decodeManifests(t, files)
	t.Logf("prd-global: %d manifests: %v", len(files), kinds)
	for key, want := range map[string]int{
		"apps/v1/Deployment": 2, "gateway.networking.k8s.io/v1/Gateway": 1,
		"gateway.networking.k8s.io/v1/HTTPRoute": 2,                                             // web, and the HTTP→HTTPS redirect
		"networking.gke.io/v1/HealthCheckPolicy": 3, "networking.gke.io/v1/GCPBackendPolicy": 3, // web, web-euw1, web-usc1
		"net.gke.io/v1/ServiceExport": 4, "v1/Service": 4, "networking.gke.io/v1/GCPGatewayPolicy": 1, // the SSL policy
		"networking.k8s.io/v1/Ingress": 0, "cloud.google.com/v1/BackendConfig": 0, "networking.gke.io/v1/ManagedCertificate": 0,
	} {
		assert.Equal(t, want, kinds[key], key)
	}
}

package tests

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"django-gke/infra"
	"django-gke/infra/stackfile"
)

// TestLocalEnvDeclaresOnlyKubernetes: env local targets a kubeconfig's cluster
// with the stand-ins of infra/local.go and nothing on GCP.
func TestLocalEnvDeclaresOnlyKubernetes(t *testing.T) {
	res := plan(t, "local")
	for _, r := range res.Resources {
		assert.False(t, strings.HasPrefix(r.Type, "gcp:") || strings.HasPrefix(r.Type, "docker:") || r.Type == "pulumi:providers:gcp",
			"local declares %s %s", r.Type, r.Name)
	}
	p := one(t, res, "pulumi:providers:kubernetes")
	assert.True(t, strings.HasSuffix(in(t, p, "kubeconfig").(string), "/build/cluster/kubeconfig"), "a path, stable across cluster restarts")

	d := obj(t, res, deploymentType, "web")
	spec := asMap(in(t, d, "spec.template.spec"))
	assert.NotContains(t, byName(asSlice(spec["initContainers"])), "cloud-sql-proxy", "no Cloud SQL: no proxy")
	assert.Contains(t, byName(asSlice(spec["initContainers"])), "static")
	assert.Equal(t, "registry.local/django-gke/django:dev", byName(asSlice(spec["containers"]))["gunicorn"]["image"])
	settings := settingsMap(t, res)
	assert.Equal(t, "10.96.100.10", in(t, settings, "data.DB_HOST"))
	assert.Equal(t, "5432", in(t, settings, "data.DB_PORT"))

	ksa := obj(t, res, "kubernetes:core/v1:ServiceAccount", "django")
	_, annotated := ksa.Input(`metadata.annotations["iam.gke.io/gcp-service-account"]`)
	assert.False(t, annotated, "no Workload Identity outside GKE")

	ing := obj(t, res, "kubernetes:networking.k8s.io/v1:Ingress", "web")
	ann := asMap(in(t, ing, "metadata.annotations"))
	assert.Equal(t, "true", ann["pulumi.com/skipAwait"], "no controller will set the Ingress status")
	assert.NotContains(t, ann, "kubernetes.io/ingress.global-static-ip-name")
	obj(t, res, "kubernetes:cloud.google.com/v1:BackendConfig", "web")

	egress := asSlice(in(t, obj(t, res, netpolType, "app-egress"), "spec.egress"))
	found := false
	for _, r := range egress {
		for _, to := range asSlice(asMap(r)["to"]) {
			if asMap(asMap(to)["ipBlock"])["cidr"] == "10.96.100.10/32" {
				found = true
				assert.Equal(t, []any{map[string]any{"protocol": "TCP", "port": int64(5432)}}, asMap(r)["ports"])
			}
		}
	}
	assert.True(t, found, "egress to the configured database")
	require.True(t, res.Outputs["localDatabasePassword"].Secret)

	// The generated secrets are secret stack config (cmd/engine creates them;
	// the plan stands in for them), not pulumi-random: the local engine has no
	// random plugin.
	assert.Empty(t, res.ByType("random:index/randomPassword:RandomPassword"))
	for k := range infra.LocalSecretKeys {
		assert.Contains(t, res.Config.SecretKeys, k)
	}
	secrets := res.ByType("kubernetes:core/v1:Secret")
	require.Len(t, secrets, 1, "the app's Secret")
	data := secrets[0].Inputs["stringData"]
	require.True(t, data.ContainsSecrets(), "the Secret's values stay secret")
	if data.IsSecret() {
		data = data.SecretValue().Element
	}
	for _, k := range []string{"DJANGO_SECRET_KEY", "DB_PASSWORD"} {
		assert.Contains(t, data.ObjectValue(), resourceKey(k), "the Secret holds %s", k)
	}
}

// TestLocalSecretsAreGenerated: letters and digits only (they travel in URLs
// unescaped), the length asked for, never twice the same.
func TestLocalSecretsAreGenerated(t *testing.T) {
	a, err := infra.GenerateLocalSecret(32)
	require.NoError(t, err)
	b, err := infra.GenerateLocalSecret(32)
	require.NoError(t, err)
	assert.Len(t, a, 32)
	assert.Regexp(t, `^[A-Za-z0-9]+$`, a)
	assert.NotEqual(t, a, b)
}

// TestLocalWithoutItsSecretsSaysWhichKey: the program run as the CLI would,
// without cmd/engine's generated secrets, refuses with the key and the fix.
func TestLocalWithoutItsSecretsSaysWhichKey(t *testing.T) {
	sc, err := stackfile.Load(repoRoot(), "local")
	require.NoError(t, err)
	err = pulumi.RunErr(infra.ProgramIn(repoRoot()), pulumi.WithMocks("django-gke", "local", nopMocks{}), func(info *pulumi.RunInfo) {
		info.Config = sc.Values
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "django-gke:localDatabasePassword is not set")
	assert.Contains(t, err.Error(), "pulumi config set --secret django-gke:localDatabasePassword")
}

type nopMocks struct{}

func (nopMocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	return args.Name + "-id", args.Inputs, nil
}

func (nopMocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

// TestLocalEnvExportsTheWorkloadOutputs: env local says what every stack says
// about its workload, activeColor included under blue/green.
func TestLocalEnvExportsTheWorkloadOutputs(t *testing.T) {
	res := blueGreen(t, "local", `{"strategy": "blueGreen", "activeColor": "green"}`)
	for _, key := range []string{"env", "namespace", "url", "releaseStrategy", "activeColor", "capacityPlan", "kubeconfig", "imageRef"} {
		assert.Contains(t, res.Outputs, key)
	}
	assert.Equal(t, "local", res.Outputs["env"].Value)
	assert.Equal(t, "blueGreen", res.Outputs["releaseStrategy"].Value)
	assert.Equal(t, "green", res.Outputs["activeColor"].Value)
}

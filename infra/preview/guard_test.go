package preview

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"django-gke/infra/offline"
)

// The pure half of the preview package: no engine, no plugin. The real
// providers judge in real_test.go (make test-preview).

func TestMergeObjectSetsFieldsAndKeepsTheOthers(t *testing.T) {
	merged, err := mergeObject(`{"cpu": "1", "minReplicas": 3}`, `{"minReplicas": 10}`)
	require.NoError(t, err)
	assert.JSONEq(t, `{"cpu": "1", "minReplicas": 10}`, merged)

	scalar, err := mergeObject(`{"cpu": "1"}`, `prd`)
	require.NoError(t, err)
	assert.Equal(t, "prd", scalar, "a value that is not an object replaces the current one")

	fresh, err := mergeObject("", `{"tier": "db-f1-micro"}`)
	require.NoError(t, err)
	assert.Equal(t, `{"tier": "db-f1-micro"}`, fresh)
}

func TestJudgeKeepsOnlyWhatTheChangeAdds(t *testing.T) {
	const pool, sql, registry = "gcp:container/nodePool:NodePool", "gcp:sql/databaseInstance:DatabaseInstance", "gcp:artifactregistry/repository:Repository"
	baseline := &Report{Steps: []Step{
		{Type: pool, Name: "pool", Op: "update", Diffs: []string{"nodeConfig"}},
		{Type: sql, Name: "db", Op: "replace", ReplaceKeys: []string{"settings"}},
		{Type: registry, Name: "registry", Op: "same"},
	}}
	change := &Report{Steps: []Step{
		{Type: pool, Name: "pool", Op: "update", Diffs: []string{"autoscaling", "nodeConfig"}},
		{Type: sql, Name: "db", Op: "replace", ReplaceKeys: []string{"settings"}},
		{Type: registry, Name: "registry", Op: "replace", ReplaceKeys: []string{"repositoryId"}},
		{Type: "kubernetes:apps/v1:Deployment", Name: "web", Op: "replace", ReplaceKeys: []string{"metadata"}},
	}}
	v := judge("a change", change, baseline)
	require.Len(t, v.Updates, 1)
	assert.Equal(t, []string{"autoscaling"}, v.Updates[0].Diffs, "the baseline's own diff is noise of the synthetic state")
	require.Len(t, v.Replacements, 1, "the baseline's replacement with the same keys is not the change's; kubernetes objects are judged by the e2e test")
	assert.Equal(t, registry, v.Replacements[0].Type)

	// The same replacement forced by a new key is the change's.
	change.Steps[1].ReplaceKeys = []string{"settings", "databaseVersion"}
	v = judge("a change", change, baseline)
	require.Len(t, v.Replacements, 2)
	assert.Equal(t, []string{"databaseVersion"}, v.Replacements[0].ReplaceKeys)
}

func TestAStatefulReplacementBlocksUnlessAllowedByName(t *testing.T) {
	v := Verdict{Change: "rename", Replacements: []Step{
		{Type: "gcp:artifactregistry/repository:Repository", Name: "django-gke-prd-registry", Op: "replace", ReplaceKeys: []string{"repositoryId"}},
		{Type: "gcp:monitoring/alertPolicy:AlertPolicy", Name: "errors", Op: "replace", ReplaceKeys: []string{"displayName"}},
	}}
	require.Len(t, v.Stateful(), 1, "an alert policy holds no data")
	assert.Len(t, v.Blocking(), 1)
	var out bytes.Buffer
	v.Write(&out)
	assert.Contains(t, out.String(), "!!! REPLACES gcp:artifactregistry/repository:Repository django-gke-prd-registry (forced by repositoryId)\n")
	assert.Contains(t, out.String(), "  replaces gcp:monitoring/alertPolicy:AlertPolicy errors")
	assert.Less(t, strings.Index(out.String(), "!!!"), strings.Index(out.String(), "  replaces"), "stateful replacements come first")

	v.Allowed = []string{"gcp:artifactregistry/repository:Repository", "*"}
	assert.Len(t, v.Blocking(), 1, "neither a type nor a wildcard allows a replacement")
	v.Allowed = []string{"django-gke-prd-registry"}
	assert.Empty(t, v.Blocking())
	out.Reset()
	v.Write(&out)
	assert.Contains(t, out.String(), "; allowed as deliberate)")
}

// TestAStatefulDeletionBlocks: a resource whose URN changed without an alias
// is deleted and created again; for a static IP that is a new address.
func TestAStatefulDeletionBlocks(t *testing.T) {
	const address = "gcp:compute/globalAddress:GlobalAddress"
	baseline := &Report{Steps: []Step{{Type: address, Name: "web-ip", Op: "same"}}}
	change := &Report{Steps: []Step{
		{Type: address, Name: "web-ip", Op: "create"},
		{Type: address, Name: "web-ip", Op: "delete"},
		{Type: "gcp:monitoring/alertPolicy:AlertPolicy", Name: "errors", Op: "delete"},
	}}
	v := judge("moved", change, baseline)
	require.Len(t, v.Blocking(), 1)
	assert.Equal(t, "delete", v.Blocking()[0].Op)
	var out bytes.Buffer
	v.Write(&out)
	assert.Contains(t, out.String(), "!!! DELETES gcp:compute/globalAddress:GlobalAddress web-ip (it left the program, or its URN changed without an alias)")
	assert.Contains(t, out.String(), "delete gcp:monitoring/alertPolicy:AlertPolicy errors", "an alert policy holds no data: an update, not a block")
	v.Allowed = []string{"web-ip"}
	assert.Empty(t, v.Blocking(), "a deliberate deletion is allowed by name")
}

func TestABaselineSurvivesItsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "baseline.json")
	b := &Baseline{Stack: "prd", Set: map[string]string{"k": "v"},
		State:  &apitype.DeploymentV3{Resources: []apitype.ResourceV3{{URN: "urn:pulumi:prd::django-gke::pulumi:pulumi:Stack::django-gke-prd"}}},
		Report: &Report{Stack: "prd", Steps: []Step{{Type: "t", Name: "n", Op: "update", Diffs: []string{"a"}}}}}
	require.NoError(t, b.Save(path))
	back, err := LoadBaseline(path)
	require.NoError(t, err)
	assert.Equal(t, b, back)

	require.NoError(t, (&Baseline{Stack: "prd"}).Save(path))
	_, err = LoadBaseline(path)
	assert.ErrorContains(t, err, "no stack, state or report")
	_, err = LoadBaseline(filepath.Join(t.TempDir(), "missing.json"))
	assert.Error(t, err)
}

func TestMergePrefersWhatTheProviderPlannedWhereItKnows(t *testing.T) {
	secret := map[string]any{resource.SigKey: resource.SecretSig, "plaintext": `"s3cret"`}
	planned := map[string]any{"name": "db", "selfLink": unknownInEvents, "password": secretInEvents, "settings": []any{map[string]any{"tier": "db-f1-micro"}}}
	offlinePlan := map[string]any{"name": "db-offline", "selfLink": "https://offline/db", "password": secret, "settings": []any{map[string]any{"tier": "x", "diskSize": 10}}}
	assert.Equal(t, map[string]any{
		"name": "db", "selfLink": "https://offline/db", "password": secret,
		"settings": []any{map[string]any{"tier": "db-f1-micro"}},
	}, merge(planned, offlinePlan), "unknowns and hidden secrets come from the offline plan; keys the provider did not plan are left out")
}

// TestCheckpointIsTheStateOfTheOfflinePlan: every managed resource, with a
// default provider where it has none, parents and dependencies that exist,
// and secrets as secrets.
func TestCheckpointIsTheStateOfTheOfflinePlan(t *testing.T) {
	res, err := offline.Run(offline.Options{Dir: "../..", Stack: "prd"})
	require.NoError(t, err)
	d, err := Checkpoint(res, nil)
	require.NoError(t, err)
	byURN := map[string]apitype.ResourceV3{}
	for _, r := range d.Resources {
		byURN[string(r.URN)] = r
	}
	managed := 0
	for _, r := range res.Resources {
		if r.Read {
			assert.NotContains(t, byURN, r.URN, "read resources are read again, not imported")
			continue
		}
		state, ok := byURN[r.URN]
		if !assert.True(t, ok, r.URN) || r.Type == "pulumi:pulumi:Stack" {
			continue
		}
		managed++
		_, parent := byURN[string(state.Parent)]
		assert.True(t, parent, "%s: parent %s is in the state", r.URN, state.Parent)
		for _, dep := range state.Dependencies {
			assert.Contains(t, byURN, string(dep), "%s depends on a resource in the state", r.URN)
		}
		if r.Custom && !strings.HasPrefix(r.Type, "pulumi:providers:") {
			require.NotEmpty(t, state.Provider, r.URN)
			ref := strings.SplitN(state.Provider, "::", 5)
			assert.Contains(t, byURN, strings.Join(ref[:4], "::"), "%s: its provider is in the state", r.URN)
		}
	}
	assert.Greater(t, managed, 60, "prd declares dozens of GCP and Kubernetes resources")
	assert.Contains(t, byURN, "urn:pulumi:prd::django-gke::pulumi:providers:random::default_4_18_0")

	// The plan's secrets stay secret in the state.
	secrets := 0
	for _, r := range res.Resources {
		for k, v := range r.Outputs {
			if v.IsSecret() && !r.Read {
				secrets++
				out, _ := byURN[r.URN].Outputs[string(k)].(map[string]any)
				assert.Equal(t, resource.SecretSig, out[resource.SigKey], "%s output %s is a secret in the state", r.URN, k)
			}
		}
	}
	assert.Positive(t, secrets, "prd's plan has secrets (the database password)")

	sql := res.ByType("gcp:sql/databaseInstance:DatabaseInstance")[0]
	require.NoError(t, SetOutput(d, sql.URN, "settings.diskSize", 120))
	assert.Error(t, SetOutput(d, "urn:pulumi:prd::django-gke::nothing::here", "a", 1))
}

// TestAReportSaysWhatTheProgramWarned: the program's warnings (a documentation
// range in authorizedNetworks) reach make preview's output, with the errors.
func TestAReportSaysWhatTheProgramWarned(t *testing.T) {
	r := &Report{Stack: "prd", Diagnostics: []Diagnostic{
		{URN: "urn:pulumi:prd::django-gke::pulumi:pulumi:Stack::django-gke-prd", Severity: "warning", Message: "django-gke:cluster.authorizedNetworks: 203.0.113.0/24 is a documentation range"},
		{URN: "urn:pulumi:prd::django-gke::gcp:compute/firewall:Firewall::fw", Severity: "error", Message: "expected direction to be one of [INGRESS EGRESS]"},
	}}
	var out bytes.Buffer
	r.Write(&out)
	assert.Contains(t, out.String(), "warning: django-gke-prd django-gke:cluster.authorizedNetworks: 203.0.113.0/24 is a documentation range\n")
	assert.Contains(t, out.String(), "error: fw expected direction")
	assert.Contains(t, out.String(), "stack prd: ; 1 errors")
}

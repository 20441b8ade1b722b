//go:build realproviders

// These tests run the real engine with the real gcp, random and kubernetes
// providers (make engine builds them; make test-preview runs these tests after
// it). A missing plugin fails them with what to run, never skips them.
package preview

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/compute"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"django-gke/infra/offline"
)

const repo = "../.."

// TestEveryStackPreviewsCleanly: the first `up` of dev, stg, prd and prd-global through
// the real providers: every GCP resource of the offline plan goes through its
// provider's Check and preview, with no error.
func TestEveryStackPreviewsCleanly(t *testing.T) {
	for _, stack := range []string{"dev", "stg", "prd", "prd-global"} {
		t.Run(stack, func(t *testing.T) {
			o, notes, err := FirstUp(repo, stack)
			require.NoError(t, err)
			for _, n := range notes {
				t.Log(n)
			}
			r, err := Run(context.Background(), o)
			require.NoError(t, err)
			var out bytes.Buffer
			r.Write(&out)
			require.NoError(t, r.Failed, out.String())
			require.Empty(t, r.Errors(), out.String())
			// The stack files' documentation range: the preview says so, loudly.
			assert.Regexp(t, `(?m)^warning: not deployable as configured: django-gke:cluster\.authorizedNetworks`, out.String())

			plan, err := offline.Run(offline.Options{Dir: repo, Stack: stack, Set: o.Set})
			require.NoError(t, err)
			checked := 0
			for _, res := range plan.Resources {
				if !res.Custom || !strings.HasPrefix(res.Type, "gcp:") {
					continue
				}
				step, ok := r.Step(res.Type, res.Name)
				if assert.True(t, ok, "%s %s was previewed", res.Type, res.Name) {
					assert.Equal(t, "create", step.Op, res.URN)
					checked++
				}
			}
			t.Logf("%s: %d GCP resources through the gcp provider's Check and preview; steps %v", stack, checked, r.ByOp())
			assert.Greater(t, checked, 30, "every stack declares dozens of GCP resources")
		})
	}
}

// TestCheckRefusesWhatMocksAccept proves the preview judges inputs: a firewall
// rule with a direction GCP does not have passes the offline plan and fails
// the real provider's Check, naming the field.
func TestCheckRefusesWhatMocksAccept(t *testing.T) {
	bad := func(ctx *pulumi.Context) error {
		p, err := gcp.NewProvider(ctx, "gcp", &gcp.ProviderArgs{Project: pulumi.String("acme-django-dev"), Region: pulumi.String("us-central1")})
		if err != nil {
			return err
		}
		_, err = compute.NewFirewall(ctx, "sideways", &compute.FirewallArgs{
			Network:   pulumi.String("default"),
			Direction: pulumi.String("SIDEWAYS"),
			Allows:    compute.FirewallAllowArray{compute.FirewallAllowArgs{Protocol: pulumi.String("tcp")}},
		}, pulumi.Provider(p))
		return err
	}
	_, err := offline.Run(offline.Options{Dir: repo, Stack: "dev", Program: bad})
	require.NoError(t, err, "the mocks accept anything")
	r, err := Run(context.Background(), Options{Dir: repo, Stack: "dev", Program: bad})
	require.NoError(t, err)
	var messages []string
	for _, d := range r.Errors() {
		messages = append(messages, d.Message)
	}
	assert.Error(t, r.Failed)
	assert.Contains(t, strings.Join(messages, "\n"), "direction", "the provider names the field it refused")
}

var (
	prdOnce     sync.Once
	prdBaseline *Baseline
	prdErr      error
)

func baseline(t *testing.T) *Baseline {
	prdOnce.Do(func() { prdBaseline, prdErr = NewBaseline(context.Background(), repo, "prd", nil) })
	require.NoError(t, prdErr)
	return prdBaseline
}

// diskGrown is Cloud SQL's auto-resize: the disk is bigger than the config says.
func diskGrown(state *apitype.DeploymentV3, plan *offline.Result) error {
	sql := plan.ByType("gcp:sql/databaseInstance:DatabaseInstance")[0]
	return SetOutput(state, sql.URN, "settings.diskSize", 120)
}

// InnocentChanges are the everyday changes of prd: none may replace a
// stateful resource (a new, empty database; a new node pool; a new network).
var InnocentChanges = []Change{
	{Name: "app.minReplicas 3 → 10", Set: map[string]string{"django-gke:app": `{"minReplicas": 10}`}},
	{Name: "capacity.targetRps 10000 → 20000", Set: map[string]string{"django-gke:capacity": `{"targetRps": 20000}`}},
	{Name: "app.cpu 1 → 2 (memory 2Gi)", Set: map[string]string{"django-gke:app": `{"cpu": "2", "memory": "2Gi"}`}},
	{Name: "cluster.machineType n2-standard-4 → n2-standard-8", Set: map[string]string{"django-gke:cluster": `{"machineType": "n2-standard-8"}`}},
	{Name: "database.tier db-custom-8-32768 → db-custom-16-65536", Set: map[string]string{"django-gke:database": `{"tier": "db-custom-16-65536"}`}},
	{Name: "the SQL disk grew by auto-resize (state 120 GB, config 100)", Drift: diskGrown},
	{Name: "database.diskGb 100 → 50", Set: map[string]string{"django-gke:database": `{"diskGb": 50}`}},
}

func TestInnocentChangesReplaceNothingStateful(t *testing.T) {
	b := baseline(t)
	for _, c := range InnocentChanges {
		v, err := Judge(context.Background(), repo, b, c, nil)
		require.NoError(t, err, c.Name)
		var out bytes.Buffer
		v.Write(&out)
		t.Log(out.String())
		assert.Empty(t, v.Stateful(), "%s replaces a stateful resource:\n%s", c.Name, out.String())
	}
}

// TestADeliberateReplacementIsFlagged proves the guard can fail: renaming the
// registry replaces it, and the verdict says so, naming the key.
func TestADeliberateReplacementIsFlagged(t *testing.T) {
	v, err := Judge(context.Background(), repo, baseline(t),
		Change{Name: "image.repository renamed", Set: map[string]string{"django-gke:image": `{"repository": "django-gke-2"}`}}, nil)
	require.NoError(t, err)
	stateful := v.Stateful()
	require.Len(t, stateful, 1)
	assert.Equal(t, "gcp:artifactregistry/repository:Repository", stateful[0].Type)
	assert.Equal(t, []string{"repositoryId"}, stateful[0].ReplaceKeys)
	var out bytes.Buffer
	v.Write(&out)
	assert.Contains(t, out.String(), "!!! REPLACES gcp:artifactregistry/repository:Repository django-gke-prd-registry (forced by repositoryId)")
}

// TestPlanDiffPutsAStatefulReplacementFirst: make plan-diff's guard end to
// end, as a pull request runs it: the base revision (HEAD of a clone) makes
// the state, the working tree renames prd's registry; the verdict comes
// before the offline diff, loudly, and the exit status is 3. (Allowing it by
// name is TestAStatefulReplacementBlocksUnlessAllowedByName.)
func TestPlanDiffPutsAStatefulReplacementFirst(t *testing.T) {
	root, err := filepath.Abs(repo)
	require.NoError(t, err)
	clone := filepath.Join(t.TempDir(), "repo")
	if out, err := exec.Command("git", "clone", "--quiet", root, clone).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	prd := filepath.Join(clone, "Pulumi.prd.yaml")
	text, err := os.ReadFile(prd)
	require.NoError(t, err)
	renamed := strings.Replace(string(text), "  django-gke:env: prd\n", "  django-gke:env: prd\n  django-gke:image:\n    repository: django-gke-2\n", 1)
	require.NotEqual(t, string(text), renamed)
	require.NoError(t, os.WriteFile(prd, []byte(renamed), 0o644))

	// Built, not `go run`, which exits 1 whatever the program's status.
	bin := filepath.Join(t.TempDir(), "plandiff")
	build := exec.Command("go", "build", "-o", bin, "./cmd/plandiff")
	build.Dir = clone
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-stack", "prd", "-base", "HEAD", "-guard")
	cmd.Dir = clone
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "%s", out)
	assert.Equal(t, 3, exit.ExitCode(), "%s", out)
	s := string(out)
	loud := strings.Index(s, "!!! REPLACES gcp:artifactregistry/repository:Repository django-gke-prd-registry (forced by repositoryId)")
	require.GreaterOrEqual(t, loud, 0, s)
	offlineDiff := strings.Index(s, "Stack prd: ")
	assert.Less(t, loud, offlineDiff, "the guard's verdict comes before the offline diff:\n%s", s)
	assert.Contains(t, s, "ALLOW_REPLACE=django-gke-prd-registry", "it says how to allow it")
}

// TestCacheResizesInPlace: the real gcp provider's Diff on prd's Memorystore
// instance. More memory is an update in place (Memorystore scales a
// STANDARD_HA instance without a new endpoint or AUTH string); nothing is
// replaced. The instance is not in StatefulTypes (a cache: losing it costs
// misses, not data), so the innocent-changes guard would not catch this.
func TestCacheResizesInPlace(t *testing.T) {
	v, err := Judge(context.Background(), repo, baseline(t),
		Change{Name: "cache.memorySizeGb 5 → 10", Set: map[string]string{"django-gke:cache": `{"memorySizeGb": 10}`}}, nil)
	require.NoError(t, err)
	var out bytes.Buffer
	v.Write(&out)
	t.Log(out.String())
	assert.Empty(t, v.Replacements, "a resize replaces nothing:\n%s", out.String())
	const redisType = "gcp:redis/instance:Instance"
	var updated []string
	for _, s := range v.Updates {
		if s.Type == redisType {
			assert.Equal(t, "update", s.Op)
			updated = append(updated, s.Diffs...)
		}
	}
	assert.Equal(t, []string{"memorySizeGb"}, updated, "the instance's own change:\n%s", out.String())
}

// failoverFlip is the regional failover runbook's config change for
// prd-global: europe-west1 (a read replica) moves first and becomes the
// primary; us-central1, the lost region, stays listed as a replica of it.
var failoverFlip = Change{Name: "regions: europe-west1 first (failover)", Set: map[string]string{"django-gke:regions": `{"list": [
 {"region": "europe-west1", "trafficShare": 0.4, "cidr": "10.11.0.0/20", "podsCidr": "10.28.0.0/14", "servicesCidr": "10.21.0.0/20", "masterCidr": "172.16.0.16/28"},
 {"region": "us-central1", "trafficShare": 0.6, "cidr": "10.10.0.0/20", "podsCidr": "10.16.0.0/14", "servicesCidr": "10.20.0.0/20", "masterCidr": "172.16.0.0/28"}]}`}}

// TestFailoverPromotesTheReplicaInPlace: the real gcp provider's Diff of the
// failover flip. The surviving region's replica is promoted in place (an
// update of instanceType: the provider calls promoteReplica); nothing stateful in the surviving region is replaced;
// what is replaced is the lost region's old primary (re-created as a replica
// of the new primary); the database and user, already on the promoted
// replica, do not move.
func TestFailoverPromotesTheReplicaInPlace(t *testing.T) {
	b, err := NewBaseline(context.Background(), repo, "prd-global", nil)
	require.NoError(t, err)
	v, err := Judge(context.Background(), repo, b, failoverFlip, nil)
	require.NoError(t, err)
	var out bytes.Buffer
	v.Write(&out)
	t.Log(out.String())
	const sqlType = "gcp:sql/databaseInstance:DatabaseInstance"
	promoted, found := Step{}, false
	for _, s := range v.Updates {
		if s.Type == sqlType && s.Name == "django-gke-prd-global-euw1-pg" {
			promoted, found = s, true
		}
	}
	require.True(t, found, "the europe-west1 replica is updated:\n%s", out.String())
	assert.Equal(t, "update", promoted.Op)
	// masterInstanceName is Optional+Computed: dropping it from the inputs is
	// no diff of its own; the instanceType change is what makes the provider
	// call promoteReplica.
	assert.Contains(t, promoted.Diffs, "instanceType", "promotion:\n%s", out.String())
	assert.Contains(t, promoted.Diffs, "settings.backupConfiguration.enabled", "the new primary gets backups:\n%s", out.String())
	var replaced []string
	for _, s := range v.Stateful() {
		replaced = append(replaced, s.Type+" "+s.Name)
	}
	assert.ElementsMatch(t, []string{sqlType + " django-gke-prd-global-usc1-pg"}, replaced,
		"only the lost region's old primary is replaced (by a replica of the new primary):\n%s", out.String())
	for _, s := range append(v.Updates, v.Replacements...) {
		assert.NotContains(t, s.Name, "euw1-pool", "the surviving region's node pool is untouched:\n%s", out.String())
		assert.NotEqual(t, "gcp:container/cluster:Cluster", s.Type, "no cluster changes:\n%s", out.String())
	}
}

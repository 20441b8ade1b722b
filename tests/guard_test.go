package tests

import (
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/artifactregistry"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/certificatemanager"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/compute"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/container"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/redis"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/serviceaccount"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/servicenetworking"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/sql"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/storage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"django-gke/infra/guard"
	"django-gke/infra/offline"
	"django-gke/infra/plandiff"
)

// argsOf are the provider input types of the table's resource types, from
// the typed SDK: a path in the table must be one of their inputs.
var argsOf = map[string]reflect.Type{
	"gcp:artifactregistry/repository:Repository":     artifactregistry.RepositoryArgs{}.ElementType(),
	"gcp:certificatemanager/certificate:Certificate": certificatemanager.CertificateArgs{}.ElementType(),
	"gcp:compute/globalAddress:GlobalAddress":        compute.GlobalAddressArgs{}.ElementType(),
	"gcp:compute/network:Network":                    compute.NetworkArgs{}.ElementType(),
	"gcp:compute/subnetwork:Subnetwork":              compute.SubnetworkArgs{}.ElementType(),
	"gcp:container/cluster:Cluster":                  container.ClusterArgs{}.ElementType(),
	"gcp:container/nodePool:NodePool":                container.NodePoolArgs{}.ElementType(),
	"gcp:redis/instance:Instance":                    redis.InstanceArgs{}.ElementType(),
	"gcp:serviceaccount/account:Account":             serviceaccount.AccountArgs{}.ElementType(),
	"gcp:servicenetworking/connection:Connection":    servicenetworking.ConnectionArgs{}.ElementType(),
	"gcp:sql/database:Database":                      sql.DatabaseArgs{}.ElementType(),
	"gcp:sql/databaseInstance:DatabaseInstance":      sql.DatabaseInstanceArgs{}.ElementType(),
	"gcp:sql/user:User":                              sql.UserArgs{}.ElementType(),
	"gcp:storage/bucket:Bucket":                      storage.BucketArgs{}.ElementType(),
}

// inputAt follows a dotted path of Pulumi input names through an args type
// (pointers, lists and maps looked through).
func inputAt(t reflect.Type, path string) bool {
	for _, name := range strings.Split(path, ".") {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return false
		}
		found := false
		for i := range t.NumField() {
			if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("pulumi"), ","); tag == name {
				t, found = t.Field(i).Type, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// TestTheForceNewTableNamesRealInputs: every path of the guard's tables is an
// input of its type in the pulumi-gcp SDK the program is built with, so a
// misspelt path cannot silently never match; every stateful type has a row.
func TestTheForceNewTableNamesRealInputs(t *testing.T) {
	for name, table := range map[string]map[string][]guard.Field{"ForceNew": guard.ForceNew, "ChangedByGCP": guard.ChangedByGCP} {
		for typ, fields := range table {
			args, ok := argsOf[typ]
			if !assert.True(t, ok, "%s: %s has no args type in argsOf", name, typ) {
				continue
			}
			for _, f := range fields {
				assert.True(t, inputAt(args, f.Path), "%s: %s has no input %s", name, typ, f.Path)
			}
		}
	}
	for _, typ := range guard.StatefulTypes {
		assert.NotEmpty(t, guard.ForceNew[typ], "stateful %s has no ForceNew row", typ)
	}
	assert.False(t, inputAt(argsOf["gcp:sql/databaseInstance:DatabaseInstance"], "settings.diskSizeGb"), "the walk can fail")
}

// TestWhatGCPChangesIsIgnored: every input GCP moves on its own (the disk
// auto-resize, the autoscaler's node counts, auto-upgrades) is either left
// unset by the program or under the resource's ignoreChanges in every stack:
// a drift there never becomes an update, let alone a replacement.
func TestWhatGCPChangesIsIgnored(t *testing.T) {
	for _, stack := range append(slices.Clone(Stacks), "prd-global", "local") {
		res := plan(t, stack)
		for typ, fields := range guard.ChangedByGCP {
			for _, r := range res.ByType(typ) {
				for _, f := range fields {
					if _, set := r.Input(f.Path); !set {
						continue
					}
					ignored := slices.ContainsFunc(r.IgnoreChanges, func(p string) bool {
						return p == f.Path || strings.HasPrefix(f.Path, p+".")
					})
					assert.True(t, ignored, "%s: %s %s sets %s, which GCP changes (%s), without ignoreChanges", stack, typ, r.Name, f.Path, f.Why)
				}
			}
		}
	}
}

// mergedSet sets an object's fields over the stack's own value (Set replaces
// whole values; a change names only the fields it changes).
func mergedSet(t *testing.T, stack string, set map[string]string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for k, v := range set {
		cur := map[string]any{}
		if raw, ok := plan(t, stack).Config.Values[k]; ok {
			require.NoError(t, json.Unmarshal([]byte(raw), &cur), k)
		}
		var change map[string]any
		require.NoError(t, json.Unmarshal([]byte(v), &change), k)
		for f, x := range change {
			cur[f] = x
		}
		b, err := json.Marshal(cur)
		require.NoError(t, err)
		out[k] = string(b)
	}
	return out
}

func judged(t *testing.T, stack string, set map[string]string) (guard.Verdict, plandiff.Diff) {
	t.Helper()
	changed, err := offline.Run(offline.Options{Dir: repoRoot(), Stack: stack, Set: mergedSet(t, stack, set)})
	require.NoError(t, err)
	d := plandiff.Compare(plan(t, stack).Snapshot(), changed.Snapshot())
	return guard.Judge(d), d
}

// TestInnocentChangesReplaceNothingStateful: prd's everyday changes, judged
// by the guard on the offline plans: none may replace a stateful resource
// (a new, empty database; a new node pool; a new network), and each does
// change something (or the test would prove nothing).
func TestInnocentChangesReplaceNothingStateful(t *testing.T) {
	for _, c := range []struct {
		name string
		set  map[string]string
	}{
		{"app.minReplicas 3 → 10", map[string]string{"django-gke:app": `{"minReplicas": 10}`}},
		{"capacity.targetRps 10000 → 20000", map[string]string{"django-gke:capacity": `{"targetRps": 20000}`}},
		{"app.cpu 1 → 2 (memory 2Gi)", map[string]string{"django-gke:app": `{"cpu": "2", "memory": "2Gi"}`}},
		{"cluster.machineType → n2-standard-8", map[string]string{"django-gke:cluster": `{"machineType": "n2-standard-8"}`}},
		{"database.tier → db-custom-16-65536", map[string]string{"django-gke:database": `{"tier": "db-custom-16-65536"}`}},
		{"database.diskGb 100 → 50 (the disk never shrinks: ignored)", map[string]string{"django-gke:database": `{"diskGb": 50}`}},
		{"cache.memorySizeGb 5 → 10", map[string]string{"django-gke:cache": `{"memorySizeGb": 10}`}},
	} {
		v, d := judged(t, "prd", c.set)
		var out bytes.Buffer
		v.Write(&out)
		assert.Empty(t, v.Stateful(), "%s replaces a stateful resource:\n%s", c.name, out.String())
		assert.Empty(t, d.Removed, c.name)
		if !strings.Contains(c.name, "ignored") {
			assert.NotEmpty(t, d.Changed, "%s changes nothing: the test would prove nothing", c.name)
		}
	}
}

// TestADeliberateReplacementIsFlagged proves the guard can fail: renaming
// the registry or moving the cluster's control-plane range replaces them,
// and the verdict names the input.
func TestADeliberateReplacementIsFlagged(t *testing.T) {
	v, _ := judged(t, "prd", map[string]string{"django-gke:image": `{"repository": "django-gke-2"}`})
	require.Len(t, v.Stateful(), 1)
	assert.Equal(t, "gcp:artifactregistry/repository:Repository", v.Stateful()[0].Type)
	assert.Equal(t, []string{"repositoryId"}, v.Stateful()[0].Keys)
	var out bytes.Buffer
	v.Write(&out)
	assert.Contains(t, out.String(), "!!! REPLACES gcp:artifactregistry/repository:Repository django-gke-prd-registry (forced by repositoryId)")
	assert.Contains(t, out.String(), "ALLOW_REPLACE=django-gke-prd-registry")

	v, _ = judged(t, "prd", map[string]string{"django-gke:network": `{"masterCidr": "172.16.0.32/28"}`})
	var types []string
	for _, r := range v.Stateful() {
		types = append(types, r.Type+" "+strings.Join(r.Keys, ","))
	}
	assert.Contains(t, types, "gcp:container/cluster:Cluster privateClusterConfig.masterIpv4CidrBlock")
}

// TestPlanDiffPutsAStatefulReplacementFirst: make plan-diff end to end, as a
// pull request runs it: the working tree renames prd's registry; the guard's
// verdict comes before the offline diff, loudly, and the exit status is 3;
// allowed by name it passes.
func TestPlanDiffPutsAStatefulReplacementFirst(t *testing.T) {
	clone := snapshotRepo(t)
	editStackFile(t, clone, "prd", func(s string) string {
		return strings.Replace(s, "  django-gke:env: prd\n", "  django-gke:env: prd\n  django-gke:image:\n    repository: django-gke-2\n", 1)
	})

	bin := buildPlandiff(t, clone)
	out, code := runIn(clone, bin, "-stack", "prd", "-base", "HEAD", "-guard")
	assert.Equal(t, 3, code, "%s", out)
	loud := strings.Index(out, "!!! REPLACES gcp:artifactregistry/repository:Repository django-gke-prd-registry (forced by repositoryId)")
	require.GreaterOrEqual(t, loud, 0, out)
	assert.Less(t, loud, strings.Index(out, "Stack prd: "), "the guard's verdict comes before the offline diff:\n%s", out)
	assert.Contains(t, out, "ALLOW_REPLACE=django-gke-prd-registry", "it says how to allow it")

	out, code = runIn(clone, bin, "-stack", "prd", "-base", "HEAD", "-guard", "-allow-replace", "django-gke-prd-registry")
	assert.Equal(t, 0, code, "%s", out)
	assert.Contains(t, out, "forced by repositoryId; allowed as deliberate)")
}

// buildPlandiff builds cmd/plandiff from dir (built, not `go run`, which
// exits 1 whatever the program's status).
func buildPlandiff(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "plandiff")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/plandiff")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// runIn runs a command in dir: its combined output and exit status.
func runIn(dir, name string, args ...string) (string, int) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exit):
		return string(out), exit.ExitCode()
	default:
		return string(out) + err.Error(), -1
	}
}

package guard

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"django-gke/infra/plandiff"
)

const (
	registryType = "gcp:artifactregistry/repository:Repository"
	sqlType      = "gcp:sql/databaseInstance:DatabaseInstance"
	alertType    = "gcp:monitoring/alertPolicy:AlertPolicy"
	addressType  = "gcp:compute/globalAddress:GlobalAddress"
)

func changed(typ, name string, changes ...plandiff.Change) plandiff.ResourceDiff {
	return plandiff.ResourceDiff{Resource: plandiff.Resource{URN: "urn:pulumi:prd::django-gke::" + typ + "::" + name, Type: typ, Name: name}, Changes: changes}
}

func TestAStatefulReplacementBlocksUnlessAllowedByName(t *testing.T) {
	v := Judge(plandiff.Diff{Stack: "prd", Changed: []plandiff.ResourceDiff{
		changed(alertType, "errors", plandiff.Change{Path: "displayName", Old: "a", New: "b"}),
		changed(registryType, "django-gke-prd-registry", plandiff.Change{Path: "repositoryId", Old: "django-gke", New: "django-gke-2"},
			plandiff.Change{Path: "description", Old: "x", New: "y"}),
	}})
	require.Len(t, v.Stateful(), 1)
	assert.Equal(t, []string{"repositoryId"}, v.Stateful()[0].Keys, "description is an update")
	assert.Len(t, v.Blocking(), 1)
	var out bytes.Buffer
	v.Write(&out)
	assert.Contains(t, out.String(), "!!! REPLACES gcp:artifactregistry/repository:Repository django-gke-prd-registry (forced by repositoryId)\n")
	assert.NotContains(t, out.String(), "errors", "an alert policy's display name is not in the table: an update")

	v.Allowed = []string{registryType, "*"}
	assert.Len(t, v.Blocking(), 1, "neither a type nor a wildcard allows a replacement")
	v.Allowed = []string{"django-gke-prd-registry"}
	assert.Empty(t, v.Blocking())
	out.Reset()
	v.Write(&out)
	assert.Contains(t, out.String(), "; allowed as deliberate)")
	assert.NotContains(t, out.String(), "blocked:")
}

// TestAStatefulDeletionBlocks: a resource whose URN changed without an alias
// is deleted and created again; for a static IP that is a new address.
func TestAStatefulDeletionBlocks(t *testing.T) {
	v := Judge(plandiff.Diff{Stack: "prd",
		Added:   []plandiff.Resource{{URN: "urn:new", Type: addressType, Name: "web-ip"}},
		Removed: []plandiff.Resource{{URN: "urn:old", Type: addressType, Name: "web-ip"}, {URN: "urn:alert", Type: alertType, Name: "errors"}},
	})
	require.Len(t, v.Blocking(), 1)
	assert.True(t, v.Blocking()[0].Deletes)
	var out bytes.Buffer
	v.Write(&out)
	assert.Contains(t, out.String(), "!!! DELETES gcp:compute/globalAddress:GlobalAddress web-ip (it left the program, or its URN changed without an alias)")
	assert.NotContains(t, out.String(), "errors", "an alert policy holds no data")
	v.Allowed = []string{"web-ip"}
	assert.Empty(t, v.Blocking(), "a deliberate deletion is allowed by name")
}

// TestWholeObjectsAndListsReachTheirFields: a field inside a list element, or
// an object added whole, forces what the field forces.
func TestWholeObjectsAndListsReachTheirFields(t *testing.T) {
	field := ""
	for _, f := range ForceNew["gcp:container/cluster:Cluster"] {
		if strings.HasPrefix(f.Path, "privateClusterConfig.") {
			field = f.Path
		}
	}
	require.NotEmpty(t, field, "the cluster's private control-plane range is in the table")
	v := Judge(plandiff.Diff{Changed: []plandiff.ResourceDiff{
		changed("gcp:container/cluster:Cluster", "gke", plandiff.Change{Path: "privateClusterConfig", Added: true, New: map[string]any{}}),
	}})
	require.Len(t, v.Stateful(), 1)
	assert.Contains(t, v.Stateful()[0].Keys, field)

	assert.Equal(t, "settings.ipConfiguration.authorizedNetworks.value", fieldPath("settings.ipConfiguration.authorizedNetworks[2].value"))
	assert.Equal(t, "labels.app.kubernetes.io", fieldPath(`labels["app.kubernetes.io"]`))
	assert.True(t, touches("a.b.c", "a.b"))
	assert.True(t, touches("a", "a.b"))
	assert.False(t, touches("ab", "a"))
}

// TestOptionalComputedInputsKeepTheirValueWhenDropped: a promoted replica's
// masterInstanceName goes from the inputs (the live value stays; no diff),
// while setting it on a primary replaces the primary.
func TestOptionalComputedInputsKeepTheirValueWhenDropped(t *testing.T) {
	promoted := changed(sqlType, "euw1-pg", plandiff.Change{Path: "masterInstanceName", Old: "usc1-pg", Removed: true},
		plandiff.Change{Path: "instanceType", Old: "READ_REPLICA_INSTANCE", New: "CLOUD_SQL_INSTANCE"})
	demoted := changed(sqlType, "usc1-pg", plandiff.Change{Path: "masterInstanceName", New: "euw1-pg", Added: true})
	v := Judge(plandiff.Diff{Changed: []plandiff.ResourceDiff{promoted, demoted}})
	require.Len(t, v.Replacements, 1, "%+v", v.Replacements)
	assert.Equal(t, "usc1-pg", v.Replacements[0].Name)
	assert.Equal(t, []string{"masterInstanceName"}, v.Replacements[0].Keys)
}

// TestTheTablesAreSourced: every row says why and where that is written, and
// each type's rows are sorted and unique (one fact, one row).
func TestTheTablesAreSourced(t *testing.T) {
	for name, table := range map[string]map[string][]Field{"ForceNew": ForceNew, "ChangedByGCP": ChangedByGCP} {
		for typ, fields := range table {
			var paths []string
			for _, f := range fields {
				assert.NotEmpty(t, f.Why, "%s %s %s", name, typ, f.Path)
				assert.True(t, strings.HasPrefix(f.Source, "https://"), "%s %s %s: source %q", name, typ, f.Path, f.Source)
				paths = append(paths, f.Path)
			}
			assert.True(t, slices.IsSorted(paths), "%s %s: rows sorted by path: %v", name, typ, paths)
			assert.Equal(t, len(paths), len(slices.Compact(slices.Clone(paths))), "%s %s: a path twice", name, typ)
		}
	}
}

// TestAThawedStatefulResourceCannotBeJudged: the base kept a lost region's
// instance as deployed (ignoreChanges "*"); declared normally again, its
// live inputs are older than the base's, so an empty diff proves nothing:
// the guard says it cannot judge and blocks until it is allowed by name.
func TestAThawedStatefulResourceCannotBeJudged(t *testing.T) {
	lostPG := plandiff.Resource{URN: "urn:pg", Type: sqlType, Name: "django-gke-prd-global-usc1-pg", Display: "DatabaseInstance django-gke-prd-global-usc1-pg"}
	base := plandiff.Snapshot{Stack: "prd-global", Resources: []plandiff.Resource{
		{URN: lostPG.URN, Type: sqlType, Name: lostPG.Name, Display: lostPG.Display, IgnoreChanges: []string{"settings.diskSize", "*"},
			Inputs: map[string]any{"instanceType": "READ_REPLICA_INSTANCE"}},
		{URN: "urn:alert", Type: alertType, Name: "sql-down", IgnoreChanges: []string{"*"}},
	}}
	head := plandiff.Snapshot{Stack: "prd-global", Resources: []plandiff.Resource{
		{URN: lostPG.URN, Type: sqlType, Name: lostPG.Name, Display: lostPG.Display, IgnoreChanges: []string{"settings.diskSize"},
			Inputs: map[string]any{"instanceType": "READ_REPLICA_INSTANCE"}},
		{URN: "urn:alert", Type: alertType, Name: "sql-down"},
	}}
	d := plandiff.Compare(base, head)
	assert.Empty(t, d.Changed, "the declared inputs are the same")
	require.Len(t, d.Thawed, 2)
	v := Judge(d)
	require.Len(t, v.Blocking(), 1, "only the stateful one blocks")
	assert.True(t, v.Blocking()[0].Unseen)
	var out bytes.Buffer
	v.Write(&out)
	assert.Contains(t, out.String(), "!!! CANNOT JUDGE gcp:sql/databaseInstance:DatabaseInstance django-gke-prd-global-usc1-pg (kept as deployed at the base, a lost region")
	assert.Contains(t, out.String(), "blocked: if deliberate, allow it by name (make plan-diff ALLOW_REPLACE=django-gke-prd-global-usc1-pg)")
	v.Allowed = []string{lostPG.Name}
	assert.Empty(t, v.Blocking())

	out.Reset()
	plandiff.Write(&out, d, false)
	assert.Contains(t, out.String(), "Kept as deployed at the base (a lost region), declared normally here: 2 resources")
	assert.Contains(t, out.String(), "* DatabaseInstance django-gke-prd-global-usc1-pg")
	assert.False(t, d.Empty(), "a thawed region is not 'no changes'")
}

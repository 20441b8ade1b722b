package plandiff

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func snap(resources ...Resource) Snapshot { return Snapshot{Stack: "prd", Resources: resources} }

func TestCompare(t *testing.T) {
	hpa := func(max int) Resource {
		return Resource{URN: "urn:hpa", Display: "HorizontalPodAutoscaler web", Inputs: map[string]any{
			"spec": map[string]any{"maxReplicas": max, "metrics": []any{map[string]any{"type": "ContainerResource"}}},
		}}
	}
	gone := Resource{URN: "urn:old", Display: "Service old", Inputs: map[string]any{}}
	added := Resource{URN: "urn:new", Display: "Service new", Inputs: map[string]any{}}
	base := snap(hpa(12), gone)
	base.Outputs = map[string]any{"capacityPlan": map[string]any{"yearlyCostUsd": "1000.00", "hpaMaxReplicas": 12}}
	head := snap(hpa(24), added)
	head.Outputs = map[string]any{"capacityPlan": map[string]any{"yearlyCostUsd": "1250.50", "hpaMaxReplicas": 24}}

	d := Compare(base, head)
	assert.Len(t, d.Added, 1)
	assert.Len(t, d.Removed, 1)
	if assert.Len(t, d.Changed, 1) {
		assert.Equal(t, []Change{{Path: "spec.maxReplicas", Old: float64(12), New: float64(24)}}, d.Changed[0].Changes,
			"only the changed leaf; numbers compared as JSON values")
	}
	var out strings.Builder
	Write(&out, d, false)
	assert.Contains(t, out.String(), "Stack prd: 1 to add, 1 to change, 1 to remove.")
	assert.Contains(t, out.String(), "~ HorizontalPodAutoscaler web: spec.maxReplicas 12 → 24")
	assert.Contains(t, out.String(), "yearlyCostUsd: 1000.00 → 1250.50 (+250.50 USD a year)")
	assert.NotContains(t, out.String(), "hpaMaxReplicas: 12 → 24 (", "a delta in USD only for yearly costs")

	var md strings.Builder
	Write(&md, d, true)
	assert.Contains(t, md.String(), "- ~ HorizontalPodAutoscaler web: `spec.maxReplicas 12 → 24`")

	same := Compare(base, base)
	assert.True(t, same.Empty())
	var none strings.Builder
	Write(&none, same, false)
	assert.Equal(t, "No changes to stack prd.\n", none.String())
}

func TestPathsQuoteKeysWithDots(t *testing.T) {
	changes := compareValues("", map[string]any{"data": map[string]any{"nginx.conf": "a"}}, map[string]any{"data": map[string]any{"nginx.conf": "b"}})
	assert.Equal(t, `data["nginx.conf"]`, changes[0].Path)
	removed := compareValues("", map[string]any{"a": 1}, map[string]any{})
	assert.True(t, removed[0].Removed)
}

// TestMovedResourcesAreMatchedThroughTheirAliases: a resource whose parent
// changed, with an alias to its old URN, is the same resource (no add, no
// remove, its inputs compared); components that come or go are regrouping.
func TestMovedResourcesAreMatchedThroughTheirAliases(t *testing.T) {
	old := "urn:pulumi:prd::django-gke::django-gke:components:Webapp$gcp:compute/globalAddress:GlobalAddress::web-ip"
	moved := "urn:pulumi:prd::django-gke::django-gke:components:EdgeAddress$gcp:compute/globalAddress:GlobalAddress::web-ip"
	base := Snapshot{Stack: "prd", Resources: []Resource{
		{URN: "urn:pulumi:prd::django-gke::django-gke:components:Webapp::web"},
		{URN: old, Display: "GlobalAddress web-ip", Inputs: map[string]any{"description": "a"}},
	}}
	head := Snapshot{Stack: "prd", Resources: []Resource{
		{URN: "urn:pulumi:prd::django-gke::django-gke:components:EdgeAddress::web", Component: true},
		{URN: moved, Display: "GlobalAddress web-ip", Inputs: map[string]any{"description": "a"}, Aliases: []string{old}},
	}}
	d := Compare(base, head)
	assert.True(t, d.Empty(), "%+v", d)
	assert.Equal(t, []Move{{From: old, To: moved}}, d.Moved)
	assert.Len(t, d.Regrouped, 2)
	var out strings.Builder
	Write(&out, d, false)
	assert.Contains(t, out.String(), "No changes to stack prd.")
	assert.Contains(t, out.String(), "gcp:compute/globalAddress:GlobalAddress web-ip: under Webapp → under EdgeAddress")

	head.Resources[1].Inputs["description"] = "b"
	d = Compare(base, head)
	require.Len(t, d.Changed, 1, "a moved resource's inputs are still compared")
	assert.Equal(t, "description", d.Changed[0].Changes[0].Path)

	head.Resources[1].Aliases = nil
	d = Compare(base, head)
	assert.Len(t, d.Added, 1, "without the alias it is a new resource")
	assert.Len(t, d.Removed, 1, "and the old one is deleted")
}

func TestRelocateComparesPathsInsideTheCheckouts(t *testing.T) {
	s := Snapshot{Resources: []Resource{{URN: "k", Inputs: map[string]any{
		"kubeconfig": "/tmp/plandiff-1/tree/build/cluster/kubeconfig",
		"list":       []any{"/tmp/plandiff-1/tree/app", "/tmp/plandiff-1/treetop"},
	}}}, Outputs: map[string]any{"kubeconfig": "/tmp/plandiff-1/tree/build/cluster/kubeconfig"}}
	r := Relocate(s, "/tmp/plandiff-1/tree", "/work/main")
	assert.Equal(t, "/work/main/build/cluster/kubeconfig", r.Resources[0].Inputs["kubeconfig"])
	assert.Equal(t, []any{"/work/main/app", "/tmp/plandiff-1/treetop"}, r.Resources[0].Inputs["list"], "only paths under the checkout")
	assert.Equal(t, "/work/main/build/cluster/kubeconfig", r.Outputs["kubeconfig"])
}

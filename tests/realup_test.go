package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"django-gke/components"
	"django-gke/infra/offline"
)

// Tests of what a review against GCP's real behaviour found would stop a
// first `pulumi up` or misbehave in production (the first-real-up issue).

// TestPrivateServicesAccessWaitsForTheServiceNetworkingAgent: on a fresh
// project the Service Networking service agent exists only once something
// creates it; the peering then fails now and then. The agent is declared,
// granted roles/servicenetworking.serviceAgent, and the connection depends on both.
func TestPrivateServicesAccessWaitsForTheServiceNetworkingAgent(t *testing.T) {
	for _, stack := range append(Stacks, globalStack) {
		res := plan(t, stack)
		agent := res.Named("gcp:projects/serviceIdentity:ServiceIdentity", "django-gke-"+stack+"-servicenetworking-agent")
		require.NotNil(t, agent, stack)
		assert.Equal(t, "servicenetworking.googleapis.com", in(t, agent, "service"))
		email, _ := agent.Output("email")
		var grant *offline.Resource
		for _, m := range res.ByType("gcp:projects/iAMMember:IAMMember") {
			if v, _ := m.Input("role"); v == "roles/servicenetworking.serviceAgent" {
				grant = m
			}
		}
		require.NotNil(t, grant, "%s: the agent's role is granted", stack)
		assert.Equal(t, "serviceAccount:"+email.(string), in(t, grant, "member"))
		assert.Regexp(t, `^service-\d+@service-networking\.iam\.gserviceaccount\.com$`, email)
		conn := one(t, res, "gcp:servicenetworking/connection:Connection")
		assert.True(t, conn.DependsOn(agent.URN), "%s: the peering waits for the agent", stack)
		assert.True(t, conn.DependsOn(grant.URN), "%s: the peering waits for the agent's role", stack)
	}
}

// TestMultiClusterServicesHaveCloudDNS: multi-cluster Services writes Cloud DNS
// records for every ServiceImport; the DNS API is enabled with the fleet.
func TestMultiClusterServicesHaveCloudDNS(t *testing.T) {
	assert.Contains(t, components.MultiClusterServices, "dns.googleapis.com")
	res := plan(t, globalStack)
	var enabled []string
	for _, s := range res.ByType("gcp:projects/service:Service") {
		v, _ := s.Input("service")
		enabled = append(enabled, v.(string))
	}
	assert.Contains(t, enabled, "dns.googleapis.com")
}

// TestTheLongestStackNameFitsEveryName: a 12-character stack (the longest the
// name rule allows) in regions with the longest codes: the clusters and the
// node pools (Pulumi's auto-name adds 8 characters) stay within GKE's 40.
func TestTheLongestStackNameFitsEveryName(t *testing.T) {
	const stack = "abcdefghij12"
	dir := snapshotRepo(t)
	// prd-global renamed, in the regions with the longest codes.
	global := filepath.Join(dir, "Pulumi."+globalStack+".yaml")
	require.NoError(t, os.Rename(global, filepath.Join(dir, "Pulumi."+stack+".yaml")))
	editStackFile(t, dir, stack, strings.NewReplacer("us-central1", "northamerica-northeast2", "europe-west1", "australia-southeast2").Replace)
	res, err := offline.Run(offline.Options{Dir: dir, Stack: stack})
	require.NoError(t, err)

	pools := res.ByType("gcp:container/nodePool:NodePool")
	require.Len(t, pools, 2)
	for _, r := range append(pools, res.ByType("gcp:container/cluster:Cluster")...) {
		name, _ := r.Output("name")
		assert.LessOrEqual(t, len(name.(string)), 40, "%s %s is named %q", r.Type, r.Name, name)
	}
	assert.NotNil(t, res.Named("gcp:container/nodePool:NodePool", "nane2-pool"))
}

// TestTwoStacksCannotShareAProject: the fleet's features and the _Default log
// bucket exist once per project, the registry and the log metric would
// collide: a stack whose gcp:project another stack file names is refused,
// naming both.
func TestTwoStacksCannotShareAProject(t *testing.T) {
	clone := snapshotRepo(t)
	editStackFile(t, clone, globalStack, func(s string) string {
		return strings.Replace(s, "gcp:project: acme-django-prd-global", "gcp:project: acme-django-prd", 1)
	})
	_, err := offline.Run(offline.Options{Dir: clone, Stack: globalStack})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `gcp:project: "acme-django-prd" is not allowed: stack prd (Pulumi.prd.yaml) deploys to it too`)
	_, err = offline.Run(offline.Options{Dir: clone, Stack: "prd"})
	require.Error(t, err, "either stack refuses")
	assert.Contains(t, err.Error(), "stack prd-global (Pulumi.prd-global.yaml) deploys to it too")
}

// TestConvertingAStackToRegionsInPlaceIsBlocked: adding regions.list to prd
// itself renames its database instance, cluster and network (region-coded
// names): an `up` would create new, empty ones and delete the old. The
// replacement guard stops it (exit 3) and names the SQL instance; the way
// from one region to several is a new stack (README "From one region to several").
func TestConvertingAStackToRegionsInPlaceIsBlocked(t *testing.T) {
	clone := snapshotRepo(t)
	global, err := os.ReadFile(filepath.Join(clone, "Pulumi."+globalStack+".yaml"))
	require.NoError(t, err)
	regions := string(global[strings.Index(string(global), "  django-gke:regions:"):])
	editStackFile(t, clone, "prd", func(s string) string {
		return strings.Replace(s, "  django-gke:env: prd\n", "  django-gke:env: prd\n  django-gke:cache:\n    enabled: false\n"+regions, 1)
	})
	bin := buildPlandiff(t, clone)
	out, code := runIn(clone, bin, "-stack", "prd", "-base", "HEAD", "-guard")
	assert.Equal(t, 3, code, "%s", out)
	assert.Contains(t, out, "!!! DELETES gcp:sql/databaseInstance:DatabaseInstance django-gke-prd-pg")
	assert.Contains(t, out, "!!! DELETES gcp:container/cluster:Cluster django-gke-prd ")
}

// TestReadinessChecksWhatTheRegionNeeds: /readyz is also the load balancer's
// health check, so each pod is told what to check (DB_READINESS): in one
// region nothing (a Cloud SQL failover must not take static files and cached
// pages out of the load balancer), in a multi-region stack the database the
// region reads from (its replica, or the primary in the primary's region).
// The primary's health is an alert instead.
func TestReadinessChecksWhatTheRegionNeeds(t *testing.T) {
	for _, stack := range Stacks {
		assert.Equal(t, "none", in(t, settingsMap(t, plan(t, stack)), "data.DB_READINESS"), stack)
	}
	res := plan(t, globalStack)
	for code, want := range map[string]string{"usc1": "primary", "euw1": "replica"} {
		var found bool
		for _, cm := range res.ByType("kubernetes:core/v1:ConfigMap") {
			if v, ok := cm.Input("data.DB_READINESS"); ok && strings.Contains(cm.Provider, "::django-gke-prd-global-"+code+"-k8s::") {
				assert.Equal(t, want, v, code)
				found = true
			}
		}
		assert.True(t, found, code)
	}
	for _, stack := range []string{"stg", "prd", globalStack} {
		alert := alertsByKey(t, plan(t, stack))["sql-down"]
		require.NotNil(t, alert, stack)
		c := asMap(condition(t, alert, 0)["conditionThreshold"])
		assert.Contains(t, c["filter"], `metric.type="cloudsql.googleapis.com/database/up"`)
		assert.Equal(t, "COMPARISON_LT", c["comparison"])
	}
}

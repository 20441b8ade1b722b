package tests

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"django-gke/infra"
	"django-gke/infra/offline"
)

// What a first or a later `pulumi up` on GCP needs that mocks cannot see: the
// order GCP requires (dependency edges), fields the provider replaces a
// stateful resource for (ignoreChanges, stable values), and settings that
// would only fail after minutes. Each test fails on the program before its fix.

// TestWorkloadIdentityGrantWaitsForTheCluster: IAM knows <project>.svc.id.goog
// only once a cluster with that workload pool exists (400 "Identity Pool does
// not exist" before), so the binding takes the pool from the cluster.
func TestWorkloadIdentityGrantWaitsForTheCluster(t *testing.T) {
	for _, stack := range Stacks {
		res := plan(t, stack)
		cluster := one(t, res, "gcp:container/cluster:Cluster")
		wi := one(t, res, "gcp:serviceaccount/iAMMember:IAMMember")
		assert.True(t, wi.DependsOn(cluster.URN), "%s: the Workload Identity binding depends on the cluster", stack)
		assert.Contains(t, wi.PropertyDependencies["member"], cluster.URN, "%s: its member comes from the cluster's workload pool", stack)
		assert.Equal(t, "serviceAccount:acme-django-"+stack+".svc.id.goog[django/django]", in(t, wi, "member"))
	}
}

// TestErrorAlertWaitsForItsMetric: the alert on the log-based metric is created
// after the metric (404 "Cannot find metric(s)" otherwise) and after the Cloud
// SQL instance, minutes later, while the metric itself only waits for the APIs.
func TestErrorAlertWaitsForItsMetric(t *testing.T) {
	for _, stack := range []string{"stg", "prd"} {
		res := plan(t, stack)
		metric := one(t, res, "gcp:logging/metric:Metric")
		sql := one(t, res, "gcp:sql/databaseInstance:DatabaseInstance")
		alert := res.Named("gcp:monitoring/alertPolicy:AlertPolicy", "django-gke-"+stack+"-alert-app-errors")
		require.NotNil(t, alert)
		assert.True(t, alert.DependsOn(metric.URN), "%s: the alert waits for the metric", stack)
		assert.True(t, alert.DependsOn(sql.URN), "%s: and for the slow database, so the metric has propagated", stack)
		assert.False(t, metric.DependsOn(sql.URN), "%s: the metric is created early", stack)
		filter := in(t, alert, "conditions[0].conditionThreshold.filter").(string)
		assert.Contains(t, filter, `metric.type="logging.googleapis.com/user/`+metric.Outputs["name"].StringValue()+`"`)
	}
}

// TestStatefulFieldsThatMoveAreIgnored: Cloud SQL's disk grows by itself
// (auto-resize) and a smaller settings.diskSize replaces the instance; a node
// pool's initialNodeCount replaces the pool. Both are set once and ignored after.
func TestStatefulFieldsThatMoveAreIgnored(t *testing.T) {
	for _, stack := range Stacks {
		res := plan(t, stack)
		sql := one(t, res, "gcp:sql/databaseInstance:DatabaseInstance")
		assert.Contains(t, sql.IgnoreChanges, "settings.diskSize", stack)
		assert.Equal(t, true, in(t, sql, "settings.diskAutoresize"))
		pool := one(t, res, "gcp:container/nodePool:NodePool")
		assert.Contains(t, pool.IgnoreChanges, "initialNodeCount", stack)
	}
}

// TestInnocentChangesLeaveRestartingFieldsAlone: sizing changes move the HPA
// and the node pool's bounds, never the node pool's initialNodeCount (a new
// pool) nor max_connections (a database restart).
func TestInnocentChangesLeaveRestartingFieldsAlone(t *testing.T) {
	base := plan(t, "prd")
	pinned := func(res *offline.Result) []any {
		pool := one(t, res, "gcp:container/nodePool:NodePool")
		sql := one(t, res, "gcp:sql/databaseInstance:DatabaseInstance")
		var maxConn any
		for _, f := range in(t, sql, "settings.databaseFlags").([]any) {
			if f.(map[string]any)["name"] == "max_connections" {
				maxConn = f.(map[string]any)["value"]
			}
		}
		return []any{in(t, pool, "initialNodeCount"), maxConn}
	}
	want := pinned(base)
	for name, set := range map[string]map[string]string{
		"minReplicas 10":  {"django-gke:app": `{"minReplicas": 10}`},
		"targetRps 12000": {"django-gke:capacity": `{"targetRps": 12000}`},
		"app.cpu 1500m":   {"django-gke:app": `{"cpu": "1500m"}`},
		"machineType":     {"django-gke:cluster": `{"machineType": "n2-standard-8", "authorizedNetworks": [{"name": "office", "cidr": "203.0.113.0/24"}]}`},
		"minNodes 6":      {"django-gke:cluster": `{"minNodes": 6, "authorizedNetworks": [{"name": "office", "cidr": "203.0.113.0/24"}]}`},
	} {
		res, err := planWith(t, "prd", set)
		require.NoError(t, err, name)
		assert.Equal(t, want, pinned(res), "%s: initialNodeCount and max_connections stay", name)
	}
}

// TestExampleNetworksStopAnUpdateEarly: with cluster.access
// authorizedNetworks and RFC 5737 example ranges as the only authorized
// networks, the control plane would refuse the deployer and the Kubernetes
// half of `up` would time out: an update stops before declaring anything,
// saying what to set. Through the Connect Gateway (the default) the
// authorized networks concern people's direct kubectl only, and an update goes on.
func TestExampleNetworksStopAnUpdateEarly(t *testing.T) {
	direct := `{"access": "authorizedNetworks", "location": "us-central1", "machineType": "n2-standard-4", "deletionProtection": true, "authorizedNetworks": [{"name": "office", "cidr": "203.0.113.0/24"}]}`
	res, err := offline.Run(offline.Options{Dir: repoRoot(), Stack: "prd", Update: true, Set: map[string]string{"django-gke:cluster": direct}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `django-gke:cluster.authorizedNetworks[0].cidr: "203.0.113.0/24" is not allowed: is an example range (RFC 5737, 203.0.113.0/24) that no deployer is in`)
	assert.Contains(t, err.Error(), "set the egress CIDRs of your CI runners and office/VPN")
	assert.Empty(t, res.Resources, "nothing is declared")

	res, err = offline.Run(offline.Options{Dir: repoRoot(), Stack: "prd", Update: true,
		Set: map[string]string{"django-gke:cluster": strings.Replace(direct, "203.0.113.0/24", "34.120.0.0/16", 1)}})
	require.NoError(t, err, "a real network deploys")
	assert.NotEmpty(t, res.Resources)
	// Through the Connect Gateway (the stack files' default) the example range stops nothing.
	res, err = offline.Run(offline.Options{Dir: repoRoot(), Stack: "prd", Update: true})
	require.NoError(t, err)
	assert.NotEmpty(t, res.Resources)
	// env local has no control plane of ours to authorize.
	_, err = offline.Run(offline.Options{Dir: repoRoot(), Stack: "local", Update: true})
	require.NoError(t, err)
}

// TestPrivateServicesRangeIsExplicit: Cloud SQL's peered range is given, never
// allocated by Google (which could pick addresses the subnet's ranges need).
func TestPrivateServicesRangeIsExplicit(t *testing.T) {
	for _, stack := range Stacks {
		res := plan(t, stack)
		psa := res.Named("gcp:compute/globalAddress:GlobalAddress", "django-gke-"+stack+"-psa")
		require.NotNil(t, psa)
		assert.Equal(t, "10.24.0.0", in(t, psa, "address"), stack)
		assert.Equal(t, int64(20), in(t, psa, "prefixLength"), stack)
	}
	res, err := planWith(t, "dev", map[string]string{"django-gke:network": `{"privateServicesCidr": "10.100.0.0/16"}`})
	require.NoError(t, err)
	psa := res.Named("gcp:compute/globalAddress:GlobalAddress", "django-gke-dev-psa")
	assert.Equal(t, []any{"10.100.0.0", int64(16)}, []any{in(t, psa, "address"), in(t, psa, "prefixLength")})
	_, err = planWith(t, "dev", map[string]string{"django-gke:network": `{"privateServicesCidr": "10.16.0.0/20"}`})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `django-gke:network.privateServicesCidr: "10.16.0.0/20" is not allowed: overlaps podsCidr (10.16.0.0/14)`)
}

// TestWorkloadWaitsForItsGrants: the pods (and the migrations Job) start only
// after the grants they need: Workload Identity, cloudsql.client, registry read.
func TestWorkloadWaitsForItsGrants(t *testing.T) {
	for _, stack := range Stacks {
		res := plan(t, stack)
		var grants []string
		grants = append(grants, one(t, res, "gcp:serviceaccount/iAMMember:IAMMember").URN)
		grants = append(grants, one(t, res, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember").URN)
		for _, m := range res.ByType("gcp:projects/iAMMember:IAMMember") {
			if in(t, m, "role") == "roles/cloudsql.client" {
				grants = append(grants, m.URN)
			}
		}
		require.Len(t, grants, 3, stack)
		for _, typ := range []string{deploymentType, jobType} {
			w := one(t, res, typ)
			for _, g := range grants {
				assert.True(t, w.DependsOn(g), "%s: %s waits for %s", stack, typ, g)
			}
		}
	}
}

// TestNoStackNeedsRightsOnAnotherStacksRegistry: every registry grant is on
// the stack's own repository in its own project.
func TestNoStackNeedsRightsOnAnotherStacksRegistry(t *testing.T) {
	for _, stack := range Stacks {
		res := plan(t, stack)
		for _, g := range res.ByType("gcp:artifactregistry/repositoryIamMember:RepositoryIamMember") {
			assert.Equal(t, "acme-django-"+stack, in(t, g, "project"), "%s grants on %v", stack, in(t, g, "repository"))
		}
	}
}

// TestBaseNameEndsInALetterOrDigit: GCP names (the cluster's, the service
// accounts') must, so a stack name must.
func TestBaseNameEndsInALetterOrDigit(t *testing.T) {
	for _, ok := range []string{"dev", "prd", "a", "qa-2", "eu-west1"} {
		base, err := infra.BaseName(ok)
		assert.NoError(t, err, ok)
		assert.Equal(t, "django-gke-"+ok, base)
	}
	for _, bad := range []string{"dev-", "-dev", "Dev", "1dev", "", "abcdefghijklm", "a_b"} {
		_, err := infra.BaseName(bad)
		if assert.Error(t, err, bad) {
			assert.True(t, strings.Contains(err.Error(), fmt.Sprintf("stack name %q is not allowed", bad)) &&
				strings.Contains(err.Error(), "ending with a letter or digit"), err.Error())
		}
	}
}

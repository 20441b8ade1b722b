package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"django-gke/infra/capacity"
	"django-gke/infra/offline"
	"django-gke/infra/stackfile"
)

// globalStack is the committed multi-region example: prd in us-central1
// (primary database) and europe-west1 (read replica).
const globalStack = "prd-global"

const (
	sqlInstanceType = "gcp:sql/databaseInstance:DatabaseInstance"
	clusterType     = "gcp:container/cluster:Cluster"
	nodePoolType    = "gcp:container/nodePool:NodePool"
	featureType     = "gcp:gkehub/feature:Feature"
	gatewayType     = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
	httpRouteType   = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
	exportType      = "kubernetes:net.gke.io/v1:ServiceExport"
	healthCheckType = "kubernetes:networking.gke.io/v1:HealthCheckPolicy"
)

// globalRegions are prd-global's regions in order, with their codes.
var globalRegions = []struct{ region, code string }{{"us-central1", "usc1"}, {"europe-west1", "euw1"}}

func regionalPlan(t *testing.T) *capacity.Regional {
	t.Helper()
	cfg, _, err := stackfile.LoadConfig(repoRoot(), globalStack)
	require.NoError(t, err)
	r, err := capacity.RegionalPlanFor(cfg)
	require.NoError(t, err)
	require.NotNil(t, r)
	return r
}

// onCluster is the Kubernetes object of a type and name declared on one
// region's cluster (its provider is that cluster's).
func onCluster(res *offline.Result, typ, name, code string) *offline.Resource {
	for _, r := range res.ByType(typ) {
		n, _ := r.Output("metadata.name")
		if n == name && strings.Contains(r.Provider, "::django-gke-prd-global-"+code+"-k8s::") {
			return r
		}
	}
	return nil
}

func mustOnCluster(t *testing.T, res *offline.Result, typ, name, code string) *offline.Resource {
	t.Helper()
	r := onCluster(res, typ, name, code)
	require.NotNil(t, r, "%s %q on the %s cluster", typ, name, code)
	return r
}

// TestEveryRegionGetsItsClusterSizedByTheModel: per region a cluster in the
// fleet with the Gateway API, its own subnet and control-plane range, and a
// node pool bounded by the region's N+1 plan.
func TestEveryRegionGetsItsClusterSizedByTheModel(t *testing.T) {
	res := plan(t, globalStack)
	reg := regionalPlan(t)
	require.Len(t, res.ByType(clusterType), 2)
	masters := map[string]string{"usc1": "172.16.0.0/28", "euw1": "172.16.0.16/28"}
	cidrs := map[string]string{"usc1": "10.10.0.0/20", "euw1": "10.11.0.0/20"}
	for i, g := range globalRegions {
		name := "django-gke-prd-global-" + g.code
		c := res.Named(clusterType, name)
		require.NotNil(t, c, name)
		assert.Equal(t, g.region, in(t, c, "location"), "a regional cluster in its region")
		assert.Equal(t, "acme-django-prd-global", in(t, c, "fleet.project"), "registered to the fleet")
		assert.Equal(t, "CHANNEL_STANDARD", in(t, c, "gatewayApiConfig.channel"))
		assert.Equal(t, masters[g.code], in(t, c, "privateClusterConfig.masterIpv4CidrBlock"))
		assert.Equal(t, true, in(t, c, "privateClusterConfig.enablePrivateNodes"), "same hardening in every region")
		assert.Equal(t, name+"-pods", in(t, c, "ipAllocationPolicy.clusterSecondaryRangeName"))
		subnet := res.Named("gcp:compute/subnetwork:Subnetwork", "django-gke-prd-global-"+g.code+"-subnet")
		require.NotNil(t, subnet)
		assert.Equal(t, g.region, in(t, subnet, "region"))
		assert.Equal(t, cidrs[g.code], in(t, subnet, "ipCidrRange"))
		assert.True(t, c.DependsOn(subnet.URN), "the cluster waits for its region's subnet")
		require.NotNil(t, res.Named("gcp:compute/routerNat:RouterNat", "django-gke-prd-global-"+g.code+"-nat"), "NAT in every region")

		pool := res.Named(nodePoolType, g.code+"-pool")
		require.NotNil(t, pool, "a short logical name: Pulumi's auto-name must fit GKE's 40 characters")
		assert.Contains(t, pool.Aliases, strings.Replace(pool.URN, "::"+g.code+"-pool", "::"+name+"-pool", 1), "the former name is an alias")
		sizing := reg.Regions[i].Sizing
		assert.EqualValues(t, sizing.NodePoolMaxNodes, in(t, pool, "autoscaling.totalMaxNodeCount"), "the region's N+1 plan")
		assert.EqualValues(t, sizing.NodePoolMinNodes, in(t, pool, "autoscaling.totalMinNodeCount"))
		hpa := mustOnCluster(t, res, hpaType, "web", g.code)
		assert.EqualValues(t, sizing.HPAMaxReplicas, in(t, hpa, "spec.maxReplicas"))
	}
	// The node and HPA alerts judge each cluster against its own plan.
	alerts := alertsByKey(t, res)
	nodes, hpas := asSlice(in(t, alerts["nodes-at-max"], "conditions")), asSlice(in(t, alerts["hpa-at-max"], "conditions"))
	require.Len(t, nodes, len(globalRegions), "one condition per cluster")
	require.Len(t, hpas, len(globalRegions))
	for i, g := range globalRegions {
		name := "django-gke-prd-global-" + g.code
		sizing := reg.Regions[i].Sizing
		found := 0
		for _, c := range nodes {
			th := asMap(asMap(c)["conditionThreshold"])
			if strings.Contains(th["filter"].(string), `resource.label."cluster_name"="`+name+`"`) {
				found++
				assert.InDelta(t, float64(sizing.NodePoolMaxNodes)-0.5, th["thresholdValue"], 1e-9, name)
			}
		}
		for _, c := range hpas {
			q := asMap(asMap(c)["conditionPrometheusQueryLanguage"])["query"].(string)
			if strings.Contains(q, `cluster="`+name+`"`) {
				found++
				assert.True(t, strings.HasSuffix(q, ">= "+itoa(int(sizing.HPAMaxReplicas))), q)
			}
		}
		assert.Equal(t, 2, found, "%s has its node and HPA conditions", name)
	}
	// N+1: each of the two regions carries the other's share too.
	assert.Equal(t, "1", reg.Regions[1].Carry.RatString())
	assert.Len(t, res.ByType("gcp:compute/network:Network"), 1, "one VPC for every region")
	assert.Len(t, res.ByType("gcp:compute/globalAddress:GlobalAddress"), 2, "the Gateway's address and the private services range")
	assert.Len(t, res.ByType("gcp:serviceaccount/account:Account"), 2, "one node identity for every region, and the app's")
}

// TestThePrimaryIsFirstAndEveryOtherRegionReadsItsReplica pins what routing
// and failover rest on.
func TestThePrimaryIsFirstAndEveryOtherRegionReadsItsReplica(t *testing.T) {
	res := plan(t, globalStack)
	reg := regionalPlan(t)
	primary := res.Named(sqlInstanceType, "django-gke-prd-global-usc1-pg")
	replica := res.Named(sqlInstanceType, "django-gke-prd-global-euw1-pg")
	require.NotNil(t, primary)
	require.NotNil(t, replica)
	assert.Equal(t, "us-central1", in(t, primary, "region"))
	assert.Equal(t, "CLOUD_SQL_INSTANCE", in(t, primary, "instanceType"))
	_, hasMaster := primary.Input("masterInstanceName")
	assert.False(t, hasMaster)
	assert.Equal(t, "REGIONAL", in(t, primary, "settings.availabilityType"))
	assert.Equal(t, true, in(t, primary, "settings.backupConfiguration.enabled"))

	assert.Equal(t, "europe-west1", in(t, replica, "region"))
	assert.Equal(t, "READ_REPLICA_INSTANCE", in(t, replica, "instanceType"))
	primaryName, _ := primary.Output("name")
	assert.NotEmpty(t, primaryName)
	assert.Equal(t, primaryName, in(t, replica, "masterInstanceName"), "a replica of the primary")
	assert.True(t, replica.DependsOn(primary.URN), "the replica is created after its primary")
	_, hasBackups := replica.Input("settings.backupConfiguration")
	assert.False(t, hasBackups, "Cloud SQL refuses backups on a replica")
	assert.Equal(t, "ZONAL", in(t, replica, "settings.availabilityType"))
	_, hasWindow := replica.Input("settings.maintenanceWindow")
	assert.False(t, hasWindow, "Cloud SQL maintains a replica with its primary: no window of its own")
	assert.Equal(t, "TRUSTED_CLIENT_CERTIFICATE_REQUIRED", in(t, replica, "settings.ipConfiguration.sslMode"), "client certificates on every replica too")
	assert.Equal(t, in(t, primary, "settings.databaseFlags"), in(t, replica, "settings.databaseFlags"),
		"a hot standby needs max_connections at least the primary's")
	assert.Equal(t, true, in(t, replica, "settings.deletionProtectionEnabled"))
	flags := asSlice(in(t, primary, "settings.databaseFlags"))
	assert.Contains(t, flags, map[string]any{"name": "max_connections", "value": fmt.Sprint(reg.DBMaxConnections)})

	db := res.Named("gcp:sql/database:Database", "django-gke-prd-global-db")
	require.NotNil(t, db)
	assert.True(t, db.DependsOn(primary.URN), "the database lives on the primary")
	assert.Equal(t, "ABANDON", in(t, db, "deletionPolicy"), "a failover never drops the old primary's database")
	user := res.Named("gcp:sql/user:User", "django-gke-prd-global-user")
	require.NotNil(t, user)
	for _, r := range []*offline.Resource{db, user} {
		assert.Contains(t, r.IgnoreChanges, "instance", "replication already put %s on every replica: a new primary is not a change to it", r.Name)
	}

	// The app: in us-central1 reads and writes the primary; in europe-west1
	// the proxy also serves the replica on 5433 and Django reads there.
	usSettings := settingsIn(t, res, "usc1")
	euSettings := settingsIn(t, res, "euw1")
	assert.NotContains(t, usSettings, "DB_REPLICA_HOST", "the primary's region reads its primary")
	assert.Equal(t, "127.0.0.1", euSettings["DB_REPLICA_HOST"])
	assert.Equal(t, "5433", euSettings["DB_REPLICA_PORT"])
	assert.Equal(t, "10", euSettings["DB_READ_YOUR_WRITES_SECONDS"])
	assert.Equal(t, "5432", euSettings["DB_PORT"], "writes go to the primary through the proxy")
	proxy := func(code string) []any {
		d := mustOnCluster(t, res, deploymentType, "web", code)
		for _, c := range asSlice(in(t, d, "spec.template.spec.initContainers")) {
			if asMap(c)["name"] == "cloud-sql-proxy" {
				return asSlice(asMap(c)["args"])
			}
		}
		require.Fail(t, "no proxy", code)
		return nil
	}
	assert.NotContains(t, fmt.Sprint(proxy("usc1")), "?port=5433")
	assert.Contains(t, fmt.Sprint(proxy("euw1")), "?port=5433", "the replica on its own port")
}

// settingsIn is the app's settings ConfigMap data on one region's cluster.
func settingsIn(t *testing.T, res *offline.Result, code string) map[string]any {
	t.Helper()
	for _, r := range res.ByType(configMapType) {
		if !strings.Contains(r.Provider, "-"+code+"-k8s::") {
			continue
		}
		if data, ok := r.Input("data"); ok {
			if m := asMap(data); m["DB_NAME"] != nil {
				return m
			}
		}
	}
	require.Fail(t, "no settings ConfigMap", code)
	return nil
}

// TestOneGatewayInFrontOfEveryRegion: the multi-cluster Gateway on the config
// cluster only, on the reserved global address, routing to the imported
// Service that every region exports; health-checked on /readyz so a region
// whose pods are not ready leaves the load balancer.
func TestOneGatewayInFrontOfEveryRegion(t *testing.T) {
	res := plan(t, globalStack)
	require.Len(t, res.ByType(gatewayType), 1)
	gw := mustOnCluster(t, res, gatewayType, "web", "usc1")
	assert.Equal(t, "gke-l7-global-external-managed-mc", in(t, gw, "spec.gatewayClassName"))
	// TLS 1.2+ (MODERN) on the HTTPS front end, as the single-region Ingress
	// has it: the certificate map sets no TLS versions; a GCPGatewayPolicy does.
	ssl := one(t, res, "gcp:compute/sSLPolicy:SSLPolicy")
	assert.Equal(t, "TLS_1_2", in(t, ssl, "minTlsVersion"))
	assert.Equal(t, "MODERN", in(t, ssl, "profile"))
	sslName, _ := ssl.Output("name")
	gp := mustOnCluster(t, res, "kubernetes:networking.gke.io/v1:GCPGatewayPolicy", "web", "usc1")
	assert.Equal(t, sslName, in(t, gp, "spec.default.sslPolicy"))
	assert.Equal(t, map[string]any{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "web"}, in(t, gp, "spec.targetRef"))
	var lbAddress *offline.Resource
	for _, a := range res.ByType("gcp:compute/globalAddress:GlobalAddress") {
		if _, peering := a.Input("purpose"); !peering {
			lbAddress = a
		}
	}
	require.NotNil(t, lbAddress)
	addrs := asSlice(in(t, gw, "spec.addresses"))
	require.Len(t, addrs, 1)
	assert.Equal(t, "NamedAddress", asMap(addrs[0])["type"])
	assert.True(t, gw.DependsOn(lbAddress.URN), "the Gateway takes the reserved address")
	listeners := byName(asSlice(in(t, gw, "spec.listeners")))
	assert.Equal(t, "HTTPS", listeners["https"]["protocol"])
	assert.Equal(t, "django-gke.example.com", listeners["https"]["hostname"])
	ann := asMap(in(t, gw, "metadata.annotations"))
	assert.Contains(t, ann, "networking.gke.io/certmap", "TLS from Certificate Manager")
	mci := res.Named(featureType, "django-gke-prd-global-mci")
	require.NotNil(t, mci)
	assert.True(t, gw.DependsOn(mci.URN), "the Gateway waits for the multi-cluster Gateway controller")
	assert.Equal(t, "projects/acme-django-prd-global/locations/us-central1/memberships/django-gke-prd-global-usc1",
		in(t, mci, "spec.multiclusteringress.configMembership"), "the config cluster's membership")
	usc1 := res.Named("gcp:container/cluster:Cluster", "django-gke-prd-global-usc1")
	require.NotNil(t, usc1)
	assert.Contains(t, mci.PropertyDependencies["spec"], usc1.URN, "the membership is the cluster's computed fleet.membership, not a path built by hand")
	assert.Equal(t, "global", in(t, mci, "location"))
	require.NotNil(t, res.Named(featureType, "django-gke-prd-global-mcs"))

	route := mustOnCluster(t, res, httpRouteType, "web", "usc1")
	rules := asSlice(in(t, route, "spec.rules"))
	require.Len(t, rules, 3, "everyone, and one probe rule per region")
	backend := asMap(asSlice(asMap(rules[0])["backendRefs"])[0])
	assert.Equal(t, map[string]any{"group": "net.gke.io", "kind": "ServiceImport", "name": "web", "port": int64(80)}, backend)
	for i, code := range []string{"euw1", "usc1"} { // code order: a failover reorders nothing here
		probe := asMap(rules[i+1])
		header := asMap(asSlice(asMap(asSlice(probe["matches"])[0])["headers"])[0])
		assert.Equal(t, code, header["value"])
		assert.Equal(t, "web-"+code, asMap(asSlice(probe["backendRefs"])[0])["name"], "a probe reaches one region's pods")
	}
	hc := mustOnCluster(t, res, healthCheckType, "web", "usc1")
	assert.Equal(t, "/readyz", in(t, hc, "spec.default.config.httpHealthCheck.requestPath"))
	assert.Equal(t, "ServiceImport", in(t, hc, "spec.targetRef.kind"))

	for _, g := range globalRegions {
		for _, name := range []string{"web", "web-" + g.code} {
			export := mustOnCluster(t, res, exportType, name, g.code)
			svc := mustOnCluster(t, res, "kubernetes:core/v1:Service", name, g.code)
			assert.True(t, export.DependsOn(svc.URN), "exported once the Service exists")
		}
		assert.Nil(t, onCluster(res, "kubernetes:networking.k8s.io/v1:Ingress", "web", g.code), "no Ingress: the Gateway is the edge")
	}
	assert.Nil(t, onCluster(res, gatewayType, "web", "euw1"), "the Gateway lives on the config cluster alone")
}

// TestEveryRegionHasItsUptimeCheck: a check per region (the probe header)
// and one alert naming the region that falls out of the load balancer.
func TestEveryRegionHasItsUptimeCheck(t *testing.T) {
	res := plan(t, globalStack)
	for _, g := range globalRegions {
		check := res.Named("gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig", "django-gke-prd-global-uptime-"+g.code)
		require.NotNil(t, check, g.region)
		assert.Equal(t, map[string]any{"X-Django-GKE-Region": g.code}, in(t, check, "httpCheck.headers"))
		assert.Equal(t, true, in(t, check, "httpCheck.useSsl"))
	}
	alert := res.Named("gcp:monitoring/alertPolicy:AlertPolicy", "django-gke-prd-global-alert-region-out")
	require.NotNil(t, alert)
	conditions := asSlice(in(t, alert, "conditions"))
	require.Len(t, conditions, 2)
	assert.Equal(t, "europe-west1 fails its uptime check", asMap(conditions[0])["displayName"], "in code order")
	assert.Equal(t, "us-central1 fails its uptime check", asMap(conditions[1])["displayName"])
	assert.Equal(t, "CRITICAL", in(t, alert, "severity"))
	lag := res.Named("gcp:monitoring/alertPolicy:AlertPolicy", "django-gke-prd-global-alert-replica-lag")
	require.NotNil(t, lag)
	lagConditions := asSlice(in(t, lag, "conditions"))
	require.Len(t, lagConditions, 1, "one replica")
	replica := res.Named(sqlInstanceType, "django-gke-prd-global-euw1-pg")
	replicaName, _ := replica.Output("name")
	assert.Contains(t, asMap(asMap(lagConditions[0])["conditionThreshold"])["filter"], fmt.Sprintf(`"acme-django-prd-global:%s"`, replicaName))
	assert.EqualValues(t, 30, asMap(asMap(lagConditions[0])["conditionThreshold"])["thresholdValue"])
	// The SLO counts the global service: the Gateway's URL map, every region.
	slo := res.Named("gcp:monitoring/slo:Slo", "django-gke-prd-global-availability")
	require.NotNil(t, slo)
	assert.Contains(t, in(t, slo, "requestBasedSli.goodTotalRatio.totalServiceFilter"), `gkemcg1-django-web-.*`)
}

// TestSingleRegionStacksAreUnchanged: dev, stg and prd declare nothing of
// the multi-region machinery.
func TestSingleRegionStacksAreUnchanged(t *testing.T) {
	for _, stack := range Stacks {
		res := plan(t, stack)
		for _, typ := range []string{featureType, gatewayType, exportType} {
			assert.Empty(t, res.ByType(typ), "%s declares no %s", stack, typ)
		}
		assert.Len(t, res.ByType(sqlInstanceType), 1)
		assert.Len(t, res.ByType(clusterType), 1)
		assert.NotContains(t, res.Outputs, "regions")
	}
}

// TestFailoverFlipIsAPlanDiff: a planned flip, both regions answering
// (europe-west1 moved first; a lost region is TestLostRegionFailoverIsAPlanDiff),
// through `make plan-diff`'s command. The replica becomes the primary and the
// old primary a replica of it, the app in both regions follows (settings,
// the proxy's instances, the egress policy), the SQL alerts follow the
// primary; no cluster, node pool, subnet or route changes, nothing is added
// or removed. The replacement guard (infra/guard's ForceNew table) says the
// surviving replica is promoted in place (masterInstanceName is
// Optional+Computed: dropping it keeps the live value; instanceType is an
// update) and the old primary is replaced (masterInstanceName set forces
// it): exactly that one is allowed by name.
func TestFailoverFlipIsAPlanDiff(t *testing.T) {
	clone := snapshotRepo(t)
	file := filepath.Join(clone, "Pulumi."+globalStack+".yaml")
	text, err := os.ReadFile(file)
	require.NoError(t, err)
	s := string(text)
	us, eu := strings.Index(s, "      - region: us-central1"), strings.Index(s, "      - region: europe-west1")
	require.True(t, us > 0 && eu > us, "prd-global lists us-central1 then europe-west1")
	flipped := s[:us] + s[eu:] + s[us:eu]
	require.NoError(t, os.WriteFile(file, []byte(flipped), 0o644))

	bin := buildPlandiff(t, clone)
	diff, code := runIn(clone, bin, "-stack", globalStack, "-base", "HEAD", "-guard")
	assert.Equal(t, 3, code, "the old primary's replacement blocks until allowed:\n%s", diff)
	assert.Contains(t, diff, "!!! REPLACES gcp:sql/databaseInstance:DatabaseInstance django-gke-prd-global-usc1-pg (forced by masterInstanceName)")
	assert.Equal(t, 1, strings.Count(diff, "!!!"), "nothing else stateful is replaced:\n%s", diff)
	diff, code = runIn(clone, bin, "-stack", globalStack, "-base", "HEAD", "-guard", "-allow-replace", "django-gke-prd-global-usc1-pg")
	assert.Equal(t, 0, code, "%s", diff)
	for _, want := range []string{
		"DatabaseInstance django-gke-prd-global-euw1-pg: instanceType READ_REPLICA_INSTANCE → CLOUD_SQL_INSTANCE",
		"DatabaseInstance django-gke-prd-global-euw1-pg: masterInstanceName removed",
		"DatabaseInstance django-gke-prd-global-euw1-pg: settings.backupConfiguration added",
		"DatabaseInstance django-gke-prd-global-usc1-pg: instanceType CLOUD_SQL_INSTANCE → READ_REPLICA_INSTANCE",
		"DatabaseInstance django-gke-prd-global-usc1-pg: masterInstanceName added",
		"ConfigMap django-gke-prd-global-euw1-config", "data.DB_REPLICA_HOST removed",
		"ConfigMap django-gke-prd-global-usc1-config", "data.DB_REPLICA_HOST added: 127.0.0.1",
		"AlertPolicy django-gke-prd-global-alert-sql-cpu",
	} {
		assert.Contains(t, diff, want)
	}
	for _, never := range []string{"Cluster ", "NodePool", "Subnetwork", "Gateway web", "HTTPRoute", "ServiceExport",
		"Database django-gke-prd-global-db", "User django-gke-prd-global-user", "GlobalAddress"} {
		assert.NotContains(t, diff, never, "a failover changes the database's roles and what follows them, nothing else")
	}
	// The migrations move with the primary: the only object added and removed
	// is the (finished) migrations Job, from the old primary's cluster to the new one's.
	assert.Contains(t, diff, "1 to add, ")
	assert.Contains(t, diff, ", 1 to remove.")
	assert.Regexp(t, `Added:\n  \+ Job migrate-[0-9a-f]+\n\nRemoved:\n  - Job migrate-[0-9a-f]+\n`, diff)
}

// TestReadmeShowsWhatASecondRegionCosts: the README's prd-global block is what
// `make capacity STACK=prd-global` computes now.
func TestReadmeShowsWhatASecondRegionCosts(t *testing.T) {
	var out strings.Builder
	capacity.WriteRegional(&out, regionalPlan(t), true)
	readme, err := os.ReadFile(filepath.Join(repoRoot(), "README.md"))
	require.NoError(t, err)
	assert.Contains(t, string(readme), strings.TrimSpace(out.String()), "README's prd-global block is stale: run make readme")
}

// TestMigrationsRunOnceForEveryRegion: one database, one migrations Job, in
// the primary's region; every region's Deployment waits for that Job (Django
// has no migration lock: two regions migrating at once would race).
func TestMigrationsRunOnceForEveryRegion(t *testing.T) {
	res := plan(t, globalStack)
	var jobs []*offline.Resource
	for _, j := range res.ByType("kubernetes:batch/v1:Job") {
		if strings.Contains(j.Name, "-migrate") {
			jobs = append(jobs, j)
		}
	}
	require.Len(t, jobs, 1, "one migrations Job for the stack")
	assert.Contains(t, jobs[0].Provider, "::django-gke-prd-global-usc1-k8s::", "in the primary's region")
	for _, g := range globalRegions {
		web := mustOnCluster(t, res, deploymentType, "web", g.code)
		assert.True(t, web.DependsOn(jobs[0].URN), "%s's Deployment waits for the migrations", g.code)
	}
}

// TestDestroyDeletesTheGatewayFirstAndWaits: the Gateway depends on every
// region's ServiceExports and on the fleet features, so a destroy deletes it
// before them, and awaits its deletion (GKE's controller holds a finalizer
// until the gkemcg1-* load balancer is gone) with room for that; the exports
// wait for the features too. Deleting the features earlier leaves load
// balancer objects in the VPC, which then cannot be deleted.
func TestDestroyDeletesTheGatewayFirstAndWaits(t *testing.T) {
	res := plan(t, globalStack)
	gw := mustOnCluster(t, res, gatewayType, "web", "usc1")
	assert.Equal(t, "30m", gw.DeleteTimeout, "time for the controller's clean-up")
	ann, _ := gw.Input("metadata.annotations")
	assert.NotContains(t, asMap(ann), "pulumi.com/skipAwait", "the deletion is awaited")
	var exports int
	for _, e := range res.ByType("kubernetes:net.gke.io/v1:ServiceExport") {
		exports++
		edge := res.ByURN(e.Parent)
		require.NotNil(t, edge)
		assert.True(t, gw.DependsOn(edge.URN) || gw.DependsOn(e.URN),
			"the Gateway is deleted before %s", e.URN)
		for _, f := range res.ByType(featureType) {
			assert.True(t, edge.DependsOn(f.URN) || e.DependsOn(f.URN), "%s is deleted before the feature %s", e.URN, f.Name)
		}
	}
	assert.Equal(t, 4, exports)
	for _, f := range res.ByType(featureType) {
		assert.True(t, gw.DependsOn(f.URN), "the Gateway is deleted before the feature %s", f.Name)
	}
}

// TestServiceExportsWaitForTheirCRD: GKE installs serviceexports.net.gke.io
// into each cluster minutes after multi-cluster Services is enabled, and
// pulumi-kubernetes retries a missing kind for about 30 s only. Each
// cluster runs a Job that waits until the CRD is Established (the app
// image's djangogke.waitcrd, RBAC get on that CRD alone, egress to the
// control plane only), and its ServiceExports wait for that Job.
func TestServiceExportsWaitForTheirCRD(t *testing.T) {
	res := plan(t, globalStack)
	masters := map[string]string{"usc1": "172.16.0.0/28", "euw1": "172.16.0.16/28"}
	for _, g := range globalRegions {
		var wait *offline.Resource
		for _, j := range res.ByType("kubernetes:batch/v1:Job") {
			if j.Name == "django-gke-prd-global-"+g.code+"-crdwait" {
				wait = j
			}
		}
		require.NotNil(t, wait, g.code)
		spec := asMap(in(t, wait, "spec.template.spec"))
		c := asMap(asSlice(spec["containers"])[0])
		assert.Equal(t, []any{"python", "-m", "djangogke.waitcrd", "serviceexports.net.gke.io", "--timeout", "900"}, c["command"])
		assert.Equal(t, "crd-wait", spec["serviceAccountName"])
		assert.Equal(t, true, spec["automountServiceAccountToken"], "it reads the API")
		image := mustOnCluster(t, res, deploymentType, "web", g.code)
		assert.Equal(t, asMap(asSlice(asMap(in(t, image, "spec.template.spec"))["containers"])[1])["image"], c["image"], "the app image")
		exports := 0
		for _, e := range res.ByType("kubernetes:net.gke.io/v1:ServiceExport") {
			if strings.Contains(e.Provider, "::django-gke-prd-global-"+g.code+"-k8s::") {
				exports++
				assert.True(t, e.DependsOn(wait.URN), "%s waits for the CRD", e.Name)
			}
		}
		assert.Equal(t, 2, exports)
		np := mustOnCluster(t, res, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "crd-wait-egress", g.code)
		egress := asSlice(in(t, np, "spec.egress"))
		require.Len(t, egress, 1)
		assert.Equal(t, masters[g.code], asMap(asMap(asSlice(asMap(egress[0])["to"])[0])["ipBlock"])["cidr"])
	}
	for _, r := range res.ByType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole") {
		rules := asSlice(in(t, r, "rules"))
		require.Len(t, rules, 1)
		assert.Equal(t, map[string]any{"apiGroups": []any{"apiextensions.k8s.io"}, "resources": []any{"customresourcedefinitions"},
			"resourceNames": []any{"serviceexports.net.gke.io"}, "verbs": []any{"get"}}, asMap(rules[0]))
	}
}

// markLost adds `lost: true` to the region's entry in a prd-global stack
// file (each entry ends with its masterCidr line).
func markLost(text, masterCIDR string) string {
	line := "        masterCidr: " + masterCIDR + "\n"
	return strings.Replace(text, line, line+"        lost: true\n", 1)
}

// flipRegions moves europe-west1's entry before us-central1's: the runbook's flip.
func flipRegions(t *testing.T, text string) string {
	us, eu := strings.Index(text, "      - region: us-central1"), strings.Index(text, "      - region: europe-west1")
	require.True(t, us > 0 && eu > us, "prd-global lists us-central1 then europe-west1")
	return text[:us] + text[eu:] + text[us:eu]
}

// TestALostRegionKeepsWhatItHas: with europe-west1 marked lost, everything
// the program declares in it (its subnet, router and NAT, its cluster with
// its node pool, its read replica, and every object on its cluster) keeps
// its last deployed inputs (ignoreChanges "*"), and its kubernetes provider
// deletes unreachably; nothing outside the region is kept (the Gateway's
// policies for it live on the config cluster, the uptime check and the
// alerts are global).
func TestALostRegionKeepsWhatItHas(t *testing.T) {
	clone := snapshotRepo(t)
	editStackFile(t, clone, globalStack, func(s string) string { return markLost(s, "172.16.0.16/28") })
	res, err := offline.Run(offline.Options{Dir: clone, Stack: globalStack})
	require.NoError(t, err)

	byURN := map[string]*offline.Resource{}
	for _, r := range res.Resources {
		byURN[r.URN] = r
	}
	// In the region: under one of its components, or its instance, subnet, router or NAT.
	inRegion := func(r *offline.Resource) bool {
		for p := r; p != nil; p = byURN[p.Parent] {
			if !p.Custom && p.Name == "django-gke-prd-global-euw1" {
				return true
			}
		}
		return slices.Contains([]string{"django-gke-prd-global-euw1-pg", "django-gke-prd-global-euw1-subnet",
			"django-gke-prd-global-euw1-router", "django-gke-prd-global-euw1-nat"}, r.Name)
	}
	kept := map[string]int{}
	for _, r := range res.Resources {
		if !r.Custom {
			continue
		}
		keepsAll := slices.Contains(r.IgnoreChanges, "*")
		unreachable, _ := r.Input("deleteUnreachable")
		switch {
		case r.Type == "pulumi:providers:kubernetes" && r.Name == "django-gke-prd-global-euw1-k8s":
			assert.Equal(t, true, unreachable, "the lost region's provider drops what leaves the program without reaching the cluster")
			assert.False(t, keepsAll, "the provider itself takes the new setting")
		case inRegion(r) || strings.Contains(r.Provider, "::django-gke-prd-global-euw1-k8s::"):
			assert.True(t, keepsAll, "%s %s is in the lost region: kept as deployed (ignoreChanges %v)", r.Type, r.Name, r.IgnoreChanges)
			kept[r.Type]++
		default:
			assert.False(t, keepsAll, "%s %s is not in the lost region", r.Type, r.Name)
			assert.Nil(t, unreachable, "%s %s", r.Type, r.Name)
		}
	}
	for _, typ := range []string{"gcp:compute/subnetwork:Subnetwork", "gcp:compute/router:Router", "gcp:compute/routerNat:RouterNat",
		clusterType, nodePoolType, sqlInstanceType, deploymentType, exportType, "kubernetes:core/v1:ConfigMap", "kubernetes:networking.k8s.io/v1:NetworkPolicy"} {
		assert.Positive(t, kept[typ], "the lost region's %s is kept as deployed", typ)
	}
	// Nothing is kept in a stack whose regions all answer.
	for _, r := range plan(t, globalStack).Resources {
		assert.NotContains(t, r.IgnoreChanges, "*", "%s %s", r.Type, r.Name)
		unreachable, _ := r.Input("deleteUnreachable")
		assert.Nil(t, unreachable, "%s %s", r.Type, r.Name)
	}
}

// TestLostRegionFailoverIsAPlanDiff: the runbook's flip when the primary's
// region (us-central1) is gone, through `make plan-diff`'s command. Marked
// lost, nothing is sent to it: the guard passes without ALLOW_REPLACE (the
// old primary is kept as it is, not replaced), europe-west1's replica is
// promoted and its region migrates, and the lost region's only changes are
// its provider deleting unreachably and its migrations Job leaving the state.
// When the region is back and unmarked, a diff against the lost commit cannot
// see what the region missed, so the guard refuses to judge; against the
// commit before the outage it shows the old primary's replacement.
func TestLostRegionFailoverIsAPlanDiff(t *testing.T) {
	clone := snapshotRepo(t)
	editStackFile(t, clone, globalStack, func(s string) string { return markLost(flipRegions(t, s), "172.16.0.0/28") })
	bin := buildPlandiff(t, clone)
	diff, code := runIn(clone, bin, "-stack", globalStack, "-base", "HEAD", "-guard")
	assert.Equal(t, 0, code, "nothing stateful is replaced while the region is lost:\n%s", diff)
	assert.Contains(t, diff, "no replacements, no stateful deletions")
	for _, want := range []string{
		"DatabaseInstance django-gke-prd-global-euw1-pg: instanceType READ_REPLICA_INSTANCE → CLOUD_SQL_INSTANCE",
		"DatabaseInstance django-gke-prd-global-euw1-pg: masterInstanceName removed",
		"ConfigMap django-gke-prd-global-euw1-config", "data.DB_READINESS replica → primary",
		"kubernetes django-gke-prd-global-usc1-k8s: deleteUnreachable added: true",
	} {
		assert.Contains(t, diff, want)
	}
	assert.Regexp(t, `Added:\n  \+ Job migrate-[0-9a-f]+\n\nRemoved:\n  - Job migrate-[0-9a-f]+\n`, diff)
	for _, line := range strings.Split(diff, "\n") {
		changed, _, _ := strings.Cut(strings.TrimPrefix(line, "  ~ "), ": ")
		if strings.HasPrefix(line, "  ~ ") && strings.Contains(changed, "usc1") {
			assert.Equal(t, "kubernetes django-gke-prd-global-usc1-k8s", changed, "nothing else in the lost region changes: %s", line)
		}
	}

	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-c", "user.name=test", "-c", "user.email=test@example.invalid"}, args...)...)
		cmd.Dir = clone
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "git %v: %s", args, out)
	}
	git("commit", "--quiet", "--all", "--message", "us-central1 lost, europe-west1 primary")
	editStackFile(t, clone, globalStack, func(s string) string { return strings.Replace(s, "        lost: true\n", "", 1) })
	diff, code = runIn(clone, bin, "-stack", globalStack, "-base", "HEAD", "-guard")
	assert.Equal(t, 3, code, "%s", diff)
	assert.Contains(t, diff, "!!! CANNOT JUDGE gcp:sql/databaseInstance:DatabaseInstance django-gke-prd-global-usc1-pg (kept as deployed at the base, a lost region")
	assert.Contains(t, diff, "Kept as deployed at the base (a lost region), declared normally here:")
	diff, code = runIn(clone, bin, "-stack", globalStack, "-base", "HEAD~1", "-guard")
	assert.Equal(t, 3, code, "%s", diff)
	assert.Contains(t, diff, "!!! REPLACES gcp:sql/databaseInstance:DatabaseInstance django-gke-prd-global-usc1-pg (forced by masterInstanceName)")
	assert.NotContains(t, diff, "CANNOT JUDGE", "the commit before the outage declared the region normally")
}

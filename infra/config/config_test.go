package config

import (
	"math/big"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// base is a minimal valid configuration for env: what a stack file must set.
func base(env string) map[string]string {
	v := map[string]string{
		KeyProject: "acme-django-" + env,
		KeyRegion:  "europe-west1",
		Key("env"): env,
	}
	if env != "dev" {
		v[Key("monitoring")] = `{"alertEmail":"oncall@example.com"}`
	}
	return v
}

func with(v map[string]string, key, raw string) map[string]string {
	out := map[string]string{}
	for k, x := range v {
		out[k] = x
	}
	out[Key(key)] = raw
	return out
}

func TestDefaultsPerEnvironment(t *testing.T) {
	tests := []struct {
		env                 string
		location            string
		regional            bool
		zones               int
		spot                bool
		clusterProtection   bool
		dbProtection        bool
		availability        string
		pitr                bool
		build               bool
		promoteFrom         string
		minReplicas         int
		targetRps           string
		tier                string
		machineType         string
		minNodes            int
		releaseChannel      string
		strategy, color     string
		uptimePath, context string
	}{
		{env: "dev", location: "europe-west1-b", regional: false, zones: 1, spot: true, availability: "ZONAL",
			build: true, minReplicas: 1, targetRps: "20", tier: "db-custom-1-3840", machineType: "e2-standard-2", minNodes: 1},
		{env: "stg", location: "europe-west1", regional: true, zones: 3, availability: "ZONAL", pitr: true,
			promoteFrom: "organization/django-gke/dev", minReplicas: 2, targetRps: "200", tier: "db-custom-2-7680",
			machineType: "e2-standard-4", minNodes: 3},
		{env: "prd", location: "europe-west1", regional: true, zones: 3, clusterProtection: true, dbProtection: true,
			availability: "REGIONAL", pitr: true, promoteFrom: "organization/django-gke/stg", minReplicas: 3,
			targetRps: "10000", tier: "db-custom-8-32768", machineType: "n2-standard-4", minNodes: 3},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			c, err := Load(base(tt.env))
			require.NoError(t, err)
			assert.Equal(t, Env(tt.env), c.Env)
			assert.Equal(t, "acme-django-"+tt.env, c.Project)
			assert.Equal(t, tt.location, c.Cluster.Location)
			assert.Equal(t, tt.regional, c.Regional())
			assert.Equal(t, tt.zones, c.Zones())
			assert.Equal(t, tt.spot, c.Cluster.Spot)
			assert.Equal(t, tt.clusterProtection, c.Cluster.DeletionProtection)
			assert.Equal(t, tt.dbProtection, c.Database.DeletionProtection)
			assert.Equal(t, tt.availability, c.Database.Availability)
			assert.Equal(t, tt.pitr, c.Database.PointInTimeRecovery)
			assert.Equal(t, tt.build, c.Image.Build)
			assert.Equal(t, tt.promoteFrom, c.Image.PromoteFrom)
			assert.Equal(t, tt.minReplicas, c.App.MinReplicas)
			assert.Equal(t, tt.targetRps, c.Capacity.TargetRPS.String())
			assert.Equal(t, tt.tier, c.Database.Tier)
			assert.Equal(t, tt.machineType, c.Cluster.MachineType)
			assert.Equal(t, tt.minNodes, c.Cluster.MinNodes)
			// The same in every environment.
			assert.Equal(t, "REGULAR", c.Cluster.ReleaseChannel)
			assert.Equal(t, 0, c.Cluster.MaxNodes, "maxNodes comes from the capacity plan")
			assert.Equal(t, "POSTGRES_16", c.Database.Version)
			assert.Equal(t, Rolling, c.Release.Strategy)
			assert.Equal(t, Blue, c.Release.ActiveColor)
			assert.Equal(t, "/healthz", c.Monitoring.UptimePath)
			assert.Equal(t, "app", c.Image.Context)
			assert.Equal(t, "0.7", c.Capacity.TargetUtilization.String())
		})
	}
}

func TestLocalNeedsAnImageAndADatabase(t *testing.T) {
	values := map[string]string{Key("env"): "local"}
	_, err := Load(values)
	var ps Problems
	require.ErrorAs(t, err, &ps)
	assert.Equal(t, []string{"django-gke:database.host", "django-gke:image.ref"}, paths(ps))
	values[Key("database")] = `{"host": "10.0.0.5"}`
	values[Key("image")] = `{"ref": "django-gke:dev"}`
	values[Key("cluster")] = `{"kubeconfig": "build/cluster/kubeconfig"}`
	c, err := Load(values)
	require.NoError(t, err, "no GCP project needed; a plain tag is fine for a local cluster")
	assert.Equal(t, 5432, c.Database.Port)

	_, err = Load(with(base("dev"), "database", `{"host": "10.0.0.5"}`))
	require.ErrorAs(t, err, &ps)
	assert.Equal(t, "django-gke:database.host", ps[0].Path(), "GCP stacks use Cloud SQL")
}

func paths(ps Problems) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Path())
	}
	return out
}

func TestPodTpsComesFromTheBenchmark(t *testing.T) {
	m, err := Measured()
	require.NoError(t, err)
	perCore := MustDecimal(m.RPSPerCore.String())
	for env, cores := range map[string]string{"dev": "0.25", "stg": "0.5", "prd": "1"} {
		c, err := Load(base(env))
		require.NoError(t, err)
		want := new(big.Rat).Mul(perCore.Rat(), MustDecimal(cores).Rat())
		assert.Equal(t, 0, c.Capacity.PodTPS.Rat().Cmp(want), "%s: podTps %s = %s × %s", env, c.Capacity.PodTPS, perCore, cores)
		assert.Contains(t, c.Capacity.PodTPSSource, "measured: "+m.RPSPerCore.String()+" req/s per core")
	}
	c, err := Load(with(base("prd"), "capacity", `{"podTps": 123.5}`))
	require.NoError(t, err)
	assert.Equal(t, "123.5", c.Capacity.PodTPS.String(), "an explicit podTps wins")
	assert.Equal(t, "django-gke:capacity.podTps", c.Capacity.PodTPSSource)
}

func TestMissingEnvMeansDev(t *testing.T) {
	v := base("dev")
	delete(v, Key("env"))
	c, err := Load(v)
	require.NoError(t, err)
	assert.Equal(t, Dev, c.Env)
}

func TestStackValuesOverlayOnlyTheFieldsTheySet(t *testing.T) {
	c, err := Load(with(base("prd"), "capacity", `{"targetRps": 20000, "podTps": "300.5"}`))
	require.NoError(t, err)
	assert.Equal(t, "20000", c.Capacity.TargetRPS.String())
	assert.Equal(t, "300.5", c.Capacity.PodTPS.String())
	assert.Equal(t, "1", c.Capacity.Complexity.String(), "fields the stack leaves out keep the env default")
	assert.Equal(t, "0.7", c.Capacity.TargetUtilization.String())
}

func TestCLIStringFormsAreAccepted(t *testing.T) {
	// `pulumi config set --path` stores scalars as strings unless told otherwise.
	c, err := Load(with(base("dev"), "cluster", `{"minNodes":"2","spot":"false","deletionProtection":true}`))
	require.NoError(t, err)
	assert.Equal(t, 2, c.Cluster.MinNodes)
	assert.False(t, c.Cluster.Spot)
	assert.True(t, c.Cluster.DeletionProtection)
}

// TestRules feeds one bad value per rule and expects exactly that problem, by path, value and rule.
func TestRules(t *testing.T) {
	tests := []struct {
		name    string
		env     string
		key     string // project key, or "" to edit provider keys via raw
		raw     string
		project string
		want    string // the whole message of the one expected problem
	}{
		{"issue example", "dev", "capacity", `{"targetRps": -5}`, "",
			"django-gke:capacity.targetRps: -5 is not allowed: must be > 0"},
		{"negative tps", "dev", "capacity", `{"podTps": -1}`, "",
			"django-gke:capacity.podTps: -1 is not allowed: must be > 0, or 0 for the benchmark's measurement (make bench)"},
		{"zero complexity", "dev", "capacity", `{"complexity": 0}`, "",
			"django-gke:capacity.complexity: 0 is not allowed: must be > 0"},
		{"utilization above 1", "dev", "capacity", `{"targetUtilization": 1.2}`, "",
			"django-gke:capacity.targetUtilization: 1.2 is not allowed: must be in (0, 1]"},
		{"utilization zero", "dev", "capacity", `{"targetUtilization": 0}`, "",
			"django-gke:capacity.targetUtilization: 0 is not allowed: must be in (0, 1]"},
		{"pods per node", "dev", "capacity", `{"podsPerNode": 111}`, "",
			"django-gke:capacity.podsPerNode: 111 is not allowed: must be 0 (from the machine type) or between 1 and 110 (GKE's pods-per-node limit)"},
		{"zones on zonal", "dev", "capacity", `{"zones": 3}`, "",
			"django-gke:capacity.zones: 3 is not allowed: a zonal cluster (europe-west1-b) has 1 zone"},
		{"negative response size", "dev", "capacity", `{"avgResponseKb": -1}`, "",
			"django-gke:capacity.avgResponseKb: -1 is not allowed: must be >= 0"},
		{"huge exponent", "dev", "capacity", `{"targetRps": 1e999999999}`, "",
			"django-gke:capacity.targetRps: 1e999999999 is not allowed: must be a decimal number (at most 18 digits before and after the point)"},
		{"unknown field", "dev", "capacity", `{"targteRps": 10}`, "",
			`django-gke:capacity.targteRps: 10 is not allowed: unknown field (did you mean "targetRps"?); allowed fields: targetRps, podTps, complexity, podsPerNode, targetUtilization, zones, avgResponseKb, avgLogKb, staticShare, peakHoursPerDay, offPeakFraction`},
		{"cache tier", "dev", "cache", `{"tier": "STANDARD"}`, "",
			`django-gke:cache.tier: "STANDARD" is not allowed: must be one of BASIC, STANDARD_HA`},
		{"basic cache in prd", "prd", "cache", `{"tier": "BASIC"}`, "",
			`django-gke:cache.tier: "BASIC" is not allowed: a BASIC instance is one node: its failure or maintenance empties the cache and moves every read to the database at once; prd uses STANDARD_HA`},
		{"cache size", "stg", "cache", `{"memorySizeGb": 0}`, "",
			"django-gke:cache.memorySizeGb: 0 is not allowed: must be between 1 and 300"},
		{"redis version", "stg", "cache", `{"redisVersion": "7.2"}`, "",
			`django-gke:cache.redisVersion: "7.2" is not allowed: must be one of REDIS_6_X, REDIS_7_0, REDIS_7_2`},
		{"cache ttl", "stg", "cache", `{"ttlSeconds": 0}`, "",
			"django-gke:cache.ttlSeconds: 0 is not allowed: must be between 1 and 86400"},
		{"eviction policy", "stg", "cache", `{"evictionPolicy": "allkeys-lru"}`, "",
			`django-gke:cache.evictionPolicy: "allkeys-lru" is not allowed: must be one of volatile-lru, volatile-lfu, volatile-ttl, volatile-random, noeviction`},
		{"hit ratio above 1", "stg", "cache", `{"hitRatio": 1.5}`, "",
			"django-gke:cache.hitRatio: 1.5 is not allowed: must be in [0, 1] (0 = the benchmark's measurement)"},
		{"cache price", "stg", "cost", `{"cacheUsdPerGbHour": -1}`, "",
			"django-gke:cost.cacheUsdPerGbHour: -1 is not allowed: must be >= 0 (0 = list price)"},
		{"cache memory alert", "stg", "monitoring", `{"alertEmail": "a@b.io", "cacheMemoryRatio": 1}`, "",
			"django-gke:monitoring.cacheMemoryRatio: 1 is not allowed: must be in (0, 1)"},
		{"wrong type", "dev", "cluster", `{"minNodes": "three"}`, "",
			`django-gke:cluster.minNodes: "three" is not allowed: must be a whole number`},
		{"fractional int", "dev", "cluster", `{"minNodes": 1.5}`, "",
			"django-gke:cluster.minNodes: 1.5 is not allowed: must be a whole number"},
		{"null", "dev", "cluster", `{"spot": null}`, "",
			"django-gke:cluster.spot: null is not allowed: must be true or false; leave the field out to use the default"},
		{"not an object", "dev", "cluster", `not json`, "",
			`django-gke:cluster: "not json" is not allowed: must be an object with the fields location, machineType, minNodes, maxNodes, releaseChannel, access, authorizedNetworks, deletionProtection, spot, diskGb, kubeconfig`},
		{"array instead of object", "dev", "release", `[1]`, "",
			`django-gke:release: [1] is not allowed: must be an object with the fields strategy, activeColor, blue, green, previewHostname, inactiveAtMinimum`},
		{"location outside region", "dev", "cluster", `{"location": "us-east1-b"}`, "",
			`django-gke:cluster.location: "us-east1-b" is not allowed: must be a zone of gcp:region europe-west1 (e.g. europe-west1-b) or the region itself`},
		{"other region", "prd", "cluster", `{"location": "us-east1"}`, "",
			`django-gke:cluster.location: "us-east1" is not allowed: must be gcp:region europe-west1 (regional cluster) or one of its zones such as europe-west1-b (zonal)`},
		{"machine type", "dev", "cluster", `{"machineType": "big one"}`, "",
			`django-gke:cluster.machineType: "big one" is not allowed: must be a Compute Engine machine type such as e2-standard-4`},
		{"min nodes", "dev", "cluster", `{"minNodes": 0}`, "",
			"django-gke:cluster.minNodes: 0 is not allowed: must be between 1 and 1000"},
		{"max below min", "dev", "cluster", `{"minNodes": 3, "maxNodes": 2}`, "",
			"django-gke:cluster.maxNodes: 2 is not allowed: must be 0 (from the capacity plan) or between minNodes (3) and 1000"},
		{"release channel", "dev", "cluster", `{"releaseChannel": "FAST"}`, "",
			`django-gke:cluster.releaseChannel: "FAST" is not allowed: must be one of RAPID, REGULAR, STABLE, EXTENDED`},
		{"open control plane", "dev", "cluster", `{"authorizedNetworks": [{"name": "all", "cidr": "0.0.0.0/0"}]}`, "",
			`django-gke:cluster.authorizedNetworks[0].cidr: "0.0.0.0/0" is not allowed: opens the control plane to the internet: authorize specific networks (at least a /8), never 0.0.0.0/0`},
		{"authorized network host bits", "dev", "cluster", `{"authorizedNetworks": [{"name": "office", "cidr": "203.0.113.7/24"}]}`, "",
			`django-gke:cluster.authorizedNetworks[0].cidr: "203.0.113.7/24" is not allowed: must be a network address (did you mean 203.0.113.0/24?)`},
		{"authorized network unknown field", "dev", "cluster", `{"authorizedNetworks": [{"name": "office", "cidr": "203.0.113.0/24", "ip": "x"}]}`, "",
			`django-gke:cluster.authorizedNetworks[0].ip: "x" is not allowed: unknown field; allowed fields: name, cidr`},
		{"duplicate authorized network", "dev", "cluster", `{"authorizedNetworks": [{"name": "a", "cidr": "203.0.113.0/24"}, {"name": "a", "cidr": "198.51.100.0/24"}]}`, "",
			`django-gke:cluster.authorizedNetworks[1].name: "a" is not allowed: must be unique`},
		{"spot in prd", "prd", "cluster", `{"spot": true}`, "",
			"django-gke:cluster.spot: true is not allowed: spot nodes can be preempted at any moment: not for prd"},
		{"node disk", "dev", "cluster", `{"diskGb": 5}`, "", "django-gke:cluster.diskGb: 5 is not allowed: must be between 10 and 65536"},
		{"bad cidr", "dev", "network", `{"cidr": "10.10.0.0/33"}`, "",
			`django-gke:network.cidr: "10.10.0.0/33" is not allowed: must be an IPv4 CIDR such as 10.10.0.0/20`},
		{"public cidr", "dev", "network", `{"cidr": "8.8.0.0/20"}`, "",
			`django-gke:network.cidr: "8.8.0.0/20" is not allowed: must be a private (RFC 1918) range`},
		{"overlap", "dev", "network", `{"servicesCidr": "10.10.0.0/24"}`, "",
			`django-gke:network.servicesCidr: "10.10.0.0/24" is not allowed: overlaps cidr (10.10.0.0/20)`},
		{"master size", "dev", "network", `{"masterCidr": "172.16.0.0/24"}`, "",
			`django-gke:network.masterCidr: "172.16.0.0/24" is not allowed: must be a /28`},
		{"postgres version", "dev", "database", `{"version": "MYSQL_8_0"}`, "",
			`django-gke:database.version: "MYSQL_8_0" is not allowed: must be one of POSTGRES_14, POSTGRES_15, POSTGRES_16, POSTGRES_17`},
		{"tier name", "dev", "database", `{"tier": "db-huge"}`, "",
			`django-gke:database.tier: "db-huge" is not allowed: must be a Cloud SQL Enterprise tier such as db-custom-2-7680 or db-g1-small`},
		{"nginx by tag", "dev", "image", `{"nginx": "nginxinc/nginx-unprivileged:1.27.3-alpine"}`, "",
			`django-gke:image.nginx: "nginxinc/nginx-unprivileged:1.27.3-alpine" is not allowed: must be an image pinned by digest, <image>[:<tag>]@sha256:<64 hex digits> (e.g. a copy in your Artifact Registry)`},
		{"enterprise plus tier", "dev", "database", `{"tier": "db-perf-optimized-N-8"}`, "",
			`django-gke:database.tier: "db-perf-optimized-N-8" is not allowed: is an Enterprise Plus tier, which this program does not declare or price (edition ENTERPRISE): use db-custom-<vCPUs>-<MiB>`},
		{"odd vcpus", "dev", "database", `{"tier": "db-custom-3-7680"}`, "",
			`django-gke:database.tier: "db-custom-3-7680" is not allowed: custom tiers have 1 or an even number of vCPUs up to 96`},
		{"memory per vcpu", "dev", "database", `{"tier": "db-custom-2-15360"}`, "",
			`django-gke:database.tier: "db-custom-2-15360" is not allowed: custom tier memory must be at least 3840 MB and 0.9–6.5 GB per vCPU (at most 13312 MB for 2 vCPUs)`},
		{"shared core in prd", "prd", "database", `{"tier": "db-g1-small"}`, "",
			`django-gke:database.tier: "db-g1-small" is not allowed: shared-core tiers have no SLA: not for prd`},
		{"availability", "dev", "database", `{"availability": "HA"}`, "",
			`django-gke:database.availability: "HA" is not allowed: must be one of ZONAL, REGIONAL`},
		{"max connections", "dev", "database", `{"maxConnections": 5}`, "",
			"django-gke:database.maxConnections: 5 is not allowed: must be 0 (from the plan) or between 14 and 262143"},
		{"ref without digest", "stg", "image", `{"ref": "europe-docker.pkg.dev/p/r/app:latest"}`, "",
			`django-gke:image.ref: "europe-docker.pkg.dev/p/r/app:latest" is not allowed: must be a full image reference pinned by digest: <registry>/<path>@sha256:<64 hex digits>`},
		{"build in prd", "prd", "image", `{"build": true}`, "",
			"django-gke:image.build: true is not allowed: stg and prd never build: they deploy the digest of the stack in promoteFrom, or the pinned ref"},
		{"no image source", "stg", "image", `{"promoteFrom": ""}`, "",
			`django-gke:image: {"build":false,"promoteFrom":"","ref":""} is not allowed: the stack needs an image: set build true (dev), promoteFrom, or ref`},
		{"promote from short name", "stg", "image", `{"promoteFrom": "dev"}`, "",
			`django-gke:image.promoteFrom: "dev" is not allowed: must be a fully qualified stack name <org>/<project>/<stack>, e.g. organization/django-gke/dev`},
		{"build and promote", "dev", "image", `{"promoteFrom": "organization/django-gke/dev"}`, "",
			`django-gke:image.promoteFrom: "organization/django-gke/dev" is not allowed: a stack that builds its image cannot also promote one (set build false)`},
		{"context escapes", "dev", "image", `{"context": "../elsewhere"}`, "",
			`django-gke:image.context: "../elsewhere" is not allowed: must be a relative path inside the repository, such as app`},
		{"hostname", "dev", "app", `{"hostname": "Not A Host"}`, "",
			`django-gke:app.hostname: "Not A Host" is not allowed: must be a lowercase DNS name such as www.example.com (or empty for the load balancer's IP)`},
		{"cpu syntax", "dev", "app", `{"cpu": "two"}`, "",
			`django-gke:app.cpu: "two" is not allowed: must be a CPU quantity such as 500m, 1 or 1.5`},
		{"cpu too small", "dev", "app", `{"cpu": "50m"}`, "", `django-gke:app.cpu: "50m" is not allowed: must be between 100m and 16`},
		{"memory", "dev", "app", `{"memory": "1G"}`, "",
			`django-gke:app.memory: "1G" is not allowed: must be a memory quantity such as 512Mi or 1Gi`},
		{"threads", "dev", "app", `{"gunicornThreads": 0}`, "", "django-gke:app.gunicornThreads: 0 is not allowed: must be between 1 and 16"},
		{"peak hours", "dev", "capacity", `{"peakHoursPerDay": 25}`, "",
			"django-gke:capacity.peakHoursPerDay: 25 is not allowed: must be in (0, 24]"},
		{"off-peak fraction", "dev", "capacity", `{"offPeakFraction": 1.5}`, "",
			"django-gke:capacity.offPeakFraction: 1.5 is not allowed: must be in [0, 1]"},
		{"min replicas", "dev", "app", `{"minReplicas": 0}`, "", "django-gke:app.minReplicas: 0 is not allowed: must be between 1 and 1000"},
		{"prd one per zone", "prd", "app", `{"minReplicas": 2}`, "",
			"django-gke:app.minReplicas: 2 is not allowed: prd keeps at least one replica per zone (3 zones)"},
		{"reserved setting", "dev", "app", `{"settings": {"DJANGO_DEBUG": "1"}}`, "",
			`django-gke:app.settings.DJANGO_DEBUG: "1" is not allowed: DJANGO_DEBUG is set by the program and cannot be overridden`},
		{"reserved threads (the connection budget)", "dev", "app", `{"settings": {"GUNICORN_THREADS": "64"}}`, "",
			`django-gke:app.settings.GUNICORN_THREADS: "64" is not allowed: GUNICORN_THREADS is set by the program and cannot be overridden`},
		{"reserved cache host", "dev", "app", `{"settings": {"CACHE_REDIS_HOST": "10.0.0.9"}}`, "",
			`django-gke:app.settings.CACHE_REDIS_HOST: "10.0.0.9" is not allowed: CACHE_REDIS_HOST is set by the program and cannot be overridden`},
		{"secret setting is redacted", "dev", "app", `{"settings": {"STRIPE_API_KEY": "sk_live_123"}}`, "",
			`django-gke:app.settings.STRIPE_API_KEY: "[redacted]" is not allowed: STRIPE_API_KEY looks like a secret: secrets never go in plain stack config or ConfigMaps`},
		{"setting name", "dev", "app", `{"settings": {"lower-case": "x"}}`, "",
			`django-gke:app.settings.lower-case: "x" is not allowed: the name must be an environment variable name (A-Z, 0-9, _)`},
		{"setting value type", "dev", "app", `{"settings": {"FEATURE": 1}}`, "",
			"django-gke:app.settings.FEATURE: 1 is not allowed: must be a string"},
		{"negative price", "dev", "cost", `{"egressUsdPerGib": -0.12}`, "",
			"django-gke:cost.egressUsdPerGib: -0.12 is not allowed: must be >= 0 (0 = list price)"},
		{"alert email required", "stg", "monitoring", `{"alertEmail": ""}`, "",
			`django-gke:monitoring.alertEmail: "" is not allowed: stg and prd page someone: set the address alerts go to`},
		{"alert email syntax", "dev", "monitoring", `{"alertEmail": "oncall"}`, "",
			`django-gke:monitoring.alertEmail: "oncall" is not allowed: must be an email address`},
		{"slo target", "dev", "monitoring", `{"sloTarget": 99.9}`, "",
			"django-gke:monitoring.sloTarget: 99.9 is not allowed: must be between 0.9 and 0.99999 (e.g. 0.999 for 99.9 %)"},
		{"error ratio", "dev", "monitoring", `{"errorRatio": 1}`, "", "django-gke:monitoring.errorRatio: 1 is not allowed: must be in (0, 1)"},
		{"p99 below p95", "dev", "monitoring", `{"latencyP95Ms": 900, "latencyP99Ms": 500}`, "",
			"django-gke:monitoring.latencyP99Ms: 500 is not allowed: must be between latencyP95Ms (900) and 60000"},
		{"retention", "dev", "monitoring", `{"logRetentionDays": 0}`, "", "django-gke:monitoring.logRetentionDays: 0 is not allowed: must be between 1 and 3650"},
		{"static share", "dev", "capacity", `{"staticShare": 1}`, "", "django-gke:capacity.staticShare: 1 is not allowed: must be in [0, 1)"},
		{"uptime path", "dev", "monitoring", `{"uptimePath": "healthz"}`, "",
			`django-gke:monitoring.uptimePath: "healthz" is not allowed: must be a URL path such as /healthz`},
		{"strategy", "dev", "release", `{"strategy": "canary"}`, "",
			`django-gke:release.strategy: "canary" is not allowed: must be one of rolling, blueGreen`},
		{"color", "dev", "release", `{"activeColor": "red"}`, "",
			`django-gke:release.activeColor: "red" is not allowed: must be one of blue, green`},
		{"color image without digest", "dev", "release", `{"strategy": "blueGreen", "green": {"image": "europe-docker.pkg.dev/p/r/django:v2"}}`, "",
			`django-gke:release.green.image: "europe-docker.pkg.dev/p/r/django:v2" is not allowed: must be a full image reference pinned by digest: <registry>/<path>@sha256:<64 hex digits>`},
		{"color image under rolling", "dev", "release", `{"blue": {"image": "europe-docker.pkg.dev/p/r/django@sha256:` + strings.Repeat("a", 64) + `"}}`, "",
			`django-gke:release.blue.image: "europe-docker.pkg.dev/p/r/django@sha256:` + strings.Repeat("a", 64) + `" is not allowed: only means something with strategy blueGreen`},
		{"preview host without hostname", "dev", "release", `{"strategy": "blueGreen", "previewHostname": "preview.example.com"}`, "",
			`django-gke:release.previewHostname: "preview.example.com" is not allowed: needs app.hostname set (the certificate covers both) and must differ from it`},
		{"env", "dev", "env", `qa`, "", `django-gke:env: "qa" is not allowed: must be one of dev, stg, prd, local`},
		{"unknown key", "dev", "capacty", `{}`, "",
			`django-gke:capacty: "{}" is not allowed: unknown key; allowed keys: django-gke:env, django-gke:network, django-gke:cluster, django-gke:database, django-gke:cache, django-gke:image, django-gke:app, django-gke:capacity, django-gke:cost, django-gke:monitoring, django-gke:release, django-gke:regions`},
		{"project id", "dev", "", "", "My_Project",
			`gcp:project: "My_Project" is not allowed: must be a Google Cloud project id (6–30 lowercase letters, digits and hyphens; set it in Pulumi.<stack>.yaml)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			values := base(tt.env)
			if tt.key != "" {
				values = with(values, tt.key, tt.raw)
			}
			if tt.project != "" {
				values[KeyProject] = tt.project
			}
			_, err := Load(values)
			require.Error(t, err)
			var ps Problems
			require.ErrorAs(t, err, &ps)
			require.Len(t, ps, 1, "exactly one problem expected, got:\n%v", err)
			assert.Equal(t, tt.want, ps[0].String())
		})
	}
}

func TestEveryProblemIsReportedAtOnce(t *testing.T) {
	values := with(base("prd"), "capacity", `{"targetRps": -5, "podTps": -2, "typo": 1}`)
	values = with(values, "release", `{"activeColor": "red"}`)
	values = with(values, "cluster", `{"spot": true, "minNodes": "x"}`)
	_, err := Load(values)
	var ps Problems
	require.ErrorAs(t, err, &ps)
	paths := []string{}
	for _, p := range ps {
		paths = append(paths, p.Path())
	}
	assert.ElementsMatch(t, []string{
		"django-gke:capacity.targetRps", "django-gke:capacity.podTps", "django-gke:capacity.typo",
		"django-gke:release.activeColor", "django-gke:cluster.spot", "django-gke:cluster.minNodes",
	}, paths)
	assert.True(t, strings.HasPrefix(err.Error(), "invalid stack configuration (6 problems):\n"), err.Error())
}

func TestDecimalIsExact(t *testing.T) {
	d, err := ParseDecimal("0.1")
	require.NoError(t, err)
	sum := d.Rat()
	sum.Add(sum, MustDecimal("0.2").Rat())
	assert.Equal(t, 0, sum.Cmp(MustDecimal("0.3").Rat()), "0.1 + 0.2 is exactly 0.3 as decimals")
	assert.Equal(t, "1500", MustDecimal("1.5e3").String())
	assert.Equal(t, "0.005", MustDecimal("5e-3").String())
	for _, bad := range []string{"", "1/3", "NaN", "Inf", "0x10", "1e100", "01", "1.", ".5"} {
		_, err := ParseDecimal(bad)
		assert.Error(t, err, "%q", bad)
	}
}

func TestQuantities(t *testing.T) {
	for q, want := range map[string]int64{"500m": 500, "1": 1000, "1.5": 1500, "0.25": 250, "2.125": 2125} {
		got, err := MilliCPU(q)
		require.NoError(t, err, q)
		assert.Equal(t, want, got, q)
	}
	for q, want := range map[string]int64{"512Mi": 512 << 20, "1Gi": 1 << 30, "64Ki": 64 << 10} {
		got, err := MemoryBytes(q)
		require.NoError(t, err, q)
		assert.Equal(t, want, got, q)
	}
	for _, bad := range []string{"", "1.0001", "m", "-1", "1e3"} {
		_, err := MilliCPU(bad)
		assert.Error(t, err, bad)
	}
}

func TestIsZone(t *testing.T) {
	assert.True(t, IsZone("us-central1-b"))
	assert.True(t, IsZone("europe-west4-a"))
	assert.False(t, IsZone("us-central1"))
	assert.False(t, IsZone("northamerica-northeast1"))
	assert.False(t, IsZone("bogus"))
}

func TestEnvLocalHasNoCacheServer(t *testing.T) {
	c := Defaults(Local, "")
	c.Database.Host, c.Image.Ref = "127.0.0.1", "django-gke:dev"
	require.Empty(t, c.Validate(), "env local's defaults are valid")
	c.Cache.Enabled = true
	ps := c.Validate()
	require.Len(t, ps, 1)
	require.Equal(t, "django-gke:cache.enabled: true is not allowed: env local declares no cache server (infra/local.go lists what it stands in for); make local-up runs the pod with a real redis-server",
		ps[0].String())
}

func TestCacheDefaultsPerEnv(t *testing.T) {
	for env, want := range map[Env]struct {
		enabled bool
		tier    string
	}{Dev: {false, CacheBasic}, Stg: {true, CacheBasic}, Prd: {true, CacheStandardHA}, Local: {false, CacheBasic}} {
		c := Defaults(env, "")
		require.Equal(t, want.enabled, c.Cache.Enabled, env)
		require.Equal(t, want.tier, c.Cache.Tier, env)
	}
}

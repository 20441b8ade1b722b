package config

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const twoRegions = `{"list": [
 {"region": "europe-west1", "trafficShare": 0.6, "cidr": "10.10.0.0/20", "podsCidr": "10.16.0.0/14", "servicesCidr": "10.20.0.0/20", "masterCidr": "172.16.0.0/28"},
 {"region": "us-east4", "trafficShare": 0.4, "cidr": "10.11.0.0/20", "podsCidr": "10.28.0.0/14", "servicesCidr": "10.21.0.0/20", "masterCidr": "172.16.0.16/28"}]}`

func multiRegion(t *testing.T, regions string, extra ...string) (*Config, error) {
	t.Helper()
	v := with(base("prd"), "regions", regions)
	v = with(v, "cache", `{"enabled": false}`)
	for i := 0; i+1 < len(extra); i += 2 {
		v = with(v, extra[i], extra[i+1])
	}
	return Load(v)
}

func TestRegionCodes(t *testing.T) {
	for region, want := range map[string]string{
		"europe-west1": "euw1", "us-central1": "usc1", "us-east4": "use4", "northamerica-northeast2": "nane2",
		"asia-southeast1": "asse1", "australia-southeast2": "ause2", "me-central2": "mec2", "southamerica-west1": "saw1",
	} {
		got, err := RegionCode(region)
		require.NoError(t, err, region)
		assert.Equal(t, want, got, region)
	}
	for _, bad := range []string{"", "europe", "mars-west1", "europe-up1", "europe-west"} {
		_, err := RegionCode(bad)
		assert.Error(t, err, bad)
	}
}

func TestSingleRegionByDefault(t *testing.T) {
	for _, env := range []string{"dev", "stg", "prd"} {
		c, err := Load(base(env))
		require.NoError(t, err)
		assert.False(t, c.MultiRegion(), env)
		assert.Equal(t, []string{"europe-west1"}, c.RegionNames())
		assert.Equal(t, "europe-west1", c.PrimaryRegion())
	}
}

func TestTwoRegionsLoad(t *testing.T) {
	c, err := multiRegion(t, twoRegions)
	require.NoError(t, err)
	assert.True(t, c.MultiRegion())
	assert.Equal(t, []string{"europe-west1", "us-east4"}, c.RegionNames())
	assert.Equal(t, "europe-west1", c.PrimaryRegion())
	assert.Equal(t, "europe-west1", c.ConfigClusterRegion(), "defaults to gcp:region")
	assert.True(t, c.Regions.SurviveRegionLoss)
}

// problems loads and returns every problem's text.
func problems(t *testing.T, regions string, extra ...string) string {
	t.Helper()
	_, err := multiRegion(t, regions, extra...)
	require.Error(t, err)
	return err.Error()
}

func TestRegionRules(t *testing.T) {
	swap := func(old, new string) string { return strings.Replace(twoRegions, old, new, 1) }
	tests := []struct{ name, regions, want string }{
		{"one region", `{"list": [{"region": "europe-west1", "trafficShare": 1, "cidr": "10.10.0.0/20", "podsCidr": "10.16.0.0/14", "servicesCidr": "10.20.0.0/20", "masterCidr": "172.16.0.0/28"}]}`,
			`django-gke:regions.list: "europe-west1" is not allowed: list two regions or more`},
		{"shares", swap(`"trafficShare": 0.4`, `"trafficShare": 0.3`), `django-gke:regions.list: "0.9000" is not allowed: the trafficShares must sum to 1`},
		{"overlapping pods", swap(`"podsCidr": "10.28.0.0/14"`, `"podsCidr": "10.18.0.0/15"`),
			`django-gke:regions.list[1].podsCidr: "10.18.0.0/15" is not allowed: overlaps regions.list[0].podsCidr (10.16.0.0/14)`},
		{"overlapping private services", swap(`"cidr": "10.11.0.0/20"`, `"cidr": "10.24.0.0/20"`),
			`django-gke:regions.list[1].cidr: "10.24.0.0/20" is not allowed: overlaps network.privateServicesCidr (10.24.0.0/20)`},
		{"same master range", swap(`"masterCidr": "172.16.0.16/28"`, `"masterCidr": "172.16.0.0/28"`),
			`django-gke:regions.list[1].masterCidr: "172.16.0.0/28" is not allowed: overlaps regions.list[0].masterCidr (172.16.0.0/28)`},
		{"twice", swap(`"region": "us-east4"`, `"region": "europe-west1"`), `django-gke:regions.list[1].region: "europe-west1" is not allowed: is listed twice`},
		{"unknown continent", swap(`"region": "us-east4"`, `"region": "mars-east4"`), `unknown continent "mars"`},
		{"gcp:region not listed", swap(`"region": "europe-west1"`, `"region": "europe-west4"`), `gcp:region: "europe-west1" is not allowed: must be one of regions.list (europe-west4, us-east4)`},
		{"config region", strings.Replace(twoRegions, `{"list"`, `{"configRegion": "asia-east1", "list"`, 1),
			`django-gke:regions.configRegion: "asia-east1" is not allowed: must be one of regions.list (europe-west1, us-east4)`},
		{"typo", swap(`"trafficShare": 0.4`, `"trafficshare": 0.4`), `django-gke:regions.list[1].trafficshare`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Contains(t, problems(t, tt.regions), tt.want)
		})
	}
}

func TestRegionsRefuseWhatTheyCannotServe(t *testing.T) {
	v := with(base("prd"), "regions", twoRegions)
	_, err := Load(v) // prd's cache is on by default
	require.Error(t, err)
	assert.Contains(t, err.Error(), `django-gke:cache.enabled: true is not allowed: is not supported with regions.list yet`)
	assert.Contains(t, problems(t, twoRegions, "cluster", `{"location": "europe-west1-b"}`),
		`django-gke:cluster.location: "europe-west1-b" is not allowed: with regions.list every region runs a regional cluster`)
	assert.Contains(t, problems(t, twoRegions, "release", `{"strategy": "blueGreen"}`),
		`django-gke:release.strategy: "blueGreen" is not allowed: with regions.list only rolling is supported`)
	assert.Contains(t, problems(t, twoRegions, "app", `{"cdn": true}`),
		`django-gke:app.cdn: true is not allowed: is not supported with regions.list: Cloud CDN is set on the single-region Ingress's BackendConfig`)
	// Env local's regions are clusters from kubeconfigs: GCP's ranges are refused, a kubeconfig is required.
	local := with(base("local"), "regions", twoRegions)
	_, err = Load(local)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `django-gke:regions.list[0].cidr: "10.10.0.0/20" is not allowed: is a GCP range; env local declares no network: remove it`)
	assert.Contains(t, err.Error(), `django-gke:regions.list[1].kubeconfig: "" is not allowed: env local needs each region's cluster`)
}

// TestLocalRegionsAreClusters: env local with regions.list names a
// kubeconfig per region; the kubeconfig is env local's alone.
func TestLocalRegionsAreClusters(t *testing.T) {
	const localRegions = `{"list": [
 {"region": "us-central1", "trafficShare": 0.5, "kubeconfig": "build/cluster/kubeconfig"},
 {"region": "europe-west1", "trafficShare": 0.5, "kubeconfig": "build/cluster-b/kubeconfig", "lost": true}]}`
	local := with(with(base("local"), "image", `{"ref": "registry.local/django:dev"}`), "database", `{"host": "10.96.100.10"}`)
	c, err := Load(with(local, "regions", localRegions))
	require.NoError(t, err)
	assert.Equal(t, "build/cluster-b/kubeconfig", c.Regions.List[1].Kubeconfig)
	assert.True(t, c.Regions.List[1].Lost)
	_, err = Load(with(with(local, "regions", localRegions), "cluster", `{"kubeconfig": "k"}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `django-gke:cluster.kubeconfig: "k" is not allowed: with regions.list each region names its own cluster`)
	withKubeconfig := strings.Replace(twoRegions, `"masterCidr": "172.16.0.16/28"`, `"masterCidr": "172.16.0.16/28", "kubeconfig": "k"`, 1)
	assert.Contains(t, problems(t, withKubeconfig),
		`django-gke:regions.list[1].kubeconfig: "k" is not allowed: is env local's (a GKE region's cluster is declared by the program): remove it`)
}

// TestALostRegionIsNeverThePrimary: regions.list[].lost freezes a region; the
// first region holds the primary database, so the runbook moves a surviving
// region first before marking the other lost.
func TestALostRegionIsNeverThePrimary(t *testing.T) {
	lostSecond := strings.Replace(twoRegions, `"masterCidr": "172.16.0.16/28"`, `"masterCidr": "172.16.0.16/28", "lost": true`, 1)
	c, err := multiRegion(t, lostSecond)
	require.NoError(t, err)
	assert.True(t, c.Regions.List[1].Lost)
	assert.False(t, c.Regions.List[0].Lost)
	lostFirst := strings.Replace(twoRegions, `"masterCidr": "172.16.0.0/28"`, `"masterCidr": "172.16.0.0/28", "lost": true`, 1)
	assert.Contains(t, problems(t, lostFirst),
		`django-gke:regions.list[0].lost: true is not allowed: the first region holds the primary database and cannot be lost: move a surviving region first`)
}

func TestReplicaLagThreshold(t *testing.T) {
	c, err := multiRegion(t, twoRegions)
	require.NoError(t, err)
	assert.Equal(t, 30, c.Monitoring.ReplicaLagSeconds)
	assert.Contains(t, problems(t, twoRegions, "monitoring", `{"alertEmail": "oncall@example.com", "replicaLagSeconds": 0}`),
		`django-gke:monitoring.replicaLagSeconds: 0 is not allowed: must be between 1 and 86400`)
}

func TestPlatformPriceOverridesDecode(t *testing.T) {
	c, err := Load(with(base("prd"), "cost", `{"platformPrices": {"aws.ec2VcpuHour": 0.045}}`))
	require.NoError(t, err)
	assert.Equal(t, "0.045", c.Cost.PlatformPrices["aws.ec2VcpuHour"].String())
	_, err = Load(with(base("prd"), "cost", `{"platformPrices": {"aws.ec2VcpuHour": -1}}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `django-gke:cost.platformPrices.aws.ec2VcpuHour: -1 is not allowed: must be >= 0 (0 = list price)`)
}

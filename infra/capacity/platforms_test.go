package capacity

import (
	"bytes"
	"encoding/xml"
	"math/big"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func lineOf(t *testing.T, pc PlatformCost, key string) CostLine {
	t.Helper()
	for _, l := range pc.Estimate.Lines {
		if l.Key == key {
			return l
		}
	}
	require.Failf(t, "no line", "%s has no %s line", pc.Platform.Key, key)
	return CostLine{}
}

func byKey(t *testing.T, costs []PlatformCost) map[string]PlatformCost {
	t.Helper()
	out := map[string]PlatformCost{}
	for _, pc := range costs {
		out[pc.Platform.Key] = pc
	}
	require.Len(t, out, len(Platforms))
	return out
}

// TestPlatformsHandWorked checks each platform's own terms on inputs() (10,000 req/s,
// 250 TPS, 0.7, 3 zones, n2-standard-4, db-custom-4-16384 HA, 100 GB), by hand:
//
//	pods 58 at peak (6 h a day: 2,190 h), off peak ⌈3000/175⌉ = 18 (6,570 h): 58·2190 + 18·6570 = 245,280 pod-hours
//	nodes 21 at peak; off peak 18 pods → 6 a zone → 2 nodes a zone = 6: 21·2190 + 6·6570 = 85,410 node-hours
//	pod requests (AppPodRequests): 1.2 vCPU, 1,216 MiB = 1.1875 GiB, 768 MiB = 0.75 GiB ephemeral
//	Autopilot: 245,280 × (1.2·0.0445 + 1.1875·0.0049225 + 0.75·0.0000548) = 245,280 × 0.05928650… = 14,541.81
//	Cloud Run: 245,280 h × 3600 × (1 vCPU·0.000018 + 1 GiB·0.000002) = 245,280 × 0.072 = 17,660.16
//	EKS nodes: 85,410 × 4 vCPU × 0.048 = 16,398.72; control plane 876; RDS 4 vCPU × 0.089 × 8760 × 2 + 100 × 0.115 × 12 × 2 = 6,237.12 + 276 = 6,513.12
//	Fargate: the pod's 1.2 vCPU, 1,216 MiB → 2 vCPU, 4 GB: 245,280 × (2·0.04048 + 4·0.004445) = 245,280 × 0.09874 = 24,218.95
//	AKS: nodes as EKS's (same price per vCPU), Log Analytics (logGib − 60) × 2.30
func TestPlatformsHandWorked(t *testing.T) {
	in := inputs()
	costs, err := ComparePlatforms(in, nil)
	require.NoError(t, err)
	c := byKey(t, costs)
	p := compute(t, in)
	assert.Equal(t, 0, c["gke"].Estimate.YearlyUSD.Cmp(p.Autoscaled.YearlyUSD), "GKE Standard is the plan's autoscaled estimate")
	assert.Equal(t, 0, c["seed"].Estimate.YearlyUSD.Cmp(p.Seed.YearlyUSD), "the seed's formula is the first row")
	assert.Equal(t, "seed", costs[0].Platform.Key)

	eq := func(want string, got *big.Rat, what string) {
		assert.Equal(t, 0, r(want).Cmp(got), "%s: want %s, got %s", what, want, got.FloatString(4))
	}
	require.Equal(t, PodRequests{CPUMilli: 1200, MemoryMiB: 1216, EphemeralMiB: 768}, p.PodRequests)
	perPod := add(mul(r("1.2"), r("0.0445")), mul(r("1.1875"), r("0.0049225")), mul(r("0.75"), r("0.0000548")))
	eq(mul(r("245280"), perPod).RatString(), lineOf(t, c["autopilot"], "compute").YearlyUSD, "Autopilot pods")
	eq("17660.16", lineOf(t, c["cloudrun"], "compute").YearlyUSD, "Cloud Run instances")
	eq("16398.72", lineOf(t, c["eks"], "nodes").YearlyUSD, "EKS nodes")
	eq("876", lineOf(t, c["eks"], "cluster").YearlyUSD, "EKS control plane")
	eq("6513.12", lineOf(t, c["eks"], "database").YearlyUSD, "RDS Multi-AZ")
	eq("24218.9472", lineOf(t, c["fargate"], "compute").YearlyUSD, "Fargate tasks")
	eq("16398.72", lineOf(t, c["aks"], "nodes").YearlyUSD, "AKS nodes")
	u := usageOf(in, p, true)
	eq(mul(sub(u.logGib, r("60")), r("2.30")).RatString(), lineOf(t, c["aks"], "logging").YearlyUSD, "Log Analytics after 5 GB a month free")
	eq("1752", lineOf(t, c["aks"], "lb").YearlyUSD, "Application Gateway: 0.20 × 8,760")
	// Terms GKE's platforms share with this project's plan are its own lines.
	for _, k := range []string{"database", "egress", "logging", "lb", "lbData"} {
		assert.Equal(t, lineOf(t, c["gke"], k), lineOf(t, c["autopilot"], k), k)
		assert.Equal(t, lineOf(t, c["gke"], k), lineOf(t, c["cloudrun"], k), k)
	}
}

func TestFargateRoundsUpToATaskSize(t *testing.T) {
	for _, tt := range []struct {
		milli, mib  int64
		cpu, memory string
	}{{200, 300, "1/4", "1"}, {1200, 1216, "2", "4"}, {1000, 3000, "1", "3"}, {4000, 20000, "4", "20"}} {
		cpu, mem := FargateSize(tt.milli, tt.mib)
		assert.Equal(t, tt.cpu, cpu.RatString(), "%dm", tt.milli)
		assert.Equal(t, tt.memory, mem.RatString(), "%d MiB", tt.mib)
	}
}

func TestPlatformPriceOverrides(t *testing.T) {
	_, err := ComparePlatforms(inputs(), map[string]*big.Rat{"aws.ec2PerHour": r("1")})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `django-gke:cost.platformPrices.aws.ec2PerHour: 1.0000 is not allowed: unknown price; known: autopilot.ephemeralGibHour`)
	costs, err := ComparePlatforms(inputs(), map[string]*big.Rat{"aws.ec2VcpuHour": r("0.096")})
	require.NoError(t, err)
	eq := r("32797.44") // twice 16,398.72
	assert.Equal(t, 0, eq.Cmp(lineOf(t, byKey(t, costs)["eks"], "nodes").YearlyUSD))
}

// TestPlatformCostsGrowWithLoad: on every platform more traffic never costs less.
func TestPlatformCostsGrowWithLoad(t *testing.T) {
	c, err := ComparePlatformsOverLoad(inputs(), nil)
	require.NoError(t, err)
	assert.Equal(t, int64(ChartFromRPS), c.Loads[0])
	assert.Equal(t, int64(ChartToRPS), c.Loads[len(c.Loads)-1])
	for _, cv := range c.Curves {
		require.Len(t, cv.USD, len(c.Loads))
		for i := 1; i < len(cv.USD); i++ {
			assert.LessOrEqual(t, cv.USD[i-1].Cmp(cv.USD[i]), 0, "%s: %d → %d req/s", cv.Platform.Key, c.Loads[i-1], c.Loads[i])
		}
	}
}

// TestCrossoversAreWhereTheOrderFlips: each crossover is reproducible and
// exact: one req/s below it the other platform is cheaper (or equal), at it
// the named one is.
func TestCrossoversAreWhereTheOrderFlips(t *testing.T) {
	in := inputs()
	c, err := ComparePlatformsOverLoad(in, nil)
	require.NoError(t, err)
	again, err := ComparePlatformsOverLoad(in, nil)
	require.NoError(t, err)
	assert.Equal(t, c.Crossovers, again.Crossovers, "deterministic")
	require.NotEmpty(t, c.Crossovers)
	index := map[string]int{}
	for i, p := range Platforms {
		index[p.Key] = i
	}
	for _, x := range c.Crossovers {
		at, err := costsAt(in, x.RPS, nil)
		require.NoError(t, err)
		before, err := costsAt(in, x.RPS-1, nil)
		require.NoError(t, err)
		above, below := index[x.CheaperAbove.Key], index[x.CheaperBelow.Key]
		assert.LessOrEqual(t, at[above].Estimate.YearlyUSD.Cmp(at[below].Estimate.YearlyUSD), 0, "%s", x)
		assert.Equal(t, -1, before[below].Estimate.YearlyUSD.Cmp(before[above].Estimate.YearlyUSD), "%s", x)
	}
}

// TestChartDrawsEveryPlatformAndCrossover: the SVG is well-formed XML with one
// line per platform and a labelled marker per crossover, the same bytes twice.
func TestChartDrawsEveryPlatformAndCrossover(t *testing.T) {
	c, err := ComparePlatformsOverLoad(inputs(), nil)
	require.NoError(t, err)
	var a, b bytes.Buffer
	require.NoError(t, WriteChart(&a, ChartTitle("test"), c))
	require.NoError(t, WriteChart(&b, ChartTitle("test"), c))
	assert.Equal(t, a.String(), b.String())
	var doc struct {
		Polylines []struct {
			Platform string `xml:"data-platform,attr"`
			Points   string `xml:"points,attr"`
		} `xml:"polyline"`
		Circles []struct {
			RPS string `xml:"data-crossover,attr"`
		} `xml:"circle"`
		Texts []string `xml:"text"`
	}
	require.NoError(t, xml.Unmarshal(a.Bytes(), &doc))
	require.Len(t, doc.Polylines, len(Platforms))
	for i, pl := range doc.Polylines {
		assert.Equal(t, Platforms[i].Key, pl.Platform)
		assert.Len(t, strings.Fields(pl.Points), len(c.Loads))
	}
	assert.Len(t, doc.Circles, len(c.Crossovers))
	texts := strings.Join(doc.Texts, "\n")
	for _, x := range c.Crossovers {
		assert.Contains(t, texts, shortName(x.CheaperBelow)+" = "+shortName(x.CheaperAbove)+" at ")
	}
	for _, want := range []string{"Cloud Run", "GKE Autopilot", "EKS + RDS + ALB", "100", "50k"} {
		assert.Contains(t, texts, want)
	}
}

// BenchmarkComparePlatformsOverLoad: make capacity COMPARE=1's work (the
// platforms at 41 loads, and the crossovers' bisections).
func BenchmarkComparePlatformsOverLoad(b *testing.B) {
	in := inputs()
	for b.Loop() {
		if _, err := ComparePlatformsOverLoad(in, nil); err != nil {
			b.Fatal(err)
		}
	}
}

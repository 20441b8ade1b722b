package capacity

import (
	"bytes"
	"encoding/json"
	"math/big"
	"math/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"django-gke/infra/config"
)

func r(s string) *big.Rat {
	v, ok := new(big.Rat).SetString(s)
	if !ok {
		panic(s)
	}
	return v
}

// inputs is a prd-like stack; tests change what they exercise.
func inputs() Inputs {
	return Inputs{
		TargetRPS: r("10000"), PodTPS: r("250"), Complexity: r("1"), TargetUtilization: r("0.7"),
		Zones: 3, MachineType: "n2-standard-4", NodeDiskGB: 100, MinNodes: 3,
		GunicornCPUMilli: 1000, GunicornMemoryMiB: 1024, GunicornThreads: 2, MinReplicas: 3,
		SQLTier: "db-custom-4-16384", SQLRegional: true, SQLDiskGB: 100,
		AvgResponseKB: r("16"), AvgLogKB: r("1"), StaticShare: r("0.3"), PeakHoursPerDay: r("6"), OffPeakFraction: r("0.3"),
		HasDomain: true,
	}
}

func compute(t *testing.T, in Inputs) *Plan {
	t.Helper()
	p, err := Compute(in)
	require.NoError(t, err)
	return p
}

// TestSeedHandWorked checks the seed's method against arithmetic done by hand,
// with prices overridden to round numbers:
//
//	P  = ⌈10000 / (250 / 1)⌉ = ⌈40⌉ = 40 pods
//	PW = 4 (capacity.podsPerNode)            NW = ⌈40 / 4⌉ = 10 nodes
//	CW = 0.36 USD/h = 0.0001 USD/s, ND = 2 (HA), CD = 0.18 USD/h = 0.00005 USD/s, CL = 0.036 USD/h = 0.00001 USD/s
//	NW·CW + ND·CD + CL = 0.001 + 0.0001 + 0.00001 = 0.00111 USD/s → × T (31,536,000 s) = 35,004.96
//	NDStack = 10000 req/s × 1 KiB = 10000/1048576 GiB/s, × 0.50 USD/GiB × T = 150,375.37
//	NDExt   = 10000 × 16 KiB = 160000/1048576 GiB/s, × 0.10 USD/GiB × T   = 481,201.17
//	NDInt   = NDExt × (3−1)/3 (pods outside the database's zone), × 0.01 × T = 32,080.08
//	Domain  = 12
//	total   = 35,004.96 + 150,375.37 + 481,201.17 + 32,080.08 + 12 = 698,673.58 USD
func TestSeedHandWorked(t *testing.T) {
	in := inputs()
	in.PodsPerNode = 4
	in.Overrides = Overrides{
		NodeUSDPerHour: r("0.36"), DatabaseUSDPerHour: r("0.18"), LoadBalancerUSDPerHour: r("0.036"),
		LoggingUSDPerGiB: r("0.5"), EgressUSDPerGiB: r("0.1"), InternalUSDPerGiB: r("0.01"), DomainUSDPerYear: r("12"),
	}
	p := compute(t, in)
	assert.Equal(t, int64(40), p.Seed.Pods)
	assert.Equal(t, 4, p.Seed.PodsPerNode)
	assert.Equal(t, int64(10), p.Seed.Nodes)
	assert.Equal(t, 2, p.Seed.Rates.ND)
	assert.Equal(t, "0.000100", p.Seed.Rates.CW.FloatString(6))
	lines := map[string]string{}
	for _, l := range p.Seed.Lines {
		lines[l.Key] = l.YearlyUSD.FloatString(2)
	}
	assert.Equal(t, map[string]string{
		"nodes": "31536.00", "database": "3153.60", "lb": "315.36", "logging": "150375.37",
		"egress": "481201.17", "internal": "32080.08", "domain": "12.00",
	}, lines)
	assert.Equal(t, "698673.58", p.Seed.YearlyUSD.FloatString(2))
}

func TestSeedPodsAreExact(t *testing.T) {
	tests := []struct {
		target, tps, c string
		want           int64
	}{
		{"10000", "250", "1", 40},      // exact integer: not 41
		{"10000", "300", "1.5", 50},    // 300/1.5 = 200 → 50
		{"3000", "300", "1.1", 11},     // float64 gives 11.000000000000002 → 12
		{"7000", "350", "1.1", 22},     // float64 gives 22.000000000000004 → 23
		{"10000", "230", "2.3", 100},   // float64 gives 99.99999999999999
		{"10000", "250", "1.0001", 41}, // just over 40
		{"0.001", "250", "1", 1},       // tiny targets still need a pod
		{"10000000", "0.5", "3", 60000000},
	}
	for _, tt := range tests {
		got := SeedPods(r(tt.target), r(tt.tps), r(tt.c))
		assert.Equal(t, tt.want, got, "⌈%s / (%s / %s)⌉", tt.target, tt.tps, tt.c)
	}
}

func TestPlanForPrd(t *testing.T) {
	p := compute(t, inputs())
	// pods at peak = ⌈10000·1 / (250·0.7)⌉ = ⌈57.14⌉ = 58; surge ⌈58·25/100⌉ = 15.
	assert.Equal(t, int64(58), p.PodsAtPeak)
	assert.Equal(t, int64(3), p.HPAMinReplicas)
	assert.Equal(t, int64(58), p.HPAMaxReplicas)
	assert.Equal(t, int64(15), p.SurgePods)
	// n2-standard-4: 4000m − 80m reserved = 3920m; 16384 MiB − 2663 − 100 = 13621 MiB;
	// a 100 GB boot disk × 43.8 % = 44851 MiB.
	assert.Equal(t, Allocatable{CPUMilli: 3920, MemoryMiB: 13621, EphemeralMiB: 44851}, p.Allocatable)
	// pod: 1000m + 100m + 100m = 1200m; (3920 − 300) / 1200 = 3 by CPU.
	assert.Equal(t, 3, p.PodsPerNode)
	assert.Equal(t, "cpu", p.PodsPerNodeLimit)
	// At peak: ⌈58/3⌉ = 20 pods a zone → 7 nodes a zone → 21.
	assert.Equal(t, int64(21), p.NodesAtPeak)
	// N+1: 73 pods on 2 zones → 37 a zone → 13 nodes a zone → 39.
	assert.Equal(t, int64(39), p.NodePoolMaxNodes)
	assert.Equal(t, int64(3), p.NodePoolMinNodes)
	// 3 workers (2·1000m/1000 + 1) × 2 threads; (58 + 15) · 6 + 1 + 3 = 442; +20 % = 531 (rounded up).
	assert.Equal(t, 3, p.GunicornWorkers)
	assert.Equal(t, int64(442), p.DBConnections)
	assert.Equal(t, int64(531), p.DBConnectionsNeeded)
	assert.Equal(t, 250, p.DBDefaultConnections)
	assert.Equal(t, 548, p.DBCeilingConnections) // 16384 · 67 % / 20 MiB
	assert.Equal(t, 548, p.DBMaxConnections, "the tier's ceiling, whatever the plan needs")
	// The autoscaled estimate costs less than running at peak all year.
	assert.Equal(t, -1, p.Autoscaled.YearlyUSD.Cmp(p.AtPeak.YearlyUSD))
	assert.Equal(t, "egress", p.Autoscaled.Dominant().Key, "egress dominates at 10k req/s")
	// The log exclusion saves the static share of request logs plus the probes' lines.
	assert.Equal(t, 1, p.Autoscaled.LoggingSavingUSD.Sign())
	noStatic := inputs()
	noStatic.StaticShare = r("0")
	q := compute(t, noStatic)
	assert.Equal(t, 1, p.Autoscaled.LoggingSavingUSD.Cmp(q.Autoscaled.LoggingSavingUSD), "excluding static lines saves more")
	assert.Equal(t, 1, q.Autoscaled.LoggingSavingUSD.Sign(), "health-check lines alone are worth excluding")
}

func TestZonalStackHasNoSpareZone(t *testing.T) {
	in := inputs()
	in.Zones, in.MinNodes, in.MinReplicas = 1, 1, 1
	p := compute(t, in)
	assert.Equal(t, int64(58+15+2)/3, p.NodePoolMaxNodes, "⌈73 / 3⌉ = 25 nodes, no N+1")
}

func TestPodsPerNodeFromMachines(t *testing.T) {
	tests := []struct {
		machine   string
		cpu, mem  int64
		disk      int
		want      int
		wantLimit string
	}{
		{"e2-standard-2", 250, 512, 100, 3, "cpu"},              // (1930 − 300) / 450 = 3.6
		{"e2-highcpu-16", 250, 512, 100, 18, "memory"},          // (13621 − 400) / 704 = 18.8; CPU would allow 34
		{"e2-standard-32", 100, 128, 200, 102, "pods per node"}, // 110 − 8 DaemonSet pods; CPU would allow 105
		// 100 GB × 43.8 % = 44851 MiB / 768 MiB per pod = 58.4; CPU would allow 105.
		{"e2-standard-32", 100, 128, 100, 58, "ephemeral storage"},
	}
	for _, tt := range tests {
		m := Machines[tt.machine]
		got, limit := PodsPerNode(GKEAllocatable(m.VCPU, m.MemoryGiB, tt.disk), AppPodRequests(tt.cpu, tt.mem))
		assert.Equal(t, tt.want, got, tt.machine)
		assert.Equal(t, tt.wantLimit, limit, tt.machine)
	}
	// GKE's documented example: a 4 vCPU node offers 3920m.
	assert.Equal(t, int64(3920), GKEAllocatable(4, 15, 100).CPUMilli)
	// 255 MiB below 1 GiB, then the tiers: 8 GiB → 25 % of 4 GiB + 20 % of 4 GiB = 1843.2 → 1844.
	assert.Equal(t, int64(8192-1844-100), GKEAllocatable(2, 8, 100).MemoryMiB)
	// The same page's example node: a 100 GB boot disk offers 47,060,071,478 bytes (44,880 MiB).
	assert.InDelta(t, 44880, GKEAllocatable(4, 16, 100).EphemeralMiB, 44880*0.001)
	// The pod the scheduler sees: gunicorn, nginx (with the static files it serves) and the proxy.
	assert.Equal(t, int64(64+256)+(64+256+64)+64, AppPodRequests(1000, 1024).EphemeralMiB)
}

func TestOverBudgetConnectionsNameTheNumbersAndTheFix(t *testing.T) {
	in := inputs()
	in.GunicornThreads = 4
	_, err := Compute(in)
	require.Error(t, err)
	var ps config.Problems
	require.ErrorAs(t, err, &ps)
	require.Len(t, ps, 1)
	assert.Equal(t, "django-gke:database.tier", ps[0].Path())
	assert.Contains(t, ps[0].Rule, "the plan needs 1056 connections (73 pods × 3 workers × 4 threads + 4, plus 20% margin)")
	assert.Contains(t, ps[0].Rule, "db-custom-4-16384 holds at most 548")
	assert.Contains(t, ps[0].Rule, "a bigger database.tier, fewer app.gunicornWorkers/gunicornThreads, or a connection pooler")

	in = inputs()
	in.SQLMaxConnections = 300
	_, err = Compute(in)
	require.ErrorAs(t, err, &ps)
	assert.Equal(t, "django-gke:database.maxConnections", ps[0].Path())
	assert.Equal(t, "300", ps[0].Value)
}

func TestConfiguredMaxNodesMustHoldThePlan(t *testing.T) {
	in := inputs()
	in.MaxNodes = 12
	_, err := Compute(in)
	var ps config.Problems
	require.ErrorAs(t, err, &ps)
	assert.Equal(t, "django-gke:cluster.maxNodes: 12 is not allowed: the plan needs 39 nodes (58 pods at peak + 15 surge, 3 per node, surviving the loss of a zone): set 0 to use the plan, or raise it", ps[0].String())

	in.MaxNodes = 50
	p := compute(t, in)
	assert.Equal(t, int64(50), p.NodePoolMaxNodes)
	assert.True(t, p.NodePoolMaxFromConfig)
}

func TestUnknownMachineAndTier(t *testing.T) {
	in := inputs()
	in.MachineType = "m3-ultramem-32"
	in.SQLTier = "db-perf-optimized-N-8"
	_, err := Compute(in)
	var ps config.Problems
	require.ErrorAs(t, err, &ps)
	require.Len(t, ps, 2)
	assert.Equal(t, "django-gke:cluster.machineType", ps[0].Path())
	assert.Contains(t, ps[0].Rule, "known: e2-highcpu-16,")
	assert.Equal(t, "django-gke:database.tier", ps[1].Path())
}

func TestPodThatFitsNowhere(t *testing.T) {
	in := inputs()
	in.MachineType, in.GunicornCPUMilli = "e2-standard-2", 4000
	_, err := Compute(in)
	var ps config.Problems
	require.ErrorAs(t, err, &ps)
	assert.Contains(t, ps[0].Rule, "one app pod (4200m CPU, 1216 MiB, 768 MiB ephemeral storage) does not fit on it")
}

// TestMoreTrafficNeverMeansLess is the model's monotonicity property: raising
// targetRps never lowers pods, nodes, HPA max, node-pool max or connections.
func TestMoreTrafficNeverMeansLess(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 2000; i++ {
		in := inputs()
		in.SQLTier = "db-custom-96-393216" // room for every connection count drawn here
		in.Zones = 1 + rng.Intn(4)
		in.PodTPS = big.NewRat(int64(1+rng.Intn(2000)), int64(1+rng.Intn(10)))
		in.Complexity = big.NewRat(int64(1+rng.Intn(30)), 10)
		a := big.NewRat(int64(1+rng.Intn(20000)), int64(1+rng.Intn(100)))
		b := new(big.Rat).Add(a, big.NewRat(int64(rng.Intn(5000)), int64(1+rng.Intn(100))))
		in.TargetRPS = a
		pa, errA := Compute(in)
		in.TargetRPS = b
		pb, errB := Compute(in)
		if errA != nil || errB != nil {
			// Only a connection budget may refuse, and then never for the smaller target alone.
			require.False(t, errA != nil && errB == nil, "a smaller target failed where a bigger one passed: %v", errA)
			continue
		}
		ctx := map[string]any{"a": a.RatString(), "b": b.RatString(), "tps": in.PodTPS.RatString(), "c": in.Complexity.RatString(), "zones": in.Zones}
		assert.LessOrEqual(t, pa.Seed.Pods, pb.Seed.Pods, ctx)
		assert.LessOrEqual(t, pa.Seed.Nodes, pb.Seed.Nodes, ctx)
		assert.LessOrEqual(t, pa.PodsAtPeak, pb.PodsAtPeak, ctx)
		assert.LessOrEqual(t, pa.HPAMaxReplicas, pb.HPAMaxReplicas, ctx)
		assert.LessOrEqual(t, pa.NodesAtPeak, pb.NodesAtPeak, ctx)
		assert.LessOrEqual(t, pa.NodePoolMaxNodes, pb.NodePoolMaxNodes, ctx)
		assert.LessOrEqual(t, pa.DBConnections, pb.DBConnections, ctx)
		assert.LessOrEqual(t, pa.Autoscaled.YearlyUSD.Cmp(pb.Autoscaled.YearlyUSD), 0, ctx)
	}
}

func TestEgressTiers(t *testing.T) {
	pr := resolved{}
	// 12 TiB a year = 1 TiB a month: all at tier 1 → 12 · 1024 · 0.12.
	assert.Equal(t, "1474.56", egressCost(r("12288"), pr).FloatString(2))
	// 240 TiB a year = 20 TiB a month: 1024·0.12 + 9216·0.11 + 10240·0.08 = 122.88 + 1013.76 + 819.2 = 1955.84 a month.
	assert.Equal(t, "23470.08", egressCost(r("245760"), pr).FloatString(2))
	pr.egressFlat = r("0.05")
	assert.Equal(t, "100.00", egressCost(r("2000"), pr).FloatString(2))
}

func TestNATBillsPerVMUpTo32ThenFlat(t *testing.T) {
	assert.Equal(t, "0.0014", natHourly(1).FloatString(4))
	assert.Equal(t, "0.0448", natHourly(32).FloatString(4), "32 × 0.0014")
	assert.Equal(t, "0.0440", natHourly(33).FloatString(4), "a gateway with more than 32 VMs: flat")
	assert.Equal(t, "0.0440", natHourly(500).FloatString(4))
}

func TestReports(t *testing.T) {
	p := compute(t, inputs())
	var js bytes.Buffer
	require.NoError(t, Write(&js, "prd", "prd", p, FormatJSON))
	var doc struct {
		Seed map[string]any `json:"seed"`
		Plan map[string]any `json:"plan"`
	}
	require.NoError(t, json.Unmarshal(js.Bytes(), &doc), js.String())
	assert.Equal(t, float64(40), doc.Seed["pods"])
	assert.Equal(t, float64(14), doc.Seed["nodes"])
	seedUsd, _ := p.Seed.YearlyUSD.Float64()
	assert.InDelta(t, seedUsd, doc.Seed["yearlyCostUsd"], 0.01)
	for _, k := range []string{"hpaMinReplicas", "hpaMaxReplicas", "nodePoolMaxNodes", "dbConnections", "yearlyCostUsd", "costPerMillionRequestsUsd", "lines"} {
		assert.Contains(t, doc.Plan, k)
	}
	assert.Equal(t, float64(58), doc.Plan["hpaMaxReplicas"])

	var md bytes.Buffer
	require.NoError(t, Write(&md, "prd", "prd", p, FormatMarkdown))
	assert.Contains(t, md.String(), "P  = ⌈targetRps / (TPS / C)⌉ = ⌈10000 / (250 / 1)⌉ = 40 pods")
	assert.Contains(t, md.String(), "NW = ⌈P / PW⌉ = ⌈40 / 3⌉ = 14 nodes")
	assert.Contains(t, md.String(), "| egress |")
	assert.Contains(t, md.String(), "Dominant term: egress")

	var table bytes.Buffer
	require.NoError(t, Write(&table, "prd", "prd", p, FormatTable))
	assert.True(t, strings.HasPrefix(table.String(), "Capacity plan for stack prd"))
	assert.Error(t, Write(&table, "prd", "prd", p, "xml"))
}

func TestStackDefaultsProduceValidPlans(t *testing.T) {
	for _, env := range config.Envs {
		values := map[string]string{config.KeyProject: "acme-django-x", config.Key("env"): string(env),
			config.Key("monitoring"): `{"alertEmail":"oncall@example.com"}`}
		c, err := config.Load(values)
		require.NoError(t, err)
		_, err = PlanFor(c)
		assert.NoError(t, err, env)
	}
}

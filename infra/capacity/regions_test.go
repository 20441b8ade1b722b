package capacity

import (
	"bytes"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func regionalInputs(shares ...string) RegionalInputs {
	names := []string{"us-central1", "europe-west1", "us-east4"}
	in := RegionalInputs{SurviveRegionLoss: true, WriteShare: r("0.01"), WALKBPerWrite: r("8"), CrossRegionKBPerWrite: r("16")}
	for i, s := range shares {
		in.Regions = append(in.Regions, RegionShare{Region: names[i], Share: r(s)})
	}
	return in
}

// TestCarriesAreNPlusOne: each region carries its share and the largest
// other share (what it takes over when that region is lost), capped at 1.
func TestCarriesAreNPlusOne(t *testing.T) {
	eq := func(want string, got *big.Rat) {
		assert.Equal(t, 0, r(want).Cmp(got), "want %s, got %s", want, got.RatString())
	}
	c := Carries(regionalInputs("0.6", "0.4"))
	eq("1", c[0]) // 0.6 + 0.4
	eq("1", c[1]) // 0.4 + 0.6
	c = Carries(regionalInputs("0.5", "0.3", "0.2"))
	eq("0.8", c[0]) // 0.5 + 0.3
	eq("0.8", c[1]) // 0.3 + 0.5
	eq("0.7", c[2]) // 0.2 + 0.5
	noSpare := regionalInputs("0.5", "0.3", "0.2")
	noSpare.SurviveRegionLoss = false
	c = Carries(noSpare)
	eq("0.5", c[0])
	eq("0.2", c[2])
}

// TestRegionalPlanHandWorked: three regions 0.5/0.3/0.2 of inputs() (10,000 req/s, 250 TPS, 0.7):
//
//	carries 0.8, 0.8, 0.7 → 8,000, 8,000, 7,000 req/s
//	pods = ⌈8000 / 175⌉ = 46, 46 and ⌈7000 / 175⌉ = 40; surge ⌈46/4⌉ = 12, 12, 10
//	the primary: every region but a lost one at its maximum, the most when the smallest
//	is lost → (46+12) + (46+12) = 116 pods × 6 + 4 = 700; +20 % = 840
func TestRegionalPlanHandWorked(t *testing.T) {
	in := inputs()
	in.SQLTier = "db-custom-8-32768"
	reg, err := ComputeRegional(in, regionalInputs("0.5", "0.3", "0.2"))
	require.NoError(t, err)
	require.Len(t, reg.Regions, 3)
	assert.True(t, reg.Regions[0].Primary)
	for i, want := range []int64{46, 46, 40} {
		assert.Equal(t, want, reg.Regions[i].Sizing.HPAMaxReplicas, reg.Regions[i].Region)
	}
	assert.Equal(t, int64(116*6+4), reg.PrimaryConnections)
	assert.Equal(t, int64(840), reg.PrimaryConnectionsNeeded)
	// Normal operation serves each share: 0.5 of the traffic needs ⌈5000/175⌉ = 29 pods.
	assert.Equal(t, int64(29), reg.Regions[0].Serving.PodsAtPeak)
	// What several regions add, and that nothing global is paid twice.
	lines := map[string]*big.Rat{}
	for _, l := range reg.Autoscaled.Lines {
		lines[l.Key] = l.YearlyUSD
	}
	one := map[string]*big.Rat{}
	for _, l := range reg.OneRegion.Autoscaled.Lines {
		one[l.Key] = l.YearlyUSD
	}
	for _, global := range []string{"database", "lb", "lbData", "egress", "logging", "domain"} {
		assert.Equal(t, 0, one[global].Cmp(lines[global]), "%s is paid once", global)
	}
	assert.Equal(t, 0, lines["cluster"].Cmp(mul(one["cluster"], rat(3))), "three cluster fees")
	for _, extra := range []string{"replicas", "replication", "crossRegion", "gateway"} {
		assert.Equal(t, 1, lines[extra].Sign(), "%s costs something", extra)
	}
	// Replication: writes × 8 KiB to two replicas, one in Europe (0.05/GiB), one in us-east4 (0.02/GiB).
	writes := mul(reg.OneRegion.Autoscaled.RequestsPerYr, r("0.01"))
	want := mul(writes, r("8"), big.NewRat(1, kibPerGib), r("0.07"))
	assert.Equal(t, 0, want.Cmp(lines["replication"]), "replication %s, want %s", lines["replication"].FloatString(2), want.FloatString(2))
	assert.Equal(t, 1, reg.Autoscaled.YearlyUSD.Cmp(reg.OneRegion.Autoscaled.YearlyUSD), "several regions cost more than one")

	var out bytes.Buffer
	WriteRegional(&out, reg, false)
	for _, s := range []string{"us-central1", "primary database", "read replica", "One region (us-central1) vs 3 regions", "per 1M requests", "multi-cluster Gateway"} {
		assert.Contains(t, out.String(), s)
	}
}

func TestPrimaryConnectionsBeyondTheTierNameTheFix(t *testing.T) {
	in := inputs() // db-custom-4-16384 holds 548
	_, err := ComputeRegional(in, regionalInputs("0.5", "0.3", "0.2"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "django-gke:database.tier")
	assert.Contains(t, err.Error(), "the primary needs 840 connections")
}

func TestInterRegionPrices(t *testing.T) {
	assert.Equal(t, InterRegionSameContinent, InterRegionPrice("us-central1", "us-east4"))
	assert.Equal(t, InterRegionIntercontinental, InterRegionPrice("us-central1", "europe-west1"))
}

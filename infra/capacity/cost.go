package capacity

import (
	"fmt"
	"math/big"
	"strings"
)

// ProbeRPSPerPod is the health traffic one pod gets: nginx's readiness probe
// every 5 s, gunicorn's liveness every 10 s, and the load balancer's health
// checkers (several probers, every 10 s) — about 0.6 requests a second.
var ProbeRPSPerPod = big.NewRat(3, 5)

// Units: sizes in KiB per request, prices per GiB; a month is 730 hours (8760 / 12).
const (
	hoursPerYear  = 365 * 24
	hoursPerMonth = hoursPerYear / 12
	kibPerGib     = 1 << 20
	gibPerTib     = 1 << 10
)

// resolved are the prices one stack pays, list prices or overrides.
type resolved struct {
	nodeHourly       *big.Rat // machine (spot-discounted) + boot disk; private nodes have no IP
	sqlInstances     int      // 2 with HA: Cloud SQL bills the standby like the primary
	sqlHourly        *big.Rat // one instance: compute + storage
	lbHourly         *big.Rat
	loggingPerGib    *big.Rat
	egressFlat       *big.Rat // nil: monthly tiers
	egressTier1      *big.Rat
	interZonePerGib  *big.Rat
	domainPerYear    *big.Rat
	spotDiscountNote string
	// cacheHourly is the Memorystore instance (0 without one); cacheDetail says how.
	cacheHourly *big.Rat
	cacheDetail string
}

func set(r *big.Rat) bool { return r != nil && r.Sign() > 0 }

func orList(override, list *big.Rat) *big.Rat {
	if set(override) {
		return new(big.Rat).Set(override)
	}
	return new(big.Rat).Set(list)
}

func resolvePrices(in Inputs, m Machine, tier SQLTier) resolved {
	p, o := Prices, in.Overrides
	var res resolved
	machine := new(big.Rat).Set(m.Hourly.USD)
	if in.Spot {
		machine.Mul(machine, p.SpotFactor.USD)
		res.spotDiscountNote = " (Spot)"
	}
	disk := mul(p.NodeDisk.USD, rat(int64(in.NodeDiskGB)), big.NewRat(1, hoursPerMonth))
	res.nodeHourly = add(machine, disk)
	if set(o.NodeUSDPerHour) { // the whole node: machine and disk
		res.nodeHourly = new(big.Rat).Set(o.NodeUSDPerHour)
		res.spotDiscountNote = " (override)"
	}

	res.sqlInstances = 1
	if in.SQLRegional {
		res.sqlInstances = 2
	}
	compute := new(big.Rat)
	switch {
	case tier.Shared && tier.MemoryMiB < 1024:
		compute.Set(p.SQLSharedF1.USD)
	case tier.Shared:
		compute.Set(p.SQLSharedG1.USD)
	default:
		compute = add(mul(p.SQLvCPU.USD, rat(int64(tier.VCPU))), mul(p.SQLMemoryGiB.USD, big.NewRat(int64(tier.MemoryMiB), 1024)))
	}
	storage := mul(p.SQLStorageGiB.USD, rat(int64(in.SQLDiskGB)), big.NewRat(1, hoursPerMonth))
	res.sqlHourly = orList(o.DatabaseUSDPerHour, add(compute, storage))

	res.lbHourly = orList(o.LoadBalancerUSDPerHour, p.LBForwardingRule.USD)
	res.loggingPerGib = orList(o.LoggingUSDPerGiB, p.LoggingIngest.USD)
	res.egressTier1 = orList(o.EgressUSDPerGiB, p.EgressTier1.USD)
	if set(o.EgressUSDPerGiB) {
		res.egressFlat = new(big.Rat).Set(o.EgressUSDPerGiB)
	}
	res.interZonePerGib = orList(o.InternalUSDPerGiB, p.InterZone.USD)
	res.cacheHourly = new(big.Rat)
	if c := in.Cache; c != nil {
		list := CachePrice(c.StandardHA, c.MemoryGB)
		perGB := orList(o.CacheUSDPerGBHour, list.USD)
		res.cacheHourly = mul(perGB, rat(int64(c.MemoryGB)))
		tier := "BASIC"
		if c.StandardHA {
			tier = "STANDARD_HA"
		}
		res.cacheDetail = fmt.Sprintf("%s %d GB × %s USD/GB-h", tier, c.MemoryGB, usd4(perGB))
	}
	res.domainPerYear = new(big.Rat)
	if in.HasDomain {
		res.domainPerYear = orList(o.DomainUSDPerYear, p.Domain.USD)
	}
	return res
}

// Data rates at a request rate, in GiB per second.
func egressGibPerSec(in Inputs, rps *big.Rat) *big.Rat {
	return mul(rps, in.AvgResponseKB, big.NewRat(1, kibPerGib))
}

func logGibPerSec(in Inputs, rps *big.Rat) *big.Rat {
	return mul(rps, in.AvgLogKB, big.NewRat(1, kibPerGib))
}

// interZoneGibPerSec: the database answers from one zone, so pods in the other
// zones ((Z−1)/Z of them) pull their query results across zones; the model
// takes a query result to be as large as the response it feeds.
func interZoneGibPerSec(in Inputs, rps *big.Rat, zones int) *big.Rat {
	return mul(egressGibPerSec(in, rps), big.NewRat(int64(zones-1), int64(zones)))
}

// seedCost is the seed's yearly formula, term by term:
// (NW·CW + ND·CD + CL + NDStack·CStack + NDExt·CExt + NDInt·CInt)·T + Domain.
func seedCost(in Inputs, p *Plan, pr resolved) (SeedRates, *big.Rat, []CostLine) {
	perSec := big.NewRat(1, 3600)
	r := SeedRates{
		CW:                      mul(pr.nodeHourly, perSec),
		CD:                      mul(pr.sqlHourly, perSec),
		CL:                      mul(pr.lbHourly, perSec),
		ND:                      pr.sqlInstances,
		NDStack:                 logGibPerSec(in, in.TargetRPS),
		NDExt:                   egressGibPerSec(in, in.TargetRPS),
		NDInt:                   interZoneGibPerSec(in, in.TargetRPS, p.Zones),
		CStack:                  pr.loggingPerGib,
		CExt:                    pr.egressTier1,
		CInt:                    pr.interZonePerGib,
		Domain:                  pr.domainPerYear,
		NodeExternalIPUSDPerSec: new(big.Rat),
	}
	t := rat(SecondsPerYear)
	lines := []CostLine{
		{"nodes", "nodes (NW·CW)", mul(rat(p.Seed.Nodes), r.CW, t), fmt.Sprintf("%d × %s USD/h%s", p.Seed.Nodes, usd4(pr.nodeHourly), pr.spotDiscountNote)},
		{"database", "database (ND·CD)", mul(rat(int64(r.ND)), r.CD, t), fmt.Sprintf("%d × %s USD/h", r.ND, usd4(pr.sqlHourly))},
		{"lb", "load balancer (CL)", mul(r.CL, t), fmt.Sprintf("%s USD/h", usd4(pr.lbHourly))},
		{"logging", "logging (NDStack·CStack)", mul(r.NDStack, r.CStack, t), fmt.Sprintf("%s GiB/s × %s USD/GiB", gib(r.NDStack), usd4(r.CStack))},
		{"egress", "egress (NDExt·CExt)", mul(r.NDExt, r.CExt, t), fmt.Sprintf("%s GiB/s × %s USD/GiB", gib(r.NDExt), usd4(r.CExt))},
		{"internal", "internal (NDInt·CInt)", mul(r.NDInt, r.CInt, t), fmt.Sprintf("%s GiB/s × %s USD/GiB", gib(r.NDInt), usd4(r.CInt))},
		{"domain", "domain", new(big.Rat).Set(r.Domain), "per year"},
	}
	if in.Cache != nil {
		lines = append(lines, cacheLine(pr))
	}
	return r, sum(lines), lines
}

// usage is what the workload uses in a year: pods and nodes at peak and off
// peak, requests, and the bytes out, logged and between zones. Autoscaled,
// PeakHoursPerDay run at targetRps and the rest at OffPeakFraction of it;
// otherwise the whole year runs at peak.
type usage struct {
	peakHours, offHours, offRps *big.Rat
	pods, offPods               int64
	nodes, offNodes             int64
	requests, egressGib         *big.Rat
	logGib, interZoneGib        *big.Rat
}

func usageOf(in Inputs, p *Plan, autoscaled bool) usage {
	u := usage{peakHours: rat(hoursPerYear), offHours: new(big.Rat), offRps: new(big.Rat),
		pods: p.PodsAtPeak, offPods: p.PodsAtPeak, nodes: p.NodesAtPeak, offNodes: p.NodesAtPeak}
	if autoscaled {
		u.peakHours = mul(in.PeakHoursPerDay, rat(365))
		u.offHours = sub(rat(hoursPerYear), u.peakHours)
		u.offRps = mul(in.TargetRPS, in.OffPeakFraction)
		u.offPods = max(podsFor(in, u.offRps), p.HPAMinReplicas)
		u.offNodes = max(p.NodesAtFloor, NodesSpread(u.offPods, int64(p.Zones), int64(p.PodsPerNode)))
	}
	u.requests = u.year(in.TargetRPS, u.offRps)
	u.egressGib = u.year(egressGibPerSec(in, in.TargetRPS), egressGibPerSec(in, u.offRps))
	u.logGib = mul(u.year(logGibPerSec(in, in.TargetRPS), logGibPerSec(in, u.offRps)), sub(rat(1), in.StaticShare))
	u.interZoneGib = u.year(interZoneGibPerSec(in, in.TargetRPS, p.Zones), interZoneGibPerSec(in, u.offRps, p.Zones))
	return u
}

// year is a per-second rate at peak and off peak, over the year.
func (u usage) year(atPeak, offPeak *big.Rat) *big.Rat {
	return add(mul(atPeak, u.peakHours, rat(3600)), mul(offPeak, u.offHours, rat(3600)))
}

// hours are pods (or nodes) at peak for the peak hours and off peak the rest.
func (u usage) hours(atPeak, offPeak int64) *big.Rat {
	return add(mul(rat(atPeak), u.peakHours), mul(rat(offPeak), u.offHours))
}

// estimate is the plan's yearly cost: always at peak, or autoscaled over a day
// of PeakHoursPerDay at targetRps and the rest at OffPeakFraction of it.
func estimate(in Inputs, p *Plan, pr resolved, autoscaled bool) Estimate {
	u := usageOf(in, p, autoscaled)
	peakHours, offHours, offNodes, requests := u.peakHours, u.offHours, u.offNodes, u.requests
	nodeHours := u.hours(p.NodesAtPeak, offNodes)
	egressGib, logGib, interZoneGib := u.egressGib, u.logGib, u.interZoneGib
	// Logs: every request's lines, minus what the exclusion drops (static files and
	// health checks); the probes' lines are what the exclusion saves on top.
	allRequestLogGib := u.year(logGibPerSec(in, in.TargetRPS), logGibPerSec(in, u.offRps))
	probeLogGib := u.year(logGibPerSec(in, mul(rat(p.PodsAtPeak), ProbeRPSPerPod)), logGibPerSec(in, mul(rat(u.offPods), ProbeRPSPerPod)))
	freeLogGib := mul(Prices.LoggingFreeGiB.USD, rat(12))
	loggingCost := func(ingested *big.Rat) *big.Rat {
		billed := sub(ingested, freeLogGib)
		if billed.Sign() < 0 {
			return new(big.Rat)
		}
		return mul(billed, pr.loggingPerGib)
	}
	withoutExclusion := loggingCost(add(allRequestLogGib, probeLogGib))

	nodeDetail := fmt.Sprintf("%d nodes all year × %s USD/h%s", p.NodesAtPeak, usd4(pr.nodeHourly), pr.spotDiscountNote)
	if autoscaled {
		nodeDetail = fmt.Sprintf("%d nodes %sh/day, %d nodes the rest × %s USD/h%s", p.NodesAtPeak,
			in.PeakHoursPerDay.FloatString(1), offNodes, usd4(pr.nodeHourly), pr.spotDiscountNote)
	}
	lines := []CostLine{
		{"nodes", "nodes", mul(nodeHours, pr.nodeHourly), nodeDetail},
		{"cluster", "GKE cluster fee", mul(rat(hoursPerYear), Prices.GKEClusterFee.USD), fmt.Sprintf("1 cluster × %s USD/h", usd4(Prices.GKEClusterFee.USD))},
		{"nat", "Cloud NAT", add(mul(natHourly(p.NodesAtPeak), peakHours), mul(natHourly(offNodes), offHours)), "per VM-hour"},
		{"database", "database", mul(rat(int64(pr.sqlInstances)), pr.sqlHourly, rat(hoursPerYear)),
			fmt.Sprintf("%d × %s USD/h (compute + storage)", pr.sqlInstances, usd4(pr.sqlHourly))},
		{"lb", "load balancer rule", mul(pr.lbHourly, rat(hoursPerYear)), fmt.Sprintf("%s USD/h", usd4(pr.lbHourly))},
		{"lbData", "load balancer data", mul(egressGib, Prices.LBDataProcessed.USD), fmt.Sprintf("%s GiB × %s USD/GiB", gib(egressGib), usd4(Prices.LBDataProcessed.USD))},
		{"egress", "egress", egressCost(egressGib, pr), fmt.Sprintf("%s GiB/year, %s", gib(egressGib), egressNote(pr))},
		{"internal", "inter-zone traffic", mul(interZoneGib, pr.interZonePerGib), fmt.Sprintf("%s GiB × %s USD/GiB", gib(interZoneGib), usd4(pr.interZonePerGib))},
		{"logging", "logging", loggingCost(logGib), fmt.Sprintf("%s GiB/year after the exclusion, %s free × %s USD/GiB", gib(logGib), decimal(freeLogGib), usd4(pr.loggingPerGib))},
		{"domain", "domain", new(big.Rat).Set(pr.domainPerYear), "per year"},
	}
	if in.Cache != nil {
		lines = append(lines, cacheLine(pr))
	}
	e := newEstimate(lines, requests)
	e.LoggingSavingUSD = sub(withoutExclusion, loggingCost(logGib))
	return e
}

// newEstimate totals lines, and per 1M of requests.
func newEstimate(lines []CostLine, requests *big.Rat) Estimate {
	total := sum(lines)
	perMillion := new(big.Rat)
	if requests.Sign() > 0 {
		perMillion = new(big.Rat).Quo(total, new(big.Rat).Quo(requests, rat(1_000_000)))
	}
	return Estimate{Lines: lines, YearlyUSD: total, RequestsPerYr: requests, CostPerMillion: perMillion}
}

// cacheLine is the Memorystore instance, billed every hour of the year for
// its provisioned memory (used or not).
func cacheLine(pr resolved) CostLine {
	return CostLine{"cache", "cache (Memorystore)", mul(pr.cacheHourly, rat(hoursPerYear)), pr.cacheDetail}
}

// natHourly is Cloud NAT's hourly charge for a gateway serving nodes VMs.
func natHourly(nodes int64) *big.Rat {
	if nodes > NATPerVMUpTo {
		return Prices.NATGateway.USD
	}
	return mul(rat(nodes), Prices.NATPerVM.USD)
}

// egressCost bills a year's egress month by month through the volume tiers.
func egressCost(yearGib *big.Rat, pr resolved) *big.Rat {
	if pr.egressFlat != nil {
		return mul(yearGib, pr.egressFlat)
	}
	month := new(big.Rat).Quo(yearGib, rat(12))
	tiers := []struct {
		upToTib int64 // -1: no limit
		price   *big.Rat
	}{{1, Prices.EgressTier1.USD}, {10, Prices.EgressTier2.USD}, {-1, Prices.EgressTier3.USD}}
	cost, billed := new(big.Rat), new(big.Rat)
	for _, t := range tiers {
		chunk := sub(month, billed)
		if t.upToTib >= 0 {
			limit := sub(rat(t.upToTib*gibPerTib), billed)
			if chunk.Cmp(limit) > 0 {
				chunk = limit
			}
		}
		if chunk.Sign() <= 0 {
			break
		}
		cost.Add(cost, mul(chunk, t.price))
		billed.Add(billed, chunk)
	}
	return mul(cost, rat(12))
}

func egressNote(pr resolved) string {
	if pr.egressFlat != nil {
		return "flat " + usd4(pr.egressFlat) + " USD/GiB (override)"
	}
	return fmt.Sprintf("monthly tiers %s / %s / %s USD/GiB",
		usd4(Prices.EgressTier1.USD), usd4(Prices.EgressTier2.USD), usd4(Prices.EgressTier3.USD))
}

// Dominant returns the largest line of an estimate.
func (e Estimate) Dominant() CostLine {
	var best CostLine
	for _, l := range e.Lines {
		if best.YearlyUSD == nil || l.YearlyUSD.Cmp(best.YearlyUSD) > 0 {
			best = l
		}
	}
	return best
}

func rat(n int64) *big.Rat { return new(big.Rat).SetInt64(n) }

func mul(xs ...*big.Rat) *big.Rat {
	out := big.NewRat(1, 1)
	for _, x := range xs {
		out.Mul(out, x)
	}
	return out
}

func add(xs ...*big.Rat) *big.Rat {
	out := new(big.Rat)
	for _, x := range xs {
		out.Add(out, x)
	}
	return out
}

func sub(a, b *big.Rat) *big.Rat { return new(big.Rat).Sub(a, b) }

func sum(lines []CostLine) *big.Rat {
	out := new(big.Rat)
	for _, l := range lines {
		out.Add(out, l.YearlyUSD)
	}
	return out
}

func usd4(r *big.Rat) string { return trim(r.FloatString(4)) }

func gib(r *big.Rat) string {
	f, _ := r.Float64()
	if f >= 100 {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprintf("%.3g", f)
}

// trim drops trailing zeros of a decimal string ("0.0670" → "0.067").
func trim(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	for len(s) > 0 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if len(s) > 0 && s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

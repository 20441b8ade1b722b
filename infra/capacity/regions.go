package capacity

import (
	"encoding/json"
	"fmt"
	"io"
	"math/big"

	"django-gke/infra/config"
)

// Inter-region prices (VPC data transfer between Google Cloud regions).
// Remembered from the page, not re-read (it could not be reached from the
// build machine), like the Memorystore and multi-cluster Gateway prices:
// override them with django-gke:cost.
var (
	// InterRegionSameContinent is data between two regions of one continent.
	InterRegionSameContinent = price("0.02", "USD/GiB (regions on one continent)", srcInternal)
	// InterRegionIntercontinental is data between continents (e.g. North America ↔ Europe).
	InterRegionIntercontinental = price("0.05", "USD/GiB (between continents)", srcInternal)
	// MultiClusterGatewayPod is the multi-cluster Gateway's charge per backend
	// pod without a GKE Enterprise subscription (about 3 USD a pod-month).
	MultiClusterGatewayPod = price("0.0041096", "USD/backend pod-hour", "https://cloud.google.com/kubernetes-engine/pricing#multi-cluster-gateway")
)

// RegionShare is one serving region and the share of targetRps its users send.
type RegionShare struct {
	Region string
	Share  *big.Rat
}

// RegionalInputs are django-gke:regions for the model.
type RegionalInputs struct {
	// Regions in order: the first holds the primary database.
	Regions           []RegionShare
	SurviveRegionLoss bool
	// WriteShare of requests write; each writes WALKBPerWrite of WAL (sent to
	// every replica) and, from a replica region, CrossRegionKBPerWrite to and
	// from the primary.
	WriteShare, WALKBPerWrite, CrossRegionKBPerWrite *big.Rat
}

// RegionalInputsFrom maps django-gke:regions (nil without a regions list).
func RegionalInputsFrom(c *config.Config) *RegionalInputs {
	if !c.MultiRegion() {
		return nil
	}
	r := c.Regions
	out := &RegionalInputs{SurviveRegionLoss: r.SurviveRegionLoss, WriteShare: r.WriteShare.Rat(),
		WALKBPerWrite: r.WALKBPerWrite.Rat(), CrossRegionKBPerWrite: r.CrossRegionKBPerWrite.Rat()}
	for _, reg := range r.List {
		out.Regions = append(out.Regions, RegionShare{Region: reg.Region, Share: reg.TrafficShare.Rat()})
	}
	return out
}

// RegionPlan is one region's part of a multi-region plan.
type RegionPlan struct {
	Region  string
	Primary bool
	// Share is the traffic the region serves normally; Carry what it must
	// serve when another region is lost (Share + the largest other share,
	// with surviveRegionLoss; else Share).
	Share, Carry *big.Rat
	// Sizing is the plan at Carry × targetRps: it sizes the region's HPA,
	// node pool and connections.
	Sizing *Plan
	// Serving is the plan at Share × targetRps: what the region costs normally.
	Serving *Plan
}

// Regional is the multi-region plan: every region sized, the primary
// database's connection budget, and the yearly cost beside one region's.
type Regional struct {
	Inputs  RegionalInputs
	Regions []RegionPlan
	// OneRegion is the same stack in its first region alone (regions.list empty).
	OneRegion *Plan
	// PrimaryConnections are the connections the primary must hold: every
	// region's pods write there, and the most that can run at once are all
	// regions but the lost one at their maximum.
	PrimaryConnections       int64
	PrimaryConnectionsNeeded int64
	// DBMaxConnections is the max_connections flag of the primary and of
	// every replica (a hot standby needs at least the primary's).
	DBMaxConnections int
	Autoscaled       Estimate
}

// Carries is each region's share plus, with surviveRegionLoss, the largest
// share of another region: the traffic it takes over when that region is lost.
func Carries(in RegionalInputs) []*big.Rat {
	out := make([]*big.Rat, len(in.Regions))
	for i, r := range in.Regions {
		out[i] = new(big.Rat).Set(r.Share)
		if !in.SurviveRegionLoss {
			continue
		}
		largest := new(big.Rat)
		for j, o := range in.Regions {
			if j != i && o.Share.Cmp(largest) > 0 {
				largest.Set(o.Share)
			}
		}
		out[i].Add(out[i], largest)
		if out[i].Cmp(rat(1)) > 0 {
			out[i].SetInt64(1)
		}
	}
	return out
}

// RegionalPlanFor is the multi-region plan of a validated configuration (nil without regions.list).
func RegionalPlanFor(c *config.Config) (*Regional, error) {
	r := RegionalInputsFrom(c)
	if r == nil {
		return nil, nil
	}
	return ComputeRegional(InputsFrom(c), *r)
}

// ComputeRegional sizes and prices a multi-region stack from the one-region
// inputs (targetRps is the whole world's) and the regions.
func ComputeRegional(in Inputs, r RegionalInputs) (*Regional, error) {
	one, err := Compute(in)
	if err != nil {
		return nil, err
	}
	out := &Regional{Inputs: r, OneRegion: one}
	carries := Carries(r)
	var pods []int64
	for i, reg := range r.Regions {
		sizingIn, servingIn := in, in
		sizingIn.TargetRPS = mul(in.TargetRPS, carries[i])
		servingIn.TargetRPS = mul(in.TargetRPS, reg.Share)
		sizing, err := Compute(sizingIn)
		if err != nil {
			return nil, err
		}
		serving, err := Compute(servingIn)
		if err != nil {
			return nil, err
		}
		out.Regions = append(out.Regions, RegionPlan{Region: reg.Region, Primary: i == 0, Share: reg.Share,
			Carry: carries[i], Sizing: sizing, Serving: serving})
		pods = append(pods, sizing.HPAMaxReplicas+sizing.SurgePods)
	}

	// The primary's connections: all regions but the lost one at their maximum.
	var most int64
	for lost := range pods {
		var running int64
		for i, p := range pods {
			if i != lost || !r.SurviveRegionLoss {
				running += p
			}
		}
		most = max(most, running)
	}
	out.PrimaryConnections = most*int64(one.ConnectionsPerPod) + MigrationConnections + ReservedConnections
	out.PrimaryConnectionsNeeded = ceilDiv(out.PrimaryConnections*(100+ConnectionMarginPercent), 100)
	out.DBMaxConnections = one.DBMaxConnections
	if in.SQLMaxConnections == 0 && out.PrimaryConnectionsNeeded > int64(one.DBCeilingConnections) ||
		in.SQLMaxConnections > 0 && out.PrimaryConnectionsNeeded > int64(in.SQLMaxConnections) {
		return nil, config.Problems{{Key: config.Key("database"), Field: "tier", Value: fmt.Sprintf("%q", in.SQLTier),
			Rule: fmt.Sprintf("the primary needs %d connections (the pods of every region but a lost one, %d, × %d per pod + %d, plus %d%% margin) but max_connections is %d: use a bigger tier or a connection pooler",
				out.PrimaryConnectionsNeeded, most, one.ConnectionsPerPod, MigrationConnections+ReservedConnections, ConnectionMarginPercent, one.DBMaxConnections)}}
	}
	out.Autoscaled = regionalEstimate(in, out)
	return out, nil
}

// InterRegionPrice is the price of a GiB between two regions.
func InterRegionPrice(a, b string) Price {
	if config.Continent(a) == config.Continent(b) {
		return InterRegionSameContinent
	}
	return InterRegionIntercontinental
}

// regionalEstimate is the autoscaled yearly cost: every region's nodes,
// cluster, NAT and inter-zone traffic at its normal share; the global terms
// (primary database, load balancer, internet egress, logging, domain) once,
// as one region pays them; and what several regions add: the replicas, the
// replication stream, the replica regions' writes to the primary, and the
// multi-cluster Gateway's per-pod charge.
func regionalEstimate(in Inputs, r *Regional) Estimate {
	one := r.OneRegion
	perRegion := map[string]bool{"nodes": true, "cluster": true, "nat": true, "internal": true}
	totals := map[string]*big.Rat{}
	details := map[string]string{}
	podHours := new(big.Rat)
	for _, reg := range r.Regions {
		s := reg.Serving
		for _, l := range s.Autoscaled.Lines {
			if perRegion[l.Key] {
				if totals[l.Key] == nil {
					totals[l.Key] = new(big.Rat)
				}
				totals[l.Key].Add(totals[l.Key], l.YearlyUSD)
			}
		}
		u := usageOf(s.Inputs, s, true)
		podHours.Add(podHours, u.hours(u.pods, u.offPods))
	}
	n := int64(len(r.Regions))
	details["nodes"] = fmt.Sprintf("%d regions at their normal share, autoscaled", n)
	details["cluster"] = fmt.Sprintf("%d clusters × %s USD/h", n, usd4(Prices.GKEClusterFee.USD))
	details["nat"] = fmt.Sprintf("one gateway per region, %d regions", n)
	details["internal"] = "inter-zone traffic inside each region"

	var lines []CostLine
	for _, l := range one.Autoscaled.Lines {
		if perRegion[l.Key] {
			lines = append(lines, CostLine{l.Key, l.Name, totals[l.Key], details[l.Key]})
			continue
		}
		lines = append(lines, l)
	}
	tier, _ := ParseSQLTier(in.SQLTier)
	pr := resolvePrices(in, Machines[in.MachineType], tier)
	requests := one.Autoscaled.RequestsPerYr
	writes := mul(requests, r.Inputs.WriteShare)
	primary := r.Regions[0].Region
	replication, crossRegion := new(big.Rat), new(big.Rat)
	for _, reg := range r.Regions[1:] {
		perGib := InterRegionPrice(primary, reg.Region).USD
		replication.Add(replication, mul(writes, r.Inputs.WALKBPerWrite, big.NewRat(1, kibPerGib), perGib))
		crossRegion.Add(crossRegion, mul(writes, reg.Share, r.Inputs.CrossRegionKBPerWrite, big.NewRat(1, kibPerGib), perGib))
	}
	lines = append(lines,
		CostLine{"replicas", "read replicas", mul(rat(n-1), pr.sqlHourly, rat(hoursPerYear)),
			fmt.Sprintf("%d × %s USD/h (ZONAL, the primary's tier)", n-1, usd4(pr.sqlHourly))},
		CostLine{"replication", "cross-region replication", replication,
			fmt.Sprintf("%s writes/year × %s KiB of WAL to each replica", g(writes), decimal(r.Inputs.WALKBPerWrite))},
		CostLine{"crossRegion", "writes to the primary", crossRegion,
			fmt.Sprintf("the replica regions' writes × %s KiB each way", decimal(r.Inputs.CrossRegionKBPerWrite))},
		CostLine{"gateway", "multi-cluster Gateway", mul(podHours, MultiClusterGatewayPod.USD),
			fmt.Sprintf("%s backend pod-hours × %s USD", g(podHours), MultiClusterGatewayPod.USD.FloatString(7))},
	)
	e := newEstimate(lines, requests)
	e.LoggingSavingUSD = one.Autoscaled.LoggingSavingUSD
	return e
}

// WriteRegional renders the multi-region plan: each region's sizing, then
// the stack in one region beside the same stack in every region, yearly and
// per 1M requests (table or markdown; JSON is RegionalJSON).
func WriteRegional(w io.Writer, r *Regional, markdown bool) {
	h := "Several regions"
	if markdown {
		h = "#### " + h
	}
	fmt.Fprintf(w, "\n%s\n\n", h)
	rows := [][]string{{"region", "share", "carries", "pods at peak (HPA max)", "node pool max", "nodes, normal peak", "connections", "role"}}
	for _, reg := range r.Regions {
		role := "read replica"
		if reg.Primary {
			role = "primary database"
		}
		rows = append(rows, []string{reg.Region, decimal(reg.Share), decimal(reg.Carry),
			fmt.Sprint(reg.Sizing.HPAMaxReplicas), fmt.Sprint(reg.Sizing.NodePoolMaxNodes),
			fmt.Sprint(reg.Serving.NodesAtPeak), fmt.Sprint(reg.Sizing.DBConnectionsNeeded), role})
	}
	table(w, rows, markdown)
	fmt.Fprintf(w, "\nThe primary holds %d connections with margin (%d without: every region but a lost one at its maximum); max_connections %d on the primary and every replica.\n",
		r.PrimaryConnectionsNeeded, r.PrimaryConnections, r.DBMaxConnections)
	one, many := r.OneRegion.Autoscaled, r.Autoscaled
	fmt.Fprintf(w, "\nOne region (%s) vs %d regions, autoscaled, USD a year:\n\n", r.Regions[0].Region, len(r.Regions))
	rows = [][]string{{"cost", "one region", "regions", "difference"}}
	byKey := map[string]*big.Rat{}
	for _, l := range one.Lines {
		byKey[l.Key] = l.YearlyUSD
	}
	for _, l := range many.Lines {
		base := byKey[l.Key]
		if base == nil {
			base = new(big.Rat)
		}
		rows = append(rows, []string{l.Name, dollars(base), dollars(l.YearlyUSD), dollars(sub(l.YearlyUSD, base))})
	}
	rows = append(rows,
		[]string{"total a year", dollars(one.YearlyUSD), dollars(many.YearlyUSD), dollars(sub(many.YearlyUSD, one.YearlyUSD))},
		[]string{"per 1M requests", cents(one.CostPerMillion), cents(many.CostPerMillion), cents(sub(many.CostPerMillion, one.CostPerMillion))})
	table(w, rows, markdown)
	fmt.Fprintf(w, "\nInter-region data: %s within a continent, %s between continents (remembered list prices; override with django-gke:cost).\n",
		InterRegionSameContinent.USD.FloatString(2)+" USD/GiB", InterRegionIntercontinental.USD.FloatString(2)+" USD/GiB")
}

// RegionalJSON is the multi-region part of the JSON report.
func RegionalJSON(r *Regional) map[string]any {
	money := func(x *big.Rat) json.Number { return json.Number(x.FloatString(2)) }
	var regions []map[string]any
	for _, reg := range r.Regions {
		regions = append(regions, map[string]any{
			"region": reg.Region, "primary": reg.Primary,
			"share": json.Number(decimal(reg.Share)), "carry": json.Number(decimal(reg.Carry)),
			"hpaMaxReplicas": reg.Sizing.HPAMaxReplicas, "nodePoolMaxNodes": reg.Sizing.NodePoolMaxNodes,
			"nodePoolMinNodes": reg.Sizing.NodePoolMinNodes, "nodesAtPeak": reg.Serving.NodesAtPeak,
			"dbConnectionsWithMargin": reg.Sizing.DBConnectionsNeeded,
		})
	}
	return map[string]any{
		"regions": regions, "primaryConnectionsWithMargin": r.PrimaryConnectionsNeeded, "dbMaxConnections": r.DBMaxConnections,
		"yearlyCostUsd": money(r.Autoscaled.YearlyUSD), "oneRegionYearlyCostUsd": money(r.OneRegion.Autoscaled.YearlyUSD),
		"costPerMillionRequestsUsd": json.Number(r.Autoscaled.CostPerMillion.FloatString(4)),
		"lines":                     r.Autoscaled.Lines,
	}
}

package capacity

import (
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"strings"
)

// Report formats.
const (
	FormatTable    = "table"
	FormatMarkdown = "markdown"
	FormatJSON     = "json"
)

// Formats lists the formats Write accepts.
var Formats = []string{FormatTable, FormatMarkdown, FormatJSON}

// Write renders the plan of a stack in one of Formats.
func Write(w io.Writer, stack, env string, p *Plan, format string) error {
	switch format {
	case FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(p.JSON(stack, env))
	case FormatTable, FormatMarkdown:
		writeText(w, stack, env, p, format == FormatMarkdown)
		return nil
	}
	return fmt.Errorf("format %q is not allowed: must be one of %s", format, strings.Join(Formats, ", "))
}

// JSON is the machine-readable plan.
func (p *Plan) JSON(stack, env string) map[string]any {
	in := p.Inputs
	money := func(r *big.Rat) json.Number { return json.Number(r.FloatString(2)) }
	return map[string]any{
		"stack": stack, "env": env, "pricesAsOf": PricesAsOf, "region": "us-central1 list prices",
		"inputs": map[string]any{
			"podTpsSource": in.PodTPSSource,
			"targetRps":    json.Number(decimal(in.TargetRPS)), "podTps": json.Number(decimal(in.PodTPS)),
			"servedPodTps": json.Number(decimal(in.ServedTPS())),
			"complexity":   json.Number(decimal(in.Complexity)), "targetUtilization": json.Number(decimal(in.TargetUtilization)),
			"zones": p.Zones, "machineType": in.MachineType, "spot": in.Spot, "sqlTier": in.SQLTier, "sqlRegional": in.SQLRegional,
			"podCpuMilli": p.PodRequests.CPUMilli, "podMemoryMiB": p.PodRequests.MemoryMiB, "podEphemeralStorageMiB": p.PodRequests.EphemeralMiB,
			"nodeDiskGb":      in.NodeDiskGB,
			"peakHoursPerDay": json.Number(decimal(in.PeakHoursPerDay)), "offPeakFraction": json.Number(decimal(in.OffPeakFraction)),
		},
		"seed": map[string]any{
			"pods": p.Seed.Pods, "podsPerNode": p.Seed.PodsPerNode, "nodes": p.Seed.Nodes,
			"yearlyCostUsd": money(p.Seed.YearlyUSD), "lines": p.Seed.Lines,
		},
		"plan": map[string]any{
			"podsAtPeak": p.PodsAtPeak, "hpaMinReplicas": p.HPAMinReplicas, "hpaMaxReplicas": p.HPAMaxReplicas,
			"surgePods": p.SurgePods, "podsPerNode": p.PodsPerNode, "podsPerNodeLimit": p.PodsPerNodeLimit,
			"nodesAtPeak": p.NodesAtPeak, "nodesAtFloor": p.NodesAtFloor,
			"nodePoolMinNodes": p.NodePoolMinNodes, "nodePoolMaxNodes": p.NodePoolMaxNodes,
			"gunicornWorkers": p.GunicornWorkers, "gunicornThreads": p.GunicornThreads,
			"dbConnections": p.DBConnections, "dbConnectionsWithMargin": p.DBConnectionsNeeded,
			"dbMaxConnections": p.DBMaxConnections,
			"yearlyCostUsd":    money(p.Autoscaled.YearlyUSD), "atPeakYearlyCostUsd": money(p.AtPeak.YearlyUSD),
			"costPerMillionRequestsUsd": json.Number(p.Autoscaled.CostPerMillion.FloatString(4)),
			"requestsPerYear":           json.Number(p.Autoscaled.RequestsPerYr.FloatString(0)),
			"dominantCost":              p.Autoscaled.Dominant().Key,
			"loggingExclusionSavingUsd": money(p.Autoscaled.LoggingSavingUSD),
			"lines":                     p.Autoscaled.Lines, "atPeakLines": p.AtPeak.Lines,
		},
		"cache": cacheJSON(p),
	}
}

// cacheJSON is the cache's part of the JSON report (null without a cache).
func cacheJSON(p *Plan) any {
	c := p.Inputs.Cache
	if c == nil {
		return nil
	}
	out := map[string]any{
		"hitRatio": json.Number(decimal(c.HitRatio)), "hitRatioSource": c.HitRatioSource,
		"hitPodTps": json.Number(decimal(c.HitPodTPS)), "servedPodTps": json.Number(decimal(p.Inputs.ServedTPS())),
		"standardHa": c.StandardHA, "memoryGb": c.MemoryGB,
	}
	if p.WithoutCacheErr != nil {
		out["withoutCacheError"] = p.WithoutCacheErr.Error()
		return out
	}
	wo := p.WithoutCache
	out["withoutCache"] = map[string]any{
		"podsAtPeak": wo.PodsAtPeak, "hpaMaxReplicas": wo.HPAMaxReplicas, "nodesAtPeak": wo.NodesAtPeak,
		"nodePoolMaxNodes": wo.NodePoolMaxNodes, "dbConnectionsWithMargin": wo.DBConnectionsNeeded,
		"yearlyCostUsd":             json.Number(wo.Autoscaled.YearlyUSD.FloatString(2)),
		"costPerMillionRequestsUsd": json.Number(wo.Autoscaled.CostPerMillion.FloatString(4)),
	}
	return out
}

func writeText(w io.Writer, stack, env string, p *Plan, markdown bool) {
	in := p.Inputs
	m := Machines[in.MachineType]
	h := func(s string) {
		if markdown {
			fmt.Fprintf(w, "\n#### %s\n\n", s)
		} else {
			fmt.Fprintf(w, "\n%s\n%s\n", s, strings.Repeat("─", len([]rune(s))))
		}
	}
	pre := func(lines ...string) {
		if markdown {
			fmt.Fprintln(w, "```")
		}
		for _, l := range lines {
			fmt.Fprintln(w, l)
		}
		if markdown {
			fmt.Fprintln(w, "```")
		}
	}
	if markdown {
		fmt.Fprintf(w, "### Capacity plan: stack `%s` (env %s)\n\nGCP list prices, us-central1, as of %s (sources in `infra/capacity/prices.go`).\n", stack, env, PricesAsOf)
	} else {
		fmt.Fprintf(w, "Capacity plan for stack %s (env %s). GCP list prices, us-central1, as of %s.\n", stack, env, PricesAsOf)
	}

	h("Inputs")
	spot := ""
	if in.Spot {
		spot = ", Spot"
	}
	availability := "ZONAL"
	if in.SQLRegional {
		availability = "REGIONAL (HA)"
	}
	pre(
		fmt.Sprintf("targetRps %s · podTps (TPS) %s · complexity (C) %s · targetUtilization %s · zones %d",
			decimal(in.TargetRPS), decimal(in.PodTPS), decimal(in.Complexity), decimal(in.TargetUtilization), p.Zones),
		fmt.Sprintf("nodes %s (%d vCPU, %d GiB%s, %d GB boot disk) · app pod requests %dm CPU / %d MiB / %d MiB ephemeral storage",
			in.MachineType, m.VCPU, m.MemoryGiB, spot, in.NodeDiskGB, p.PodRequests.CPUMilli, p.PodRequests.MemoryMiB, p.PodRequests.EphemeralMiB),
		fmt.Sprintf("  (gunicorn %dm/%d MiB/%d MiB + nginx %dm/%d MiB/%d MiB + cloud-sql-proxy %dm/%d MiB/%d MiB)",
			in.GunicornCPUMilli, in.GunicornMemoryMiB, GunicornEphemeralMiB, NginxCPUMilli, NginxMemoryMiB, NginxEphemeralMiB,
			ProxyCPUMilli, ProxyMemoryMiB, ProxyEphemeralMiB),
		fmt.Sprintf("database %s %s · gunicorn %d workers × %d threads · traffic: %s h/day at peak, %s of it the rest",
			in.SQLTier, availability, p.GunicornWorkers, p.GunicornThreads, decimal(in.PeakHoursPerDay), decimal(in.OffPeakFraction)),
		"TPS: "+orDash(in.PodTPSSource),
	)
	if c := in.Cache; c != nil {
		pre(cacheLines(in)...)
	}

	h("The seed's method")
	r := p.Seed.Rates
	pwSource := fmt.Sprintf("from %s: allocatable %dm / %d MiB / %d MiB disk minus DaemonSets %dm / %d MiB, limited by %s",
		in.MachineType, p.Allocatable.CPUMilli, p.Allocatable.MemoryMiB, p.Allocatable.EphemeralMiB, DaemonSetCPUMilli, DaemonSetMemoryMiB, p.PodsPerNodeLimit)
	if p.PodsPerNodeLimit == "config" {
		pwSource = "capacity.podsPerNode"
	}
	pre(
		fmt.Sprintf("P  = ⌈targetRps / (TPS / C)⌉ = ⌈%s / (%s / %s)⌉ = %d pods", decimal(in.TargetRPS), decimal(in.ServedTPS()), decimal(in.Complexity), p.Seed.Pods),
		fmt.Sprintf("PW = %d pods per node (%s)", p.Seed.PodsPerNode, pwSource),
		fmt.Sprintf("NW = ⌈P / PW⌉ = ⌈%d / %d⌉ = %d nodes", p.Seed.Pods, p.Seed.PodsPerNode, p.Seed.Nodes),
		"yearly = (NW·CW + ND·CD + CL + NDStack·CStack + NDExt·CExt + NDInt·CInt)·T + Domain"+cacheTerm(p, false),
		fmt.Sprintf("       = (%d·%s + %d·%s + %s + %s·%s + %s·%s + %s·%s)·%d + %s",
			p.Seed.Nodes, g(r.CW), r.ND, g(r.CD), g(r.CL), g(r.NDStack), g(r.CStack), g(r.NDExt), g(r.CExt), g(r.NDInt), g(r.CInt),
			SecondsPerYear, decimal(r.Domain))+cacheTerm(p, true),
		fmt.Sprintf("       = %s USD a year", dollars(p.Seed.YearlyUSD)),
		"  (CW, CD, CL in USD/s; ND counts billed instances, 2 with HA; NDStack, NDExt, NDInt in GiB/s; prices in USD/GiB)",
	)

	h("The plan (what the program deploys)")
	nodePool := fmt.Sprintf("node pool %d..%d (max: %d pods at peak + %d surge, %s)", p.NodePoolMinNodes, p.NodePoolMaxNodes,
		p.HPAMaxReplicas, p.SurgePods, survive(p.Zones))
	if p.NodePoolMaxFromConfig {
		nodePool += " — max set by cluster.maxNodes"
	}
	pre(
		fmt.Sprintf("pods at peak = ⌈targetRps·C / (TPS·utilization)⌉ = ⌈%s·%s / (%s·%s)⌉ = %d",
			decimal(in.TargetRPS), decimal(in.Complexity), decimal(in.ServedTPS()), decimal(in.TargetUtilization), p.PodsAtPeak),
		fmt.Sprintf("HPA          min %d, max %d (target CPU %s%%); a rollout adds up to %d pods (maxSurge %d%%)",
			p.HPAMinReplicas, p.HPAMaxReplicas, decimal(mul(in.TargetUtilization, rat(100))), p.SurgePods, RollingSurgeRatio),
		fmt.Sprintf("nodes        %d at peak (%d pods over %d zones, %d per node), %d at the floor; %s",
			p.NodesAtPeak, p.PodsAtPeak, p.Zones, p.PodsPerNode, p.NodesAtFloor, nodePool),
		fmt.Sprintf("database     %d connections ((%d + %d) pods × %d workers × %d threads + %d) + %d%% = %d ≤ max_connections %d (tier default %d, memory ceiling %d)",
			p.DBConnections, p.HPAMaxReplicas, p.SurgePods, p.GunicornWorkers, p.GunicornThreads, MigrationConnections+ReservedConnections,
			ConnectionMarginPercent, p.DBConnectionsNeeded, p.DBMaxConnections, p.DBDefaultConnections, p.DBCeilingConnections),
	)

	h("Yearly cost (USD)")
	seedByKey := map[string]*big.Rat{}
	for _, l := range p.Seed.Lines {
		seedByKey[l.Key] = l.YearlyUSD
	}
	rows := [][]string{{"", "seed (always at peak)", "plan at peak", "plan autoscaled", "autoscaled: how"}}
	for i, l := range p.Autoscaled.Lines {
		seed := "—"
		if v, ok := seedByKey[l.Key]; ok {
			seed = dollars(v)
		}
		rows = append(rows, []string{l.Name, seed, dollars(p.AtPeak.Lines[i].YearlyUSD), dollars(l.YearlyUSD), l.Detail})
	}
	rows = append(rows, []string{"total", dollars(p.Seed.YearlyUSD), dollars(p.AtPeak.YearlyUSD), dollars(p.Autoscaled.YearlyUSD), ""})
	seedPerMillion := new(big.Rat).Quo(p.Seed.YearlyUSD, new(big.Rat).Quo(mul(in.TargetRPS, rat(SecondsPerYear)), rat(1_000_000)))
	rows = append(rows, []string{"per 1M requests", cents(seedPerMillion), cents(p.AtPeak.CostPerMillion), cents(p.Autoscaled.CostPerMillion), ""})
	table(w, rows, markdown)
	dom := p.Autoscaled.Dominant()
	share := new(big.Rat).Quo(mul(dom.YearlyUSD, rat(100)), p.Autoscaled.YearlyUSD)
	fmt.Fprintf(w, "\nDominant term: %s, %s%% of the autoscaled estimate.\n", dom.Name, share.FloatString(0))
	fmt.Fprintf(w, "The log exclusion (static files: %s%% of requests, and health checks) saves %s USD a year (autoscaled; %s at peak).\n",
		decimal(mul(in.StaticShare, rat(100))), dollars(p.Autoscaled.LoggingSavingUSD), dollars(p.AtPeak.LoggingSavingUSD))
	if in.Cache != nil {
		h("With the cache and without it")
		writeCacheComparison(w, p, markdown)
	}
}

// cacheTerm is the seed formula's Memorystore term (not in the seed, which
// had no cache): its name, or its yearly amount.
func cacheTerm(p *Plan, amount bool) string {
	for _, l := range p.Seed.Lines {
		if l.Key == "cache" {
			if amount {
				return " + " + dollars(l.YearlyUSD)
			}
			return " + Cache"
		}
	}
	return ""
}

// cacheLines say how the cache changes a pod's TPS.
func cacheLines(in Inputs) []string {
	c := in.Cache
	tier := "BASIC"
	if c.StandardHA {
		tier = "STANDARD_HA"
	}
	return []string{
		fmt.Sprintf("cache: Memorystore %s %d GB · hit ratio h %s · a pod serves %s req/s on hits, %s on misses (TPS)",
			tier, c.MemoryGB, decimal(c.HitRatio), decimal(c.HitPodTPS), decimal(in.PodTPS)),
		fmt.Sprintf("  TPS with the cache = 1 / (h/hitTPS + (1−h)/TPS) = 1 / (%s/%s + %s/%s) = %s req/s per pod",
			decimal(c.HitRatio), decimal(c.HitPodTPS), decimal(sub(rat(1), c.HitRatio)), decimal(in.PodTPS), decimal(in.ServedTPS())),
		"  hit ratio: " + orDash(c.HitRatioSource),
	}
}

// writeCacheComparison puts the plan beside the same stack without its cache.
func writeCacheComparison(w io.Writer, p *Plan, markdown bool) {
	if p.WithoutCacheErr != nil {
		fmt.Fprintf(w, "Without the cache this stack cannot be planned as configured:\n%v\n", p.WithoutCacheErr)
		return
	}
	wo := p.WithoutCache
	cacheUSD := new(big.Rat)
	for _, l := range p.Autoscaled.Lines {
		if l.Key == "cache" {
			cacheUSD = l.YearlyUSD
		}
	}
	n := func(v int64) string { return fmt.Sprint(v) }
	rows := [][]string{
		{"", "with the cache", "without", "difference"},
		{"pod TPS", decimal(p.Inputs.ServedTPS()), decimal(wo.Inputs.ServedTPS()), ""},
		{"pods at peak", n(p.PodsAtPeak), n(wo.PodsAtPeak), n(p.PodsAtPeak - wo.PodsAtPeak)},
		{"nodes at peak", n(p.NodesAtPeak), n(wo.NodesAtPeak), n(p.NodesAtPeak - wo.NodesAtPeak)},
		{"node pool max", n(p.NodePoolMaxNodes), n(wo.NodePoolMaxNodes), n(p.NodePoolMaxNodes - wo.NodePoolMaxNodes)},
		{"database connections (with margin)", n(p.DBConnectionsNeeded), n(wo.DBConnectionsNeeded), n(p.DBConnectionsNeeded - wo.DBConnectionsNeeded)},
		{"Memorystore a year", dollars(cacheUSD), "0", dollars(cacheUSD)},
		{"yearly cost, autoscaled", dollars(p.Autoscaled.YearlyUSD), dollars(wo.Autoscaled.YearlyUSD), dollars(sub(p.Autoscaled.YearlyUSD, wo.Autoscaled.YearlyUSD))},
		{"per 1M requests", cents(p.Autoscaled.CostPerMillion), cents(wo.Autoscaled.CostPerMillion), cents(sub(p.Autoscaled.CostPerMillion, wo.Autoscaled.CostPerMillion))},
	}
	table(w, rows, markdown)
}

func survive(zones int) string {
	if zones < 2 {
		return "zonal: no spare zone"
	}
	return fmt.Sprintf("carried by %d of %d zones if one is lost", zones-1, zones)
}

func table(w io.Writer, rows [][]string, markdown bool) {
	if markdown {
		for i, r := range rows {
			fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
			if i == 0 {
				seps := make([]string, len(r))
				for j := range seps {
					seps[j] = "---:"
				}
				seps[0], seps[len(seps)-1] = "---", "---"
				fmt.Fprintf(w, "| %s |\n", strings.Join(seps, " | "))
			}
		}
		return
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for j, c := range r {
			widths[j] = max(widths[j], len([]rune(c)))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for j, c := range r {
			pad := strings.Repeat(" ", widths[j]-len([]rune(c)))
			switch {
			case j == 0 || j == len(r)-1:
				b.WriteString(c + pad)
			default:
				b.WriteString(pad + c)
			}
			b.WriteString("  ")
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// decimal prints a value the same way in every format, always as a valid JSON
// number: exactly when its decimal expansion ends ("0.7", "1.1", "10000"; every
// value parsed from a stack file does), else rounded to 6 places.
func decimal(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	if places, exact := r.FloatPrec(); exact {
		return r.FloatString(places)
	}
	return trim(r.FloatString(6))
}

// g prints small per-second rates with 4 significant digits.
func g(r *big.Rat) string {
	f, _ := r.Float64()
	return fmt.Sprintf("%.4g", f)
}

// dollars prints whole dollars with thousands separators.
func dollars(r *big.Rat) string {
	s := r.FloatString(0)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

func cents(r *big.Rat) string { return r.FloatString(2) }

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

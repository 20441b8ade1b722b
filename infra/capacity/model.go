// Package capacity is the capacity and cost model: the seed's method, computed
// exactly (P = ⌈targetRps / (TPS / C)⌉ pods, NW = ⌈P / PW⌉ nodes, the yearly
// cost formula), and the plan the program deploys: HPA bounds with headroom,
// pods per node from the machine's allocatable resources, a node pool that
// survives losing a zone, the database connection budget, and two yearly cost
// estimates (always at peak, and autoscaled over a daily traffic curve).
//
// Pure Go: no Pulumi types. All arithmetic on inputs is exact (big.Rat), so a
// division that is 50 in decimal is never rounded up to 51.
package capacity

import (
	"encoding/json"
	"fmt"
	"math/big"

	"django-gke/infra/config"
)

// SecondsPerYear is the seed's T (365 days).
const SecondsPerYear = 365 * 24 * 3600

// Connection budget constants.
const (
	// MigrationConnections: the migrations Job runs `manage.py migrate`, one connection.
	MigrationConnections = 1
	// ReservedConnections: Postgres' superuser_reserved_connections default.
	ReservedConnections = 3
	// ConnectionMarginPercent of headroom kept below max_connections (admin sessions, probes, spikes).
	ConnectionMarginPercent = 20
)

// Inputs is everything the model reads, taken from the stack configuration.
type Inputs struct {
	TargetRPS, PodTPS, Complexity, TargetUtilization *big.Rat
	// PodTPSSource says where PodTPS comes from (the benchmark, or config).
	PodTPSSource string
	// PodsPerNode 0 means "from the machine type".
	PodsPerNode int
	Zones       int
	MachineType string
	Spot        bool
	NodeDiskGB  int
	// MinNodes and MaxNodes are cluster.minNodes/maxNodes (MaxNodes 0 = from the plan).
	MinNodes, MaxNodes int
	GunicornCPUMilli   int64
	GunicornMemoryMiB  int64
	// GunicornWorkers 0 means "from GunicornCPUMilli".
	GunicornWorkers, GunicornThreads int
	MinReplicas                      int
	SQLTier                          string
	SQLRegional                      bool
	SQLDiskGB                        int
	// SQLMaxConnections 0 means "from the plan".
	SQLMaxConnections int
	AvgResponseKB     *big.Rat
	AvgLogKB          *big.Rat
	StaticShare       *big.Rat
	PeakHoursPerDay   *big.Rat
	OffPeakFraction   *big.Rat
	// HasDomain adds the domain's yearly price (a stack with app.hostname).
	HasDomain bool
	// Cache is the cache server, nil without one.
	Cache     *CacheInputs
	Overrides Overrides
}

// CacheInputs describe the cache server: HitRatio of the requests are
// answered from it, at HitPodTPS per pod; the rest cost what PodTPS says.
type CacheInputs struct {
	HitRatio, HitPodTPS *big.Rat
	HitRatioSource      string
	StandardHA          bool
	MemoryGB            int
}

// Overrides are django-gke:cost; nil or zero means the list price.
type Overrides struct {
	NodeUSDPerHour, DatabaseUSDPerHour, LoadBalancerUSDPerHour *big.Rat
	LoggingUSDPerGiB, EgressUSDPerGiB, InternalUSDPerGiB       *big.Rat
	DomainUSDPerYear, CacheUSDPerGBHour                        *big.Rat
	// Platform are django-gke:cost.platformPrices, by PlatformPrices key.
	Platform map[string]*big.Rat
}

// InputsFrom maps a validated configuration to the model's inputs.
func InputsFrom(c *config.Config) Inputs {
	milli, _ := config.MilliCPU(c.App.CPU)
	mem, _ := config.MemoryBytes(c.App.Memory)
	cp, co := c.Capacity, c.Cost
	return Inputs{
		TargetRPS: cp.TargetRPS.Rat(), PodTPS: cp.PodTPS.Rat(), Complexity: cp.Complexity.Rat(),
		TargetUtilization: cp.TargetUtilization.Rat(),
		PodTPSSource:      cp.PodTPSSource,
		PodsPerNode:       cp.PodsPerNode,
		Zones:             c.Zones(),
		MachineType:       c.Cluster.MachineType,
		Spot:              c.Cluster.Spot,
		NodeDiskGB:        c.Cluster.DiskGB,
		MinNodes:          c.Cluster.MinNodes,
		MaxNodes:          c.Cluster.MaxNodes,
		GunicornCPUMilli:  milli,
		GunicornMemoryMiB: mem >> 20,
		GunicornWorkers:   c.App.GunicornWorkers,
		GunicornThreads:   c.App.GunicornThreads,
		MinReplicas:       c.App.MinReplicas,
		SQLTier:           c.Database.Tier,
		SQLRegional:       c.Database.Availability == "REGIONAL",
		SQLDiskGB:         c.Database.DiskGB,
		SQLMaxConnections: c.Database.MaxConnections,
		AvgResponseKB:     cp.AvgResponseKB.Rat(),
		AvgLogKB:          cp.AvgLogKB.Rat(),
		StaticShare:       cp.StaticShare.Rat(),
		PeakHoursPerDay:   cp.PeakHoursPerDay.Rat(),
		OffPeakFraction:   cp.OffPeakFraction.Rat(),
		HasDomain:         c.App.Hostname != "",
		Overrides: Overrides{
			NodeUSDPerHour: co.NodeUSDPerHour.Rat(), DatabaseUSDPerHour: co.DatabaseUSDPerHour.Rat(),
			LoadBalancerUSDPerHour: co.LoadBalancerUSDPerHour.Rat(), LoggingUSDPerGiB: co.LoggingUSDPerGiB.Rat(),
			EgressUSDPerGiB: co.EgressUSDPerGiB.Rat(), InternalUSDPerGiB: co.InternalUSDPerGiB.Rat(),
			DomainUSDPerYear: co.DomainUSDPerYear.Rat(), CacheUSDPerGBHour: co.CacheUSDPerGBHour.Rat(),
			Platform: platformOverrides(co.PlatformPrices),
		},
		Cache: cacheInputs(c),
	}
}

func platformOverrides(m map[string]config.Decimal) map[string]*big.Rat {
	out := map[string]*big.Rat{}
	for k, v := range m {
		out[k] = v.Rat()
	}
	return out
}

// cacheInputs are the cache server's inputs, nil when the stack has none.
func cacheInputs(c *config.Config) *CacheInputs {
	if !c.Cache.Enabled {
		return nil
	}
	return &CacheInputs{
		HitRatio: c.Cache.HitRatio.Rat(), HitPodTPS: c.Cache.HitPodTPS.Rat(), HitRatioSource: c.Cache.HitRatioSource,
		StandardHA: c.Cache.Tier == config.CacheStandardHA, MemoryGB: c.Cache.MemorySizeGB,
	}
}

// WithoutCache is the same inputs with the cache server off: what the cache saves.
func (in Inputs) WithoutCache() Inputs {
	in.Cache = nil
	return in
}

// ServedTPS is what one pod serves: PodTPS, or with a cache the harmonic mix
// of hits and misses, 1 / (h/hitTPS + (1−h)/TPS), since a pod's time per
// request is the hit share's time plus the miss share's.
func (in Inputs) ServedTPS() *big.Rat {
	c := in.Cache
	if c == nil || c.HitPodTPS == nil || c.HitPodTPS.Sign() <= 0 {
		return in.PodTPS
	}
	miss := sub(rat(1), c.HitRatio)
	perRequest := add(new(big.Rat).Quo(c.HitRatio, c.HitPodTPS), new(big.Rat).Quo(miss, in.PodTPS))
	return new(big.Rat).Inv(perRequest)
}

// PlanFor computes the plan of a validated configuration.
func PlanFor(c *config.Config) (*Plan, error) { return Compute(InputsFrom(c)) }

// Seed is the seed's method, exactly.
type Seed struct {
	// Pods is P = ⌈targetRps / (TPS / C)⌉.
	Pods int64
	// PodsPerNode is PW.
	PodsPerNode int
	// Nodes is NW = ⌈P / PW⌉.
	Nodes int64
	// Rates are the per-second terms of the yearly formula.
	Rates     SeedRates
	YearlyUSD *big.Rat
	Lines     []CostLine
}

// SeedRates are the seed's per-second costs and data rates.
type SeedRates struct {
	CW, CD, CL              *big.Rat // USD/s per node (with its IP and disk), per database instance, for the LB
	ND                      int      // database instances billed (2 for HA: Cloud SQL bills the standby)
	NDStack, NDExt, NDInt   *big.Rat // GiB/s to logging, to the internet, between zones
	CStack, CExt, CInt      *big.Rat // USD/GiB
	Domain                  *big.Rat // USD/year
	NodeExternalIPUSDPerSec *big.Rat // part of CW; 0 for private nodes
}

// CostLine is one line of a yearly estimate.
type CostLine struct {
	// Key lines up the same cost across estimates (nodes, database, egress …).
	Key       string   `json:"key"`
	Name      string   `json:"name"`
	YearlyUSD *big.Rat `json:"-"`
	Detail    string   `json:"detail"`
}

// MarshalJSON writes the amount as a number rounded to cents.
func (l CostLine) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Key       string      `json:"key"`
		Name      string      `json:"name"`
		YearlyUSD json.Number `json:"yearlyUsd"`
		Detail    string      `json:"detail"`
	}{l.Key, l.Name, json.Number(l.YearlyUSD.FloatString(2)), l.Detail})
}

// Estimate is a list of cost lines and their total.
type Estimate struct {
	Lines          []CostLine
	YearlyUSD      *big.Rat
	RequestsPerYr  *big.Rat
	CostPerMillion *big.Rat
	// LoggingSavingUSD is what the log exclusion (static files, health checks) saves a year.
	LoggingSavingUSD *big.Rat
}

// Plan is what the program deploys, and what it costs.
type Plan struct {
	Inputs Inputs
	Seed   Seed

	// PodsAtPeak = ⌈targetRps·C / (TPS·utilization)⌉: the HPA keeps CPU at the target, so it runs this many.
	PodsAtPeak     int64
	HPAMinReplicas int64
	HPAMaxReplicas int64
	// SurgePods are the extra pods of a rollout at peak (maxSurge).
	SurgePods int64

	Allocatable      Allocatable
	PodRequests      PodRequests
	PodsPerNode      int
	PodsPerNodeLimit string // cpu | memory | ephemeral storage | pods per node | config
	Zones            int

	NodesAtPeak  int64
	NodesAtFloor int64
	// NodePoolMinNodes and NodePoolMaxNodes bound the autoscaler, across all zones.
	NodePoolMinNodes int64
	NodePoolMaxNodes int64
	// NodePoolMaxFromConfig is true when cluster.maxNodes overrides the plan.
	NodePoolMaxFromConfig bool

	GunicornWorkers      int
	GunicornThreads      int
	ConnectionsPerPod    int
	DBConnections        int64 // needed at peak, during a rollout
	DBConnectionsNeeded  int64 // with the margin
	DBMaxConnections     int   // the max_connections flag
	DBDefaultConnections int   // the tier's default
	DBCeilingConnections int   // what the tier's memory holds

	AtPeak     Estimate
	Autoscaled Estimate

	// WithoutCache is the same stack's plan with the cache server off (nil
	// without a cache); WithoutCacheErr says why that plan is impossible
	// (e.g. the database tier cannot hold its connections).
	WithoutCache    *Plan
	WithoutCacheErr error
}

// TargetCPUPercent is the HPA's CPU target, in percent of the request.
func (p *Plan) TargetCPUPercent() int {
	pct := new(big.Rat).Mul(p.Inputs.TargetUtilization, big.NewRat(100, 1))
	return int(ceilRat(pct))
}

// Compute runs the model. Its error is config.Problems naming the keys to change.
func Compute(in Inputs) (*Plan, error) {
	var ps config.Problems
	problem := func(key, field string, value any, rule string, args ...any) {
		b, _ := json.Marshal(value)
		ps = append(ps, config.Problem{Key: config.Key(key), Field: field, Value: string(b), Rule: fmt.Sprintf(rule, args...)})
	}
	if in.PodTPS.Sign() <= 0 || in.Complexity.Sign() <= 0 || in.TargetRPS.Sign() <= 0 ||
		in.TargetUtilization.Sign() <= 0 || in.TargetUtilization.Cmp(big.NewRat(1, 1)) > 0 {
		problem("capacity", "", "…", "targetRps, podTps and complexity must be > 0 and targetUtilization in (0, 1]")
		return nil, ps
	}
	if c := in.Cache; c != nil && (c.HitPodTPS == nil || c.HitPodTPS.Sign() <= 0 || c.HitRatio == nil ||
		c.HitRatio.Sign() < 0 || c.HitRatio.Cmp(rat(1)) > 0) {
		problem("cache", "hitRatio", "…", "the cache's hit ratio must be in [0, 1] and its hit TPS measured (make bench, make bench-apply)")
		return nil, ps
	}
	machine, ok := Machines[in.MachineType]
	if !ok {
		problem("cluster", "machineType", in.MachineType, "the capacity model has no size or price for it; known: %s", knownMachines())
	}
	tier, err := ParseSQLTier(in.SQLTier)
	if err != nil {
		problem("database", "tier", in.SQLTier, "%s", err.Error())
	}
	if len(ps) > 0 {
		return nil, ps
	}

	p := &Plan{Inputs: in, Zones: max(in.Zones, 1)}
	p.PodRequests = AppPodRequests(in.GunicornCPUMilli, in.GunicornMemoryMiB)
	p.Allocatable = GKEAllocatable(machine.VCPU, machine.MemoryGiB, in.NodeDiskGB)
	if in.PodsPerNode > 0 {
		p.PodsPerNode, p.PodsPerNodeLimit = in.PodsPerNode, "config"
	} else {
		p.PodsPerNode, p.PodsPerNodeLimit = PodsPerNode(p.Allocatable, p.PodRequests)
		if p.PodsPerNode == 0 {
			problem("cluster", "machineType", in.MachineType,
				"one app pod (%dm CPU, %d MiB, %d MiB ephemeral storage) does not fit on it (allocatable after DaemonSets: %dm, %d MiB, %d MiB of a %d GB boot disk): choose a bigger machine or cluster.diskGb, or smaller app.cpu/app.memory",
				p.PodRequests.CPUMilli, p.PodRequests.MemoryMiB, p.PodRequests.EphemeralMiB, p.Allocatable.CPUMilli-DaemonSetCPUMilli,
				p.Allocatable.MemoryMiB-DaemonSetMemoryMiB, p.Allocatable.EphemeralMiB, in.NodeDiskGB)
			return nil, ps
		}
	}

	// The seed: P = ⌈targetRps / (TPS / C)⌉, NW = ⌈P / PW⌉.
	p.Seed.Pods = SeedPods(in.TargetRPS, in.ServedTPS(), in.Complexity)
	p.Seed.PodsPerNode = p.PodsPerNode
	p.Seed.Nodes = ceilDiv(p.Seed.Pods, int64(p.PodsPerNode))

	// Headroom: the HPA holds CPU at the target utilization, so peak needs P/u pods.
	p.PodsAtPeak = podsFor(in, in.TargetRPS)
	p.HPAMinReplicas = int64(in.MinReplicas)
	p.HPAMaxReplicas = max(p.PodsAtPeak, p.HPAMinReplicas)
	p.SurgePods = ceilDiv(p.HPAMaxReplicas*RollingSurgeRatio, 100)

	z, pw := int64(p.Zones), int64(p.PodsPerNode)
	p.NodesAtPeak = NodesSpread(p.PodsAtPeak, z, pw)
	p.NodesAtFloor = max(int64(in.MinNodes), NodesSpread(p.HPAMinReplicas, z, pw))
	p.NodePoolMinNodes = p.NodesAtFloor
	needed := NodePoolMax(p.HPAMaxReplicas+p.SurgePods, z, pw)
	p.NodePoolMaxNodes = max(needed, p.NodePoolMinNodes)
	if in.MaxNodes > 0 {
		p.NodePoolMaxFromConfig = true
		if int64(in.MaxNodes) < needed {
			problem("cluster", "maxNodes", in.MaxNodes,
				"the plan needs %d nodes (%d pods at peak + %d surge, %d per node, surviving the loss of a zone): set 0 to use the plan, or raise it",
				needed, p.HPAMaxReplicas, p.SurgePods, p.PodsPerNode)
		}
		p.NodePoolMaxNodes = max(int64(in.MaxNodes), p.NodePoolMinNodes)
	}

	// Database connections: every gunicorn thread of every pod (peak + rollout surge) holds one.
	p.GunicornWorkers = in.GunicornWorkers
	if p.GunicornWorkers == 0 {
		p.GunicornWorkers = GunicornWorkers(in.GunicornCPUMilli)
	}
	p.GunicornThreads = max(in.GunicornThreads, 1)
	p.ConnectionsPerPod = p.GunicornWorkers * p.GunicornThreads
	p.DBConnections = (p.HPAMaxReplicas+p.SurgePods)*int64(p.ConnectionsPerPod) + MigrationConnections + ReservedConnections
	p.DBConnectionsNeeded = ceilDiv(p.DBConnections*(100+ConnectionMarginPercent), 100)
	p.DBDefaultConnections = tier.DefaultMaxConnections()
	p.DBCeilingConnections = tier.CeilingConnections()
	fix := "a bigger database.tier, fewer app.gunicornWorkers/gunicornThreads, or a connection pooler (PgBouncer) in front of Cloud SQL"
	needs := fmt.Sprintf("the plan needs %d connections (%d pods × %d workers × %d threads + %d, plus %d%% margin)",
		p.DBConnectionsNeeded, p.HPAMaxReplicas+p.SurgePods, p.GunicornWorkers, p.GunicornThreads,
		MigrationConnections+ReservedConnections, ConnectionMarginPercent)
	switch {
	case in.SQLMaxConnections > 0:
		p.DBMaxConnections = in.SQLMaxConnections
		if int64(in.SQLMaxConnections) < p.DBConnectionsNeeded {
			problem("database", "maxConnections", in.SQLMaxConnections,
				"%s: raise it, set 0 to let the plan size it, or use %s", needs, fix)
		}
	case p.DBConnectionsNeeded > int64(p.DBCeilingConnections):
		problem("database", "tier", in.SQLTier,
			"%s but %s holds at most %d (%d MiB, %d MiB per connection beside shared_buffers): use %s",
			needs, in.SQLTier, p.DBCeilingConnections, tier.MemoryMiB, ConnectionMiB, fix)
	default:
		// What the tier's memory holds, not what the plan needs: changing
		// max_connections restarts the database, so it moves only with the tier
		// (which restarts it anyway), never with a capacity tweak.
		p.DBMaxConnections = p.DBCeilingConnections
	}
	if len(ps) > 0 {
		return nil, ps
	}

	prices := resolvePrices(in, machine, tier)
	p.Seed.Rates, p.Seed.YearlyUSD, p.Seed.Lines = seedCost(in, p, prices)
	p.AtPeak = estimate(in, p, prices, false)
	p.Autoscaled = estimate(in, p, prices, true)
	if in.Cache != nil {
		p.WithoutCache, p.WithoutCacheErr = Compute(in.WithoutCache())
	}
	return p, nil
}

// podsFor is the pods that serve rps with each at the target utilization:
// ⌈rps·C / (TPS·utilization)⌉.
func podsFor(in Inputs, rps *big.Rat) int64 {
	perPod := new(big.Rat).Quo(in.ServedTPS(), in.Complexity)
	return ceilRat(new(big.Rat).Quo(rps, mul(perPod, in.TargetUtilization)))
}

// SeedPods is P = ⌈targetRps / (TPS / C)⌉, exactly.
func SeedPods(targetRps, tps, complexity *big.Rat) int64 {
	perPod := new(big.Rat).Quo(tps, complexity)
	return ceilRat(new(big.Rat).Quo(targetRps, perPod))
}

// NodesSpread is the nodes that hold pods spread evenly over zones: every zone
// gets ⌈pods/zones⌉ pods and whole nodes for them.
func NodesSpread(pods, zones, podsPerNode int64) int64 {
	return zones * ceilDiv(ceilDiv(pods, zones), podsPerNode)
}

// NodePoolMax is the node pool's ceiling: with two or more zones, each zone
// must hold its share of the pods when one zone is lost (N+1), so the
// surviving zones carry ⌈pods/(zones−1)⌉ each; a zonal cluster has no spare zone.
func NodePoolMax(pods, zones, podsPerNode int64) int64 {
	if zones < 2 {
		return ceilDiv(pods, podsPerNode)
	}
	return zones * ceilDiv(ceilDiv(pods, zones-1), podsPerNode)
}

func ceilDiv(a, b int64) int64 {
	if b <= 0 {
		return 0
	}
	return (a + b - 1) / b
}

// ceilRat rounds a non-negative rational up to an integer.
func ceilRat(r *big.Rat) int64 {
	q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	if m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	if !q.IsInt64() {
		return int64(^uint64(0) >> 1)
	}
	return q.Int64()
}

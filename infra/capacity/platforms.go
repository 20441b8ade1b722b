package capacity

import (
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"

	"django-gke/infra/config"
)

// PlatformPricesAsOf is when the other platforms' list prices below were
// written down. The live price pages cannot be reached from the build
// machine: most were checked against stored copies of the official pages or
// the providers' price APIs (2026); EC2/RDS m6i, Azure's egress ladder and
// Cloud Run's memory price are remembered. Every one is overridable by its
// key in django-gke:cost.platformPrices.
const PlatformPricesAsOf = "2026-12 (list prices from stored copies of the price pages; verify before budgeting)"

const (
	srcAutopilot = "https://cloud.google.com/kubernetes-engine/pricing#autopilot_mode"
	srcCloudRun  = "https://cloud.google.com/run/pricing"
	srcEKS       = "https://aws.amazon.com/eks/pricing/"
	srcEC2       = "https://aws.amazon.com/ec2/pricing/on-demand/"
	srcRDS       = "https://aws.amazon.com/rds/postgresql/pricing/"
	srcALB       = "https://aws.amazon.com/elasticloadbalancing/pricing/"
	srcAWSOut    = "https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer"
	srcCWLogs    = "https://aws.amazon.com/cloudwatch/pricing/"
	srcAWSNAT    = "https://aws.amazon.com/vpc/pricing/"
	srcFargate   = "https://aws.amazon.com/fargate/pricing/"
	srcAKS       = "https://azure.microsoft.com/pricing/details/kubernetes-service/"
	srcAzureVM   = "https://azure.microsoft.com/pricing/details/virtual-machines/linux/"
	srcAzurePG   = "https://azure.microsoft.com/pricing/details/postgresql/flexible-server/"
	srcAppGW     = "https://azure.microsoft.com/pricing/details/application-gateway/"
	srcAzureOut  = "https://azure.microsoft.com/pricing/details/bandwidth/"
	srcAzureLogs = "https://azure.microsoft.com/pricing/details/monitor/"
	srcAzureNAT  = "https://azure.microsoft.com/pricing/details/azure-nat-gateway/"
)

// PlatformPrices are the list prices of the platforms compared with GKE
// Standard (whose prices are Prices and Machines), by override key. US
// regions: us-central1, us-east-1, East US; Linux, on demand.
var PlatformPrices = map[string]Price{
	"autopilot.vcpuHour":         price("0.0445", "USD/vCPU-hour (pod requests)", srcAutopilot),
	"autopilot.gibHour":          price("0.0049225", "USD/GiB-hour (pod requests)", srcAutopilot),
	"autopilot.ephemeralGibHour": price("0.0000548", "USD/GiB-hour (ephemeral storage requests)", srcAutopilot),
	"cloudrun.vcpuSecond":        price("0.000018", "USD/vCPU-second (instance-based billing)", srcCloudRun),
	"cloudrun.gibSecond":         price("0.000002", "USD/GiB-second (instance-based billing)", srcCloudRun),
	"aws.eksClusterHour":         price("0.10", "USD/cluster-hour", srcEKS),
	"aws.ec2VcpuHour":            price("0.048", "USD/vCPU-hour (m6i: m6i.xlarge 0.192 USD/h for 4 vCPU, 16 GiB)", srcEC2),
	"aws.rdsVcpuHour":            price("0.089", "USD/vCPU-hour (db.m6i: db.m6i.xlarge 0.356 USD/h Single-AZ; Multi-AZ doubles)", srcRDS),
	"aws.rdsStorageGbMonth":      price("0.115", "USD/GB-month (gp3; Multi-AZ doubles)", srcRDS),
	"aws.albHour":                price("0.0225", "USD/ALB-hour", srcALB),
	"aws.albLcuHour":             price("0.008", "USD/LCU-hour (1 GB/h processed, or 25 new connections/s)", srcALB),
	"aws.egressTier1":            price("0.09", "USD/GB, first 10 TB a month (100 GB free)", srcAWSOut),
	"aws.egressTier2":            price("0.085", "USD/GB, next 40 TB", srcAWSOut),
	"aws.egressTier3":            price("0.07", "USD/GB, next 100 TB", srcAWSOut),
	"aws.egressTier4":            price("0.05", "USD/GB, beyond 150 TB", srcAWSOut),
	"aws.logsGb":                 price("0.50", "USD/GB ingested (CloudWatch Logs, standard)", srcCWLogs),
	"aws.natHour":                price("0.045", "USD/NAT gateway-hour (one per zone)", srcAWSNAT),
	"aws.interZoneGb":            price("0.02", "USD/GB between zones (0.01 each way)", srcAWSOut),
	"aws.fargateVcpuHour":        price("0.04048", "USD/vCPU-hour (Linux x86)", srcFargate),
	"aws.fargateGbHour":          price("0.004445", "USD/GB-hour", srcFargate),
	"azure.aksClusterHour":       price("0.10", "USD/cluster-hour (Standard tier: uptime SLA, like GKE's)", srcAKS),
	"azure.vmVcpuHour":           price("0.048", "USD/vCPU-hour (Dsv5: D4s v5 0.192 USD/h for 4 vCPU, 16 GiB)", srcAzureVM),
	"azure.pgVcpuHour":           price("0.089", "USD/vCPU-hour (Flexible Server General Purpose Ddsv5: D4ds_v5 0.356 USD/h; zone-redundant HA doubles)", srcAzurePG),
	"azure.pgStorageGbMonth":     price("0.115", "USD/GB-month (HA doubles)", srcAzurePG),
	"azure.appGatewayHour":       price("0.20", "USD/gateway-hour (Standard_v2 fixed; a 2022 copy of the page said 0.246)", srcAppGW),
	"azure.appGatewayCuHour":     price("0.008", "USD/capacity unit-hour (2.22 Mbps, or 2,500 persistent connections)", srcAppGW),
	"azure.egressTier1":          price("0.087", "USD/GB, first 10 TB a month (100 GB free)", srcAzureOut),
	"azure.egressTier2":          price("0.083", "USD/GB, next 40 TB", srcAzureOut),
	"azure.egressTier3":          price("0.07", "USD/GB, next 100 TB", srcAzureOut),
	"azure.egressTier4":          price("0.05", "USD/GB, beyond 150 TB", srcAzureOut),
	"azure.logsGb":               price("2.30", "USD/GB ingested (Log Analytics, analytics logs; 5 GB a month free)", srcAzureLogs),
	"azure.natHour":              price("0.045", "USD/NAT gateway-hour", srcAzureNAT),
	"azure.interZoneGb":          price("0.02", "USD/GB between zones (0.01 each way)", srcAzureOut),
}

// PlatformPriceKeys lists the override keys, sorted.
func PlatformPriceKeys() []string { return slices.Sorted(maps.Keys(PlatformPrices)) }

// Platform is one way to run the same workload.
type Platform struct {
	Key, Name string
	// DoesNotCarryOver says, in one line, what of this project's design does
	// not apply there.
	DoesNotCarryOver string
}

// Platforms are compared in this order; the seed's formula is GKE's first row.
var Platforms = []Platform{
	{"seed", "GKE Standard, the seed's formula (at peak all year)", "the design card's formula: no autoscaling, no NAT, no inter-zone split by zones"},
	{"gke", "GKE Standard (this project)", "—"},
	{"autopilot", "GKE Autopilot", "billed per pod request, not per node: bin-packing and Spot nodes do not apply; no node pool to size"},
	{"cloudrun", "Cloud Run", "no nginx sidecar (static files from Cloud Storage/CDN), requests time out at 60 min, no PDB/HPA: concurrency = workers × threads"},
	{"eks", "EKS + RDS + ALB", "IRSA instead of Workload Identity, the AWS Load Balancer Controller instead of GKE Ingress, RDS instead of Cloud SQL's proxy"},
	{"aks", "AKS + Azure Database for PostgreSQL + Application Gateway", "Application Gateway ingress instead of NEGs; Log Analytics bills logs at 4.6× Cloud Logging's price"},
	{"fargate", "ECS on Fargate + RDS + ALB", "a task is rounded up to a Fargate size (CPU 0.25/0.5/1/2/4 vCPU), no DaemonSets, task definitions instead of Kubernetes objects"},
}

// PlatformCost is one platform's yearly estimate at one request rate.
type PlatformCost struct {
	Platform Platform
	Estimate Estimate
}

// platformPrice is a price by key, or its override.
func platformPrice(key string, overrides map[string]*big.Rat) *big.Rat {
	if o := overrides[key]; set(o) {
		return new(big.Rat).Set(o)
	}
	return new(big.Rat).Set(PlatformPrices[key].USD)
}

// checkOverrides refuses keys no price has.
func checkOverrides(overrides map[string]*big.Rat) error {
	var ps config.Problems
	for _, k := range slices.Sorted(maps.Keys(overrides)) {
		if _, ok := PlatformPrices[k]; !ok {
			ps = append(ps, config.Problem{Key: config.Key("cost"), Field: "platformPrices." + k, Value: overrides[k].FloatString(4),
				Rule: "unknown price; known: " + strings.Join(PlatformPriceKeys(), ", ")})
		}
	}
	if len(ps) > 0 {
		return ps
	}
	return nil
}

// tieredVolume prices a yearly volume in monthly tiers after a monthly free amount.
func tieredVolume(yearGib, freePerMonth *big.Rat, limitsGib []int64, prices []*big.Rat) *big.Rat {
	month := sub(new(big.Rat).Quo(yearGib, rat(12)), freePerMonth)
	cost, billed := new(big.Rat), new(big.Rat)
	for i, p := range prices {
		if month.Cmp(billed) <= 0 {
			break
		}
		chunk := sub(month, billed)
		if i < len(limitsGib) {
			if limit := sub(rat(limitsGib[i]), billed); chunk.Cmp(limit) > 0 {
				chunk = limit
			}
		}
		cost.Add(cost, mul(chunk, p))
		billed.Add(billed, chunk)
	}
	return mul(cost, rat(12))
}

// ComparePlatforms prices the stack's workload at its targetRps on every platform.
func ComparePlatforms(in Inputs, overrides map[string]*big.Rat) ([]PlatformCost, error) {
	if err := checkOverrides(overrides); err != nil {
		return nil, err
	}
	p, err := Compute(in)
	if err != nil {
		return nil, err
	}
	return platformCosts(in, p, overrides), nil
}

func platformCosts(in Inputs, p *Plan, o map[string]*big.Rat) []PlatformCost {
	u := usageOf(in, p, true)
	gke := map[string]CostLine{}
	for _, l := range p.Autoscaled.Lines {
		gke[l.Key] = l
	}
	tier, _ := ParseSQLTier(in.SQLTier)
	dbInstances := int64(1)
	if in.SQLRegional {
		dbInstances = 2
	}
	pp := func(k string) *big.Rat { return platformPrice(k, o) }
	hoursYear := rat(hoursPerYear)
	podCPU := big.NewRat(p.PodRequests.CPUMilli, 1000)
	podGiB := big.NewRat(p.PodRequests.MemoryMiB, 1024)
	podEphGiB := big.NewRat(p.PodRequests.EphemeralMiB, 1024)
	podHours := u.hours(u.pods, u.offPods)
	nodeHours := u.hours(u.nodes, u.offNodes)
	machine := Machines[in.MachineType]
	zones := rat(int64(p.Zones))
	// A managed Postgres of the Cloud SQL tier's vCPUs (its memory ratio, 4 GiB a vCPU).
	dbVCPU := rat(int64(max(tier.VCPU, 1)))
	shared := func(keys ...string) []CostLine {
		var out []CostLine
		for _, k := range keys {
			out = append(out, gke[k])
		}
		return out
	}
	egressGB := u.egressGib // GiB as GB: the providers' "GB" tiers are applied to GiB, a 7 % overstatement on AWS/Azure's side
	awsEgress := func() CostLine {
		return CostLine{"egress", "egress", tieredVolume(egressGB, rat(100), []int64{10 * 1024, 50 * 1024, 150 * 1024},
			[]*big.Rat{pp("aws.egressTier1"), pp("aws.egressTier2"), pp("aws.egressTier3"), pp("aws.egressTier4")}),
			fmt.Sprintf("%s GB/year, AWS monthly tiers", gib(egressGB))}
	}
	rds := func() CostLine {
		storage := mul(pp("aws.rdsStorageGbMonth"), rat(int64(in.SQLDiskGB)), rat(12), rat(dbInstances))
		return CostLine{"database", "database (RDS PostgreSQL)", add(mul(dbVCPU, pp("aws.rdsVcpuHour"), hoursYear, rat(dbInstances)), storage),
			fmt.Sprintf("%d × db.m6i with %s vCPU (Multi-AZ when Cloud SQL is HA)", dbInstances, dbVCPU.RatString())}
	}
	// ALB capacity units: the larger of processed GB an hour and new
	// connections (a keep-alive connection carries about 10 requests).
	alb := func() []CostLine {
		hours := add(u.peakHours, u.offHours)
		gbPerHour := new(big.Rat).Quo(u.egressGib, hours)
		connPerSec := new(big.Rat).Quo(new(big.Rat).Quo(u.requests, mul(hours, rat(3600))), rat(10))
		lcu := gbPerHour
		if c := new(big.Rat).Quo(connPerSec, rat(25)); c.Cmp(lcu) > 0 {
			lcu = c
		}
		return []CostLine{
			{"lb", "load balancer (ALB)", mul(pp("aws.albHour"), hoursYear), "one ALB"},
			{"lbData", "ALB capacity units", mul(lcu, pp("aws.albLcuHour"), hoursYear), fmt.Sprintf("%s LCU on average", g(lcu))},
		}
	}
	awsLogs := CostLine{"logging", "logging (CloudWatch Logs)", mul(u.logGib, pp("aws.logsGb")), fmt.Sprintf("%s GB/year after the same exclusion", gib(u.logGib))}
	awsNAT := CostLine{"nat", "NAT gateways", mul(zones, pp("aws.natHour"), hoursYear), fmt.Sprintf("%d zones", p.Zones)}
	awsZones := CostLine{"internal", "inter-zone traffic", mul(u.interZoneGib, pp("aws.interZoneGb")), "0.01 USD/GB each way"}

	out := []PlatformCost{{Platform: Platforms[0], Estimate: Estimate{Lines: p.Seed.Lines, YearlyUSD: p.Seed.YearlyUSD}},
		{Platform: Platforms[1], Estimate: p.Autoscaled}}

	// GKE Autopilot: the same pods, billed by their requests.
	perPodHour := add(mul(podCPU, pp("autopilot.vcpuHour")), mul(podGiB, pp("autopilot.gibHour")), mul(podEphGiB, pp("autopilot.ephemeralGibHour")))
	autopilot := append([]CostLine{
		{"compute", "pods (requests)", mul(podHours, perPodHour), fmt.Sprintf("%d pods at peak, %d off peak × %s vCPU, %s GiB", u.pods, u.offPods, decimal(podCPU), g(podGiB))},
		gke["cluster"],
	}, shared("nat", "database", "lb", "lbData", "egress", "internal", "logging", "domain")...)

	// Cloud Run: instances of gunicorn alone (Cloud Run's front end replaces
	// nginx; its Cloud SQL connector the proxy), instance-based billing.
	runCPU := cloudRunCPU(in.GunicornCPUMilli)
	runGiB := big.NewRat(max(in.GunicornMemoryMiB, 512), 1024)
	perInstanceSecond := add(mul(runCPU, pp("cloudrun.vcpuSecond")), mul(runGiB, pp("cloudrun.gibSecond")))
	cloudRun := append([]CostLine{
		{"compute", "instances", mul(podHours, rat(3600), perInstanceSecond), fmt.Sprintf("%d instances at peak, %d off peak × %s vCPU, %s GiB, always-allocated CPU", u.pods, u.offPods, decimal(runCPU), g(runGiB))},
	}, shared("database", "lb", "lbData", "egress", "internal", "logging", "domain")...)

	eks := append([]CostLine{
		{"nodes", "nodes (EC2 m6i)", mul(nodeHours, rat(int64(machine.VCPU)), pp("aws.ec2VcpuHour")), fmt.Sprintf("%d nodes at peak, %d off peak, %d vCPU each", u.nodes, u.offNodes, machine.VCPU)},
		{"cluster", "EKS control plane", mul(pp("aws.eksClusterHour"), hoursYear), "1 cluster"},
		awsNAT, rds(),
	}, alb()...)
	eks = append(eks, awsEgress(), awsZones, awsLogs, gke["domain"])

	azureEgress := CostLine{"egress", "egress", tieredVolume(egressGB, rat(100), []int64{10 * 1024, 50 * 1024, 150 * 1024},
		[]*big.Rat{pp("azure.egressTier1"), pp("azure.egressTier2"), pp("azure.egressTier3"), pp("azure.egressTier4")}),
		fmt.Sprintf("%s GB/year, Azure monthly tiers", gib(egressGB))}
	mbps := new(big.Rat).Quo(mul(u.egressGib, rat(8*1024)), mul(add(u.peakHours, u.offHours), rat(3600)))
	capacityUnits := new(big.Rat).Quo(mbps, big.NewRat(222, 100))
	azureLogGB := sub(u.logGib, rat(5*12))
	if azureLogGB.Sign() < 0 {
		azureLogGB = new(big.Rat)
	}
	aks := []CostLine{
		{"nodes", "nodes (Dsv5)", mul(nodeHours, rat(int64(machine.VCPU)), pp("azure.vmVcpuHour")), fmt.Sprintf("%d nodes at peak, %d off peak", u.nodes, u.offNodes)},
		{"cluster", "AKS Standard tier", mul(pp("azure.aksClusterHour"), hoursYear), "1 cluster"},
		{"nat", "NAT gateway", mul(pp("azure.natHour"), hoursYear), "one gateway"},
		{"database", "database (PostgreSQL Flexible Server)", add(mul(dbVCPU, pp("azure.pgVcpuHour"), hoursYear, rat(dbInstances)),
			mul(pp("azure.pgStorageGbMonth"), rat(int64(in.SQLDiskGB)), rat(12), rat(dbInstances))), fmt.Sprintf("%d × Ddsv5 with %s vCPU", dbInstances, dbVCPU.RatString())},
		{"lb", "Application Gateway", mul(pp("azure.appGatewayHour"), hoursYear), "Standard_v2, fixed"},
		{"lbData", "Application Gateway capacity units", mul(capacityUnits, pp("azure.appGatewayCuHour"), hoursYear), fmt.Sprintf("%s CU on average (2.22 Mbps each)", g(capacityUnits))},
		azureEgress,
		{"internal", "inter-zone traffic", mul(u.interZoneGib, pp("azure.interZoneGb")), "0.01 USD/GB each way"},
		{"logging", "logging (Log Analytics)", mul(azureLogGB, pp("azure.logsGb")), fmt.Sprintf("%s GB/year, 5 GB a month free", gib(u.logGib))},
		gke["domain"],
	}

	taskCPU, taskGB := FargateSize(p.PodRequests.CPUMilli, p.PodRequests.MemoryMiB)
	perTaskHour := add(mul(taskCPU, pp("aws.fargateVcpuHour")), mul(taskGB, pp("aws.fargateGbHour")))
	fargate := append([]CostLine{
		{"compute", "tasks (Fargate)", mul(podHours, perTaskHour), fmt.Sprintf("%d tasks at peak, %d off peak × %s vCPU, %s GB (the pod's %s vCPU rounded up)",
			u.pods, u.offPods, decimal(taskCPU), decimal(taskGB), decimal(podCPU))},
		awsNAT, rds(),
	}, alb()...)
	fargate = append(fargate, awsEgress(), awsZones, awsLogs, gke["domain"])

	for i, lines := range [][]CostLine{autopilot, cloudRun, eks, aks, fargate} {
		out = append(out, PlatformCost{Platform: Platforms[i+2], Estimate: newEstimate(lines, u.requests)})
	}
	return out
}

// cloudRunCPU is the smallest Cloud Run CPU allocation (1, 2, 4, 6 or 8
// vCPU; concurrency above 1 needs at least 1) that holds gunicorn's request.
func cloudRunCPU(milli int64) *big.Rat {
	for _, c := range []int64{1, 2, 4, 6, 8} {
		if milli <= c*1000 {
			return rat(c)
		}
	}
	return rat(8)
}

// FargateSize is the smallest Fargate task size holding a pod's requests:
// CPU 0.25, 0.5, 1, 2, 4, 8 or 16 vCPU, memory in whole GB within the CPU's
// range (at least 2 GB a vCPU above 1 vCPU).
func FargateSize(cpuMilli, memoryMiB int64) (cpu, memoryGB *big.Rat) {
	sizes := []struct {
		milli, minGB int64
	}{{250, 1}, {500, 1}, {1000, 2}, {2000, 4}, {4000, 8}, {8000, 16}, {16000, 32}}
	for _, s := range sizes {
		if cpuMilli <= s.milli {
			gb := max(s.minGB, ceilDiv(memoryMiB, 1024))
			return big.NewRat(s.milli, 1000), rat(gb)
		}
	}
	return rat(16), rat(max(32, ceilDiv(memoryMiB, 1024)))
}

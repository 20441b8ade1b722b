package capacity

import (
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"
)

// PricesAsOf is when the list prices below were read off Google's price pages
// (region us-central1, on-demand, USD, no committed-use or sustained-use
// discounts). Prices change: verify before budgeting, or override them in
// django-gke:cost.
const PricesAsOf = "2025-06"

// Price is one list price with where it comes from.
type Price struct {
	USD    *big.Rat
	Unit   string
	Source string
}

func price(usd, unit, source string) Price {
	r, ok := new(big.Rat).SetString(usd)
	if !ok {
		panic("bad price literal " + usd)
	}
	return Price{USD: r, Unit: unit, Source: source}
}

const (
	srcCompute  = "https://cloud.google.com/compute/vm-instance-pricing"
	srcGKE      = "https://cloud.google.com/kubernetes-engine/pricing"
	srcSQL      = "https://cloud.google.com/sql/pricing#pg-pricing"
	srcLB       = "https://cloud.google.com/vpc/network-pricing#lb"
	srcEgress   = "https://cloud.google.com/vpc/network-pricing#internet_egress"
	srcInternal = "https://cloud.google.com/vpc/network-pricing#vpc-pricing"
	srcLogging  = "https://cloud.google.com/stackdriver/pricing#logging-costs"
	srcNAT      = "https://cloud.google.com/nat/pricing"
	srcDisk     = "https://cloud.google.com/compute/disks-image-pricing#disk"
	srcDomains  = "https://cloud.google.com/domains/pricing"
	srcRedis    = "https://cloud.google.com/memorystore/docs/redis/pricing"
)

// CacheBand is one of Memorystore for Redis' capacity tiers (M1–M5): a price
// per GB-hour of provisioned memory for instances up to UpToGB.
type CacheBand struct {
	UpToGB            int
	Basic, StandardHA Price
}

// CacheBands are Memorystore for Redis' list prices in us-central1. Unlike
// the other prices they were not re-read when this table was written (the
// page could not be reached from the build machine): they are the prices as
// remembered from it; override them with django-gke:cost.cacheUsdPerGbHour.
var CacheBands = []CacheBand{
	{4, price("0.049", "USD/GB-hour (M1, 1–4 GB)", srcRedis), price("0.064", "USD/GB-hour (M1, 1–4 GB)", srcRedis)},
	{10, price("0.027", "USD/GB-hour (M2, 5–10 GB)", srcRedis), price("0.054", "USD/GB-hour (M2, 5–10 GB)", srcRedis)},
	{35, price("0.023", "USD/GB-hour (M3, 11–35 GB)", srcRedis), price("0.046", "USD/GB-hour (M3, 11–35 GB)", srcRedis)},
	{100, price("0.019", "USD/GB-hour (M4, 36–100 GB)", srcRedis), price("0.034", "USD/GB-hour (M4, 36–100 GB)", srcRedis)},
	{300, price("0.016", "USD/GB-hour (M5, 101–300 GB)", srcRedis), price("0.027", "USD/GB-hour (M5, 101–300 GB)", srcRedis)},
}

// CachePrice is the list price per GB-hour of an instance of sizeGB in a tier.
func CachePrice(standardHA bool, sizeGB int) Price {
	band := CacheBands[len(CacheBands)-1]
	for _, b := range CacheBands {
		if sizeGB <= b.UpToGB {
			band = b
			break
		}
	}
	if standardHA {
		return band.StandardHA
	}
	return band.Basic
}

// NATPerVMUpTo is the most VMs a Cloud NAT gateway bills per VM-hour.
const NATPerVMUpTo = 32

// Machine is a Compute Engine machine type: its size and hourly list price.
type Machine struct {
	VCPU      int
	MemoryGiB int
	Hourly    Price
}

// Machines are the node machine types the model knows. An unknown
// cluster.machineType is an error: the plan cannot size nodes it cannot describe.
var Machines = map[string]Machine{}

func init() {
	// family → hourly price per size, vCPU:memory ratio.
	families := []struct {
		family   string
		gibPerCP int
		prices   map[int]string
	}{
		{"e2-standard", 4, map[int]string{2: "0.067006", 4: "0.134012", 8: "0.268024", 16: "0.536048", 32: "1.072096"}},
		{"e2-highcpu", 1, map[int]string{2: "0.049468", 4: "0.098936", 8: "0.197872", 16: "0.395744", 32: "0.791488"}},
		{"e2-highmem", 8, map[int]string{2: "0.090416", 4: "0.180832", 8: "0.361664", 16: "0.723328"}},
		{"n2-standard", 4, map[int]string{2: "0.097118", 4: "0.194236", 8: "0.388472", 16: "0.776944", 32: "1.553888"}},
		{"n2-highcpu", 1, map[int]string{2: "0.071696", 4: "0.143392", 8: "0.286784", 16: "0.573568", 32: "1.147136"}},
		{"n2d-standard", 4, map[int]string{2: "0.084492", 4: "0.168984", 8: "0.337968", 16: "0.675936", 32: "1.351872"}},
		{"t2d-standard", 4, map[int]string{1: "0.042246", 2: "0.084492", 4: "0.168984", 8: "0.337968", 16: "0.675936"}},
	}
	for _, f := range families {
		for cpus, usd := range f.prices {
			name := fmt.Sprintf("%s-%d", f.family, cpus)
			Machines[name] = Machine{VCPU: cpus, MemoryGiB: cpus * f.gibPerCP, Hourly: price(usd, "USD/hour", srcCompute)}
		}
	}
}

// MachineNames lists the known machine types, sorted.
func MachineNames() []string { return slices.Sorted(maps.Keys(Machines)) }

// Prices is the rest of the price table. Every entry names its source page.
var Prices = struct {
	// SpotFactor: Spot VMs cost this fraction of on-demand (Google quotes 60–91 % off; the
	// model assumes 70 % off, because Spot prices move up to once a month).
	SpotFactor Price
	// GKEClusterFee per cluster-hour (zonal and regional alike). The free tier's monthly
	// credit applies per billing account and is not modelled.
	GKEClusterFee Price
	// NodeDisk is pd-balanced, per GiB-month (node boot disks).
	NodeDisk Price
	// NodeExternalIP is an in-use external IPv4 on a VM per hour; private nodes have none.
	NodeExternalIP Price
	// Cloud SQL Enterprise edition for PostgreSQL; HA (REGIONAL) doubles compute and storage.
	SQLvCPU, SQLMemoryGiB, SQLStorageGiB, SQLSharedF1, SQLSharedG1 Price
	// Global external Application Load Balancer.
	LBForwardingRule, LBDataProcessed Price
	// Premium tier internet egress from North America, monthly volume tiers.
	EgressTier1, EgressTier2, EgressTier3 Price
	// Traffic between zones of one region.
	InterZone Price
	// Cloud Logging ingestion beyond the free allotment per project and month.
	LoggingIngest, LoggingFreeGiB Price
	// Cloud NAT, per VM-hour up to NATPerVMUpTo VMs a gateway, a flat hourly rate
	// for a gateway with more, and per GiB processed.
	NATPerVM, NATGateway, NATProcessed Price
	// A .com domain through Cloud Domains, per year.
	Domain Price
}{
	SpotFactor:       price("0.3", "fraction of on-demand", "https://cloud.google.com/compute/docs/instances/spot#pricing"),
	GKEClusterFee:    price("0.10", "USD/cluster-hour", srcGKE),
	NodeDisk:         price("0.10", "USD/GiB-month", srcDisk),
	NodeExternalIP:   price("0.005", "USD/hour", "https://cloud.google.com/vpc/network-pricing#ipaddress"),
	SQLvCPU:          price("0.0413", "USD/vCPU-hour", srcSQL),
	SQLMemoryGiB:     price("0.007", "USD/GiB-hour", srcSQL),
	SQLStorageGiB:    price("0.17", "USD/GiB-month (SSD)", srcSQL),
	SQLSharedF1:      price("0.0105", "USD/hour (db-f1-micro)", srcSQL),
	SQLSharedG1:      price("0.035", "USD/hour (db-g1-small)", srcSQL),
	LBForwardingRule: price("0.025", "USD/hour (first 5 rules)", srcLB),
	LBDataProcessed:  price("0.008", "USD/GiB processed", srcLB),
	EgressTier1:      price("0.12", "USD/GiB, first 1 TiB a month", srcEgress),
	EgressTier2:      price("0.11", "USD/GiB, 1–10 TiB a month", srcEgress),
	EgressTier3:      price("0.08", "USD/GiB, beyond 10 TiB a month", srcEgress),
	InterZone:        price("0.01", "USD/GiB", srcInternal),
	LoggingIngest:    price("0.50", "USD/GiB ingested", srcLogging),
	LoggingFreeGiB:   price("50", "GiB/project-month free", srcLogging),
	NATPerVM:         price("0.0014", "USD/VM-hour", srcNAT),
	NATGateway:       price("0.044", "USD/hour (more than 32 VMs)", srcNAT),
	NATProcessed:     price("0.045", "USD/GiB", srcNAT),
	Domain:           price("12", "USD/year", srcDomains),
}

// knownMachines is for error messages.
func knownMachines() string { return strings.Join(MachineNames(), ", ") }

package config

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

var (
	projectIDSyntax   = regexp.MustCompile(`^[a-z][a-z0-9-]{4,28}[a-z0-9]$`)
	regionSyntax      = regexp.MustCompile(`^[a-z]+-[a-z]+[0-9]+$`)
	machineTypeSyntax = regexp.MustCompile(`^[a-z][a-z0-9]*-[a-z0-9]+(-[0-9]+){0,2}$`)
	netNameSyntax     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$`)
	// Enterprise edition tiers only: the database component declares edition
	// ENTERPRISE and the cost model prices it; Enterprise Plus's
	// db-perf-optimized-N-* tiers would need ENTERPRISE_PLUS (GCP answers 400
	// otherwise) and its prices.
	tierSyntax       = regexp.MustCompile(`^db-(f1-micro|g1-small|custom-([0-9]{1,2})-([0-9]{3,6}))$`)
	repositorySyntax = regexp.MustCompile(`^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)
	// pinnedImageSyntax is any image by digest, a tag allowed before it (Docker Hub names have no registry host).
	pinnedImageSyntax = regexp.MustCompile(`^[a-z0-9]([a-z0-9._:/-]*[a-z0-9])?@sha256:[a-f0-9]{64}$`)
	imageRefSyntax    = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9._-]+)+@sha256:[a-f0-9]{64}$`)
	stackNameSyntax   = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	hostnameSyntax    = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	envVarSyntax      = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)
	emailSyntax       = regexp.MustCompile(`^[^@\s]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$`)
	pathSyntax        = regexp.MustCompile(`^/[A-Za-z0-9/_.~-]*$`)
	contextSyntax     = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_./-]*$`)
)

// secretLooking matches names that hold credentials: those belong in the
// Kubernetes Secret the program generates, never in plain stack config.
var secretLooking = regexp.MustCompile(`PASSWORD|SECRET|TOKEN|CREDENTIAL|PRIVATE|_KEY$|^KEY$`)

// IsZone reports whether a location names a zone (us-central1-b) rather than a region.
func IsZone(location string) bool {
	i := strings.LastIndex(location, "-")
	return i > 0 && regionSyntax.MatchString(location[:i]) && len(location)-i == 2
}

// Regional reports whether the cluster spans a region's zones.
func (c *Config) Regional() bool { return !IsZone(c.Cluster.Location) }

// Zones is the number of zones the stack spreads over: capacity.zones, or 1
// for a zonal cluster and 3 for a regional one.
func (c *Config) Zones() int {
	switch {
	case c.Capacity.Zones > 0:
		return c.Capacity.Zones
	case c.Regional():
		return 3
	default:
		return 1
	}
}

// Validate returns every rule the configuration breaks.
func (c *Config) Validate() Problems {
	v := validator{}
	c.validateProvider(&v)
	c.validateNetwork(&v)
	c.validateCluster(&v)
	c.validateDatabase(&v)
	c.validateCache(&v)
	c.validateImage(&v)
	c.validateApp(&v)
	c.validateCapacity(&v)
	c.validateCost(&v)
	c.validateMonitoring(&v)
	c.validateRelease(&v)
	c.validateRegions(&v)
	return v.ps
}

type validator struct{ ps Problems }

func (v *validator) check(ok bool, key, field string, value any, rule string, args ...any) {
	if !ok {
		v.ps.add(key, field, value, rule, args...)
	}
}

func (v *validator) oneOf(key, field, value string, allowed ...string) {
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	v.ps.add(key, field, value, "must be one of %s", strings.Join(allowed, ", "))
}

func (c *Config) validateProvider(v *validator) {
	if c.Env == Local {
		c.validateLocal(v)
		return
	}
	v.check(projectIDSyntax.MatchString(c.Project), KeyProject, "", c.Project,
		"must be a Google Cloud project id (6–30 lowercase letters, digits and hyphens; set it in Pulumi.<stack>.yaml)")
	v.check(regionSyntax.MatchString(c.Region), KeyRegion, "", c.Region, "must be a Google Cloud region such as us-central1")
}

// localImageSyntax accepts any image reference (kind loads local tags).
var localImageSyntax = regexp.MustCompile(`^[a-z0-9]([a-z0-9._/:-]*[a-z0-9])?(@sha256:[a-f0-9]{64})?$`)

// validateLocal checks what env local needs instead of a GCP project.
func (c *Config) validateLocal(v *validator) {
	v.check(c.Database.Host != "" && hostnameOrIP(c.Database.Host), Key("database"), "host", c.Database.Host,
		"env local needs the Postgres the pods connect to (a host name or IP)")
	v.check(c.Database.Port > 0 && c.Database.Port < 65536, Key("database"), "port", c.Database.Port, "must be a TCP port")
	v.check(localImageSyntax.MatchString(c.Image.Ref), Key("image"), "ref", c.Image.Ref,
		"env local deploys an image named in config: set image.ref (a tag or a digest)")
}

func hostnameOrIP(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	return regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$`).MatchString(h)
}

func (c *Config) validateNetwork(v *validator) {
	key := Key("network")
	type namedRange struct {
		field      string
		value      string
		minLen     int
		maxLen     int
		prefix     netip.Prefix
		parsedOkay bool
	}
	ranges := []*namedRange{
		{field: "cidr", value: c.Network.CIDR, minLen: 8, maxLen: 28},
		{field: "podsCidr", value: c.Network.PodsCIDR, minLen: 8, maxLen: 21},
		{field: "servicesCidr", value: c.Network.ServicesCIDR, minLen: 8, maxLen: 27},
		{field: "masterCidr", value: c.Network.MasterCIDR, minLen: 28, maxLen: 28},
		{field: "privateServicesCidr", value: c.Network.PrivateServicesCIDR, minLen: 16, maxLen: 24},
	}
	for _, r := range ranges {
		r.prefix, r.parsedOkay = v.privateRange(key, r.field, r.value, r.minLen, r.maxLen)
	}
	for i, a := range ranges {
		for _, b := range ranges[i+1:] {
			if a.parsedOkay && b.parsedOkay && a.prefix.Overlaps(b.prefix) {
				v.ps.add(key, b.field, b.value, "overlaps %s (%s)", a.field, a.value)
			}
		}
	}
}

// privateRange checks an IPv4 RFC 1918 network address with a prefix length
// in [minLen, maxLen]; ok is false (and the problem reported) otherwise.
func (v *validator) privateRange(key, field, value string, minLen, maxLen int) (netip.Prefix, bool) {
	p, err := netip.ParsePrefix(value)
	switch {
	case err != nil || !p.Addr().Is4():
		v.ps.add(key, field, value, "must be an IPv4 CIDR such as 10.10.0.0/20")
	case p.Masked() != p:
		v.ps.add(key, field, value, "must be a network address (did you mean %s?)", p.Masked())
	case !p.Addr().IsPrivate():
		v.ps.add(key, field, value, "must be a private (RFC 1918) range")
	case p.Bits() < minLen || p.Bits() > maxLen:
		if minLen == maxLen {
			v.ps.add(key, field, value, "must be a /%d", minLen)
		} else {
			v.ps.add(key, field, value, "prefix length must be between /%d and /%d", minLen, maxLen)
		}
	default:
		return p, true
	}
	return netip.Prefix{}, false
}

func (c *Config) validateCluster(v *validator) {
	key, cl := Key("cluster"), c.Cluster
	v.check(cl.Access == AccessConnectGateway || cl.Access == AccessAuthorizedNetworks, key, "access", cl.Access,
		"must be connectGateway (through the fleet, Google IAM: any runner) or authorizedNetworks (the endpoint, from authorizedNetworks only)")
	switch {
	case IsZone(cl.Location):
		v.check(strings.HasPrefix(cl.Location, c.Region+"-"), key, "location", cl.Location,
			"must be a zone of gcp:region %s (e.g. %s-b) or the region itself", c.Region, c.Region)
	default:
		v.check(cl.Location == c.Region, key, "location", cl.Location,
			"must be gcp:region %s (regional cluster) or one of its zones such as %s-b (zonal)", c.Region, c.Region)
	}
	v.check(machineTypeSyntax.MatchString(cl.MachineType), key, "machineType", cl.MachineType,
		"must be a Compute Engine machine type such as e2-standard-4")
	v.check(cl.MinNodes >= 1 && cl.MinNodes <= 1000, key, "minNodes", cl.MinNodes, "must be between 1 and 1000")
	v.check(cl.MaxNodes == 0 || (cl.MaxNodes >= cl.MinNodes && cl.MaxNodes <= 1000), key, "maxNodes", cl.MaxNodes,
		"must be 0 (from the capacity plan) or between minNodes (%d) and 1000", cl.MinNodes)
	v.oneOf(key, "releaseChannel", cl.ReleaseChannel, "RAPID", "REGULAR", "STABLE", "EXTENDED")
	v.check(cl.Kubeconfig == "" || c.Env == Local, key, "kubeconfig", cl.Kubeconfig, "only env local deploys to a kubeconfig's cluster")
	v.check(cl.DiskGB >= 10 && cl.DiskGB <= 65536, key, "diskGb", cl.DiskGB, "must be between 10 and 65536")
	v.check(!(cl.Spot && c.Env == Prd), key, "spot", cl.Spot,
		"spot nodes can be preempted at any moment: not for prd")
	v.check(len(cl.AuthorizedNetworks) <= 50, key, "authorizedNetworks", len(cl.AuthorizedNetworks),
		"at most 50 networks may reach the control plane")
	seen := map[string]bool{}
	for i, n := range cl.AuthorizedNetworks {
		field := fmt.Sprintf("authorizedNetworks[%d]", i)
		v.check(netNameSyntax.MatchString(n.Name), key, field+".name", n.Name,
			"must be a display name of letters, digits, spaces, _ . - (at most 64)")
		v.check(!seen[n.Name], key, field+".name", n.Name, "must be unique")
		seen[n.Name] = true
		p, err := netip.ParsePrefix(n.CIDR)
		switch {
		case err != nil || !p.Addr().Is4():
			v.ps.add(key, field+".cidr", n.CIDR, "must be an IPv4 CIDR such as 203.0.113.0/24")
		case p.Masked() != p:
			v.ps.add(key, field+".cidr", n.CIDR, "must be a network address (did you mean %s?)", p.Masked())
		case p.Bits() < 8:
			v.ps.add(key, field+".cidr", n.CIDR,
				"opens the control plane to the internet: authorize specific networks (at least a /8), never 0.0.0.0/0")
		}
	}
}

func (c *Config) validateDatabase(v *validator) {
	key, db := Key("database"), c.Database
	v.oneOf(key, "version", db.Version, "POSTGRES_14", "POSTGRES_15", "POSTGRES_16", "POSTGRES_17")
	if rule := tierProblem(db.Tier); rule != "" {
		v.ps.add(key, "tier", db.Tier, "%s", rule)
	} else if c.Env == Prd && (db.Tier == "db-f1-micro" || db.Tier == "db-g1-small") {
		v.ps.add(key, "tier", db.Tier, "shared-core tiers have no SLA: not for prd")
	}
	v.oneOf(key, "availability", db.Availability, "ZONAL", "REGIONAL")
	v.check(db.Host == "" || c.Env == Local, key, "host", db.Host, "only env local connects to a database by host (GCP stacks use Cloud SQL)")
	v.check(db.DiskGB >= 10 && db.DiskGB <= 65536, key, "diskGb", db.DiskGB, "must be between 10 and 65536")
	v.check(db.MaxConnections == 0 || (db.MaxConnections >= 14 && db.MaxConnections <= 262143), key,
		"maxConnections", db.MaxConnections, "must be 0 (from the plan) or between 14 and 262143")
}

// RedisVersions and EvictionPolicies are what django-gke:cache accepts.
var (
	RedisVersions    = []string{"REDIS_6_X", "REDIS_7_0", "REDIS_7_2"}
	EvictionPolicies = []string{"volatile-lru", "volatile-lfu", "volatile-ttl", "volatile-random", "noeviction"}
)

func (c *Config) validateCache(v *validator) {
	key, ca := Key("cache"), c.Cache
	v.oneOf(key, "tier", ca.Tier, CacheBasic, CacheStandardHA)
	v.check(!(ca.Enabled && c.Env == Prd && ca.Tier == CacheBasic), key, "tier", ca.Tier,
		"a BASIC instance is one node: its failure or maintenance empties the cache and moves every read to the database at once; prd uses STANDARD_HA")
	v.check(ca.MemorySizeGB >= 1 && ca.MemorySizeGB <= 300, key, "memorySizeGb", ca.MemorySizeGB, "must be between 1 and 300")
	v.oneOf(key, "redisVersion", ca.RedisVersion, RedisVersions...)
	v.check(ca.TTLSeconds >= 1 && ca.TTLSeconds <= 86400, key, "ttlSeconds", ca.TTLSeconds, "must be between 1 and 86400")
	v.oneOf(key, "evictionPolicy", ca.EvictionPolicy, EvictionPolicies...)
	v.check(ca.HitRatio.Sign() >= 0 && ca.HitRatio.Cmp(DecimalFromInt(1)) <= 0, key, "hitRatio", ca.HitRatio,
		"must be in [0, 1] (0 = the benchmark's measurement)")
	v.check(!(ca.Enabled && c.Env == Local), key, "enabled", ca.Enabled,
		"env local declares no cache server (infra/local.go lists what it stands in for); make local-up runs the pod with a real redis-server")
}

// tierProblem checks a Cloud SQL tier name; custom machines follow Cloud SQL's
// rules: 1 or an even number of vCPUs up to 96, 0.9–6.5 GB per vCPU, at least
// 3840 MB, a multiple of 256 MB.
func tierProblem(tier string) string {
	m := tierSyntax.FindStringSubmatch(tier)
	if strings.HasPrefix(tier, "db-perf-optimized-") {
		return "is an Enterprise Plus tier, which this program does not declare or price (edition ENTERPRISE): use db-custom-<vCPUs>-<MiB>"
	}
	if m == nil {
		return "must be a Cloud SQL Enterprise tier such as db-custom-2-7680 or db-g1-small"
	}
	if m[2] == "" {
		return ""
	}
	cpus, _ := strconv.Atoi(m[2])
	mb, _ := strconv.Atoi(m[3])
	switch {
	case cpus != 1 && (cpus%2 != 0 || cpus > 96 || cpus == 0):
		return "custom tiers have 1 or an even number of vCPUs up to 96"
	case mb%256 != 0:
		return "custom tier memory must be a multiple of 256 MB"
	case mb < 3840 || mb*10 < cpus*9216 || mb*10 > cpus*66560:
		return fmt.Sprintf("custom tier memory must be at least 3840 MB and 0.9–6.5 GB per vCPU (at most %d MB for %d vCPUs)",
			cpus*6656, cpus)
	}
	return ""
}

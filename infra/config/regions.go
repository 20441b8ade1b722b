package config

import (
	"fmt"
	"math/big"
	"net/netip"
	"strings"
)

// continents are the first word of Google Cloud region names and their short
// codes. A region's resources are named by its code (RegionCode), never by
// its position in regions.list: a failover reorders the list, and nothing may
// be renamed (a rename is a replacement) when it does.
var continents = map[string]string{
	"africa":       "af",
	"asia":         "as",
	"australia":    "au",
	"europe":       "eu",
	"me":           "me",
	"northamerica": "na",
	"southamerica": "sa",
	"us":           "us",
}

// directions are the second word's compass part.
var directions = map[string]string{
	"central": "c", "east": "e", "west": "w", "north": "n", "south": "s",
	"northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw",
}

// RegionCode is a region's short name in resource names: europe-west1 →
// euw1, us-central1 → usc1, northamerica-northeast2 → nane2. Distinct regions
// have distinct codes.
func RegionCode(region string) (string, error) {
	continent, rest, ok := strings.Cut(region, "-")
	if !ok || !regionSyntax.MatchString(region) {
		return "", fmt.Errorf("%q is not a Google Cloud region such as europe-west1", region)
	}
	c, ok := continents[continent]
	if !ok {
		return "", fmt.Errorf("%q: unknown continent %q (known: africa, asia, australia, europe, me, northamerica, southamerica, us)", region, continent)
	}
	word := strings.TrimRight(rest, "0123456789")
	d, ok := directions[word]
	if !ok {
		return "", fmt.Errorf("%q: unknown direction %q", region, word)
	}
	return c + d + rest[len(word):], nil
}

// Continent is the region's continent code (eu, us, na…), for inter-region prices.
func Continent(region string) string {
	continent, _, _ := strings.Cut(region, "-")
	return continents[continent]
}

func (c *Config) validateRegions(v *validator) {
	key, r := Key("regions"), c.Regions
	for _, f := range []struct {
		name  string
		value Decimal
	}{{"writeShare", r.WriteShare}, {"walKbPerWrite", r.WALKBPerWrite}, {"crossRegionKbPerWrite", r.CrossRegionKBPerWrite}} {
		v.check(f.value.Sign() >= 0, key, f.name, f.value, "must be ≥ 0")
	}
	v.check(r.WriteShare.Rat().Cmp(big.NewRat(1, 1)) <= 0, key, "writeShare", r.WriteShare, "must be in [0, 1]")
	if len(r.List) == 0 {
		v.check(r.ConfigRegion == "", key, "configRegion", r.ConfigRegion, "needs regions.list (one region is gcp:region alone)")
		return
	}
	if len(r.List) == 1 {
		v.ps.add(key, "list", r.List[0].Region, "list two regions or more (a single region is gcp:region, with regions.list empty)")
	}
	for i, reg := range r.List {
		if reg.Lost {
			v.check(i > 0, key, fmt.Sprintf("list[%d].lost", i), reg.Lost,
				"the first region holds the primary database and cannot be lost: move a surviving region first (README \"Regional failover\")")
		}
	}
	if c.Env == Local {
		c.validateLocalRegions(v)
		return
	}
	// Every range of every region, and the VPC-wide private services range,
	// share one VPC: none may overlap another.
	type named struct {
		field  string
		value  string
		prefix netip.Prefix
	}
	var ranges []named
	if p, err := netip.ParsePrefix(c.Network.PrivateServicesCIDR); err == nil {
		ranges = append(ranges, named{"network.privateServicesCidr", c.Network.PrivateServicesCIDR, p})
	}
	seen, codes := map[string]bool{}, map[string]string{}
	share := new(big.Rat)
	for i, reg := range r.List {
		field := fmt.Sprintf("list[%d]", i)
		code, err := RegionCode(reg.Region)
		switch {
		case err != nil:
			v.ps.add(key, field+".region", reg.Region, "%s", err.Error())
		case seen[reg.Region]:
			v.ps.add(key, field+".region", reg.Region, "is listed twice")
		case codes[code] != "":
			v.ps.add(key, field+".region", reg.Region, "has the same short name %q as %s", code, codes[code])
		default:
			codes[code] = reg.Region
		}
		seen[reg.Region] = true
		v.check(reg.Kubeconfig == "", key, field+".kubeconfig", reg.Kubeconfig,
			"is env local's (a GKE region's cluster is declared by the program): remove it")
		s := reg.TrafficShare.Rat()
		v.check(s.Sign() > 0 && s.Cmp(big.NewRat(1, 1)) <= 0, key, field+".trafficShare", reg.TrafficShare, "must be in (0, 1]")
		share.Add(share, s)
		for _, rg := range []struct {
			name, value    string
			minLen, maxLen int
		}{
			{"cidr", reg.CIDR, 8, 28}, {"podsCidr", reg.PodsCIDR, 8, 21},
			{"servicesCidr", reg.ServicesCIDR, 8, 27}, {"masterCidr", reg.MasterCIDR, 28, 28},
		} {
			name := field + "." + rg.name
			p, ok := v.privateRange(key, name, rg.value, rg.minLen, rg.maxLen)
			if !ok {
				continue
			}
			for _, other := range ranges {
				if other.prefix.Overlaps(p) {
					v.ps.add(key, name, rg.value, "overlaps %s (%s)", other.field, other.value)
				}
			}
			ranges = append(ranges, named{"regions." + name, rg.value, p})
		}
	}
	if len(r.List) > 1 && share.Cmp(big.NewRat(1, 1)) != 0 {
		v.ps.add(key, "list", share.FloatString(4), "the trafficShares must sum to 1")
	}
	v.check(seen[c.Region], KeyRegion, "", c.Region,
		"must be one of regions.list (%s): it holds the stack's registry and is the config cluster's default", strings.Join(c.RegionNames(), ", "))
	if r.ConfigRegion != "" {
		v.check(seen[r.ConfigRegion], key, "configRegion", r.ConfigRegion, "must be one of regions.list (%s)", strings.Join(c.RegionNames(), ", "))
	}
	v.check(c.Regional(), Key("cluster"), "location", c.Cluster.Location,
		"with regions.list every region runs a regional cluster: set it to a region (the regions' own names are used)")
	v.check(!c.Cache.Enabled, Key("cache"), "enabled", c.Cache.Enabled,
		"is not supported with regions.list yet: a write invalidates only its own region's cache, so the other regions would serve pages up to ttlSeconds stale; set false")
	v.check(!c.App.CDN, Key("app"), "cdn", c.App.CDN,
		"is not supported with regions.list: Cloud CDN is set on the single-region Ingress's BackendConfig, and the multi-cluster Gateway's GCPBackendPolicy here carries none, so it would be silently ignored; set false")
	v.check(c.Release.Strategy == Rolling, Key("release"), "strategy", c.Release.Strategy,
		"with regions.list only rolling is supported (the multi-cluster Gateway routes to one exported Service per region)")
}

// validateLocalRegions: env local serves "regions" from one cluster each,
// named by a kubeconfig; the ranges are GCP's and play no part.
func (c *Config) validateLocalRegions(v *validator) {
	key := Key("regions")
	seen := map[string]bool{}
	share := new(big.Rat)
	for i, reg := range c.Regions.List {
		field := fmt.Sprintf("list[%d]", i)
		if _, err := RegionCode(reg.Region); err != nil {
			v.ps.add(key, field+".region", reg.Region, "%s", err.Error())
		}
		v.check(!seen[reg.Region], key, field+".region", reg.Region, "is listed twice")
		seen[reg.Region] = true
		v.check(reg.Kubeconfig != "", key, field+".kubeconfig", reg.Kubeconfig,
			"env local needs each region's cluster: a kubeconfig path (scripts/cluster/up.sh with CLUSTER_NAME starts another)")
		for _, rg := range []struct{ name, value string }{
			{"cidr", reg.CIDR}, {"podsCidr", reg.PodsCIDR}, {"servicesCidr", reg.ServicesCIDR}, {"masterCidr", reg.MasterCIDR},
		} {
			v.check(rg.value == "", key, field+"."+rg.name, rg.value, "is a GCP range; env local declares no network: remove it")
		}
		s := reg.TrafficShare.Rat()
		v.check(s.Sign() > 0 && s.Cmp(big.NewRat(1, 1)) <= 0, key, field+".trafficShare", reg.TrafficShare, "must be in (0, 1]")
		share.Add(share, s)
	}
	if share.Cmp(big.NewRat(1, 1)) != 0 {
		v.ps.add(key, "list", share.FloatString(4), "the trafficShares must sum to 1")
	}
	v.check(c.Cluster.Kubeconfig == "", Key("cluster"), "kubeconfig", c.Cluster.Kubeconfig,
		"with regions.list each region names its own cluster (regions.list[].kubeconfig): remove it")
	v.check(c.Regions.ConfigRegion == "", key, "configRegion", c.Regions.ConfigRegion, "env local has no fleet: remove it")
}

// RegionNames lists the serving regions in order (gcp:region alone without a list).
func (c *Config) RegionNames() []string {
	if !c.MultiRegion() {
		return []string{c.Region}
	}
	out := make([]string, len(c.Regions.List))
	for i, r := range c.Regions.List {
		out[i] = r.Region
	}
	return out
}

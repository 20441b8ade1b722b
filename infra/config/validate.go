package config

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

var (
	projectIDSyntax   = regexp.MustCompile(`^[a-z][a-z0-9-]{4,28}[a-z0-9]$`)
	regionSyntax      = regexp.MustCompile(`^[a-z]+-[a-z]+[0-9]+$`)
	machineTypeSyntax = regexp.MustCompile(`^[a-z][a-z0-9]*-[a-z0-9]+(-[0-9]+){0,2}$`)
	netNameSyntax     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$`)
	tierSyntax        = regexp.MustCompile(`^db-(f1-micro|g1-small|custom-([0-9]{1,2})-([0-9]{3,6})|perf-optimized-N-([0-9]{1,2}))$`)
	repositorySyntax  = regexp.MustCompile(`^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`)
	imageRefSyntax    = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9._-]+)+@sha256:[a-f0-9]{64}$`)
	stackNameSyntax   = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	hostnameSyntax    = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	envVarSyntax      = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)
	emailSyntax       = regexp.MustCompile(`^[^@\s]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$`)
	pathSyntax        = regexp.MustCompile(`^/[A-Za-z0-9/_.~-]*$`)
	contextSyntax     = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_./-]*$`)
)

// ReservedSettings are environment variables the program itself sets on the
// app; app.settings may not override them.
var ReservedSettings = []string{
	"DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DJANGO_DEBUG", "DATABASE_URL",
	"DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD", "GUNICORN_WORKERS",
}

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
	c.validateImage(&v)
	c.validateApp(&v)
	c.validateCapacity(&v)
	c.validateCost(&v)
	c.validateMonitoring(&v)
	c.validateRelease(&v)
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
		p, err := netip.ParsePrefix(r.value)
		switch {
		case err != nil || !p.Addr().Is4():
			v.ps.add(key, r.field, r.value, "must be an IPv4 CIDR such as 10.10.0.0/20")
		case p.Masked() != p:
			v.ps.add(key, r.field, r.value, "must be a network address (did you mean %s?)", p.Masked())
		case !p.Addr().IsPrivate():
			v.ps.add(key, r.field, r.value, "must be a private (RFC 1918) range")
		case p.Bits() < r.minLen || p.Bits() > r.maxLen:
			if r.minLen == r.maxLen {
				v.ps.add(key, r.field, r.value, "must be a /%d", r.minLen)
			} else {
				v.ps.add(key, r.field, r.value, "prefix length must be between /%d and /%d", r.minLen, r.maxLen)
			}
		default:
			r.prefix, r.parsedOkay = p, true
		}
	}
	for i, a := range ranges {
		for _, b := range ranges[i+1:] {
			if a.parsedOkay && b.parsedOkay && a.prefix.Overlaps(b.prefix) {
				v.ps.add(key, b.field, b.value, "overlaps %s (%s)", a.field, a.value)
			}
		}
	}
}

func (c *Config) validateCluster(v *validator) {
	key, cl := Key("cluster"), c.Cluster
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

// tierProblem checks a Cloud SQL tier name; custom machines follow Cloud SQL's
// rules: 1 or an even number of vCPUs up to 96, 0.9–6.5 GB per vCPU, at least
// 3840 MB, a multiple of 256 MB.
func tierProblem(tier string) string {
	m := tierSyntax.FindStringSubmatch(tier)
	if m == nil {
		return "must be a Cloud SQL tier such as db-custom-2-7680, db-perf-optimized-N-8, db-g1-small"
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

func (c *Config) validateImage(v *validator) {
	key, im := Key("image"), c.Image
	v.check(contextSyntax.MatchString(im.Context) && !strings.Contains(im.Context, ".."), key, "context", im.Context,
		"must be a relative path inside the repository, such as app")
	v.check(repositorySyntax.MatchString(im.Repository), key, "repository", im.Repository,
		"must be an Artifact Registry repository id (lowercase letters, digits, hyphens; at most 63)")
	if im.Ref != "" && c.Env != Local {
		v.check(imageRefSyntax.MatchString(im.Ref), key, "ref", im.Ref,
			"must be a full image reference pinned by digest: <registry>/<path>@sha256:<64 hex digits>")
	}
	if im.PromoteFrom != "" {
		v.check(stackNameSyntax.MatchString(im.PromoteFrom), key, "promoteFrom", im.PromoteFrom,
			"must be a fully qualified stack name <org>/<project>/<stack>, e.g. organization/django-gke/dev")
	}
	switch {
	case c.Env == Local:
		v.check(!im.Build && im.PromoteFrom == "", key, "", map[string]any{"build": im.Build, "promoteFrom": im.PromoteFrom},
			"env local deploys image.ref: it neither builds nor promotes")
	case im.Build && c.Env != Dev:
		v.ps.add(key, "build", im.Build,
			"stg and prd never build: they deploy the digest of the stack in promoteFrom, or the pinned ref")
	case im.Build && im.Ref != "":
		v.ps.add(key, "ref", im.Ref, "a stack that builds its image cannot also pin a ref (set build false)")
	case im.Build && im.PromoteFrom != "":
		v.ps.add(key, "promoteFrom", im.PromoteFrom, "a stack that builds its image cannot also promote one (set build false)")
	case !im.Build && im.Ref == "" && im.PromoteFrom == "":
		v.ps.add(key, "", map[string]any{"build": false, "promoteFrom": "", "ref": ""},
			"the stack needs an image: set build true (dev), promoteFrom, or ref")
	}
}

func (c *Config) validateApp(v *validator) {
	key, app := Key("app"), c.App
	if app.Hostname != "" {
		v.check(hostnameSyntax.MatchString(app.Hostname) && len(app.Hostname) <= 253, key, "hostname", app.Hostname,
			"must be a lowercase DNS name such as www.example.com (or empty for the load balancer's IP)")
	}
	if milli, err := MilliCPU(app.CPU); err != nil {
		v.ps.add(key, "cpu", app.CPU, "%s", err.Error())
	} else {
		v.check(milli >= 100 && milli <= 16000, key, "cpu", app.CPU, "must be between 100m and 16")
	}
	if b, err := MemoryBytes(app.Memory); err != nil {
		v.ps.add(key, "memory", app.Memory, "%s", err.Error())
	} else {
		v.check(b >= 128<<20 && b <= 64<<30, key, "memory", app.Memory, "must be between 128Mi and 64Gi")
	}
	v.check(app.GunicornWorkers >= 0 && app.GunicornWorkers <= 64, key, "gunicornWorkers", app.GunicornWorkers,
		"must be 0 (from cpu) or between 1 and 64")
	v.check(app.GunicornThreads >= 1 && app.GunicornThreads <= 16, key, "gunicornThreads", app.GunicornThreads,
		"must be between 1 and 16")
	v.check(app.MinReplicas >= 1 && app.MinReplicas <= 1000, key, "minReplicas", app.MinReplicas,
		"must be between 1 and 1000")
	if c.Env == Prd {
		v.check(app.MinReplicas >= c.Zones(), key, "minReplicas", app.MinReplicas,
			"prd keeps at least one replica per zone (%d zones)", c.Zones())
	}
	if app.SecurityPolicy != "" {
		v.check(repositorySyntax.MatchString(app.SecurityPolicy), key, "securityPolicy", app.SecurityPolicy,
			"must be the name of a Cloud Armor security policy (lowercase letters, digits, hyphens)")
	}
	for _, name := range sortedKeys(app.Settings) {
		field := "settings." + name
		switch {
		case !envVarSyntax.MatchString(name):
			v.ps.add(key, field, app.Settings[name], "the name must be an environment variable name (A-Z, 0-9, _)")
		case slices.Contains(ReservedSettings, name):
			v.ps.add(key, field, app.Settings[name], "%s is set by the program and cannot be overridden", name)
		case secretLooking.MatchString(name):
			v.ps.add(key, field, "[redacted]",
				"%s looks like a secret: secrets never go in plain stack config or ConfigMaps", name)
		}
	}
}

func (c *Config) validateCapacity(v *validator) {
	key, cp := Key("capacity"), c.Capacity
	positive := func(field string, d Decimal) { v.check(d.Sign() > 0, key, field, d, "must be > 0") }
	nonNegative := func(field string, d Decimal) { v.check(d.Sign() >= 0, key, field, d, "must be >= 0") }
	positive("targetRps", cp.TargetRPS)
	v.check(cp.TargetRPS.Cmp(MustDecimal("10000000")) <= 0, key, "targetRps", cp.TargetRPS, "must be <= 10000000")
	// Zero with no source: the measurement could not be scaled (app.cpu is reported instead).
	unresolved := cp.PodTPS.IsZero() && cp.PodTPSSource == ""
	v.check(unresolved || cp.PodTPS.Sign() > 0, key, "podTps", cp.PodTPS, "must be > 0, or 0 for the benchmark's measurement (make bench)")
	positive("complexity", cp.Complexity)
	v.check(cp.PodsPerNode >= 0 && cp.PodsPerNode <= 110, key, "podsPerNode", cp.PodsPerNode,
		"must be 0 (from the machine type) or between 1 and 110 (GKE's pods-per-node limit)")
	v.check(cp.TargetUtilization.Sign() > 0 && cp.TargetUtilization.Cmp(DecimalFromInt(1)) <= 0, key,
		"targetUtilization", cp.TargetUtilization, "must be in (0, 1]")
	nonNegative("avgResponseKb", cp.AvgResponseKB)
	nonNegative("avgLogKb", cp.AvgLogKB)
	v.check(cp.StaticShare.Sign() >= 0 && cp.StaticShare.Cmp(DecimalFromInt(1)) < 0, key, "staticShare", cp.StaticShare, "must be in [0, 1)")
	v.check(cp.PeakHoursPerDay.Sign() > 0 && cp.PeakHoursPerDay.Cmp(DecimalFromInt(24)) <= 0, key, "peakHoursPerDay",
		cp.PeakHoursPerDay, "must be in (0, 24]")
	v.check(cp.OffPeakFraction.Sign() >= 0 && cp.OffPeakFraction.Cmp(DecimalFromInt(1)) <= 0, key, "offPeakFraction",
		cp.OffPeakFraction, "must be in [0, 1]")
	switch {
	case cp.Zones < 0 || cp.Zones > 4:
		v.ps.add(key, "zones", cp.Zones, "must be 0 (from cluster.location) or between 1 and 4")
	case cp.Zones > 1 && !c.Regional():
		v.ps.add(key, "zones", cp.Zones, "a zonal cluster (%s) has 1 zone", c.Cluster.Location)
	case cp.Zones == 1 && c.Regional():
		v.ps.add(key, "zones", cp.Zones, "a regional cluster (%s) spans at least 2 zones", c.Cluster.Location)
	}
}

func (c *Config) validateCost(v *validator) {
	key, co := Key("cost"), c.Cost
	for _, f := range []struct {
		field string
		value Decimal
	}{
		{"nodeUsdPerHour", co.NodeUSDPerHour}, {"databaseUsdPerHour", co.DatabaseUSDPerHour},
		{"loadBalancerUsdPerHour", co.LoadBalancerUSDPerHour}, {"loggingUsdPerGib", co.LoggingUSDPerGiB},
		{"egressUsdPerGib", co.EgressUSDPerGiB}, {"internalUsdPerGib", co.InternalUSDPerGiB},
		{"domainUsdPerYear", co.DomainUSDPerYear},
	} {
		v.check(f.value.Sign() >= 0, key, f.field, f.value, "must be >= 0 (0 = list price)")
	}
}

func (c *Config) validateMonitoring(v *validator) {
	key, m := Key("monitoring"), c.Monitoring
	switch {
	case m.AlertEmail != "":
		v.check(emailSyntax.MatchString(m.AlertEmail), key, "alertEmail", m.AlertEmail, "must be an email address")
	case c.Env == Stg || c.Env == Prd:
		v.ps.add(key, "alertEmail", m.AlertEmail, "stg and prd page someone: set the address alerts go to")
	}
	v.check(pathSyntax.MatchString(m.UptimePath), key, "uptimePath", m.UptimePath, "must be a URL path such as /healthz")
	v.check(m.SLOTarget.Cmp(MustDecimal("0.9")) >= 0 && m.SLOTarget.Cmp(MustDecimal("0.99999")) <= 0, key, "sloTarget",
		m.SLOTarget, "must be between 0.9 and 0.99999 (e.g. 0.999 for 99.9 %)")
	for _, r := range []struct {
		field string
		value Decimal
	}{{"errorRatio", m.ErrorRatio}, {"sqlCpuRatio", m.SQLCPURatio}, {"sqlDiskRatio", m.SQLDiskRatio}, {"sqlConnectionsRatio", m.SQLConnectionsRatio}} {
		v.check(r.value.Sign() > 0 && r.value.Cmp(DecimalFromInt(1)) < 0, key, r.field, r.value, "must be in (0, 1)")
	}
	v.check(m.LatencyP95Ms > 0 && m.LatencyP95Ms <= 60000, key, "latencyP95Ms", m.LatencyP95Ms, "must be between 1 and 60000")
	v.check(m.LatencyP99Ms >= m.LatencyP95Ms && m.LatencyP99Ms <= 60000, key, "latencyP99Ms", m.LatencyP99Ms,
		"must be between latencyP95Ms (%d) and 60000", m.LatencyP95Ms)
	v.check(m.RestartsPerHour >= 1 && m.RestartsPerHour <= 1000, key, "restartsPerHour", m.RestartsPerHour, "must be between 1 and 1000")
	v.check(m.HPAAtMaxMinutes >= 1 && m.HPAAtMaxMinutes <= 1440, key, "hpaAtMaxMinutes", m.HPAAtMaxMinutes, "must be between 1 and 1440")
	v.check(m.AppErrorsPerMinute >= 1 && m.AppErrorsPerMinute <= 100000, key, "appErrorsPerMinute", m.AppErrorsPerMinute,
		"must be between 1 and 100000")
	v.check(m.LogRetentionDays >= 1 && m.LogRetentionDays <= 3650, key, "logRetentionDays", m.LogRetentionDays, "must be between 1 and 3650")
}

func (c *Config) validateRelease(v *validator) {
	key := Key("release")
	v.oneOf(key, "strategy", c.Release.Strategy, Rolling, BlueGreen)
	v.oneOf(key, "activeColor", c.Release.ActiveColor, Blue, Green)
	for _, color := range []struct {
		field string
		image string
	}{{"blue.image", c.Release.Blue.Image}, {"green.image", c.Release.Green.Image}} {
		if color.image != "" {
			v.check(imageRefSyntax.MatchString(color.image), key, color.field, color.image,
				"must be a full image reference pinned by digest: <registry>/<path>@sha256:<64 hex digits>")
		}
	}
	blueGreenOnly := func(field string, set bool, value any) {
		v.check(!set || c.Release.Strategy == BlueGreen, key, field, value, "only means something with strategy blueGreen")
	}
	blueGreenOnly("blue.image", c.Release.Blue.Image != "", c.Release.Blue.Image)
	blueGreenOnly("green.image", c.Release.Green.Image != "", c.Release.Green.Image)
	blueGreenOnly("inactiveAtMinimum", c.Release.InactiveAtMinimum, c.Release.InactiveAtMinimum)
	if h := c.Release.PreviewHostname; h != "" {
		blueGreenOnly("previewHostname", true, h)
		v.check(hostnameSyntax.MatchString(h), key, "previewHostname", h, "must be a lowercase DNS name such as preview.example.com")
		v.check(c.App.Hostname != "" && h != c.App.Hostname, key, "previewHostname", h,
			"needs app.hostname set (the certificate covers both) and must differ from it")
	}
}

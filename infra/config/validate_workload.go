package config

import (
	"slices"
	"strings"

	"django-gke/components/podenv"
)

// The rules of the keys the workload and its operation read: image, app,
// capacity, cost, monitoring and release (validate.go has the platform's).

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
	v.check(pinnedImageSyntax.MatchString(im.Nginx), key, "nginx", im.Nginx,
		"must be an image pinned by digest, <image>[:<tag>]@sha256:<64 hex digits> (e.g. a copy in your Artifact Registry)")
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
		case slices.Contains(podenv.Reserved, name):
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
		{"domainUsdPerYear", co.DomainUSDPerYear}, {"cacheUsdPerGbHour", co.CacheUSDPerGBHour},
	} {
		v.check(f.value.Sign() >= 0, key, f.field, f.value, "must be >= 0 (0 = list price)")
	}
	// The keys are the capacity model's (make capacity COMPARE=1 refuses an unknown one).
	for _, k := range sortedKeys(co.PlatformPrices) {
		v.check(co.PlatformPrices[k].Sign() >= 0, key, "platformPrices."+k, co.PlatformPrices[k], "must be >= 0 (0 = list price)")
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
	}{{"errorRatio", m.ErrorRatio}, {"sqlCpuRatio", m.SQLCPURatio}, {"sqlDiskRatio", m.SQLDiskRatio}, {"sqlConnectionsRatio", m.SQLConnectionsRatio}, {"cacheMemoryRatio", m.CacheMemoryRatio}} {
		v.check(r.value.Sign() > 0 && r.value.Cmp(DecimalFromInt(1)) < 0, key, r.field, r.value, "must be in (0, 1)")
	}
	v.check(m.LatencyP95Ms > 0 && m.LatencyP95Ms <= 60000, key, "latencyP95Ms", m.LatencyP95Ms, "must be between 1 and 60000")
	v.check(m.LatencyP99Ms >= m.LatencyP95Ms && m.LatencyP99Ms <= 60000, key, "latencyP99Ms", m.LatencyP99Ms,
		"must be between latencyP95Ms (%d) and 60000", m.LatencyP95Ms)
	v.check(m.RestartsPerHour >= 1 && m.RestartsPerHour <= 1000, key, "restartsPerHour", m.RestartsPerHour, "must be between 1 and 1000")
	v.check(m.HPAAtMaxMinutes >= 1 && m.HPAAtMaxMinutes <= 1440, key, "hpaAtMaxMinutes", m.HPAAtMaxMinutes, "must be between 1 and 1440")
	v.check(m.CacheEvictionsPerSecond.Sign() > 0, key, "cacheEvictionsPerSecond", m.CacheEvictionsPerSecond, "must be > 0")
	v.check(m.AppErrorsPerMinute >= 1 && m.AppErrorsPerMinute <= 100000, key, "appErrorsPerMinute", m.AppErrorsPerMinute,
		"must be between 1 and 100000")
	v.check(m.ReplicaLagSeconds >= 1 && m.ReplicaLagSeconds <= 86400, key, "replicaLagSeconds", m.ReplicaLagSeconds, "must be between 1 and 86400")
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

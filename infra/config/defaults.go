package config

// DefaultRegion is used when a stack sets no gcp:region.
const DefaultRegion = "us-central1"

// Defaults returns the per-field defaults of an environment. A stack file's
// object replaces Pulumi.yaml's default object wholesale (Pulumi does not
// deep-merge config objects), so field defaults live here and the loader
// overlays only the fields a stack sets.
//
//   - dev: zonal, small, cheap (spot nodes), destroyable, no deletion protection.
//   - stg: production-shaped (regional, private, PITR) but small.
//   - prd: regional, HA database, deletion protection on, sized for 10,000 req/s.
func Defaults(env Env, region string) Config {
	if region == "" {
		region = DefaultRegion
	}
	c := Config{
		Region: region,
		Env:    env,
		Network: Network{
			CIDR:         "10.10.0.0/20",
			PodsCIDR:     "10.16.0.0/14",
			ServicesCIDR: "10.20.0.0/20",
			MasterCIDR:   "172.16.0.0/28",
			// Room for Cloud SQL's private IPs (and other producer services) beside the cluster's ranges.
			PrivateServicesCIDR: "10.24.0.0/20",
		},
		Cluster: Cluster{
			Location:           region,
			MachineType:        "e2-standard-4",
			MinNodes:           3,
			MaxNodes:           0,
			ReleaseChannel:     "REGULAR",
			Access:             AccessConnectGateway,
			AuthorizedNetworks: []AuthorizedNetwork{},
			DeletionProtection: false,
			Spot:               false,
			DiskGB:             50,
		},
		Database: Database{
			Version:             "POSTGRES_16",
			Tier:                "db-custom-2-7680",
			Availability:        "ZONAL",
			DiskGB:              20,
			PointInTimeRecovery: true,
			DeletionProtection:  false,
			MaxConnections:      0,
		},
		Cache: Cache{
			Enabled:        false,
			Tier:           CacheBasic,
			MemorySizeGB:   1,
			RedisVersion:   "REDIS_7_2",
			TTLSeconds:     60,
			EvictionPolicy: "volatile-lru",
			// 0: make bench's readers and voters (infra/config/podtps.json).
		},
		Image: Image{
			Build:      false,
			Context:    "app",
			Repository: "django-gke",
			Nginx:      DefaultNginxImage,
		},
		App: App{
			CPU:             "500m",
			Memory:          "512Mi",
			GunicornWorkers: 0,
			GunicornThreads: 2,
			MinReplicas:     2,
			Settings:        map[string]string{},
		},
		Capacity: Capacity{
			TargetRPS:         MustDecimal("200"),
			PodTPS:            Decimal{}, // from the benchmark (see Load)
			Complexity:        MustDecimal("1"),
			PodsPerNode:       0,
			TargetUtilization: MustDecimal("0.7"),
			Zones:             0,
			AvgResponseKB:     MustDecimal("20"),
			AvgLogKB:          MustDecimal("1"),
			StaticShare:       MustDecimal("0.3"),
			PeakHoursPerDay:   MustDecimal("6"),
			OffPeakFraction:   MustDecimal("0.3"),
		},
		Monitoring: Monitoring{
			UptimePath:          "/healthz",
			SLOTarget:           MustDecimal("0.995"),
			ErrorRatio:          MustDecimal("0.05"),
			LatencyP95Ms:        1500,
			LatencyP99Ms:        3000,
			RestartsPerHour:     5,
			HPAAtMaxMinutes:     30,
			SQLCPURatio:         MustDecimal("0.9"),
			SQLDiskRatio:        MustDecimal("0.9"),
			SQLConnectionsRatio: MustDecimal("0.9"),
			CacheMemoryRatio:    MustDecimal("0.9"),
			// Evictions beyond a trickle mean entries die before their TTL: a smaller hit ratio than planned.
			CacheEvictionsPerSecond: MustDecimal("5"),
			AppErrorsPerMinute:      30,
			ReplicaLagSeconds:       30,
			LogRetentionDays:        30,
		},
		Release: Release{Strategy: Rolling, ActiveColor: Blue},
		Cost:    Cost{PlatformPrices: map[string]Decimal{}},
		Regions: Regions{
			List:              []Region{},
			SurviveRegionLoss: true,
			// The benchmark's readers-and-voters mix: one vote in 100 requests.
			WriteShare:            MustDecimal("0.01"),
			WALKBPerWrite:         MustDecimal("8"),
			CrossRegionKBPerWrite: MustDecimal("16"),
		},
	}
	switch env {
	case Local:
		// dev's sizes; no GCP: the image and the database come from the stack file.
		c.Cluster.Location = region + "-b"
		c.Cluster.MachineType = "e2-standard-2"
		c.Cluster.MinNodes = 1
		c.Database.Tier = "db-custom-1-3840"
		c.Database.Port = 5432
		c.App.CPU = "250m"
		c.App.MinReplicas = 2
		c.Capacity.TargetRPS = MustDecimal("20")
		c.Monitoring.LogRetentionDays = 7
	case Dev:
		// A zonal cluster costs one control plane fee less and starts faster.
		c.Cluster.Location = region + "-b"
		c.Cluster.MachineType = "e2-standard-2"
		c.Cluster.MinNodes = 1
		c.Cluster.Spot = true
		c.Cluster.DiskGB = 30
		c.Database.Tier = "db-custom-1-3840"
		c.Database.DiskGB = 10
		c.Database.PointInTimeRecovery = false
		c.Image.Build = true
		c.App.CPU = "250m"
		c.App.MinReplicas = 1
		c.Capacity.TargetRPS = MustDecimal("20")
		c.Monitoring.LogRetentionDays = 7
	case Stg:
		c.Cache.Enabled = true
		c.Image.PromoteFrom = "organization/django-gke/dev"
	case Prd:
		c.Cluster.MachineType = "n2-standard-4"
		c.Cluster.DeletionProtection = true
		c.Cluster.DiskGB = 100
		// Room for the connections of a plan at half the measured TPS (see make capacity).
		c.Database.Tier = "db-custom-8-32768"
		c.Database.Availability = "REGIONAL"
		c.Database.DiskGB = 100
		c.Database.DeletionProtection = true
		// Sessions for a prd-sized audience fit in 5 GB beside the cached pages (~1 KB a session).
		c.Cache.Enabled = true
		c.Cache.Tier = CacheStandardHA
		c.Cache.MemorySizeGB = 5
		c.Image.PromoteFrom = "organization/django-gke/stg"
		c.App.CPU = "1"
		c.App.Memory = "1Gi"
		c.App.MinReplicas = 3
		c.Capacity.TargetRPS = MustDecimal("10000")
		// prd pages on tighter thresholds than stg.
		c.Monitoring.SLOTarget = MustDecimal("0.999")
		c.Monitoring.ErrorRatio = MustDecimal("0.02")
		c.Monitoring.LatencyP95Ms = 800
		c.Monitoring.LatencyP99Ms = 1500
		c.Monitoring.RestartsPerHour = 3
		c.Monitoring.HPAAtMaxMinutes = 15
		c.Monitoring.SQLCPURatio = MustDecimal("0.8")
		c.Monitoring.SQLDiskRatio = MustDecimal("0.85")
		c.Monitoring.SQLConnectionsRatio = MustDecimal("0.8")
		c.Monitoring.AppErrorsPerMinute = 10
		c.Monitoring.LogRetentionDays = 90
	}
	return c
}

// DefaultNginxImage is the pod's nginx: nginx-unprivileged from Docker Hub,
// pinned by digest (a moved tag cannot change what runs). A fork that mirrors
// it sets django-gke:image.nginx to its copy (README "Mirroring the nginx image").
const DefaultNginxImage = "nginxinc/nginx-unprivileged:1.27.3-alpine@sha256:9e7238f579a54582263a960d1b0094b4a3ecce641342eda3f8e2ff82b1703d2b"

// The ways `pulumi up` reaches a cluster's control plane (django-gke:cluster.access).
const (
	AccessConnectGateway     = "connectGateway"
	AccessAuthorizedNetworks = "authorizedNetworks"
)

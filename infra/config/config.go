// Package config is the typed stack configuration of django-gke: one struct per
// concern, environment defaults, a strict decoder and a validator that reports
// every problem at once. It has no Pulumi resource types, so it is cheap to test
// and to fuzz.
package config

// Namespace is the project's configuration namespace (the Pulumi project name).
const Namespace = "django-gke"

// Env selects the per-field defaults of every other key.
type Env string

// The environments this program knows. A stack name may differ from its env
// (e.g. a second production stack "prd-eu" with env prd).
const (
	Dev Env = "dev"
	Stg Env = "stg"
	Prd Env = "prd"
)

// Local targets any Kubernetes cluster from a kubeconfig (a local control
// plane, kind, minikube…) instead of creating GCP resources.
const Local Env = "local"

// Envs lists the GCP environments in promotion order.
var Envs = []Env{Dev, Stg, Prd}

// Config is the whole stack configuration after defaults and validation.
type Config struct {
	// Project is gcp:project, the Google Cloud project every resource lives in.
	Project string
	// Region is gcp:region.
	Region string

	// Env is django-gke:env; the other project keys are objects, named by
	// their key tag (their fields by their json tags).
	Env        Env
	Network    Network    `key:"network"`
	Cluster    Cluster    `key:"cluster"`
	Database   Database   `key:"database"`
	Cache      Cache      `key:"cache"`
	Image      Image      `key:"image"`
	App        App        `key:"app"`
	Capacity   Capacity   `key:"capacity"`
	Cost       Cost       `key:"cost"`
	Monitoring Monitoring `key:"monitoring"`
	Release    Release    `key:"release"`
	Regions    Regions    `key:"regions"`
}

// Network is django-gke:network: the VPC's address plan.
type Network struct {
	// CIDR is the node subnet's primary range.
	CIDR string `json:"cidr"`
	// PodsCIDR is the subnet's secondary range for pod IPs (VPC-native).
	PodsCIDR string `json:"podsCidr"`
	// ServicesCIDR is the subnet's secondary range for ClusterIP services.
	ServicesCIDR string `json:"servicesCidr"`
	// MasterCIDR is the /28 the GKE control plane's private endpoint uses.
	MasterCIDR string `json:"masterCidr"`
	// PrivateServicesCIDR is the range peered to Google's service producer
	// network, where Cloud SQL's private IPs live (/16 to /24). Explicit, so
	// Google never allocates one that collides with the ranges above.
	PrivateServicesCIDR string `json:"privateServicesCidr"`
}

// AuthorizedNetwork may reach the cluster's public control-plane endpoint.
type AuthorizedNetwork struct {
	Name string `json:"name"`
	CIDR string `json:"cidr"`
}

// Cluster is django-gke:cluster: the GKE cluster and its node pool.
type Cluster struct {
	// Location is a zone (a zonal cluster) or a region (a regional cluster).
	Location string `json:"location"`
	// MachineType is the node pool's Compute Engine machine type.
	MachineType string `json:"machineType"`
	// MinNodes is the node pool's autoscaling minimum, counted across all zones.
	MinNodes int `json:"minNodes"`
	// MaxNodes is the node pool's autoscaling maximum across all zones; 0 means
	// "from the capacity plan".
	MaxNodes int `json:"maxNodes"`
	// ReleaseChannel is GKE's upgrade channel: RAPID, REGULAR, STABLE or EXTENDED.
	ReleaseChannel string `json:"releaseChannel"`
	// Access is how `pulumi up` reaches the control plane: connectGateway (through the fleet's Connect Gateway with Google IAM; works from GitHub-hosted runners, which have no stable egress) or authorizedNetworks (the endpoint, from authorizedNetworks only: a runner inside those networks).
	Access string `json:"access"`
	// AuthorizedNetworks [{name, cidr}] may reach the control plane's public
	// endpoint; never 0.0.0.0/0.
	AuthorizedNetworks []AuthorizedNetwork `json:"authorizedNetworks"`
	// DeletionProtection refuses to delete the cluster (GKE's own flag).
	DeletionProtection bool `json:"deletionProtection"`
	// Spot runs the node pool on Spot VMs (cheap, preemptible; not in prd).
	Spot bool `json:"spot"`
	// DiskGB is each node's boot disk in GB.
	DiskGB int `json:"diskGb"`
	// Kubeconfig (env local only) is the cluster to deploy to, relative to the
	// project; empty means $KUBECONFIG.
	Kubeconfig string `json:"kubeconfig"`
}

// Database is django-gke:database: the Cloud SQL Postgres instance.
type Database struct {
	// Version is the Postgres major version, POSTGRES_14 to POSTGRES_17.
	Version string `json:"version"`
	// Tier is the machine: db-custom-<vCPUs>-<MiB> (or a shared-core tier outside prd).
	Tier string `json:"tier"`
	// Availability is ZONAL or REGIONAL (HA with a standby in another zone).
	Availability string `json:"availability"`
	// DiskGB is the first size of the data disk; it grows by itself and never shrinks.
	DiskGB int `json:"diskGb"`
	// PointInTimeRecovery keeps the write-ahead log for restores to any second.
	PointInTimeRecovery bool `json:"pointInTimeRecovery"`
	// DeletionProtection sets both Pulumi's and Cloud SQL's deletion protection.
	DeletionProtection bool `json:"deletionProtection"`
	// MaxConnections sets the max_connections flag; 0 means "from the plan".
	MaxConnections int `json:"maxConnections"`
	// Host (env local only) is the Postgres the pods connect to directly.
	Host string `json:"host"`
	// Port (env local only) is that Postgres's port.
	Port int `json:"port"`
}

// Cache is django-gke:cache: Memorystore for Redis as Django's cache (the
// read-heavy pages and API answers) and session store (cached_db), on the
// private services range, with AUTH and in-transit encryption.
type Cache struct {
	// Enabled declares the Memorystore instance and turns on Django's cached views and cached_db sessions.
	Enabled bool `json:"enabled"`
	// Tier is BASIC (one node: a failure or maintenance empties the cache) or STANDARD_HA (a replica in another zone, automatic failover; prd's only choice).
	Tier string `json:"tier"`
	// MemorySizeGB is the instance's memory, 1 to 300 GB (Memorystore bills every GB of it, used or not).
	MemorySizeGB int `json:"memorySizeGb"`
	// RedisVersion is Memorystore's Redis version: REDIS_6_X, REDIS_7_0 or REDIS_7_2.
	RedisVersion string `json:"redisVersion"`
	// TTLSeconds is how long a cached page or API answer lives (1 to 86400): the most any reader can see a stale count when an invalidation was lost.
	TTLSeconds int `json:"ttlSeconds"`
	// EvictionPolicy is Redis's maxmemory-policy when memory is full; only keys with a TTL may go (the app's invalidation tickets must stay): volatile-lru, volatile-lfu, volatile-ttl, volatile-random, noeviction.
	EvictionPolicy string `json:"evictionPolicy"`
	// HitRatio is the share of database-backed requests the cache answers, for the capacity model, in [0, 1]; 0 means the benchmark's measurement.
	HitRatio Decimal `json:"hitRatio"`
	// HitRatioSource says where HitRatio comes from (config, or the measurement).
	HitRatioSource string `json:"-"`
	// HitPodTPS is what one pod serves when every request hits the cache
	// (make bench's cached db endpoint per core × app.cpu).
	HitPodTPS Decimal `json:"-"`
}

// Memorystore tiers.
const (
	CacheBasic      = "BASIC"
	CacheStandardHA = "STANDARD_HA"
)

// Image is django-gke:image: where the app's container image comes from.
type Image struct {
	// Build builds the image from the context with pulumi-docker (dev only).
	Build bool `json:"build"`
	// Context is the image's build context (app/), relative to the project.
	Context string `json:"context"`
	// Repository is the stack's Artifact Registry repository id.
	Repository string `json:"repository"`
	// PromoteFrom is a stack (org/project/stack) whose imageRef output is deployed.
	PromoteFrom string `json:"promoteFrom"`
	// Ref is a full repo@sha256:… digest; it wins over promoteFrom.
	Ref string `json:"ref"`
	// Nginx is the pod's nginx image, pinned by digest: the Docker Hub image by default, or its copy in your own registry.
	Nginx string `json:"nginx"`
}

// App is django-gke:app: the Django workload.
type App struct {
	// Hostname is the public DNS name; empty means "the load balancer's IP, no TLS".
	Hostname string `json:"hostname"`
	// CPU is the gunicorn container's CPU request (a Kubernetes quantity).
	CPU string `json:"cpu"`
	// Memory is the gunicorn container's memory request and limit.
	Memory string `json:"memory"`
	// GunicornWorkers 0 means "from cpu" (2 × cores + 1, at least 2).
	GunicornWorkers int `json:"gunicornWorkers"`
	// GunicornThreads per worker (gthread); each thread holds one database connection.
	GunicornThreads int `json:"gunicornThreads"`
	// MinReplicas is the HPA's minimum number of pods.
	MinReplicas int `json:"minReplicas"`
	// Settings are extra, non-secret environment variables for Django.
	Settings map[string]string `json:"settings"`
	// CDN turns on Cloud CDN on the load balancer's backend (static files cache at the edge).
	CDN bool `json:"cdn"`
	// SecurityPolicy names an existing Cloud Armor policy to attach to the backend.
	SecurityPolicy string `json:"securityPolicy"`
}

// Capacity is django-gke:capacity: the inputs of the capacity model.
type Capacity struct {
	// TargetRPS is the peak request rate the stack must serve.
	TargetRPS Decimal `json:"targetRps"`
	// PodTPS is how many requests per second one pod serves; 0 means "measured":
	// make bench's req/s per core (infra/config/podtps.json) × app.cpu.
	PodTPS Decimal `json:"podTps"`
	// PodTPSSource says where PodTPS comes from (config, or the measurement).
	PodTPSSource string `json:"-"`
	// Complexity is the seed's factor C: a request costs C times the measured one.
	Complexity Decimal `json:"complexity"`
	// PodsPerNode 0 means "from the machine type's allocatable resources".
	PodsPerNode int `json:"podsPerNode"`
	// TargetUtilization is the HPA's CPU target, in (0, 1].
	TargetUtilization Decimal `json:"targetUtilization"`
	// Zones the stack spreads over; 0 means "from cluster.location".
	Zones int `json:"zones"`
	// AvgResponseKB is the mean response size (internet egress per request).
	AvgResponseKB Decimal `json:"avgResponseKb"`
	// AvgLogKB is what one request writes to Cloud Logging (nginx's access log line).
	AvgLogKB Decimal `json:"avgLogKb"`
	// StaticShare is the fraction of requests for static files (served by nginx;
	// their log lines are excluded from Cloud Logging, like health checks').
	StaticShare Decimal `json:"staticShare"`
	// PeakHoursPerDay at targetRps; the rest of the day runs at offPeakFraction of it.
	PeakHoursPerDay Decimal `json:"peakHoursPerDay"`
	// OffPeakFraction is the off-peak load as a fraction of targetRps.
	OffPeakFraction Decimal `json:"offPeakFraction"`
}

// Cost is django-gke:cost: overrides of the cost model's list prices (USD).
// A zero field means "the list price for this stack's machine type or tier".
type Cost struct {
	// NodeUSDPerHour is one node's price.
	NodeUSDPerHour Decimal `json:"nodeUsdPerHour"`
	// DatabaseUSDPerHour is the Cloud SQL instance's price (HA included).
	DatabaseUSDPerHour Decimal `json:"databaseUsdPerHour"`
	// LoadBalancerUSDPerHour is the forwarding rule's price.
	LoadBalancerUSDPerHour Decimal `json:"loadBalancerUsdPerHour"`
	// LoggingUSDPerGiB is Cloud Logging's ingestion price.
	LoggingUSDPerGiB Decimal `json:"loggingUsdPerGib"`
	// EgressUSDPerGiB is internet egress's first-tier price.
	EgressUSDPerGiB Decimal `json:"egressUsdPerGib"`
	// InternalUSDPerGiB is traffic between zones.
	InternalUSDPerGiB Decimal `json:"internalUsdPerGib"`
	// DomainUSDPerYear is the domain's registration (with a hostname).
	DomainUSDPerYear Decimal `json:"domainUsdPerYear"`
	// CacheUSDPerGBHour is Memorystore's price per GB of instance memory (the tier's and size's list price).
	CacheUSDPerGBHour Decimal `json:"cacheUsdPerGbHour"`
	// PlatformPrices override the other platforms' list prices in make capacity COMPARE=1, by key (e.g. aws.ec2VcpuHour: 0.045; the keys are listed in the README).
	PlatformPrices map[string]Decimal `json:"platformPrices"`
}

// Monitoring is django-gke:monitoring: who is paged, and when.
type Monitoring struct {
	// AlertEmail receives the alerts of stg and prd (required there; dev pages nobody).
	AlertEmail string `json:"alertEmail"`
	// UptimePath is what the uptime check requests on the public endpoint.
	UptimePath string `json:"uptimePath"`
	// SLOTarget is the availability objective over 28 days (0.999 = 99.9 %).
	SLOTarget Decimal `json:"sloTarget"`
	// ErrorRatio of 5xx responses at the load balancer that alerts.
	ErrorRatio Decimal `json:"errorRatio"`
	// LatencyP95Ms is the load balancer's 95th percentile latency that alerts.
	LatencyP95Ms int `json:"latencyP95Ms"`
	// LatencyP99Ms is the load balancer's 99th percentile latency that alerts.
	LatencyP99Ms int `json:"latencyP99Ms"`
	// RestartsPerHour of one pod's containers that alerts (crash loops).
	RestartsPerHour int `json:"restartsPerHour"`
	// HPAAtMaxMinutes: the HPA at maxReplicas this long means the plan is too small.
	HPAAtMaxMinutes int `json:"hpaAtMaxMinutes"`
	// SQLCPURatio is Cloud SQL's CPU utilization that alerts.
	SQLCPURatio Decimal `json:"sqlCpuRatio"`
	// SQLDiskRatio is Cloud SQL's disk utilization that alerts.
	SQLDiskRatio Decimal `json:"sqlDiskRatio"`
	// SQLConnectionsRatio is the share of max_connections in use that alerts.
	SQLConnectionsRatio Decimal `json:"sqlConnectionsRatio"`
	// CacheMemoryRatio is Memorystore's memory usage ratio that alerts (the cache is too small).
	CacheMemoryRatio Decimal `json:"cacheMemoryRatio"`
	// CacheEvictionsPerSecond sustained for 15 minutes alerts: keys pushed out before their TTL.
	CacheEvictionsPerSecond Decimal `json:"cacheEvictionsPerSecond"`
	// ReplicaLagSeconds of a read replica's replication lag, sustained for 5 minutes, alerts (regions.list): its region's readers see older data than that.
	ReplicaLagSeconds int `json:"replicaLagSeconds"`
	// AppErrorsPerMinute of ERROR log lines from Django that alerts.
	AppErrorsPerMinute int `json:"appErrorsPerMinute"`
	// LogRetentionDays of the project's _Default log bucket (beyond 30 days is billed).
	LogRetentionDays int `json:"logRetentionDays"`
}

// Release is django-gke:release: how a new image reaches users.
type Release struct {
	// Strategy is rolling (one Deployment) or blueGreen (a Deployment per color).
	Strategy string `json:"strategy"`
	// ActiveColor is the color the public Service sends users to (blue | green).
	ActiveColor string `json:"activeColor"`
	// Blue pins the blue color's image ({image: repo@sha256:…}); unset runs the stack's image.
	Blue ColorRelease `json:"blue"`
	// Green pins the green color's image, like blue.
	Green ColorRelease `json:"green"`
	// PreviewHostname routes a second host on the Ingress to the inactive color.
	PreviewHostname string `json:"previewHostname"`
	// InactiveAtMinimum caps the inactive color at app.minReplicas to save cost.
	InactiveAtMinimum bool `json:"inactiveAtMinimum"`
}

// ColorRelease is one color's image.
type ColorRelease struct {
	// Image is a full repo@sha256:… reference.
	Image string `json:"image"`
}

// Release strategies and colors.
const (
	Rolling   = "rolling"
	BlueGreen = "blueGreen"
	Blue      = "blue"
	Green     = "green"
)

// Regions is django-gke:regions: the stack serves from several regions behind
// one global IP (a multi-cluster Gateway over a GKE fleet), with the primary
// Cloud SQL instance in the first region and a cross-region read replica in
// each other. Empty list: the stack runs in gcp:region alone, as before.
type Regions struct {
	// List is the ordered serving regions, [{region, trafficShare, cidr, podsCidr, servicesCidr, masterCidr, lost}]: the first holds the primary database (a failover moves another region first), each other a read replica; shares sum to 1 and no two ranges overlap. lost: true while a region's control plane and regional APIs do not answer (README "Regional failover"): everything there stays as last deployed. Empty: gcp:region alone; otherwise two regions or more, gcp:region among them. Env local: [{region, trafficShare, kubeconfig, lost}], one cluster per region.
	List []Region `json:"list"`
	// ConfigRegion is the region whose cluster is the fleet's config cluster (it holds the Gateway and HTTPRoute); empty means gcp:region. Leave it in place during a failover: the load balancer keeps its last configuration while the config cluster is down.
	ConfigRegion string `json:"configRegion"`
	// SurviveRegionLoss sizes every region for its own share plus the largest other region's share (N+1), so losing any one region keeps the whole targetRps served.
	SurviveRegionLoss bool `json:"surviveRegionLoss"`
	// WriteShare is the fraction of requests that write (votes): they and their read-your-writes reads go to the primary, and their WAL is replicated to every replica.
	WriteShare Decimal `json:"writeShare"`
	// WALKBPerWrite is the write-ahead log one write produces (a row update plus a full page image after a checkpoint), replicated to each replica across regions.
	WALKBPerWrite Decimal `json:"walKbPerWrite"`
	// CrossRegionKBPerWrite is what a write from a replica region sends to and receives from the primary (its queries, and the pinned reads after it).
	CrossRegionKBPerWrite Decimal `json:"crossRegionKbPerWrite"`
}

// Region is one entry of django-gke:regions.list: where it is, the share of
// the traffic its users send, and its subnet's address plan.
type Region struct {
	// Region is a Google Cloud region (europe-west1); its resources are named by its code (euw1).
	Region string `json:"region"`
	// TrafficShare is the share of capacity.targetRps its users send, in (0, 1].
	TrafficShare Decimal `json:"trafficShare"`
	// CIDR, PodsCIDR, ServicesCIDR and MasterCIDR are the region's subnet,
	// pod and service ranges and its control plane's /28, as in django-gke:network.
	CIDR         string `json:"cidr"`
	PodsCIDR     string `json:"podsCidr"`
	ServicesCIDR string `json:"servicesCidr"`
	MasterCIDR   string `json:"masterCidr"`
	// Lost marks a region whose control plane and regional APIs do not
	// answer: the program keeps everything it declared there as last deployed
	// (no change is sent to it) and drops from state, without reaching its
	// cluster, what it no longer declares there. Never the first region.
	Lost bool `json:"lost"`
	// Kubeconfig is env local's cluster for this region (relative to the
	// project, like cluster.kubeconfig); only env local takes it.
	Kubeconfig string `json:"kubeconfig"`
}

// MultiRegion reports whether the stack serves from several regions.
func (c *Config) MultiRegion() bool { return len(c.Regions.List) > 0 }

// PrimaryRegion is where the primary database is: the first region, or gcp:region.
func (c *Config) PrimaryRegion() string {
	if c.MultiRegion() {
		return c.Regions.List[0].Region
	}
	return c.Region
}

// ConfigClusterRegion is the region of the fleet's config cluster.
func (c *Config) ConfigClusterRegion() string {
	if c.Regions.ConfigRegion != "" {
		return c.Regions.ConfigRegion
	}
	return c.Region
}

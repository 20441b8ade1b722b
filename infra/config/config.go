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

	Env        Env
	Network    Network
	Cluster    Cluster
	Database   Database
	Image      Image
	App        App
	Capacity   Capacity
	Cost       Cost
	Monitoring Monitoring
	Release    Release
}

// Network is django-gke:network: the VPC's address plan.
type Network struct {
	// Cidr is the node subnet's primary range.
	Cidr string `json:"cidr"`
	// PodsCidr is the subnet's secondary range for pod IPs (VPC-native).
	PodsCidr string `json:"podsCidr"`
	// ServicesCidr is the subnet's secondary range for ClusterIP services.
	ServicesCidr string `json:"servicesCidr"`
	// MasterCidr is the /28 the GKE control plane's private endpoint uses.
	MasterCidr string `json:"masterCidr"`
	// PrivateServicesCidr is the range peered to Google's service producer
	// network, where Cloud SQL's private IPs live (/16 to /24). Explicit, so
	// Google never allocates one that collides with the ranges above.
	PrivateServicesCidr string `json:"privateServicesCidr"`
}

// AuthorizedNetwork may reach the cluster's public control-plane endpoint.
type AuthorizedNetwork struct {
	Name string `json:"name"`
	Cidr string `json:"cidr"`
}

// Cluster is django-gke:cluster: the GKE cluster and its node pool.
type Cluster struct {
	// Location is a zone (zonal cluster) or a region (regional cluster).
	Location    string `json:"location"`
	MachineType string `json:"machineType"`
	// MinNodes and MaxNodes count nodes across all zones; MaxNodes 0 means
	// "from the capacity plan".
	MinNodes           int                 `json:"minNodes"`
	MaxNodes           int                 `json:"maxNodes"`
	ReleaseChannel     string              `json:"releaseChannel"`
	AuthorizedNetworks []AuthorizedNetwork `json:"authorizedNetworks"`
	DeletionProtection bool                `json:"deletionProtection"`
	// Spot runs the node pool on Spot VMs (cheap, preemptible: dev only).
	Spot   bool `json:"spot"`
	DiskGb int  `json:"diskGb"`
	// Kubeconfig (env local only) is the cluster to deploy to, relative to the
	// project; empty means $KUBECONFIG.
	Kubeconfig string `json:"kubeconfig"`
}

// Database is django-gke:database: the Cloud SQL Postgres instance.
type Database struct {
	Version string `json:"version"`
	Tier    string `json:"tier"`
	// Availability is ZONAL or REGIONAL (HA with a standby in another zone).
	Availability        string `json:"availability"`
	DiskGb              int    `json:"diskGb"`
	PointInTimeRecovery bool   `json:"pointInTimeRecovery"`
	DeletionProtection  bool   `json:"deletionProtection"`
	// MaxConnections sets the max_connections flag; 0 means "from the plan".
	MaxConnections int `json:"maxConnections"`
	// Host and Port (env local only) are the Postgres the pods connect to directly.
	Host string `json:"host"`
	Port int    `json:"port"`
}

// Image is django-gke:image: where the app's container image comes from.
type Image struct {
	// Build builds the image from Context with pulumi-docker (dev only).
	Build   bool   `json:"build"`
	Context string `json:"context"`
	// Repository is the Artifact Registry repository id.
	Repository string `json:"repository"`
	// PromoteFrom is a stack (org/project/stack) whose imageRef output is deployed.
	PromoteFrom string `json:"promoteFrom"`
	// Ref is a full repo@sha256:… digest; it wins over PromoteFrom.
	Ref string `json:"ref"`
}

// App is django-gke:app: the Django workload.
type App struct {
	// Hostname is the public DNS name; empty means "the load balancer's IP, no TLS".
	Hostname string `json:"hostname"`
	// Cpu and Memory are the gunicorn container's requests (Kubernetes quantities).
	Cpu    string `json:"cpu"`
	Memory string `json:"memory"`
	// GunicornWorkers 0 means "from Cpu" (2 × cores + 1, at least 2).
	GunicornWorkers int `json:"gunicornWorkers"`
	// GunicornThreads per worker (gthread); each thread holds one database connection.
	GunicornThreads int `json:"gunicornThreads"`
	MinReplicas     int `json:"minReplicas"`
	// Settings are extra, non-secret environment variables for Django.
	Settings map[string]string `json:"settings"`
	// Cdn turns on Cloud CDN on the load balancer's backend (static files cache at the edge).
	Cdn bool `json:"cdn"`
	// SecurityPolicy names an existing Cloud Armor policy to attach to the backend.
	SecurityPolicy string `json:"securityPolicy"`
}

// Capacity is django-gke:capacity: the inputs of the capacity model.
type Capacity struct {
	// TargetRps is the peak request rate the stack must serve.
	TargetRps Decimal `json:"targetRps"`
	// PodTps is how many requests per second one pod serves; 0 means "measured":
	// make bench's req/s per core (infra/config/podtps.json) × app.cpu.
	PodTps Decimal `json:"podTps"`
	// PodTpsSource says where PodTps comes from (config, or the measurement).
	PodTpsSource string `json:"-"`
	// Complexity is the seed's factor C: a request costs C times the measured one.
	Complexity Decimal `json:"complexity"`
	// PodsPerNode 0 means "from the machine type's allocatable resources".
	PodsPerNode int `json:"podsPerNode"`
	// TargetUtilization is the HPA's CPU target, in (0, 1].
	TargetUtilization Decimal `json:"targetUtilization"`
	// Zones the stack spreads over; 0 means "from cluster.location".
	Zones int `json:"zones"`
	// AvgResponseKb is the mean response size (internet egress per request).
	AvgResponseKb Decimal `json:"avgResponseKb"`
	// AvgLogKb is what one request writes to Cloud Logging (access logs of nginx and gunicorn).
	AvgLogKb Decimal `json:"avgLogKb"`
	// StaticShare is the fraction of requests for static files (served by nginx;
	// their log lines are excluded from Cloud Logging, like health checks').
	StaticShare Decimal `json:"staticShare"`
	// PeakHoursPerDay at targetRps; the rest of the day runs at OffPeakFraction of it.
	PeakHoursPerDay Decimal `json:"peakHoursPerDay"`
	OffPeakFraction Decimal `json:"offPeakFraction"`
}

// Cost is django-gke:cost: overrides of the cost model's list prices (USD).
// A zero field means "the list price for this stack's machine type or tier".
type Cost struct {
	NodeUsdPerHour         Decimal `json:"nodeUsdPerHour"`
	DatabaseUsdPerHour     Decimal `json:"databaseUsdPerHour"`
	LoadBalancerUsdPerHour Decimal `json:"loadBalancerUsdPerHour"`
	LoggingUsdPerGib       Decimal `json:"loggingUsdPerGib"`
	EgressUsdPerGib        Decimal `json:"egressUsdPerGib"`
	InternalUsdPerGib      Decimal `json:"internalUsdPerGib"`
	DomainUsdPerYear       Decimal `json:"domainUsdPerYear"`
}

// Monitoring is django-gke:monitoring: who is paged, and when.
type Monitoring struct {
	// AlertEmail receives the alerts of stg and prd (dev pages nobody).
	AlertEmail string `json:"alertEmail"`
	// UptimePath is what the uptime check requests on the public endpoint.
	UptimePath string `json:"uptimePath"`
	// SloTarget is the availability objective over 28 days (0.999 = 99.9 %).
	SloTarget Decimal `json:"sloTarget"`
	// ErrorRatio of 5xx responses at the load balancer that alerts.
	ErrorRatio Decimal `json:"errorRatio"`
	// LatencyP95Ms and LatencyP99Ms alert on the load balancer's total latency.
	LatencyP95Ms int `json:"latencyP95Ms"`
	LatencyP99Ms int `json:"latencyP99Ms"`
	// RestartsPerHour of one pod's containers that alerts (crash loops).
	RestartsPerHour int `json:"restartsPerHour"`
	// HpaAtMaxMinutes: the HPA at maxReplicas this long means the plan is too small.
	HpaAtMaxMinutes int `json:"hpaAtMaxMinutes"`
	// SqlCpuRatio, SqlDiskRatio and SqlConnectionsRatio (of max_connections) alert on Cloud SQL.
	SqlCpuRatio         Decimal `json:"sqlCpuRatio"`
	SqlDiskRatio        Decimal `json:"sqlDiskRatio"`
	SqlConnectionsRatio Decimal `json:"sqlConnectionsRatio"`
	// AppErrorsPerMinute of ERROR log lines from Django that alerts.
	AppErrorsPerMinute int `json:"appErrorsPerMinute"`
	// LogRetentionDays of the project's _Default log bucket (beyond 30 days is billed).
	LogRetentionDays int `json:"logRetentionDays"`
}

// Release is django-gke:release: how a new image reaches users.
type Release struct {
	// Strategy is rolling (one Deployment) or blueGreen (a Deployment per color).
	Strategy string `json:"strategy"`
	// ActiveColor is the color the public Service sends users to.
	ActiveColor string `json:"activeColor"`
	// Blue and Green pin a color's image; a color without one runs the stack's image.
	Blue  ColorRelease `json:"blue"`
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

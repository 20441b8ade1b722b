// Package outputs names the stack outputs. They are a contract: stg and prd
// read imageRef from the stack they promote from, `make up` and the deploy
// workflow read imageSourceRef and url, operators read the rest. The
// README's table of outputs is generated from All (make readme).
package outputs

// The promotion contract: a stack's imageRef is the digest it runs (in its
// own registry); imageSourceRef is where that digest was copied from.
const (
	ImageRef       = "imageRef"
	ImageSourceRef = "imageSourceRef"
)

// Every other output.
const (
	Env                   = "env"
	Namespace             = "namespace"
	URL                   = "url"
	ReleaseStrategy       = "releaseStrategy"
	ActiveColor           = "activeColor"
	CapacityPlan          = "capacityPlan"
	GCPProject            = "gcpProject"
	Region                = "region"
	NetworkName           = "networkName"
	ClusterName           = "clusterName"
	ClusterLocation       = "clusterLocation"
	Kubeconfig            = "kubeconfig"
	NodeServiceAccount    = "nodeServiceAccount"
	SQLConnectionName     = "sqlConnectionName"
	AppServiceAccount     = "appServiceAccount"
	LoadBalancerIP        = "loadBalancerIp"
	LocalDatabasePassword = "localDatabasePassword"
	CacheInstance         = "cacheInstance"
	Regions               = "regions"
)

// Output is one stack output: its name, which stacks export it, and what it is.
type Output struct {
	Name, Stacks, Description string
	// SecretIn are the stacks where it is a secret: encrypted in the state,
	// printed as [secret].
	SecretIn string
}

// All lists every output the program exports, in the README's order.
var All = []Output{
	{Name: Env, Stacks: "all", Description: "the environment the stack was configured as (dev, stg, prd, local)"},
	{Name: URL, Stacks: "all", Description: "where users reach the app: https://<hostname>/ or http://<load balancer IP>/"},
	{Name: Namespace, Stacks: "all", Description: "the Kubernetes namespace of the workload"},
	{Name: ReleaseStrategy, Stacks: "all", Description: "rolling or blueGreen"},
	{Name: ActiveColor, Stacks: "blue/green", Description: "the color the public Service selects"},
	{Name: CapacityPlan, Stacks: "all", Description: "the numbers the stack was sized with: pods, nodes, HPA and node-pool bounds, database connections, yearly cost"},
	{Name: ImageRef, Stacks: "all", Description: "the image the pods run, by digest; stg and prd promote the one of the stack in image.promoteFrom"},
	{Name: ImageSourceRef, Stacks: "dev, stg, prd", Description: "the digest imageRef was copied from (make up copies it into the stack's registry first)"},
	{Name: LoadBalancerIP, Stacks: "dev, stg, prd", Description: "the global static IP of the load balancer (point DNS here)"},
	{Name: GCPProject, Stacks: "dev, stg, prd", Description: "the GCP project"},
	{Name: Region, Stacks: "dev, stg, prd", Description: "the GCP region"},
	{Name: NetworkName, Stacks: "dev, stg, prd", Description: "the VPC's name"},
	{Name: ClusterName, Stacks: "dev, stg, prd", Description: "the GKE cluster's name (gcloud container clusters get-credentials)"},
	{Name: ClusterLocation, Stacks: "dev, stg, prd", Description: "the cluster's zone or region"},
	{Name: Kubeconfig, Stacks: "all", Description: "GCP: a kubeconfig using gke-gcloud-auth-plugin (no credentials in it); local: the kubeconfig's path", SecretIn: "dev, stg, prd"},
	{Name: NodeServiceAccount, Stacks: "dev, stg, prd", Description: "the nodes' least-privilege Google service account"},
	{Name: SQLConnectionName, Stacks: "dev, stg, prd", Description: "the Cloud SQL instance's connection name (project:region:instance)"},
	{Name: CacheInstance, Stacks: "stg, prd (cache.enabled)", Description: "the Memorystore instance (projects/…/locations/…/instances/…); its AUTH string is only in the app's Kubernetes Secret"},
	{Name: Regions, Stacks: "stacks with regions.list", Description: "every serving region: its cluster, its database role (primary or replica), its HPA and node pool maximum; clusterName, kubeconfig and sqlConnectionName name the config cluster and the primary"},
	{Name: AppServiceAccount, Stacks: "dev, stg, prd", Description: "the Google service account the pods act as (Workload Identity)"},
	{Name: LocalDatabasePassword, Stacks: "local", Description: "the password the app's database role must have", SecretIn: "local"},
}

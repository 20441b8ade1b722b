package components

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/container"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// AuthorizedNetwork may reach the control plane's public endpoint.
type AuthorizedNetwork struct {
	Name string
	CIDR string
}

// NodeServiceAccountRoles is all a node needs: write logs and metrics, read
// monitoring data for autoscaling. (Pulling images: artifactregistry.reader on
// the one repository, granted where the repository is declared.)
var NodeServiceAccountRoles = []string{
	"roles/autoscaling.metricsWriter",
	"roles/logging.logWriter",
	"roles/monitoring.metricWriter",
	"roles/monitoring.viewer",
	"roles/stackdriver.resourceMetadata.writer",
}

// NodePoolArgs sizes the one node pool the app runs on.
type NodePoolArgs struct {
	// Name is the pool's logical name (empty: "<cluster name>-pool"). Pulumi
	// auto-names the pool "<Name>-<7 random characters>" and GKE allows 40,
	// so a cluster whose name is long passes a short one (unique in the
	// stack); the old "<cluster name>-pool" stays as an alias.
	Name        string
	MachineType string
	DiskGB      int
	Spot        bool
	// MinNodes and MaxNodes count nodes across all zones (the capacity plan's).
	MinNodes, MaxNodes int
	// Zones the pool spans: 1 for a zonal cluster.
	Zones  int
	Labels map[string]string
}

// MaintenanceWindow is a recurring window (RFC 5545 recurrence, UTC times).
type MaintenanceWindow struct {
	Start, End, Recurrence string
}

// ClusterArgs configures the GKE cluster.
type ClusterArgs struct {
	Project string
	// Location is a zone (zonal cluster) or a region (regional cluster).
	Location           string
	NetworkSelfLink    pulumi.StringInput
	SubnetworkSelfLink pulumi.StringInput
	PodsRangeName      string
	ServicesRangeName  string
	// MasterCIDR is the /28 of the control plane's private endpoint.
	MasterCIDR         string
	ReleaseChannel     string
	AuthorizedNetworks []AuthorizedNetwork
	DeletionProtection bool
	// WorkloadPool is "<project>.svc.id.goog" (Workload Identity).
	WorkloadPool      string
	ManagedPrometheus bool
	Maintenance       MaintenanceWindow
	// NodeTag is put on every node (firewall rules target it).
	NodeTag  string
	NodePool NodePoolArgs
	Labels   map[string]string
	// Fleet, when set, registers the cluster to the project's fleet (a GKE Hub
	// membership named after the cluster) and turns on the Gateway API: what
	// the multi-cluster Gateway and multi-cluster Services need.
	Fleet *ClusterFleet
	// Nodes, when set, is a node identity shared by several clusters; nil:
	// the cluster declares its own ("<name>-nodes").
	Nodes *NodeIdentity
}

// ClusterFleet is the fleet a cluster joins.
type ClusterFleet struct {
	// Project is the fleet's host project.
	Project string
	// GatewayAPI turns on the Gateway API (the multi-cluster Gateway needs it).
	GatewayAPI bool
	// ConnectGateway makes the Kubernetes provider reach the control plane
	// through the fleet's Connect Gateway (Google IAM, Google's front end)
	// instead of the endpoint: a deployer with no stable egress (a
	// GitHub-hosted runner) needs no authorized network.
	ConnectGateway bool
}

// NodeIdentity is the nodes' Google service account and its role grants.
type NodeIdentity struct {
	Email, Member pulumi.StringOutput
	Grants        []pulumi.Resource
}

// NewNodeIdentity declares a least-privilege node service account (id ≤ 30 characters).
func NewNodeIdentity(ctx *pulumi.Context, id, project string, opts ...pulumi.ResourceOption) (*NodeIdentity, error) {
	sa, grants, err := newServiceAccount(ctx, id, "GKE nodes of "+id, project, NodeServiceAccountRoles, opts)
	if err != nil {
		return nil, err
	}
	return &NodeIdentity{Email: sa.Email, Member: sa.Member, Grants: grants}, nil
}

// Cluster is a private, VPC-native GKE cluster, its node pool, the nodes'
// service account, and a Kubernetes provider for it.
type Cluster struct {
	pulumi.ResourceState

	ClusterName pulumi.StringOutput `pulumi:"clusterName"`
	Location    pulumi.StringOutput `pulumi:"location"`
	// WorkloadPool is the Workload Identity pool, known once the cluster exists.
	WorkloadPool pulumi.StringOutput `pulumi:"workloadPool"`
	Endpoint     pulumi.StringOutput `pulumi:"endpoint"`
	// Kubeconfig is secret: it names the endpoint and CA of a production cluster.
	Kubeconfig               pulumi.StringOutput `pulumi:"kubeconfig"`
	NodeServiceAccount       pulumi.StringOutput `pulumi:"nodeServiceAccount"`
	NodeServiceAccountMember pulumi.StringOutput // "serviceAccount:<email>", for IAM bindings
	// FleetMembership (with ClusterArgs.Fleet) is the membership GKE
	// registered the cluster as, projects/<p>/locations/<l>/memberships/<m>:
	// what a fleet feature's configMembership names. Computed by GKE, never
	// built by hand.
	FleetMembership pulumi.StringOutput
	// NodePool must exist before workloads can be scheduled.
	NodePool *container.NodePool
	// Provider deploys Kubernetes objects to this cluster.
	Provider *kubernetes.Provider
}

// ClusterIdentifier names a GKE cluster for its Kubernetes provider (the
// context name gcloud writes for it): known before the cluster exists and
// stable for its life.
func ClusterIdentifier(project, location, name string) string {
	return "gke_" + project + "_" + location + "_" + name
}

// connectGatewayKubeconfig is the kubeconfig of the cluster's fleet
// membership through the Connect Gateway. Its URL names the project by
// number, which the fleet's service agent's email carries
// (service-<number>@gcp-sa-gkehub.iam.gserviceaccount.com): declaring the
// agent also makes sure it exists before the gateway is used.
func connectGatewayKubeconfig(ctx *pulumi.Context, name, project string, cluster *container.Cluster, child children) (pulumi.StringOutput, error) {
	agent, err := projects.NewServiceIdentity(ctx, name+"-gkehub-agent", &projects.ServiceIdentityArgs{
		Project: pulumi.String(project),
		Service: pulumi.String("gkehub.googleapis.com"),
	}, child.opts()...)
	if err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("creating the fleet's service agent: %w", err)
	}
	return pulumi.All(agent.Email, cluster.Fleet.MembershipLocation().Elem(), cluster.Fleet.MembershipId().Elem()).
		ApplyT(func(v []interface{}) (string, error) {
			number, err := ProjectNumberOf(v[0].(string))
			if err != nil {
				return "", err
			}
			return ConnectGatewayKubeconfig(number, v[1].(string), v[2].(string)), nil
		}).(pulumi.StringOutput), nil
}

// NewCluster declares the cluster, its node pool and its Kubernetes provider.
func NewCluster(ctx *pulumi.Context, name string, args *ClusterArgs, opts ...pulumi.ResourceOption) (*Cluster, error) {
	c := &Cluster{}
	if err := ctx.RegisterComponentResource("django-gke:components:Cluster", name, c, opts...); err != nil {
		return nil, err
	}
	child := childrenOf(c, opts)

	// A dedicated, least-privilege identity for nodes (never the Compute Engine default SA, which is Editor).
	nodes := args.Nodes
	if nodes == nil {
		sa, grants, err := newServiceAccount(ctx, name+"-nodes", "GKE nodes of "+name, args.Project, NodeServiceAccountRoles, child.opts())
		if err != nil {
			return nil, err
		}
		nodes = &NodeIdentity{Email: sa.Email, Member: sa.Member, Grants: grants}
	}
	nodeSA, roleBindings := nodes, nodes.Grants

	cidrBlocks := container.ClusterMasterAuthorizedNetworksConfigCidrBlockArray{}
	for _, n := range args.AuthorizedNetworks {
		cidrBlocks = append(cidrBlocks, container.ClusterMasterAuthorizedNetworksConfigCidrBlockArgs{
			DisplayName: pulumi.String(n.Name),
			CidrBlock:   pulumi.String(n.CIDR),
		})
	}
	var fleet container.ClusterFleetPtrInput
	var gatewayAPI container.ClusterGatewayApiConfigPtrInput
	if args.Fleet != nil {
		fleet = &container.ClusterFleetArgs{Project: pulumi.String(args.Fleet.Project)}
		if args.Fleet.GatewayAPI {
			gatewayAPI = &container.ClusterGatewayApiConfigArgs{Channel: pulumi.String("CHANNEL_STANDARD")}
		}
	}
	cluster, err := container.NewCluster(ctx, name, &container.ClusterArgs{
		Name:       pulumi.String(name),
		Location:   pulumi.String(args.Location),
		Network:    args.NetworkSelfLink,
		Subnetwork: args.SubnetworkSelfLink,
		// The default pool cannot be configured well; the node pool below is managed separately.
		RemoveDefaultNodePool: pulumi.Bool(true),
		InitialNodeCount:      pulumi.Int(1),
		// Even the short-lived default pool runs as the least-privilege SA.
		NodeConfig: &container.ClusterNodeConfigArgs{
			ServiceAccount:         nodeSA.Email,
			OauthScopes:            pulumi.StringArray{pulumi.String("https://www.googleapis.com/auth/cloud-platform")},
			ShieldedInstanceConfig: &container.ClusterNodeConfigShieldedInstanceConfigArgs{EnableSecureBoot: pulumi.Bool(true), EnableIntegrityMonitoring: pulumi.Bool(true)},
			WorkloadMetadataConfig: &container.ClusterNodeConfigWorkloadMetadataConfigArgs{Mode: pulumi.String("GKE_METADATA")},
		},
		DeletionProtection: pulumi.Bool(args.DeletionProtection),
		NetworkingMode:     pulumi.String("VPC_NATIVE"),
		IpAllocationPolicy: &container.ClusterIpAllocationPolicyArgs{
			ClusterSecondaryRangeName:  pulumi.String(args.PodsRangeName),
			ServicesSecondaryRangeName: pulumi.String(args.ServicesRangeName),
		},
		PrivateClusterConfig: &container.ClusterPrivateClusterConfigArgs{
			EnablePrivateNodes:    pulumi.Bool(true),
			EnablePrivateEndpoint: pulumi.Bool(false),
			MasterIpv4CidrBlock:   pulumi.String(args.MasterCIDR),
		},
		// An empty list still enables the allow-list: only the VPC reaches the API.
		MasterAuthorizedNetworksConfig: &container.ClusterMasterAuthorizedNetworksConfigArgs{
			CidrBlocks:                  cidrBlocks,
			GcpPublicCidrsAccessEnabled: pulumi.Bool(false),
		},
		WorkloadIdentityConfig: &container.ClusterWorkloadIdentityConfigArgs{
			WorkloadPool: pulumi.String(args.WorkloadPool),
		},
		ReleaseChannel: &container.ClusterReleaseChannelArgs{Channel: pulumi.String(args.ReleaseChannel)},
		// Dataplane V2 enforces NetworkPolicy.
		DatapathProvider:    pulumi.String("ADVANCED_DATAPATH"),
		EnableShieldedNodes: pulumi.Bool(true),
		// The seed's Stackdriver logs: system and workload logs to Cloud Logging.
		LoggingConfig: &container.ClusterLoggingConfigArgs{
			EnableComponents: pulumi.ToStringArray([]string{"SYSTEM_COMPONENTS", "WORKLOADS"}),
		},
		MonitoringConfig: &container.ClusterMonitoringConfigArgs{
			EnableComponents:  pulumi.ToStringArray(monitoringComponents(args.ManagedPrometheus)),
			ManagedPrometheus: &container.ClusterMonitoringConfigManagedPrometheusArgs{Enabled: pulumi.Bool(args.ManagedPrometheus)},
		},
		AddonsConfig: &container.ClusterAddonsConfigArgs{
			// GKE Ingress (the global load balancer) and the HPA controller.
			HttpLoadBalancing:        &container.ClusterAddonsConfigHttpLoadBalancingArgs{Disabled: pulumi.Bool(false)},
			HorizontalPodAutoscaling: &container.ClusterAddonsConfigHorizontalPodAutoscalingArgs{Disabled: pulumi.Bool(false)},
		},
		MaintenancePolicy: &container.ClusterMaintenancePolicyArgs{
			RecurringWindow: &container.ClusterMaintenancePolicyRecurringWindowArgs{
				StartTime:  pulumi.String(args.Maintenance.Start),
				EndTime:    pulumi.String(args.Maintenance.End),
				Recurrence: pulumi.String(args.Maintenance.Recurrence),
			},
		},
		CostManagementConfig: &container.ClusterCostManagementConfigArgs{Enabled: pulumi.Bool(true)},
		ResourceLabels:       pulumi.ToStringMap(args.Labels),
		Fleet:                fleet,
		GatewayApiConfig:     gatewayAPI,
	}, child.opts(pulumi.DependsOn(roleBindings),
		// The default pool's settings only matter at creation; after it is removed
		// the provider reports them as drift (hashicorp/terraform-provider-google#10476).
		pulumi.IgnoreChanges([]string{"nodeConfig", "initialNodeCount"}))...)
	if err != nil {
		return nil, fmt.Errorf("creating GKE cluster: %w", err)
	}

	np := args.NodePool
	poolName, poolOpts := name+"-pool", []pulumi.ResourceOption{pulumi.IgnoreChanges([]string{"initialNodeCount"})}
	if np.Name != "" && np.Name != poolName {
		poolOpts = append(poolOpts, pulumi.Aliases([]pulumi.Alias{{Name: pulumi.String(poolName)}}))
		poolName = np.Name
	}
	pool, err := container.NewNodePool(ctx, poolName, &container.NodePoolArgs{
		// No fixed name: a replaced pool is created before the old one is deleted.
		Cluster:  cluster.ID(),
		Location: pulumi.String(args.Location),
		// initialNodeCount forces a new pool when it changes, so it is a constant
		// (one node per zone), never the capacity plan; the autoscaler sizes the
		// pool between the plan's bounds from there. Ignored after creation too,
		// as GKE's resizes show up as drift in it.
		InitialNodeCount: pulumi.Int(1),
		Autoscaling: &container.NodePoolAutoscalingArgs{
			TotalMinNodeCount: pulumi.Int(np.MinNodes),
			TotalMaxNodeCount: pulumi.Int(np.MaxNodes),
			LocationPolicy:    pulumi.String("BALANCED"),
		},
		Management: &container.NodePoolManagementArgs{
			AutoRepair:  pulumi.Bool(true),
			AutoUpgrade: pulumi.Bool(true),
		},
		// Surge upgrades: one extra node at a time, never fewer than the pool had.
		UpgradeSettings: &container.NodePoolUpgradeSettingsArgs{
			Strategy:       pulumi.String("SURGE"),
			MaxSurge:       pulumi.Int(1),
			MaxUnavailable: pulumi.Int(0),
		},
		NodeConfig: &container.NodePoolNodeConfigArgs{
			MachineType:    pulumi.String(np.MachineType),
			DiskSizeGb:     pulumi.Int(np.DiskGB),
			DiskType:       pulumi.String("pd-balanced"),
			ImageType:      pulumi.String("COS_CONTAINERD"),
			Spot:           pulumi.Bool(np.Spot),
			ServiceAccount: nodeSA.Email,
			OauthScopes:    pulumi.StringArray{pulumi.String("https://www.googleapis.com/auth/cloud-platform")},
			ShieldedInstanceConfig: &container.NodePoolNodeConfigShieldedInstanceConfigArgs{
				EnableSecureBoot:          pulumi.Bool(true),
				EnableIntegrityMonitoring: pulumi.Bool(true),
			},
			// Pods see the GKE metadata server (Workload Identity), never the node's credentials.
			WorkloadMetadataConfig: &container.NodePoolNodeConfigWorkloadMetadataConfigArgs{Mode: pulumi.String("GKE_METADATA")},
			Metadata:               pulumi.StringMap{"disable-legacy-endpoints": pulumi.String("true")},
			Tags:                   pulumi.StringArray{pulumi.String(args.NodeTag)},
			Labels:                 pulumi.ToStringMap(np.Labels),
			ResourceLabels:         pulumi.ToStringMap(args.Labels),
		},
	}, child.opts(poolOpts...)...)
	if err != nil {
		return nil, fmt.Errorf("creating node pool: %w", err)
	}

	// ApplyT only to change shape: three outputs into one kubeconfig text.
	kubeconfig := pulumi.All(cluster.Name, cluster.Endpoint, cluster.MasterAuth.ClusterCaCertificate().Elem()).
		ApplyT(func(v []interface{}) string {
			return Kubeconfig(v[0].(string), v[1].(string), v[2].(string))
		}).(pulumi.StringOutput)
	if args.Fleet != nil && args.Fleet.ConnectGateway {
		if kubeconfig, err = connectGatewayKubeconfig(ctx, name, args.Fleet.Project, cluster, child); err != nil {
			return nil, err
		}
	}
	provider, err := kubernetes.NewProvider(ctx, name+"-k8s", &kubernetes.ProviderArgs{
		Kubeconfig: kubeconfig,
		// The cluster's identity, not its kubeconfig, decides whether the
		// provider (and with it every object on the cluster) is replaced: a
		// new endpoint, CA or access path (cluster.access) is the same cluster.
		ClusterIdentifier:     pulumi.String(ClusterIdentifier(args.Project, args.Location, name)),
		EnableServerSideApply: pulumi.Bool(true),
	}, child.opts()...)
	if err != nil {
		return nil, fmt.Errorf("creating Kubernetes provider: %w", err)
	}

	c.ClusterName = cluster.Name
	c.Location = cluster.Location
	c.WorkloadPool = cluster.WorkloadIdentityConfig.WorkloadPool().Elem()
	c.Endpoint = cluster.Endpoint
	c.Kubeconfig = pulumi.ToSecret(kubeconfig).(pulumi.StringOutput)
	c.NodeServiceAccount = nodeSA.Email
	c.NodeServiceAccountMember = nodeSA.Member
	c.NodePool = pool
	c.Provider = provider
	// The provider reports //gkehub.googleapis.com/projects/…; the Hub API's
	// feature spec takes the resource name without the service prefix.
	c.FleetMembership = cluster.Fleet.Membership().Elem().ApplyT(func(m string) string {
		return strings.TrimPrefix(m, "//gkehub.googleapis.com/")
	}).(pulumi.StringOutput)
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"clusterName":        c.ClusterName,
		"location":           c.Location,
		"workloadPool":       c.WorkloadPool,
		"endpoint":           c.Endpoint,
		"kubeconfig":         c.Kubeconfig,
		"nodeServiceAccount": c.NodeServiceAccount,
	})
}

// monitoringComponents are the cluster's metric packages: system metrics
// always; with managed Prometheus also kube-state metrics for HPAs, Deployments
// and pods (the "HPA at maxReplicas" alert and the dashboard read them).
func monitoringComponents(managedPrometheus bool) []string {
	if managedPrometheus {
		return []string{"SYSTEM_COMPONENTS", "HPA", "DEPLOYMENT", "POD"}
	}
	return []string{"SYSTEM_COMPONENTS"}
}

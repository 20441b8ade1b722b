package components

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/container"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// AuthorizedNetwork may reach the control plane's public endpoint.
type AuthorizedNetwork struct {
	Name string
	Cidr string
}

// ClusterArgs configures the GKE cluster.
type ClusterArgs struct {
	// Location is a zone (zonal cluster) or a region (regional cluster).
	Location           string
	NetworkSelfLink    pulumi.StringInput
	SubnetworkSelfLink pulumi.StringInput
	PodsRangeName      string
	ServicesRangeName  string
	// MasterCidr is the /28 of the control plane's private endpoint.
	MasterCidr         string
	ReleaseChannel     string
	AuthorizedNetworks []AuthorizedNetwork
	DeletionProtection bool
	// WorkloadPool is "<project>.svc.id.goog" (Workload Identity).
	WorkloadPool string
}

// Cluster is a private, VPC-native GKE cluster and a Kubernetes provider for it.
type Cluster struct {
	pulumi.ResourceState

	ClusterName pulumi.StringOutput `pulumi:"clusterName"`
	Location    pulumi.StringOutput `pulumi:"location"`
	Endpoint    pulumi.StringOutput `pulumi:"endpoint"`
	// Kubeconfig is secret: it names the endpoint and CA of a production cluster.
	Kubeconfig pulumi.StringOutput `pulumi:"kubeconfig"`
	// Provider deploys Kubernetes objects to this cluster.
	Provider *kubernetes.Provider
}

// NewCluster declares the cluster and its Kubernetes provider.
func NewCluster(ctx *pulumi.Context, name string, args *ClusterArgs, opts ...pulumi.ResourceOption) (*Cluster, error) {
	c := &Cluster{}
	if err := ctx.RegisterComponentResource("django-gke:components:Cluster", name, c, opts...); err != nil {
		return nil, err
	}
	cidrBlocks := container.ClusterMasterAuthorizedNetworksConfigCidrBlockArray{}
	for _, n := range args.AuthorizedNetworks {
		cidrBlocks = append(cidrBlocks, container.ClusterMasterAuthorizedNetworksConfigCidrBlockArgs{
			DisplayName: pulumi.String(n.Name),
			CidrBlock:   pulumi.String(n.Cidr),
		})
	}
	cluster, err := container.NewCluster(ctx, name, &container.ClusterArgs{
		Name:       pulumi.String(name),
		Location:   pulumi.String(args.Location),
		Network:    args.NetworkSelfLink,
		Subnetwork: args.SubnetworkSelfLink,
		// The default pool cannot be configured well; node pools are managed separately.
		RemoveDefaultNodePool: pulumi.Bool(true),
		InitialNodeCount:      pulumi.Int(1),
		DeletionProtection:    pulumi.Bool(args.DeletionProtection),
		NetworkingMode:        pulumi.String("VPC_NATIVE"),
		IpAllocationPolicy: &container.ClusterIpAllocationPolicyArgs{
			ClusterSecondaryRangeName:  pulumi.String(args.PodsRangeName),
			ServicesSecondaryRangeName: pulumi.String(args.ServicesRangeName),
		},
		PrivateClusterConfig: &container.ClusterPrivateClusterConfigArgs{
			EnablePrivateNodes:    pulumi.Bool(true),
			EnablePrivateEndpoint: pulumi.Bool(false),
			MasterIpv4CidrBlock:   pulumi.String(args.MasterCidr),
		},
		// An empty list still enables the allow-list: only the VPC reaches the API.
		MasterAuthorizedNetworksConfig: &container.ClusterMasterAuthorizedNetworksConfigArgs{
			CidrBlocks: cidrBlocks,
		},
		WorkloadIdentityConfig: &container.ClusterWorkloadIdentityConfigArgs{
			WorkloadPool: pulumi.String(args.WorkloadPool),
		},
		ReleaseChannel: &container.ClusterReleaseChannelArgs{Channel: pulumi.String(args.ReleaseChannel)},
		// Dataplane V2 enforces NetworkPolicy.
		DatapathProvider:    pulumi.String("ADVANCED_DATAPATH"),
		EnableShieldedNodes: pulumi.Bool(true),
	}, pulumi.Parent(c))
	if err != nil {
		return nil, fmt.Errorf("creating GKE cluster: %w", err)
	}

	// ApplyT only to change shape: three outputs into one kubeconfig text.
	kubeconfig := pulumi.All(cluster.Name, cluster.Endpoint, cluster.MasterAuth.ClusterCaCertificate().Elem()).
		ApplyT(func(v []interface{}) string {
			return Kubeconfig(v[0].(string), v[1].(string), v[2].(string))
		}).(pulumi.StringOutput)
	provider, err := kubernetes.NewProvider(ctx, name+"-k8s", &kubernetes.ProviderArgs{
		Kubeconfig:            kubeconfig,
		EnableServerSideApply: pulumi.Bool(true),
	}, pulumi.Parent(c))
	if err != nil {
		return nil, fmt.Errorf("creating Kubernetes provider: %w", err)
	}

	c.ClusterName = cluster.Name
	c.Location = cluster.Location
	c.Endpoint = cluster.Endpoint
	c.Kubeconfig = pulumi.ToSecret(kubeconfig).(pulumi.StringOutput)
	c.Provider = provider
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"clusterName": c.ClusterName,
		"location":    c.Location,
		"endpoint":    c.Endpoint,
		"kubeconfig":  c.Kubeconfig,
	})
}

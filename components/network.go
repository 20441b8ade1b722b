// Package components holds one ComponentResource per capability. Components
// only declare resources from the arguments they are given; they never read
// configuration.
package components

import (
	"fmt"
	"net/netip"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/compute"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/servicenetworking"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// googleLoadBalancerRanges are where Google's front ends and health checks
// connect from (https://cloud.google.com/load-balancing/docs/health-check-concepts#ip-ranges).
var googleLoadBalancerRanges = []string{"130.211.0.0/22", "35.191.0.0/16"}

// NetworkArgs is the VPC's address plan.
type NetworkArgs struct {
	// Project hosts the VPC (the Service Networking agent is granted there).
	Project      string
	Region       string
	CIDR         string
	PodsCIDR     string
	ServicesCIDR string
	// NodeTag is the network tag of the cluster's nodes (firewall target).
	NodeTag string
	// AppPort is the port the load balancer reaches pods on (nginx, via NEGs).
	AppPort int
	// PrivateServicesCIDR is the range peered to Google's service producer
	// network for Cloud SQL's private IPs: given, never auto-allocated, so it
	// cannot land on the subnet's ranges.
	PrivateServicesCIDR netip.Prefix
	// Subnets, when set, are one subnet per region (each with its NAT),
	// instead of Region's one: a multi-region stack's VPC.
	Subnets []SubnetArgs
}

// SubnetArgs is one region's subnet in a multi-region VPC. Code names its
// resources ("<name>-<code>-subnet"): never its position in a list, which a
// failover reorders.
type SubnetArgs struct {
	Region, Code                 string
	CIDR, PodsCIDR, ServicesCIDR string
	// Options are extra options for the region's resources (subnet, router,
	// NAT): what a region the caller treats apart (a lost one) needs.
	Options []pulumi.ResourceOption
}

// Subnet is what a cluster needs of its region's subnet.
type Subnet struct {
	SelfLink                         pulumi.StringOutput
	PodsRangeName, ServicesRangeName string
}

// Network is a custom-mode VPC with one regional subnet whose secondary
// ranges hold pod and service IPs (VPC-native GKE), Cloud NAT for the private
// nodes' egress, private services access for Cloud SQL, and the one firewall
// rule the load balancer needs.
type Network struct {
	pulumi.ResourceState

	NetworkName        pulumi.StringOutput `pulumi:"networkName"`
	NetworkID          pulumi.StringOutput `pulumi:"networkId"`
	NetworkSelfLink    pulumi.StringOutput `pulumi:"networkSelfLink"`
	SubnetworkSelfLink pulumi.StringOutput `pulumi:"subnetworkSelfLink"`
	// PodsRangeName and ServicesRangeName name the subnet's secondary ranges.
	PodsRangeName     string
	ServicesRangeName string
	// PrivateServicesRangeName names the allocated private services range
	// (Memorystore takes its address there).
	PrivateServicesRangeName pulumi.StringOutput `pulumi:"privateServicesRangeName"`
	// PrivateServicesConnection is the peering Cloud SQL's private IP needs;
	// an instance must depend on it.
	PrivateServicesConnection *servicenetworking.Connection
	// Subnets by region, with NetworkArgs.Subnets.
	Subnets map[string]Subnet
}

// NewNetwork declares the VPC and everything attached to it.
func NewNetwork(ctx *pulumi.Context, name string, args *NetworkArgs, opts ...pulumi.ResourceOption) (*Network, error) {
	n := &Network{}
	if err := ctx.RegisterComponentResource("django-gke:components:Network", name, n, opts...); err != nil {
		return nil, err
	}
	child := childrenOf(n, opts)
	vpc, err := compute.NewNetwork(ctx, name+"-vpc", &compute.NetworkArgs{
		AutoCreateSubnetworks: pulumi.Bool(false),
		RoutingMode:           pulumi.String("REGIONAL"),
		Description:           pulumi.String("django-gke VPC (" + name + ")"),
	}, child.opts()...)
	if err != nil {
		return nil, fmt.Errorf("creating VPC: %w", err)
	}
	subnets := args.Subnets
	if len(subnets) == 0 {
		subnets = []SubnetArgs{{Region: args.Region, CIDR: args.CIDR, PodsCIDR: args.PodsCIDR, ServicesCIDR: args.ServicesCIDR}}
	}
	n.Subnets = map[string]Subnet{}
	for _, sn := range subnets {
		prefix := name
		if sn.Code != "" {
			prefix = name + "-" + sn.Code
		}
		subnet, err := declareSubnet(ctx, prefix, vpc, sn, child)
		if err != nil {
			return nil, err
		}
		n.Subnets[sn.Region] = subnet
	}
	n.SubnetworkSelfLink = n.Subnets[subnets[0].Region].SelfLink
	n.PodsRangeName, n.ServicesRangeName = n.Subnets[subnets[0].Region].PodsRangeName, n.Subnets[subnets[0].Region].ServicesRangeName

	// Private services access: a range peered to Google's network for Cloud SQL.
	psaRange, err := compute.NewGlobalAddress(ctx, name+"-psa", &compute.GlobalAddressArgs{
		Purpose:      pulumi.String("VPC_PEERING"),
		AddressType:  pulumi.String("INTERNAL"),
		Address:      pulumi.String(args.PrivateServicesCIDR.Addr().String()),
		PrefixLength: pulumi.Int(args.PrivateServicesCIDR.Bits()),
		Network:      vpc.ID(),
		Description:  pulumi.String("Private services access (Cloud SQL private IP)"),
	}, child.opts()...)
	if err != nil {
		return nil, fmt.Errorf("reserving the private services range: %w", err)
	}
	// On a fresh project the Service Networking service agent does not exist
	// until something creates it, and the peering then fails now and then
	// ("Required 'compute.globalAddresses.list' permission"): create the agent
	// and grant its role before the connection.
	agent, agentRole, err := newServiceAgent(ctx, name+"-servicenetworking-agent", "role", args.Project,
		"servicenetworking.googleapis.com", "roles/servicenetworking.serviceAgent", child)
	if err != nil {
		return nil, err
	}
	psa, err := servicenetworking.NewConnection(ctx, name+"-psa", &servicenetworking.ConnectionArgs{
		Network:               vpc.ID(),
		Service:               pulumi.String("servicenetworking.googleapis.com"),
		ReservedPeeringRanges: pulumi.StringArray{psaRange.Name},
		// Deleting the peering fails while Google still tears down the SQL
		// instance; abandoning it lets `pulumi destroy` finish (the VPC's deletion removes it).
		DeletionPolicy: pulumi.String("ABANDON"),
	}, child.opts(pulumi.DependsOn([]pulumi.Resource{agent, agentRole}))...)
	if err != nil {
		return nil, fmt.Errorf("peering for private services access: %w", err)
	}

	// GKE writes its own rules for the control plane and node traffic; the
	// load balancer's front ends and health checks need the app port on pods.
	if _, err := compute.NewFirewall(ctx, name+"-allow-lb", &compute.FirewallArgs{
		Network:      vpc.ID(),
		Description:  pulumi.String("Google load balancer front ends and health checks to the app's nginx port"),
		Direction:    pulumi.String("INGRESS"),
		Priority:     pulumi.Int(1000),
		SourceRanges: pulumi.ToStringArray(googleLoadBalancerRanges),
		TargetTags:   pulumi.StringArray{pulumi.String(args.NodeTag)},
		Allows: compute.FirewallAllowArray{compute.FirewallAllowArgs{
			Protocol: pulumi.String("tcp"),
			Ports:    pulumi.StringArray{pulumi.Sprintf("%d", args.AppPort)},
		}},
		LogConfig: &compute.FirewallLogConfigArgs{Metadata: pulumi.String("EXCLUDE_ALL_METADATA")},
	}, child.opts()...); err != nil {
		return nil, fmt.Errorf("creating the load balancer firewall rule: %w", err)
	}

	n.NetworkName = vpc.Name
	n.NetworkID = vpc.ID().ToStringOutput()
	n.NetworkSelfLink = vpc.SelfLink
	n.PrivateServicesConnection = psa
	n.PrivateServicesRangeName = psaRange.Name
	return n, ctx.RegisterResourceOutputs(n, pulumi.Map{
		"networkName":              n.NetworkName,
		"networkId":                n.NetworkID,
		"networkSelfLink":          n.NetworkSelfLink,
		"subnetworkSelfLink":       n.SubnetworkSelfLink,
		"privateServicesRangeName": n.PrivateServicesRangeName,
	})
}

// declareSubnet declares a region's subnet (pods and services as secondary
// ranges) and the Cloud NAT its private nodes reach the internet through.
func declareSubnet(ctx *pulumi.Context, prefix string, vpc *compute.Network, sn SubnetArgs, child children) (Subnet, error) {
	child = child.with(sn.Options...)
	pods, services := prefix+"-pods", prefix+"-services"
	subnet, err := compute.NewSubnetwork(ctx, prefix+"-subnet", &compute.SubnetworkArgs{
		Network:               vpc.ID(),
		Region:                pulumi.String(sn.Region),
		IpCidrRange:           pulumi.String(sn.CIDR),
		PrivateIpGoogleAccess: pulumi.Bool(true),
		SecondaryIpRanges: compute.SubnetworkSecondaryIpRangeArray{
			compute.SubnetworkSecondaryIpRangeArgs{RangeName: pulumi.String(pods), IpCidrRange: pulumi.String(sn.PodsCIDR)},
			compute.SubnetworkSecondaryIpRangeArgs{RangeName: pulumi.String(services), IpCidrRange: pulumi.String(sn.ServicesCIDR)},
		},
		LogConfig: &compute.SubnetworkLogConfigArgs{
			AggregationInterval: pulumi.String("INTERVAL_5_MIN"),
			FlowSampling:        pulumi.Float64(0.1),
			Metadata:            pulumi.String("INCLUDE_ALL_METADATA"),
		},
	}, child.opts()...)
	if err != nil {
		return Subnet{}, fmt.Errorf("creating subnetwork: %w", err)
	}

	// Private nodes have no external IPs: Cloud NAT gives them egress (image pulls
	// from outside Google, external APIs the app calls).
	router, err := compute.NewRouter(ctx, prefix+"-router", &compute.RouterArgs{
		Network: vpc.ID(),
		Region:  pulumi.String(sn.Region),
	}, child.opts()...)
	if err != nil {
		return Subnet{}, fmt.Errorf("creating Cloud Router: %w", err)
	}
	if _, err := compute.NewRouterNat(ctx, prefix+"-nat", &compute.RouterNatArgs{
		Router:                        router.Name,
		Region:                        pulumi.String(sn.Region),
		NatIpAllocateOption:           pulumi.String("AUTO_ONLY"),
		SourceSubnetworkIpRangesToNat: pulumi.String("ALL_SUBNETWORKS_ALL_IP_RANGES"),
		EnableDynamicPortAllocation:   pulumi.Bool(true),
		LogConfig: &compute.RouterNatLogConfigArgs{
			Enable: pulumi.Bool(true),
			Filter: pulumi.String("ERRORS_ONLY"),
		},
	}, child.opts()...); err != nil {
		return Subnet{}, fmt.Errorf("creating Cloud NAT: %w", err)
	}

	return Subnet{SelfLink: subnet.SelfLink, PodsRangeName: pods, ServicesRangeName: services}, nil
}

// Package components holds one ComponentResource per capability. Components
// only declare resources from the arguments they are given; they never read
// configuration.
package components

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/compute"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// NetworkArgs is the VPC's address plan.
type NetworkArgs struct {
	Region       string
	Cidr         string
	PodsCidr     string
	ServicesCidr string
}

// Network is a custom-mode VPC with one regional subnet whose secondary
// ranges hold pod and service IPs (VPC-native GKE).
type Network struct {
	pulumi.ResourceState

	NetworkName        pulumi.StringOutput `pulumi:"networkName"`
	NetworkSelfLink    pulumi.StringOutput `pulumi:"networkSelfLink"`
	SubnetworkSelfLink pulumi.StringOutput `pulumi:"subnetworkSelfLink"`
	// PodsRangeName and ServicesRangeName name the subnet's secondary ranges.
	PodsRangeName     string
	ServicesRangeName string
}

// NewNetwork declares the VPC and its subnet.
func NewNetwork(ctx *pulumi.Context, name string, args *NetworkArgs, opts ...pulumi.ResourceOption) (*Network, error) {
	n := &Network{PodsRangeName: name + "-pods", ServicesRangeName: name + "-services"}
	if err := ctx.RegisterComponentResource("django-gke:components:Network", name, n, opts...); err != nil {
		return nil, err
	}
	vpc, err := compute.NewNetwork(ctx, name+"-vpc", &compute.NetworkArgs{
		AutoCreateSubnetworks: pulumi.Bool(false),
		RoutingMode:           pulumi.String("REGIONAL"),
		Description:           pulumi.String("django-gke VPC (" + name + ")"),
	}, pulumi.Parent(n))
	if err != nil {
		return nil, fmt.Errorf("creating VPC: %w", err)
	}
	subnet, err := compute.NewSubnetwork(ctx, name+"-subnet", &compute.SubnetworkArgs{
		Network:               vpc.ID(),
		Region:                pulumi.String(args.Region),
		IpCidrRange:           pulumi.String(args.Cidr),
		PrivateIpGoogleAccess: pulumi.Bool(true),
		SecondaryIpRanges: compute.SubnetworkSecondaryIpRangeArray{
			compute.SubnetworkSecondaryIpRangeArgs{RangeName: pulumi.String(n.PodsRangeName), IpCidrRange: pulumi.String(args.PodsCidr)},
			compute.SubnetworkSecondaryIpRangeArgs{RangeName: pulumi.String(n.ServicesRangeName), IpCidrRange: pulumi.String(args.ServicesCidr)},
		},
	}, pulumi.Parent(n))
	if err != nil {
		return nil, fmt.Errorf("creating subnetwork: %w", err)
	}
	n.NetworkName = vpc.Name
	n.NetworkSelfLink = vpc.SelfLink
	n.SubnetworkSelfLink = subnet.SelfLink
	return n, ctx.RegisterResourceOutputs(n, pulumi.Map{
		"networkName":        n.NetworkName,
		"networkSelfLink":    n.NetworkSelfLink,
		"subnetworkSelfLink": n.SubnetworkSelfLink,
	})
}

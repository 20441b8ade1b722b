package components

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/compute"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// EdgeAddressArgs configures the GCP half of the edge.
type EdgeAddressArgs struct {
	// TLS adds the SSL policy the HTTPS front end uses.
	TLS bool
}

// EdgeAddress is the GCP half of how traffic gets in: the global static IP
// the GKE Ingress takes (reserved, so DNS can point at it) and, with TLS, the
// SSL policy its FrontendConfig names. The load balancer itself is built by
// GKE's Ingress controller from the Edge's Kubernetes objects.
type EdgeAddress struct {
	pulumi.ResourceState

	// Name is the address's name (the Ingress's static-ip annotation); IP the address.
	Name pulumi.StringOutput `pulumi:"name"`
	IP   pulumi.StringOutput `pulumi:"ip"`
	// SSLPolicy is the SSL policy's name; nil without TLS.
	SSLPolicy pulumi.StringInput
}

// NewEdgeAddress declares the address and SSL policy; it needs the GCP provider.
func NewEdgeAddress(ctx *pulumi.Context, name string, args *EdgeAddressArgs, opts ...pulumi.ResourceOption) (*EdgeAddress, error) {
	e := &EdgeAddress{}
	if err := ctx.RegisterComponentResource("django-gke:components:EdgeAddress", name, e, opts...); err != nil {
		return nil, err
	}
	child := childrenOf(e, opts)
	address, err := compute.NewGlobalAddress(ctx, name+"-ip", &compute.GlobalAddressArgs{
		Description: pulumi.String("Global load balancer of " + name),
	}, child.opts()...)
	if err != nil {
		return nil, fmt.Errorf("reserving the load balancer's address: %w", err)
	}
	e.Name, e.IP = address.Name, address.Address
	if args.TLS {
		policy, err := compute.NewSSLPolicy(ctx, name+"-ssl", &compute.SSLPolicyArgs{
			Profile: pulumi.String("MODERN"), MinTlsVersion: pulumi.String("TLS_1_2"),
		}, child.opts()...)
		if err != nil {
			return nil, fmt.Errorf("creating SSL policy: %w", err)
		}
		e.SSLPolicy = policy.Name
	}
	return e, ctx.RegisterResourceOutputs(e, pulumi.Map{"name": e.Name, "ip": e.IP})
}

package components

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/certificatemanager"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/gkehub"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// MultiClusterServices are the APIs a fleet with a multi-cluster Gateway needs
// (besides RequiredServices). Multi-cluster Services writes Cloud DNS records
// for every ServiceImport (clusterset.local): without the DNS API it fails.
var MultiClusterServices = []string{
	"certificatemanager.googleapis.com",
	"dns.googleapis.com",
	"gkehub.googleapis.com",
	"multiclusteringress.googleapis.com",
	"multiclusterservicediscovery.googleapis.com",
	"trafficdirector.googleapis.com",
}

// ConnectGatewayServices are the APIs a deployer reaching its clusters
// through the fleet's Connect Gateway needs.
var ConnectGatewayServices = []string{"connectgateway.googleapis.com", "gkehub.googleapis.com"}

// FleetArgs configures the fleet's multi-cluster features.
type FleetArgs struct {
	Project string
	// ConfigMembership is the config cluster's membership,
	// projects/<project>/locations/<region>/memberships/<cluster name>: the
	// cluster whose Gateway and HTTPRoute the multi-cluster controller reads.
	ConfigMembership pulumi.StringInput
	// After are the clusters: a feature's config membership must exist.
	After []pulumi.Resource
}

// Fleet turns on multi-cluster Services (ServiceExport/ServiceImport across
// the fleet) and the multi-cluster Gateway controller, and grants what their
// controllers need: the MCS importer reads the VPC's network endpoints
// (Workload Identity, namespace gke-mcs), the multi-cluster ingress service
// agent manages the clusters' load balancing objects.
type Fleet struct {
	pulumi.ResourceState
	// Features are the hub features (the Gateway waits for them).
	Features []pulumi.Resource
}

// NewFleet declares the features and grants; it needs the GCP provider.
func NewFleet(ctx *pulumi.Context, name string, args *FleetArgs, opts ...pulumi.ResourceOption) (*Fleet, error) {
	f := &Fleet{}
	if err := ctx.RegisterComponentResource("django-gke:components:Fleet", name, f, opts...); err != nil {
		return nil, err
	}
	child := childrenOf(f, opts)
	after := pulumi.DependsOn(args.After)
	mcs, err := gkehub.NewFeature(ctx, name+"-mcs", &gkehub.FeatureArgs{
		Name:     pulumi.String("multiclusterservicediscovery"),
		Location: pulumi.String("global"),
	}, child.opts(after)...)
	if err != nil {
		return nil, fmt.Errorf("enabling multi-cluster Services: %w", err)
	}
	mci, err := gkehub.NewFeature(ctx, name+"-mci", &gkehub.FeatureArgs{
		Name:     pulumi.String("multiclusteringress"),
		Location: pulumi.String("global"),
		Spec: &gkehub.FeatureSpecArgs{Multiclusteringress: &gkehub.FeatureSpecMulticlusteringressArgs{
			ConfigMembership: args.ConfigMembership,
		}},
	}, child.opts(after, pulumi.DependsOn([]pulumi.Resource{mcs}))...)
	if err != nil {
		return nil, fmt.Errorf("enabling the multi-cluster Gateway controller: %w", err)
	}
	importer, err := projects.NewIAMMember(ctx, name+"-mcs-importer", &projects.IAMMemberArgs{
		Project: pulumi.String(args.Project),
		Role:    pulumi.String("roles/compute.networkViewer"),
		// The importer runs in every member cluster as gke-mcs/gke-mcs-importer.
		Member: pulumi.String(fmt.Sprintf("serviceAccount:%s.svc.id.goog[gke-mcs/gke-mcs-importer]", args.Project)),
	}, child.opts(pulumi.DependsOn([]pulumi.Resource{mcs}))...)
	if err != nil {
		return nil, fmt.Errorf("granting the MCS importer: %w", err)
	}
	_, agentGrant, err := newServiceAgent(ctx, name+"-mci-agent", "container-admin", args.Project,
		"multiclusteringress.googleapis.com", "roles/container.admin", child)
	if err != nil {
		return nil, err
	}
	f.Features = []pulumi.Resource{mcs, mci, importer, agentGrant}
	return f, ctx.RegisterResourceOutputs(f, pulumi.Map{})
}

// GatewayCertificateArgs configures the Gateway's certificate.
type GatewayCertificateArgs struct {
	Hostname string
	Labels   map[string]string
}

// GatewayCertificate is a Google-managed certificate for the hostname in a
// Certificate Manager map (the Gateway's networking.gke.io/certmap): GKE's
// ManagedCertificate serves Ingresses only. Issued once DNS points at the
// Gateway's address (load balancer authorization), like ManagedCertificate.
type GatewayCertificate struct {
	pulumi.ResourceState
	// MapName is the certificate map's name.
	MapName pulumi.StringOutput `pulumi:"mapName"`
	// Entry must exist before the Gateway serves HTTPS.
	Entry pulumi.Resource
}

// NewGatewayCertificate declares certificate, map and entry; it needs the GCP provider.
func NewGatewayCertificate(ctx *pulumi.Context, name string, args *GatewayCertificateArgs, opts ...pulumi.ResourceOption) (*GatewayCertificate, error) {
	c := &GatewayCertificate{}
	if err := ctx.RegisterComponentResource("django-gke:components:GatewayCertificate", name, c, opts...); err != nil {
		return nil, err
	}
	child := childrenOf(c, opts)
	cert, err := certificatemanager.NewCertificate(ctx, name+"-cert", &certificatemanager.CertificateArgs{
		Description: pulumi.String("Managed certificate of " + args.Hostname),
		Managed:     &certificatemanager.CertificateManagedArgs{Domains: pulumi.ToStringArray([]string{args.Hostname})},
		Labels:      pulumi.ToStringMap(args.Labels),
	}, child.opts()...)
	if err != nil {
		return nil, fmt.Errorf("creating the managed certificate: %w", err)
	}
	certMap, err := certificatemanager.NewCertificateMapResource(ctx, name+"-certmap", &certificatemanager.CertificateMapResourceArgs{
		Description: pulumi.String("Certificates of the multi-cluster Gateway of " + name),
		Labels:      pulumi.ToStringMap(args.Labels),
	}, child.opts()...)
	if err != nil {
		return nil, fmt.Errorf("creating the certificate map: %w", err)
	}
	entry, err := certificatemanager.NewCertificateMapEntry(ctx, name+"-certmap-entry", &certificatemanager.CertificateMapEntryArgs{
		Map:          certMap.Name,
		Hostname:     pulumi.String(args.Hostname),
		Certificates: pulumi.StringArray{cert.ID().ToStringOutput()},
		Labels:       pulumi.ToStringMap(args.Labels),
	}, child.opts()...)
	if err != nil {
		return nil, fmt.Errorf("creating the certificate map entry: %w", err)
	}
	c.MapName, c.Entry = certMap.Name, entry
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"mapName": c.MapName})
}

package components

import (
	"fmt"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"django-gke/infra/gkeapi"
)

// MultiClusterGatewayClass is GKE's global external Application Load
// Balancer over the clusters of a fleet.
const MultiClusterGatewayClass = "gke-l7-global-external-managed-mc"

// RegionalEdgeArgs configures one region's side of the multi-cluster edge.
type RegionalEdgeArgs struct {
	// Namespace is the workload's (its output, so the objects wait for it).
	Namespace pulumi.StringInput
	Labels    map[string]string
	Release   Release
	// Code is the region's short name: it also exports "web-<code>", the
	// region's pods alone, for the per-region uptime check.
	Code string
	// Image is the app image: it waits for GKE to install the ServiceExport
	// CRD (python -m djangogke.waitcrd) before the exports are declared.
	Image pulumi.StringInput
	// ControlPlaneCIDR is the cluster's control-plane range (that wait's only egress).
	ControlPlaneCIDR string
}

// RegionalEdge is a region's web Service and its ServiceExport: multi-cluster
// Services then imports "web" into every cluster of the fleet as one
// ServiceImport whose endpoints are the ready pods of every region, and the
// Gateway's load balancer gets one NEG per zone of every region.
type RegionalEdge struct {
	pulumi.ResourceState
}

// NewRegionalEdge declares the Service and ServiceExport; it needs the region's Kubernetes provider.
func NewRegionalEdge(ctx *pulumi.Context, name string, args *RegionalEdgeArgs, opts ...pulumi.ResourceOption) (*RegionalEdge, error) {
	e := &RegionalEdge{}
	if err := ctx.RegisterComponentResource("django-gke:components:RegionalEdge", name, e, opts...); err != nil {
		return nil, err
	}
	k := newKubeObjects(args.Namespace, args.Labels, childrenOf(e, opts))
	// GKE installs serviceexports.net.gke.io minutes after the fleet feature is
	// enabled, asynchronously, in each cluster: wait for it here.
	crd, err := declareCRDWait(ctx, name, k, &CRDWaitArgs{CRD: gkeapi.ServiceExportCRD, Image: args.Image,
		ControlPlaneCIDR: args.ControlPlaneCIDR, TimeoutSeconds: crdWaitSeconds})
	if err != nil {
		return nil, err
	}
	for _, svc := range []struct{ logical, name string }{{name + "-svc", WebName}, {name + "-svc-region", regionalService(args.Code)}} {
		if err := exportService(ctx, svc.logical, svc.name, k, args.Release, crd); err != nil {
			return nil, err
		}
	}
	return e, ctx.RegisterResourceOutputs(e, pulumi.Map{})
}

// regionalService names the Service of one region's pods alone.
func regionalService(code string) string { return WebName + "-" + code }

// exportService declares a Service of the web pods and the ServiceExport
// (named as the Service: that is how multi-cluster Services pairs them).
func exportService(ctx *pulumi.Context, logical, name string, k kubeObjects, release Release, crd pulumi.Resource) error {
	// No NEG annotation: multi-cluster Services makes the NEGs from the export.
	svc, err := webService(ctx, logical, name, k, release.selector(false), nil)
	if err != nil {
		return err
	}
	if _, err := apiextensions.NewCustomResource(ctx, logical+"-export", &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String(gkeapi.ServiceExportAPIVersion),
		Kind:       pulumi.String(gkeapi.ServiceExportKind),
		Metadata:   k.meta(name, webLabels(), nil),
	}, k.opts(pulumi.DependsOn([]pulumi.Resource{svc, crd}))...); err != nil {
		return fmt.Errorf("creating ServiceExport %s: %w", name, err)
	}
	return nil
}

// GatewayArgs configures the multi-cluster Gateway on the config cluster.
type GatewayArgs struct {
	Namespace pulumi.StringInput
	Labels    map[string]string
	// AddressName is the reserved global address the Gateway takes (NamedAddress).
	AddressName pulumi.StringInput
	// Hostname, when set, is served over HTTPS with the certificate map
	// CertificateMap and plain HTTP redirects to it; empty: HTTP on the address.
	Hostname       string
	CertificateMap pulumi.StringInput
	// SSLPolicy, with Hostname, is the Compute Engine SSL policy (TLS 1.2+,
	// MODERN) its HTTPS front end uses, attached by a GCPGatewayPolicy: the
	// certificate map carries certificates only, no TLS versions or ciphers.
	SSLPolicy      pulumi.StringInput
	SecurityPolicy string
	LogSampleRate  float64
	// RegionCodes are the serving regions: a request with the probe header
	// set to a code goes to that region's pods alone (per-region uptime checks).
	RegionCodes []string
}

// gatewayDeleteTimeout is how long a destroy waits for the Gateway to be
// gone: GKE's controller removes its finalizer only once the multi-cluster
// load balancer (forwarding rules, URL map, backend services, NEGs) is deleted.
const gatewayDeleteTimeout = "30m"

// Gateway is the global load balancer in front of every region: a Gateway of
// class gke-l7-global-external-managed-mc, the HTTPRoute to the imported
// "web" Service, and the policies that replace the single-region
// BackendConfig (health check on /readyz, timeout, draining, logging). A
// region whose pods are not ready fails the health check and stops
// receiving traffic; users go to the nearest healthy region.
type Gateway struct {
	pulumi.ResourceState
}

// NewGateway declares the objects; it needs the config cluster's Kubernetes provider.
func NewGateway(ctx *pulumi.Context, name string, args *GatewayArgs, opts ...pulumi.ResourceOption) (*Gateway, error) {
	g := &Gateway{}
	if err := ctx.RegisterComponentResource("django-gke:components:Gateway", name, g, opts...); err != nil {
		return nil, err
	}
	k := newKubeObjects(args.Namespace, args.Labels, childrenOf(g, opts))
	listeners := pulumi.Array{pulumi.Map{"name": pulumi.String("http"), "port": pulumi.Int(80), "protocol": pulumi.String("HTTP")}}
	var annotations pulumi.StringMap
	if args.Hostname != "" {
		listeners = append(listeners, pulumi.Map{
			"name": pulumi.String("https"), "port": pulumi.Int(443), "protocol": pulumi.String("HTTPS"),
			"hostname": pulumi.String(args.Hostname),
		})
		// Certificate Manager: GKE's ManagedCertificate does not serve Gateways.
		annotations = pulumi.StringMap{"networking.gke.io/certmap": args.CertificateMap}
	}
	gateway, err := apiextensions.NewCustomResource(ctx, name+"-gateway", &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String(gkeapi.GatewayAPIVersion),
		Kind:       pulumi.String(gkeapi.GatewayKind),
		Metadata:   k.meta(WebName, webLabels(), annotations),
		OtherFields: kubernetes.UntypedArgs{"spec": pulumi.Map{
			"gatewayClassName": pulumi.String(MultiClusterGatewayClass),
			"listeners":        listeners,
			"addresses":        pulumi.Array{pulumi.Map{"type": pulumi.String("NamedAddress"), "value": args.AddressName}},
		}},
	}, k.opts(pulumi.Timeouts(&pulumi.CustomTimeouts{Delete: gatewayDeleteTimeout}))...)
	if err != nil {
		return nil, fmt.Errorf("creating Gateway: %w", err)
	}
	backend := func(service string) pulumi.Map {
		return pulumi.Map{"group": pulumi.String(gkeapi.MultiClusterServiceGroup), "kind": pulumi.String(gkeapi.ServiceImportKind),
			"name": pulumi.String(service), "port": pulumi.Int(80)}
	}
	rules := pulumi.Array{pulumi.Map{"backendRefs": pulumi.Array{backend(WebName)}}}
	for _, code := range args.RegionCodes {
		rules = append(rules, pulumi.Map{
			"matches": pulumi.Array{pulumi.Map{"headers": pulumi.Array{pulumi.Map{
				"type": pulumi.String("Exact"), "name": pulumi.String(RegionProbeHeader), "value": pulumi.String(code),
			}}}},
			"backendRefs": pulumi.Array{backend(regionalService(code))},
		})
	}
	serve := pulumi.Map{"parentRefs": pulumi.Array{parentRef("http")}, "rules": rules}
	if args.Hostname != "" {
		serve["parentRefs"] = pulumi.Array{parentRef("https")}
		serve["hostnames"] = pulumi.ToStringArray([]string{args.Hostname})
		if err := declareRoute(ctx, name+"-redirect", k, "web-redirect", pulumi.Map{
			"parentRefs": pulumi.Array{parentRef("http")},
			"rules": pulumi.Array{pulumi.Map{"filters": pulumi.Array{pulumi.Map{
				"type":            pulumi.String("RequestRedirect"),
				"requestRedirect": pulumi.Map{"scheme": pulumi.String("https"), "statusCode": pulumi.Int(301)},
			}}}},
		}, gateway); err != nil {
			return nil, err
		}
	}
	if err := declareRoute(ctx, name+"-route", k, WebName, serve, gateway); err != nil {
		return nil, err
	}
	if args.Hostname != "" && args.SSLPolicy != nil {
		if _, err := apiextensions.NewCustomResource(ctx, name+"-gatewaypolicy", &apiextensions.CustomResourceArgs{
			ApiVersion: pulumi.String(gkeapi.GCPGatewayPolicyAPIVersion),
			Kind:       pulumi.String(gkeapi.GCPGatewayPolicyKind),
			Metadata:   k.meta(WebName, webLabels(), nil),
			OtherFields: kubernetes.UntypedArgs{"spec": pulumi.Map{
				"default": pulumi.Map{"sslPolicy": args.SSLPolicy},
				"targetRef": pulumi.Map{"group": pulumi.String(gkeapi.GatewayGroup), "kind": pulumi.String(gkeapi.GatewayKind),
					"name": pulumi.String(WebName)},
			}},
		}, k.opts(pulumi.DependsOn([]pulumi.Resource{gateway}))...); err != nil {
			return nil, fmt.Errorf("creating GCPGatewayPolicy: %w", err)
		}
	}
	for _, service := range append([]string{WebName}, regionalServices(args.RegionCodes)...) {
		if err := declarePolicies(ctx, name, service, k, args); err != nil {
			return nil, err
		}
	}
	return g, ctx.RegisterResourceOutputs(g, pulumi.Map{})
}

func regionalServices(codes []string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = regionalService(c)
	}
	return out
}

// declarePolicies gives an imported Service the health check and backend
// settings the single-region stack's BackendConfig gives its Service.
func declarePolicies(ctx *pulumi.Context, name, service string, k kubeObjects, args *GatewayArgs) error {
	logical := name + "-" + service
	target := pulumi.Map{"group": pulumi.String(gkeapi.MultiClusterServiceGroup), "kind": pulumi.String(gkeapi.ServiceImportKind), "name": pulumi.String(service)}
	if _, err := apiextensions.NewCustomResource(ctx, logical+"-healthcheck", &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String(gkeapi.HealthCheckPolicyAPIVersion),
		Kind:       pulumi.String(gkeapi.HealthCheckPolicyKind),
		Metadata:   k.meta(service, webLabels(), nil),
		OtherFields: kubernetes.UntypedArgs{"spec": pulumi.Map{
			"default": pulumi.Map{
				"checkIntervalSec": pulumi.Int(10), "timeoutSec": pulumi.Int(5),
				"healthyThreshold": pulumi.Int(1), "unhealthyThreshold": pulumi.Int(3),
				"logConfig": pulumi.Map{"enabled": pulumi.Bool(true)},
				"config": pulumi.Map{"type": pulumi.String("HTTP"), "httpHealthCheck": pulumi.Map{
					"portSpecification": pulumi.String("USE_FIXED_PORT"), "port": pulumi.Int(NginxPort),
					"requestPath": pulumi.String("/readyz"),
				}},
			},
			"targetRef": target,
		}},
	}, k.opts()...); err != nil {
		return fmt.Errorf("creating HealthCheckPolicy %s: %w", service, err)
	}
	backendDefault := pulumi.Map{
		"timeoutSec":         pulumi.Int(60),
		"connectionDraining": pulumi.Map{"drainingTimeoutSec": pulumi.Int(30)},
		// sampleRate is in millionths here (BackendConfig's is a fraction).
		"logging": pulumi.Map{"enabled": pulumi.Bool(true), "sampleRate": pulumi.Int(int(args.LogSampleRate * 1e6))},
	}
	if args.SecurityPolicy != "" {
		backendDefault["securityPolicy"] = pulumi.String(args.SecurityPolicy)
	}
	if _, err := apiextensions.NewCustomResource(ctx, logical+"-backendpolicy", &apiextensions.CustomResourceArgs{
		ApiVersion:  pulumi.String(gkeapi.GCPBackendPolicyAPIVersion),
		Kind:        pulumi.String(gkeapi.GCPBackendPolicyKind),
		Metadata:    k.meta(service, webLabels(), nil),
		OtherFields: kubernetes.UntypedArgs{"spec": pulumi.Map{"default": backendDefault, "targetRef": target}},
	}, k.opts()...); err != nil {
		return fmt.Errorf("creating GCPBackendPolicy %s: %w", service, err)
	}
	return nil
}

// parentRef attaches a route to one listener of the web Gateway.
func parentRef(listener string) pulumi.Map {
	return pulumi.Map{"kind": pulumi.String("Gateway"), "name": pulumi.String(WebName), "sectionName": pulumi.String(listener)}
}

func declareRoute(ctx *pulumi.Context, logical string, k kubeObjects, name string, spec pulumi.Map, gateway pulumi.Resource) error {
	if _, err := apiextensions.NewCustomResource(ctx, logical, &apiextensions.CustomResourceArgs{
		ApiVersion:  pulumi.String(gkeapi.HTTPRouteAPIVersion),
		Kind:        pulumi.String(gkeapi.HTTPRouteKind),
		Metadata:    k.meta(name, webLabels(), nil),
		OtherFields: kubernetes.UntypedArgs{"spec": spec},
	}, k.opts(pulumi.DependsOn([]pulumi.Resource{gateway}))...); err != nil {
		return fmt.Errorf("creating HTTPRoute %s: %w", name, err)
	}
	return nil
}

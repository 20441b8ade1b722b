package components

import (
	"fmt"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"django-gke/infra/gkeapi"
)

// EdgeArgs configures how traffic reaches the web pods.
type EdgeArgs struct {
	// Namespace is the workload's (its output, so the objects wait for it).
	Namespace pulumi.StringInput
	Labels    map[string]string
	// Hostname, when set, is served over HTTPS with a managed certificate and
	// an HTTP→HTTPS redirect; empty: plain HTTP on the address.
	Hostname string
	// Release adds, under blue/green, the preview Service (and host).
	Release Release
	// Backend options of the load balancer.
	CDN            bool
	SecurityPolicy string
	LogSampleRate  float64
	// Address is the reserved global IP and SSL policy. Nil where no GKE
	// Ingress controller runs (env local): the Ingress is still declared, but
	// nothing waits for a status no controller will set.
	Address *EdgeAddress
}

// Edge is how traffic gets in, as Kubernetes objects: the NEG Service(s),
// BackendConfig, Ingress and, with a hostname, the ManagedCertificate and
// FrontendConfig. GKE's Ingress controller builds the load balancer from them.
type Edge struct {
	pulumi.ResourceState
}

// NewEdge declares the edge; it needs the cluster's Kubernetes provider.
func NewEdge(ctx *pulumi.Context, name string, args *EdgeArgs, opts ...pulumi.ResourceOption) (*Edge, error) {
	e := &Edge{}
	if err := ctx.RegisterComponentResource("django-gke:components:Edge", name, e, opts...); err != nil {
		return nil, err
	}
	k := newKubeObjects(args.Namespace, args.Labels, childrenOf(e, opts))
	if _, err := apiextensions.NewCustomResource(ctx, name+"-backendconfig", &apiextensions.CustomResourceArgs{
		ApiVersion:  pulumi.String(gkeapi.BackendConfigAPIVersion),
		Kind:        pulumi.String(gkeapi.BackendConfigKind),
		Metadata:    k.meta(WebName, webLabels(), nil),
		OtherFields: kubernetes.UntypedArgs{"spec": backendConfigSpec(args)},
	}, k.opts()...); err != nil {
		return nil, fmt.Errorf("creating BackendConfig: %w", err)
	}
	if err := declareServices(ctx, name, k, args.Release); err != nil {
		return nil, err
	}

	annotations := pulumi.StringMap{"kubernetes.io/ingress.class": pulumi.String("gce")}
	if args.Address != nil {
		annotations["kubernetes.io/ingress.global-static-ip-name"] = args.Address.Name
	} else {
		annotations["pulumi.com/skipAwait"] = pulumi.String("true")
	}
	spec := &networkingv1.IngressSpecArgs{DefaultBackend: ingressBackend(WebName)}
	if args.Hostname != "" {
		if err := declareTLS(ctx, name, k, args); err != nil {
			return nil, err
		}
		annotations["networking.gke.io/managed-certificates"] = pulumi.String(WebName)
		annotations["networking.gke.io/v1beta1.FrontendConfig"] = pulumi.String(WebName)
		rules := networkingv1.IngressRuleArray{ingressRule(args.Hostname, WebName)}
		if host := args.Release.previewHost(); host != "" {
			rules = append(rules, ingressRule(host, previewName))
		}
		spec.Rules = rules
	}
	if _, err := networkingv1.NewIngress(ctx, name+"-ingress", &networkingv1.IngressArgs{
		Metadata: k.meta(WebName, webLabels(), annotations),
		Spec:     spec,
	}, k.opts()...); err != nil {
		return nil, fmt.Errorf("creating Ingress: %w", err)
	}
	return e, ctx.RegisterResourceOutputs(e, pulumi.Map{})
}

// declareServices declares the NEG Services: container-native load balancing
// targets pod IPs. Under blue/green a preview Service selects the inactive
// color, for smoke tests before the flip.
func declareServices(ctx *pulumi.Context, name string, k kubeObjects, release Release) error {
	type service struct {
		logical, name string
		preview       bool
	}
	services := []service{{name + "-svc", WebName, false}}
	if release.BlueGreen {
		services = append(services, service{name + "-svc-preview", previewName, true})
	}
	for _, svc := range services {
		if _, err := webService(ctx, svc.logical, svc.name, k, release.selector(svc.preview), pulumi.StringMap{
			"cloud.google.com/neg":            pulumi.String(`{"ingress": true}`),
			"cloud.google.com/backend-config": pulumi.String(fmt.Sprintf(`{"default": "%s"}`, WebName)),
		}); err != nil {
			return err
		}
	}
	return nil
}

// webService is a ClusterIP Service of the web pods (port 80 to nginx's "http").
func webService(ctx *pulumi.Context, logical, name string, k kubeObjects, selector map[string]string, annotations pulumi.StringMapInput) (*corev1.Service, error) {
	svc, err := corev1.NewService(ctx, logical, &corev1.ServiceArgs{
		Metadata: k.meta(name, webLabels(), annotations),
		Spec: &corev1.ServiceSpecArgs{
			Type:     pulumi.String("ClusterIP"),
			Selector: pulumi.ToStringMap(selector),
			Ports: corev1.ServicePortArray{corev1.ServicePortArgs{
				Name: pulumi.String("http"), Port: pulumi.Int(80), TargetPort: pulumi.String("http"), Protocol: pulumi.String("TCP"),
			}},
		},
	}, k.opts()...)
	if err != nil {
		return nil, fmt.Errorf("creating Service %s: %w", name, err)
	}
	return svc, nil
}

// declareTLS declares the ManagedCertificate for the hostname(s) and the
// FrontendConfig: HTTP→HTTPS redirect and, on GCP, the SSL policy.
func declareTLS(ctx *pulumi.Context, name string, k kubeObjects, args *EdgeArgs) error {
	frontend := pulumi.Map{
		"redirectToHttps": pulumi.Map{"enabled": pulumi.Bool(true), "responseCodeName": pulumi.String("MOVED_PERMANENTLY_DEFAULT")},
	}
	if args.Address != nil && args.Address.SSLPolicy != nil {
		frontend["sslPolicy"] = args.Address.SSLPolicy
	}
	domains := []string{args.Hostname}
	if host := args.Release.previewHost(); host != "" {
		domains = append(domains, host)
	}
	if _, err := apiextensions.NewCustomResource(ctx, name+"-cert", &apiextensions.CustomResourceArgs{
		ApiVersion:  pulumi.String(gkeapi.ManagedCertificateAPIVersion),
		Kind:        pulumi.String(gkeapi.ManagedCertificateKind),
		Metadata:    k.meta(WebName, webLabels(), nil),
		OtherFields: kubernetes.UntypedArgs{"spec": map[string]any{"domains": domains}},
	}, k.opts()...); err != nil {
		return fmt.Errorf("creating ManagedCertificate: %w", err)
	}
	if _, err := apiextensions.NewCustomResource(ctx, name+"-frontendconfig", &apiextensions.CustomResourceArgs{
		ApiVersion:  pulumi.String(gkeapi.FrontendConfigAPIVersion),
		Kind:        pulumi.String(gkeapi.FrontendConfigKind),
		Metadata:    k.meta(WebName, webLabels(), nil),
		OtherFields: kubernetes.UntypedArgs{"spec": frontend},
	}, k.opts()...); err != nil {
		return fmt.Errorf("creating FrontendConfig: %w", err)
	}
	return nil
}

func ingressBackend(service string) *networkingv1.IngressBackendArgs {
	return &networkingv1.IngressBackendArgs{Service: &networkingv1.IngressServiceBackendArgs{
		Name: pulumi.String(service), Port: &networkingv1.ServiceBackendPortArgs{Number: pulumi.Int(80)},
	}}
}

func ingressRule(host, service string) networkingv1.IngressRuleArgs {
	return networkingv1.IngressRuleArgs{
		Host: pulumi.String(host),
		Http: &networkingv1.HTTPIngressRuleValueArgs{Paths: networkingv1.HTTPIngressPathArray{networkingv1.HTTPIngressPathArgs{
			Path: pulumi.String("/"), PathType: pulumi.String("Prefix"), Backend: ingressBackend(service),
		}}},
	}
}

// backendConfigSpec is the load balancer's view of the backend: health check on
// /readyz through nginx, connection draining longer than the pods' preStop
// sleep, request logging, optional Cloud CDN and Cloud Armor.
func backendConfigSpec(args *EdgeArgs) map[string]any {
	spec := map[string]any{
		"timeoutSec": 60,
		"healthCheck": map[string]any{
			"type": "HTTP", "requestPath": "/readyz", "port": NginxPort,
			"checkIntervalSec": 10, "timeoutSec": 5, "healthyThreshold": 1, "unhealthyThreshold": 3,
		},
		"connectionDraining": map[string]any{"drainingTimeoutSec": 30},
		"logging":            map[string]any{"enable": true, "sampleRate": args.LogSampleRate},
	}
	if args.CDN {
		spec["cdn"] = map[string]any{"enabled": true, "cacheMode": "CACHE_ALL_STATIC"}
	}
	if args.SecurityPolicy != "" {
		spec["securityPolicy"] = map[string]any{"name": args.SecurityPolicy}
	}
	return spec
}

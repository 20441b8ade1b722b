package components

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/compute"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	appsv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apps/v1"
	autoscalingv2 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/autoscaling/v2"
	batchv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/batch/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	policyv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/policy/v1"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"django-gke/infra/capacity"
	"django-gke/infra/gkeapi"
)

// NginxPort is where nginx listens in the pod; the load balancer's NEGs target it.
const NginxPort = 8080

// WebName names the web workload's objects (Deployment, Service, HPA, PDB,
// Ingress, BackendConfig) in the app's namespace; PreviewName the blue/green
// preview Service.
const (
	WebName     = "web"
	PreviewName = "web-preview"
)

// WebappArgs configures the Django workload on the cluster.
type WebappArgs struct {
	Project   string
	Namespace string
	// ServiceAccount is the Kubernetes service account; GoogleServiceAccount the
	// Google one it acts as through Workload Identity.
	ServiceAccount       string
	GoogleServiceAccount pulumi.StringInput
	Labels               map[string]string

	// Image is the app image by digest (repo@sha256:…).
	Image             pulumi.StringInput
	SQLConnectionName pulumi.StringInput
	SQLPrivateIP      pulumi.StringInput
	DBName, DBUser    string
	DBPassword        pulumi.StringInput
	// DjangoSecretKey is generated with pulumi-random when nil.
	DjangoSecretKey pulumi.StringInput

	// Gunicorn container requests and process model (from the capacity plan).
	GunicornCPU, GunicornMemory      string
	GunicornWorkers, GunicornThreads int
	// HPA bounds and CPU target (percent of gunicorn's request).
	MinReplicas, MaxReplicas int
	TargetCPUPercent         int

	// Hostname empty: serve plain HTTP on the load balancer's IP.
	Hostname string
	// Settings are extra, non-secret environment variables.
	Settings map[string]string
	// NginxConfTemplate is app/nginx/nginx.conf.
	NginxConfTemplate string
	// Load balancer options.
	CDN            bool
	SecurityPolicy string
	LogSampleRate  float64
	// Release is rolling (the zero value) or blue/green.
	Release ReleaseArgs
	// Local, when set, deploys to a cluster without GCP (env local): no load
	// balancer address, no Workload Identity, no Cloud SQL proxy. infra/local.go
	// lists every stand-in.
	Local *LocalArgs
}

// LocalArgs are the stand-ins of env local.
type LocalArgs struct {
	// DBHost and DBPort are the Postgres the pods connect to directly.
	DBHost string
	DBPort int
}

// ReleaseArgs is the release strategy.
type ReleaseArgs struct {
	BlueGreen bool
	// Active is the color the public Service selects (blue | green).
	Active string
	// Images are per-color image refs; a color without one runs WebappArgs.Image.
	Images map[string]pulumi.StringInput
	// PreviewHostname, when set, routes that host on the Ingress to the inactive color.
	PreviewHostname string
	// InactiveAtMinimum caps the inactive color's HPA at its minimum (cheaper; a flip
	// then also resizes both HPAs, and the newly active color starts small).
	InactiveAtMinimum bool
}

// Colors are the blue/green tracks.
var Colors = []string{"blue", "green"}

// ColorLabel is the pod label that tells the colors apart.
const ColorLabel = "django-gke/color"

// Track is one release track: the whole app for rolling, one color for blue/green.
type Track struct {
	// Color is "" for rolling.
	Color                    string
	Image                    pulumi.StringInput
	MinReplicas, MaxReplicas int
}

func (t Track) suffix() string {
	if t.Color == "" {
		return ""
	}
	return "-" + t.Color
}

// objectName is the Deployment's, HPA's and PDB's name: "web", "web-blue", "web-green".
func (t Track) objectName() string { return WebName + t.suffix() }

func (t Track) colorLabel() map[string]string {
	if t.Color == "" {
		return nil
	}
	return map[string]string{ColorLabel: t.Color}
}

// Tracks lists the release tracks of the workload.
func Tracks(args *WebappArgs) []Track {
	if !args.Release.BlueGreen {
		return []Track{{Image: args.Image, MinReplicas: args.MinReplicas, MaxReplicas: args.MaxReplicas}}
	}
	var tracks []Track
	for _, color := range Colors {
		image := args.Image
		if img, ok := args.Release.Images[color]; ok && img != nil {
			image = img
		}
		t := Track{Color: color, Image: image, MinReplicas: args.MinReplicas, MaxReplicas: args.MaxReplicas}
		if args.Release.InactiveAtMinimum && color != args.Release.Active {
			t.MaxReplicas = t.MinReplicas
		}
		tracks = append(tracks, t)
	}
	return tracks
}

// InactiveColor is the color the preview Service selects.
func InactiveColor(active string) string {
	if active == "green" {
		return "blue"
	}
	return "green"
}

// ServiceSelector is what the public (preview false) or preview Service selects.
func ServiceSelector(r ReleaseArgs, preview bool) map[string]string {
	if !r.BlueGreen {
		return WebLabels()
	}
	color := r.Active
	if preview {
		color = InactiveColor(r.Active)
	}
	return merge(WebLabels(), map[string]string{ColorLabel: color})
}

// Webapp is the Django workload and the load balancer in front of it.
type Webapp struct {
	pulumi.ResourceState

	Namespace pulumi.StringOutput `pulumi:"namespace"`
	Address   pulumi.StringOutput `pulumi:"address"`
	URL       pulumi.StringOutput `pulumi:"url"`
}

// WebLabels select the web pods; MigrateLabels the migration Job's.
func WebLabels() map[string]string {
	return map[string]string{"app.kubernetes.io/name": "django", "app.kubernetes.io/component": WebName}
}

// MigrateLabels select the migration Job's pods.
func MigrateLabels() map[string]string {
	return map[string]string{"app.kubernetes.io/name": "django", "app.kubernetes.io/component": "migrate"}
}

func merge(maps ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// PodSecurityLabels enforce the restricted Pod Security Standard on a namespace.
func PodSecurityLabels() map[string]string {
	return map[string]string{
		"pod-security.kubernetes.io/enforce": "restricted",
		"pod-security.kubernetes.io/audit":   "restricted",
		"pod-security.kubernetes.io/warn":    "restricted",
	}
}

// AppSettings are the non-secret environment variables of the app (the ConfigMap).
// host is the public host name, or the load balancer's IP when there is none.
func AppSettings(args *WebappArgs, host string) map[string]string {
	tls := args.Hostname != ""
	scheme, hsts := "http", "0"
	if tls {
		scheme, hsts = "https", "31536000"
	}
	s := map[string]string{
		"DJANGO_ALLOWED_HOSTS":        host,
		"DJANGO_CSRF_TRUSTED_ORIGINS": scheme + "://" + host,
		"DJANGO_DEBUG":                "false",
		"DJANGO_SECURE_SSL_REDIRECT":  strconv.FormatBool(tls),
		"DJANGO_SECURE_COOKIES":       strconv.FormatBool(tls),
		"DJANGO_SECURE_HSTS_SECONDS":  hsts,
		"DB_HOST":                     "127.0.0.1", // the Cloud SQL proxy sidecar
		"DB_PORT":                     "5432",
		"DB_NAME":                     args.DBName,
		"DB_USER":                     args.DBUser,
		"GOOGLE_CLOUD_PROJECT":        args.Project,
		"GUNICORN_BIND":               fmt.Sprintf("0.0.0.0:%d", GunicornPort),
		"GUNICORN_WORKERS":            strconv.Itoa(args.GunicornWorkers),
		"GUNICORN_THREADS":            strconv.Itoa(args.GunicornThreads),
		"GUNICORN_GRACEFUL_TIMEOUT":   strconv.Itoa(GunicornGracefulTimeout),
		// nginx already logs every request (same JSON, same httpRequest): a second line
		// from gunicorn doubles the log bill and costs 7.5 % throughput (scripts/bench/tune.sh).
		"GUNICORN_ACCESS_LOG": "0",
	}
	if args.Local != nil {
		s["DB_HOST"], s["DB_PORT"] = args.Local.DBHost, strconv.Itoa(args.Local.DBPort)
	}
	for k, v := range args.Settings {
		s[k] = v
	}
	return s
}

// NginxValues are the pod's values for app/nginx/nginx.conf's placeholders.
func NginxValues(project, loadBalancerIP string) map[string]string {
	return map[string]string{
		"LISTEN":       strconv.Itoa(NginxPort),
		"UPSTREAM":     fmt.Sprintf("127.0.0.1:%d", GunicornPort),
		"STATIC_ROOT":  "/static",
		"TEMP_DIR":     "/tmp",
		"PID_FILE":     "/tmp/nginx.pid",
		"REAL_IP_FROM": loadBalancerIP + "/32",
		"GCP_PROJECT":  project,
	}
}

// MigrationJobName names the Job after the image digest (and the color being
// released, under blue/green), so each release migrates once.
func MigrationJobName(color, imageRef string) string {
	digest := imageRef
	if i := strings.LastIndex(imageRef, "@sha256:"); i >= 0 {
		digest = imageRef[i+len("@sha256:"):]
	}
	if len(digest) > 12 {
		digest = digest[:12]
	}
	if color != "" {
		return "migrate-" + color + "-" + strings.ToLower(digest)
	}
	return "migrate-" + strings.ToLower(digest)
}

// NewWebapp declares the workload. It needs the cluster's Kubernetes provider
// and the GCP provider (for the load balancer's address and SSL policy).
func NewWebapp(ctx *pulumi.Context, name string, args *WebappArgs, opts ...pulumi.ResourceOption) (*Webapp, error) {
	w := &Webapp{}
	if err := ctx.RegisterComponentResource("django-gke:components:Webapp", name, w, opts...); err != nil {
		return nil, err
	}
	child := childOptions(w, opts)
	labels := merge(args.Labels, map[string]string{"app.kubernetes.io/part-of": "django-gke", "app.kubernetes.io/managed-by": "pulumi"})
	meta := func(objName string, extra map[string]string, annotations pulumi.StringMapInput) *metav1.ObjectMetaArgs {
		m := &metav1.ObjectMetaArgs{Namespace: pulumi.String(args.Namespace), Labels: pulumi.ToStringMap(merge(labels, extra)), Annotations: annotations}
		if objName != "" {
			m.Name = pulumi.String(objName)
		}
		return m
	}

	ns, err := corev1.NewNamespace(ctx, name+"-ns", &corev1.NamespaceArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(args.Namespace), Labels: pulumi.ToStringMap(merge(labels, PodSecurityLabels()))},
	}, child()...)
	if err != nil {
		return nil, fmt.Errorf("creating namespace: %w", err)
	}
	inNamespace := child(pulumi.DependsOn([]pulumi.Resource{ns}))

	var ksaAnnotations pulumi.StringMapInput
	if args.Local == nil {
		ksaAnnotations = pulumi.StringMap{"iam.gke.io/gcp-service-account": args.GoogleServiceAccount}
	}
	if _, err := corev1.NewServiceAccount(ctx, name+"-ksa", &corev1.ServiceAccountArgs{
		Metadata:                     meta(args.ServiceAccount, nil, ksaAnnotations),
		AutomountServiceAccountToken: pulumi.Bool(false),
	}, inNamespace...); err != nil {
		return nil, fmt.Errorf("creating service account: %w", err)
	}

	// The load balancer's global static IP, reserved so DNS can point at it.
	lb := loadBalancerAddress{ip: pulumi.String("127.0.0.1").ToStringOutput()}
	if args.Local == nil {
		address, err := compute.NewGlobalAddress(ctx, name+"-ip", &compute.GlobalAddressArgs{
			Description: pulumi.String("Global load balancer of " + name),
		}, child()...)
		if err != nil {
			return nil, fmt.Errorf("reserving the load balancer's address: %w", err)
		}
		lb = loadBalancerAddress{name: address.Name, ip: address.Address}
	}
	host := pulumi.String(args.Hostname).ToStringOutput()
	switch {
	case args.Hostname != "":
	case args.Local != nil:
		host = pulumi.String("localhost").ToStringOutput()
	default:
		host = lb.ip
	}

	// Settings: a ConfigMap (never a secret in it) and a Secret, both auto-named:
	// pulumi-kubernetes replaces them on change, the pods' references move, the pods roll.
	settings := host.ApplyT(func(h string) map[string]string { return AppSettings(args, h) }).(pulumi.StringMapOutput)
	configMap, err := corev1.NewConfigMap(ctx, name+"-config", &corev1.ConfigMapArgs{
		Metadata: meta("", nil, nil), Data: settings, Immutable: pulumi.Bool(true),
	}, inNamespace...)
	if err != nil {
		return nil, fmt.Errorf("creating settings ConfigMap: %w", err)
	}
	nginxConf := lb.ip.ApplyT(func(ip string) (map[string]string, error) {
		text, err := RenderNginxConf(args.NginxConfTemplate, NginxValues(args.Project, ip))
		return map[string]string{"nginx.conf": text}, err
	}).(pulumi.StringMapOutput)
	nginxMap, err := corev1.NewConfigMap(ctx, name+"-nginx", &corev1.ConfigMapArgs{
		Metadata: meta("", nil, nil), Data: nginxConf, Immutable: pulumi.Bool(true),
	}, inNamespace...)
	if err != nil {
		return nil, fmt.Errorf("creating nginx ConfigMap: %w", err)
	}
	// Django's SECRET_KEY signs sessions and tokens; generated once per stack, kept in state as a secret.
	djangoKey := args.DjangoSecretKey
	if djangoKey == nil {
		secretKey, err := random.NewRandomPassword(ctx, name+"-django-secret-key", &random.RandomPasswordArgs{
			Length: pulumi.Int(64), Special: pulumi.Bool(false),
		}, child()...)
		if err != nil {
			return nil, fmt.Errorf("generating Django secret key: %w", err)
		}
		djangoKey = secretKey.Result
	}
	secret, err := corev1.NewSecret(ctx, name+"-django", &corev1.SecretArgs{
		Metadata:   meta("", nil, nil),
		Type:       pulumi.String("Opaque"),
		Immutable:  pulumi.Bool(true),
		StringData: pulumi.StringMap{"DJANGO_SECRET_KEY": djangoKey, "DB_PASSWORD": args.DBPassword},
	}, inNamespace...)
	if err != nil {
		return nil, fmt.Errorf("creating Django secret: %w", err)
	}

	pod := PodParams{
		Image:             args.Image,
		SQLConnectionName: args.SQLConnectionName,
		Proxy:             args.Local == nil,
		ServiceAccount:    args.ServiceAccount,
		ConfigMapName:     configMap.Metadata.Name().Elem(),
		SecretName:        secret.Metadata.Name().Elem(),
		NginxConfigMap:    nginxMap.Metadata.Name().Elem(),
		GunicornCPU:       args.GunicornCPU,
		GunicornMemory:    args.GunicornMemory,
	}

	// The pod template changes whenever its configuration does (and so rolls the pods).
	pod.Annotations = pulumi.StringMap{
		"checksum/config": settings.ApplyT(Checksum).(pulumi.StringOutput),
		"checksum/nginx":  nginxConf.ApplyT(Checksum).(pulumi.StringOutput),
	}
	for _, tr := range Tracks(args) {
		if err := declareTrack(ctx, name, args, tr, pod, labels, meta, child, []pulumi.Resource{ns}); err != nil {
			return nil, err
		}
	}

	if err := declareLoadBalancer(ctx, name, args, lb, meta, child, inNamespace); err != nil {
		return nil, err
	}
	if err := declareNetworkPolicies(ctx, name, args, meta, inNamespace); err != nil {
		return nil, err
	}

	w.Namespace = ns.Metadata.Name().Elem()
	w.Address = lb.ip
	if args.Hostname != "" {
		w.URL = pulumi.Sprintf("https://%s/", args.Hostname)
	} else {
		w.URL = pulumi.Sprintf("http://%s/", host)
	}
	return w, ctx.RegisterResourceOutputs(w, pulumi.Map{"namespace": w.Namespace, "address": w.Address, "url": w.URL})
}

type metaFunc func(name string, extra map[string]string, annotations pulumi.StringMapInput) *metav1.ObjectMetaArgs

// BackendConfigSpec is the load balancer's view of the backend: health check on
// /readyz through nginx, connection draining longer than the pods' preStop
// sleep, request logging, optional Cloud CDN and Cloud Armor.
func BackendConfigSpec(args *WebappArgs) map[string]any {
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

// loadBalancerAddress is the global address's name and IP (env local: no name, 127.0.0.1).
type loadBalancerAddress struct {
	name pulumi.StringOutput
	ip   pulumi.StringOutput
}

func declareLoadBalancer(ctx *pulumi.Context, name string, args *WebappArgs, address loadBalancerAddress,
	meta metaFunc, child childOpts, inNamespace []pulumi.ResourceOption) error {
	if _, err := apiextensions.NewCustomResource(ctx, name+"-backendconfig", &apiextensions.CustomResourceArgs{
		ApiVersion:  pulumi.String(gkeapi.BackendConfigAPIVersion),
		Kind:        pulumi.String(gkeapi.BackendConfigKind),
		Metadata:    meta(WebName, WebLabels(), nil),
		OtherFields: kubernetes.UntypedArgs{"spec": BackendConfigSpec(args)},
	}, inNamespace...); err != nil {
		return fmt.Errorf("creating BackendConfig: %w", err)
	}
	// Container-native load balancing: the LB targets pod IPs through NEGs. Under
	// blue/green a preview Service selects the inactive color for smoke tests.
	type service struct {
		logical, name string
		preview       bool
	}
	services := []service{{name + "-svc", WebName, false}}
	if args.Release.BlueGreen {
		services = append(services, service{name + "-svc-preview", PreviewName, true})
	}
	for _, svc := range services {
		if _, err := corev1.NewService(ctx, svc.logical, &corev1.ServiceArgs{
			Metadata: meta(svc.name, WebLabels(), pulumi.StringMap{
				"cloud.google.com/neg":            pulumi.String(`{"ingress": true}`),
				"cloud.google.com/backend-config": pulumi.String(fmt.Sprintf(`{"default": "%s"}`, WebName)),
			}),
			Spec: &corev1.ServiceSpecArgs{
				Type:     pulumi.String("ClusterIP"),
				Selector: pulumi.ToStringMap(ServiceSelector(args.Release, svc.preview)),
				Ports: corev1.ServicePortArray{corev1.ServicePortArgs{
					Name: pulumi.String("http"), Port: pulumi.Int(80), TargetPort: pulumi.String("http"), Protocol: pulumi.String("TCP"),
				}},
			},
		}, inNamespace...); err != nil {
			return fmt.Errorf("creating Service %s: %w", svc.name, err)
		}
	}

	annotations := pulumi.StringMap{"kubernetes.io/ingress.class": pulumi.String("gce")}
	if args.Local == nil {
		annotations["kubernetes.io/ingress.global-static-ip-name"] = address.name
	} else {
		// No GKE Ingress controller will ever set a status to wait for.
		annotations["pulumi.com/skipAwait"] = pulumi.String("true")
	}
	backend := func(service string) *networkingv1.IngressBackendArgs {
		return &networkingv1.IngressBackendArgs{Service: &networkingv1.IngressServiceBackendArgs{
			Name: pulumi.String(service), Port: &networkingv1.ServiceBackendPortArgs{Number: pulumi.Int(80)},
		}}
	}
	spec := &networkingv1.IngressSpecArgs{DefaultBackend: backend(WebName)}
	if args.Hostname != "" {
		frontend := pulumi.Map{
			"redirectToHttps": pulumi.Map{"enabled": pulumi.Bool(true), "responseCodeName": pulumi.String("MOVED_PERMANENTLY_DEFAULT")},
		}
		if args.Local == nil {
			sslPolicy, err := compute.NewSSLPolicy(ctx, name+"-ssl", &compute.SSLPolicyArgs{
				Profile: pulumi.String("MODERN"), MinTlsVersion: pulumi.String("TLS_1_2"),
			}, child()...)
			if err != nil {
				return fmt.Errorf("creating SSL policy: %w", err)
			}
			frontend["sslPolicy"] = sslPolicy.Name
		}
		if _, err := apiextensions.NewCustomResource(ctx, name+"-cert", &apiextensions.CustomResourceArgs{
			ApiVersion:  pulumi.String(gkeapi.ManagedCertificateAPIVersion),
			Kind:        pulumi.String(gkeapi.ManagedCertificateKind),
			Metadata:    meta(WebName, WebLabels(), nil),
			OtherFields: kubernetes.UntypedArgs{"spec": map[string]any{"domains": certificateDomains(args)}},
		}, inNamespace...); err != nil {
			return fmt.Errorf("creating ManagedCertificate: %w", err)
		}
		if _, err := apiextensions.NewCustomResource(ctx, name+"-frontendconfig", &apiextensions.CustomResourceArgs{
			ApiVersion:  pulumi.String(gkeapi.FrontendConfigAPIVersion),
			Kind:        pulumi.String(gkeapi.FrontendConfigKind),
			Metadata:    meta(WebName, WebLabels(), nil),
			OtherFields: kubernetes.UntypedArgs{"spec": frontend},
		}, inNamespace...); err != nil {
			return fmt.Errorf("creating FrontendConfig: %w", err)
		}
		annotations["networking.gke.io/managed-certificates"] = pulumi.String(WebName)
		annotations["networking.gke.io/v1beta1.FrontendConfig"] = pulumi.String(WebName)
		rule := func(host, service string) networkingv1.IngressRuleArgs {
			return networkingv1.IngressRuleArgs{
				Host: pulumi.String(host),
				Http: &networkingv1.HTTPIngressRuleValueArgs{Paths: networkingv1.HTTPIngressPathArray{networkingv1.HTTPIngressPathArgs{
					Path: pulumi.String("/"), PathType: pulumi.String("Prefix"), Backend: backend(service),
				}}},
			}
		}
		rules := networkingv1.IngressRuleArray{rule(args.Hostname, WebName)}
		if args.Release.BlueGreen && args.Release.PreviewHostname != "" {
			rules = append(rules, rule(args.Release.PreviewHostname, PreviewName))
		}
		spec.Rules = rules
	}
	if _, err := networkingv1.NewIngress(ctx, name+"-ingress", &networkingv1.IngressArgs{
		Metadata: meta(WebName, WebLabels(), annotations),
		Spec:     spec,
	}, inNamespace...); err != nil {
		return fmt.Errorf("creating Ingress: %w", err)
	}
	return nil
}

// GKE metadata server (Workload Identity tokens) and its ports on Dataplane V2.
const metadataServer = "169.254.169.254/32"

func declareNetworkPolicies(ctx *pulumi.Context, name string, args *WebappArgs, meta metaFunc, inNamespace []pulumi.ResourceOption) error {
	port := func(protocol string, n int) networkingv1.NetworkPolicyPortArgs {
		return networkingv1.NetworkPolicyPortArgs{Protocol: pulumi.String(protocol), Port: pulumi.Int(n)}
	}
	ipBlock := func(cidr pulumi.StringInput) networkingv1.NetworkPolicyPeerArgs {
		return networkingv1.NetworkPolicyPeerArgs{IpBlock: &networkingv1.IPBlockArgs{Cidr: cidr}}
	}
	app := map[string]string{"app.kubernetes.io/name": "django"}
	policies := []struct {
		name string
		spec *networkingv1.NetworkPolicySpecArgs
	}{
		{"default-deny", &networkingv1.NetworkPolicySpecArgs{
			PodSelector: &metav1.LabelSelectorArgs{},
			PolicyTypes: pulumi.StringArray{pulumi.String("Ingress"), pulumi.String("Egress")},
		}},
		// Only Google's front ends and health checkers reach nginx; gunicorn's and the proxy's ports stay closed.
		{"web-ingress-from-lb", &networkingv1.NetworkPolicySpecArgs{
			PodSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(WebLabels())},
			PolicyTypes: pulumi.StringArray{pulumi.String("Ingress")},
			Ingress: networkingv1.NetworkPolicyIngressRuleArray{networkingv1.NetworkPolicyIngressRuleArgs{
				From:  networkingv1.NetworkPolicyPeerArray{ipBlock(pulumi.String(GoogleLoadBalancerRanges[0])), ipBlock(pulumi.String(GoogleLoadBalancerRanges[1]))},
				Ports: networkingv1.NetworkPolicyPortArray{port("TCP", NginxPort)},
			}},
		}},
		// Out: DNS, the metadata server (Workload Identity), the database's private
		// IP (the proxy speaks to port 3307) and Google APIs over TLS.
		{"app-egress", &networkingv1.NetworkPolicySpecArgs{
			PodSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(app)},
			PolicyTypes: pulumi.StringArray{pulumi.String("Egress")},
			Egress: networkingv1.NetworkPolicyEgressRuleArray{
				networkingv1.NetworkPolicyEgressRuleArgs{
					To: networkingv1.NetworkPolicyPeerArray{networkingv1.NetworkPolicyPeerArgs{
						NamespaceSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{"kubernetes.io/metadata.name": pulumi.String("kube-system")}},
						PodSelector:       &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{"k8s-app": pulumi.String("kube-dns")}},
					}},
					Ports: networkingv1.NetworkPolicyPortArray{port("UDP", 53), port("TCP", 53)},
				},
				networkingv1.NetworkPolicyEgressRuleArgs{
					To:    networkingv1.NetworkPolicyPeerArray{ipBlock(pulumi.String(metadataServer))},
					Ports: networkingv1.NetworkPolicyPortArray{port("TCP", 80), port("TCP", 988)},
				},
				databaseEgress(args, ipBlock, port),
				networkingv1.NetworkPolicyEgressRuleArgs{
					To:    networkingv1.NetworkPolicyPeerArray{ipBlock(pulumi.String("0.0.0.0/0"))},
					Ports: networkingv1.NetworkPolicyPortArray{port("TCP", 443)},
				},
			},
		}},
	}
	sort.SliceStable(policies, func(i, j int) bool { return policies[i].name < policies[j].name })
	for _, p := range policies {
		if _, err := networkingv1.NewNetworkPolicy(ctx, name+"-netpol-"+p.name, &networkingv1.NetworkPolicyArgs{
			Metadata: meta(p.name, nil, nil),
			Spec:     p.spec,
		}, inNamespace...); err != nil {
			return fmt.Errorf("creating NetworkPolicy %s: %w", p.name, err)
		}
	}
	return nil
}

// declareTrack declares one release track: its migrations Job, then its
// Deployment, HPA and PDB. Rolling has one unnamed track ("web"); blue/green
// has a track per color ("web-blue", "web-green").
func declareTrack(ctx *pulumi.Context, name string, args *WebappArgs, tr Track, pod PodParams, labels map[string]string,
	meta metaFunc, child childOpts, after []pulumi.Resource) error {
	// Migrations: one Job per image digest, before the Deployment rolls. A failed
	// migration fails the update and the old pods keep serving.
	pod.Image = tr.Image
	migratePod := pod
	migratePod.Labels = merge(labels, MigrateLabels(), tr.colorLabel())
	job, err := batchv1.NewJob(ctx, name+"-migrate"+tr.suffix(), &batchv1.JobArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Name: tr.Image.ToStringOutput().ApplyT(func(ref string) string {
				return MigrationJobName(tr.Color, ref)
			}).(pulumi.StringOutput),
			Namespace: pulumi.String(args.Namespace),
			Labels:    pulumi.ToStringMap(migratePod.Labels),
			// A Job that failed is replaced on the next `pulumi up` instead of being kept as failed.
			Annotations: pulumi.StringMap{"pulumi.com/replaceUnready": pulumi.String("true")},
		},
		Spec: &batchv1.JobSpecArgs{
			BackoffLimit: pulumi.Int(2),
			// IAM propagation (the proxy's first start) plus the migration itself.
			ActiveDeadlineSeconds:   pulumi.Int(IAMPropagationSeconds + 600),
			TtlSecondsAfterFinished: pulumi.Int(7 * 24 * 3600),
			Template:                MigratePodTemplate(migratePod),
		},
	}, child(pulumi.DependsOn(after))...)
	if err != nil {
		return fmt.Errorf("creating migrations Job: %w", err)
	}

	selector := merge(WebLabels(), tr.colorLabel())
	webPod := pod
	webPod.Labels = merge(labels, selector)
	webPod.Selector = selector
	deployment, err := appsv1.NewDeployment(ctx, name+"-web"+tr.suffix(), &appsv1.DeploymentArgs{
		Metadata: meta(tr.objectName(), selector, nil),
		Spec: &appsv1.DeploymentSpecArgs{
			// No replicas: the HPA owns the count (server-side apply would fight it).
			Selector:                &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(selector)},
			RevisionHistoryLimit:    pulumi.Int(5),
			ProgressDeadlineSeconds: pulumi.Int(600),
			MinReadySeconds:         pulumi.Int(5),
			Strategy: &appsv1.DeploymentStrategyArgs{
				Type: pulumi.String("RollingUpdate"),
				RollingUpdate: &appsv1.RollingUpdateDeploymentArgs{
					MaxUnavailable: pulumi.Int(0),
					MaxSurge:       pulumi.String(fmt.Sprintf("%d%%", capacity.RollingSurgeRatio)),
				},
			},
			Template: WebPodTemplate(webPod),
		},
	}, child(pulumi.DependsOn(append(after, job)))...)
	if err != nil {
		return fmt.Errorf("creating Deployment: %w", err)
	}

	if _, err := autoscalingv2.NewHorizontalPodAutoscaler(ctx, name+"-hpa"+tr.suffix(), &autoscalingv2.HorizontalPodAutoscalerArgs{
		Metadata: meta(tr.objectName(), selector, nil),
		Spec: &autoscalingv2.HorizontalPodAutoscalerSpecArgs{
			ScaleTargetRef: &autoscalingv2.CrossVersionObjectReferenceArgs{
				ApiVersion: pulumi.String("apps/v1"), Kind: pulumi.String("Deployment"), Name: deployment.Metadata.Name().Elem(),
			},
			MinReplicas: pulumi.Int(tr.MinReplicas),
			MaxReplicas: pulumi.Int(tr.MaxReplicas),
			// gunicorn's CPU only: the capacity model's TPS is per gunicorn CPU.
			Metrics: autoscalingv2.MetricSpecArray{autoscalingv2.MetricSpecArgs{
				Type: pulumi.String("ContainerResource"),
				ContainerResource: &autoscalingv2.ContainerResourceMetricSourceArgs{
					Container: pulumi.String("gunicorn"), Name: pulumi.String("cpu"),
					Target: &autoscalingv2.MetricTargetArgs{Type: pulumi.String("Utilization"), AverageUtilization: pulumi.Int(args.TargetCPUPercent)},
				},
			}},
			Behavior: &autoscalingv2.HorizontalPodAutoscalerBehaviorArgs{
				ScaleUp: &autoscalingv2.HPAScalingRulesArgs{
					StabilizationWindowSeconds: pulumi.Int(0),
					SelectPolicy:               pulumi.String("Max"),
					Policies: autoscalingv2.HPAScalingPolicyArray{
						autoscalingv2.HPAScalingPolicyArgs{Type: pulumi.String("Percent"), Value: pulumi.Int(100), PeriodSeconds: pulumi.Int(15)},
						autoscalingv2.HPAScalingPolicyArgs{Type: pulumi.String("Pods"), Value: pulumi.Int(4), PeriodSeconds: pulumi.Int(15)},
					},
				},
				// Scale down slowly: five quiet minutes, then at most half the pods a minute.
				ScaleDown: &autoscalingv2.HPAScalingRulesArgs{
					StabilizationWindowSeconds: pulumi.Int(300),
					SelectPolicy:               pulumi.String("Max"),
					Policies: autoscalingv2.HPAScalingPolicyArray{
						autoscalingv2.HPAScalingPolicyArgs{Type: pulumi.String("Percent"), Value: pulumi.Int(50), PeriodSeconds: pulumi.Int(60)},
					},
				},
			},
		},
	}, child(pulumi.DependsOn(after))...); err != nil {
		return fmt.Errorf("creating HorizontalPodAutoscaler: %w", err)
	}

	// maxUnavailable 1 never blocks a node drain, even at one replica.
	if _, err := policyv1.NewPodDisruptionBudget(ctx, name+"-pdb"+tr.suffix(), &policyv1.PodDisruptionBudgetArgs{
		Metadata: meta(tr.objectName(), selector, nil),
		Spec: &policyv1.PodDisruptionBudgetSpecArgs{
			MaxUnavailable:             pulumi.Int(1),
			Selector:                   &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(selector)},
			UnhealthyPodEvictionPolicy: pulumi.String("AlwaysAllow"),
		},
	}, child(pulumi.DependsOn(after))...); err != nil {
		return fmt.Errorf("creating PodDisruptionBudget: %w", err)
	}
	return nil

}

// certificateDomains are the names the managed certificate covers.
func certificateDomains(args *WebappArgs) []string {
	domains := []string{args.Hostname}
	if args.Release.BlueGreen && args.Release.PreviewHostname != "" {
		domains = append(domains, args.Release.PreviewHostname)
	}
	return domains
}

// databaseEgress lets pods reach the database: Cloud SQL's private IP on the
// proxy's port 3307, or (env local) the configured host's Postgres port.
func databaseEgress(args *WebappArgs, ipBlock func(pulumi.StringInput) networkingv1.NetworkPolicyPeerArgs,
	port func(string, int) networkingv1.NetworkPolicyPortArgs) networkingv1.NetworkPolicyEgressRuleArgs {
	if args.Local == nil {
		return networkingv1.NetworkPolicyEgressRuleArgs{
			To:    networkingv1.NetworkPolicyPeerArray{ipBlock(pulumi.Sprintf("%s/32", args.SQLPrivateIP))},
			Ports: networkingv1.NetworkPolicyPortArray{port("TCP", 3307)},
		}
	}
	cidr := "0.0.0.0/0" // a host name: the port is all a NetworkPolicy can pin
	if ip, err := netip.ParseAddr(args.Local.DBHost); err == nil {
		cidr = netip.PrefixFrom(ip, ip.BitLen()).String()
	}
	return networkingv1.NetworkPolicyEgressRuleArgs{
		To:    networkingv1.NetworkPolicyPeerArray{ipBlock(pulumi.String(cidr))},
		Ports: networkingv1.NetworkPolicyPortArray{port("TCP", args.Local.DBPort)},
	}
}

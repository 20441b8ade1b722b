package components

import (
	"fmt"

	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// WebappArgs configures the Django workload on the cluster.
type WebappArgs struct {
	// Namespace is the Kubernetes namespace the app lives in.
	Namespace string
	Labels    map[string]string
	// DBPassword is the database user's password (secret).
	DBPassword pulumi.StringInput
}

// NginxPort is where nginx listens in the pod; the load balancer's NEGs target it.
const NginxPort = 8080

// Webapp is the Django workload: its namespace and its generated secrets.
type Webapp struct {
	pulumi.ResourceState

	Namespace pulumi.StringOutput `pulumi:"namespace"`
}

// PodSecurityLabels enforce the restricted Pod Security Standard on a namespace.
func PodSecurityLabels() map[string]string {
	return map[string]string{
		"pod-security.kubernetes.io/enforce": "restricted",
		"pod-security.kubernetes.io/audit":   "restricted",
		"pod-security.kubernetes.io/warn":    "restricted",
	}
}

// NewWebapp declares the workload; it must be given the cluster's Kubernetes provider.
func NewWebapp(ctx *pulumi.Context, name string, args *WebappArgs, opts ...pulumi.ResourceOption) (*Webapp, error) {
	w := &Webapp{}
	if err := ctx.RegisterComponentResource("django-gke:components:Webapp", name, w, opts...); err != nil {
		return nil, err
	}
	child := childOptions(w, opts)
	nsLabels := pulumi.StringMap{}
	for k, v := range args.Labels {
		nsLabels[k] = pulumi.String(v)
	}
	for k, v := range PodSecurityLabels() {
		nsLabels[k] = pulumi.String(v)
	}
	ns, err := corev1.NewNamespace(ctx, name+"-ns", &corev1.NamespaceArgs{
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(args.Namespace), Labels: nsLabels},
	}, child()...)
	if err != nil {
		return nil, fmt.Errorf("creating namespace: %w", err)
	}
	// Django's SECRET_KEY signs sessions and tokens; generated once per stack, kept in state as a secret.
	secretKey, err := random.NewRandomPassword(ctx, name+"-django-secret-key", &random.RandomPasswordArgs{
		Length:  pulumi.Int(64),
		Special: pulumi.Bool(false),
	}, child()...)
	if err != nil {
		return nil, fmt.Errorf("generating Django secret key: %w", err)
	}
	_, err = corev1.NewSecret(ctx, name+"-django", &corev1.SecretArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Namespace: ns.Metadata.Name(),
			Labels:    pulumi.ToStringMap(args.Labels),
		},
		Type:       pulumi.String("Opaque"),
		StringData: pulumi.StringMap{"DJANGO_SECRET_KEY": secretKey.Result, "DB_PASSWORD": args.DBPassword},
	}, child()...)
	if err != nil {
		return nil, fmt.Errorf("creating Django secret: %w", err)
	}
	w.Namespace = ns.Metadata.Name().Elem()
	return w, ctx.RegisterResourceOutputs(w, pulumi.Map{"namespace": w.Namespace})
}

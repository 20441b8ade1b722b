package components

import (
	"fmt"

	batchv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/batch/v1"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	rbacv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/rbac/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// CRDWaitArgs configures a wait for a CRD that GKE installs by itself.
type CRDWaitArgs struct {
	// CRD is the definition's name (serviceexports.net.gke.io).
	CRD string
	// Image runs `python -m djangogke.waitcrd` (the app image carries it).
	Image pulumi.StringInput
	// ControlPlaneCIDR is the cluster's control-plane range: the one egress
	// the waiting pod gets (the namespace denies all others).
	ControlPlaneCIDR string
	// TimeoutSeconds bounds the wait (and the Job).
	TimeoutSeconds int
}

// crdWaitSeconds is how long the multi-cluster Services CRD may take to
// appear after the fleet feature is enabled (minutes, in Google's own reference).
const crdWaitSeconds = 900

// declareCRDWait declares a Job that completes once the CRD is Established,
// with the ServiceAccount, ClusterRole (get on that one CRD) and egress it
// needs; what depends on the Job waits for the kind. pulumi-kubernetes
// retries a missing kind for about 30 s only.
func declareCRDWait(ctx *pulumi.Context, name string, k kubeObjects, args *CRDWaitArgs) (pulumi.Resource, error) {
	labels := map[string]string{"app.kubernetes.io/name": "django", "app.kubernetes.io/component": "crd-wait"}
	account := "crd-wait"
	sa, err := corev1.NewServiceAccount(ctx, name+"-crdwait-sa", &corev1.ServiceAccountArgs{
		Metadata: k.meta(account, labels, nil),
	}, k.opts()...)
	if err != nil {
		return nil, fmt.Errorf("creating the CRD wait's ServiceAccount: %w", err)
	}
	role, err := rbacv1.NewClusterRole(ctx, name+"-crdwait-role", &rbacv1.ClusterRoleArgs{
		Metadata: &metav1.ObjectMetaArgs{Labels: pulumi.ToStringMap(merge(k.labels, labels))},
		Rules: rbacv1.PolicyRuleArray{rbacv1.PolicyRuleArgs{
			ApiGroups:     pulumi.StringArray{pulumi.String("apiextensions.k8s.io")},
			Resources:     pulumi.StringArray{pulumi.String("customresourcedefinitions")},
			ResourceNames: pulumi.StringArray{pulumi.String(args.CRD)},
			Verbs:         pulumi.StringArray{pulumi.String("get")},
		}},
	}, k.opts()...)
	if err != nil {
		return nil, fmt.Errorf("creating the CRD wait's ClusterRole: %w", err)
	}
	binding, err := rbacv1.NewClusterRoleBinding(ctx, name+"-crdwait-binding", &rbacv1.ClusterRoleBindingArgs{
		Metadata: &metav1.ObjectMetaArgs{Labels: pulumi.ToStringMap(merge(k.labels, labels))},
		RoleRef: rbacv1.RoleRefArgs{ApiGroup: pulumi.String("rbac.authorization.k8s.io"), Kind: pulumi.String("ClusterRole"),
			Name: role.Metadata.Name().Elem()},
		Subjects: rbacv1.SubjectArray{rbacv1.SubjectArgs{Kind: pulumi.String("ServiceAccount"), Name: pulumi.String(account),
			Namespace: k.namespace}},
	}, k.opts()...)
	if err != nil {
		return nil, fmt.Errorf("creating the CRD wait's ClusterRoleBinding: %w", err)
	}
	egress, err := networkingv1.NewNetworkPolicy(ctx, name+"-crdwait-egress", &networkingv1.NetworkPolicyArgs{
		Metadata: k.meta("crd-wait-egress", labels, nil),
		Spec: networkingv1.NetworkPolicySpecArgs{
			PodSelector: metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(labels)},
			PolicyTypes: pulumi.StringArray{pulumi.String("Egress")},
			Egress: networkingv1.NetworkPolicyEgressRuleArray{networkingv1.NetworkPolicyEgressRuleArgs{
				Ports: networkingv1.NetworkPolicyPortArray{policyPort("TCP", 443)},
				To:    networkingv1.NetworkPolicyPeerArray{ipBlock(pulumi.String(args.ControlPlaneCIDR))},
			}},
		},
	}, k.opts()...)
	if err != nil {
		return nil, fmt.Errorf("creating the CRD wait's NetworkPolicy: %w", err)
	}
	job, err := batchv1.NewJob(ctx, name+"-crdwait", &batchv1.JobArgs{
		Metadata: k.meta("", labels, pulumi.StringMap{"pulumi.com/replaceUnready": pulumi.String("true")}),
		Spec: &batchv1.JobSpecArgs{
			BackoffLimit:            pulumi.Int(1),
			ActiveDeadlineSeconds:   pulumi.Int(args.TimeoutSeconds + 60),
			TtlSecondsAfterFinished: pulumi.Int(24 * 3600),
			Template: &corev1.PodTemplateSpecArgs{
				Metadata: &metav1.ObjectMetaArgs{Labels: pulumi.ToStringMap(merge(k.labels, labels))},
				Spec: &corev1.PodSpecArgs{
					ServiceAccountName:           pulumi.String(account),
					AutomountServiceAccountToken: pulumi.Bool(true), // it talks to the API server
					EnableServiceLinks:           pulumi.Bool(false),
					RestartPolicy:                pulumi.String("Never"),
					SecurityContext:              podSecurityContext(),
					Containers: corev1.ContainerArray{corev1.ContainerArgs{
						Name:  pulumi.String("wait"),
						Image: args.Image,
						Command: pulumi.StringArray{pulumi.String("python"), pulumi.String("-m"), pulumi.String("djangogke.waitcrd"),
							pulumi.String(args.CRD), pulumi.String("--timeout"), pulumi.String(fmt.Sprint(args.TimeoutSeconds))},
						Resources:       resources("50m", "64Mi", "64Mi", 16),
						SecurityContext: restrictedContext(AppUID),
					}},
				},
			},
		},
	}, k.opts(pulumi.DependsOn([]pulumi.Resource{sa, binding, egress}),
		pulumi.Timeouts(&pulumi.CustomTimeouts{Create: fmt.Sprintf("%dm", args.TimeoutSeconds/60+5)}))...)
	if err != nil {
		return nil, fmt.Errorf("creating the CRD wait Job: %w", err)
	}
	return job, nil
}

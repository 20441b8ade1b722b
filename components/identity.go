package components

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/serviceaccount"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// AppIdentityArgs names the app's Kubernetes service account, which becomes
// the Google service account through Workload Identity.
type AppIdentityArgs struct {
	Project string
	// Namespace and KubernetesServiceAccount are the pod's identity in the cluster.
	Namespace                string
	KubernetesServiceAccount string
	// Roles are granted on the project to the app (roles/cloudsql.client).
	Roles []string
}

// AppIdentity is the Google service account the app's pods act as: no keys,
// only Workload Identity from one Kubernetes service account.
type AppIdentity struct {
	pulumi.ResourceState

	Email pulumi.StringOutput `pulumi:"email"`
}

// WorkloadIdentityMember is the IAM member of a Kubernetes service account.
func WorkloadIdentityMember(project, namespace, ksa string) string {
	return fmt.Sprintf("serviceAccount:%s.svc.id.goog[%s/%s]", project, namespace, ksa)
}

// NewAppIdentity declares the service account, its roles and the Workload Identity binding.
func NewAppIdentity(ctx *pulumi.Context, name string, args *AppIdentityArgs, opts ...pulumi.ResourceOption) (*AppIdentity, error) {
	a := &AppIdentity{}
	if err := ctx.RegisterComponentResource("django-gke:components:AppIdentity", name, a, opts...); err != nil {
		return nil, err
	}
	child := childOptions(a, opts)
	sa, err := serviceaccount.NewAccount(ctx, name+"-app", &serviceaccount.AccountArgs{
		AccountId:   pulumi.String(name + "-app"),
		DisplayName: pulumi.String("Django app of " + name),
	}, child()...)
	if err != nil {
		return nil, fmt.Errorf("creating app service account: %w", err)
	}
	for _, role := range args.Roles {
		if _, err := projects.NewIAMMember(ctx, name+"-app-"+shortRole(role), &projects.IAMMemberArgs{
			Project: pulumi.String(args.Project),
			Role:    pulumi.String(role),
			Member:  sa.Member,
		}, child()...); err != nil {
			return nil, fmt.Errorf("granting %s to the app: %w", role, err)
		}
	}
	if _, err := serviceaccount.NewIAMMember(ctx, name+"-app-workload-identity", &serviceaccount.IAMMemberArgs{
		ServiceAccountId: sa.Name,
		Role:             pulumi.String("roles/iam.workloadIdentityUser"),
		Member:           pulumi.String(WorkloadIdentityMember(args.Project, args.Namespace, args.KubernetesServiceAccount)),
	}, child()...); err != nil {
		return nil, fmt.Errorf("binding Workload Identity: %w", err)
	}
	a.Email = sa.Email
	return a, ctx.RegisterResourceOutputs(a, pulumi.Map{"email": a.Email})
}

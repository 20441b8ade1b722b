package components

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/serviceaccount"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// AppIdentityArgs names the app's Kubernetes service account, which becomes
// the Google service account through Workload Identity.
type AppIdentityArgs struct {
	Project string
	// WorkloadPool is the cluster's Workload Identity pool ("<project>.svc.id.goog")
	// as the cluster reports it: IAM knows the pool only once a cluster with it
	// exists (before, it answers 400 "Identity Pool does not exist"), so the
	// binding must come from the cluster's output, which makes it wait.
	WorkloadPool pulumi.StringInput
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
	// Grants are the app's IAM bindings (its roles and Workload Identity): a
	// pod started before they exist fails to reach Cloud SQL, so the workload
	// depends on them.
	Grants []pulumi.Resource
}

// workloadIdentityMember is the IAM member of a Kubernetes service account in a workload pool.
func workloadIdentityMember(pool pulumi.StringInput, namespace, ksa string) pulumi.StringOutput {
	return pulumi.Sprintf("serviceAccount:%s[%s/%s]", pool, namespace, ksa)
}

// NewAppIdentity declares the service account, its roles and the Workload Identity binding.
func NewAppIdentity(ctx *pulumi.Context, name string, args *AppIdentityArgs, opts ...pulumi.ResourceOption) (*AppIdentity, error) {
	a := &AppIdentity{}
	if err := ctx.RegisterComponentResource("django-gke:components:AppIdentity", name, a, opts...); err != nil {
		return nil, err
	}
	child := childrenOf(a, opts)
	sa, grants, err := newServiceAccount(ctx, name+"-app", "Django app of "+name, args.Project, args.Roles, child.opts())
	if err != nil {
		return nil, err
	}
	wi, err := serviceaccount.NewIAMMember(ctx, name+"-app-workload-identity", &serviceaccount.IAMMemberArgs{
		ServiceAccountId: sa.Name,
		Role:             pulumi.String("roles/iam.workloadIdentityUser"),
		Member:           workloadIdentityMember(args.WorkloadPool, args.Namespace, args.KubernetesServiceAccount),
	}, child.opts()...)
	if err != nil {
		return nil, fmt.Errorf("binding Workload Identity: %w", err)
	}
	a.Email = sa.Email
	a.Grants = append(grants, wi)
	return a, ctx.RegisterResourceOutputs(a, pulumi.Map{"email": a.Email})
}

// newServiceAccount declares the Google service account id (its account ID and
// logical name) and grants it roles on the project, one IAM member each
// (id-<role>). It returns the account and the grants, for DependsOn.
func newServiceAccount(ctx *pulumi.Context, id, displayName, project string, roles []string,
	opts []pulumi.ResourceOption) (*serviceaccount.Account, []pulumi.Resource, error) {
	sa, err := serviceaccount.NewAccount(ctx, id, &serviceaccount.AccountArgs{
		AccountId:   pulumi.String(id),
		DisplayName: pulumi.String(displayName),
	}, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("creating service account %s: %w", id, err)
	}
	grants := make([]pulumi.Resource, 0, len(roles))
	for _, role := range roles {
		grant, err := projects.NewIAMMember(ctx, id+"-"+shortRole(role), &projects.IAMMemberArgs{
			Project: pulumi.String(project),
			Role:    pulumi.String(role),
			Member:  sa.Member,
		}, opts...)
		if err != nil {
			return nil, nil, fmt.Errorf("granting %s to %s: %w", role, id, err)
		}
		grants = append(grants, grant)
	}
	return sa, grants, nil
}

// shortRole turns "roles/logging.logWriter" into "logging-logWriter" for resource names.
func shortRole(role string) string {
	return strings.ReplaceAll(strings.TrimPrefix(role, "roles/"), ".", "-")
}

// newServiceAgent makes sure a Google service's agent exists in the project
// (they appear on first use otherwise, too late for what needs them) and
// grants it role: the logical names are "<name>" and "<name>-<grantName>".
func newServiceAgent(ctx *pulumi.Context, name, grantName, project, service, role string, child children) (*projects.ServiceIdentity, *projects.IAMMember, error) {
	agent, err := projects.NewServiceIdentity(ctx, name, &projects.ServiceIdentityArgs{
		Project: pulumi.String(project),
		Service: pulumi.String(service),
	}, child.opts()...)
	if err != nil {
		return nil, nil, fmt.Errorf("creating the %s service agent: %w", service, err)
	}
	grant, err := projects.NewIAMMember(ctx, name+"-"+grantName, &projects.IAMMemberArgs{
		Project: pulumi.String(project),
		Role:    pulumi.String(role),
		Member:  pulumi.Sprintf("serviceAccount:%s", agent.Email),
	}, child.opts()...)
	if err != nil {
		return nil, nil, fmt.Errorf("granting %s to the %s service agent: %w", role, service, err)
	}
	return agent, grant, nil
}

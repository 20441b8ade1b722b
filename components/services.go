package components

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// RequiredServices are the Google APIs the stack uses.
var RequiredServices = []string{
	"artifactregistry.googleapis.com",
	"cloudresourcemanager.googleapis.com",
	"compute.googleapis.com",
	"container.googleapis.com",
	"iam.googleapis.com",
	"iamcredentials.googleapis.com",
	"logging.googleapis.com",
	"monitoring.googleapis.com",
	"servicenetworking.googleapis.com",
	"sqladmin.googleapis.com",
}

// ProjectServices enables the Google APIs a stack needs. Destroying the stack
// leaves them enabled: other things in the project may use them.
type ProjectServices struct {
	pulumi.ResourceState

	// Enabled are the API resources: depend on these, not on the component,
	// whose children may not all be registered yet when a dependant registers.
	Enabled []pulumi.Resource
}

// NewProjectServices enables every API in services.
func NewProjectServices(ctx *pulumi.Context, name string, services []string, opts ...pulumi.ResourceOption) (*ProjectServices, error) {
	s := &ProjectServices{}
	if err := ctx.RegisterComponentResource("django-gke:components:ProjectServices", name, s, opts...); err != nil {
		return nil, err
	}
	child := childrenOf(s, opts)
	for _, api := range services {
		short := strings.TrimSuffix(api, ".googleapis.com")
		svc, err := projects.NewService(ctx, name+"-"+short, &projects.ServiceArgs{
			Service:                  pulumi.String(api),
			DisableOnDestroy:         pulumi.Bool(false),
			DisableDependentServices: pulumi.Bool(false),
		}, child.opts()...)
		if err != nil {
			return nil, fmt.Errorf("enabling %s: %w", api, err)
		}
		s.Enabled = append(s.Enabled, svc)
	}
	return s, ctx.RegisterResourceOutputs(s, pulumi.Map{})
}

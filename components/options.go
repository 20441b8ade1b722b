package components

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// childOptions returns the options for a component's children: parented to
// the component, and waiting on everything the component was told to wait
// on. Pulumi does not pass a component's DependsOn down to its children, so
// without this a VPC declared inside a component that "depends on" the
// compute API would be created before the API is enabled.
func childOptions(parent pulumi.Resource, componentOpts []pulumi.ResourceOption) childOpts {
	inherited := []pulumi.ResourceOption{pulumi.Parent(parent)}
	if o, err := pulumi.NewResourceOptions(componentOpts...); err == nil {
		if len(o.DependsOn) > 0 {
			inherited = append(inherited, pulumi.DependsOn(o.DependsOn))
		}
		for _, in := range o.DependsOnInputs {
			inherited = append(inherited, pulumi.DependsOnInputs(in))
		}
	}
	return func(extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
		out := make([]pulumi.ResourceOption, 0, len(inherited)+len(extra))
		return append(append(out, inherited...), extra...)
	}
}

package infra

import (
	"slices"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"django-gke/infra/config"
)

// A lost region (regions.list[].lost) is one whose control plane and regional
// APIs do not answer. Pulumi would otherwise fail every `up` of the stack:
// the kubernetes provider refuses to change objects on a cluster it cannot
// reach, and a regional API that is down fails any update sent to it. The
// program still declares everything there (nothing is deleted, and the
// region comes back exactly as it was), but:
//
//   - every resource keeps its last deployed inputs (ignoreChanges "*"): its
//     diff is empty, so nothing is sent to the region, and what changed for it
//     meanwhile (a promotion elsewhere, a new image) is applied when it is back;
//   - its Kubernetes provider deletes unreachably (deleteUnreachable): an
//     object the program no longer declares there, such as the migrations
//     Job that moves with the primary, leaves the stack's state without a
//     call to the cluster. The object stays on the cluster; it is harmless
//     (a finished Job) and a later declaration of it upserts (server-side apply).
//
// What the program declares there for the first time still has to be created
// there, so it waits for the region: the flip to a new primary adds nothing to
// the lost region (TestLostRegionFailoverIsAPlanDiff).
func lostRegionOptions(r config.Region) []pulumi.ResourceOption {
	if !r.Lost {
		return nil
	}
	return []pulumi.ResourceOption{pulumi.Transformations([]pulumi.ResourceTransformation{keepAsDeployed})}
}

// keepAsDeployed is the lost region's transformation; children inherit it.
func keepAsDeployed(a *pulumi.ResourceTransformationArgs) *pulumi.ResourceTransformationResult {
	if p, ok := a.Props.(*kubernetes.ProviderArgs); ok {
		p.DeleteUnreachable = pulumi.Bool(true)
		return &pulumi.ResourceTransformationResult{Props: p, Opts: a.Opts}
	}
	return &pulumi.ResourceTransformationResult{Props: a.Props,
		Opts: append(slices.Clone(a.Opts), pulumi.IgnoreChanges([]string{"*"}))}
}

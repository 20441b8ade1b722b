package infra

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"django-gke/components"
	"django-gke/infra/capacity"
	"django-gke/infra/config"
)

// platform is what the cluster's environment gives the app: the cluster's
// Kubernetes provider, the resources pods must wait for, the database the
// pods may reach and, on GCP, the edge's reserved address (nil in env local).
type platform struct {
	kubernetes pulumi.ProviderResource
	ready      []pulumi.Resource
	database   components.DatabasePeer
	// cache is the cache server the pods may reach (nil without one).
	cache   *components.CachePeer
	address *components.EdgeAddress
	// opts are every component's further options: formerlyInWebapp's
	// aliases on a one-region stack, a lost region's keepAsDeployed. Never
	// both: a transformation sees the resource's own options, not what an
	// earlier one added, so the last one's would win.
	opts []pulumi.ResourceOption
}

// declareOnCluster declares what runs on the cluster, in every environment:
// the workload, the edge in front of it and the namespace's network policies.
func declareOnCluster(ctx *pulumi.Context, base string, cfg *config.Config, args *components.WorkloadArgs, p platform) (*components.Workload, error) {
	onCluster := func(more ...pulumi.ResourceOption) []pulumi.ResourceOption {
		return append(append([]pulumi.ResourceOption{pulumi.Provider(p.kubernetes)}, more...), p.opts...)
	}
	workload, err := components.NewWorkload(ctx, base, args, onCluster(pulumi.DependsOn(p.ready))...)
	if err != nil {
		return nil, err
	}
	if _, err := components.NewEdge(ctx, base, &components.EdgeArgs{
		Namespace:      workload.Namespace,
		Labels:         args.Labels,
		Hostname:       cfg.App.Hostname,
		Release:        args.Release,
		CDN:            cfg.App.CDN,
		SecurityPolicy: cfg.App.SecurityPolicy,
		LogSampleRate:  config.PolicyFor(cfg.Env).LoadBalancerLogSampleRate,
		Address:        p.address,
	}, onCluster()...); err != nil {
		return nil, err
	}
	if _, err := components.NewNetworkPolicies(ctx, base, &components.NetworkPoliciesArgs{
		Namespace: workload.Namespace,
		Labels:    args.Labels,
		Database:  p.database,
		Cache:     p.cache,
	}, onCluster()...); err != nil {
		return nil, err
	}
	return workload, nil
}

// workloadArgs is the workload's configuration common to every environment;
// the caller adds the image, the database's password and endpoint, and the
// host and address the app is reached at.
func workloadArgs(root string, cfg *config.Config, plan *capacity.Plan, labels map[string]string) (*components.WorkloadArgs, error) {
	nginxConf, err := os.ReadFile(filepath.Join(root, cfg.Image.Context, "nginx", "nginx.conf"))
	if err != nil {
		return nil, fmt.Errorf("reading the pod's nginx config: %w", err)
	}
	return &components.WorkloadArgs{
		Project:           cfg.Project,
		Namespace:         appNamespace,
		NginxImage:        cfg.Image.Nginx,
		ServiceAccount:    appServiceAccount,
		Labels:            labels,
		Database:          components.DatabaseConnection{Name: databaseName, User: databaseUser},
		GunicornCPU:       cfg.App.CPU,
		GunicornMemory:    cfg.App.Memory,
		GunicornWorkers:   plan.GunicornWorkers,
		GunicornThreads:   plan.GunicornThreads,
		MinReplicas:       int(plan.HPAMinReplicas),
		MaxReplicas:       int(plan.HPAMaxReplicas),
		TargetCPUPercent:  plan.TargetCPUPercent(),
		TLS:               cfg.App.Hostname != "",
		Settings:          cfg.App.Settings,
		NginxConfTemplate: string(nginxConf),
		Release:           release(cfg.Release),
	}, nil
}

// release maps django-gke:release to the workload's release strategy.
func release(r config.Release) components.Release {
	images := map[string]pulumi.StringInput{}
	if r.Blue.Image != "" {
		images[config.Blue] = pulumi.String(r.Blue.Image)
	}
	if r.Green.Image != "" {
		images[config.Green] = pulumi.String(r.Green.Image)
	}
	return components.Release{
		BlueGreen:         r.Strategy == config.BlueGreen,
		Active:            r.ActiveColor,
		Images:            images,
		PreviewHostname:   r.PreviewHostname,
		InactiveAtMinimum: r.InactiveAtMinimum,
	}
}

// formerlyInWebapp keeps deployed stacks whole across the redesign that split
// the Webapp component into Workload, EdgeAddress, Edge and NetworkPolicies:
// every resource kept its name and type, only its parent changed, so each
// child of the new components gets an alias to its URN under the Webapp
// component (the engine then updates it in place instead of replacing it).
func formerlyInWebapp(ctx *pulumi.Context, base string) pulumi.ResourceOption {
	webapp := pulumi.URN(fmt.Sprintf("urn:pulumi:%s::%s::django-gke:components:Webapp::%s", ctx.Stack(), ctx.Project(), base))
	return pulumi.Transformations([]pulumi.ResourceTransformation{
		func(args *pulumi.ResourceTransformationArgs) *pulumi.ResourceTransformationResult {
			if strings.HasPrefix(args.Type, "django-gke:components:") {
				return nil // the new components themselves: nothing to alias
			}
			return &pulumi.ResourceTransformationResult{
				Props: args.Props,
				Opts:  append(args.Opts, pulumi.Aliases([]pulumi.Alias{{ParentURN: webapp}})),
			}
		},
	})
}

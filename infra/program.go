// Package infra is the django-gke Pulumi program: it loads the typed stack
// configuration, computes the capacity plan, wires one component per
// capability and exports the outputs.
package infra

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"django-gke/components"
	"django-gke/infra/capacity"
	"django-gke/infra/config"
	"django-gke/infra/outputs"
	"django-gke/infra/stackfile"
)

// Program declares the whole stack, for the project where the CLI says it is.
func Program(ctx *pulumi.Context) error { return program(ctx, projectRoot(ctx)) }

// ProgramIn is Program for the project at root: the Automation API does not
// tell an inline program where its Pulumi.yaml is (ctx.RootDirectory is
// empty), and the program reads app/ next to it.
func ProgramIn(root string) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error { return program(ctx, root) }
}

// oneStackPerProject refuses a GCP stack whose gcp:project another stack
// file of the project names too. Some of what a stack declares exists once
// per project whatever its name (the fleet's features, the _Default log
// bucket's settings), and the rest would collide on names (the registry, the
// log metric): two stacks in one project fail with 409s at best, and fight
// over the same objects at worst.
func oneStackPerProject(root, stack, project string) error {
	for _, other := range stackfile.Stacks(root) {
		if other == stack {
			continue
		}
		sc, err := stackfile.Load(root, other)
		if err != nil {
			continue // that stack's own run reports it
		}
		env := strings.TrimSpace(sc.Values[config.Key("env")])
		if env == string(config.Local) || sc.Values[config.KeyProject] != project {
			continue
		}
		return fmt.Errorf("%s: %q is not allowed: stack %s (Pulumi.%s.yaml) deploys to it too; "+
			"give each stack its own project (the fleet's features, the _Default log bucket, the registry and the log metric exist once per project)",
			config.KeyProject, project, other, other)
	}
	return nil
}

func program(ctx *pulumi.Context, root string) error {
	cfg, err := config.FromContext(ctx)
	if err != nil {
		return err
	}
	base, err := BaseName(ctx.Stack())
	if err != nil {
		return err
	}
	// The capacity plan sizes the node pool, the HPA and the database connections.
	plan, err := capacity.PlanFor(cfg)
	if err != nil {
		return err
	}
	// A real update with settings that cannot work stops here, before anything
	// is declared; a preview says what to fix and goes on.
	if ps := cfg.DeploymentProblems(); len(ps) > 0 {
		if !ctx.DryRun() {
			return fmt.Errorf("this stack cannot be deployed as configured:\n%w", ps)
		}
		for _, p := range ps {
			if err := ctx.Log.Warn("not deployable as configured: "+p.String(), nil); err != nil {
				return err
			}
		}
	}
	labels := stackLabels(cfg.Env, ctx.Stack())
	policy := config.PolicyFor(cfg.Env)
	if cfg.Env == config.Local {
		return localProgram(ctx, root, cfg, plan, base, labels)
	}
	if err := oneStackPerProject(root, ctx.Stack(), cfg.Project); err != nil {
		return err
	}
	tag := ""
	if cfg.Image.Build {
		if tag, err = sourceTag(filepath.Join(root, cfg.Image.Context)); err != nil {
			return err
		}
	}

	gcpProvider, err := gcp.NewProvider(ctx, "gcp", &gcp.ProviderArgs{
		Project:       pulumi.String(cfg.Project),
		Region:        pulumi.String(cfg.Region),
		DefaultLabels: pulumi.ToStringMap(labels),
	})
	if err != nil {
		return fmt.Errorf("creating GCP provider: %w", err)
	}
	onGCP := pulumi.Providers(gcpProvider)

	services, err := components.NewProjectServices(ctx, base, requiredServices(cfg), onGCP)
	if err != nil {
		return err
	}
	afterAPIs := pulumi.DependsOn(services.Enabled)
	if cfg.MultiRegion() {
		return multiRegionProgram(ctx, root, cfg, base, labels, tag, gcpScope{onGCP: onGCP, afterAPIs: afterAPIs, services: services})
	}

	nodeTag := base + "-node"
	psaRange, err := netip.ParsePrefix(cfg.Network.PrivateServicesCIDR)
	if err != nil { // config validation has already refused it; never a panic
		return fmt.Errorf("%s.privateServicesCidr: %w", config.Key("network"), err)
	}
	network, err := components.NewNetwork(ctx, base, &components.NetworkArgs{
		Project:             cfg.Project,
		Region:              cfg.Region,
		CIDR:                cfg.Network.CIDR,
		PodsCIDR:            cfg.Network.PodsCIDR,
		ServicesCIDR:        cfg.Network.ServicesCIDR,
		NodeTag:             nodeTag,
		AppPort:             components.NginxPort,
		PrivateServicesCIDR: psaRange,
	}, onGCP, afterAPIs)
	if err != nil {
		return err
	}

	ca := clusterArgs(cfg, policy, nodeTag, plan, labels)
	ca.Location, ca.MasterCIDR = cfg.Cluster.Location, cfg.Network.MasterCIDR
	if cfg.Cluster.Access == config.AccessConnectGateway {
		ca.Fleet = &components.ClusterFleet{Project: cfg.Project, ConnectGateway: true}
	}
	ca.NetworkSelfLink, ca.SubnetworkSelfLink = network.NetworkSelfLink, network.SubnetworkSelfLink
	ca.PodsRangeName, ca.ServicesRangeName = network.PodsRangeName, network.ServicesRangeName
	cluster, err := components.NewCluster(ctx, base, ca, onGCP, afterAPIs)
	if err != nil {
		return err
	}

	database, err := components.NewDatabase(ctx, base, databaseArgs(cfg, policy, plan.DBMaxConnections, network, labels), onGCP, afterAPIs)
	if err != nil {
		return err
	}

	cache, err := declareCache(ctx, base, cfg, network, labels, onGCP, afterAPIs)
	if err != nil {
		return err
	}

	identity, err := declareAppIdentity(ctx, base, cfg, cluster.WorkloadPool, onGCP, afterAPIs)
	if err != nil {
		return err
	}
	image, err := declareImage(ctx, base, cfg, tag, cluster.NodeServiceAccountMember, labels, onGCP, afterAPIs)
	if err != nil {
		return err
	}

	address, err := components.NewEdgeAddress(ctx, base, &components.EdgeAddressArgs{TLS: cfg.App.Hostname != ""},
		onGCP, afterAPIs, formerlyInWebapp(ctx, base))
	if err != nil {
		return err
	}
	args, err := workloadArgs(root, cfg, plan, labels)
	if err != nil {
		return err
	}
	args.GoogleServiceAccount = identity.Email
	args.Image = image.ImageRef
	args.Database.Password = database.Password
	args.Database.CloudSQLInstance = database.ConnectionName
	args.LoadBalancerIP = address.IP
	args.Host = address.IP
	var cachePeer *components.CachePeer
	var cacheID pulumi.StringInput
	if cache != nil {
		args.Cache = &components.CacheConnection{
			Host: cache.Host, Port: cache.Port, Password: cache.AuthString, CACertificate: cache.CACertificate,
			TTLSeconds: cfg.Cache.TTLSeconds,
		}
		cachePeer = &components.CachePeer{Host: cache.Host, Port: cache.Port}
		cacheID = pulumi.Sprintf("projects/%s/locations/%s/instances/%s", cfg.Project, cfg.Region, cache.InstanceName)
		ctx.Export(outputs.CacheInstance, cacheID)
	}
	if cfg.App.Hostname != "" {
		args.Host = pulumi.String(cfg.App.Hostname)
	}
	// The pods start only once they can run (the node pool), reach Cloud SQL
	// (the app's IAM grants and Workload Identity) and pull the image (the
	// registry grant): otherwise the proxy's startup probe and the migrations
	// Job spend their retries on IAM errors.
	ready := append([]pulumi.Resource{cluster.NodePool}, services.Enabled...)
	ready = append(append(ready, identity.Grants...), image.Grants...)
	workload, err := declareOnCluster(ctx, base, cfg, args, platform{
		kubernetes: cluster.Provider,
		ready:      ready,
		database:   components.DatabasePeer{CloudSQLPrivateIP: database.PrivateIP},
		cache:      cachePeer,
		address:    address,
		opts:       []pulumi.ResourceOption{formerlyInWebapp(ctx, base)},
	})
	if err != nil {
		return err
	}

	mon := cfg.Monitoring
	if _, err := components.NewMonitoring(ctx, base, &components.MonitoringArgs{
		Project:           cfg.Project,
		Clusters:          []components.MonitoredCluster{{Name: base, HPAMaxReplicas: int(plan.HPAMaxReplicas), NodePoolMaxNodes: int(plan.NodePoolMaxNodes)}},
		Namespace:         appNamespace,
		SQLInstanceName:   database.InstanceName,
		CacheInstanceID:   cacheID,
		PublicHost:        args.Host,
		UseSSL:            cfg.App.Hostname != "",
		UptimePath:        mon.UptimePath,
		Paging:            policy.Pages,
		AlertEmail:        mon.AlertEmail,
		ManagedPrometheus: policy.ManagedPrometheus,
		Thresholds:        thresholds(mon),
		HPAName:           components.WebName,
		NodesAtPeak:       int(plan.NodesAtPeak),
		DBMaxConnections:  plan.DBMaxConnections,
		LogRetentionDays:  mon.LogRetentionDays,
		Labels:            labels,
		Settle:            []pulumi.Resource{database.Instance},
	}, onGCP, afterAPIs); err != nil {
		return err
	}

	exportWorkload(ctx, cfg, plan, workload, args.Host)
	ctx.Export(outputs.GCPProject, pulumi.String(cfg.Project))
	ctx.Export(outputs.Region, pulumi.String(cfg.Region))
	ctx.Export(outputs.NetworkName, network.NetworkName)
	ctx.Export(outputs.ClusterName, cluster.ClusterName)
	ctx.Export(outputs.ClusterLocation, cluster.Location)
	ctx.Export(outputs.Kubeconfig, cluster.Kubeconfig)
	ctx.Export(outputs.NodeServiceAccount, cluster.NodeServiceAccount)
	ctx.Export(outputs.SQLConnectionName, database.ConnectionName)
	ctx.Export(outputs.AppServiceAccount, identity.Email)
	ctx.Export(outputs.ImageRef, image.ImageRef)
	// What `make promote` copies into this stack's registry before `up`.
	ctx.Export(outputs.ImageSourceRef, image.SourceRef)
	ctx.Export(outputs.LoadBalancerIP, address.IP)
	return nil
}

// clusterArgs are the cluster settings every region shares (the hardening,
// the node pool sized by plan); the caller adds where the cluster is: its
// location, network, subnet ranges and control-plane range.
func clusterArgs(cfg *config.Config, policy config.Policy, nodeTag string, plan *capacity.Plan, labels map[string]string) *components.ClusterArgs {
	authorized := make([]components.AuthorizedNetwork, len(cfg.Cluster.AuthorizedNetworks))
	for i, n := range cfg.Cluster.AuthorizedNetworks {
		authorized[i] = components.AuthorizedNetwork{Name: n.Name, CIDR: n.CIDR}
	}
	return &components.ClusterArgs{
		Project:            cfg.Project,
		ReleaseChannel:     cfg.Cluster.ReleaseChannel,
		AuthorizedNetworks: authorized,
		DeletionProtection: cfg.Cluster.DeletionProtection,
		WorkloadPool:       cfg.Project + ".svc.id.goog",
		ManagedPrometheus:  policy.ManagedPrometheus,
		Maintenance:        components.MaintenanceWindow(policy.ClusterMaintenance),
		NodeTag:            nodeTag,
		NodePool: components.NodePoolArgs{
			MachineType: cfg.Cluster.MachineType,
			DiskGB:      cfg.Cluster.DiskGB,
			Spot:        cfg.Cluster.Spot,
			MinNodes:    int(plan.NodePoolMinNodes),
			MaxNodes:    int(plan.NodePoolMaxNodes),
			Zones:       cfg.Zones(),
			Labels:      map[string]string{"workload": "django"},
		},
		Labels: labels,
	}
}

// databaseArgs is django-gke:database for the Database component, in the
// primary's region, with max_connections from the plan.
func databaseArgs(cfg *config.Config, policy config.Policy, maxConnections int, network *components.Network, labels map[string]string) *components.DatabaseArgs {
	return &components.DatabaseArgs{
		Region:              cfg.PrimaryRegion(),
		Version:             cfg.Database.Version,
		Tier:                cfg.Database.Tier,
		Availability:        cfg.Database.Availability,
		DiskGB:              cfg.Database.DiskGB,
		PointInTimeRecovery: cfg.Database.PointInTimeRecovery,
		RetainedBackups:     policy.RetainedBackups,
		DeletionProtection:  cfg.Database.DeletionProtection,
		MaxConnections:      maxConnections,
		PrivateNetwork:      network.NetworkID,
		MaintenanceDay:      policy.DatabaseMaintenance.Day,
		MaintenanceHour:     policy.DatabaseMaintenance.Hour,
		UpdateTrack:         policy.DatabaseMaintenance.Track,
		DatabaseName:        databaseName,
		UserName:            databaseUser,
		Labels:              labels,
		DependsOn:           []pulumi.Resource{network.PrivateServicesConnection},
	}
}

// declareAppIdentity is the app's Google service account, bound to its
// Kubernetes one in the Workload Identity pool (which exists once a cluster does).
func declareAppIdentity(ctx *pulumi.Context, base string, cfg *config.Config, pool pulumi.StringOutput, opts ...pulumi.ResourceOption) (*components.AppIdentity, error) {
	return components.NewAppIdentity(ctx, base, &components.AppIdentityArgs{
		Project:                  cfg.Project,
		WorkloadPool:             pool,
		Namespace:                appNamespace,
		KubernetesServiceAccount: appServiceAccount,
		Roles:                    appRoles,
	}, opts...)
}

// declareImage is django-gke:image: built (tag) or promoted, readable by the nodes.
func declareImage(ctx *pulumi.Context, base string, cfg *config.Config, tag string, nodes pulumi.StringInput, labels map[string]string,
	opts ...pulumi.ResourceOption) (*components.Image, error) {
	return components.NewImage(ctx, base, &components.ImageArgs{
		Build:       cfg.Image.Build,
		Project:     cfg.Project,
		Region:      cfg.Region,
		Repository:  cfg.Image.Repository,
		Context:     cfg.Image.Context,
		Dockerfile:  filepath.Join(cfg.Image.Context, "Dockerfile"),
		Tag:         tag,
		Ref:         cfg.Image.Ref,
		PromoteFrom: cfg.Image.PromoteFrom,
		Readers:     []pulumi.StringInput{nodes},
		Labels:      labels,
	}, opts...)
}

// gcpScope is what every GCP resource is declared with: the provider, and
// the project's APIs (enabled first).
type gcpScope struct {
	onGCP, afterAPIs pulumi.ResourceOption
	services         *components.ProjectServices
}

// thresholds are django-gke:monitoring's alert thresholds.
func thresholds(mon config.Monitoring) components.Thresholds {
	return components.Thresholds{
		SLOTarget: mon.SLOTarget.Float64(), ErrorRatio: mon.ErrorRatio.Float64(),
		LatencyP95Ms: mon.LatencyP95Ms, LatencyP99Ms: mon.LatencyP99Ms,
		RestartsPerHour: mon.RestartsPerHour, HPAAtMaxMinutes: mon.HPAAtMaxMinutes,
		SQLCPURatio: mon.SQLCPURatio.Float64(), SQLDiskRatio: mon.SQLDiskRatio.Float64(),
		SQLConnectionsRatio: mon.SQLConnectionsRatio.Float64(), AppErrorsPerMinute: mon.AppErrorsPerMinute,
		CacheMemoryRatio: mon.CacheMemoryRatio.Float64(), CacheEvictionsPerSecond: mon.CacheEvictionsPerSecond.Float64(),
		ReplicaLagSeconds: mon.ReplicaLagSeconds,
	}
}

// requiredServices are the Google APIs this stack uses.
func requiredServices(cfg *config.Config) []string {
	services := slices.Clone(components.RequiredServices)
	if cfg.MultiRegion() {
		services = append(services, components.MultiClusterServices...)
	}
	if cfg.Cluster.Access == config.AccessConnectGateway {
		services = append(services, components.ConnectGatewayServices...)
	}
	slices.Sort(services)
	services = slices.Compact(services)
	if cfg.Cache.Enabled {
		services = append(services, "redis.googleapis.com")
	}
	return services
}

// declareCache declares the Memorystore instance of a stack with
// cache.enabled (nil without one), on the private services range.
func declareCache(ctx *pulumi.Context, base string, cfg *config.Config, network *components.Network, labels map[string]string,
	opts ...pulumi.ResourceOption) (*components.Cache, error) {
	if !cfg.Cache.Enabled {
		return nil, nil
	}
	window := config.PolicyFor(cfg.Env).CacheMaintenance
	return components.NewCache(ctx, base, &components.CacheArgs{
		Region:               cfg.Region,
		Tier:                 cfg.Cache.Tier,
		MemorySizeGB:         cfg.Cache.MemorySizeGB,
		RedisVersion:         cfg.Cache.RedisVersion,
		EvictionPolicy:       cfg.Cache.EvictionPolicy,
		Network:              network.NetworkID,
		PrivateServicesRange: network.PrivateServicesRangeName,
		MaintenanceDay:       window.Day,
		MaintenanceHour:      window.Hour,
		Labels:               labels,
		DependsOn:            []pulumi.Resource{network.PrivateServicesConnection},
	}, opts...)
}

// exportWorkload exports what every environment, env local included, says
// about its workload: where it runs, how it is released and how it was sized.
func exportWorkload(ctx *pulumi.Context, cfg *config.Config, plan *capacity.Plan, workload *components.Workload, host pulumi.StringInput) {
	ctx.Export(outputs.Env, pulumi.String(string(cfg.Env)))
	ctx.Export(outputs.Namespace, workload.Namespace)
	if cfg.App.Hostname != "" {
		ctx.Export(outputs.URL, pulumi.Sprintf("https://%s/", cfg.App.Hostname))
	} else {
		ctx.Export(outputs.URL, pulumi.Sprintf("http://%s/", host))
	}
	ctx.Export(outputs.ReleaseStrategy, pulumi.String(cfg.Release.Strategy))
	if cfg.Release.Strategy == config.BlueGreen {
		ctx.Export(outputs.ActiveColor, pulumi.String(cfg.Release.ActiveColor))
	}
	ctx.Export(outputs.CapacityPlan, capacityOutput(plan))
}

// capacityOutput is the capacityPlan stack output: the numbers the stack was sized with.
func capacityOutput(p *capacity.Plan) pulumi.Map {
	usd := func(r interface{ FloatString(int) string }) pulumi.StringInput {
		return pulumi.String(r.FloatString(2))
	}
	return pulumi.Map{
		"seedPods":                  pulumi.Int(int(p.Seed.Pods)),
		"seedNodes":                 pulumi.Int(int(p.Seed.Nodes)),
		"podsPerNode":               pulumi.Int(p.PodsPerNode),
		"podsAtPeak":                pulumi.Int(int(p.PodsAtPeak)),
		"hpaMinReplicas":            pulumi.Int(int(p.HPAMinReplicas)),
		"hpaMaxReplicas":            pulumi.Int(int(p.HPAMaxReplicas)),
		"nodePoolMinNodes":          pulumi.Int(int(p.NodePoolMinNodes)),
		"nodePoolMaxNodes":          pulumi.Int(int(p.NodePoolMaxNodes)),
		"dbConnections":             pulumi.Int(int(p.DBConnections)),
		"dbMaxConnections":          pulumi.Int(p.DBMaxConnections),
		"gunicornWorkers":           pulumi.Int(p.GunicornWorkers),
		"seedYearlyCostUsd":         usd(p.Seed.YearlyUSD),
		"yearlyCostUsd":             usd(p.Autoscaled.YearlyUSD),
		"costPerMillionRequestsUsd": pulumi.String(p.Autoscaled.CostPerMillion.FloatString(4)),
	}
}

// projectRoot is the directory of Pulumi.yaml: the CLI says so, else the
// working directory (where the CLI starts a program).
func projectRoot(ctx *pulumi.Context) string {
	if root := ctx.RootDirectory(); root != "" {
		return root
	}
	return "."
}

// Package infra is the django-gke Pulumi program: it loads the typed stack
// configuration, computes the capacity plan, wires one component per
// capability and exports the outputs.
package infra

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"django-gke/components"
	"django-gke/infra/capacity"
	"django-gke/infra/config"
)

// Program declares the whole stack, for the project where the CLI says it is.
func Program(ctx *pulumi.Context) error { return program(ctx, ProjectRoot(ctx)) }

// ProgramIn is Program for the project at root: the Automation API does not
// tell an inline program where its Pulumi.yaml is (ctx.RootDirectory is
// empty), and the program reads app/ next to it.
func ProgramIn(root string) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error { return program(ctx, root) }
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
	labels := Labels(cfg.Env, ctx.Stack())
	if cfg.Env == config.Local {
		return localProgram(ctx, root, cfg, plan, base, labels)
	}
	tag := ""
	if cfg.Image.Build {
		if tag, err = SourceTag(filepath.Join(root, cfg.Image.Context)); err != nil {
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

	services, err := components.NewProjectServices(ctx, base, components.RequiredServices, onGCP)
	if err != nil {
		return err
	}
	afterAPIs := pulumi.DependsOn(services.Enabled)

	nodeTag := base + "-node"
	psaRange, err := netip.ParsePrefix(cfg.Network.PrivateServicesCidr)
	if err != nil { // config validation has already refused it; never a panic
		return fmt.Errorf("%s.privateServicesCidr: %w", config.Key("network"), err)
	}
	network, err := components.NewNetwork(ctx, base, &components.NetworkArgs{
		Region:              cfg.Region,
		Cidr:                cfg.Network.Cidr,
		PodsCidr:            cfg.Network.PodsCidr,
		ServicesCidr:        cfg.Network.ServicesCidr,
		NodeTag:             nodeTag,
		AppPort:             components.NginxPort,
		PrivateServicesCidr: psaRange,
	}, onGCP, afterAPIs)
	if err != nil {
		return err
	}

	authorized := make([]components.AuthorizedNetwork, len(cfg.Cluster.AuthorizedNetworks))
	for i, n := range cfg.Cluster.AuthorizedNetworks {
		authorized[i] = components.AuthorizedNetwork{Name: n.Name, Cidr: n.Cidr}
	}
	cluster, err := components.NewCluster(ctx, base, &components.ClusterArgs{
		Project:            cfg.Project,
		Location:           cfg.Cluster.Location,
		NetworkSelfLink:    network.NetworkSelfLink,
		SubnetworkSelfLink: network.SubnetworkSelfLink,
		PodsRangeName:      network.PodsRangeName,
		ServicesRangeName:  network.ServicesRangeName,
		MasterCidr:         cfg.Network.MasterCidr,
		ReleaseChannel:     cfg.Cluster.ReleaseChannel,
		AuthorizedNetworks: authorized,
		DeletionProtection: cfg.Cluster.DeletionProtection,
		WorkloadPool:       cfg.Project + ".svc.id.goog",
		ManagedPrometheus:  ManagedPrometheus(cfg.Env),
		Maintenance:        ClusterMaintenance(cfg.Env),
		NodeTag:            nodeTag,
		NodePool: components.NodePoolArgs{
			MachineType: cfg.Cluster.MachineType,
			DiskGb:      cfg.Cluster.DiskGb,
			Spot:        cfg.Cluster.Spot,
			MinNodes:    int(plan.NodePoolMinNodes),
			MaxNodes:    int(plan.NodePoolMaxNodes),
			Zones:       cfg.Zones(),
			Labels:      map[string]string{"workload": "django"},
		},
		Labels: labels,
	}, onGCP, afterAPIs)
	if err != nil {
		return err
	}

	dbDay, dbHour, dbTrack := DatabaseMaintenance(cfg.Env)
	database, err := components.NewDatabase(ctx, base, &components.DatabaseArgs{
		Region:              cfg.Region,
		Version:             cfg.Database.Version,
		Tier:                cfg.Database.Tier,
		Availability:        cfg.Database.Availability,
		DiskGb:              cfg.Database.DiskGb,
		PointInTimeRecovery: cfg.Database.PointInTimeRecovery,
		RetainedBackups:     RetainedBackups(cfg.Env),
		DeletionProtection:  cfg.Database.DeletionProtection,
		MaxConnections:      plan.DBMaxConnections,
		PrivateNetwork:      network.NetworkID,
		MaintenanceDay:      dbDay,
		MaintenanceHour:     dbHour,
		UpdateTrack:         dbTrack,
		DatabaseName:        DatabaseName,
		UserName:            DatabaseUser,
		Labels:              labels,
		DependsOn:           []pulumi.Resource{network.PrivateServicesConnection},
	}, onGCP, afterAPIs)
	if err != nil {
		return err
	}

	identity, err := components.NewAppIdentity(ctx, base, &components.AppIdentityArgs{
		Project:                  cfg.Project,
		WorkloadPool:             cluster.WorkloadPool,
		Namespace:                AppNamespace,
		KubernetesServiceAccount: AppServiceAccount,
		Roles:                    AppRoles,
	}, onGCP, afterAPIs)
	if err != nil {
		return err
	}

	image, err := components.NewImage(ctx, base, &components.ImageArgs{
		Build:       cfg.Image.Build,
		Project:     cfg.Project,
		Region:      cfg.Region,
		Repository:  cfg.Image.Repository,
		Context:     cfg.Image.Context,
		Dockerfile:  filepath.Join(cfg.Image.Context, "Dockerfile"),
		Tag:         tag,
		Ref:         cfg.Image.Ref,
		PromoteFrom: cfg.Image.PromoteFrom,
		Readers:     []pulumi.StringInput{cluster.NodeServiceAccountMember},
		Labels:      labels,
	}, onGCP, afterAPIs)
	if err != nil {
		return err
	}

	args, err := webappArgs(root, cfg, plan, labels)
	if err != nil {
		return err
	}
	args.GoogleServiceAccount = identity.Email
	args.Image = image.ImageRef
	args.SQLConnectionName = database.ConnectionName
	args.SQLPrivateIP = database.PrivateIP
	args.DBPassword = database.Password
	// The pods start only once they can run (the node pool), reach Cloud SQL
	// (the app's IAM grants and Workload Identity) and pull the image (the
	// registry grant): otherwise the proxy's startup probe and the migrations
	// Job spend their retries on IAM errors.
	ready := append([]pulumi.Resource{cluster.NodePool}, services.Enabled...)
	ready = append(append(ready, identity.Grants...), image.Grants...)
	webapp, err := components.NewWebapp(ctx, base, args,
		pulumi.Providers(gcpProvider, cluster.Provider), pulumi.DependsOn(ready))
	if err != nil {
		return err
	}

	publicHost := pulumi.String(cfg.App.Hostname).ToStringOutput()
	if cfg.App.Hostname == "" {
		publicHost = webapp.Address
	}
	mon := cfg.Monitoring
	if _, err := components.NewMonitoring(ctx, base, &components.MonitoringArgs{
		Project:           cfg.Project,
		ClusterName:       base,
		Namespace:         AppNamespace,
		SQLInstanceName:   database.InstanceName,
		PublicHost:        publicHost,
		UseSSL:            cfg.App.Hostname != "",
		UptimePath:        mon.UptimePath,
		Paging:            Pages(cfg.Env),
		AlertEmail:        mon.AlertEmail,
		ManagedPrometheus: ManagedPrometheus(cfg.Env),
		Thresholds: components.Thresholds{
			SloTarget: mon.SloTarget.Float64(), ErrorRatio: mon.ErrorRatio.Float64(),
			LatencyP95Ms: mon.LatencyP95Ms, LatencyP99Ms: mon.LatencyP99Ms,
			RestartsPerHour: mon.RestartsPerHour, HpaAtMaxMinutes: mon.HpaAtMaxMinutes,
			SqlCpuRatio: mon.SqlCpuRatio.Float64(), SqlDiskRatio: mon.SqlDiskRatio.Float64(),
			SqlConnectionsRatio: mon.SqlConnectionsRatio.Float64(), AppErrorsPerMinute: mon.AppErrorsPerMinute,
		},
		HPAName:          components.WebName,
		HPAMaxReplicas:   int(plan.HPAMaxReplicas),
		NodesAtPeak:      int(plan.NodesAtPeak),
		NodePoolMaxNodes: int(plan.NodePoolMaxNodes),
		DBMaxConnections: plan.DBMaxConnections,
		LogRetentionDays: mon.LogRetentionDays,
		Labels:           labels,
		Settle:           []pulumi.Resource{database.Instance},
	}, onGCP, afterAPIs); err != nil {
		return err
	}

	exportWorkload(ctx, cfg, plan, webapp)
	ctx.Export("gcpProject", pulumi.String(cfg.Project))
	ctx.Export("region", pulumi.String(cfg.Region))
	ctx.Export("networkName", network.NetworkName)
	ctx.Export("clusterName", cluster.ClusterName)
	ctx.Export("clusterLocation", cluster.Location)
	ctx.Export("kubeconfig", cluster.Kubeconfig)
	ctx.Export("nodeServiceAccount", cluster.NodeServiceAccount)
	ctx.Export("sqlConnectionName", database.ConnectionName)
	ctx.Export("appServiceAccount", identity.Email)
	ctx.Export("imageRef", image.ImageRef)
	// What `make promote` copies into this stack's registry before `up`.
	ctx.Export("imageSourceRef", image.SourceRef)
	ctx.Export("loadBalancerIp", webapp.Address)
	return nil
}

// exportWorkload exports what every environment, env local included, says
// about its workload: where it runs, how it is released and how it was sized.
func exportWorkload(ctx *pulumi.Context, cfg *config.Config, plan *capacity.Plan, webapp *components.Webapp) {
	ctx.Export("env", pulumi.String(string(cfg.Env)))
	ctx.Export("namespace", webapp.Namespace)
	ctx.Export("url", webapp.URL)
	ctx.Export("releaseStrategy", pulumi.String(cfg.Release.Strategy))
	if cfg.Release.Strategy == config.BlueGreen {
		ctx.Export("activeColor", pulumi.String(cfg.Release.ActiveColor))
	}
	ctx.Export("capacityPlan", CapacityOutput(plan))
}

// CapacityOutput is the capacityPlan stack output: the numbers the stack was sized with.
func CapacityOutput(p *capacity.Plan) pulumi.Map {
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
		"seedYearlyCostUsd":         usd(p.Seed.YearlyUsd),
		"yearlyCostUsd":             usd(p.Autoscaled.YearlyUsd),
		"costPerMillionRequestsUsd": pulumi.String(p.Autoscaled.CostPerMillion.FloatString(4)),
	}
}

// ProjectRoot is the directory of Pulumi.yaml: the CLI says so, else the
// working directory (where the CLI starts a program).
func ProjectRoot(ctx *pulumi.Context) string {
	if root := ctx.RootDirectory(); root != "" {
		return root
	}
	return "."
}

// ReleaseArgs maps django-gke:release to the workload's release strategy.
func ReleaseArgs(r config.Release) components.ReleaseArgs {
	images := map[string]pulumi.StringInput{}
	if r.Blue.Image != "" {
		images[config.Blue] = pulumi.String(r.Blue.Image)
	}
	if r.Green.Image != "" {
		images[config.Green] = pulumi.String(r.Green.Image)
	}
	return components.ReleaseArgs{
		BlueGreen:         r.Strategy == config.BlueGreen,
		Active:            r.ActiveColor,
		Images:            images,
		PreviewHostname:   r.PreviewHostname,
		InactiveAtMinimum: r.InactiveAtMinimum,
	}
}

// webappArgs is the workload's configuration common to every environment.
func webappArgs(root string, cfg *config.Config, plan *capacity.Plan, labels map[string]string) (*components.WebappArgs, error) {
	nginxConf, err := os.ReadFile(filepath.Join(root, cfg.Image.Context, "nginx", "nginx.conf"))
	if err != nil {
		return nil, fmt.Errorf("reading the pod's nginx config: %w", err)
	}
	return &components.WebappArgs{
		Project:           cfg.Project,
		Namespace:         AppNamespace,
		ServiceAccount:    AppServiceAccount,
		Labels:            labels,
		DBName:            DatabaseName,
		DBUser:            DatabaseUser,
		GunicornCPU:       cfg.App.Cpu,
		GunicornMemory:    cfg.App.Memory,
		GunicornWorkers:   plan.GunicornWorkers,
		GunicornThreads:   plan.GunicornThreads,
		MinReplicas:       int(plan.HPAMinReplicas),
		MaxReplicas:       int(plan.HPAMaxReplicas),
		TargetCPUPercent:  plan.TargetCPUPercent(),
		Hostname:          cfg.App.Hostname,
		Settings:          cfg.App.Settings,
		NginxConfTemplate: string(nginxConf),
		CDN:               cfg.App.Cdn,
		SecurityPolicy:    cfg.App.SecurityPolicy,
		LogSampleRate:     LoadBalancerLogSampleRate(cfg.Env),
		Release:           ReleaseArgs(cfg.Release),
	}, nil
}

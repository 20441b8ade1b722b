package infra

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"django-gke/components"
	"django-gke/infra/capacity"
	"django-gke/infra/config"
	"django-gke/infra/outputs"
)

// ReadYourWritesSeconds is how long a client that wrote reads from the
// primary: far above Cloud SQL's usual cross-region replication lag (under
// a second), so the writer never sees its own write missing.
const ReadYourWritesSeconds = 10

// servingRegion is one region of django-gke:regions with what the program
// derives for it: its code (resource names), its capacity plan and, for a
// lost region, the options that keep its resources as deployed (lostRegionOptions).
type servingRegion struct {
	config.Region
	Code    string
	Primary bool
	Plan    *capacity.Plan
	Keep    []pulumi.ResourceOption
}

// servingRegions is the regional plan and regions.list paired with it.
func servingRegions(cfg *config.Config) (*capacity.Regional, []servingRegion, error) {
	regional, err := capacity.RegionalPlanFor(cfg)
	if err != nil {
		return nil, nil, err
	}
	out := make([]servingRegion, len(cfg.Regions.List))
	for i, r := range cfg.Regions.List {
		code, err := config.RegionCode(r.Region)
		if err != nil { // validation has already refused it; never a panic
			return nil, nil, fmt.Errorf("%s.list[%d].region: %w", config.Key("regions"), i, err)
		}
		out[i] = servingRegion{Region: r, Code: code, Primary: i == 0, Plan: regional.Regions[i].Sizing, Keep: lostRegionOptions(r)}
	}
	return regional, out, nil
}

// multiRegionProgram declares a stack that serves from every region of
// django-gke:regions: one VPC with a subnet per region, a GKE cluster per
// region in the fleet, the primary Cloud SQL instance in the first region
// and a read replica in each other, the workload in every cluster, and one
// multi-cluster Gateway on the config cluster in front of them all.
func multiRegionProgram(ctx *pulumi.Context, root string, cfg *config.Config, base string, labels map[string]string,
	tag string, gcp gcpScope) error {
	onGCP, afterAPIs := gcp.onGCP, gcp.afterAPIs
	policy := config.PolicyFor(cfg.Env)
	regional, regions, err := servingRegions(cfg)
	if err != nil {
		return err
	}
	psaRange, err := netip.ParsePrefix(cfg.Network.PrivateServicesCIDR)
	if err != nil {
		return fmt.Errorf("%s.privateServicesCidr: %w", config.Key("network"), err)
	}
	nodeTag := base + "-node"
	subnets := make([]components.SubnetArgs, len(regions))
	dbRegions := make([]components.DatabaseRegion, len(regions))
	for i, r := range regions {
		subnets[i] = components.SubnetArgs{Region: r.Region.Region, Code: r.Code, CIDR: r.CIDR, PodsCIDR: r.PodsCIDR, ServicesCIDR: r.ServicesCIDR, Options: r.Keep}
		dbRegions[i] = components.DatabaseRegion{Region: r.Region.Region, Code: r.Code, Options: r.Keep}
	}
	network, err := components.NewNetwork(ctx, base, &components.NetworkArgs{
		Project: cfg.Project, Region: cfg.Region, NodeTag: nodeTag, AppPort: components.NginxPort, PrivateServicesCIDR: psaRange, Subnets: subnets,
	}, onGCP, afterAPIs)
	if err != nil {
		return err
	}
	// One node identity for every region's nodes (its id fits the 30 characters
	// a per-region one would not).
	nodes, err := components.NewNodeIdentity(ctx, base+"-nodes", cfg.Project, onGCP, afterAPIs)
	if err != nil {
		return err
	}
	clusters := map[string]*components.Cluster{}
	var clusterResources []pulumi.Resource
	for _, r := range regions {
		subnet := network.Subnets[r.Region.Region]
		ca := clusterArgs(cfg, policy, nodeTag, r.Plan, labels)
		ca.Location, ca.MasterCIDR = r.Region.Region, r.MasterCIDR
		ca.NetworkSelfLink, ca.SubnetworkSelfLink = network.NetworkSelfLink, subnet.SelfLink
		ca.PodsRangeName, ca.ServicesRangeName = subnet.PodsRangeName, subnet.ServicesRangeName
		ca.Fleet = &components.ClusterFleet{Project: cfg.Project, GatewayAPI: true, ConnectGateway: cfg.Cluster.Access == config.AccessConnectGateway}
		ca.Nodes = nodes
		ca.NodePool.Name = RegionalNodePoolName(r.Code)
		cluster, err := components.NewCluster(ctx, base+"-"+r.Code, ca, append([]pulumi.ResourceOption{onGCP, afterAPIs}, r.Keep...)...)
		if err != nil {
			return err
		}
		clusters[r.Region.Region] = cluster
		clusterResources = append(clusterResources, cluster)
	}

	dbArgs := databaseArgs(cfg, policy, regional.DBMaxConnections, network, labels)
	dbArgs.Regions = dbRegions
	database, err := components.NewDatabase(ctx, base, dbArgs, onGCP, afterAPIs)
	if err != nil {
		return err
	}

	configCluster := clusters[cfg.ConfigClusterRegion()]
	// The pool exists once any cluster with Workload Identity does: the config cluster's.
	identity, err := declareAppIdentity(ctx, base, cfg, configCluster.WorkloadPool, onGCP, afterAPIs)
	if err != nil {
		return err
	}
	image, err := declareImage(ctx, base, cfg, tag, nodes.Member, labels, onGCP, afterAPIs)
	if err != nil {
		return err
	}
	// The Gateway's address and, with a host name, the SSL policy its
	// GCPGatewayPolicy attaches (the certificate map sets no TLS versions).
	address, err := components.NewEdgeAddress(ctx, base, &components.EdgeAddressArgs{TLS: cfg.App.Hostname != ""}, onGCP, afterAPIs)
	if err != nil {
		return err
	}
	fleet, err := components.NewFleet(ctx, base, &components.FleetArgs{
		Project:          cfg.Project,
		ConfigMembership: configCluster.FleetMembership,
		After:            clusterResources,
	}, onGCP, afterAPIs)
	if err != nil {
		return err
	}
	gatewayReady := append([]pulumi.Resource{}, fleet.Features...)
	var certMap pulumi.StringInput
	if cfg.App.Hostname != "" {
		cert, err := components.NewGatewayCertificate(ctx, base, &components.GatewayCertificateArgs{Hostname: cfg.App.Hostname, Labels: labels}, onGCP, afterAPIs)
		if err != nil {
			return err
		}
		certMap = cert.MapName
		gatewayReady = append(gatewayReady, cert.Entry)
	}

	var host pulumi.StringInput = address.IP
	if cfg.App.Hostname != "" {
		host = pulumi.String(cfg.App.Hostname)
	}
	// Probes, clusters and routes in code order, not list order: a failover
	// reorders the list and must change nothing but the database's roles.
	byCode := slices.Clone(regions)
	slices.SortFunc(byCode, func(a, b servingRegion) int { return strings.Compare(a.Code, b.Code) })
	var codes []string
	var monitored []components.MonitoredCluster
	var probes []components.RegionProbe
	var configPlan *capacity.Plan
	for _, r := range byCode {
		codes = append(codes, r.Code)
		monitored = append(monitored, components.MonitoredCluster{Name: base + "-" + r.Code,
			HPAMaxReplicas: int(r.Plan.HPAMaxReplicas), NodePoolMaxNodes: int(r.Plan.NodePoolMaxNodes)})
		probes = append(probes, components.RegionProbe{Region: r.Region.Region, Code: r.Code})
		if r.Region.Region == cfg.ConfigClusterRegion() {
			configPlan = r.Plan
		}
	}
	// One Django key for every region: a user whose requests land in another
	// region keeps their session and CSRF token.
	djangoKey, err := random.NewRandomPassword(ctx, base+"-django-secret-key", &random.RandomPasswordArgs{
		Length: pulumi.Int(64), Special: pulumi.Bool(false),
	})
	if err != nil {
		return fmt.Errorf("generating Django secret key: %w", err)
	}
	var configWorkload *components.Workload
	var configLost []pulumi.ResourceOption
	// The primary's region (first in the list) migrates; every other region's
	// Deployments wait for its Job (Django has no migration lock). A failover
	// moves the migrations with the primary.
	var migrations, edges []pulumi.Resource
	for _, r := range regions {
		cluster := clusters[r.Region.Region]
		args, err := workloadArgs(root, cfg, r.Plan, labels)
		if err != nil {
			return err
		}
		args.GoogleServiceAccount = identity.Email
		args.DjangoSecretKey = djangoKey.Result
		args.Image = image.ImageRef
		args.Database.Password = database.Password
		args.Database.CloudSQLInstance = database.ConnectionName
		args.Database.OtherRegionsServe = true
		peer := components.DatabasePeer{CloudSQLPrivateIP: database.PrivateIP}
		if replica, ok := database.Replicas[r.Region.Region]; ok {
			args.Database.ReplicaInstance = replica.ConnectionName
			args.Database.ReadYourWritesSeconds = ReadYourWritesSeconds
			peer.ReplicaPrivateIP = replica.PrivateIP
		}
		args.LoadBalancerIP = address.IP
		args.Host = host
		args.MigratedBy = migrations
		onCluster := pulumi.Provider(cluster.Provider)
		ready := append(append([]pulumi.Resource{cluster.NodePool}, gcp.services.Enabled...), identity.Grants...)
		ready = append(ready, image.Grants...)
		name := base + "-" + r.Code
		workload, err := components.NewWorkload(ctx, name, args, append([]pulumi.ResourceOption{onCluster, pulumi.DependsOn(ready)}, r.Keep...)...)
		if err != nil {
			return err
		}
		if migrations == nil {
			migrations = workload.Migrations
		}
		edge, err := components.NewRegionalEdge(ctx, name, &components.RegionalEdgeArgs{
			Namespace: workload.Namespace, Labels: labels, Release: args.Release, Code: r.Code,
			Image: args.Image, ControlPlaneCIDR: r.MasterCIDR,
		}, append([]pulumi.ResourceOption{onCluster, pulumi.DependsOn(fleet.Features)}, r.Keep...)...)
		if err != nil {
			return err
		}
		edges = append(edges, edge)
		if _, err := components.NewNetworkPolicies(ctx, name, &components.NetworkPoliciesArgs{
			Namespace: workload.Namespace, Labels: labels, Database: peer,
		}, append([]pulumi.ResourceOption{onCluster}, r.Keep...)...); err != nil {
			return err
		}
		if r.Region.Region == cfg.ConfigClusterRegion() {
			configWorkload, configLost = workload, r.Keep
		}
	}
	// The Gateway comes after every region's exports and the fleet features,
	// so a destroy deletes it first and awaits its deletion (GKE's Gateway
	// controller keeps a finalizer on it until the gkemcg1-* load balancer is
	// gone) before the exports and the features go: deleted any earlier, the
	// features' controllers leave those objects behind and the VPC cannot be deleted.
	if _, err := components.NewGateway(ctx, base, &components.GatewayArgs{
		Namespace: configWorkload.Namespace, Labels: labels, AddressName: address.Name,
		Hostname: cfg.App.Hostname, CertificateMap: certMap, SSLPolicy: address.SSLPolicy,
		SecurityPolicy: cfg.App.SecurityPolicy, LogSampleRate: policy.LoadBalancerLogSampleRate,
		RegionCodes: codes,
	}, append([]pulumi.ResourceOption{pulumi.Provider(clusters[cfg.ConfigClusterRegion()].Provider),
		pulumi.DependsOn(append(gatewayReady, edges...))}, configLost...)...); err != nil {
		return err
	}

	mon := cfg.Monitoring
	// Each cluster is judged against its own plan; the dashboard's nodes-at-peak line is the config region's.
	var replicaNames []pulumi.StringInput
	for _, r := range byCode {
		if replica, ok := database.Replicas[r.Region.Region]; ok {
			replicaNames = append(replicaNames, replica.InstanceName)
		}
	}
	if _, err := components.NewMonitoring(ctx, base, &components.MonitoringArgs{
		Project:              cfg.Project,
		Clusters:             monitored,
		MultiClusterGateway:  true,
		RegionProbes:         probes,
		ReplicaInstanceNames: replicaNames,
		Namespace:            appNamespace,
		SQLInstanceName:      database.InstanceName,
		PublicHost:           host,
		UseSSL:               cfg.App.Hostname != "",
		UptimePath:           mon.UptimePath,
		Paging:               policy.Pages,
		AlertEmail:           mon.AlertEmail,
		ManagedPrometheus:    policy.ManagedPrometheus,
		Thresholds:           thresholds(mon),
		HPAName:              components.WebName,
		NodesAtPeak:          int(configPlan.NodesAtPeak),
		DBMaxConnections:     regional.DBMaxConnections,
		LogRetentionDays:     mon.LogRetentionDays,
		Labels:               labels,
		Settle:               []pulumi.Resource{database.Instance},
	}, onGCP, afterAPIs); err != nil {
		return err
	}

	exportWorkload(ctx, cfg, regional.OneRegion, configWorkload, host)
	ctx.Export(outputs.GCPProject, pulumi.String(cfg.Project))
	ctx.Export(outputs.Region, pulumi.String(cfg.Region))
	ctx.Export(outputs.NetworkName, network.NetworkName)
	ctx.Export(outputs.ClusterName, configCluster.ClusterName)
	ctx.Export(outputs.ClusterLocation, configCluster.Location)
	ctx.Export(outputs.Kubeconfig, configCluster.Kubeconfig)
	ctx.Export(outputs.NodeServiceAccount, nodes.Email)
	ctx.Export(outputs.SQLConnectionName, database.ConnectionName)
	ctx.Export(outputs.AppServiceAccount, identity.Email)
	ctx.Export(outputs.ImageRef, image.ImageRef)
	ctx.Export(outputs.ImageSourceRef, image.SourceRef)
	ctx.Export(outputs.LoadBalancerIP, address.IP)
	regionsOut := pulumi.Map{}
	for _, r := range regions {
		c := clusters[r.Region.Region]
		role := "replica"
		if r.Primary {
			role = "primary"
		}
		regionsOut[r.Region.Region] = pulumi.Map{
			"cluster": c.ClusterName, "database": pulumi.String(role),
			"hpaMaxReplicas": pulumi.Int(int(r.Plan.HPAMaxReplicas)), "nodePoolMaxNodes": pulumi.Int(int(r.Plan.NodePoolMaxNodes)),
		}
	}
	ctx.Export(outputs.Regions, regionsOut)
	return nil
}

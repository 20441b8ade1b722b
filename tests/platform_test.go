package tests

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"django-gke/components"
	"django-gke/infra/capacity"
	"django-gke/infra/imageref"
	"django-gke/infra/offline"
	"django-gke/infra/stackfile"
)

// nodeServiceAccount is the GKE nodes' Google service account.
func nodeServiceAccount(t *testing.T, res *offline.Result, stack string) *offline.Resource {
	t.Helper()
	sa := res.Named("gcp:serviceaccount/account:Account", "django-gke-"+stack+"-nodes")
	require.NotNil(t, sa, "the nodes' service account of stack %s", stack)
	return sa
}

// stackPlan is the capacity plan of a repository stack, computed independently of the program run.
func stackPlan(t *testing.T, stack string) *capacity.Plan {
	t.Helper()
	cfg, _, err := stackfile.LoadConfig(repoRoot(), stack)
	require.NoError(t, err)
	p, err := capacity.PlanFor(cfg)
	require.NoError(t, err)
	return p
}

func TestProjectServicesStayEnabledOnDestroy(t *testing.T) {
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			res := plan(t, stack)
			var apis []string
			for _, s := range res.ByType("gcp:projects/service:Service") {
				apis = append(apis, in(t, s, "service").(string))
				assert.Equal(t, false, in(t, s, "disableOnDestroy"))
			}
			sort.Strings(apis)
			want := []string{
				"artifactregistry.googleapis.com", "cloudresourcemanager.googleapis.com", "compute.googleapis.com",
				"container.googleapis.com", "iam.googleapis.com", "iamcredentials.googleapis.com", "logging.googleapis.com",
				"monitoring.googleapis.com", "servicenetworking.googleapis.com", "sqladmin.googleapis.com",
				"connectgateway.googleapis.com", "gkehub.googleapis.com", // cluster.access connectGateway
			}
			sort.Strings(want)
			if stack != "dev" { // Memorystore
				want = append(want, "redis.googleapis.com")
				sort.Strings(want)
			}
			assert.Equal(t, want, apis)
			// Everything on GCP waits for the APIs. Pulumi does not pass a component's
			// DependsOn to its children, so each child must carry it itself.
			var serviceURNs []string
			for _, svc := range res.ByType("gcp:projects/service:Service") {
				serviceURNs = append(serviceURNs, svc.URN)
			}
			for _, r := range res.Resources {
				if !r.Custom || !strings.HasPrefix(r.Type, "gcp:") || r.Type == "gcp:projects/service:Service" {
					continue
				}
				for _, svc := range serviceURNs {
					assert.True(t, r.DependsOn(svc), "%s %s does not wait for %s", r.Type, r.Name, svc)
				}
			}
		})
	}
}

func TestNetworkEgressPrivateServicesAndFirewall(t *testing.T) {
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			res := plan(t, stack)
			vpc := one(t, res, "gcp:compute/network:Network")
			vpcID := vpc.ID

			router := one(t, res, "gcp:compute/router:Router")
			assert.Equal(t, vpcID, in(t, router, "network"))
			assert.Equal(t, "us-central1", in(t, router, "region"))
			nat := one(t, res, "gcp:compute/routerNat:RouterNat")
			assert.Equal(t, router.Outputs["name"].StringValue(), in(t, nat, "router"))
			assert.Equal(t, "AUTO_ONLY", in(t, nat, "natIpAllocateOption"))
			assert.Equal(t, "ALL_SUBNETWORKS_ALL_IP_RANGES", in(t, nat, "sourceSubnetworkIpRangesToNat"))
			assert.Equal(t, map[string]any{"enable": true, "filter": "ERRORS_ONLY"}, in(t, nat, "logConfig"))

			psaRange := res.Named("gcp:compute/globalAddress:GlobalAddress", "django-gke-"+stack+"-psa")
			require.NotNil(t, psaRange)
			assert.Equal(t, "VPC_PEERING", in(t, psaRange, "purpose"))
			assert.Equal(t, "INTERNAL", in(t, psaRange, "addressType"))
			assert.Equal(t, int64(20), in(t, psaRange, "prefixLength"))
			assert.Equal(t, vpcID, in(t, psaRange, "network"))
			psa := one(t, res, "gcp:servicenetworking/connection:Connection")
			assert.Equal(t, "servicenetworking.googleapis.com", in(t, psa, "service"))
			assert.Equal(t, []any{psaRange.Outputs["name"].StringValue()}, in(t, psa, "reservedPeeringRanges"))
			assert.Equal(t, vpcID, in(t, psa, "network"))
			assert.Equal(t, "ABANDON", in(t, psa, "deletionPolicy"), "destroy must not hang on the peering")

			fws := res.ByType("gcp:compute/firewall:Firewall")
			require.Len(t, fws, 1, "one rule: GKE writes its own for the control plane")
			fw := fws[0]
			assert.Equal(t, "INGRESS", in(t, fw, "direction"))
			assert.Equal(t, []any{"130.211.0.0/22", "35.191.0.0/16"}, in(t, fw, "sourceRanges"))
			assert.Equal(t, []any{"django-gke-" + stack + "-node"}, in(t, fw, "targetTags"))
			assert.Equal(t, []any{map[string]any{"protocol": "tcp", "ports": []any{"8080"}}}, in(t, fw, "allows"))
		})
	}
}

func TestClusterOperations(t *testing.T) {
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			res := plan(t, stack)
			c := one(t, res, "gcp:container/cluster:Cluster")
			assert.Equal(t, []any{"SYSTEM_COMPONENTS", "WORKLOADS"}, in(t, c, "loggingConfig.enableComponents"))
			if stack == "dev" {
				assert.Equal(t, []any{"SYSTEM_COMPONENTS"}, in(t, c, "monitoringConfig.enableComponents"))
			} else {
				// kube-state metrics for the "HPA at maxReplicas" alert and the dashboard.
				assert.Equal(t, []any{"SYSTEM_COMPONENTS", "HPA", "DEPLOYMENT", "POD"}, in(t, c, "monitoringConfig.enableComponents"))
			}
			assert.Equal(t, stack != "dev", in(t, c, "monitoringConfig.managedPrometheus.enabled"))
			assert.Equal(t, false, in(t, c, "addonsConfig.httpLoadBalancing.disabled"), "GKE Ingress needs it")
			assert.Equal(t, false, in(t, c, "masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled"))
			assert.Equal(t, false, in(t, c, "privateClusterConfig.enablePrivateEndpoint"))
			window := in(t, c, "maintenancePolicy.recurringWindow").(map[string]any)
			if stack == "prd" {
				assert.Equal(t, "FREQ=WEEKLY;BYDAY=SA,SU", window["recurrence"])
			} else {
				assert.Equal(t, "FREQ=WEEKLY;BYDAY=TU,WE,TH", window["recurrence"])
			}
			sa := nodeServiceAccount(t, res, stack)
			assert.Equal(t, sa.Outputs["email"].StringValue(), in(t, c, "nodeConfig.serviceAccount"), "even the default pool")
			assert.ElementsMatch(t, []string{"nodeConfig", "initialNodeCount"}, c.IgnoreChanges)
		})
	}
}

func TestNodePool(t *testing.T) {
	spot := map[string]bool{"dev": true, "stg": false, "prd": false}
	machine := map[string]string{"dev": "e2-standard-2", "stg": "e2-standard-4", "prd": "n2-standard-4"}
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			res := plan(t, stack)
			capPlan := stackPlan(t, stack)
			cluster := one(t, res, "gcp:container/cluster:Cluster")
			pool := one(t, res, "gcp:container/nodePool:NodePool")
			sa := nodeServiceAccount(t, res, stack)

			assert.Equal(t, cluster.ID, in(t, pool, "cluster"))
			assert.Equal(t, expect[stack].location, in(t, pool, "location"))
			_, named := pool.Input("name")
			assert.False(t, named, "an unnamed pool is replaced create-before-delete")
			// The autoscaler's bounds are the capacity plan's.
			assert.Equal(t, capPlan.NodePoolMinNodes, in(t, pool, "autoscaling.totalMinNodeCount"))
			assert.Equal(t, capPlan.NodePoolMaxNodes, in(t, pool, "autoscaling.totalMaxNodeCount"))
			assert.Equal(t, "BALANCED", in(t, pool, "autoscaling.locationPolicy"))
			assert.Equal(t, map[string]any{"autoRepair": true, "autoUpgrade": true}, in(t, pool, "management"))
			assert.Equal(t, map[string]any{"strategy": "SURGE", "maxSurge": int64(1), "maxUnavailable": int64(0)}, in(t, pool, "upgradeSettings"))

			nc := in(t, pool, "nodeConfig").(map[string]any)
			assert.Equal(t, machine[stack], nc["machineType"])
			assert.Equal(t, spot[stack], nc["spot"])
			assert.Equal(t, sa.Outputs["email"].StringValue(), nc["serviceAccount"])
			assert.Equal(t, []any{"https://www.googleapis.com/auth/cloud-platform"}, nc["oauthScopes"])
			assert.Equal(t, map[string]any{"enableSecureBoot": true, "enableIntegrityMonitoring": true}, nc["shieldedInstanceConfig"])
			assert.Equal(t, map[string]any{"mode": "GKE_METADATA"}, nc["workloadMetadataConfig"])
			assert.Equal(t, map[string]any{"disable-legacy-endpoints": "true"}, nc["metadata"])
			assert.Equal(t, []any{"django-gke-" + stack + "-node"}, nc["tags"])
			assert.Equal(t, "COS_CONTAINERD", nc["imageType"])
		})
	}
}

func TestNodeServiceAccountIsLeastPrivilege(t *testing.T) {
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			res := plan(t, stack)
			sa := nodeServiceAccount(t, res, stack)
			member := sa.Outputs["member"].StringValue()
			var roles []string
			for _, b := range res.ByType("gcp:projects/iAMMember:IAMMember") {
				if in(t, b, "member") == member {
					roles = append(roles, in(t, b, "role").(string))
					assert.Equal(t, expect[stack].project, in(t, b, "project"))
				}
			}
			sort.Strings(roles)
			assert.Equal(t, components.NodeServiceAccountRoles, roles)
			for _, b := range res.ByType("gcp:projects/iAMMember:IAMMember") {
				role := in(t, b, "role").(string)
				assert.NotContains(t, []string{"roles/editor", "roles/owner", "roles/container.admin"}, role)
			}
		})
	}
}

func TestDatabase(t *testing.T) {
	regional := map[string]string{"dev": "ZONAL", "stg": "ZONAL", "prd": "REGIONAL"}
	pitr := map[string]bool{"dev": false, "stg": true, "prd": true}
	tier := map[string]string{"dev": "db-custom-1-3840", "stg": "db-custom-2-7680", "prd": "db-custom-8-32768"}
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			res := plan(t, stack)
			capPlan := stackPlan(t, stack)
			inst := one(t, res, "gcp:sql/databaseInstance:DatabaseInstance")
			vpc := one(t, res, "gcp:compute/network:Network")
			psa := one(t, res, "gcp:servicenetworking/connection:Connection")

			assert.Equal(t, "POSTGRES_16", in(t, inst, "databaseVersion"))
			assert.Equal(t, "us-central1", in(t, inst, "region"))
			_, named := inst.Input("name")
			assert.False(t, named, "auto-named: Cloud SQL names stay reserved for a week after deletion")
			// Both protections, explicitly, per stack.
			assert.Equal(t, expect[stack].deletionProtection, in(t, inst, "deletionProtection"))
			assert.Equal(t, expect[stack].deletionProtection, in(t, inst, "settings.deletionProtectionEnabled"))
			assert.True(t, inst.DependsOn(psa.URN), "the private IP needs the peering first")

			st := in(t, inst, "settings").(map[string]any)
			assert.Equal(t, tier[stack], st["tier"])
			assert.Equal(t, "ENTERPRISE", st["edition"])
			assert.Equal(t, regional[stack], st["availabilityType"])
			assert.Equal(t, "PD_SSD", st["diskType"])
			assert.Equal(t, true, st["diskAutoresize"])
			// Client certificates required: the Auth Proxy presents them; the password alone is refused.
			assert.Equal(t, map[string]any{"ipv4Enabled": false, "privateNetwork": vpc.ID, "sslMode": "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"}, st["ipConfiguration"])
			backup := st["backupConfiguration"].(map[string]any)
			assert.Equal(t, true, backup["enabled"])
			assert.Equal(t, pitr[stack], backup["pointInTimeRecoveryEnabled"])
			wantBackups := int64(7)
			if stack == "prd" {
				wantBackups = 30
			}
			assert.Equal(t, map[string]any{"retainedBackups": wantBackups, "retentionUnit": "COUNT"}, backup["backupRetentionSettings"])
			assert.Equal(t, true, st["insightsConfig"].(map[string]any)["queryInsightsEnabled"])
			mw := st["maintenanceWindow"].(map[string]any)
			assert.Contains(t, []any{"canary", "stable"}, mw["updateTrack"])
			// max_connections is sized by the capacity plan.
			flags := map[string]any{}
			for _, f := range st["databaseFlags"].([]any) {
				flags[f.(map[string]any)["name"].(string)] = f.(map[string]any)["value"]
			}
			// The CIS benchmark's logging: connections, disconnections, lock waits, temporary files, checkpoints.
			assert.Equal(t, map[string]any{"max_connections": itoa(capPlan.DBMaxConnections), "log_min_duration_statement": "1000",
				"log_connections": "on", "log_disconnections": "on", "log_lock_waits": "on", "log_temp_files": "0", "log_checkpoints": "on"}, flags)

			db := one(t, res, "gcp:sql/database:Database")
			assert.Equal(t, "django", in(t, db, "name"))
			assert.Equal(t, inst.Outputs["name"].StringValue(), in(t, db, "instance"))
			user := one(t, res, "gcp:sql/user:User")
			assert.Equal(t, "django", in(t, user, "name"))
			assert.Equal(t, "ABANDON", in(t, user, "deletionPolicy"))
			assert.Equal(t, "[secret]", in(t, user, "password"))

			assert.Equal(t, inst.Outputs["connectionName"].StringValue(), res.Outputs["sqlConnectionName"].Value)
		})
	}
}

func TestAppIdentityUsesWorkloadIdentity(t *testing.T) {
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			res := plan(t, stack)
			sa := res.Named("gcp:serviceaccount/account:Account", "django-gke-"+stack+"-app")
			require.NotNil(t, sa)
			assert.Equal(t, "django-gke-"+stack+"-app", in(t, sa, "accountId"))
			var roles []string
			for _, b := range res.ByType("gcp:projects/iAMMember:IAMMember") {
				if in(t, b, "member") == sa.Outputs["member"].StringValue() {
					roles = append(roles, in(t, b, "role").(string))
				}
			}
			assert.Equal(t, []string{"roles/cloudsql.client"}, roles)
			wi := one(t, res, "gcp:serviceaccount/iAMMember:IAMMember")
			assert.Equal(t, sa.Outputs["name"].StringValue(), in(t, wi, "serviceAccountId"))
			assert.Equal(t, "roles/iam.workloadIdentityUser", in(t, wi, "role"))
			assert.Equal(t, "serviceAccount:"+expect[stack].project+".svc.id.goog[django/django]", in(t, wi, "member"))
			assert.Equal(t, sa.Outputs["email"].StringValue(), res.Outputs["appServiceAccount"].Value)
		})
	}
}

func TestDevBuildsAndExportsTheDigest(t *testing.T) {
	res := plan(t, "dev")
	repo := one(t, res, "gcp:artifactregistry/repository:Repository")
	assert.Equal(t, "django-gke", in(t, repo, "repositoryId"))
	assert.Equal(t, "DOCKER", in(t, repo, "format"))
	assert.Equal(t, "us-central1", in(t, repo, "location"))
	policies := in(t, repo, "cleanupPolicies").([]any)
	require.Len(t, policies, 2)
	assert.Equal(t, map[string]any{"id": "keep-recent", "action": "KEEP", "mostRecentVersions": map[string]any{"keepCount": int64(50)}}, policies[0])
	assert.Equal(t, "DELETE", policies[1].(map[string]any)["action"])

	img := one(t, res, "docker:index/image:Image")
	assert.Regexp(t, `^us-central1-docker\.pkg\.dev/acme-django-dev/django-gke/django:src-[0-9a-f]{12}$`, in(t, img, "imageName"))
	assert.Equal(t, map[string]any{"context": "app", "dockerfile": "app/Dockerfile", "platform": "linux/amd64", "builderVersion": "BuilderBuildKit"}, in(t, img, "build"))
	assert.Equal(t, "us-central1-docker.pkg.dev", in(t, img, "registry.server"))
	assert.Equal(t, "oauth2accesstoken", in(t, img, "registry.username"))
	assert.Equal(t, "[secret]", in(t, img, "registry.password"), "the access token never shows")
	assert.Equal(t, false, in(t, img, "buildOnPreview"))
	assert.True(t, img.DependsOn(repo.URN))
	// imageRef is the digest, never the tag.
	ref := res.Outputs["imageRef"].Value.(string)
	assert.Equal(t, img.Outputs["repoDigest"].StringValue(), ref)
	assert.Regexp(t, `@sha256:[0-9a-f]{64}$`, ref)
	// The nodes may pull from it.
	reader := one(t, res, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember")
	assert.Equal(t, "roles/artifactregistry.reader", in(t, reader, "role"))
	nodes := nodeServiceAccount(t, res, "dev")
	assert.Equal(t, nodes.Outputs["member"].StringValue(), in(t, reader, "member"))
}

// TestBuildOncePromoteTheSameDigest: stg deploys dev's digest and prd stg's, so
// all three run the exact image dev built; neither stg nor prd builds. Each runs
// it from its own registry (make promote copies it there), so destroying or
// cleaning up dev never removes what prd runs, and no stack needs rights on
// another stack's registry.
func TestBuildOncePromoteTheSameDigest(t *testing.T) {
	dev, stg, prd := plan(t, "dev"), plan(t, "stg"), plan(t, "prd")
	digest := func(ref any) string { _, d, _ := strings.Cut(ref.(string), "@"); return d }
	devRef := dev.Outputs["imageRef"].Value
	assert.Equal(t, dev.Outputs["imageSourceRef"].Value, devRef, "dev runs what it built")
	for _, c := range []struct {
		stack string
		res   *offline.Result
		from  string
		src   *offline.Result
	}{{"stg", stg, "organization/django-gke/dev", dev}, {"prd", prd, "organization/django-gke/stg", stg}} {
		res := c.res
		assert.Equal(t, digest(devRef), digest(res.Outputs["imageRef"].Value), "%s runs dev's digest", c.stack)
		assert.Equal(t, "us-central1-docker.pkg.dev/acme-django-"+c.stack+"/django-gke/django@"+digest(devRef), res.Outputs["imageRef"].Value,
			"%s runs it from its own registry", c.stack)
		assert.Equal(t, c.src.Outputs["imageRef"].Value, res.Outputs["imageSourceRef"].Value, "%s copies it from %s", c.stack, c.from)
		assert.Empty(t, res.ByType("docker:index/image:Image"), "%s never builds", c.stack)
		ref := one(t, res, "pulumi:pulumi:StackReference")
		assert.Equal(t, c.from, ref.ID)
		repo := one(t, res, "gcp:artifactregistry/repository:Repository")
		assert.Equal(t, "django-gke", in(t, repo, "repositoryId"))
		policies := in(t, repo, "cleanupPolicies").([]any)
		assert.Equal(t, map[string]any{"id": "keep-recent", "action": "KEEP", "mostRecentVersions": map[string]any{"keepCount": int64(20)}}, policies[0],
			"the newest promotions stay, whatever their age")
		// The only registry grant is on its own repository, to its own nodes.
		grant := one(t, res, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember")
		assert.Equal(t, "acme-django-"+c.stack, in(t, grant, "project"))
		assert.Equal(t, repo.Outputs["name"].StringValue(), in(t, grant, "repository"))
		nodes := nodeServiceAccount(t, res, c.stack)
		assert.Equal(t, nodes.Outputs["member"].StringValue(), in(t, grant, "member"))
	}
}

func TestPinnedRefWinsOverPromotion(t *testing.T) {
	pinned := "europe-docker.pkg.dev/acme-artifacts/releases/django@sha256:" + strings.Repeat("ab", 32)
	res, err := planWith(t, "stg", map[string]string{"django-gke:image": `{"ref": "` + pinned + `"}`})
	require.NoError(t, err)
	assert.Equal(t, pinned, res.Outputs["imageSourceRef"].Value)
	assert.Equal(t, "us-central1-docker.pkg.dev/acme-django-stg/django-gke/django@sha256:"+strings.Repeat("ab", 32), res.Outputs["imageRef"].Value)
	assert.Empty(t, res.ByType("pulumi:pulumi:StackReference"))
	grant := one(t, res, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember")
	assert.Equal(t, "acme-django-stg", in(t, grant, "project"), "no grant on the pinned image's registry")

	_, err = planWith(t, "stg", map[string]string{"django-gke:image": `{"ref": "europe-docker.pkg.dev/p/r/django:v1"}`})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `django-gke:image.ref: "europe-docker.pkg.dev/p/r/django:v1" is not allowed: must be a full image reference pinned by digest`)
}

func TestParseArtifactRegistryRef(t *testing.T) {
	loc, project, repo, ok := imageref.ParseArtifactRegistryRef("us-central1-docker.pkg.dev/acme/django-gke/django@sha256:" + strings.Repeat("0", 64))
	assert.True(t, ok)
	assert.Equal(t, []string{"us-central1", "acme", "django-gke"}, []string{loc, project, repo})
	for _, bad := range []string{"", "docker.io/library/nginx@sha256:" + strings.Repeat("0", 64), "us-docker.pkg.dev/a/b/c:latest"} {
		_, _, _, ok := imageref.ParseArtifactRegistryRef(bad)
		assert.False(t, ok, bad)
	}
}

// TestDevIsDestroyableAndPrdIsProtected: nothing blocks `pulumi destroy` of dev;
// prd guards its cluster and database twice.
func TestDevIsDestroyableAndPrdIsProtected(t *testing.T) {
	dev := plan(t, "dev")
	for _, r := range dev.Resources {
		assert.False(t, r.Protect, "%s %s is protected in dev", r.Type, r.Name)
	}
	assert.Equal(t, false, in(t, one(t, dev, "gcp:container/cluster:Cluster"), "deletionProtection"))
	devDB := one(t, dev, "gcp:sql/databaseInstance:DatabaseInstance")
	assert.Equal(t, false, in(t, devDB, "deletionProtection"))
	assert.Equal(t, false, in(t, devDB, "settings.deletionProtectionEnabled"))

	prd := plan(t, "prd")
	assert.Equal(t, true, in(t, one(t, prd, "gcp:container/cluster:Cluster"), "deletionProtection"))
	prdDB := one(t, prd, "gcp:sql/databaseInstance:DatabaseInstance")
	assert.Equal(t, true, in(t, prdDB, "deletionProtection"))
	assert.Equal(t, true, in(t, prdDB, "settings.deletionProtectionEnabled"))
	assert.Equal(t, "REGIONAL", in(t, prdDB, "settings.availabilityType"))
	assert.Equal(t, "us-central1", in(t, one(t, prd, "gcp:container/cluster:Cluster"), "location"), "regional cluster")
}

// TestTwoInstancesNeverCollide declares every GCP component twice in one
// program: logical names (URNs) and the physical names they set must differ.
func TestTwoInstancesNeverCollide(t *testing.T) {
	program := func(ctx *pulumi.Context) error {
		for _, name := range []string{"alpha", "beta"} {
			net, err := components.NewNetwork(ctx, name, &components.NetworkArgs{
				Region: "us-central1", CIDR: "10.10.0.0/20", PodsCIDR: "10.16.0.0/14", ServicesCIDR: "10.20.0.0/20",
				NodeTag: name + "-node", AppPort: 8080,
			})
			if err != nil {
				return err
			}
			if _, err := components.NewCluster(ctx, name, &components.ClusterArgs{
				Project: "acme-django-dev", Location: "us-central1-b", NetworkSelfLink: net.NetworkSelfLink,
				SubnetworkSelfLink: net.SubnetworkSelfLink, PodsRangeName: net.PodsRangeName, ServicesRangeName: net.ServicesRangeName,
				MasterCIDR: "172.16.0.0/28", ReleaseChannel: "REGULAR", WorkloadPool: "acme-django-dev.svc.id.goog",
				Maintenance: components.MaintenanceWindow{Start: "s", End: "e", Recurrence: "r"}, NodeTag: name + "-node",
				NodePool: components.NodePoolArgs{MachineType: "e2-standard-2", DiskGB: 30, MinNodes: 1, MaxNodes: 2, Zones: 1},
			}); err != nil {
				return err
			}
			if _, err := components.NewDatabase(ctx, name, &components.DatabaseArgs{
				Region: "us-central1", Version: "POSTGRES_16", Tier: "db-custom-1-3840", Availability: "ZONAL", DiskGB: 10,
				RetainedBackups: 7, MaxConnections: 100, PrivateNetwork: net.NetworkID, MaintenanceDay: 2, MaintenanceHour: 3,
				UpdateTrack: "canary", DatabaseName: "django", UserName: "django",
				DependsOn: []pulumi.Resource{net.PrivateServicesConnection},
			}); err != nil {
				return err
			}
			if _, err := components.NewAppIdentity(ctx, name, &components.AppIdentityArgs{
				Project: "acme-django-dev", WorkloadPool: pulumi.String("acme-django-dev.svc.id.goog"), Namespace: "django",
				KubernetesServiceAccount: "django", Roles: []string{"roles/cloudsql.client"},
			}); err != nil {
				return err
			}
			if _, err := components.NewImage(ctx, name, &components.ImageArgs{
				Build: true, Project: "acme-django-dev", Region: "us-central1", Repository: name + "-repo",
				Context: "app", Dockerfile: "app/Dockerfile", Tag: "t",
			}); err != nil {
				return err
			}
		}
		return nil
	}
	res, err := offline.Run(offline.Options{Dir: repoRoot(), Stack: "dev", Program: program})
	require.NoError(t, err)
	urns := map[string]bool{}
	physical := map[string]string{}
	for _, r := range res.Resources {
		assert.False(t, urns[r.URN], "URN used twice: %s", r.URN)
		urns[r.URN] = true
		for _, key := range []string{"name", "accountId", "repositoryId"} {
			if v, ok := r.Inputs[resourceKey(key)]; ok && v.IsString() {
				id := r.Type + " " + key + "=" + v.StringValue()
				// Names that are the same by design inside one instance (the database "django") are scoped by their parent.
				if key == "name" && (r.Type == "gcp:sql/database:Database" || r.Type == "gcp:sql/user:User") {
					continue
				}
				assert.NotContains(t, physical, id, "%s collides with %s", r.URN, physical[id])
				physical[id] = r.URN
			}
		}
	}
	assert.Greater(t, len(physical), 5)
}

func TestPlanShowsThePlatformTree(t *testing.T) {
	r := runPlan(t, repoRoot(), "-stack", "prd", "-out", t.TempDir())
	require.Equal(t, 0, r.code, r.stderr)
	for _, want := range []string{
		"django-gke:components:Network django-gke-prd", "gcp:compute/network:Network django-gke-prd-vpc",
		"django-gke:components:Cluster django-gke-prd", "gcp:container/cluster:Cluster django-gke-prd",
		"gcp:container/nodePool:NodePool django-gke-prd-pool",
		"django-gke:components:Database django-gke-prd", "gcp:sql/databaseInstance:DatabaseInstance django-gke-prd-pg",
		"django-gke:components:Image django-gke-prd", "gcp:serviceaccount/account:Account django-gke-prd-nodes",
		"gcp:serviceaccount/account:Account django-gke-prd-app",
		"imageRef: us-central1-docker.pkg.dev/acme-django-prd/django-gke/django@sha256:",
		"imageSourceRef: us-central1-docker.pkg.dev/acme-django-stg/django-gke/django@sha256:",
		"sqlConnectionName: acme-django-prd:us-central1:", "kubeconfig: [secret]",
	} {
		assert.Contains(t, r.stdout, want)
	}
}

// TestReadmeCapacityTableIsCurrent: the README shows what `make capacity STACK=prd FORMAT=markdown` prints now.
func TestReadmeCapacityTableIsCurrent(t *testing.T) {
	var out strings.Builder
	require.NoError(t, capacity.Write(&out, "prd", "prd", stackPlan(t, "prd"), capacity.FormatMarkdown))
	readme, err := os.ReadFile(filepath.Join(repoRoot(), "README.md"))
	require.NoError(t, err)
	want := strings.Replace(strings.TrimSpace(out.String()), "### Capacity plan", "#### Capacity plan", 1)
	assert.True(t, strings.Contains(string(readme), want), "README's capacity block is stale: run make readme")
}

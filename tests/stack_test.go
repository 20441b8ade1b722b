package tests

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"django-gke/components"
	"django-gke/infra/offline"
)

// Per-stack expectations, written out rather than derived from the code under test.
var expect = map[string]struct {
	project, location  string
	deletionProtection bool
	hostname           string
}{
	"dev": {project: "acme-django-dev", location: "us-central1-b", deletionProtection: false},
	"stg": {project: "acme-django-stg", location: "us-central1", deletionProtection: false, hostname: "stg.django-gke.example.com"},
	"prd": {project: "acme-django-prd", location: "us-central1", deletionProtection: true, hostname: "django-gke.example.com"},
}

func TestGCPProviderIsExplicitWithLabels(t *testing.T) {
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			res := plan(t, stack)
			p := one(t, res, "pulumi:providers:gcp")
			assert.Equal(t, expect[stack].project, in(t, p, "project"))
			assert.Equal(t, "us-central1", in(t, p, "region"))
			assert.Equal(t, map[string]any{"app": "django-gke", "env": stack, "stack": stack, "managed-by": "pulumi"},
				in(t, p, "defaultLabels"))
			// Every GCP resource goes through that provider, never an ambient default one.
			for _, r := range res.Resources {
				if r.Custom && strings.HasPrefix(r.Type, "gcp:") {
					assert.Equal(t, p.URN, r.ProviderURN(), "%s %s", r.Type, r.Name)
				}
			}
		})
	}
}

func TestNetwork(t *testing.T) {
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			res := plan(t, stack)
			vpc := one(t, res, "gcp:compute/network:Network")
			assert.Equal(t, false, in(t, vpc, "autoCreateSubnetworks"), "custom-mode VPC")
			subnet := one(t, res, "gcp:compute/subnetwork:Subnetwork")
			assert.Equal(t, "10.10.0.0/20", in(t, subnet, "ipCidrRange"))
			assert.Equal(t, "us-central1", in(t, subnet, "region"))
			assert.Equal(t, true, in(t, subnet, "privateIpGoogleAccess"), "private nodes reach Google APIs")
			assert.Equal(t, []any{
				map[string]any{"rangeName": "django-gke-" + stack + "-pods", "ipCidrRange": "10.16.0.0/14"},
				map[string]any{"rangeName": "django-gke-" + stack + "-services", "ipCidrRange": "10.20.0.0/20"},
			}, in(t, subnet, "secondaryIpRanges"))
			assert.True(t, subnet.DependsOn(vpc.URN), "the subnet is in the VPC")
		})
	}
}

func TestCluster(t *testing.T) {
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			res := plan(t, stack)
			c := one(t, res, "gcp:container/cluster:Cluster")
			assert.Equal(t, "django-gke-"+stack, in(t, c, "name"))
			assert.Equal(t, expect[stack].location, in(t, c, "location"))
			// Set explicitly in every stack: the provider defaults it to true, which blocks `pulumi destroy` of dev.
			assert.Equal(t, expect[stack].deletionProtection, in(t, c, "deletionProtection"))
			assert.Equal(t, true, in(t, c, "removeDefaultNodePool"))
			assert.Equal(t, "VPC_NATIVE", in(t, c, "networkingMode"))
			assert.Equal(t, "django-gke-"+stack+"-pods", in(t, c, "ipAllocationPolicy.clusterSecondaryRangeName"))
			assert.Equal(t, "django-gke-"+stack+"-services", in(t, c, "ipAllocationPolicy.servicesSecondaryRangeName"))
			assert.Equal(t, true, in(t, c, "privateClusterConfig.enablePrivateNodes"))
			assert.Equal(t, "172.16.0.0/28", in(t, c, "privateClusterConfig.masterIpv4CidrBlock"))
			assert.Equal(t, expect[stack].project+".svc.id.goog", in(t, c, "workloadIdentityConfig.workloadPool"))
			assert.Equal(t, "REGULAR", in(t, c, "releaseChannel.channel"))
			assert.Equal(t, "ADVANCED_DATAPATH", in(t, c, "datapathProvider"), "Dataplane V2 enforces NetworkPolicy")
			assert.Equal(t, true, in(t, c, "enableShieldedNodes"))
			blocks := in(t, c, "masterAuthorizedNetworksConfig.cidrBlocks").([]any)
			require.NotEmpty(t, blocks)
			for _, b := range blocks {
				cidr := b.(map[string]any)["cidrBlock"]
				assert.NotEqual(t, "0.0.0.0/0", cidr, "the control plane is never open to the internet")
			}
			vpc := one(t, res, "gcp:compute/network:Network")
			subnet := one(t, res, "gcp:compute/subnetwork:Subnetwork")
			assert.Equal(t, vpc.Outputs["selfLink"].StringValue(), in(t, c, "network"))
			assert.Equal(t, subnet.Outputs["selfLink"].StringValue(), in(t, c, "subnetwork"))
		})
	}
}

func TestKubernetesProviderUsesTheExecPlugin(t *testing.T) {
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			res := plan(t, stack)
			cluster := one(t, res, "gcp:container/cluster:Cluster")
			p := one(t, res, "pulumi:providers:kubernetes")
			text, ok := in(t, p, "kubeconfig").(string)
			require.True(t, ok, "kubeconfig is a string")
			var kc struct {
				Clusters []struct {
					Cluster struct {
						Server string `yaml:"server"`
						CA     string `yaml:"certificate-authority-data"`
					} `yaml:"cluster"`
				} `yaml:"clusters"`
				Users []struct {
					User map[string]any `yaml:"user"`
				} `yaml:"users"`
			}
			require.NoError(t, yaml.Unmarshal([]byte(text), &kc), text)
			require.Len(t, kc.Clusters, 1)
			// cluster.access connectGateway (the default): the fleet membership
			// through Google's front end, the project by number (the fleet
			// agent's email carries it), no cluster CA (a public certificate).
			agent := res.Named("gcp:projects/serviceIdentity:ServiceIdentity", "django-gke-"+stack+"-gkehub-agent")
			require.NotNil(t, agent)
			assert.Equal(t, "gkehub.googleapis.com", in(t, agent, "service"))
			email, _ := agent.Output("email")
			number, err := components.ProjectNumberOf(email.(string))
			require.NoError(t, err)
			assert.Equal(t, fmt.Sprintf("https://connectgateway.googleapis.com/v1/projects/%s/locations/%s/gkeMemberships/%s",
				number, in(t, cluster, "location"), cluster.Outputs["name"].StringValue()), kc.Clusters[0].Cluster.Server)
			assert.Empty(t, kc.Clusters[0].Cluster.CA)
			assert.Equal(t, expect[stack].project, in(t, cluster, "fleet.project"), "registered to the fleet")
			require.Len(t, kc.Users, 1)
			user := kc.Users[0].User
			assert.NotContains(t, user, "token", "no static token")
			assert.NotContains(t, user, "client-key-data")
			assert.Equal(t, "gke-gcloud-auth-plugin", user["exec"].(map[string]any)["command"])
			// Every Kubernetes object goes through this provider.
			for _, r := range res.Resources {
				if r.Custom && strings.HasPrefix(r.Type, "kubernetes:") {
					assert.Equal(t, p.URN, r.ProviderURN(), "%s %s", r.Type, r.Name)
				}
			}
		})
	}
}

// TestAuthorizedNetworksAccessTalksToTheEndpoint: cluster.access
// authorizedNetworks (a runner inside those networks) keeps the direct
// endpoint with the cluster's CA, and no fleet registration for it.
func TestAuthorizedNetworksAccessTalksToTheEndpoint(t *testing.T) {
	res, err := planWith(t, "prd", map[string]string{"django-gke:cluster": `{"access": "authorizedNetworks", "location": "us-central1", "machineType": "n2-standard-4", "authorizedNetworks": [{"name": "office", "cidr": "203.0.113.0/24"}], "deletionProtection": true}`})
	require.NoError(t, err)
	cluster := one(t, res, "gcp:container/cluster:Cluster")
	text := in(t, one(t, res, "pulumi:providers:kubernetes"), "kubeconfig").(string)
	assert.Contains(t, text, "server: https://"+cluster.Outputs["endpoint"].StringValue()+"\n")
	assert.Contains(t, text, "certificate-authority-data: ")
	_, fleet := cluster.Input("fleet")
	assert.False(t, fleet, "no fleet registration needed")
	// Switching the access path changes the kubeconfig, never the provider's
	// identity: the engine updates the provider instead of replacing it and
	// every object on the cluster with it.
	id := in(t, one(t, res, "pulumi:providers:kubernetes"), "clusterIdentifier")
	assert.Equal(t, "gke_acme-django-prd_us-central1_django-gke-prd", id)
	assert.Equal(t, id, in(t, one(t, plan(t, "prd"), "pulumi:providers:kubernetes"), "clusterIdentifier"))
	assert.Nil(t, res.Named("gcp:projects/serviceIdentity:ServiceIdentity", "django-gke-prd-gkehub-agent"))
}

func TestKubeconfigDependsOnlyOnClusterIdentity(t *testing.T) {
	// A kubeconfig that changes with unrelated inputs would replace the provider and every workload.
	a := components.Kubeconfig("c", "34.1.2.3", "Q0E=")
	assert.Equal(t, a, components.Kubeconfig("c", "34.1.2.3", "Q0E="))
	assert.NotEqual(t, a, components.Kubeconfig("c", "34.1.2.4", "Q0E="))
}

func TestAppNamespaceEnforcesRestricted(t *testing.T) {
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			ns := one(t, plan(t, stack), "kubernetes:core/v1:Namespace")
			assert.Equal(t, "django", in(t, ns, "metadata.name"))
			labels := in(t, ns, "metadata.labels").(map[string]any)
			for _, mode := range []string{"enforce", "audit", "warn"} {
				assert.Equal(t, "restricted", labels["pod-security.kubernetes.io/"+mode])
			}
		})
	}
}

func TestComponentsParentTheirResources(t *testing.T) {
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			res := plan(t, stack)
			for _, r := range res.Resources {
				if !r.Custom || r.Type == "pulumi:providers:gcp" {
					continue // components and the root provider sit under the stack
				}
				parent := res.ByURN(r.Parent)
				require.NotNil(t, parent, "%s %s has no registered parent", r.Type, r.Name)
				assert.True(t, strings.HasPrefix(parent.Type, "django-gke:components:"),
					"%s %s is parented to %s, not a component", r.Type, r.Name, parent.Type)
				assert.True(t, strings.HasPrefix(r.Name, parent.Name), "%s is named after its component %s", r.Name, parent.Name)
			}
		})
	}
}

func TestSecretsNeverInPlainText(t *testing.T) {
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			res := plan(t, stack)
			// Every generated secret: Django's key and the database password.
			passwords := res.ByType("random:index/randomPassword:RandomPassword")
			require.Len(t, passwords, 2)
			var secrets []string
			for _, p := range passwords {
				require.True(t, p.Outputs["result"].IsSecret(), p.Name)
				value := p.Outputs["result"].SecretValue().Element.StringValue()
				require.GreaterOrEqual(t, len(value), 32)
				secrets = append(secrets, value)
			}

			assert.True(t, res.Outputs["kubeconfig"].Secret, "the kubeconfig output is secret")
			secret := one(t, res, "kubernetes:core/v1:Secret")
			assert.True(t, secret.Inputs["stringData"].ContainsSecrets(), "the Secret's data is marked secret")
			user := one(t, res, "gcp:sql/user:User")
			assert.True(t, user.Inputs["password"].IsSecret(), "the SQL user's password reaches the provider as a secret")

			// Nothing the plan prints or writes, and no plain output, may contain a generated value.
			var out strings.Builder
			offline.PrintPlan(&out, res)
			texts := map[string]string{"plan output": out.String()}
			for _, m := range res.KubernetesManifests() {
				text, err := offline.MarshalYAML(m.Object)
				require.NoError(t, err)
				texts[m.File] = string(text)
			}
			for name, o := range res.Outputs {
				texts["output "+name] = fmt.Sprint(offline.PlainOutput(o))
			}
			for _, r := range res.Resources {
				if r.Type == "kubernetes:core/v1:ConfigMap" {
					texts["ConfigMap "+r.Name] = fmt.Sprint(offline.PlainMap(r.Inputs))
				}
			}
			for where, text := range texts {
				for _, s := range secrets {
					assert.NotContains(t, text, s, where)
				}
			}
			assert.Contains(t, out.String(), "kubeconfig: [secret]")
		})
	}
}

func TestStackOutputs(t *testing.T) {
	for _, stack := range Stacks {
		t.Run(stack, func(t *testing.T) {
			res := plan(t, stack)
			want := map[string]any{
				"env": stack, "gcpProject": expect[stack].project, "region": "us-central1",
				"clusterName": "django-gke-" + stack, "clusterLocation": expect[stack].location, "namespace": "django",
			}
			for name, value := range want {
				require.Contains(t, res.Outputs, name)
				assert.Equal(t, value, res.Outputs[name].Value, name)
				assert.False(t, res.Outputs[name].Secret, name)
			}
		})
	}
}

// TestResourcesOfTheSplitWebappKeepTheirURNs: the Webapp component was split
// into Workload, EdgeAddress, Edge and NetworkPolicies. Each of their
// resources has an alias to its URN under Webapp, so a stack deployed before
// the split updates them in place instead of replacing them (make plan-diff
// and the replacement guard show the same).
func TestResourcesOfTheSplitWebappKeepTheirURNs(t *testing.T) {
	split := map[string]bool{"Workload": true, "EdgeAddress": true, "Edge": true, "NetworkPolicies": true}
	for _, stack := range append(slices.Clone(Stacks), "local") {
		t.Run(stack, func(t *testing.T) {
			res := plan(t, stack)
			moved := 0
			for _, r := range res.Resources {
				parent := res.ByURN(r.Parent)
				if !r.Custom || parent == nil || !split[strings.TrimPrefix(parent.Type, "django-gke:components:")] {
					continue
				}
				moved++
				former := "urn:pulumi:" + stack + "::django-gke::django-gke:components:Webapp$" + r.Type + "::" + r.Name
				assert.Contains(t, r.Aliases, former, "%s %s", r.Type, r.Name)
			}
			assert.GreaterOrEqual(t, moved, 15, "the workload, its edge and its policies")
		})
	}
}

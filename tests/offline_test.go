package tests

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-docker/sdk/v4/go/docker"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/compute"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/organizations"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/serviceaccount"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/sql"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"django-gke/infra/offline"
	"django-gke/infra/stackfile"
)

// stackDir writes Pulumi.yaml (the repository's) and one stack file into a temp dir.
func stackDir(t *testing.T, stack, stackYAML string) string {
	t.Helper()
	dir := t.TempDir()
	project, err := os.ReadFile(filepath.Join(repoRoot(), "Pulumi.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), project, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi."+stack+".yaml"), []byte(stackYAML), 0o644))
	return dir
}

func TestStackConfigIsMergedLikeTheCLI(t *testing.T) {
	dir := stackDir(t, "qa", `config:
  gcp:project: acme-django-qa
  gcp:credentials:
    secure: v1:c2VjcmV0:AAAA
  django-gke:env: stg
  django-gke:capacity:
    targetRps: 300
`)
	sc, err := stackfile.Load(dir, "qa")
	require.NoError(t, err)
	assert.Equal(t, "django-gke", sc.Project)
	assert.Equal(t, "acme-django-qa", sc.Values["gcp:project"])
	assert.Equal(t, "us-central1", sc.Values["gcp:region"], "project-level value applies when the stack sets none")
	assert.Equal(t, "stg", sc.Values["django-gke:env"])
	assert.JSONEq(t, `{"targetRps": 300}`, sc.Values["django-gke:capacity"], "the stack's object replaces the default whole")
	assert.Equal(t, "{}", sc.Values["django-gke:network"], "Pulumi.yaml's default object")
	assert.Equal(t, "[secret]", sc.Values["gcp:credentials"], "secure values are never decrypted offline")
	assert.Equal(t, []string{"gcp:credentials"}, sc.SecretKeys)
}

func TestStackConfigRejectsWhatTheCLIRejects(t *testing.T) {
	dir := stackDir(t, "qa", "config:\n  gcp:project: acme-django-qa\n  django-gke:capacity: big\n")
	_, err := stackfile.Load(dir, "qa")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "stack 'qa': configuration key 'capacity' must be of type 'object'")

	_, err = stackfile.Load(dir, "nope")
	require.ErrorIs(t, err, stackfile.ErrNoStack)
	assert.Contains(t, err.Error(), "Pulumi.nope.yaml does not exist (stacks here: qa)")

	bad := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bad, "Pulumi.yaml"),
		[]byte("name: django-gke\nruntime: go\nconfig:\n  env:\n    type: objekt\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(bad, "Pulumi.x.yaml"), []byte("config: {}\n"), 0o644))
	_, err = stackfile.Load(bad, "x")
	require.Error(t, err, "Pulumi.yaml is checked against the CLI's project schema")
}

func TestProjectFileDeclaresEveryKeyWithDescriptionAndDefault(t *testing.T) {
	// Loaded with the SDK so the file also passes the CLI's schema validation.
	dir := stackDir(t, "x", "config: {gcp:project: acme-django-x}\n")
	sc, err := stackfile.Load(dir, "x")
	require.NoError(t, err)
	text, err := os.ReadFile(filepath.Join(repoRoot(), "Pulumi.yaml"))
	require.NoError(t, err)
	for _, key := range []string{"env", "network", "cluster", "database", "image", "app", "capacity", "cost", "monitoring", "release"} {
		assert.Contains(t, sc.Values, "django-gke:"+key, "Pulumi.yaml gives %s a default", key)
		section := string(text)[strings.Index(string(text), "\n  "+key+":\n"):]
		assert.Contains(t, strings.SplitN(section, "\n  default:", 2)[0], "description:", "%s has a description", key)
	}
}

// TestMockComputesProviderOutputs declares one resource of each kind the
// program relies on and checks the values a real provider would compute.
func TestMockComputesProviderOutputs(t *testing.T) {
	program := func(ctx *pulumi.Context) error {
		sa, err := serviceaccount.NewAccount(ctx, "app", &serviceaccount.AccountArgs{AccountId: pulumi.String("django-app")})
		if err != nil {
			return err
		}
		db, err := sql.NewDatabaseInstance(ctx, "pg", &sql.DatabaseInstanceArgs{
			DatabaseVersion: pulumi.String("POSTGRES_16"), Region: pulumi.String("us-central1"),
		}, pulumi.DependsOn([]pulumi.Resource{sa}))
		if err != nil {
			return err
		}
		peering, err := compute.NewGlobalAddress(ctx, "psa", &compute.GlobalAddressArgs{
			Purpose: pulumi.String("VPC_PEERING"), AddressType: pulumi.String("INTERNAL"), PrefixLength: pulumi.Int(16),
		})
		if err != nil {
			return err
		}
		lbIP, err := compute.NewGlobalAddress(ctx, "lb", &compute.GlobalAddressArgs{})
		if err != nil {
			return err
		}
		image, err := docker.NewImage(ctx, "app", &docker.ImageArgs{
			ImageName: pulumi.String("us-central1-docker.pkg.dev/acme-django-stg/django-gke/app:v1"),
			Build:     &docker.DockerBuildArgs{Context: pulumi.String("app"), Platform: pulumi.String("linux/amd64")},
		})
		if err != nil {
			return err
		}
		password, err := random.NewRandomPassword(ctx, "db", &random.RandomPasswordArgs{Length: pulumi.Int(32), Special: pulumi.Bool(false)})
		if err != nil {
			return err
		}
		id, err := random.NewRandomId(ctx, "suffix", &random.RandomIdArgs{ByteLength: pulumi.Int(4)})
		if err != nil {
			return err
		}
		ref, err := pulumi.NewStackReference(ctx, "organization/django-gke/dev", nil)
		if err != nil {
			return err
		}
		client, err := organizations.GetClientConfig(ctx)
		if err != nil {
			return err
		}
		ctx.Export("email", sa.Email)
		ctx.Export("connectionName", db.ConnectionName)
		ctx.Export("privateIp", db.PrivateIpAddress)
		ctx.Export("peeringAddress", peering.Address)
		ctx.Export("lbAddress", lbIP.Address)
		ctx.Export("repoDigest", image.RepoDigest)
		ctx.Export("password", password.Result)
		ctx.Export("hex", id.Hex)
		ctx.Export("devCluster", ref.GetStringOutput(pulumi.String("clusterName")))
		ctx.Export("devKubeconfig", ref.GetStringOutput(pulumi.String("kubeconfig")))
		ctx.Export("token", pulumi.String(client.AccessToken))
		return nil
	}
	run := func() *offline.Result {
		res, err := offline.Run(offline.Options{Dir: repoRoot(), Stack: "stg", Program: program})
		require.NoError(t, err)
		return res
	}
	res := run()
	value := func(name string) string {
		require.Contains(t, res.Outputs, name)
		s, _ := res.Outputs[name].Value.(string)
		return s
	}
	assert.Equal(t, "django-app@acme-django-stg.iam.gserviceaccount.com", value("email"))
	assert.Regexp(t, `^acme-django-stg:us-central1:pg-[0-9a-f]{7}$`, value("connectionName"))
	assert.Regexp(t, `^10\.\d+\.\d+\.\d+$`, value("privateIp"))
	assert.Regexp(t, `^10\.\d+\.\d+\.\d+$`, value("peeringAddress"))
	assert.Regexp(t, `^34\.\d+\.\d+\.\d+$`, value("lbAddress"))
	assert.Regexp(t, `^us-central1-docker\.pkg\.dev/acme-django-stg/django-gke/app@sha256:[0-9a-f]{64}$`, value("repoDigest"))
	assert.Regexp(t, `^[A-Za-z0-9]{32}$`, value("password"))
	assert.True(t, res.Outputs["password"].Secret, "random passwords are secret")
	assert.Regexp(t, `^[0-9a-f]{8}$`, value("hex"))
	assert.Equal(t, "django-gke-dev", value("devCluster"), "StackReference outputs come from running dev offline")
	assert.True(t, res.Outputs["devKubeconfig"].Secret, "a referenced stack's secret output stays secret")
	assert.True(t, strings.HasPrefix(value("token"), "ya29.offline-"))

	// Recorded: inputs, parent, dependencies, invokes.
	db := one(t, res, "gcp:sql/databaseInstance:DatabaseInstance")
	sa := one(t, res, "gcp:serviceaccount/account:Account")
	assert.True(t, db.DependsOn(sa.URN))
	assert.Equal(t, "POSTGRES_16", in(t, db, "databaseVersion"))
	assert.True(t, strings.HasSuffix(db.Parent, "::django-gke-stg"), "top-level resources are parented to the stack")
	require.Len(t, res.Invokes, 1)
	assert.Equal(t, "gcp:organizations/getClientConfig:getClientConfig", res.Invokes[0].Token)
	ref := one(t, res, "pulumi:pulumi:StackReference")
	assert.True(t, ref.Read)

	// Deterministic: the same stack yields the same computed values.
	again := run()
	assert.Equal(t, res.Outputs["repoDigest"], again.Outputs["repoDigest"])
	assert.Equal(t, res.Outputs["connectionName"], again.Outputs["connectionName"])
}

func TestMockRefusesWhatItCannotAnswer(t *testing.T) {
	unknownInvoke := func(ctx *pulumi.Context) error {
		_, err := compute.LookupNetwork(ctx, &compute.LookupNetworkArgs{Name: "default"})
		return err
	}
	_, err := offline.Run(offline.Options{Dir: repoRoot(), Stack: "dev", Program: unknownInvoke})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no mock for the function gcp:compute/getNetwork:getNetwork")

	missingStack := func(ctx *pulumi.Context) error {
		_, err := pulumi.NewStackReference(ctx, "organization/django-gke/qa", nil)
		return err
	}
	_, err = offline.Run(offline.Options{Dir: repoRoot(), Stack: "dev", Program: missingStack})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no such stack "qa"`)

	otherProject := func(ctx *pulumi.Context) error {
		_, err := pulumi.NewStackReference(ctx, "acme/other/prd", nil)
		return err
	}
	_, err = offline.Run(offline.Options{Dir: repoRoot(), Stack: "dev", Program: otherProject})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "resolves only stacks of project django-gke")
}

func TestProgramErrorsAreTheValidationProblems(t *testing.T) {
	_, err := planWith(t, "prd", map[string]string{"django-gke:capacity": `{"targetRps": -5}`})
	require.Error(t, err)
	assert.Equal(t, "invalid stack configuration (1 problem):\n  django-gke:capacity.targetRps: -5 is not allowed: must be > 0", err.Error())
	assert.False(t, errors.Is(err, stackfile.ErrNoStack))
}

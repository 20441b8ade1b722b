package infra

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumiconfig "github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"django-gke/components"
	"django-gke/infra/capacity"
	"django-gke/infra/config"
	"django-gke/infra/outputs"
)

// Env local deploys the same workload to any Kubernetes cluster named by a
// kubeconfig (the local control plane of make cluster-up, kind, minikube…)
// and declares nothing on GCP. Its stand-ins, all of them, are here:
//
//   - the cluster: a kubeconfig path (cluster.kubeconfig, else $KUBECONFIG)
//     instead of a GKE cluster and its exec-credential kubeconfig;
//   - the image: image.ref as given (a tag is fine) instead of a build or a promotion;
//   - the database: database.host and database.port, connected to directly
//     (the Workload gets no Cloud SQL instance, so no Auth Proxy sidecar); its
//     password is exported as the secret output localDatabasePassword (create
//     the role with it);
//   - no Google service account (no Workload Identity annotation) and no
//     EdgeAddress: the Edge declares the Ingress (class gce, BackendConfig and
//     all) with pulumi.com/skipAwait, since no GKE controller will give it a
//     status, and nginx trusts 127.0.0.1 instead of the load balancer;
//   - no cache server (cache.enabled is refused here): the app runs as
//     without Memorystore (no cached views, sessions in the database); make
//     local-up runs the pod on this machine with a real redis-server instead;
//   - no monitoring (Cloud Monitoring and Logging are GCP services).
//
// Each is a capability the components take as an optional argument, not a mode.
func localProgram(ctx *pulumi.Context, root string, cfg *config.Config, plan *capacity.Plan, base string, labels map[string]string) error {
	if cfg.MultiRegion() {
		return localRegionsProgram(ctx, root, cfg, base, labels)
	}
	kubeconfig, err := localKubeconfig(root, cfg.Cluster.Kubeconfig)
	if err != nil {
		return err
	}
	provider, err := localProvider(ctx, base+"-k8s", kubeconfig)
	if err != nil {
		return err
	}
	secrets, err := readLocalSecrets(ctx)
	if err != nil {
		return err
	}
	args, err := localWorkloadArgs(root, cfg, plan, labels, secrets)
	if err != nil {
		return err
	}
	workload, err := declareOnCluster(ctx, base, cfg, args, platform{
		kubernetes: provider,
		database:   components.DatabasePeer{Host: cfg.Database.Host, Port: cfg.Database.Port},
		opts:       []pulumi.ResourceOption{formerlyInWebapp(ctx, base)},
	})
	if err != nil {
		return err
	}
	exportWorkload(ctx, cfg, plan, workload, args.Host)
	ctx.Export(outputs.Kubeconfig, pulumi.String(kubeconfig))
	ctx.Export(outputs.ImageRef, pulumi.String(cfg.Image.Ref))
	ctx.Export(outputs.LocalDatabasePassword, secrets.password)
	return nil
}

// localRegionsProgram is env local with regions.list: the multi-region
// program's shape on one local cluster per region (regions.list[].kubeconfig).
// The first region migrates and every other region's Deployment waits for
// its Job; a lost region keeps what it has (lostRegionOptions), which is what
// the real engine proves here with one of the clusters stopped
// (TestLostRegionOnTheRealEngine). One Postgres serves every region: the
// replicas are Cloud SQL's.
func localRegionsProgram(ctx *pulumi.Context, root string, cfg *config.Config, base string, labels map[string]string) error {
	regional, regions, err := servingRegions(cfg)
	if err != nil {
		return err
	}
	secrets, err := readLocalSecrets(ctx)
	if err != nil {
		return err
	}
	var migrations []pulumi.Resource
	var first *components.Workload
	var host pulumi.StringInput
	regionsOut := pulumi.Map{}
	for _, r := range regions {
		name := base + "-" + r.Code
		kubeconfig, err := localKubeconfig(root, r.Kubeconfig)
		if err != nil {
			return err
		}
		provider, err := localProvider(ctx, name+"-k8s", kubeconfig, r.Keep...)
		if err != nil {
			return err
		}
		args, err := localWorkloadArgs(root, cfg, r.Plan, labels, secrets)
		if err != nil {
			return err
		}
		args.MigratedBy = migrations
		workload, err := declareOnCluster(ctx, name, cfg, args, platform{
			kubernetes: provider,
			database:   components.DatabasePeer{Host: cfg.Database.Host, Port: cfg.Database.Port},
			opts:       r.Keep,
		})
		if err != nil {
			return err
		}
		if first == nil {
			first, migrations, host = workload, workload.Migrations, args.Host
		}
		role := "replica"
		if r.Primary {
			role = "primary"
		}
		regionsOut[r.Region.Region] = pulumi.Map{"kubeconfig": pulumi.String(kubeconfig), "database": pulumi.String(role),
			"lost": pulumi.Bool(r.Lost), "hpaMaxReplicas": pulumi.Int(int(r.Plan.HPAMaxReplicas))}
	}
	exportWorkload(ctx, cfg, regional.OneRegion, first, host)
	ctx.Export(outputs.ImageRef, pulumi.String(cfg.Image.Ref))
	ctx.Export(outputs.LocalDatabasePassword, secrets.password)
	ctx.Export(outputs.Regions, regionsOut)
	return nil
}

// localProvider is the kubernetes provider of a cluster named by a kubeconfig path.
func localProvider(ctx *pulumi.Context, name, kubeconfig string, opts ...pulumi.ResourceOption) (*kubernetes.Provider, error) {
	provider, err := kubernetes.NewProvider(ctx, name, &kubernetes.ProviderArgs{
		Kubeconfig:            pulumi.String(kubeconfig),
		EnableServerSideApply: pulumi.Bool(true),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("creating Kubernetes provider: %w", err)
	}
	return provider, nil
}

type localSecrets struct{ password, djangoKey pulumi.StringOutput }

func readLocalSecrets(ctx *pulumi.Context) (localSecrets, error) {
	password, err := localSecret(ctx, LocalDatabasePasswordKey)
	if err != nil {
		return localSecrets{}, err
	}
	djangoKey, err := localSecret(ctx, LocalDjangoSecretKeyKey)
	if err != nil {
		return localSecrets{}, err
	}
	return localSecrets{password: password, djangoKey: djangoKey}, nil
}

// localWorkloadArgs are the workload's arguments with env local's stand-ins.
func localWorkloadArgs(root string, cfg *config.Config, plan *capacity.Plan, labels map[string]string, secrets localSecrets) (*components.WorkloadArgs, error) {
	args, err := workloadArgs(root, cfg, plan, labels)
	if err != nil {
		return nil, err
	}
	args.Image = pulumi.String(cfg.Image.Ref)
	args.Database.Password = secrets.password
	args.DjangoSecretKey = secrets.djangoKey
	args.Database.Host, args.Database.Port = cfg.Database.Host, cfg.Database.Port
	args.Host = pulumi.String("localhost")
	if cfg.App.Hostname != "" {
		args.Host = pulumi.String(cfg.App.Hostname)
	}
	// No load balancer: nginx sees its clients directly.
	args.LoadBalancerIP = pulumi.String("127.0.0.1")
	return args, nil
}

// Env local's two generated secrets are secret stack config, not
// pulumi-random resources: the random provider's plugin is not built here (its
// module is not served as a package), and a local stack must run on the
// engine this machine has. cmd/engine generates them once per stack
// (GenerateLocalSecret) and keeps them encrypted in its workspace's stack
// file; `pulumi config set --secret` works as well.
const (
	LocalDatabasePasswordKey = "django-gke:localDatabasePassword"
	LocalDjangoSecretKeyKey  = "django-gke:localDjangoSecretKey"
)

// LocalSecretKeys are the secret config keys env local needs, with the
// length of a generated value.
var LocalSecretKeys = map[string]int{LocalDatabasePasswordKey: 32, LocalDjangoSecretKeyKey: 64}

// GenerateLocalSecret is a random value of n letters and digits (what
// random.RandomPassword with special=false gave before).
func GenerateLocalSecret(n int) (string, error) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			return "", fmt.Errorf("generating a secret: %w", err)
		}
		b[i] = alphabet[k.Int64()]
	}
	return string(b), nil
}

// localSecret reads one of LocalSecretKeys as a secret output.
func localSecret(ctx *pulumi.Context, key string) (pulumi.StringOutput, error) {
	v, err := pulumiconfig.TrySecret(ctx, key)
	if err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("%s is not set: env local takes its generated secrets from the stack's config "+
			"(make up STACK=local generates them once; or pulumi config set --secret %s <value>, at least 16 characters)", key, key)
	}
	return v, nil
}

// localKubeconfig resolves the kubeconfig path: cluster.kubeconfig (relative to
// the project) or $KUBECONFIG. The path, not the file's content, goes to the
// provider: new credentials after a cluster restart do not replace it.
func localKubeconfig(root, configured string) (string, error) {
	path := configured
	if path == "" {
		path = os.Getenv("KUBECONFIG")
	}
	if path == "" {
		return "", fmt.Errorf("env local needs a cluster: set django-gke:cluster.kubeconfig or KUBECONFIG (make cluster-up writes build/cluster/kubeconfig)")
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(root, path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return abs, nil
}

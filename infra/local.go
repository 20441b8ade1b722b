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
	kubeconfig, err := localKubeconfig(root, cfg.Cluster.Kubeconfig)
	if err != nil {
		return err
	}
	provider, err := kubernetes.NewProvider(ctx, base+"-k8s", &kubernetes.ProviderArgs{
		Kubeconfig:            pulumi.String(kubeconfig),
		EnableServerSideApply: pulumi.Bool(true),
	})
	if err != nil {
		return fmt.Errorf("creating Kubernetes provider: %w", err)
	}
	password, err := localSecret(ctx, LocalDatabasePasswordKey)
	if err != nil {
		return err
	}
	djangoKey, err := localSecret(ctx, LocalDjangoSecretKeyKey)
	if err != nil {
		return err
	}
	args, err := workloadArgs(root, cfg, plan, labels)
	if err != nil {
		return err
	}
	args.Image = pulumi.String(cfg.Image.Ref)
	args.Database.Password = password
	args.DjangoSecretKey = djangoKey
	args.Database.Host, args.Database.Port = cfg.Database.Host, cfg.Database.Port
	args.Host = pulumi.String("localhost")
	if cfg.App.Hostname != "" {
		args.Host = pulumi.String(cfg.App.Hostname)
	}
	// No load balancer: nginx sees its clients directly.
	args.LoadBalancerIP = pulumi.String("127.0.0.1")
	workload, err := declareOnCluster(ctx, base, cfg, args, platform{
		kubernetes: provider,
		database:   components.DatabasePeer{Host: cfg.Database.Host, Port: cfg.Database.Port},
	})
	if err != nil {
		return err
	}
	exportWorkload(ctx, cfg, plan, workload, args.Host)
	ctx.Export(outputs.Kubeconfig, pulumi.String(kubeconfig))
	ctx.Export(outputs.ImageRef, pulumi.String(cfg.Image.Ref))
	ctx.Export(outputs.LocalDatabasePassword, password)
	return nil
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

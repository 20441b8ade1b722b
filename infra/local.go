package infra

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

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
	// Generated once per stack and kept in its state, as on GCP (make engine
	// builds the random provider); the webapp generates Django's key the same way.
	dbPassword, err := random.NewRandomPassword(ctx, base+"-db-password", &random.RandomPasswordArgs{
		Length: pulumi.Int(32), Special: pulumi.Bool(false),
	})
	if err != nil {
		return fmt.Errorf("generating the database password: %w", err)
	}
	password := dbPassword.Result
	args, err := workloadArgs(root, cfg, plan, labels)
	if err != nil {
		return err
	}
	args.Image = pulumi.String(cfg.Image.Ref)
	args.Database.Password = password
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

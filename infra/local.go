package infra

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"django-gke/components"
	"django-gke/infra/capacity"
	"django-gke/infra/config"
)

// Env local deploys the same workload to any Kubernetes cluster named by a
// kubeconfig (the local control plane of make cluster-up, kind, minikube…)
// and declares nothing on GCP. Its stand-ins, all of them, are here:
//
//   - the cluster: a kubeconfig path (cluster.kubeconfig, else $KUBECONFIG)
//     instead of a GKE cluster and its exec-credential kubeconfig;
//   - the image: image.ref as given (a tag is fine) instead of a build or a promotion;
//   - the database: database.host and database.port, connected to directly,
//     instead of Cloud SQL and its Auth Proxy sidecar; its password is exported
//     as the secret output localDatabasePassword (create the role with it);
//   - the generated secrets (Django's key, the database password): created once
//     in build/local-secrets.json (mode 0600, never committed) instead of by
//     pulumi-random, whose provider plugin cannot be built from the module proxy;
//     in Pulumi they are secrets like any other;
//   - no Workload Identity annotation, no global address or SSL policy: the
//     Ingress is declared (class gce, BackendConfig and all) with
//     pulumi.com/skipAwait, since no GKE controller will give it a status;
//   - no monitoring (Cloud Monitoring and Logging are GCP services).
func localProgram(ctx *pulumi.Context, cfg *config.Config, plan *capacity.Plan, base string, labels map[string]string) error {
	kubeconfig, err := localKubeconfig(ProjectRoot(ctx), cfg.Cluster.Kubeconfig)
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
	secrets, err := localSecrets(filepath.Join(ProjectRoot(ctx), "build", "local-secrets.json"))
	if err != nil {
		return err
	}
	password := pulumi.ToSecret(pulumi.String(secrets.DBPassword)).(pulumi.StringOutput)
	args, err := webappArgs(ctx, cfg, plan, labels)
	if err != nil {
		return err
	}
	args.Image = pulumi.String(cfg.Image.Ref)
	args.DBPassword = password
	args.DjangoSecretKey = pulumi.ToSecret(pulumi.String(secrets.DjangoSecretKey)).(pulumi.StringOutput)
	args.GoogleServiceAccount = pulumi.String("")
	args.Local = &components.LocalArgs{DBHost: cfg.Database.Host, DBPort: cfg.Database.Port}
	webapp, err := components.NewWebapp(ctx, base, args, pulumi.Providers(provider))
	if err != nil {
		return err
	}
	exportWorkload(ctx, cfg, plan, webapp)
	ctx.Export("kubeconfig", pulumi.String(kubeconfig))
	ctx.Export("imageRef", pulumi.String(cfg.Image.Ref))
	ctx.Export("localDatabasePassword", password)
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

// LocalSecrets are env local's generated secrets.
type LocalSecrets struct {
	DjangoSecretKey string `json:"djangoSecretKey"`
	DBPassword      string `json:"dbPassword"`
}

// localSecrets reads the stack's generated secrets, creating them on first use.
func localSecrets(path string) (LocalSecrets, error) {
	var s LocalSecrets
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &s); err != nil || s.DjangoSecretKey == "" || s.DBPassword == "" {
			return s, fmt.Errorf("%s is damaged (delete it to generate new secrets): %v", path, err)
		}
		return s, nil
	case !errors.Is(err, os.ErrNotExist):
		return s, err
	}
	s = LocalSecrets{DjangoSecretKey: rand.Text() + rand.Text(), DBPassword: rand.Text()}
	if b, err = json.Marshal(s); err != nil {
		return s, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return s, err
	}
	return s, os.WriteFile(path, b, 0o600)
}

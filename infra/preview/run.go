package preview

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"gopkg.in/yaml.v3"

	"django-gke/infra"
	"django-gke/infra/stackfile"
)

// FakeAccessToken is what the gcp provider authenticates with: Check and
// preview need no call to Google, and nothing here may reach one.
const FakeAccessToken = "offline-preview-not-a-token"

// Options says what to preview.
type Options struct {
	// Dir holds Pulumi.yaml, the stack files and app/ (the repository root).
	Dir   string
	Stack string
	// Set replaces config values after the CLI-style merge (fully qualified
	// keys, objects as JSON), as `pulumi config set` would.
	Set map[string]string
	// References are the states of the stacks it references, by name
	// ("organization/django-gke/dev"): what its stack references read.
	References map[string]*apitype.DeploymentV3
	// EngineCache is make engine's cache (the CLI, the kubernetes plugin, and
	// the published gcp and random plugins where a user installed them).
	EngineCache string
	// Progress receives the engine's own output (nil: discarded).
	Progress io.Writer
	// Program defaults to infra.Program.
	Program pulumi.RunFunc
}

// DefaultEngineCache is where make engine puts the CLI and the plugins.
func DefaultEngineCache() string {
	if c := os.Getenv("ENGINE_CACHE"); c != "" {
		return c
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = filepath.Join(os.TempDir(), "cache")
	}
	return filepath.Join(base, "django-gke", "engine")
}

// HasPlugin reports whether a provider plugin is installed in the engine's
// PULUMI_HOME (make engine builds kubernetes; gcp and random are the published
// plugins, copied in by scripts/engine/published-plugins.sh when a user has them).
func HasPlugin(cache, pkg string) bool {
	version := PluginVersions[pkg]
	_, err := os.Stat(filepath.Join(cache, "home", "plugins", "resource-"+pkg+"-v"+version, "pulumi-resource-"+pkg))
	return err == nil
}

// Missing lists the plugins a preview needs that are not installed, each
// with what to do about it; nil when the preview can run.
func Missing(cache string) []string {
	var out []string
	for _, pkg := range []string{"gcp", "random", "kubernetes"} {
		if HasPlugin(cache, pkg) {
			continue
		}
		how := fmt.Sprintf("the published plugin: `pulumi plugin install resource %s v%s` on a machine with internet, then make engine", pkg, PluginVersions[pkg])
		if pkg == "kubernetes" {
			how = "make engine builds it"
		}
		out = append(out, fmt.Sprintf("%s v%s (%s)", pkg, PluginVersions[pkg], how))
	}
	return out
}

// Run previews the stack with the real engine and providers.
func Run(ctx context.Context, o Options) (*Report, error) {
	if o.EngineCache == "" {
		o.EngineCache = DefaultEngineCache()
	}
	if missing := Missing(o.EngineCache); len(missing) > 0 {
		return nil, fmt.Errorf("no plugin in %s for: %s", filepath.Join(o.EngineCache, "home", "plugins"), strings.Join(missing, "; "))
	}
	work, err := os.MkdirTemp("", "django-gke-preview-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	if err := projectDir(o, work); err != nil {
		return nil, err
	}
	cli, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: o.EngineCache, SkipVersionCheck: true})
	if err != nil {
		return nil, fmt.Errorf("the Pulumi CLI in %s (run make engine): %w", o.EngineCache, err)
	}
	env := map[string]string{
		"PULUMI_BACKEND_URL":                          "file://" + filepath.Join(work, ".state"),
		"PULUMI_CONFIG_PASSPHRASE":                    "offline-preview",
		"PULUMI_HOME":                                 filepath.Join(o.EngineCache, "home"),
		"PULUMI_SKIP_UPDATE_CHECK":                    "true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		"PULUMI_IGNORE_AMBIENT_PLUGINS":               "true",
		// The gcp provider's credentials: a token it never has to use.
		"GOOGLE_OAUTH_ACCESS_TOKEN":      FakeAccessToken,
		"GOOGLE_APPLICATION_CREDENTIALS": "",
		"GOOGLE_CREDENTIALS":             "",
		"CLOUDSDK_CONFIG":                filepath.Join(work, ".gcloud"),
	}
	if err := os.MkdirAll(filepath.Join(work, ".state"), 0o700); err != nil {
		return nil, err
	}
	opts := []auto.LocalWorkspaceOption{auto.WorkDir(work), auto.Pulumi(cli), auto.EnvVars(env), auto.SecretsProvider("passphrase")}

	for _, name := range slices.Sorted(maps.Keys(o.References)) {
		ref, err := auto.UpsertStackInlineSource(ctx, name, "django-gke", func(*pulumi.Context) error { return nil }, opts...)
		if err != nil {
			return nil, fmt.Errorf("creating referenced stack %s: %w", name, err)
		}
		if err := importState(ctx, ref, o.References[name]); err != nil {
			return nil, fmt.Errorf("seeding referenced stack %s: %w", name, err)
		}
	}
	program := o.Program
	if program == nil {
		program = infra.ProgramIn(work)
	}
	s, err := auto.UpsertStackInlineSource(ctx, o.Stack, "django-gke", program, opts...)
	if err != nil {
		return nil, fmt.Errorf("selecting stack %s: %w", o.Stack, err)
	}

	ch := make(chan events.EngineEvent)
	report := &Report{Stack: o.Stack}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for e := range ch {
			report.add(e)
		}
	}()
	progress := o.Progress
	if progress == nil {
		progress = io.Discard
	}
	_, err = s.Preview(ctx, optpreview.EventStreams(ch), optpreview.ProgressStreams(progress), optpreview.Diff())
	wg.Wait()
	report.finish()
	if err != nil {
		report.Failed = err
	}
	return report, nil
}

// importState imports a deployment into a stack, its plaintext secrets
// encrypted with the stack's own passphrase secrets manager.
func importState(ctx context.Context, s auto.Stack, d *apitype.DeploymentV3) error {
	settings, err := s.Workspace().StackSettings(ctx, s.Name())
	if err != nil {
		return err
	}
	if settings.EncryptionSalt == "" {
		return fmt.Errorf("stack %s has no passphrase salt", s.Name())
	}
	state, err := json.Marshal(map[string]string{"salt": settings.EncryptionSalt})
	if err != nil {
		return err
	}
	withSecrets := *d
	withSecrets.SecretsProviders = &apitype.SecretsProvidersV1{Type: "passphrase", State: state}
	u, err := Untyped(&withSecrets)
	if err != nil {
		return err
	}
	return s.Import(ctx, u)
}

// projectDir lays out a project the engine can run: Pulumi.yaml, the stack's
// merged configuration with the overrides, and app/ (the program reads the
// nginx config and hashes the image's build context from it).
func projectDir(o Options, work string) error {
	sc, err := stackfile.Load(o.Dir, o.Stack)
	if err != nil {
		return err
	}
	project, err := os.ReadFile(filepath.Join(o.Dir, "Pulumi.yaml"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(work, "Pulumi.yaml"), project, 0o644); err != nil {
		return err
	}
	appDir, err := filepath.Abs(filepath.Join(o.Dir, "app"))
	if err != nil {
		return err
	}
	if err := os.Symlink(appDir, filepath.Join(work, "app")); err != nil {
		return err
	}
	values := map[string]string{}
	for k, v := range sc.Values {
		values[k] = v
	}
	for k, v := range o.Set {
		values[k] = v
	}
	config := map[string]any{}
	for k, v := range values {
		var object map[string]any
		if strings.HasPrefix(strings.TrimSpace(v), "{") && json.Unmarshal([]byte(v), &object) == nil {
			config[k] = object
			continue
		}
		config[k] = v
	}
	for _, k := range sc.SecretKeys {
		delete(config, k) // no secret is needed offline; never write one in plain text
	}
	text, err := yaml.Marshal(map[string]any{"config": config})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(work, "Pulumi."+o.Stack+".yaml"), text, 0o644)
}

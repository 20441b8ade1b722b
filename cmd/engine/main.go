// Command engine runs infra.Program with the real Pulumi engine through the
// Automation API (inline program: no pulumi-language-go plugin needed), the
// repository's Pulumi.yaml and stack file, a file state backend under
// build/state/ and a passphrase secrets provider. The Pulumi CLI and the
// kubernetes plugin come from `make engine` (ENGINE_CACHE).
//
//	engine -stack local -action up|preview|destroy [-expect-no-changes]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"

	"django-gke/infra"
	"django-gke/infra/preview"
	"django-gke/infra/stackfile"
)

func main() {
	stack := flag.String("stack", "local", "stack name (Pulumi.<stack>.yaml)")
	action := flag.String("action", "preview", "up | preview | destroy")
	expectNoChanges := flag.Bool("expect-no-changes", false, "preview: fail if anything would change")
	dir := flag.String("dir", ".", "directory holding Pulumi.yaml")
	flag.Parse()
	if err := run(*dir, *stack, *action, *expectNoChanges); err != nil {
		fmt.Fprintf(os.Stderr, "engine: %v\n", err)
		os.Exit(1)
	}
}

func run(dir, stack, action string, expectNoChanges bool) error {
	root, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if _, err := stackfile.Load(root, stack); err != nil {
		return err
	}
	cache := preview.DefaultEngineCache()
	if _, err := os.Stat(filepath.Join(cache, "bin", "pulumi")); err != nil {
		return fmt.Errorf("no Pulumi CLI in %s: run make engine first", filepath.Join(cache, "bin"))
	}
	state := filepath.Join(root, "build", "state")
	if err := os.MkdirAll(state, 0o755); err != nil {
		return err
	}
	backend := os.Getenv("PULUMI_BACKEND_URL")
	if backend == "" {
		backend = "file://" + state
	}
	passphrase := os.Getenv("PULUMI_CONFIG_PASSPHRASE")
	if passphrase == "" {
		// The file backend under build/ holds this machine's local stack only.
		passphrase = "django-gke-local-state"
	}
	cli, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: cache, SkipVersionCheck: true})
	if err != nil {
		return fmt.Errorf("the Pulumi CLI in %s: %w", cache, err)
	}
	env := map[string]string{
		"PULUMI_BACKEND_URL":                          backend,
		"PULUMI_CONFIG_PASSPHRASE":                    passphrase,
		"PULUMI_HOME":                                 filepath.Join(cache, "home"),
		"PULUMI_SKIP_UPDATE_CHECK":                    "true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		"PULUMI_IGNORE_AMBIENT_PLUGINS":               "true",
	}
	ctx := context.Background()
	s, err := auto.UpsertStackInlineSource(ctx, stack, "django-gke", infra.ProgramIn(root),
		auto.WorkDir(root), auto.Pulumi(cli), auto.EnvVars(env), auto.SecretsProvider("passphrase"))
	if err != nil {
		return fmt.Errorf("selecting stack %s: %w", stack, err)
	}
	switch action {
	case "up":
		res, err := s.Up(ctx, optup.ProgressStreams(os.Stdout))
		if err != nil {
			return err
		}
		printOutputs(res.Outputs)
	case "preview":
		opts := []optpreview.Option{optpreview.ProgressStreams(os.Stdout), optpreview.Diff()}
		if expectNoChanges {
			opts = append(opts, optpreview.ExpectNoChanges())
		}
		res, err := s.Preview(ctx, opts...)
		if err != nil {
			return err
		}
		fmt.Printf("changes: %v\n", res.ChangeSummary)
	case "destroy":
		if _, err := s.Destroy(ctx, optdestroy.ProgressStreams(os.Stdout)); err != nil {
			return err
		}
	default:
		return fmt.Errorf("-action %s is not allowed: must be up, preview or destroy", action)
	}
	return nil
}

func printOutputs(outputs auto.OutputMap) {
	names := make([]string, 0, len(outputs))
	for n := range outputs {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Println("Outputs:")
	for _, n := range names {
		o := outputs[n]
		if o.Secret {
			fmt.Printf("  %s: [secret]\n", n)
			continue
		}
		fmt.Printf("  %s: %v\n", n, o.Value)
	}
}

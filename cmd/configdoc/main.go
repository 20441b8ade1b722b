// Command configdoc writes the configuration reference where users read it:
// Pulumi.yaml's key descriptions and the README's config-reference and
// outputs blocks, all generated from infra/config and infra/outputs. With
// -check it only reports what is stale (exit 1).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"django-gke/infra/config"
	"django-gke/infra/outputs"
	"django-gke/infra/readme"
)

func main() {
	dir := flag.String("dir", ".", "the project directory (Pulumi.yaml, README.md)")
	check := flag.Bool("check", false, "report stale files instead of writing them")
	flag.Parse()
	stale, err := run(*dir, *check)
	if err != nil {
		fmt.Fprintln(os.Stderr, "configdoc:", err)
		os.Exit(1)
	}
	if len(stale) > 0 {
		fmt.Fprintf(os.Stderr, "configdoc: stale: %s (run make readme)\n", strings.Join(stale, ", "))
		os.Exit(1)
	}
}

// run renders every generated file; it writes those that differ, or with
// check returns their names.
func run(dir string, check bool) ([]string, error) {
	want, err := render(dir)
	if err != nil {
		return nil, err
	}
	var stale []string
	for _, name := range []string{"Pulumi.yaml", "README.md"} {
		path := filepath.Join(dir, name)
		have, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if bytes.Equal(have, []byte(want[name])) {
			continue
		}
		if check {
			stale = append(stale, name)
			continue
		}
		if err := os.WriteFile(path, []byte(want[name]), 0o644); err != nil {
			return nil, err
		}
	}
	return stale, nil
}

// render is what Pulumi.yaml and README.md should be.
func render(dir string) (map[string]string, error) {
	keys, err := config.Reference()
	if err != nil {
		return nil, err
	}
	policy, err := config.PolicyReference()
	if err != nil {
		return nil, err
	}
	text, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		return nil, err
	}
	md, err := readme.Replace(string(text), "config-reference", config.MarkdownTables(keys, policy))
	if err != nil {
		return nil, fmt.Errorf("README.md: %w", err)
	}
	var table strings.Builder
	writeOutputs(&table)
	if md, err = readme.Replace(md, "outputs", table.String()); err != nil {
		return nil, fmt.Errorf("README.md: %w", err)
	}
	return map[string]string{"Pulumi.yaml": config.PulumiYAML(keys), "README.md": md}, nil
}

// writeOutputs is the README's table of stack outputs.
func writeOutputs(w io.Writer) {
	fmt.Fprintln(w, "| output | stacks | what |")
	fmt.Fprintln(w, "|---|---|---|")
	for _, o := range outputs.All {
		what := o.Description
		if o.SecretIn != "" {
			what += " (secret in " + o.SecretIn + ")"
		}
		fmt.Fprintf(w, "| `%s` | %s | %s |\n", o.Name, o.Stacks, what)
	}
}

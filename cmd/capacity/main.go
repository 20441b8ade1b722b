// Command capacity prints a stack's capacity plan and yearly cost: the seed's
// method with its numbers substituted, the plan the program deploys, and the
// cost line by line (table, markdown or json). No cloud, no Pulumi CLI.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"django-gke/infra/capacity"
	"django-gke/infra/config"
	"django-gke/infra/readme"
	"django-gke/infra/stackfile"
)

func main() {
	stack := flag.String("stack", "", "stack name: any Pulumi.<stack>.yaml in -dir")
	dir := flag.String("dir", ".", "directory holding Pulumi.yaml")
	format := flag.String("format", capacity.FormatTable, "output: "+strings.Join(capacity.Formats, " | "))
	readme := flag.String("readme", "", "rewrite this file's capacity:<stack> block with the markdown report instead of printing")
	compare := flag.Bool("compare", false, "compare the platforms (GKE Standard and Autopilot, Cloud Run, EKS, AKS, ECS on Fargate) instead")
	chart := flag.String("chart", "", "with -compare: also write the yearly cost against load as an SVG to this file")
	flag.Parse()
	var err error
	if *compare {
		err = runCompare(os.Stdout, *dir, *stack, *format, *chart, *readme)
	} else {
		err = run(os.Stdout, *dir, *stack, *format, *readme)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "capacity: %v\n", err)
		os.Exit(1)
	}
}

// loadStack checks the flags every report takes and loads the stack's configuration.
func loadStack(dir, stack, format string) (*config.Config, error) {
	if stack == "" {
		return nil, fmt.Errorf("no stack given: use -stack <name> (stacks here: %v)", stackfile.Stacks(dir))
	}
	if !slices.Contains(capacity.Formats, format) {
		return nil, fmt.Errorf("FORMAT=%s is not allowed: must be one of %s", format, strings.Join(capacity.Formats, ", "))
	}
	cfg, _, err := stackfile.LoadConfig(dir, stack)
	if err != nil {
		return nil, fmt.Errorf("stack %s:\n%w", stack, err)
	}
	return cfg, nil
}

func run(w io.Writer, dir, stack, format, readme string) error {
	cfg, err := loadStack(dir, stack, format)
	if err != nil {
		return err
	}
	plan, err := capacity.PlanFor(cfg)
	if err != nil {
		return fmt.Errorf("stack %s:\n%w", stack, err)
	}
	regional, err := capacity.RegionalPlanFor(cfg)
	if err != nil {
		return fmt.Errorf("stack %s:\n%w", stack, err)
	}
	if readme != "" {
		var out strings.Builder
		if regional != nil { // the README shows what several regions add
			capacity.WriteRegional(&out, regional, true)
			return rewriteBlock(readme, stack, strings.TrimSpace(out.String()))
		}
		if err := capacity.Write(&out, stack, string(cfg.Env), plan, capacity.FormatMarkdown); err != nil {
			return err
		}
		return rewriteBlock(readme, stack, ReadmeBlock(out.String()))
	}
	if regional != nil && format == capacity.FormatJSON {
		report := plan.JSON(stack, string(cfg.Env))
		report["regions"] = capacity.RegionalJSON(regional)
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	if err := capacity.Write(w, stack, string(cfg.Env), plan, format); err != nil {
		return err
	}
	if regional != nil {
		capacity.WriteRegional(w, regional, format == capacity.FormatMarkdown)
	}
	return nil
}

// ReadmeBlock is the report as the README embeds it (one heading level down).
func ReadmeBlock(markdown string) string {
	return strings.Replace(strings.TrimSpace(markdown), "### Capacity plan", "#### Capacity plan", 1)
}

func rewriteBlock(path, stack, block string) error {
	text, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := readme.Replace(string(text), "capacity:"+stack, block)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, []byte(out), 0o644)
}

// runCompare prints the platforms compared at the stack's targetRps and,
// with chart, draws their yearly cost from 100 to 50,000 req/s.
func runCompare(w io.Writer, dir, stack, format, chart, readme string) error {
	cfg, err := loadStack(dir, stack, format)
	if err != nil {
		return err
	}
	in := capacity.InputsFrom(cfg)
	c, err := capacity.ComparePlatformsOverLoad(in, in.Overrides.Platform)
	if err != nil {
		return fmt.Errorf("stack %s:\n%w", stack, err)
	}
	if chart != "" {
		if err := os.MkdirAll(filepath.Dir(chart), 0o755); err != nil {
			return err
		}
		var svg strings.Builder
		if err := capacity.WriteChart(&svg, capacity.ChartTitle(stack), c); err != nil {
			return err
		}
		if err := os.WriteFile(chart, []byte(svg.String()), 0o644); err != nil {
			return err
		}
	}
	if readme != "" {
		var out strings.Builder
		capacity.WriteComparison(&out, stack, in.TargetRPS, c, true)
		return rewriteBlock(readme, "platforms:"+stack, strings.TrimSpace(out.String()))
	}
	if format == capacity.FormatJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(capacity.ComparisonJSON(stack, c))
	}
	capacity.WriteComparison(w, stack, in.TargetRPS, c, format == capacity.FormatMarkdown)
	return nil
}

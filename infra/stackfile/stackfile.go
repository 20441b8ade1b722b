// Package stackfile reads a stack's configuration the way the Pulumi CLI does
// (Pulumi.yaml's project config overlaid by Pulumi.<stack>.yaml), without the
// CLI and without linking any provider SDK, so small tools stay fast to build.
package stackfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	pulumiconfig "github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"

	"django-gke/infra/config"
)

// StackConfig is the configuration the Pulumi CLI would hand the program for a
// stack: Pulumi.yaml's project-level defaults overlaid by Pulumi.<stack>.yaml.
type StackConfig struct {
	Project string
	Stack   string
	// Values maps fully qualified keys to their text; objects are JSON.
	Values map[string]string
	// SecretKeys are the keys whose values are `secure:` in the stack file.
	// Their values are "[secret]": the offline engine never decrypts.
	SecretKeys []string
}

// ErrNoStack is returned when Pulumi.<stack>.yaml does not exist.
var ErrNoStack = errors.New("no such stack")

// Stacks lists the stacks with a Pulumi.<stack>.yaml in dir.
func Stacks(dir string) []string {
	matches, _ := filepath.Glob(filepath.Join(dir, "Pulumi.*.yaml"))
	var stacks []string
	for _, m := range matches {
		stacks = append(stacks, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(m), "Pulumi."), ".yaml"))
	}
	sort.Strings(stacks)
	return stacks
}

// Load reads Pulumi.yaml and Pulumi.<stack>.yaml from dir with the
// Pulumi SDK's own loaders (so the project file passes the CLI's schema
// validation) and merges them the way the CLI does: a key the stack file
// does not set takes the project's default; a key it sets replaces the whole
// value (objects are not deep-merged) and must match the declared type.
func Load(dir, stack string) (*StackConfig, error) {
	project, err := workspace.LoadProject(filepath.Join(dir, "Pulumi.yaml"))
	if err != nil {
		return nil, err
	}
	stackPath := filepath.Join(dir, "Pulumi."+stack+".yaml")
	if _, err := os.Stat(stackPath); err != nil {
		return nil, fmt.Errorf("%w %q: %s does not exist (stacks here: %s)", ErrNoStack, stack, stackPath,
			strings.Join(Stacks(dir), ", "))
	}
	projectStack, err := workspace.LoadProjectStack(nil, project, stackPath)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", stackPath, err)
	}
	merged := pulumiconfig.Map{}
	for k, v := range projectStack.Config {
		merged[k] = v
	}
	if err := applyProjectConfig(stack, project, merged); err != nil {
		return nil, err
	}
	decrypted, err := merged.Decrypt(pulumiconfig.NewBlindingDecrypter())
	if err != nil {
		return nil, fmt.Errorf("reading config of stack %q: %w", stack, err)
	}
	sc := &StackConfig{Project: project.Name.String(), Stack: stack, Values: map[string]string{}}
	for k, v := range decrypted {
		sc.Values[k.String()] = v
	}
	for _, k := range merged.SecureKeys() {
		sc.SecretKeys = append(sc.SecretKeys, k.String())
	}
	sort.Strings(sc.SecretKeys)
	return sc, nil
}

// applyProjectConfig mirrors the CLI's merge of project-level config into a
// stack's config (pulumi/pulumi sdk/go/common/workspace mergeConfig, with
// validation on).
func applyProjectConfig(stack string, project *workspace.Project, stackConfig pulumiconfig.Map) error {
	projectName := project.Name.String()
	keys := make([]string, 0, len(project.Config))
	for k := range project.Config {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var missing []string
	for _, name := range keys {
		declared := project.Config[name]
		var key pulumiconfig.Key
		if strings.Contains(name, ":") {
			parsed, err := pulumiconfig.ParseKey(name)
			if err != nil {
				return err
			}
			key = parsed
		} else {
			key = pulumiconfig.MustMakeKey(projectName, name)
		}
		stackValue, onStack, err := stackConfig.Get(key, true)
		if err != nil {
			return fmt.Errorf("reading stack config value for key '%v': %w", key, err)
		}
		hasDefault, hasValue := declared.Default != nil, declared.Value != nil
		switch {
		case !onStack && !hasDefault && !hasValue && key.Namespace() == projectName:
			missing = append(missing, name)
		case !onStack:
			raw := declared.Default
			if hasValue {
				raw = declared.Value
			}
			value, err := configValue(raw)
			if err != nil {
				return fmt.Errorf("project config %q: %w", name, err)
			}
			if err := stackConfig.Set(key, value, true); err != nil {
				return err
			}
		case declared.IsExplicitlyTyped():
			if err := checkDeclaredType(stack, name, declared, stackValue); err != nil {
				return err
			}
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("stack '%s' is missing configuration values %s", stack, strings.Join(missing, ", "))
	}
	return nil
}

func configValue(raw any) (pulumiconfig.Value, error) {
	switch raw.(type) {
	case string, bool, int, int64, float64, uint64:
		return pulumiconfig.NewValue(fmt.Sprintf("%v", raw)), nil
	}
	simplified, err := workspace.SimplifyMarshalledValue(raw)
	if err != nil {
		return pulumiconfig.Value{}, err
	}
	text, err := json.Marshal(simplified)
	if err != nil {
		return pulumiconfig.Value{}, err
	}
	return pulumiconfig.NewObjectValue(string(text)), nil
}

func checkDeclaredType(stack, name string, declared workspace.ProjectConfigType, v pulumiconfig.Value) error {
	if v.Secure() {
		return nil // its plaintext is not available offline
	}
	text, err := v.Value(pulumiconfig.NewBlindingDecrypter())
	if err != nil {
		return err
	}
	var content any = text
	if v.Object() {
		if err := json.Unmarshal([]byte(text), &content); err != nil {
			return err
		}
	}
	if !workspace.ValidateConfigValue(declared.TypeName(), declared.Items, content) {
		return fmt.Errorf("stack '%s': configuration key '%s' must be of type '%s' (as the Pulumi CLI requires)", stack, name,
			workspace.InferFullTypeName(declared.TypeName(), declared.Items))
	}
	return nil
}

// LoadConfig reads a stack's configuration and builds the typed, validated
// configuration from it; the error lists every problem.
func LoadConfig(dir, stack string) (*config.Config, *StackConfig, error) {
	sc, err := Load(dir, stack)
	if err != nil {
		return nil, nil, err
	}
	c, err := config.Load(sc.Values)
	if err != nil {
		return nil, sc, err
	}
	return c, sc, nil
}

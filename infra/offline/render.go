package offline

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"gopkg.in/yaml.v3"

	"django-gke/infra/plandiff"
)

// SecretMarker replaces every secret value in anything the offline engine prints or writes.
const SecretMarker = "[secret]"

// UnknownMarker stands for a value only known after a real deployment.
const UnknownMarker = "[unknown]"

// Plain converts a property value to plain Go values (maps, slices, strings,
// numbers, bools) with every secret replaced by SecretMarker.
func Plain(v resource.PropertyValue) any {
	switch {
	case v.IsSecret() && v.SecretValue().Element.IsObject():
		// Keys are not secret, values are: keep the shape (a Secret's data stays a map).
		masked := map[string]any{}
		for k := range v.SecretValue().Element.ObjectValue() {
			masked[string(k)] = SecretMarker
		}
		return masked
	case v.IsSecret():
		return SecretMarker
	case v.IsComputed(), v.IsOutput() && !v.OutputValue().Known:
		return UnknownMarker
	case v.IsOutput():
		if v.OutputValue().Secret {
			return SecretMarker
		}
		return Plain(v.OutputValue().Element)
	case v.IsNull():
		return nil
	case v.IsBool():
		return v.BoolValue()
	case v.IsNumber():
		f := v.NumberValue()
		if f == float64(int64(f)) {
			return int64(f)
		}
		return f
	case v.IsString():
		return v.StringValue()
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]any, len(arr))
		for i, e := range arr {
			out[i] = Plain(e)
		}
		return out
	case v.IsObject():
		return PlainMap(v.ObjectValue())
	case v.IsResourceReference():
		return string(v.ResourceReferenceValue().URN)
	case v.IsAsset(), v.IsArchive():
		return fmt.Sprintf("[%s]", v.TypeString())
	}
	return v.String()
}

// PlainMap is Plain for a property map.
func PlainMap(pm resource.PropertyMap) map[string]any {
	out := make(map[string]any, len(pm))
	for k, e := range pm {
		out[string(k)] = Plain(e)
	}
	return out
}

// PlainOutput is Plain for a stack output.
func PlainOutput(o Output) any {
	switch {
	case o.Secret:
		return SecretMarker
	case !o.Known:
		return UnknownMarker
	}
	return resource.NewPropertyValue(o.Value).Mappable()
}

// Manifest is one Kubernetes object as the API server would receive it.
type Manifest struct {
	// File is the file name under the plan directory.
	File   string
	Object map[string]any
}

// KubernetesManifests returns every Kubernetes object the program declares,
// from the provider's point of view: the inputs plus auto-generated names.
// With objects on several clusters (a multi-region stack), each cluster's
// are in a directory named after its provider: the same object (Deployment
// web) exists on every cluster.
func (res *Result) KubernetesManifests() []Manifest {
	var out []Manifest
	clusters := map[string]bool{}
	for _, r := range res.Sorted() {
		if isKubernetesObject(r) {
			clusters[providerName(r)] = true
		}
	}
	for _, r := range res.Sorted() {
		if !isKubernetesObject(r) {
			continue
		}
		obj := PlainMap(r.Outputs)
		kind, _ := obj["kind"].(string)
		name := ""
		if md, ok := obj["metadata"].(map[string]any); ok {
			name, _ = md["name"].(string)
			if ns, ok := md["namespace"].(string); ok && ns != "" {
				name = ns + "_" + name
			}
		}
		file := fileSafe(strings.ToLower(kind) + "_" + name + ".yaml")
		if len(clusters) > 1 {
			file = fileSafe(providerName(r)) + "/" + file
		}
		out = append(out, Manifest{File: file, Object: obj})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].File < out[j].File })
	return out
}

// providerName is the name of the resource's explicit provider: its
// reference is "<provider URN>::<id>", and a URN ends in "::<name>".
func providerName(r *Resource) string {
	urn := r.Provider
	if i := strings.LastIndex(urn, "::"); i >= 0 {
		urn = urn[:i]
	}
	if i := strings.LastIndex(urn, "::"); i >= 0 {
		return urn[i+2:]
	}
	return urn
}

func isKubernetesObject(r *Resource) bool {
	if !r.Custom || !strings.HasPrefix(r.Type, "kubernetes:") || strings.HasPrefix(r.Type, "pulumi:providers:") {
		return false
	}
	_, hasKind := r.Outputs["kind"]
	_, hasAPIVersion := r.Outputs["apiVersion"]
	return hasKind && hasAPIVersion
}

var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

func fileSafe(s string) string { return unsafeFileChars.ReplaceAllString(s, "-") }

// WriteManifests writes every Kubernetes object as YAML under dir, after
// clearing dir of the previous plan's files. It returns the files written.
func (res *Result) WriteManifests(dir string) ([]string, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var files []string
	for _, m := range res.KubernetesManifests() {
		text, err := MarshalYAML(m.Object)
		if err != nil {
			return nil, fmt.Errorf("rendering %s: %w", m.File, err)
		}
		path := filepath.Join(dir, m.File)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, text, 0o644); err != nil {
			return nil, err
		}
		files = append(files, path)
	}
	return files, nil
}

// MarshalYAML renders plain values with the usual Kubernetes field order
// (apiVersion, kind, metadata first) and sorted keys elsewhere.
func MarshalYAML(obj map[string]any) ([]byte, error) {
	node := toNode(obj, true)
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(node); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

var leadingKeys = []string{"apiVersion", "kind", "metadata"}

func toNode(v any, top bool) *yaml.Node {
	switch x := v.(type) {
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if top {
			var ordered []string
			for _, k := range leadingKeys {
				if _, ok := x[k]; ok {
					ordered = append(ordered, k)
				}
			}
			for _, k := range keys {
				if !slices.Contains(leadingKeys, k) {
					ordered = append(ordered, k)
				}
			}
			keys = ordered
		}
		for _, k := range keys {
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, toNode(x[k], false))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode}
		for _, e := range x {
			n.Content = append(n.Content, toNode(e, false))
		}
		return n
	default:
		var n yaml.Node
		if err := n.Encode(x); err != nil {
			return &yaml.Node{Kind: yaml.ScalarNode, Value: fmt.Sprint(x)}
		}
		return &n
	}
}

// Snapshot is the plan in plain values (secrets masked), for `plan -json` and plan-diff.
// Kubernetes objects are shown as the API server would receive them.
func (res *Result) Snapshot() plandiff.Snapshot {
	snap := plandiff.Snapshot{Stack: res.Stack, Outputs: map[string]any{}}
	for _, r := range res.Sorted() {
		inputs := PlainMap(r.Inputs)
		display := shortType(r.Type) + " " + r.Name
		if isKubernetesObject(r) {
			inputs = PlainMap(r.Outputs)
			if name, ok := r.Output("metadata.name"); ok {
				display = shortType(r.Type) + " " + fmt.Sprint(name)
			}
		}
		snap.Resources = append(snap.Resources, plandiff.Resource{URN: r.URN, Type: r.Type, Name: r.Name, Display: display, Inputs: inputs,
			Component: !r.Custom && !r.Read && !strings.HasPrefix(r.Type, "pulumi:"), Aliases: r.Aliases,
			IgnoreChanges: r.IgnoreChanges})
	}
	for name, o := range res.Outputs {
		snap.Outputs[name] = PlainOutput(o)
	}
	return snap
}

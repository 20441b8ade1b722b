package config

import (
	_ "embed"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strings"
	"time"
)

// The configuration reference is generated from one source: each field's doc
// comment and tag in config.go, and Defaults(env). Pulumi.yaml's
// descriptions and the README's tables are rendered from it (make readme),
// and a test fails when either is stale.

//go:embed config.go
var configSource string

//go:embed policy.go
var policySource string

// KeyDoc documents one project key.
type KeyDoc struct {
	// Key is the short name ("network"); Doc the key's sentence.
	Key, Doc string
	Fields   []FieldDoc
}

// FieldDoc documents one field of a key with each environment's default.
type FieldDoc struct {
	Name, Doc string
	// Defaults by environment, as a stack file would write them.
	Defaults map[Env]string
}

// docEnvs are the environments the reference shows.
var docEnvs = []Env{Dev, Stg, Prd, Local}

// Reference documents every object key, in decoding order. An exported field
// without a doc comment is an error: the reference would have a hole.
func Reference() ([]KeyDoc, error) {
	docs, err := parseDocs(configSource)
	if err != nil {
		return nil, err
	}
	defaults := map[Env]Config{}
	for _, env := range docEnvs {
		defaults[env] = Defaults(env, "<region>")
	}
	var keys []KeyDoc
	for _, obj := range objectKeys {
		i, key := obj.field, obj.name
		f := reflect.TypeFor[Config]().Field(i)
		typeDoc := docs[f.Type.Name()]
		k := KeyDoc{Key: key, Doc: keySentence(typeDoc.doc)}
		for j := range f.Type.NumField() {
			field := f.Type.Field(j)
			name, _, _ := strings.Cut(field.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			doc := typeDoc.fields[field.Name]
			if doc == "" {
				return nil, fmt.Errorf("infra/config/config.go: %s.%s (django-gke:%s.%s) has no doc comment", f.Type.Name(), field.Name, key, name)
			}
			fd := FieldDoc{Name: name, Doc: fieldSentence(doc, field.Name, name), Defaults: map[Env]string{}}
			for env, c := range defaults {
				fd.Defaults[env] = formatDefault(reflect.ValueOf(c).Field(i).Field(j))
			}
			k.Fields = append(k.Fields, fd)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// PolicyDoc documents one field of Policy with each environment's value.
type PolicyDoc struct {
	Name, Doc string
	Values    map[Env]string
}

// PolicyReference documents what each environment fixes.
func PolicyReference() ([]PolicyDoc, error) {
	docs, err := parseDocs(policySource)
	if err != nil {
		return nil, err
	}
	var out []PolicyDoc
	t := reflect.TypeFor[Policy]()
	for i := range t.NumField() {
		f := t.Field(i)
		doc := docs["Policy"].fields[f.Name]
		if doc == "" {
			return nil, fmt.Errorf("infra/config/policy.go: Policy.%s has no doc comment", f.Name)
		}
		p := PolicyDoc{Name: f.Name, Doc: fieldSentence(doc, f.Name, f.Name), Values: map[Env]string{}}
		for _, env := range Envs {
			p.Values[env] = formatDefault(reflect.ValueOf(PolicyFor(env)).Field(i))
		}
		out = append(out, p)
	}
	return out, nil
}

type typeDocs struct {
	doc    string
	fields map[string]string
}

// parseDocs reads the doc comments of every struct type and field in src.
func parseDocs(src string) (map[string]typeDocs, error) {
	file, err := parser.ParseFile(token.NewFileSet(), "config.go", src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	out := map[string]typeDocs{}
	for _, decl := range file.Decls {
		gen, ok := decl.(*ast.GenDecl)
		if !ok || gen.Tok != token.TYPE {
			continue
		}
		for _, spec := range gen.Specs {
			ts := spec.(*ast.TypeSpec)
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				continue
			}
			td := typeDocs{doc: gen.Doc.Text(), fields: map[string]string{}}
			for _, f := range st.Fields.List {
				for _, n := range f.Names {
					td.fields[n.Name] = f.Doc.Text()
				}
			}
			out[ts.Name.Name] = td
		}
	}
	return out, nil
}

// keySentence is a key type's doc without its Go preamble ("Network is
// django-gke:network: the VPC's address plan." → "The VPC's address plan.").
func keySentence(doc string) string {
	doc = oneLine(doc)
	if i := strings.Index(doc, ": "); i >= 0 && strings.Contains(doc[:i], Namespace+":") {
		doc = doc[i+2:]
	}
	return upperFirst(doc)
}

// fieldSentence is a field's doc as the reference shows it: "CIDR is the
// node subnet's range." → "The node subnet's range."; any other use of the Go
// name at the start becomes the config name ("`gunicornWorkers` 0 means …").
func fieldSentence(doc, goName, name string) string {
	doc = oneLine(doc)
	for _, verb := range []string{" is ", " are "} {
		if rest, ok := strings.CutPrefix(doc, goName+verb); ok {
			return upperFirst(rest)
		}
	}
	if rest, ok := strings.CutPrefix(doc, goName); ok {
		doc = "`" + name + "`" + rest
	}
	return doc
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// formatDefault writes a default as a stack file would.
func formatDefault(v reflect.Value) string {
	switch x := v.Interface().(type) {
	case Decimal:
		return x.String()
	case string:
		if x == "" {
			return `""`
		}
		return x
	case MaintenanceWindow:
		return fmt.Sprintf("%s, %s to %s UTC", strings.TrimPrefix(x.Recurrence, "FREQ=WEEKLY;BYDAY="), clock(x.Start), clock(x.End))
	case DatabaseWindow:
		return fmt.Sprintf("%s %02d:00 UTC, %s", weekday(x.Day), x.Hour, x.Track)
	}
	switch v.Kind() {
	case reflect.Slice:
		if v.Len() == 0 {
			return "[]"
		}
	case reflect.Map:
		if v.Len() == 0 {
			return "{}"
		}
	case reflect.Struct:
		if v.IsZero() {
			return "{}"
		}
	}
	return fmt.Sprint(v.Interface())
}

func weekday(day int) string {
	days := []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
	if day < 1 || day > 7 {
		return fmt.Sprint(day)
	}
	return days[day-1]
}

// sameEverywhere reports whether a field has one default in every GCP environment.
func sameEverywhere(values map[Env]string) bool {
	return values[Dev] == values[Stg] && values[Stg] == values[Prd]
}

// PulumiYAMLDescription is the description of key in Pulumi.yaml: its
// sentence, then each field with its default, or its defaults in dev | stg | prd.
func (k KeyDoc) PulumiYAMLDescription() string {
	var parts []string
	for _, f := range k.Fields {
		if sameEverywhere(f.Defaults) {
			parts = append(parts, fmt.Sprintf("%s (%s)", f.Name, f.Defaults[Dev]))
		} else {
			parts = append(parts, fmt.Sprintf("%s (%s | %s | %s)", f.Name, f.Defaults[Dev], f.Defaults[Stg], f.Defaults[Prd]))
		}
	}
	return fmt.Sprintf("%s Fields with their defaults, dev | stg | prd where they differ: %s. Every field's meaning: README, Configuration reference.",
		strings.TrimSuffix(k.Doc, ".")+".", strings.Join(parts, ", "))
}

// MarkdownTables is the README's configuration reference: a table per key
// (field, meaning, the default in each environment), then the fixed policy.
func MarkdownTables(keys []KeyDoc, policy []PolicyDoc) string {
	var b strings.Builder
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	header := "| field | meaning |"
	rule := "|---|---|"
	for _, env := range docEnvs {
		header += " " + string(env) + " |"
		rule += "---|"
	}
	for _, k := range keys {
		fmt.Fprintf(&b, "**`%s:%s`** — %s\n\n%s\n%s\n", Namespace, k.Key, k.Doc, header, rule)
		for _, f := range k.Fields {
			fmt.Fprintf(&b, "| `%s` | %s |", f.Name, cell(f.Doc))
			for _, env := range docEnvs {
				fmt.Fprintf(&b, " `%s` |", cell(f.Defaults[env]))
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "**Fixed per environment** (`infra/config/policy.go`: changed in review, not in a stack file)\n\n")
	fmt.Fprintf(&b, "| policy | what | dev | stg | prd |\n|---|---|---|---|---|\n")
	for _, p := range policy {
		fmt.Fprintf(&b, "| %s | %s |", p.Name, cell(p.Doc))
		for _, env := range Envs {
			fmt.Fprintf(&b, " %s |", cell(p.Values[env]))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// clock is an RFC 3339 time's hour and minute.
func clock(rfc3339 string) string {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		return rfc3339
	}
	return t.UTC().Format("15:04")
}

// PulumiYAML is the whole Pulumi.yaml: the project, gcp:region's default and
// every project key with its generated description and a {} default (each
// field takes its environment's default in the typed loader).
func PulumiYAML(keys []KeyDoc) string {
	var b strings.Builder
	b.WriteString(`# Generated by make readme from infra/config (the field docs in config.go and
# Defaults in defaults.go): edit those, not this file. A test fails when it is stale.
name: django-gke
runtime: go
description: A Django application on GKE with Cloud SQL Postgres, built once and promoted by digest (dev → stg → prd).
config:
  # Provider keys: gcp:project is set by each stack file (one GCP project per environment).
  gcp:region: ` + DefaultRegion + `

  # Project keys. Each object's default is {}: every field takes its environment's
  # default and a stack file sets only the fields that differ. Pulumi does not
  # deep-merge config objects, so the per-field defaults live in the typed loader,
  # keyed by env.
  env:
    type: string
    description: "Environment: dev | stg | prd | local. Picks the per-field defaults of every other key."
    default: dev
`)
	for _, k := range keys {
		fmt.Fprintf(&b, "  %s:\n    type: object\n    description: >-\n", k.Key)
		for _, line := range wrap(k.PulumiYAMLDescription(), 96) {
			fmt.Fprintf(&b, "      %s\n", line)
		}
		b.WriteString("    default: {}\n")
	}
	return b.String()
}

// wrap breaks text into lines of at most width columns at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len([]rune(line))+1+len([]rune(word)) > width {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

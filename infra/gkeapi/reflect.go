package gkeapi

import (
	"reflect"
	"strings"
)

// jsonField is one field of a struct as encoding/json sees it.
type jsonField struct {
	name      string
	goName    string
	typ       reflect.Type
	omitempty bool // omitempty or omitzero: the field may be left out
}

// jsonFields lists the json fields of struct type t in declaration order,
// promoting the fields of untagged embedded structs as encoding/json does.
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag, hasTag := sf.Tag.Lookup("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if sf.Anonymous && !hasTag && sf.Type.Kind() == reflect.Struct {
			out = append(out, jsonFields(sf.Type)...)
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		jf := jsonField{name: name, goName: sf.Name, typ: sf.Type}
		for _, o := range strings.Split(opts, ",") {
			if o == "omitempty" || o == "omitzero" {
				jf.omitempty = true
			}
		}
		out = append(out, jf)
	}
	return out
}

// objectMetaType is rendered as a plain object in schemas: the apiserver
// validates metadata itself.
var objectMetaType = reflect.TypeFor[ObjectMeta]()

// joinPath appends a json name to a path.
func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

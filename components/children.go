package components

import (
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// children builds the resource options of a component's children: parented
// to the component, and waiting on everything the component was told to wait
// on. Pulumi does not pass a component's DependsOn down to its children, so
// without this a VPC declared inside a component that "depends on" the
// compute API would be created before the API is enabled.
type children struct {
	inherited []pulumi.ResourceOption
}

func childrenOf(parent pulumi.Resource, componentOpts []pulumi.ResourceOption) children {
	inherited := []pulumi.ResourceOption{pulumi.Parent(parent)}
	if o, err := pulumi.NewResourceOptions(componentOpts...); err == nil {
		if len(o.DependsOn) > 0 {
			inherited = append(inherited, pulumi.DependsOn(o.DependsOn))
		}
		for _, in := range o.DependsOnInputs {
			inherited = append(inherited, pulumi.DependsOnInputs(in))
		}
	}
	return children{inherited: inherited}
}

// opts are a child's options: the inherited ones, then extra.
func (c children) opts(extra ...pulumi.ResourceOption) []pulumi.ResourceOption {
	out := make([]pulumi.ResourceOption, 0, len(c.inherited)+len(extra))
	return append(append(out, c.inherited...), extra...)
}

// with are these options plus extra ones for every child.
func (c children) with(extra ...pulumi.ResourceOption) children {
	return children{inherited: c.opts(extra...)}
}

// kubeObjects is what a component's Kubernetes objects share: the namespace,
// the labels on every object, and the children's options.
type kubeObjects struct {
	namespace pulumi.StringInput
	labels    map[string]string
	children
}

// newKubeObjects adds the labels every object of the app carries.
func newKubeObjects(namespace pulumi.StringInput, labels map[string]string, c children) kubeObjects {
	return kubeObjects{
		namespace: namespace,
		labels:    merge(labels, map[string]string{"app.kubernetes.io/part-of": "django-gke", "app.kubernetes.io/managed-by": "pulumi"}),
		children:  c,
	}
}

// meta is an object's metadata in the namespace: named (or, with name "",
// auto-named by Pulumi), with extra labels and annotations.
func (k kubeObjects) meta(name string, extra map[string]string, annotations pulumi.StringMapInput) *metav1.ObjectMetaArgs {
	m := &metav1.ObjectMetaArgs{Namespace: k.namespace, Labels: pulumi.ToStringMap(merge(k.labels, extra)), Annotations: annotations}
	if name != "" {
		m.Name = pulumi.String(name)
	}
	return m
}

func merge(maps ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

package components

import (
	"fmt"
	"net/netip"
	"sort"

	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// NetworkPoliciesArgs configures the app namespace's network policies.
type NetworkPoliciesArgs struct {
	// Namespace is the workload's (its output, so the policies wait for it).
	Namespace pulumi.StringInput
	Labels    map[string]string
	Database  DatabasePeer
	// Cache, when set, is the cache server the app may reach.
	Cache *CachePeer
}

// CachePeer is the cache server's address: exactly that IP and port are opened.
type CachePeer struct {
	Host pulumi.StringInput
	Port pulumi.IntInput
}

// DatabasePeer is where the pods may open database connections.
type DatabasePeer struct {
	// CloudSQLPrivateIP, when set: the Cloud SQL proxy speaks to the
	// instance's private IP on Cloud SQL's server port.
	CloudSQLPrivateIP pulumi.StringInput
	// ReplicaPrivateIP, when set, is the region's read replica, reached the same way.
	ReplicaPrivateIP pulumi.StringInput
	// Host and Port are a Postgres reached directly (no proxy): an IP pins
	// the peer; for a host name the port is all a NetworkPolicy can pin.
	Host string
	Port int
}

// NetworkPolicies closes the namespace by default and opens what the app
// needs: the load balancer to nginx; DNS, the metadata server, the database,
// the cache server (with one) and Google APIs out.
type NetworkPolicies struct {
	pulumi.ResourceState
}

// gkeMetadataServer serves Workload Identity tokens on Dataplane V2.
const gkeMetadataServer = "169.254.169.254/32"

// NewNetworkPolicies declares the policies; it needs the cluster's Kubernetes provider.
func NewNetworkPolicies(ctx *pulumi.Context, name string, args *NetworkPoliciesArgs, opts ...pulumi.ResourceOption) (*NetworkPolicies, error) {
	n := &NetworkPolicies{}
	if err := ctx.RegisterComponentResource("django-gke:components:NetworkPolicies", name, n, opts...); err != nil {
		return nil, err
	}
	k := newKubeObjects(args.Namespace, args.Labels, childrenOf(n, opts))
	app := map[string]string{"app.kubernetes.io/name": "django"}
	policies := []struct {
		name string
		spec *networkingv1.NetworkPolicySpecArgs
	}{
		{"default-deny", &networkingv1.NetworkPolicySpecArgs{
			PodSelector: &metav1.LabelSelectorArgs{},
			PolicyTypes: pulumi.StringArray{pulumi.String("Ingress"), pulumi.String("Egress")},
		}},
		// Only Google's front ends and health checkers reach nginx; gunicorn's and the proxy's ports stay closed.
		{"web-ingress-from-lb", &networkingv1.NetworkPolicySpecArgs{
			PodSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(webLabels())},
			PolicyTypes: pulumi.StringArray{pulumi.String("Ingress")},
			Ingress: networkingv1.NetworkPolicyIngressRuleArray{networkingv1.NetworkPolicyIngressRuleArgs{
				From:  networkingv1.NetworkPolicyPeerArray{ipBlock(pulumi.String(googleLoadBalancerRanges[0])), ipBlock(pulumi.String(googleLoadBalancerRanges[1]))},
				Ports: networkingv1.NetworkPolicyPortArray{policyPort("TCP", NginxPort)},
			}},
		}},
		// Out: DNS, the metadata server (Workload Identity), the database and Google APIs over TLS.
		{"app-egress", &networkingv1.NetworkPolicySpecArgs{
			PodSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(app)},
			PolicyTypes: pulumi.StringArray{pulumi.String("Egress")},
			Egress: networkingv1.NetworkPolicyEgressRuleArray{
				networkingv1.NetworkPolicyEgressRuleArgs{
					To: networkingv1.NetworkPolicyPeerArray{networkingv1.NetworkPolicyPeerArgs{
						NamespaceSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{"kubernetes.io/metadata.name": pulumi.String("kube-system")}},
						PodSelector:       &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{"k8s-app": pulumi.String("kube-dns")}},
					}},
					Ports: networkingv1.NetworkPolicyPortArray{policyPort("UDP", 53), policyPort("TCP", 53)},
				},
				networkingv1.NetworkPolicyEgressRuleArgs{
					To:    networkingv1.NetworkPolicyPeerArray{ipBlock(pulumi.String(gkeMetadataServer))},
					Ports: networkingv1.NetworkPolicyPortArray{policyPort("TCP", 80), policyPort("TCP", 988)},
				},
				args.Database.egress(),
				networkingv1.NetworkPolicyEgressRuleArgs{
					To:    networkingv1.NetworkPolicyPeerArray{ipBlock(pulumi.String("0.0.0.0/0"))},
					Ports: networkingv1.NetworkPolicyPortArray{policyPort("TCP", 443)},
				},
			},
		}},
	}
	if c := args.Cache; c != nil {
		// Its own policy, so the app's egress rule reads the same with and without a cache.
		policies = append(policies, struct {
			name string
			spec *networkingv1.NetworkPolicySpecArgs
		}{"app-egress-cache", &networkingv1.NetworkPolicySpecArgs{
			PodSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.ToStringMap(app)},
			PolicyTypes: pulumi.StringArray{pulumi.String("Egress")},
			Egress: networkingv1.NetworkPolicyEgressRuleArray{networkingv1.NetworkPolicyEgressRuleArgs{
				To: networkingv1.NetworkPolicyPeerArray{ipBlock(pulumi.Sprintf("%s/32", c.Host))},
				Ports: networkingv1.NetworkPolicyPortArray{networkingv1.NetworkPolicyPortArgs{
					Protocol: pulumi.String("TCP"), Port: c.Port,
				}},
			}},
		}})
	}
	sort.SliceStable(policies, func(i, j int) bool { return policies[i].name < policies[j].name })
	for _, p := range policies {
		if _, err := networkingv1.NewNetworkPolicy(ctx, name+"-netpol-"+p.name, &networkingv1.NetworkPolicyArgs{
			Metadata: k.meta(p.name, nil, nil),
			Spec:     p.spec,
		}, k.opts()...); err != nil {
			return nil, fmt.Errorf("creating NetworkPolicy %s: %w", p.name, err)
		}
	}
	return n, ctx.RegisterResourceOutputs(n, pulumi.Map{})
}

// egress is the rule to the database.
func (d DatabasePeer) egress() networkingv1.NetworkPolicyEgressRuleArgs {
	if d.CloudSQLPrivateIP != nil {
		to := networkingv1.NetworkPolicyPeerArray{ipBlock(pulumi.Sprintf("%s/32", d.CloudSQLPrivateIP))}
		if d.ReplicaPrivateIP != nil {
			to = append(to, ipBlock(pulumi.Sprintf("%s/32", d.ReplicaPrivateIP)))
		}
		return networkingv1.NetworkPolicyEgressRuleArgs{
			To:    to,
			Ports: networkingv1.NetworkPolicyPortArray{policyPort("TCP", cloudSQLServerPort)},
		}
	}
	cidr := "0.0.0.0/0"
	if ip, err := netip.ParseAddr(d.Host); err == nil {
		cidr = netip.PrefixFrom(ip, ip.BitLen()).String()
	}
	return networkingv1.NetworkPolicyEgressRuleArgs{
		To:    networkingv1.NetworkPolicyPeerArray{ipBlock(pulumi.String(cidr))},
		Ports: networkingv1.NetworkPolicyPortArray{policyPort("TCP", d.Port)},
	}
}

func policyPort(protocol string, n int) networkingv1.NetworkPolicyPortArgs {
	return networkingv1.NetworkPolicyPortArgs{Protocol: pulumi.String(protocol), Port: pulumi.Int(n)}
}

func ipBlock(cidr pulumi.StringInput) networkingv1.NetworkPolicyPeerArgs {
	return networkingv1.NetworkPolicyPeerArgs{IpBlock: &networkingv1.IPBlockArgs{Cidr: cidr}}
}

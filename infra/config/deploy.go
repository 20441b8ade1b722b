package config

import (
	"fmt"
	"net/netip"
)

// documentationRanges are RFC 5737's example networks: no deployer is ever in one.
var documentationRanges = []netip.Prefix{
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
}

// DeploymentProblems are what would make a real `pulumi up` of an otherwise
// valid configuration fail late. With cluster.access authorizedNetworks the
// Kubernetes half of the stack talks to the cluster's control plane, which
// answers only the authorized networks: with
// example ranges there, every Kubernetes object times out after the cluster
// is built. Previews only warn (the repository's stack files hold example
// ranges); an update refuses before declaring anything.
func (c *Config) DeploymentProblems() Problems {
	var ps Problems
	if c.Env == Local || c.Cluster.Access != AccessAuthorizedNetworks {
		return nil // through the Connect Gateway, authorizedNetworks only concern people's direct kubectl
	}
	for i, n := range c.Cluster.AuthorizedNetworks {
		p, err := netip.ParsePrefix(n.CIDR)
		if err != nil {
			continue // Validate reports it
		}
		for _, doc := range documentationRanges {
			if p.Overlaps(doc) {
				ps.add(Key("cluster"), fmt.Sprintf("authorizedNetworks[%d].cidr", i), n.CIDR,
					"is an example range (RFC 5737, %s) that no deployer is in: the control plane would refuse "+
						"the machine running `pulumi up` and every Kubernetes object would time out; set the egress "+
						"CIDRs of your CI runners and office/VPN in Pulumi.<stack>.yaml (django-gke:cluster.authorizedNetworks)", doc)
				break
			}
		}
	}
	return ps
}

package offline

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// compute returns the id and outputs a real provider would return.
func (m *mock) compute(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	in := args.Inputs
	out := in.Copy()
	set := func(k string, v any) { out[resource.PropertyKey(k)] = resource.NewPropertyValue(v) }
	str := func(k string) string {
		if v, ok := in[resource.PropertyKey(k)]; ok && v.IsString() {
			return v.StringValue()
		}
		return ""
	}
	seed := args.TypeToken + "/" + args.Name
	// GCP and Pulumi auto-name resources whose name is not set: <logical name>-<7 hex>.
	name := str("name")
	if name == "" {
		name = args.Name + "-" + m.hex(seed, 7)
	}
	project := m.gcpProject
	if p := str("project"); p != "" {
		project = p
	}
	region := m.gcpRegion
	if r := str("region"); r != "" {
		region = r
	}
	location := str("location")
	id := args.Name + "-" + m.hex(seed+"/id", 8)

	switch tok := args.TypeToken; {
	case tok == "pulumi:pulumi:StackReference":
		ref := args.ID
		if ref == "" {
			ref = str("name")
		}
		outputs, err := m.resolveStack(ref)
		if err != nil {
			return "", nil, fmt.Errorf("StackReference %q: %w", ref, err)
		}
		var secretNames []any
		for k, v := range outputs {
			if v.IsSecret() {
				secretNames = append(secretNames, string(k))
			}
		}
		out = resource.PropertyMap{
			"name":              resource.NewProperty(ref),
			"outputs":           resource.NewProperty(outputs),
			"secretOutputNames": resource.NewPropertyValue(secretNames),
		}
		return ref, out, nil

	case strings.HasPrefix(tok, "pulumi:providers:"):
		return m.hex(seed+"/provider", 36), out, nil

	case tok == "gcp:container/cluster:Cluster":
		set("name", name)
		set("endpoint", m.publicIP(seed))
		set("masterAuth", map[string]any{
			"clusterCaCertificate": base64.StdEncoding.EncodeToString([]byte(offlineClusterCA)),
		})
		set("selfLink", fmt.Sprintf("https://container.googleapis.com/v1/projects/%s/locations/%s/clusters/%s", project, location, name))
		set("masterVersion", "1.33.5-gke.1000000")
		if fleet, ok := args.Inputs["fleet"]; ok && fleet.IsObject() {
			// GKE registers the cluster in the fleet under its own name, in its location.
			p := fleet.ObjectValue()["project"].StringValue()
			set("fleet", map[string]any{"project": p, "preRegistered": false, "membershipId": name, "membershipLocation": location,
				"membership": fmt.Sprintf("//gkehub.googleapis.com/projects/%s/locations/%s/memberships/%s", p, location, name)})
		}
		id = fmt.Sprintf("projects/%s/locations/%s/clusters/%s", project, location, name)

	case tok == "gcp:container/nodePool:NodePool":
		set("name", name)
		set("instanceGroupUrls", []any{fmt.Sprintf("https://www.googleapis.com/compute/v1/projects/%s/zones/%s-b/instanceGroupManagers/gke-%s", project, region, name)})
		id = fmt.Sprintf("projects/%s/locations/%s/clusters/%s/nodePools/%s", project, location, str("cluster"), name)

	case tok == "gcp:compute/network:Network":
		set("name", name)
		set("selfLink", fmt.Sprintf("https://www.googleapis.com/compute/v1/projects/%s/global/networks/%s", project, name))
		id = fmt.Sprintf("projects/%s/global/networks/%s", project, name)

	case tok == "gcp:compute/subnetwork:Subnetwork":
		set("name", name)
		set("selfLink", fmt.Sprintf("https://www.googleapis.com/compute/v1/projects/%s/regions/%s/subnetworks/%s", project, region, name))
		set("gatewayAddress", firstHost(str("ipCidrRange")))
		id = fmt.Sprintf("projects/%s/regions/%s/subnetworks/%s", project, region, name)

	case tok == "gcp:compute/globalAddress:GlobalAddress", tok == "gcp:compute/address:Address":
		set("name", name)
		if str("address") == "" {
			if str("purpose") == "VPC_PEERING" || str("addressType") == "INTERNAL" {
				set("address", m.privateIP(seed))
			} else {
				set("address", m.publicIP(seed))
			}
		}
		set("selfLink", fmt.Sprintf("https://www.googleapis.com/compute/v1/projects/%s/global/addresses/%s", project, name))
		id = fmt.Sprintf("projects/%s/global/addresses/%s", project, name)

	case tok == "gcp:sql/databaseInstance:DatabaseInstance":
		set("name", name)
		set("connectionName", fmt.Sprintf("%s:%s:%s", project, region, name))
		set("privateIpAddress", m.privateIP(seed))
		set("firstIpAddress", m.privateIP(seed))
		set("publicIpAddress", "")
		set("serviceAccountEmailAddress", fmt.Sprintf("p%s-abcdef@gcp-sa-cloud-sql.iam.gserviceaccount.com", m.digits(seed, 12)))
		set("selfLink", fmt.Sprintf("https://sqladmin.googleapis.com/sql/v1beta4/projects/%s/instances/%s", project, name))
		set("dnsName", m.hex(seed+"/dns", 12)+"."+region+".sql.goog.")
		id = name

	case tok == "gcp:redis/instance:Instance":
		set("name", name)
		set("host", m.privateIP(seed))
		port := 6379
		if str("transitEncryptionMode") == "SERVER_AUTHENTICATION" {
			port = 6378 // Memorystore's TLS port
		}
		set("port", port)
		if v, ok := in["authEnabled"]; ok && v.IsBool() && v.BoolValue() {
			out["authString"] = resource.MakeSecret(resource.NewProperty(m.hex(seed+"/auth", 8) + "-" + m.hex(seed+"/auth2", 4) + "-" + m.hex(seed+"/auth3", 24)))
		}
		set("serverCaCerts", []any{map[string]any{"cert": offlineClusterCA, "sha1Fingerprint": m.hex(seed+"/ca", 40)}})
		set("currentLocationId", region+"-b")
		id = fmt.Sprintf("projects/%s/locations/%s/instances/%s", project, region, name)

	case tok == "gcp:sql/database:Database", tok == "gcp:sql/user:User":
		set("name", name)
		id = fmt.Sprintf("%s/%s", str("instance"), name)

	case tok == "gcp:serviceaccount/account:Account":
		accountID := str("accountId")
		email := fmt.Sprintf("%s@%s.iam.gserviceaccount.com", accountID, project)
		set("email", email)
		set("member", "serviceAccount:"+email)
		set("name", fmt.Sprintf("projects/%s/serviceAccounts/%s", project, email))
		set("uniqueId", m.digits(seed, 21))
		id = fmt.Sprintf("projects/%s/serviceAccounts/%s", project, email)

	case tok == "gcp:projects/serviceIdentity:ServiceIdentity":
		// Google's service agents: service-<project number>@<agent domain>.
		service := strings.TrimSuffix(str("service"), ".googleapis.com")
		domain := "gcp-sa-" + service
		if service == "servicenetworking" {
			domain = "service-networking"
		}
		email := fmt.Sprintf("service-%s@%s.iam.gserviceaccount.com", m.digits("project/"+project, 12), domain)
		set("email", email)
		set("member", "serviceAccount:"+email)
		id = fmt.Sprintf("projects/%s/services/%s", project, str("service"))

	case tok == "gcp:artifactregistry/repository:Repository":
		repo := str("repositoryId")
		set("name", repo)
		set("createTime", "2026-01-01T00:00:00Z")
		id = fmt.Sprintf("projects/%s/locations/%s/repositories/%s", project, location, repo)

	case tok == "docker:index/image:Image":
		imageName := str("imageName")
		repo := imageName
		if i := strings.LastIndex(imageName, ":"); i > strings.LastIndex(imageName, "/") {
			repo = imageName[:i]
		}
		// The digest follows the image name, whose tag follows the sources.
		set("repoDigest", repo+"@sha256:"+m.hex(seed+"/digest/"+imageName, 64))
		set("baseImageName", imageName)
		id = imageName

	case tok == "random:index/randomPassword:RandomPassword", tok == "random:index/randomString:RandomString":
		result := m.randomText(seed, in)
		if tok == "random:index/randomPassword:RandomPassword" {
			out["result"] = resource.MakeSecret(resource.NewProperty(result))
			out["bcryptHash"] = resource.MakeSecret(resource.NewProperty("$2a$10$offline" + m.hex(seed+"/bcrypt", 46)))
		} else {
			set("result", result)
		}
		id = "none"

	case tok == "random:index/randomId:RandomId":
		n := 8
		if v, ok := in["byteLength"]; ok && v.IsNumber() {
			n = int(v.NumberValue())
		}
		b := m.bytes(seed, n)
		set("hex", hex.EncodeToString(b))
		set("b64Url", base64.RawURLEncoding.EncodeToString(b))
		set("b64Std", base64.StdEncoding.EncodeToString(b))
		set("dec", new(big.Int).SetBytes(b).String())
		id = base64.RawURLEncoding.EncodeToString(b)

	case tok == "gcp:monitoring/uptimeCheckConfig:UptimeCheckConfig":
		checkID := name
		set("uptimeCheckId", checkID)
		set("name", fmt.Sprintf("projects/%s/uptimeCheckConfigs/%s", project, checkID))
		id = fmt.Sprintf("projects/%s/uptimeCheckConfigs/%s", project, checkID)

	case tok == "gcp:monitoring/notificationChannel:NotificationChannel":
		id = fmt.Sprintf("projects/%s/notificationChannels/%s", project, m.digits(seed, 19))
		set("name", id)

	case tok == "gcp:monitoring/customService:CustomService":
		set("name", fmt.Sprintf("projects/%s/services/%s", project, str("serviceId")))
		id = fmt.Sprintf("projects/%s/services/%s", project, str("serviceId"))

	case tok == "gcp:monitoring/slo:Slo":
		id = fmt.Sprintf("projects/%s/services/%s/serviceLevelObjectives/%s", project, str("service"), str("sloId"))
		set("name", id)

	case tok == "gcp:monitoring/alertPolicy:AlertPolicy":
		id = fmt.Sprintf("projects/%s/alertPolicies/%s", project, m.digits(seed, 19))
		set("name", id)

	case tok == "gcp:monitoring/dashboard:Dashboard":
		id = fmt.Sprintf("projects/%s/dashboards/%s", project, m.hex(seed, 32))

	case strings.HasPrefix(tok, "kubernetes:"):
		// pulumi-kubernetes auto-names objects without metadata.name: <logical>-<8 random>.
		if meta, ok := out["metadata"]; ok && meta.IsObject() {
			md := meta.ObjectValue().Copy()
			if n, ok := md["name"]; !ok || (n.IsString() && n.StringValue() == "") {
				md["name"] = resource.NewProperty(args.Name + "-" + m.hex(seed, 8))
			}
			out["metadata"] = resource.NewProperty(md)
		} else if args.Custom && !strings.HasPrefix(tok, "kubernetes:yaml") && !strings.HasPrefix(tok, "kubernetes:helm") {
			out["metadata"] = resource.NewProperty(resource.PropertyMap{
				"name": resource.NewProperty(args.Name + "-" + m.hex(seed, 8)),
			})
		}
		id = args.Name

	case strings.HasPrefix(tok, "gcp:"):
		set("name", name)
	}
	return id, out, nil
}

// randomText honours the length and character classes of random.RandomPassword/String.
func (m *mock) randomText(seed string, in resource.PropertyMap) string {
	length := 16
	if v, ok := in["length"]; ok && v.IsNumber() {
		length = int(v.NumberValue())
	}
	enabled := func(k string) bool {
		v, ok := in[resource.PropertyKey(k)]
		return !ok || !v.IsBool() || v.BoolValue()
	}
	alphabet := ""
	if enabled("lower") {
		alphabet += "abcdefghijklmnopqrstuvwxyz"
	}
	if enabled("upper") {
		alphabet += "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	}
	if enabled("numeric") && enabled("number") {
		alphabet += "0123456789"
	}
	if enabled("special") {
		special := "!@#$%&*()-_=+[]{}<>:?"
		if v, ok := in["overrideSpecial"]; ok && v.IsString() {
			special = v.StringValue()
		}
		alphabet += special
	}
	if alphabet == "" {
		alphabet = "abcdefghijklmnopqrstuvwxyz"
	}
	b := m.bytes(seed, length)
	out := make([]byte, length)
	for i := range out {
		out[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(out)
}

// bytes derives n deterministic bytes from the stack and a seed.
func (m *mock) bytes(seed string, n int) []byte {
	var out []byte
	for i := 0; len(out) < n; i++ {
		sum := sha256.Sum256([]byte(fmt.Sprintf("%s|%s|%s|%d", m.project, m.stack, seed, i)))
		out = append(out, sum[:]...)
	}
	return out[:n]
}

func (m *mock) hex(seed string, n int) string { return hex.EncodeToString(m.bytes(seed, (n+1)/2))[:n] }

func (m *mock) digits(seed string, n int) string {
	b := m.bytes(seed, n)
	out := make([]byte, n)
	for i := range out {
		out[i] = '0' + b[i]%10
	}
	if out[0] == '0' {
		out[0] = '1'
	}
	return string(out)
}

// publicIP is in 34.0.0.0/8, Google's; privateIP in 10.128.0.0/9, never overlapping the config defaults.
func (m *mock) publicIP(seed string) string {
	b := m.bytes(seed+"/ip", 3)
	return fmt.Sprintf("34.%d.%d.%d", b[0], b[1], 1+b[2]%254)
}

func (m *mock) privateIP(seed string) string {
	v := binary.BigEndian.Uint32(append([]byte{0}, m.bytes(seed+"/ip", 3)...))
	return fmt.Sprintf("10.%d.%d.%d", 128+(v>>16)%128, (v>>8)&0xff, 2+v%250)
}

func firstHost(cidr string) string {
	ip, _, ok := strings.Cut(cidr, "/")
	if !ok {
		return ""
	}
	parts := strings.Split(ip, ".")
	if len(parts) != 4 {
		return ""
	}
	parts[3] = "1"
	return strings.Join(parts, ".")
}

// offlineClusterCA is a real, self-signed certificate (its key was never
// kept) standing in for a cluster's CA: kubeconfigs built from the offline
// plan parse like GKE's, so the real kubernetes provider accepts them.
const offlineClusterCA = `-----BEGIN CERTIFICATE-----
MIIBuDCCAV2gAwIBAgIUd3zIw0ZcFKju/DZV3pNl8c5A/dwwCgYIKoZIzj0EAwIw
MDEuMCwGA1UEAwwlZGphbmdvLWdrZSBvZmZsaW5lIHBsYW4gKG5vIGtleSBrZXB0
KTAgFw0yNjEyMDIwNjM0NDFaGA8yMTI2MTEwODA2MzQ0MVowMDEuMCwGA1UEAwwl
ZGphbmdvLWdrZSBvZmZsaW5lIHBsYW4gKG5vIGtleSBrZXB0KTBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABKNm+cO6q4YZwxhBv2ftl3zouzaZqPGVBFOskJRtHDIB
Y0pOFkKKtZLJKo2GHc2i75qu5yRDKGYQtDY7I4JhEMqjUzBRMB0GA1UdDgQWBBQo
oepHvqkd9enxIRlownm5srJMdDAfBgNVHSMEGDAWgBQooepHvqkd9enxIRlownm5
srJMdDAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0kAMEYCIQDgPy022sff
bYeOpmpubaA4YTx0B6yL6ZJdwj9q68G9HQIhAPMsVz097WCH9bQeTasEvq5N2Erf
qKiTjmy9b7QWSkcL
-----END CERTIFICATE-----
`

package guard

// The tables below are the facts of the provider this program pins: the Pulumi
// GCP SDK v7.38.0 bridges terraform-provider-google-beta v5.42.0, so each
// Source is a page of that provider at tag v5.42.0 (its docs, or its source
// where only the schema's ForceNew flag or a CustomizeDiff says so) or Google's
// API reference. A provider upgrade moves fields in or out: several Why texts
// name the provider version from which a field is updated in place instead.

// Field is an input of a resource type, by its path as the provider sees it
// (Pulumi input names, camelCase, objects joined by ".", no list indices).
type Field struct {
	Path   string
	Why    string // a few words: what GCP does / why
	Source string // the documentation page (URL) that says so

	// RemovalKeepsValue: the input is Optional+Computed in the provider, so
	// dropping it from the program keeps the live value (no diff, no replacement).
	RemovalKeepsValue bool
	// OnlyWhenShrinking: a numeric input whose CustomizeDiff replaces only when
	// the new value is lower than the old one (growing is in place).
	OnlyWhenShrinking bool
}

// ForceNew: changing any of these inputs (or anything under them) replaces the resource.
//
// A few are conditional (a CustomizeDiff in the provider), as their Why says:
// settings.diskSize and redisVersion replace only when they go down,
// ipCidrRange when the new range does not contain the old one,
// masterInstanceName when it is set to a new name, privateNetwork when it is
// removed, retentionPolicy.isLocked when a locked policy is unlocked, the
// cluster's enableFqdnNetworkPolicy and enableL4IlbSubsetting when turned off,
// and enableK8sBetaApis.enabledApis when an API leaves the list.
var ForceNew = map[string][]Field{
	// A replaced cluster is a new control plane with a new endpoint and CA: every
	// Kubernetes object, node and workload on it is lost and the kubeconfig changes.
	"gcp:container/cluster:Cluster": {
		{Path: "clusterAutoscaling.autoProvisioningDefaults.bootDiskKmsKey", Why: "auto-provisioned nodes' boot disk key", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L674"},
		{Path: "clusterIpv4Cidr", Why: "pod range fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L862", RemovalKeepsValue: true},
		{Path: "confidentialNodes", Why: "Confidential GKE nodes chosen at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L1347", RemovalKeepsValue: true},
		{Path: "datapathProvider", Why: "Dataplane V2 cannot be switched on a live cluster", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L1990", RemovalKeepsValue: true},
		{Path: "defaultMaxPodsPerNode", Why: "per-node pod CIDR size fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L1808", RemovalKeepsValue: true},
		{Path: "description", Why: "ForceNew in the provider: no update call", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L871"},
		{Path: "enableAutopilot", Why: "Autopilot vs Standard is fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L985"},
		{Path: "enableFqdnNetworkPolicy", Why: "turning it off once on (CustomizeDiff); turning it on is in place", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L205"},
		{Path: "enableK8sBetaApis.enabledApis", Why: "removing an enabled beta API (CustomizeDiff): GKE cannot disable one", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/website/docs/r/container_cluster.html.markdown?plain=1#L512"},
		{Path: "enableKubernetesAlpha", Why: "alpha clusters are created as such", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L905"},
		{Path: "enableL4IlbSubsetting", Why: "turning it off once on (CustomizeDiff); turning it on is in place", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L204"},
		{Path: "enableMultiNetworking", Why: "multi-networking fixed at creation (in place from 6.37)", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L2018"},
		{Path: "enableTpu", Why: "legacy TPU support fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L930", RemovalKeepsValue: true},
		{Path: "initialNodeCount", Why: "size of the default pool at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L1016"},
		{Path: "ipAllocationPolicy.clusterIpv4CidrBlock", Why: "pod range fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L1613", RemovalKeepsValue: true},
		{Path: "ipAllocationPolicy.clusterSecondaryRangeName", Why: "pod secondary range fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L1634", RemovalKeepsValue: true},
		{Path: "ipAllocationPolicy.servicesIpv4CidrBlock", Why: "Service range fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L1623", RemovalKeepsValue: true},
		{Path: "ipAllocationPolicy.servicesSecondaryRangeName", Why: "Service secondary range fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L1643", RemovalKeepsValue: true},
		{Path: "ipAllocationPolicy.stackType", Why: "IPv4/dual-stack fixed at creation (in place from 6.37)", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L1651"},
		{Path: "location", Why: "a cluster cannot move region or zone", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L273", RemovalKeepsValue: true},
		{Path: "masterAuth.clientCertificateConfig", Why: "client certificate issued only at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L1374"},
		{Path: "name", Why: "the cluster's identifier", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L239"},
		{Path: "network", Why: "a cluster cannot move to another VPC", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L1438"},
		{Path: "networkingMode", Why: "VPC-native vs routes-based fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L1698", RemovalKeepsValue: true},
		{Path: "nodeConfig.advancedMachineFeatures", Why: "default pool: threads per core, nested virtualization: set at VM creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L639"},
		{Path: "nodeConfig.bootDiskKmsKey", Why: "default pool: boot disks are encrypted with it at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L566"},
		{Path: "nodeConfig.confidentialNodes", Why: "default pool: Confidential VM is chosen at VM creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L720", RemovalKeepsValue: true},
		{Path: "nodeConfig.enableConfidentialStorage", Why: "default pool: disk encryption mode fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L757"},
		{Path: "nodeConfig.ephemeralStorageConfig", Why: "default pool: local SSD layout fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L251"},
		{Path: "nodeConfig.ephemeralStorageLocalSsdConfig", Why: "default pool: local SSD layout fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L270"},
		{Path: "nodeConfig.gcfsConfig", Why: "default pool: image streaming set at pool creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L327"},
		{Path: "nodeConfig.guestAccelerators", Why: "default pool: GPUs are attached at VM creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L136", RemovalKeepsValue: true},
		{Path: "nodeConfig.gvnic", Why: "default pool: NIC type fixed at VM creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L334"},
		{Path: "nodeConfig.hostMaintenancePolicy", Why: "default pool: maintenance interval fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L702"},
		{Path: "nodeConfig.labels", Why: "default pool: made ForceNew for the cluster (in place from 6.10)", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L103", RemovalKeepsValue: true},
		{Path: "nodeConfig.localNvmeSsdBlockConfig", Why: "default pool: local SSD layout fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L289"},
		{Path: "nodeConfig.localSsdCount", Why: "default pool: local SSDs are attached at VM creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L239", RemovalKeepsValue: true},
		{Path: "nodeConfig.metadata", Why: "default pool: instance template metadata has no update", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L358", RemovalKeepsValue: true},
		{Path: "nodeConfig.minCpuPlatform", Why: "default pool: CPU platform chosen at VM creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L367", RemovalKeepsValue: true},
		{Path: "nodeConfig.nodeGroup", Why: "default pool: sole-tenant node group fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L630"},
		{Path: "nodeConfig.oauthScopes", Why: "default pool: VM access scopes fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L375", RemovalKeepsValue: true},
		{Path: "nodeConfig.preemptible", Why: "default pool: provisioning model fixed at VM creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L390"},
		{Path: "nodeConfig.reservationAffinity", Why: "default pool: reservation consumption fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L399"},
		{Path: "nodeConfig.resourceManagerTags", Why: "default pool: made ForceNew for the cluster (in place from 6.10)", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L103"},
		{Path: "nodeConfig.sandboxConfig", Why: "default pool: GKE Sandbox (gVisor) set at pool creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L549"},
		{Path: "nodeConfig.secondaryBootDisks", Why: "default pool: preloaded image disks fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L308"},
		{Path: "nodeConfig.serviceAccount", Why: "default pool: node service account fixed at VM creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L439", RemovalKeepsValue: true},
		{Path: "nodeConfig.shieldedInstanceConfig", Why: "default pool: secure boot/integrity monitoring set at VM creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L454", RemovalKeepsValue: true},
		{Path: "nodeConfig.soleTenantConfig", Why: "default pool: node affinity fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L661"},
		{Path: "nodeConfig.spot", Why: "default pool: provisioning model fixed at VM creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L430"},
		{Path: "privateClusterConfig.enablePrivateNodes", Why: "private nodes fixed at creation (in place from 7.13)", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L1734"},
		{Path: "privateClusterConfig.masterIpv4CidrBlock", Why: "control plane's peered /28 fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L1743", RemovalKeepsValue: true},
		{Path: "privateClusterConfig.privateEndpointSubnetwork", Why: "control plane endpoint subnet fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L1761"},
		{Path: "project", Why: "a cluster cannot move project", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L1561", RemovalKeepsValue: true},
		{Path: "subnetwork", Why: "nodes' subnet fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L1569", RemovalKeepsValue: true},
		{Path: "tpuConfig.enabled", Why: "TPU config fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L949"},
		{Path: "tpuConfig.useServiceNetworking", Why: "TPU config fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L960"},
	},
	// A replaced pool is new VMs: every pod on the old nodes is evicted and
	// rescheduled (a pool without a fixed name is created before the old one goes).
	"gcp:container/nodePool:NodePool": {
		{Path: "cluster", Why: "a pool cannot move to another cluster", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_node_pool.go#L68"},
		{Path: "initialNodeCount", Why: "\"changing this will force recreation\"", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/website/docs/r/container_node_pool.html.markdown?plain=1#L114", RemovalKeepsValue: true},
		{Path: "location", Why: "the pool's cluster location", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_node_pool.go#L75", RemovalKeepsValue: true},
		{Path: "maxPodsPerNode", Why: "per-node pod CIDR size fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_node_pool.go#L229", RemovalKeepsValue: true},
		{Path: "name", Why: "the pool's identifier", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_node_pool.go#L330", RemovalKeepsValue: true},
		{Path: "namePrefix", Why: "the generated name derives from it", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_node_pool.go#L338", RemovalKeepsValue: true},
		{Path: "networkConfig.additionalNodeNetworkConfigs", Why: "extra node NICs fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_node_pool.go#L397"},
		{Path: "networkConfig.additionalPodNetworkConfigs", Why: "extra pod networks fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_node_pool.go#L419"},
		{Path: "networkConfig.createPodRange", Why: "pool pod range fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_node_pool.go#L370"},
		{Path: "networkConfig.podIpv4CidrBlock", Why: "pool pod range fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_node_pool.go#L389", RemovalKeepsValue: true},
		{Path: "networkConfig.podRange", Why: "pool pod range fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_node_pool.go#L382", RemovalKeepsValue: true},
		{Path: "nodeConfig.advancedMachineFeatures", Why: "threads per core, nested virtualization: set at VM creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L639"},
		{Path: "nodeConfig.bootDiskKmsKey", Why: "boot disks are encrypted with it at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L566"},
		{Path: "nodeConfig.confidentialNodes", Why: "Confidential VM is chosen at VM creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L720", RemovalKeepsValue: true},
		{Path: "nodeConfig.enableConfidentialStorage", Why: "disk encryption mode fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L757"},
		{Path: "nodeConfig.ephemeralStorageConfig", Why: "local SSD layout fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L251"},
		{Path: "nodeConfig.ephemeralStorageLocalSsdConfig", Why: "local SSD layout fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L270"},
		{Path: "nodeConfig.gcfsConfig", Why: "image streaming set at pool creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L327"},
		{Path: "nodeConfig.guestAccelerators", Why: "GPUs are attached at VM creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L136", RemovalKeepsValue: true},
		{Path: "nodeConfig.gvnic", Why: "NIC type fixed at VM creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L334"},
		{Path: "nodeConfig.hostMaintenancePolicy", Why: "maintenance interval fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L702"},
		{Path: "nodeConfig.localNvmeSsdBlockConfig", Why: "local SSD layout fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L289"},
		{Path: "nodeConfig.localSsdCount", Why: "local SSDs are attached at VM creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L239", RemovalKeepsValue: true},
		{Path: "nodeConfig.metadata", Why: "instance template metadata has no update", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L358", RemovalKeepsValue: true},
		{Path: "nodeConfig.minCpuPlatform", Why: "CPU platform chosen at VM creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L367", RemovalKeepsValue: true},
		{Path: "nodeConfig.nodeGroup", Why: "sole-tenant node group fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L630"},
		{Path: "nodeConfig.oauthScopes", Why: "VM access scopes fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L375", RemovalKeepsValue: true},
		{Path: "nodeConfig.preemptible", Why: "provisioning model fixed at VM creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L390"},
		{Path: "nodeConfig.reservationAffinity", Why: "reservation consumption fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L399"},
		{Path: "nodeConfig.sandboxConfig", Why: "GKE Sandbox (gVisor) set at pool creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L549"},
		{Path: "nodeConfig.secondaryBootDisks", Why: "preloaded image disks fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L308"},
		{Path: "nodeConfig.serviceAccount", Why: "node service account fixed at VM creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L439", RemovalKeepsValue: true},
		{Path: "nodeConfig.shieldedInstanceConfig", Why: "secure boot/integrity monitoring set at VM creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L454", RemovalKeepsValue: true},
		{Path: "nodeConfig.soleTenantConfig", Why: "node affinity fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L661"},
		{Path: "nodeConfig.spot", Why: "provisioning model fixed at VM creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/node_config.go#L430"},
		{Path: "placementPolicy.policyName", Why: "compact placement policy fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_node_pool.go#L196"},
		{Path: "project", Why: "a pool cannot move project", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_node_pool.go#L62", RemovalKeepsValue: true},
		{Path: "queuedProvisioning", Why: "queued provisioning fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_node_pool.go#L213"},
	},
	// A replaced instance is a new, empty database server with a new IP and
	// connection name: the data is gone unless restored from a backup.
	"gcp:sql/databaseInstance:DatabaseInstance": {
		{Path: "encryptionKeyName", Why: "CMEK key fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/sql/resource_sql_database_instance.go#L720", RemovalKeepsValue: true},
		{Path: "masterInstanceName", Why: "set to a new non-empty value: a new replica (CustomizeDiff; clearing it promotes in place)", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/sql/resource_sql_database_instance.go#L142", RemovalKeepsValue: true},
		{Path: "name", Why: "the instance's identifier (part of its connection name)", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/sql/resource_sql_database_instance.go#L772", RemovalKeepsValue: true},
		{Path: "project", Why: "an instance cannot move project", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/sql/resource_sql_database_instance.go#L787", RemovalKeepsValue: true},
		{Path: "region", Why: "an instance cannot move region", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/sql/resource_sql_database_instance.go#L153", RemovalKeepsValue: true},
		{Path: "replicaConfiguration", Why: "every sub-field is ForceNew (external-master replication)", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/sql/resource_sql_database_instance.go#L798", RemovalKeepsValue: true},
		{Path: "settings.collation", Why: "server collation fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/sql/resource_sql_database_instance.go#L380"},
		{Path: "settings.diskSize", Why: "shrinking only (CustomizeDiff): Cloud SQL disks never shrink; growing is in place", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/sql/resource_sql_database_instance.go#L141", RemovalKeepsValue: true, OnlyWhenShrinking: true},
		{Path: "settings.diskType", Why: "PD_SSD/PD_HDD fixed at creation (in place from 7.44)", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/sql/resource_sql_database_instance.go#L422"},
		{Path: "settings.ipConfiguration.privateNetwork", Why: "removing it only (CustomizeDiff): a private IP cannot be taken away; changing it is in place", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/sql/resource_sql_database_instance.go#L1015"},
		{Path: "settings.timeZone", Why: "SQL Server time zone fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/sql/resource_sql_database_instance.go#L290"},
	},
	// A replaced database is a new, empty database: its tables go with the old one.
	"gcp:sql/database:Database": {
		{Path: "instance", Why: "a database cannot move to another instance", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/sql/resource_sql_database.go#L59"},
		{Path: "name", Why: "the database's identifier", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/sql/resource_sql_database.go#L66"},
		{Path: "project", Why: "the instance's project", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/sql/resource_sql_database.go#L104", RemovalKeepsValue: true},
	},
	// A replaced user is deleted and created again: a new role with the current
	// password (with deletionPolicy ABANDON the old role is left behind).
	"gcp:sql/user:User": {
		{Path: "host", Why: "\"changing this forces a new resource\"", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/website/docs/r/sql_user.html.markdown?plain=1#L136", RemovalKeepsValue: true},
		{Path: "instance", Why: "\"changing this forces a new resource\"", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/website/docs/r/sql_user.html.markdown?plain=1#L110"},
		{Path: "name", Why: "\"changing this forces a new resource\"", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/website/docs/r/sql_user.html.markdown?plain=1#L112"},
		{Path: "project", Why: "the instance's project", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/sql/resource_sql_user.go#L181", RemovalKeepsValue: true},
		{Path: "type", Why: "built-in vs IAM user fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/sql/resource_sql_user.go#L104"},
	},
	// A replaced VPC takes everything in it along: subnets, the cluster, the
	// private services peering and every private IP.
	"gcp:compute/network:Network": {
		{Path: "autoCreateSubnetworks", Why: "subnet mode set at creation; the provider has no update", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/compute/resource_compute_network.go#L75"},
		{Path: "description", Why: "\"the resource must be recreated to modify this field\"", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/website/docs/r/compute_network.html.markdown?plain=1#L89"},
		{Path: "enableUlaInternalIpv6", Why: "internal IPv6 fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/compute/resource_compute_network.go#L94"},
		{Path: "internalIpv6Range", Why: "internal IPv6 range fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/compute/resource_compute_network.go#L102", RemovalKeepsValue: true},
		{Path: "mtu", Why: "MTU fixed at creation (in place from 6.37)", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/compute/resource_compute_network.go#L113", RemovalKeepsValue: true},
		{Path: "name", Why: "networks cannot be renamed", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/compute/resource_compute_network.go#L62"},
		{Path: "project", Why: "a network cannot move project", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/compute/resource_compute_network.go#L161", RemovalKeepsValue: true},
	},
	// A replaced subnet takes the cluster in it (and its pod and Service ranges) along.
	"gcp:compute/subnetwork:Subnetwork": {
		{Path: "description", Why: "ForceNew in the provider: no update call", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/compute/resource_compute_subnetwork.go#L156"},
		{Path: "externalIpv6Prefix", Why: "external IPv6 prefix fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/compute/resource_compute_subnetwork.go#L165", RemovalKeepsValue: true},
		{Path: "ipCidrRange", Why: "a new range not containing the old one (CustomizeDiff); expansion is in place", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/compute/resource_compute_subnetwork.go#L108"},
		{Path: "name", Why: "subnets cannot be renamed", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/compute/resource_compute_subnetwork.go#L126"},
		{Path: "network", Why: "a subnet cannot move to another VPC", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/compute/resource_compute_subnetwork.go#L139"},
		{Path: "project", Why: "a subnet cannot move project", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/compute/resource_compute_subnetwork.go#L369", RemovalKeepsValue: true},
		{Path: "purpose", Why: "subnet purpose fixed at creation (in place from 6.25)", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/compute/resource_compute_subnetwork.go#L257", RemovalKeepsValue: true},
		{Path: "region", Why: "a subnet cannot move region", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/compute/resource_compute_subnetwork.go#L270", RemovalKeepsValue: true},
	},
	// A replaced repository is a new, empty registry: every pushed image is lost.
	"gcp:artifactregistry/repository:Repository": {
		{Path: "format", Why: "DOCKER/MAVEN/... fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/artifactregistry/resource_artifact_registry_repository.go#L96"},
		{Path: "kmsKeyName", Why: "CMEK key fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/artifactregistry/resource_artifact_registry_repository.go#L238"},
		{Path: "location", Why: "a repository cannot move location", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/artifactregistry/resource_artifact_registry_repository.go#L262", RemovalKeepsValue: true},
		{Path: "mavenConfig.allowSnapshotOverwrites", Why: "Maven policy fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/artifactregistry/resource_artifact_registry_repository.go#L277"},
		{Path: "mavenConfig.versionPolicy", Why: "Maven policy fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/artifactregistry/resource_artifact_registry_repository.go#L284"},
		{Path: "mode", Why: "standard/remote/virtual fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/artifactregistry/resource_artifact_registry_repository.go#L295"},
		{Path: "project", Why: "a repository cannot move project", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/artifactregistry/resource_artifact_registry_repository.go#L659", RemovalKeepsValue: true},
		{Path: "remoteRepositoryConfig.aptRepository", Why: "remote upstream fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/artifactregistry/resource_artifact_registry_repository.go#L311"},
		{Path: "remoteRepositoryConfig.description", Why: "remote config fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/artifactregistry/resource_artifact_registry_repository.go#L347"},
		{Path: "remoteRepositoryConfig.dockerRepository", Why: "remote upstream fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/artifactregistry/resource_artifact_registry_repository.go#L359"},
		{Path: "remoteRepositoryConfig.mavenRepository", Why: "remote upstream fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/artifactregistry/resource_artifact_registry_repository.go#L398"},
		{Path: "remoteRepositoryConfig.npmRepository", Why: "remote upstream fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/artifactregistry/resource_artifact_registry_repository.go#L437"},
		{Path: "remoteRepositoryConfig.pythonRepository", Why: "remote upstream fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/artifactregistry/resource_artifact_registry_repository.go#L476"},
		{Path: "remoteRepositoryConfig.upstreamCredentials", Why: "remote credentials fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/artifactregistry/resource_artifact_registry_repository.go#L515"},
		{Path: "remoteRepositoryConfig.yumRepository", Why: "remote upstream fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/artifactregistry/resource_artifact_registry_repository.go#L551"},
		{Path: "repositoryId", Why: "repositories cannot be renamed", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/artifactregistry/resource_artifact_registry_repository.go#L106"},
	},
	// A replaced address is a new IP address (DNS records, or the peered range of
	// private services access, must follow).
	"gcp:compute/globalAddress:GlobalAddress": {
		{Path: "address", Why: "a reserved address cannot be changed", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/compute/resource_compute_global_address.go#L74", RemovalKeepsValue: true},
		{Path: "addressType", Why: "EXTERNAL/INTERNAL fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/compute/resource_compute_global_address.go#L82"},
		{Path: "description", Why: "ForceNew in the provider: no update call", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/compute/resource_compute_global_address.go#L94"},
		{Path: "ipVersion", Why: "IPV4/IPV6 fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/compute/resource_compute_global_address.go#L100"},
		{Path: "name", Why: "addresses cannot be renamed", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/compute/resource_compute_global_address.go#L61"},
		{Path: "network", Why: "an internal range belongs to one VPC", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/compute/resource_compute_global_address.go#L118"},
		{Path: "prefixLength", Why: "range size fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/compute/resource_compute_global_address.go#L130", RemovalKeepsValue: true},
		{Path: "project", Why: "an address cannot move project", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/compute/resource_compute_global_address.go#L175", RemovalKeepsValue: true},
		{Path: "purpose", Why: "VPC_PEERING/PRIVATE_SERVICE_CONNECT fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/compute/resource_compute_global_address.go#L140"},
	},
	// A replaced Redis instance is a new, empty cache with a new IP and AUTH string.
	"gcp:redis/instance:Instance": {
		{Path: "alternativeLocationId", Why: "standby zone fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/redis/resource_redis_instance.go#L118", RemovalKeepsValue: true},
		{Path: "authorizedNetwork", Why: "the VPC it peers or connects to", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/redis/resource_redis_instance.go#L136", RemovalKeepsValue: true},
		{Path: "connectMode", Why: "DIRECT_PEERING vs PRIVATE_SERVICE_ACCESS fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/redis/resource_redis_instance.go#L145"},
		{Path: "customerManagedKey", Why: "CMEK key fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/redis/resource_redis_instance.go#L153"},
		{Path: "locationId", Why: "primary zone fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/redis/resource_redis_instance.go#L175", RemovalKeepsValue: true},
		{Path: "name", Why: "instances cannot be renamed", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/redis/resource_redis_instance.go#L110"},
		{Path: "project", Why: "an instance cannot move project", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/redis/resource_redis_instance.go#L580", RemovalKeepsValue: true},
		{Path: "redisVersion", Why: "downgrading only (CustomizeDiff); upgrading is in place", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/redis/resource_redis_instance.go#L96", RemovalKeepsValue: true},
		{Path: "region", Why: "an instance cannot move region", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/redis/resource_redis_instance.go#L372", RemovalKeepsValue: true},
		{Path: "reservedIpRange", Why: "its IP range is allocated at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/redis/resource_redis_instance.go#L388", RemovalKeepsValue: true},
		{Path: "tier", Why: "BASIC vs STANDARD_HA fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/redis/resource_redis_instance.go#L408"},
		{Path: "transitEncryptionMode", Why: "in-transit TLS fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/redis/resource_redis_instance.go#L419"},
	},
	// A replaced bucket is a new, empty bucket (and deleting the old one fails while it
	// holds objects, unless forceDestroy).
	"gcp:storage/bucket:Bucket": {
		{Path: "customPlacementConfig.dataLocations", Why: "dual-region pair fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/storage/resource_storage_bucket.go#L495"},
		{Path: "enableObjectRetention", Why: "object retention fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/storage/resource_storage_bucket.go#L293"},
		{Path: "location", Why: "a bucket cannot move location", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/storage/resource_storage_bucket.go#L124"},
		{Path: "name", Why: "buckets cannot be renamed", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/storage/resource_storage_bucket.go#L65"},
		{Path: "project", Why: "a bucket cannot move project", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/storage/resource_storage_bucket.go#L135", RemovalKeepsValue: true},
		{Path: "retentionPolicy.isLocked", Why: "unlocking a locked policy only (CustomizeDiff): GCS never unlocks", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/storage/resource_storage_bucket.go#L42"},
	},
	// A replaced connection tears down the private services peering: Cloud SQL and
	// Redis private IPs are unreachable until it is back.
	"gcp:servicenetworking/connection:Connection": {
		{Path: "network", Why: "the peering belongs to one VPC", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/servicenetworking/resource_service_networking_connection.go#L42"},
		{Path: "service", Why: "the peering belongs to one service producer", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/servicenetworking/resource_service_networking_connection.go#L55"},
	},
	// A replaced service account has a new unique ID: IAM grants and Workload
	// Identity bindings naming the old one no longer apply.
	"gcp:serviceaccount/account:Account": {
		{Path: "accountId", Why: "\"changing this forces a new service account to be created\"", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/website/docs/r/google_service_account.html.markdown?plain=1#L40"},
		{Path: "project", Why: "an account cannot move project", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/resourcemanager/resource_google_service_account.go#L80", RemovalKeepsValue: true},
	},
	// A replaced certificate is provisioned again: HTTPS waits for the new one to be
	// issued (domain authorization) before it serves.
	"gcp:certificatemanager/certificate:Certificate": {
		{Path: "location", Why: "a certificate cannot move location", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/certificatemanager/resource_certificate_manager_certificate.go#L100"},
		{Path: "managed", Why: "domains, DNS authorizations and issuance config are fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/certificatemanager/resource_certificate_manager_certificate.go#L107"},
		{Path: "name", Why: "certificates cannot be renamed", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/certificatemanager/resource_certificate_manager_certificate.go#L78"},
		{Path: "project", Why: "a certificate cannot move project", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/certificatemanager/resource_certificate_manager_certificate.go#L290", RemovalKeepsValue: true},
		{Path: "scope", Why: "DEFAULT/EDGE_CACHE/ALL_REGIONS fixed at creation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/certificatemanager/resource_certificate_manager_certificate.go#L208"},
		{Path: "selfManaged", Why: "the uploaded PEM cannot be replaced in place", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/certificatemanager/resource_certificate_manager_certificate.go#L225"},
	},
}

// ChangedByGCP: inputs whose live value GCP moves on its own (auto-resize, autoscaler, auto-upgrade); the program must ignore their drift.
var ChangedByGCP = map[string][]Field{
	// GKE reports the first node pool's config here once the default pool is gone,
	// and auto-upgrades the nodes.
	"gcp:container/cluster:Cluster": {
		{Path: "nodeConfig", Why: "for responses GKE fills it from the first node pool: after removeDefaultNodePool that is another pool", Source: "https://github.com/googleapis/googleapis/blob/0054cdcbd8ea44298f329d916d8173dd736fbaaa/google/container/v1/cluster_service.proto"},
		{Path: "nodeVersion", Why: "read back from currentNodeVersion, which auto-upgrade moves", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_cluster.go#L2787"},
	},
	// The cluster autoscaler resizes the pool and auto-upgrade moves its version.
	"gcp:container/nodePool:NodePool": {
		{Path: "initialNodeCount", Why: "a resize may change it, and a change forces recreation", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/website/docs/r/container_node_pool.html.markdown?plain=1#L114"},
		{Path: "nodeCount", Why: "read from the instance groups' target size, which the autoscaler sets", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/google-beta/services/container/resource_container_node_pool.go#L1119"},
		{Path: "version", Why: "auto-upgrade and a set version \"fight each other\"", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/website/docs/r/container_node_pool.html.markdown?plain=1#L163"},
	},
	// Storage auto-increase grows the disk behind the configuration's back.
	"gcp:sql/databaseInstance:DatabaseInstance": {
		{Path: "settings.diskSize", Why: "auto-resize grows it; applying the old size would shrink, which replaces", Source: "https://github.com/hashicorp/terraform-provider-google-beta/blob/v5.42.0/website/docs/r/sql_database_instance.html.markdown?plain=1#L297"},
	},
}

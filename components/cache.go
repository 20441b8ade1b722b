package components

import (
	"fmt"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/redis"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// CacheArgs configures the Memorystore for Redis instance.
type CacheArgs struct {
	Region string
	// Tier is BASIC or STANDARD_HA (a replica in another zone, automatic failover).
	Tier         string
	MemorySizeGB int
	RedisVersion string
	// EvictionPolicy is Redis' maxmemory-policy.
	EvictionPolicy string
	// Network is the VPC (id) and PrivateServicesRange the name of its
	// allocated private services range: the instance takes its IP there,
	// beside Cloud SQL's, and has no public endpoint.
	Network              pulumi.StringInput
	PrivateServicesRange pulumi.StringInput
	// MaintenanceDay (MONDAY … SUNDAY) and MaintenanceHour (UTC) are the weekly window.
	MaintenanceDay  string
	MaintenanceHour int
	Labels          map[string]string
	// DependsOn must hold the private services connection: without the
	// peering the instance cannot be created in PRIVATE_SERVICE_ACCESS mode.
	DependsOn []pulumi.Resource
}

// Cache is a Memorystore for Redis instance reachable only on the VPC, with
// AUTH and in-transit encryption (clients verify the server's CA).
type Cache struct {
	pulumi.ResourceState

	InstanceName pulumi.StringOutput `pulumi:"instanceName"`
	Host         pulumi.StringOutput `pulumi:"host"`
	Port         pulumi.IntOutput    `pulumi:"port"`
	// AuthString is secret: only a Kubernetes Secret may carry it.
	AuthString pulumi.StringOutput `pulumi:"authString"`
	// CACertificate is the PEM of the server's CA, for the clients (public).
	CACertificate pulumi.StringOutput `pulumi:"caCertificate"`
}

// NewCache declares the instance.
func NewCache(ctx *pulumi.Context, name string, args *CacheArgs, opts ...pulumi.ResourceOption) (*Cache, error) {
	c := &Cache{}
	if err := ctx.RegisterComponentResource("django-gke:components:Cache", name, c, opts...); err != nil {
		return nil, err
	}
	child := childrenOf(c, opts)
	inst, err := redis.NewInstance(ctx, name+"-redis", cacheInstanceArgs(args), child.opts(pulumi.DependsOn(args.DependsOn))...)
	if err != nil {
		return nil, fmt.Errorf("creating Memorystore instance: %w", err)
	}
	c.InstanceName = inst.Name
	c.Host = inst.Host
	c.Port = inst.Port
	c.AuthString = pulumi.ToSecret(inst.AuthString).(pulumi.StringOutput)
	// The instance's current CA comes first; during a rotation Memorystore
	// lists the next one too, so the clients trust the whole list.
	c.CACertificate = inst.ServerCaCerts.ApplyT(func(certs []redis.InstanceServerCaCert) string {
		pem := ""
		for _, cert := range certs {
			if cert.Cert != nil {
				pem += *cert.Cert
			}
		}
		return pem
	}).(pulumi.StringOutput)
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"instanceName":  c.InstanceName,
		"host":          c.Host,
		"port":          c.Port,
		"authString":    c.AuthString,
		"caCertificate": c.CACertificate,
	})
}

func cacheInstanceArgs(args *CacheArgs) *redis.InstanceArgs {
	return &redis.InstanceArgs{
		Region:       pulumi.String(args.Region),
		Tier:         pulumi.String(args.Tier),
		MemorySizeGb: pulumi.Int(args.MemorySizeGB),
		RedisVersion: pulumi.String(args.RedisVersion),
		// The private services range, like Cloud SQL: no peering of its own,
		// and an address the pods' NetworkPolicy can name.
		ConnectMode:       pulumi.String("PRIVATE_SERVICE_ACCESS"),
		AuthorizedNetwork: args.Network,
		ReservedIpRange:   args.PrivateServicesRange,
		AuthEnabled:       pulumi.Bool(true),
		// TLS on port 6378; the server presents a certificate of its own CA.
		TransitEncryptionMode: pulumi.String("SERVER_AUTHENTICATION"),
		RedisConfigs:          pulumi.StringMap{"maxmemory-policy": pulumi.String(args.EvictionPolicy)},
		MaintenancePolicy: &redis.InstanceMaintenancePolicyArgs{
			WeeklyMaintenanceWindows: redis.InstanceMaintenancePolicyWeeklyMaintenanceWindowArray{
				redis.InstanceMaintenancePolicyWeeklyMaintenanceWindowArgs{
					Day: pulumi.String(args.MaintenanceDay),
					StartTime: redis.InstanceMaintenancePolicyWeeklyMaintenanceWindowStartTimeArgs{
						Hours: pulumi.Int(args.MaintenanceHour), Minutes: pulumi.Int(0), Seconds: pulumi.Int(0), Nanos: pulumi.Int(0),
					},
				},
			},
		},
		Labels: pulumi.ToStringMap(args.Labels),
	}
}

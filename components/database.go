package components

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/sql"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// DatabaseArgs configures the Cloud SQL Postgres instance.
type DatabaseArgs struct {
	Region  string
	Version string
	Tier    string
	// Availability is ZONAL or REGIONAL (a standby in another zone, automatic failover).
	Availability        string
	DiskGB              int
	PointInTimeRecovery bool
	RetainedBackups     int
	// DeletionProtection sets both flags: Pulumi's and Cloud SQL's own.
	DeletionProtection bool
	// MaxConnections is the max_connections flag, from the capacity plan.
	MaxConnections int
	// PrivateNetwork is the VPC (id or self link) the private IP lives in.
	PrivateNetwork pulumi.StringInput
	// Maintenance: day 1–7 (Monday–Sunday), hour 0–23 UTC, track canary or stable.
	MaintenanceDay, MaintenanceHour int
	UpdateTrack                     string
	DatabaseName, UserName          string
	Labels                          map[string]string
	// DependsOn must hold the private services connection: without the peering
	// the instance cannot get its private IP.
	DependsOn []pulumi.Resource
	// Regions, when set, declares one instance per region, each named by its
	// region's code: the first is the primary (with the database and user),
	// every other a cross-region read replica of it. A failover reorders the
	// list: the promoted replica's instance is updated in place (Cloud SQL
	// promotes it), never renamed. Empty: one instance in Region.
	Regions []DatabaseRegion
}

// DatabaseRegion is one region's instance in a multi-region database.
type DatabaseRegion struct {
	Region, Code string
	// Options are extra options for the region's instance: what a region the
	// caller treats apart (a lost one) needs.
	Options []pulumi.ResourceOption
}

// DatabaseReplica is a read replica's endpoint.
type DatabaseReplica struct {
	ConnectionName, PrivateIP, InstanceName pulumi.StringOutput
}

// Database is a Cloud SQL Postgres instance reachable only on the VPC, with the
// app's database and user. Connections go through the Cloud SQL Auth Proxy.
type Database struct {
	pulumi.ResourceState

	ConnectionName pulumi.StringOutput `pulumi:"connectionName"`
	InstanceName   pulumi.StringOutput `pulumi:"instanceName"`
	PrivateIP      pulumi.StringOutput `pulumi:"privateIp"`
	DatabaseName   pulumi.StringOutput `pulumi:"databaseName"`
	UserName       pulumi.StringOutput `pulumi:"userName"`
	// Password is secret.
	Password pulumi.StringOutput `pulumi:"password"`
	// Instance takes minutes to create: what must wait that long depends on it.
	Instance *sql.DatabaseInstance
	// Replicas by region, with DatabaseArgs.Regions (the primary's region has none).
	Replicas map[string]DatabaseReplica
}

// NewDatabase declares the instance, the database and the user.
func NewDatabase(ctx *pulumi.Context, name string, args *DatabaseArgs, opts ...pulumi.ResourceOption) (*Database, error) {
	d := &Database{}
	if err := ctx.RegisterComponentResource("django-gke:components:Database", name, d, opts...); err != nil {
		return nil, err
	}
	child := childrenOf(d, opts)
	// settings.diskSize is the size at creation. Auto-resize grows the disk behind
	// the config's back, and the provider replaces an instance whose disk would
	// shrink: a new, empty instance. So later changes are ignored; growing the
	// disk on purpose is `gcloud sql instances patch --storage-size` (Cloud SQL
	// never shrinks one).
	instanceOpts := child.opts(pulumi.DependsOn(args.DependsOn), pulumi.IgnoreChanges([]string{"settings.diskSize"}))
	var inst *sql.DatabaseInstance
	var err error
	dbArgs := &sql.DatabaseArgs{Name: pulumi.String(args.DatabaseName)}
	var followPrimary []pulumi.ResourceOption
	if len(args.Regions) == 0 {
		inst, err = sql.NewDatabaseInstance(ctx, name+"-pg", instanceArgs(args), instanceOpts...)
		if err != nil {
			return nil, fmt.Errorf("creating Cloud SQL instance: %w", err)
		}
	} else {
		if inst, d.Replicas, err = declareRegionalInstances(ctx, name, args, instanceOpts); err != nil {
			return nil, err
		}
		// The database and the user are created once, on the first primary;
		// replication puts them on every replica. After a failover they are
		// already on the promoted instance, so a new primary is not a change
		// to them (re-creating them there would fail: they exist), and the old
		// primary's are abandoned, never dropped.
		dbArgs.DeletionPolicy = pulumi.String("ABANDON")
		followPrimary = append(followPrimary, pulumi.IgnoreChanges([]string{"instance"}))
	}
	dbArgs.Instance = inst.Name
	db, err := sql.NewDatabase(ctx, name+"-db", dbArgs, child.opts(followPrimary...)...)
	if err != nil {
		return nil, fmt.Errorf("creating database: %w", err)
	}
	password, err := random.NewRandomPassword(ctx, name+"-db-password", &random.RandomPasswordArgs{
		Length: pulumi.Int(32),
		// Letters and digits only: the password travels in URLs and env vars unescaped.
		Special: pulumi.Bool(false),
	}, child.opts()...)
	if err != nil {
		return nil, fmt.Errorf("generating database password: %w", err)
	}
	user, err := sql.NewUser(ctx, name+"-user", &sql.UserArgs{
		Instance: inst.Name,
		Name:     pulumi.String(args.UserName),
		Password: password.Result,
		// Postgres refuses to drop a role that owns tables; the instance's deletion removes it.
		DeletionPolicy: pulumi.String("ABANDON"),
	}, child.opts(followPrimary...)...)
	if err != nil {
		return nil, fmt.Errorf("creating database user: %w", err)
	}
	d.Instance = inst
	d.ConnectionName = inst.ConnectionName
	d.InstanceName = inst.Name
	d.PrivateIP = inst.PrivateIpAddress
	d.DatabaseName = db.Name
	d.UserName = user.Name
	d.Password = pulumi.ToSecret(password.Result).(pulumi.StringOutput)
	return d, ctx.RegisterResourceOutputs(d, pulumi.Map{
		"connectionName": d.ConnectionName,
		"instanceName":   d.InstanceName,
		"privateIp":      d.PrivateIP,
		"databaseName":   d.DatabaseName,
		"userName":       d.UserName,
		"password":       d.Password,
	})
}

func instanceArgs(args *DatabaseArgs) *sql.DatabaseInstanceArgs {
	return &sql.DatabaseInstanceArgs{
		DatabaseVersion:    pulumi.String(args.Version),
		Region:             pulumi.String(args.Region),
		DeletionProtection: pulumi.Bool(args.DeletionProtection),
		Settings: &sql.DatabaseInstanceSettingsArgs{
			Tier:             pulumi.String(args.Tier),
			Edition:          pulumi.String("ENTERPRISE"),
			AvailabilityType: pulumi.String(args.Availability),
			DiskType:         pulumi.String("PD_SSD"),
			DiskSize:         pulumi.Int(args.DiskGB),
			DiskAutoresize:   pulumi.Bool(true),
			// GCP's own guard, independent of Pulumi's.
			DeletionProtectionEnabled: pulumi.Bool(args.DeletionProtection),
			IpConfiguration: &sql.DatabaseInstanceSettingsIpConfigurationArgs{
				Ipv4Enabled:    pulumi.Bool(false),
				PrivateNetwork: args.PrivateNetwork,
				// The only client is the Cloud SQL Auth Proxy, which always presents
				// IAM-issued client certificates: require them, so a host on the VPC
				// (or a pod outside the app's namespace) with the password alone is
				// refused. ENCRYPTED_ONLY would accept it.
				SslMode: pulumi.String("TRUSTED_CLIENT_CERTIFICATE_REQUIRED"),
			},
			BackupConfiguration: &sql.DatabaseInstanceSettingsBackupConfigurationArgs{
				Enabled:                     pulumi.Bool(true),
				StartTime:                   pulumi.String("02:00"),
				PointInTimeRecoveryEnabled:  pulumi.Bool(args.PointInTimeRecovery),
				TransactionLogRetentionDays: pulumi.Int(7),
				BackupRetentionSettings: &sql.DatabaseInstanceSettingsBackupConfigurationBackupRetentionSettingsArgs{
					RetainedBackups: pulumi.Int(args.RetainedBackups),
					RetentionUnit:   pulumi.String("COUNT"),
				},
			},
			MaintenanceWindow: &sql.DatabaseInstanceSettingsMaintenanceWindowArgs{
				Day:         pulumi.Int(args.MaintenanceDay),
				Hour:        pulumi.Int(args.MaintenanceHour),
				UpdateTrack: pulumi.String(args.UpdateTrack),
			},
			InsightsConfig: &sql.DatabaseInstanceSettingsInsightsConfigArgs{
				QueryInsightsEnabled:  pulumi.Bool(true),
				QueryStringLength:     pulumi.Int(1024),
				RecordApplicationTags: pulumi.Bool(true),
				RecordClientAddress:   pulumi.Bool(false),
			},
			DatabaseFlags: databaseFlags(args.MaxConnections),
			UserLabels:    pulumi.ToStringMap(args.Labels),
		},
	}
}

// databaseFlags are the instance's Postgres flags: the connection budget, and
// the logging the CIS Google Cloud benchmark asks for (6.2.x). Connections
// are long-lived (gunicorn workers and the Auth Proxy keep them), so logging
// each connect and disconnect costs a few lines a deploy. Checkpoints are
// logged by default from Postgres 15 (release notes, E.x: "log_checkpoints
// now defaults to on"), not in 14, which the config allows: set for every
// version, so none depends on a default.
func databaseFlags(maxConnections int) sql.DatabaseInstanceSettingsDatabaseFlagArray {
	flag := func(name, value string) sql.DatabaseInstanceSettingsDatabaseFlagInput {
		return sql.DatabaseInstanceSettingsDatabaseFlagArgs{Name: pulumi.String(name), Value: pulumi.String(value)}
	}
	return sql.DatabaseInstanceSettingsDatabaseFlagArray{
		flag("max_connections", strconv.Itoa(maxConnections)),
		// Slow queries (over 1 s) land in Cloud Logging.
		flag("log_min_duration_statement", "1000"),
		flag("log_connections", "on"),
		flag("log_disconnections", "on"),
		flag("log_lock_waits", "on"),
		flag("log_temp_files", "0"),
		flag("log_checkpoints", "on"),
	}
}

// declareRegionalInstances declares the primary in the first region and a
// read replica of it in every other, each named by its region's code.
func declareRegionalInstances(ctx *pulumi.Context, name string, args *DatabaseArgs, opts []pulumi.ResourceOption) (*sql.DatabaseInstance, map[string]DatabaseReplica, error) {
	primaryArgs := *args
	primaryArgs.Region = args.Regions[0].Region
	pa := instanceArgs(&primaryArgs)
	// Explicit, so that promoting a replica is this one field (and the
	// master's name) changing: the provider calls promoteReplica in place.
	pa.InstanceType = pulumi.String("CLOUD_SQL_INSTANCE")
	primary, err := sql.NewDatabaseInstance(ctx, name+"-"+args.Regions[0].Code+"-pg", pa, append(slices.Clone(opts), args.Regions[0].Options...)...)
	if err != nil {
		return nil, nil, fmt.Errorf("creating the primary Cloud SQL instance in %s: %w", primaryArgs.Region, err)
	}
	replicas := map[string]DatabaseReplica{}
	for _, r := range args.Regions[1:] {
		ra := replicaArgs(args, r.Region, primary.Name)
		replica, err := sql.NewDatabaseInstance(ctx, name+"-"+r.Code+"-pg", ra, append(slices.Clone(opts), r.Options...)...)
		if err != nil {
			return nil, nil, fmt.Errorf("creating the Cloud SQL read replica in %s: %w", r.Region, err)
		}
		replicas[r.Region] = DatabaseReplica{ConnectionName: replica.ConnectionName, PrivateIP: replica.PrivateIpAddress, InstanceName: replica.Name}
	}
	return primary, replicas, nil
}

// replicaArgs is a cross-region read replica of master: the primary's
// machine, disk, network and flags (a hot standby needs max_connections at
// least the primary's), one zone, no backups or point-in-time recovery
// (Cloud SQL refuses them on a replica: the primary keeps them), and no
// maintenance window: Cloud SQL maintains a replica with its primary
// (terraform-google-modules' postgresql module never sets one on replicas).
func replicaArgs(args *DatabaseArgs, region string, master pulumi.StringInput) *sql.DatabaseInstanceArgs {
	a := *args
	a.Region, a.Availability = region, "ZONAL"
	ra := instanceArgs(&a)
	ra.MasterInstanceName = master
	ra.InstanceType = pulumi.String("READ_REPLICA_INSTANCE")
	settings := ra.Settings.(*sql.DatabaseInstanceSettingsArgs)
	settings.BackupConfiguration = nil
	settings.MaintenanceWindow = nil
	return ra
}

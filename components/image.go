package components

import (
	"fmt"
	"regexp"

	"github.com/pulumi/pulumi-docker/sdk/v4/go/docker"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/artifactregistry"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/organizations"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ImageName is the repository path of the app's image inside its registry.
const ImageName = "django"

// ImageArgs says where the app's image comes from: built here (dev), or the
// exact digest of another stack (promotion) or of config.
type ImageArgs struct {
	Build bool
	// Build inputs.
	Project, Region, Repository string
	Context, Dockerfile, Tag    string
	// Promotion inputs: Ref wins over PromoteFrom (a stack "<org>/<project>/<stack>").
	Ref, PromoteFrom string
	// Readers are IAM members (the nodes' service account) that pull the image.
	Readers []pulumi.StringInput
	Labels  map[string]string
}

// Image is the app image the stack deploys, always as repo@sha256:<digest>.
type Image struct {
	pulumi.ResourceState

	// ImageRef is the digest reference: a new push changes it and rolls the pods.
	ImageRef pulumi.StringOutput `pulumi:"imageRef"`
}

var artifactRegistryRef = regexp.MustCompile(`^([a-z0-9-]+)-docker\.pkg\.dev/([a-z][a-z0-9-]+)/([a-z0-9-]+)/[a-z0-9._/-]+@sha256:[a-f0-9]{64}$`)

// ParseArtifactRegistryRef splits "<location>-docker.pkg.dev/<project>/<repo>/<image>@sha256:…".
func ParseArtifactRegistryRef(ref string) (location, project, repository string, ok bool) {
	m := artifactRegistryRef.FindStringSubmatch(ref)
	if m == nil {
		return "", "", "", false
	}
	return m[1], m[2], m[3], true
}

// NewImage declares the registry and the build (Build), or resolves the promoted digest.
func NewImage(ctx *pulumi.Context, name string, args *ImageArgs, opts ...pulumi.ResourceOption) (*Image, error) {
	img := &Image{}
	if err := ctx.RegisterComponentResource("django-gke:components:Image", name, img, opts...); err != nil {
		return nil, err
	}
	child := childOptions(img, opts)
	var err error
	if args.Build {
		img.ImageRef, err = buildImage(ctx, name, img, args, child)
	} else {
		img.ImageRef, err = promotedImage(ctx, name, args, child)
	}
	if err != nil {
		return nil, err
	}
	return img, ctx.RegisterResourceOutputs(img, pulumi.Map{"imageRef": img.ImageRef})
}

// childOpts are a child's resource options (see childOptions).
type childOpts = func(extra ...pulumi.ResourceOption) []pulumi.ResourceOption

func buildImage(ctx *pulumi.Context, name string, img *Image, args *ImageArgs, child childOpts) (pulumi.StringOutput, error) {
	repo, err := artifactregistry.NewRepository(ctx, name+"-registry", &artifactregistry.RepositoryArgs{
		RepositoryId: pulumi.String(args.Repository),
		Location:     pulumi.String(args.Region),
		Format:       pulumi.String("DOCKER"),
		Description:  pulumi.String("django-gke app images, built in dev and promoted by digest"),
		// stg and prd run digests from here: keep the last 50 builds whatever their age,
		// delete the rest after 90 days (keep rules win over delete rules).
		CleanupPolicies: artifactregistry.RepositoryCleanupPolicyArray{
			artifactregistry.RepositoryCleanupPolicyArgs{
				Id:                 pulumi.String("keep-recent"),
				Action:             pulumi.String("KEEP"),
				MostRecentVersions: &artifactregistry.RepositoryCleanupPolicyMostRecentVersionsArgs{KeepCount: pulumi.Int(50)},
			},
			artifactregistry.RepositoryCleanupPolicyArgs{
				Id:        pulumi.String("delete-old"),
				Action:    pulumi.String("DELETE"),
				Condition: &artifactregistry.RepositoryCleanupPolicyConditionArgs{TagState: pulumi.String("ANY"), OlderThan: pulumi.String("7776000s")},
			},
		},
		CleanupPolicyDryRun: pulumi.Bool(false),
		Labels:              pulumi.ToStringMap(args.Labels),
	}, child()...)
	if err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("creating Artifact Registry repository: %w", err)
	}
	for i, member := range args.Readers {
		if _, err := artifactregistry.NewRepositoryIamMember(ctx, fmt.Sprintf("%s-registry-reader-%d", name, i), &artifactregistry.RepositoryIamMemberArgs{
			Project:    pulumi.String(args.Project),
			Location:   repo.Location,
			Repository: repo.Name,
			Role:       pulumi.String("roles/artifactregistry.reader"),
			Member:     member,
		}, child()...); err != nil {
			return pulumi.StringOutput{}, fmt.Errorf("granting registry read: %w", err)
		}
	}
	registry := args.Region + "-docker.pkg.dev"
	// A short-lived token of the deployer's own credentials: no JSON key anywhere.
	token := organizations.GetClientConfigOutput(ctx, pulumi.Parent(img)).AccessToken()
	image, err := docker.NewImage(ctx, name+"-image", &docker.ImageArgs{
		ImageName: pulumi.Sprintf("%s/%s/%s/%s:%s", registry, args.Project, repo.RepositoryId, ImageName, args.Tag),
		Build: &docker.DockerBuildArgs{
			Context:        pulumi.String(args.Context),
			Dockerfile:     pulumi.String(args.Dockerfile),
			Platform:       pulumi.String("linux/amd64"),
			BuilderVersion: docker.BuilderVersionBuilderBuildKit,
		},
		Registry: &docker.RegistryArgs{
			Server:   pulumi.String(registry),
			Username: pulumi.String("oauth2accesstoken"),
			Password: pulumi.ToSecret(token).(pulumi.StringOutput),
		},
		BuildOnPreview: pulumi.Bool(false),
	}, child(pulumi.DependsOn([]pulumi.Resource{repo}))...)
	if err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("building the app image: %w", err)
	}
	// The digest, never the tag: a new push changes it and rolls the pods.
	return image.RepoDigest, nil
}

func promotedImage(ctx *pulumi.Context, name string, args *ImageArgs, child childOpts) (pulumi.StringOutput, error) {
	var ref pulumi.StringOutput
	if args.Ref != "" {
		ref = pulumi.String(args.Ref).ToStringOutput()
	} else {
		source, err := pulumi.NewStackReference(ctx, name+"-promote-from", &pulumi.StackReferenceArgs{
			Name: pulumi.String(args.PromoteFrom),
		}, child()...)
		if err != nil {
			return pulumi.StringOutput{}, fmt.Errorf("referencing stack %s: %w", args.PromoteFrom, err)
		}
		from := args.PromoteFrom
		// ApplyT to check the shape: only a digest from Artifact Registry is deployable.
		ref = source.GetOutput(pulumi.String("imageRef")).ApplyT(func(v interface{}) (string, error) {
			s, _ := v.(string)
			if _, _, _, ok := ParseArtifactRegistryRef(s); !ok {
				return "", fmt.Errorf("stack %s exports imageRef %q, not an Artifact Registry digest (…-docker.pkg.dev/<project>/<repo>/<image>@sha256:…): run `pulumi up` on %s first", from, s, from)
			}
			return s, nil
		}).(pulumi.StringOutput)
	}
	// This stack's nodes pull from the source stack's registry.
	part := func(i int) pulumi.StringOutput {
		return ref.ApplyT(func(s string) string {
			location, project, repo, _ := ParseArtifactRegistryRef(s)
			return []string{location, project, repo}[i]
		}).(pulumi.StringOutput)
	}
	if _, _, _, ok := ParseArtifactRegistryRef(args.Ref); args.Ref == "" || ok {
		for i, member := range args.Readers {
			if _, err := artifactregistry.NewRepositoryIamMember(ctx, fmt.Sprintf("%s-source-reader-%d", name, i), &artifactregistry.RepositoryIamMemberArgs{
				Location:   part(0),
				Project:    part(1),
				Repository: part(2),
				Role:       pulumi.String("roles/artifactregistry.reader"),
				Member:     member,
			}, child()...); err != nil {
				return pulumi.StringOutput{}, fmt.Errorf("granting read on the source registry: %w", err)
			}
		}
	}
	return ref, nil
}

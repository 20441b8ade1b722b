// Package imageref names the app's image in a stack's Artifact Registry
// repository and checks digest references. It is pure (no Pulumi, no provider
// SDK), so the program and small tools such as cmd/promote share it cheaply.
package imageref

import (
	"fmt"
	"regexp"
	"strings"
)

// ImageName is the repository path of the app's image inside its registry.
const ImageName = "django"

var artifactRegistryRef = regexp.MustCompile(`^([a-z0-9-]+)-docker\.pkg\.dev/([a-z][a-z0-9-]+)/([a-z0-9-]+)/[a-z0-9._/-]+@sha256:[a-f0-9]{64}$`)

// ParseArtifactRegistryRef splits "<location>-docker.pkg.dev/<project>/<repo>/<image>@sha256:…".
func ParseArtifactRegistryRef(ref string) (location, project, repository string, ok bool) {
	m := artifactRegistryRef.FindStringSubmatch(ref)
	if m == nil {
		return "", "", "", false
	}
	return m[1], m[2], m[3], true
}

// ImageRepository is the app image's path in a stack's registry, without tag or digest.
func ImageRepository(region, project, repository string) string {
	return fmt.Sprintf("%s-docker.pkg.dev/%s/%s/%s", region, project, repository, ImageName)
}

// PromotedRef is the source's digest in this stack's registry.
func PromotedRef(region, project, repository, source string) (string, error) {
	_, digest, ok := strings.Cut(source, "@")
	if !ok || !strings.HasPrefix(digest, "sha256:") {
		return "", fmt.Errorf("%q is not pinned by digest (…@sha256:…)", source)
	}
	return ImageRepository(region, project, repository) + "@" + digest, nil
}

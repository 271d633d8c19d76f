// Package awsdata is the home of the AWS reference data iamlocal is built and tested from: the
// botocore API models, the Service Authorization Reference, the AWS managed policies and the
// conformance captures (SigV4 suites, real AWS error responses). Each folder's SOURCES.md says
// where its files come from, under which licence, and lists them.
//
// What the server needs at run time is embedded here and handed out by the accessors below.
// Test-only data (models, conformance) is read by tests from disk, through paths relative to
// their package, and never compiled into the binary.
//
// `go generate ./internal/awsdata` copies the listed files again from the shared reference
// folder (see refresh); building and testing never need that folder.
package awsdata

import (
	"embed"
	"io/fs"
	"path"
	"strings"
)

//go:generate go run ./refresh

// Only what the binary reads at run time. all-services.json (every AWS service, 3 MB) is there
// for the policy linter, which names services iamlocal does not emulate.
//
//go:embed managed-policies/policies.json
//go:embed service-authorization/iam.json service-authorization/sts.json
//go:embed service-authorization/lambda.json service-authorization/logs.json
//go:embed service-authorization/cloudwatch.json service-authorization/global-condition-keys.json
//go:embed service-authorization/all-services.json
var embedded embed.FS

const (
	managedPoliciesFile = "managed-policies/policies.json"
	serviceAuthDir      = "service-authorization"
	globalKeysFile      = "global-condition-keys.json"
	allServicesFile     = "all-services.json"
)

// notServices are the files of the service authorization folder that are not one service's.
var notServices = map[string]bool{globalKeysFile: true, allServicesFile: true}

// ManagedPolicies is managed-policies/policies.json: the JSON array of the AWS managed policies.
// Each call returns a fresh copy, so callers may keep or change it.
func ManagedPolicies() []byte { return mustRead(managedPoliciesFile) }

// ServiceAuthorization is the Service Authorization Reference document of one service prefix
// ("iam", "lambda", ...), a fresh copy; ok is false for a prefix that is not embedded.
func ServiceAuthorization(prefix string) (doc []byte, ok bool) {
	name := prefix + ".json"
	if prefix == "" || strings.ContainsAny(prefix, "/.") || notServices[name] {
		return nil, false
	}
	doc, err := embedded.ReadFile(path.Join(serviceAuthDir, name))
	if err != nil {
		return nil, false
	}
	return doc, true
}

// ServicePrefixes lists, sorted, the service prefixes ServiceAuthorization knows. The go:embed
// directive above is the one place that decides them.
func ServicePrefixes() []string {
	entries, err := fs.ReadDir(embedded, serviceAuthDir)
	if err != nil {
		panic("awsdata: embedded " + serviceAuthDir + ": " + err.Error()) // fixed at build time
	}
	var out []string
	for _, e := range entries {
		if name := e.Name(); !notServices[name] {
			out = append(out, strings.TrimSuffix(name, ".json"))
		}
	}
	return out
}

// GlobalConditionKeys is service-authorization/global-condition-keys.json (the aws:* keys every
// service accepts), a fresh copy.
func GlobalConditionKeys() []byte { return mustRead(path.Join(serviceAuthDir, globalKeysFile)) }

// AllServices is service-authorization/all-services.json, a fresh copy: every AWS service
// prefix with its name, actions (access level, resource types, condition keys), resource types
// (ARN pattern, condition keys) and condition keys, in the compact form its README describes.
func AllServices() []byte { return mustRead(path.Join(serviceAuthDir, allServicesFile)) }

// mustRead reads an embedded file. The go:embed directive fails the build when a file is
// missing, so an error here cannot happen at run time.
func mustRead(name string) []byte {
	b, err := embedded.ReadFile(name) // ReadFile copies: the embedded bytes stay immutable
	if err != nil {
		panic("awsdata: embedded " + name + ": " + err.Error())
	}
	return b
}

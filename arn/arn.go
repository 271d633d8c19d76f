// Package arn parses and builds the Amazon Resource Names of the services iamlocal emulates,
// so that every ARN is written and read in one place. The format is the documented one
// ("Amazon Resource Names (ARNs)", AWS General Reference):
//
//	arn:partition:service:region:account-id:resource
//
// where the resource may itself hold colons or slashes ("function:f:prod", "user/path/bob").
// Each resource type's own format comes from the service's "Actions, resources, and condition
// keys" page (internal/awsdata/service-authorization). The package is pure: no storage, no
// HTTP, no AWS error types; callers word their own errors.
package arn

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// DefaultPartition is the partition of the commercial Regions, the default of every Options.
const DefaultPartition = "aws"

// Partitions are the partitions AWS defines, in the order of the SDKs' partitions.json
// (aws-sdk-go-v2 internal/endpoints/awsrulesfn/partitions.json: aws, aws-cn, aws-us-gov,
// aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc; the ARN page of the General Reference
// documents the first three). The slice is fresh on every call.
func Partitions() []string {
	return []string{"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}
}

// IsPartition reports whether s is one of Partitions.
func IsPartition(s string) bool { return slices.Contains(Partitions(), s) }

// ARN is an Amazon Resource Name split into its six fields (without the leading "arn").
// Region and Account are empty for resources that carry none (IAM, S3 buckets).
type ARN struct {
	Partition string
	Service   string
	Region    string
	Account   string
	Resource  string
}

// ErrMalformed is wrapped by every Parse error.
var ErrMalformed = errors.New("not an ARN")

// Parse splits s into its fields. It needs the "arn" prefix, six colon-separated fields (the
// sixth keeps any further colons) and a partition and a service; region, account and even the
// resource may be empty, because services differ in what they then answer (IAM's "names
// nothing" versus STS's "is invalid"), so that judgement is the caller's.
func Parse(s string) (ARN, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" {
		return ARN{}, fmt.Errorf("arn: %q: %w", s, ErrMalformed)
	}
	return ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}, nil
}

// String renders the ARN; Parse(a.String()) gives a back for any a that Parse returned.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// IsAccountID reports a 12-digit AWS account ID ("IAM identifiers", account ID).
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Scope is where a resource lives: the partition, the region and the account. IAM and STS
// names carry no region, so their builders ignore Region; a Scope is usually made once per
// request from the request's partition, region and caller account.
type Scope struct {
	Partition string
	Region    string
	Account   string
}

// in is the ARN of a regional resource of service in s.
func (s Scope) in(service, resource string) ARN {
	return ARN{Partition: s.Partition, Service: service, Region: s.Region, Account: s.Account, Resource: resource}
}

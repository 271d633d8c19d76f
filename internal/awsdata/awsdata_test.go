package awsdata

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// Every embedded document parses and has the shape its consumer reads.
func TestEmbeddedDocumentsParse(t *testing.T) {
	t.Parallel()
	type embeddedDoc struct {
		name  string // the file it is embedded from
		doc   []byte
		check func(t *testing.T, doc []byte)
	}
	tests := []embeddedDoc{
		{"managed-policies/policies.json", ManagedPolicies(), func(t *testing.T, doc []byte) {
			var policies []struct{ PolicyName, Arn, DefaultVersionId string }
			mustUnmarshal(t, doc, &policies)
			if len(policies) != 1628 { // the count SOURCES.md gives
				t.Errorf("%d policies, want 1628", len(policies))
			}
			for _, p := range policies {
				if p.PolicyName == "" || p.Arn == "" || p.DefaultVersionId == "" {
					t.Errorf("incomplete policy %+v", p)
				}
			}
		}},
		{"service-authorization/global-condition-keys.json", GlobalConditionKeys(), func(t *testing.T, doc []byte) {
			var keys struct {
				GlobalConditionKeys []struct{ Key, Type string }
			}
			mustUnmarshal(t, doc, &keys)
			if len(keys.GlobalConditionKeys) != 59 { // the count README.md gives
				t.Errorf("%d global condition keys, want 59", len(keys.GlobalConditionKeys))
			}
		}},
		{"service-authorization/all-services.json", AllServices(), func(t *testing.T, doc []byte) {
			var services map[string]struct {
				Name    string
				Actions map[string]struct{ Access string }
			}
			mustUnmarshal(t, doc, &services)
			if len(services) != 456 { // the count README.md gives
				t.Errorf("%d service prefixes, want 456", len(services))
			}
			if s := services["lambda"]; s.Name != "AWS Lambda" || len(s.Actions) == 0 {
				t.Errorf("lambda = %q with %d actions, want AWS Lambda with some", s.Name, len(s.Actions))
			}
		}},
	}
	for _, prefix := range ServicePrefixes() {
		doc, ok := ServiceAuthorization(prefix)
		if !ok {
			t.Fatalf("ServicePrefixes lists %q but ServiceAuthorization does not know it", prefix)
		}
		tests = append(tests, embeddedDoc{"service-authorization/" + prefix + ".json", doc, func(t *testing.T, doc []byte) {
			var svc struct {
				Service string
				Actions map[string]struct{ AccessLevel string }
			}
			mustUnmarshal(t, doc, &svc)
			if svc.Service != prefix || len(svc.Actions) == 0 {
				t.Errorf("service %q with %d actions, want %q with some", svc.Service, len(svc.Actions), prefix)
			}
		}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			onDisk, err := os.ReadFile(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(tt.doc, onDisk) {
				t.Errorf("the embedded copy differs from %s", tt.name)
			}
			tt.check(t, tt.doc)
		})
	}
}

func mustUnmarshal(t *testing.T, doc []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(doc, v); err != nil {
		t.Fatal(err)
	}
}

func TestServicePrefixes(t *testing.T) {
	t.Parallel()
	// The services iamlocal authorizes (emulator/authorize).
	if got, want := ServicePrefixes(), []string{"cloudwatch", "iam", "lambda", "logs", "sts"}; !slices.Equal(got, want) {
		t.Errorf("ServicePrefixes = %v, want %v", got, want)
	}
}

func TestServiceAuthorizationUnknown(t *testing.T) {
	t.Parallel()
	// all-services.json is every service, not one; the global keys are not a service.
	for _, prefix := range []string{"", "s3", "all-services", "global-condition-keys", "../models/iam", "iam.json", "IAM"} {
		if doc, ok := ServiceAuthorization(prefix); ok || doc != nil {
			t.Errorf("ServiceAuthorization(%q) = %d bytes, %v; want nil, false", prefix, len(doc), ok)
		}
	}
}

// The accessors hand out copies: what one caller does to its bytes, the next never sees.
func TestAccessorsReturnCopies(t *testing.T) {
	t.Parallel()
	iam := func() []byte { doc, _ := ServiceAuthorization("iam"); return doc }
	for name, get := range map[string]func() []byte{"ManagedPolicies": ManagedPolicies, "GlobalConditionKeys": GlobalConditionKeys, "ServiceAuthorization": iam,
		"AllServices": AllServices} {
		first := get()
		want := bytes.Clone(first)
		first[0] = 'x'
		if !bytes.Equal(get(), want) {
			t.Errorf("%s: a change to a returned slice shows in the next call", name)
		}
	}
}

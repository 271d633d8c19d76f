package iam

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/internal/awsdata"
	"github.com/iamlocal/iamlocal/protocol"
)

// unsettledPrincipals are service principals the AWS managed policies name for which no
// public source showed the role AWS creates (or the principal is not one a caller passes:
// a wildcard, a China-partition spelling). CreateServiceLinkedRole gives them slrFor's generic
// name. The list is checked both ways, so it shrinks as entries are settled.
var unsettledPrincipals = []string{
	"*a4b.amazonaws.com", "agent.wellarchitected.amazonaws.com", "autoscaling.amazonaws.com.cn",
	"contract.iq.amazonaws.com", "contributorinsights.dynamodb.amazonaws.com",
	"dmsintegration.migrationhub.amazonaws.com", "dsql.amazonaws.com", "ec2scheduled.amazonaws.com",
	"ecs-compute.amazonaws.com", "elasticmapreduce.amazonaws.com.cn", "events.amazonaws.com.cn",
	"metrics.wellarchitected.amazonaws.com", "migrationhub-orchestrator.amazonaws.com",
	"monitron.amazonaws.com", "networkmanager.amazonaws.com", "odb.amazonaws.com",
	"permission.iq.amazonaws.com", "profile.amazonaws.com", "redshift-data.amazonaws.com",
	"refactor-spaces.amazonaws.com", "replication.lexv2.amazonaws.com",
	"resale-authorization.marketplace.amazonaws.com", "restore-testing.backup.amazonaws.com",
	"s3.data-source.lustre.fsx.amazonaws.com", "scraper.aps.amazonaws.com",
	"securityhubv2.amazonaws.com", "smsintegration.migrationhub.amazonaws.com",
	"thirdparty.inspector2.amazonaws.com", "wellarchitected.amazonaws.com",
}

// Where a managed policy's role ARN and the role AWS creates disagree, with the source that
// settles it.
var slrARNExceptions = map[string]string{
	// AdministratorAccess-AWSElasticBeanstalk grants CreateServiceLinkedRole on
	// .../<principal>/AWSServiceRoleForElasticBeanstalk for both; the Elastic Beanstalk
	// Developer Guide ("Using service-linked roles") names the roles ...Maintenance and
	// ...ManagedUpdates.
	"maintenance.elasticbeanstalk.amazonaws.com":    "AWSServiceRoleForElasticBeanstalk",
	"managedupdates.elasticbeanstalk.amazonaws.com": "AWSServiceRoleForElasticBeanstalk",
}

// Policies a capture shows attached that policies.json does not hold (AWS still attaches
// AmazonLexBotPolicy: LocalStack's recorded lex.amazonaws.com snapshot and a Terraform export
// of a real account); iamlocal attaches nothing for them.
var slrPoliciesNotInData = map[string]bool{"AmazonLexBotPolicy": true}

// managedPolicyServices reads, from every AWS managed policy, the principals named in
// iam:AWSServiceName conditions and the exact role ARNs under role/aws-service-role/.
func managedPolicyServices(t *testing.T) (named map[string]bool, roles map[string]map[string]bool, paths map[string]string) {
	t.Helper()
	var policies []struct {
		PolicyName, Path string
		Document         json.RawMessage
	}
	if err := json.Unmarshal(awsdata.ManagedPolicies(), &policies); err != nil {
		t.Fatal(err)
	}
	roleARN := regexp.MustCompile(`^arn:aws:iam::[^:]*:role/aws-service-role/([a-z0-9.-]+)/([\w+=,.@*-]+)$`)
	named, roles, paths = map[string]bool{}, map[string]map[string]bool{}, map[string]string{}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(k, x)
			}
		case []any:
			for _, x := range v {
				walk(key, x)
			}
		case string:
			if strings.EqualFold(key, "iam:AWSServiceName") {
				named[v] = true
			}
			if m := roleARN.FindStringSubmatch(v); m != nil {
				named[m[1]] = true
				if !strings.Contains(m[2], "*") {
					if roles[m[1]] == nil {
						roles[m[1]] = map[string]bool{}
					}
					roles[m[1]][m[2]] = true
				}
			}
		}
	}
	for _, p := range policies {
		paths[p.PolicyName] = p.Path
		var doc any
		if err := json.Unmarshal(p.Document, &doc); err != nil {
			t.Fatalf("%s: %v", p.PolicyName, err)
		}
		walk("", doc)
	}
	return named, roles, paths
}

// Every entry agrees with the AWS managed policies: its policy is one of theirs under
// /aws-service-role/, a role ARN they name for its principal is its role, and an entry whose
// name comes from them is there.
func TestServiceLinkedRoleTableMatchesManagedPolicies(t *testing.T) {
	t.Parallel()
	_, roles, paths := managedPolicyServices(t)
	byRole, byPolicy := map[string]string{}, map[string]string{}
	for service, def := range serviceLinkedRoles {
		if def.source == 0 {
			t.Errorf("%s: no source", service)
		}
		if !strings.HasPrefix(def.role, "AWSServiceRoleFor") || len(def.role) > 64 {
			t.Errorf("%s: role %q is not a service-linked role name", service, def.role)
		}
		if other, dup := byRole[def.role]; dup {
			t.Errorf("%s and %s both create %s", service, other, def.role)
		}
		byRole[def.role] = service
		if def.policy != "" {
			if other, dup := byPolicy[def.policy]; dup {
				t.Errorf("%s and %s both attach %s", service, other, def.policy)
			}
			byPolicy[def.policy] = service
			if path, ok := paths[def.policy]; ok && path != slrPathPrefix {
				t.Errorf("%s: %s is under %s, not %s", service, def.policy, path, slrPathPrefix)
			} else if !ok && !slrPoliciesNotInData[def.policy] {
				t.Errorf("%s: %s is no AWS managed policy", service, def.policy)
			}
		}
		if want := slrARNExceptions[service]; want != "" {
			if !roles[service][want] {
				t.Errorf("%s: the exception for %s is stale", service, want)
			}
			continue
		}
		for name := range roles[service] {
			if name != def.role {
				t.Errorf("%s: a managed policy names role %s, the table %s", service, name, def.role)
			}
		}
		if def.source == fromManagedPolicy && !roles[service][def.role] {
			t.Errorf("%s: %s is said to come from a managed policy, which names %v", service, def.role, roles[service])
		}
	}
}

// Every principal the AWS managed policies name is in the table or listed as unsettled, and
// the unsettled list names nothing the table knows.
func TestServiceLinkedRoleTableCoversManagedPolicies(t *testing.T) {
	t.Parallel()
	named, _, _ := managedPolicyServices(t)
	unsettled := map[string]bool{}
	for _, s := range unsettledPrincipals {
		unsettled[s] = true
		if _, ok := serviceLinkedRoles[s]; ok {
			t.Errorf("%s is in the table and listed as unsettled", s)
		}
		if !named[s] {
			t.Errorf("%s is listed as unsettled but no managed policy names it", s)
		}
	}
	var missing []string
	for s := range named {
		if _, ok := serviceLinkedRoles[s]; !ok && !unsettled[s] {
			missing = append(missing, s)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("principals the managed policies name, in neither list: %v", missing)
	}
}

// The roles AWS documents for a few services, created through the API: name, path, ARN, the
// principal's trust policy, the attached policy, and no description unless one is given.
func TestServiceLinkedRoleDocumentedNames(t *testing.T) {
	t.Parallel()
	e := newRPEnv(t)
	tests := []struct{ service, role, policy string }{
		// Incident Manager User Guide, "Using service-linked roles for Incident Manager".
		{"ssm-incidents.amazonaws.com", "AWSServiceRoleForIncidentManager", "AWSIncidentManagerServiceRolePolicy"},
		// Systems Manager User Guide, "Using roles to collect AWS account information for OpsCenter and Explorer".
		{"accountdiscovery.ssm.amazonaws.com", "AWSServiceRoleForAmazonSSM_AccountDiscovery", "AWSSystemsManagerAccountDiscoveryServicePolicy"},
		// AWS Auto Scaling User Guide, "Service-linked roles for AWS Auto Scaling".
		{"autoscaling-plans.amazonaws.com", "AWSServiceRoleForAutoScalingPlans_EC2AutoScaling", "AWSAutoScalingPlansEC2AutoScalingPolicy"},
		{"ses.amazonaws.com", "AWSServiceRoleForAmazonSES", "AmazonSESServiceRolePolicy"},
		{"dynamodb.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable", "AWSApplicationAutoscalingDynamoDBTablePolicy"},
		// Amazon Inspector User Guide, "Service-linked role permissions for Amazon Inspector agentless scans".
		{"agentless.inspector2.amazonaws.com", "AWSServiceRoleForAmazonInspector2Agentless", "AmazonInspector2AgentlessServiceRolePolicy"},
		{"lex.amazonaws.com", "AWSServiceRoleForLexBots", ""}, // AmazonLexBotPolicy is not in policies.json
	}
	for _, tt := range tests {
		out, err := e.s.CreateServiceLinkedRole(e.ctx, &iamapi.CreateServiceLinkedRoleRequest{AWSServiceName: protocol.Ptr(tt.service)})
		rpOK(t, err)
		r := out.Role
		path := "/aws-service-role/" + tt.service + "/"
		if *r.RoleName != tt.role || *r.Path != path || *r.Arn != "arn:aws:iam::123456789012:role"+path+tt.role || r.Description != nil {
			t.Errorf("%s: role = %s %s %s %v", tt.service, *r.RoleName, *r.Path, *r.Arn, r.Description)
		}
		if got, want := decoded(t, r.AssumeRolePolicyDocument), slrTrustPolicy(tt.service); got != want {
			t.Errorf("%s: trust policy = %s, want %s", tt.service, got, want)
		}
		att, err := e.s.ListAttachedRolePolicies(e.ctx, &iamapi.ListAttachedRolePoliciesRequest{RoleName: r.RoleName})
		rpOK(t, err)
		var got []string
		for _, p := range att.AttachedPolicies {
			got = append(got, *p.PolicyArn)
		}
		want := []string(nil)
		if tt.policy != "" {
			want = []string{"arn:aws:iam::aws:policy/aws-service-role/" + tt.policy}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: attached %v, want %v", tt.service, got, want)
		}
	}
}

// CustomSuffix is refused by every service in the table but the three AWS was recorded
// accepting it for, which append "_<suffix>" to the role name.
func TestServiceLinkedRoleCustomSuffix(t *testing.T) {
	t.Parallel()
	e := newRPEnv(t)
	var takers []string
	for service, def := range serviceLinkedRoles {
		out, err := e.s.CreateServiceLinkedRole(e.ctx, &iamapi.CreateServiceLinkedRoleRequest{
			AWSServiceName: protocol.Ptr(service), CustomSuffix: protocol.Ptr("testsuffix")})
		if !def.suffix {
			rpWant(t, err, "InvalidInput", "Custom suffix is not allowed for "+service)
			continue
		}
		rpOK(t, err)
		takers = append(takers, service)
		if *out.Role.RoleName != def.role+"_testsuffix" {
			t.Errorf("%s: role = %s", service, *out.Role.RoleName)
		}
	}
	sort.Strings(takers)
	if got := strings.Join(takers, " "); got != "autoscaling.amazonaws.com connect.amazonaws.com lexv2.amazonaws.com" {
		t.Errorf("services taking a suffix: %s", got)
	}
}

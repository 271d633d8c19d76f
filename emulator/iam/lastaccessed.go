package iam

import (
	"context"
	"encoding/json"
	"sort"
	"strings"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/iam/awsmanaged"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// Service last accessed data (IAM User Guide, "Refining permissions using last accessed
// information"). iamlocal records no service access, so a report is COMPLETED at once and lists
// the services the entity's (or policy's) permissions policies allow, with no LastAuthenticated
// data and TotalAuthenticatedEntities 0: what AWS reports for services never used. Allowed
// services are found from the Allow statements' Action and NotAction patterns, matched against
// the service namespaces that AWS managed policies name.

// serviceNames are the display names IAM reports for common namespaces; others report the
// namespace itself.
var serviceNames = map[string]string{
	"apigateway": "Amazon API Gateway", "cloudformation": "AWS CloudFormation", "cloudfront": "Amazon CloudFront",
	"cloudtrail": "AWS CloudTrail", "cloudwatch": "Amazon CloudWatch", "dynamodb": "Amazon DynamoDB",
	"ec2": "Amazon EC2", "ecr": "Amazon Elastic Container Registry", "ecs": "Amazon Elastic Container Service",
	"eks": "Amazon Elastic Kubernetes Service", "events": "Amazon EventBridge", "iam": "AWS Identity and Access Management",
	"kinesis": "Amazon Kinesis", "kms": "AWS Key Management Service", "lambda": "AWS Lambda",
	"logs": "Amazon CloudWatch Logs", "rds": "Amazon RDS", "route53": "Amazon Route 53", "s3": "Amazon S3",
	"secretsmanager": "AWS Secrets Manager", "sns": "Amazon SNS", "sqs": "Amazon SQS", "ssm": "AWS Systems Manager",
	"states": "AWS Step Functions", "sts": "AWS Security Token Service", "xray": "AWS X-Ray",
}

func serviceName(ns string) string {
	if n, ok := serviceNames[ns]; ok {
		return n
	}
	return ns
}

// allowedNamespaces returns the service namespaces a policy document allows some action of.
func allowedNamespaces(doc string) map[string]bool {
	out := map[string]bool{}
	var d struct{ Statement json.RawMessage }
	if json.Unmarshal([]byte(doc), &d) != nil {
		return out
	}
	var stmts []map[string]json.RawMessage
	if json.Unmarshal(d.Statement, &stmts) != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(d.Statement, &one) != nil {
			return out
		}
		stmts = []map[string]json.RawMessage{one}
	}
	catalogue := awsmanaged.ServiceNamespaces()
	for _, st := range stmts {
		var effect string
		if json.Unmarshal(st["Effect"], &effect) != nil || effect != "Allow" {
			continue
		}
		if raw, ok := st["NotAction"]; ok {
			// Allow NotAction: every service the exclusions do not wholly remove.
			excluded := map[string]bool{}
			for _, a := range awsmanaged.StringOrList(raw) {
				ns, act, ok := strings.Cut(a, ":")
				if a == "*" || ok && act == "*" {
					for _, c := range catalogue {
						if a == "*" || nsGlob(ns, c) {
							excluded[c] = true
						}
					}
				}
			}
			for _, c := range catalogue {
				if !excluded[c] {
					out[c] = true
				}
			}
			continue
		}
		for _, a := range awsmanaged.StringOrList(st["Action"]) {
			ns, _, ok := strings.Cut(a, ":")
			if !ok && a != "*" {
				continue
			}
			if a == "*" {
				ns = "*"
			}
			for _, c := range catalogue {
				if nsGlob(ns, c) {
					out[c] = true
				}
			}
			if !strings.ContainsAny(ns, "*?") && ns != "" {
				out[strings.ToLower(ns)] = true
			}
		}
	}
	return out
}

// nsGlob matches a namespace pattern with * and ? wildcards, without case.
func nsGlob(pattern, s string) bool {
	p, str := strings.ToLower(pattern), strings.ToLower(s)
	if p == "" {
		return str == ""
	}
	switch p[0] {
	case '*':
		for i := 0; i <= len(str); i++ {
			if nsGlob(p[1:], str[i:]) {
				return true
			}
		}
		return false
	case '?':
		return str != "" && nsGlob(p[1:], str[1:])
	}
	return str != "" && p[0] == str[0] && nsGlob(p[1:], str[1:])
}

// grantingPolicy is one permissions policy that applies to an identity.
type grantingPolicy struct {
	name, arn  string // arn only for managed policies
	entityKind string // owner of an inline policy: storage.KindUser, KindGroup, KindRole
	entityName string
	document   string
	namespaces map[string]bool
}

// identityPolicies collects the permissions policies of a user (with its groups'), group or
// role: inline ones first, then managed ones, each managed policy once.
func identityPolicies(tx *storage.Tx, names arn.Scope, e entity) ([]grantingPolicy, error) {
	owners := []entity{e}
	if e.kind == storage.KindUser {
		groups, err := storage.UserScope(tx, e.name).Groups().List()
		if err != nil {
			return nil, err
		}
		for _, m := range groups {
			if g, err := loadEntity(tx, storage.KindGroup, m.Group); err == nil {
				owners = append(owners, g)
			}
		}
	}
	var out []grantingPolicy
	seen := map[string]bool{}
	for _, o := range owners {
		ps, err := o.scope(tx).InlinePolicies().List()
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			out = append(out, grantingPolicy{name: p.Name, entityKind: o.kind, entityName: o.name, document: p.Document})
		}
	}
	for _, o := range owners {
		as, err := attachedPolicies(o.scope(tx))
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			if seen[a.PolicyARN] {
				continue
			}
			seen[a.PolicyARN] = true
			if doc, ok, err := defaultDocument(tx, names, a.PolicyARN); err != nil {
				return nil, err
			} else if ok {
				out = append(out, grantingPolicy{name: a.PolicyName, arn: a.PolicyARN, document: doc})
			}
		}
	}
	for i := range out {
		out[i].namespaces = allowedNamespaces(out[i].document)
	}
	return out, nil
}

// defaultDocument is the default version's document of a managed policy.
func defaultDocument(tx *storage.Tx, names arn.Scope, policyARN string) (string, bool, error) {
	p, found, err := findPolicy(tx, names, policyARN)
	if err != nil || !found {
		return "", false, err
	}
	if p.aws != nil {
		return p.aws.Document, true, nil
	}
	v, err := storage.PolicyVersionsOf(tx, p.local.Name).Get(p.local.DefaultVersion)
	if isNotFound(err) {
		return "", false, nil
	}
	return v.Document, err == nil, err
}

// arnEntity resolves the user, group or role an ARN of this account (names') names.
func arnEntity(tx *storage.Tx, names arn.Scope, text string) (entity, error) {
	a, err := arn.Parse(text)
	kind, path, name, ok := arn.SplitIAMResource(a.Resource)
	if err != nil || !a.InIAM(names) || !ok || path+name == "/" || kind != storage.KindUser && kind != storage.KindGroup && kind != storage.KindRole {
		return entity{}, iamapi.ErrInvalidInput("ARN %s is not valid.", text)
	}
	e, err := loadEntity(tx, kind, name)
	if err == nil && (e.path != path || e.name != name) {
		err = iamapi.ErrNoSuchEntity("The %s with name %s cannot be found.", kind, e.name)
	}
	return e, err
}

// entityARN is the ARN of a user, group or role.
func entityARN(names arn.Scope, e entity) string {
	switch e.kind {
	case storage.KindUser:
		return names.User(e.path, e.name).String()
	case storage.KindGroup:
		return names.Group(e.path, e.name).String()
	}
	return names.Role(e.path, e.name).String()
}

// ListPoliciesGrantingServiceAccess reports, per requested namespace, the identity's policies
// that allow some action of it. EntityType and EntityName describe inline policies only.
func (s *Service) ListPoliciesGrantingServiceAccess(ctx context.Context, in *iamapi.ListPoliciesGrantingServiceAccessRequest) (*iamapi.ListPoliciesGrantingServiceAccessResponse, error) {
	var ps []grantingPolicy
	err := s.view(ctx, func(tx *storage.Tx) error {
		e, err := arnEntity(tx, s.names(ctx), protocol.Val(in.Arn))
		if err != nil {
			return err
		}
		ps, err = identityPolicies(tx, s.names(ctx), e)
		return err
	})
	if err != nil {
		return nil, asAWS(err)
	}
	out := &iamapi.ListPoliciesGrantingServiceAccessResponse{IsTruncated: protocol.Ptr(false),
		PoliciesGrantingServiceAccess: []iamapi.ListPoliciesGrantingServiceAccessEntry{}}
	for _, ns := range in.ServiceNamespaces {
		entry := iamapi.ListPoliciesGrantingServiceAccessEntry{ServiceNamespace: protocol.Ptr(ns), Policies: []iamapi.PolicyGrantingServiceAccess{}}
		for _, p := range ps {
			if !p.namespaces[strings.ToLower(ns)] {
				continue
			}
			g := iamapi.PolicyGrantingServiceAccess{PolicyName: protocol.Ptr(p.name), PolicyType: protocol.Ptr("MANAGED")}
			if p.arn != "" {
				g.PolicyArn = protocol.Ptr(p.arn)
			} else {
				g.PolicyType = protocol.Ptr("INLINE")
				g.EntityType, g.EntityName = protocol.Ptr(strings.ToUpper(p.entityKind)), protocol.Ptr(p.entityName)
			}
			entry.Policies = append(entry.Policies, g)
		}
		out.PoliciesGrantingServiceAccess = append(out.PoliciesGrantingServiceAccess, entry)
	}
	return out, nil
}

// GenerateServiceLastAccessedDetails computes the report for a user, group, role or managed
// policy and stores it under a new JobId.
func (s *Service) GenerateServiceLastAccessedDetails(ctx context.Context, in *iamapi.GenerateServiceLastAccessedDetailsRequest) (*iamapi.GenerateServiceLastAccessedDetailsResponse, error) {
	arn := protocol.Val(in.Arn)
	job := storage.LastAccessedJobRecord{V: 1, ARN: arn, Granularity: protocol.Val(in.Granularity), Created: s.now(ctx)}
	if job.Granularity == "" {
		job.Granularity = "SERVICE_LEVEL"
	}
	id := s.ids.UUID()
	err := s.update(ctx, func(tx *storage.Tx) error {
		var err error
		if strings.Contains(arn, ":policy/") {
			err = policyJob(tx, s.names(ctx), &job)
		} else {
			err = identityJob(tx, s.names(ctx), &job)
		}
		if err != nil {
			return err
		}
		return storage.LastAccessedJobs(tx).Insert(id, job)
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.GenerateServiceLastAccessedDetailsResponse{JobId: protocol.Ptr(id)}, nil
}

func sortedNamespaces(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for ns := range set {
		out = append(out, ns)
	}
	sort.Strings(out)
	return out
}

func jobServices(set map[string]bool) []storage.LastAccessedService {
	var out []storage.LastAccessedService
	for _, ns := range sortedNamespaces(set) {
		out = append(out, storage.LastAccessedService{Namespace: ns, Name: serviceName(ns)})
	}
	return out
}

func jobEntity(names arn.Scope, e entity, ns []string) storage.LastAccessedEntity {
	return storage.LastAccessedEntity{ARN: entityARN(names, e), ID: e.id, Name: e.name, Path: e.path,
		Type: strings.ToUpper(e.kind), Namespaces: ns}
}

// identityJob reports a user, group or role. A group's report lists its members as entities.
func identityJob(tx *storage.Tx, names arn.Scope, job *storage.LastAccessedJobRecord) error {
	e, err := arnEntity(tx, names, job.ARN)
	if err != nil {
		return err
	}
	ps, err := identityPolicies(tx, names, e)
	if err != nil {
		return err
	}
	set := map[string]bool{}
	for _, p := range ps {
		for ns := range p.namespaces {
			set[ns] = true
		}
	}
	job.Services = jobServices(set)
	ns := sortedNamespaces(set)
	if e.kind != storage.KindGroup {
		job.Entities = []storage.LastAccessedEntity{jobEntity(names, e, ns)}
		return nil
	}
	members, err := storage.GroupScope(tx, e.name).Members().List()
	for _, m := range members {
		if u, err := loadEntity(tx, storage.KindUser, m.User); err == nil {
			job.Entities = append(job.Entities, jobEntity(names, u, ns))
		}
	}
	return err
}

// policyJob reports a managed policy; its entities are those it is attached to.
func policyJob(tx *storage.Tx, names arn.Scope, job *storage.LastAccessedJobRecord) error {
	p, err := getPolicy(tx, names, job.ARN)
	if err != nil {
		return err
	}
	doc, _, err := defaultDocument(tx, names, p.arn())
	if err != nil {
		return err
	}
	set := allowedNamespaces(doc)
	job.Services = jobServices(set)
	ns := sortedNamespaces(set)
	return storage.PolicyUsage(tx).Each(p.arn(), storage.UseAttached, func(ref storage.EntityRef) error {
		if e, err := loadEntity(tx, ref.Kind, ref.Key); err == nil {
			job.Entities = append(job.Entities, jobEntity(names, e, ns))
		}
		return nil
	})
}

// noSuchJob answers a JobId that names no report job of the account.
func noSuchJob(id string) error { return iamapi.ErrNoSuchEntity("No such job %s.", id) }

func (s *Service) loadJob(ctx context.Context, id string) (storage.LastAccessedJobRecord, error) {
	var job storage.LastAccessedJobRecord
	err := s.view(ctx, func(tx *storage.Tx) (err error) {
		job, err = storage.LastAccessedJobs(tx).Get(id)
		if isNotFound(err) {
			return noSuchJob(id)
		}
		return err
	})
	return job, asAWS(err)
}

func (s *Service) GetServiceLastAccessedDetails(ctx context.Context, in *iamapi.GetServiceLastAccessedDetailsRequest) (*iamapi.GetServiceLastAccessedDetailsResponse, error) {
	job, err := s.loadJob(ctx, protocol.Val(in.JobId))
	if err != nil {
		return nil, err
	}
	pg, err := paginate(job.Services, func(x storage.LastAccessedService) string { return x.Namespace }, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &iamapi.GetServiceLastAccessedDetailsResponse{
		JobStatus: protocol.Ptr("COMPLETED"), JobType: protocol.Ptr(job.Granularity),
		JobCreationDate: protocol.Ptr(job.Created), JobCompletionDate: protocol.Ptr(job.Created),
		ServicesLastAccessed: []iamapi.ServiceLastAccessed{}, IsTruncated: pg.IsTruncated(), Marker: pg.Marker,
	}
	for _, sv := range pg.Items {
		out.ServicesLastAccessed = append(out.ServicesLastAccessed, iamapi.ServiceLastAccessed{
			ServiceName: protocol.Ptr(sv.Name), ServiceNamespace: protocol.Ptr(sv.Namespace), TotalAuthenticatedEntities: protocol.Ptr(int32(0)),
		})
	}
	return out, nil
}

func (s *Service) GetServiceLastAccessedDetailsWithEntities(ctx context.Context, in *iamapi.GetServiceLastAccessedDetailsWithEntitiesRequest) (*iamapi.GetServiceLastAccessedDetailsWithEntitiesResponse, error) {
	job, err := s.loadJob(ctx, protocol.Val(in.JobId))
	if err != nil {
		return nil, err
	}
	ns := strings.ToLower(protocol.Val(in.ServiceNamespace))
	var ents []storage.LastAccessedEntity
	for _, e := range job.Entities {
		for _, n := range e.Namespaces {
			if n == ns {
				ents = append(ents, e)
				break
			}
		}
	}
	key := func(e storage.LastAccessedEntity) string { return e.Type + "\x00" + strings.ToLower(e.Name) }
	sort.Slice(ents, func(i, j int) bool { return key(ents[i]) < key(ents[j]) })
	pg, err := paginate(ents, key, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &iamapi.GetServiceLastAccessedDetailsWithEntitiesResponse{
		JobStatus: protocol.Ptr("COMPLETED"), JobCreationDate: protocol.Ptr(job.Created), JobCompletionDate: protocol.Ptr(job.Created),
		EntityDetailsList: []iamapi.EntityDetails{}, IsTruncated: pg.IsTruncated(), Marker: pg.Marker,
	}
	for _, e := range pg.Items {
		out.EntityDetailsList = append(out.EntityDetailsList, iamapi.EntityDetails{EntityInfo: &iamapi.EntityInfo{
			Arn: protocol.Ptr(e.ARN), Id: protocol.Ptr(e.ID), Name: protocol.Ptr(e.Name), Path: protocol.Ptr(e.Path), Type: protocol.Ptr(e.Type),
		}})
	}
	return out, nil
}

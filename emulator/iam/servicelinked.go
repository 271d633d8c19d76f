package iam

import (
	"context"
	"strings"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/iam/awsmanaged"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// Service-linked roles (IAM User Guide, "Using service-linked roles"). A service-linked role
// lives under /aws-service-role/<service principal>/, trusts that principal, carries the
// service's AWS managed policy, and is protected: only DeleteServiceLinkedRole removes it.

const slrPathPrefix = "/aws-service-role/"

// slrService is what AWS creates for one service principal: the role name, the policy under
// arn:aws:iam::aws:policy/aws-service-role/ it attaches, and whether CustomSuffix is accepted.
// The names are AWS's (the role and policy names AWS documents per service and that AWS
// answers; LocalStack's AWS-validated service role table for the suffix rules).
type slrService struct {
	role   string
	policy string
	suffix bool
}

var serviceLinkedRoles = map[string]slrService{
	"access-analyzer.amazonaws.com":                   {"AWSServiceRoleForAccessAnalyzer", "AccessAnalyzerServiceRolePolicy", false},
	"acm.amazonaws.com":                               {"AWSServiceRoleForCertificateManager", "CertificateManagerServiceRolePolicy", false},
	"appmesh.amazonaws.com":                           {"AWSServiceRoleForAppMesh", "AWSAppMeshServiceRolePolicy", false},
	"autoscaling.amazonaws.com":                       {"AWSServiceRoleForAutoScaling", "AutoScalingServiceRolePolicy", true},
	"backup.amazonaws.com":                            {"AWSServiceRoleForBackup", "AWSBackupServiceLinkedRolePolicyForBackup", false},
	"batch.amazonaws.com":                             {"AWSServiceRoleForBatch", "BatchServiceRolePolicy", false},
	"cloudtrail.amazonaws.com":                        {"AWSServiceRoleForCloudTrail", "CloudTrailServiceRolePolicy", false},
	"compute-optimizer.amazonaws.com":                 {"AWSServiceRoleForComputeOptimizer", "ComputeOptimizerServiceRolePolicy", false},
	"config.amazonaws.com":                            {"AWSServiceRoleForConfig", "AWSConfigServiceRolePolicy", false},
	"connect.amazonaws.com":                           {"AWSServiceRoleForAmazonConnect", "AmazonConnectServiceLinkedRolePolicy", true},
	"dynamodb.application-autoscaling.amazonaws.com":  {"AWSServiceRoleForApplicationAutoScaling_DynamoDBTable", "AWSApplicationAutoscalingDynamoDBTablePolicy", false},
	"ec2.application-autoscaling.amazonaws.com":       {"AWSServiceRoleForApplicationAutoScaling_EC2SpotFleetRequest", "AWSApplicationAutoscalingEC2SpotFleetRequestPolicy", false},
	"ecs.amazonaws.com":                               {"AWSServiceRoleForECS", "AmazonECSServiceRolePolicy", false},
	"ecs.application-autoscaling.amazonaws.com":       {"AWSServiceRoleForApplicationAutoScaling_ECSService", "AWSApplicationAutoscalingECSServicePolicy", false},
	"eks.amazonaws.com":                               {"AWSServiceRoleForAmazonEKS", "AmazonEKSServiceRolePolicy", false},
	"eks-fargate.amazonaws.com":                       {"AWSServiceRoleForAmazonEKSForFargate", "AmazonEKSForFargateServiceRolePolicy", false},
	"eks-nodegroup.amazonaws.com":                     {"AWSServiceRoleForAmazonEKSNodegroup", "AWSServiceRoleForAmazonEKSNodegroup", false},
	"elasticache.amazonaws.com":                       {"AWSServiceRoleForElastiCache", "ElastiCacheServiceRolePolicy", false},
	"elasticbeanstalk.amazonaws.com":                  {"AWSServiceRoleForElasticBeanstalk", "AWSElasticBeanstalkServiceRolePolicy", false},
	"elasticfilesystem.amazonaws.com":                 {"AWSServiceRoleForAmazonElasticFileSystem", "AmazonElasticFileSystemServiceRolePolicy", false},
	"elasticloadbalancing.amazonaws.com":              {"AWSServiceRoleForElasticLoadBalancing", "AWSElasticLoadBalancingServiceRolePolicy", false},
	"elasticmapreduce.amazonaws.com":                  {"AWSServiceRoleForEMRCleanup", "AmazonEMRCleanupPolicy", false},
	"emr-containers.amazonaws.com":                    {"AWSServiceRoleForAmazonEMRContainers", "AmazonEMRContainersServiceRolePolicy", false},
	"es.amazonaws.com":                                {"AWSServiceRoleForAmazonElasticsearchService", "AmazonElasticsearchServiceRolePolicy", false},
	"globalaccelerator.amazonaws.com":                 {"AWSServiceRoleForGlobalAccelerator", "AWSGlobalAcceleratorSLRPolicy", false},
	"guardduty.amazonaws.com":                         {"AWSServiceRoleForAmazonGuardDuty", "AmazonGuardDutyServiceRolePolicy", false},
	"kafka.amazonaws.com":                             {"AWSServiceRoleForKafka", "KafkaServiceRolePolicy", false},
	"lambda.application-autoscaling.amazonaws.com":    {"AWSServiceRoleForApplicationAutoScaling_LambdaConcurrency", "AWSApplicationAutoscalingLambdaConcurrencyPolicy", false},
	"lexv2.amazonaws.com":                             {"AWSServiceRoleForLexV2Bots", "AmazonLexV2BotPolicy", true},
	"mq.amazonaws.com":                                {"AWSServiceRoleForAmazonMQ", "AmazonMQServiceRolePolicy", false},
	"opensearchservice.amazonaws.com":                 {"AWSServiceRoleForAmazonOpenSearchService", "AmazonOpenSearchServiceRolePolicy", false},
	"ops.apigateway.amazonaws.com":                    {"AWSServiceRoleForAPIGateway", "APIGatewayServiceRolePolicy", false},
	"organizations.amazonaws.com":                     {"AWSServiceRoleForOrganizations", "AWSOrganizationsServiceTrustPolicy", false},
	"ram.amazonaws.com":                               {"AWSServiceRoleForResourceAccessManager", "AWSResourceAccessManagerServiceRolePolicy", false},
	"rds.amazonaws.com":                               {"AWSServiceRoleForRDS", "AmazonRDSServiceRolePolicy", false},
	"redshift.amazonaws.com":                          {"AWSServiceRoleForRedshift", "AmazonRedshiftServiceLinkedRolePolicy", false},
	"replicator.lambda.amazonaws.com":                 {"AWSServiceRoleForLambdaReplicator", "AWSLambdaReplicator", false},
	"sagemaker.application-autoscaling.amazonaws.com": {"AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint", "AWSApplicationAutoscalingSageMakerEndpointPolicy", false},
	"securityhub.amazonaws.com":                       {"AWSServiceRoleForSecurityHub", "AWSSecurityHubServiceRolePolicy", false},
	"spot.amazonaws.com":                              {"AWSServiceRoleForEC2Spot", "AWSEC2SpotServiceRolePolicy", false},
	"spotfleet.amazonaws.com":                         {"AWSServiceRoleForEC2SpotFleet", "AWSEC2SpotFleetServiceRolePolicy", false},
	"ssm.amazonaws.com":                               {"AWSServiceRoleForAmazonSSM", "AmazonSSMServiceRolePolicy", false},
	"sso.amazonaws.com":                               {"AWSServiceRoleForSSO", "AWSSSOServiceRolePolicy", false},
	"support.amazonaws.com":                           {"AWSServiceRoleForSupport", "AWSSupportServiceRolePolicy", false},
	"transitgateway.amazonaws.com":                    {"AWSServiceRoleForVPCTransitGateway", "AWSVPCTransitGatewayServiceRolePolicy", false},
	"trustedadvisor.amazonaws.com":                    {"AWSServiceRoleForTrustedAdvisor", "AWSTrustedAdvisorServiceRolePolicy", false},
	"wafv2.amazonaws.com":                             {"AWSServiceRoleForWAFV2Logging", "WAFV2LoggingServiceRolePolicy", false},
}

// slrFor returns the role AWS would create for a service principal. A principal not in the
// table gets AWSServiceRoleFor + its first label capitalised ("foo.amazonaws.com" ->
// AWSServiceRoleForFoo), no policy, and accepts a suffix: iamlocal cannot know every service.
func slrFor(service string) slrService {
	if s, ok := serviceLinkedRoles[service]; ok {
		return s
	}
	first, _, _ := strings.Cut(service, ".")
	if first != "" {
		first = strings.ToUpper(first[:1]) + first[1:]
	}
	return slrService{role: "AWSServiceRoleFor" + first, suffix: true}
}

func slrTrustPolicy(service string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + service +
		`"},"Action":"sts:AssumeRole"}]}`
}

// CreateServiceLinkedRole answers with the texts of recorded AWS responses (LocalStack IAM
// parity snapshots, TestIAMServiceRoles): "Custom suffix is not allowed for <service>" and
// "Service role name <name> has been taken in this account, please try a different suffix.",
// both InvalidInput.
func (s *Service) CreateServiceLinkedRole(ctx context.Context, in *iamapi.CreateServiceLinkedRoleRequest) (*iamapi.CreateServiceLinkedRoleResponse, error) {
	service, suffix := protocol.Val(in.AWSServiceName), protocol.Val(in.CustomSuffix)
	def := slrFor(service)
	if suffix != "" && !def.suffix {
		return nil, iamapi.ErrInvalidInput("Custom suffix is not allowed for %s", service)
	}
	name := def.role
	if suffix != "" {
		name += "_" + suffix
	}
	r := storage.RoleRecord{
		V: 1, Name: name, Path: slrPathPrefix + service + "/", Created: s.now(ctx),
		TrustPolicy: slrTrustPolicy(service), Description: protocol.Val(in.Description),
		MaxSessionDuration: defaultMaxSessionDuration, ServiceLinked: true,
	}
	err := s.update(ctx, func(tx *storage.Tx) error {
		if storage.Roles(tx).Has(storage.Key(name)) {
			return iamapi.ErrInvalidInput("Service role name %s has been taken in this account, please try a different suffix.", name)
		}
		r.ID = s.ids.UniqueID("AROA")
		if err := storage.Roles(tx).Insert(storage.Key(name), r); err != nil {
			return err
		}
		if def.policy == "" {
			return nil
		}
		partition := s.names(ctx).Partition
		p, ok := awsmanaged.Get(partition, arn.AWSManagedPolicy(partition, slrPathPrefix, def.policy).String())
		if !ok {
			return nil
		}
		policyARN := p.ARN(partition)
		return storage.RoleScope(tx, name).Attachments().Put(policyARN, storage.AttachmentRecord{V: 1, PolicyARN: policyARN, PolicyName: p.Name})
	})
	if err != nil {
		return nil, asAWS(err)
	}
	out := wireRole(s.names(ctx), r, viewCreate|withDescription)
	return &iamapi.CreateServiceLinkedRoleResponse{Role: &out}, nil
}

// DeleteServiceLinkedRole deletes the role at once, with its policies (and anything else
// storage declares the role owns), and records a deletion task that
// GetServiceLinkedRoleDeletionStatus reports SUCCEEDED. A role that is not service-linked is
// answered as absent.
func (s *Service) DeleteServiceLinkedRole(ctx context.Context, in *iamapi.DeleteServiceLinkedRoleRequest) (*iamapi.DeleteServiceLinkedRoleResponse, error) {
	name := protocol.Val(in.RoleName)
	var task string
	err := s.update(ctx, func(tx *storage.Tx) error {
		r, err := loadRole(tx, name)
		if err != nil {
			return err
		}
		if !r.ServiceLinked {
			return noSuchRole(name)
		}
		if err := storage.RoleScope(tx, name).Purge(); err != nil {
			return err
		}
		task = "task" + r.Path + r.Name + "/" + s.ids.UUID()
		return storage.DeletionTasks(tx).Insert(task, storage.DeletionTaskRecord{V: 1, Status: "SUCCEEDED", Created: s.now(ctx)})
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.DeleteServiceLinkedRoleResponse{DeletionTaskId: protocol.Ptr(task)}, nil
}

// GetServiceLinkedRoleDeletionStatus answers NoSuchEntity for a task it does not know, as AWS
// does once it has purged a task record (gruntwork-io/cloud-nuke#1143).
func (s *Service) GetServiceLinkedRoleDeletionStatus(ctx context.Context, in *iamapi.GetServiceLinkedRoleDeletionStatusRequest) (*iamapi.GetServiceLinkedRoleDeletionStatusResponse, error) {
	id := protocol.Val(in.DeletionTaskId)
	var t storage.DeletionTaskRecord
	err := s.view(ctx, func(tx *storage.Tx) (err error) {
		t, err = storage.DeletionTasks(tx).Get(id)
		if isNotFound(err) {
			return iamapi.ErrNoSuchEntity("Deletion task %s cannot be found.", id)
		}
		return err
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.GetServiceLinkedRoleDeletionStatusResponse{Status: protocol.Ptr(t.Status)}, nil
}

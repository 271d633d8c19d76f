package authorize

import (
	"strings"

	"github.com/iamlocal/iamlocal/api/members"
	"github.com/iamlocal/iamlocal/arn"
)

// logsChecks: the action is logs:<Operation>. CloudWatch Logs evaluates log-group actions
// against the group's ARN followed by ":log-stream:" and names it so in denials
// ("... logs:CreateLogGroup on resource: arn:aws:logs:eu-central-1:ACCT:log-group:/aws/lambda/x:log-stream:",
// elastic/apm-aws-lambda#526); log-stream actions against
// log-group:<group>:log-stream:<stream> (kdgregory/log4j-aws-appenders#176,
// aws-solutions/aws-crr-monitor#8); DescribeLogGroups against "log-group::log-stream:"
// (hashicorp/terraform-provider-aws#8804). So a policy on "log-group:NAME" alone allows
// nothing, and "log-group:NAME:*" allows both, as AWS's examples use. Tag operations name the
// resource ARN they were given. Creating a group with tags also needs logs:TagResource
// (DataDog/cloudformation-template#61). PutSubscriptionFilter with a roleArn also passes the role.
func logsChecks(op string, in any, e *env) []check {
	action := "logs:" + op
	c := check{action: action, resource: "*", text: "*"}
	if op == "UntagLogGroup" {
		if keys := members.TagsList(in); len(keys) > 0 {
			put(&c.ctx, "aws:TagKeys", keys) // this operation's Tags are keys only
		}
	} else {
		tagContext(in, &c.ctx)
	}
	group := members.LogGroupName(in)
	if group == "" {
		group = arn.LogGroupOf(members.LogGroupIdentifier(in)) // as the Logs handlers read it
	}
	switch lookupAction(action).resourceType() {
	case "log-stream":
		c.resource = e.scope().LogStream(group, members.LogStreamName(in)).String()
	case "log-group":
		if group != "" {
			c.resource = e.scope().LogStream(group, "").String()
		}
	case "destination":
		if name := members.DestinationName(in); name != "" {
			c.resource = e.scope().LogDestination(name).String()
		}
	}
	if op == "DescribeLogGroups" || op == "ListLogGroups" {
		c.resource = e.scope().LogStream("", "").String()
	}
	// Only actions with a resource type name the ARN they were given: the resource policy
	// actions have none in the Service Authorization Reference, even with a resourceArn.
	if resource := members.ResourceArn(in); strings.HasPrefix(resource, "arn:") && lookupAction(action).resourceType() != "" {
		c.resource = resource
	}
	if c.resource != "*" {
		c.text = c.resource
	}
	checks := []check{c}
	if op == "CreateLogGroup" && len(members.TagsMap(in)) > 0 {
		tag := c
		tag.action = "logs:TagResource"
		checks = append(checks, tag)
	}
	// "To perform a PutSubscriptionFilter operation for any destination except a Lambda
	// function, you must also have the iam:PassRole permission" (API Reference,
	// PutSubscriptionFilter): the role CloudWatch Logs puts records as.
	// PutDestination likewise: "To perform a PutDestination operation, you must also have the
	// iam:PassRole permission" (API Reference, PutDestination).
	if role := members.RoleArn(in); (op == "PutSubscriptionFilter" || op == "PutDestination") && role != "" {
		checks = append(checks, check{action: "iam:PassRole", resource: role, text: role,
			ctx: map[string][]string{"iam:PassedToService": {"logs.amazonaws.com"}}})
	}
	return checks
}

// cloudwatchChecks: the action is cloudwatch:<Operation>. Metric actions have no resource-level
// permissions, and their denials name no resource ("... is not authorized to perform:
// cloudwatch:PutMetricData because no permissions boundary allows ...",
// github-aws-runners/terraform-aws-github-runner#3067; GetMetricData in
// aws-samples/eks-workshop-v2#968). Alarm actions name each alarm's ARN, or "alarm:*" when
// none is named ("cloudwatch:DescribeAlarms on resource: arn:aws:cloudwatch:us-east-1:ACCT:alarm:*",
// aws-samples/amazon-cloudwatch-auto-alarms#1). PutMetricData carries cloudwatch:namespace.
func cloudwatchChecks(op string, in any, e *env) []check {
	action := "cloudwatch:" + op
	c := check{action: action, resource: "*"}
	tagContext(in, &c.ctx)
	setIf(&c.ctx, "cloudwatch:namespace", members.Namespace(in))
	if actions := members.AlarmActions(in); len(actions) > 0 {
		put(&c.ctx, "cloudwatch:AlarmActions", actions)
	}
	// The tag actions name the ARN they are given, of an alarm or a dashboard.
	if resource := members.ResourceARN(in); strings.HasPrefix(resource, "arn:") {
		c.resource, c.text = resource, resource
		return []check{c}
	}
	switch lookupAction(action).resourceType() {
	case "alarm":
		names := members.AlarmNames(in)
		if n := members.AlarmName(in); n != "" {
			names = []string{n}
		}
		if len(names) == 0 {
			names = []string{"*"}
		}
		return onEach(c, names, func(n string) arn.ARN { return e.scope().Alarm(n) })
	case "dashboard":
		// Dashboard actions name each dashboard's ARN, which has no Region (resource type
		// dashboard: arn:${Partition}:cloudwatch::${Account}:dashboard/${DashboardName}).
		names := members.DashboardNames(in)
		if n := members.DashboardName(in); n != "" {
			names = []string{n}
		}
		if len(names) > 0 {
			return onEach(c, names, func(n string) arn.ARN { return e.scope().Dashboard(n) })
		}
	}
	return []check{c}
}

// onEach is c once for each named resource, on that resource's ARN.
func onEach(c check, names []string, arnOf func(string) arn.ARN) []check {
	checks := make([]check, 0, len(names))
	for _, n := range names {
		one := c
		one.resource = arnOf(n).String()
		one.text = one.resource
		checks = append(checks, one)
	}
	return checks
}

package arn

import "strings"

// CloudWatch Logs and CloudWatch resource names ("Actions, resources, and condition keys for
// Amazon CloudWatch Logs" and "... for Amazon CloudWatch"), both regional.

// LogGroup is arn:aws:logs:us-east-1:123456789012:log-group:name, the LogGroupArn of
// DescribeLogGroups.
func (s Scope) LogGroup(name string) ARN { return s.in("logs", "log-group:"+name) }

// LogGroupWildcard is the log group's ARN followed by ":*", the form DescribeLogGroups reports
// in its arn field (CloudWatch Logs API Reference, LogGroup: "arn ... This version of the ARN
// includes a trailing :* after the log group name").
func (s Scope) LogGroupWildcard(name string) ARN {
	a := s.LogGroup(name)
	a.Resource += ":*"
	return a
}

// LogStream is arn:aws:logs:us-east-1:123456789012:log-group:group:log-stream:stream. An empty
// stream gives the form CloudWatch Logs authorizes log-group actions against
// ("log-group:group:log-stream:"), and empty names the one of DescribeLogGroups
// ("log-group::log-stream:").
func (s Scope) LogStream(group, stream string) ARN {
	return s.in("logs", "log-group:"+group+":log-stream:"+stream)
}

// LogGroupName is the group a log group ARN names, with or without the trailing ":*"; ok is
// false for any other ARN.
func LogGroupName(a ARN) (name string, ok bool) {
	rest, found := strings.CutPrefix(a.Resource, "log-group:")
	if a.Service != "logs" || !found || rest == "" {
		return "", false
	}
	return strings.TrimSuffix(rest, ":*"), true
}

// Alarm is arn:aws:cloudwatch:us-east-1:123456789012:alarm:name; "*" names every alarm, as
// denials of DescribeAlarms do.
func (s Scope) Alarm(name string) ARN { return s.in("cloudwatch", "alarm:"+name) }

// LogGroupOf is the group a logGroupIdentifier names: a name, or a log group ARN with or
// without the trailing ":*" (CloudWatch Logs API Reference, logGroupIdentifier). The Logs
// handlers and the authorizer read identifiers with it.
func LogGroupOf(identifier string) string {
	if a, err := Parse(identifier); err == nil {
		if name, ok := LogGroupName(a); ok {
			return name
		}
	}
	return identifier
}

// Dashboard is arn:aws:cloudwatch::123456789012:dashboard/name. Dashboards are global, so the
// ARN names no Region whatever the scope's (Service Authorization Reference, CloudWatch,
// resource type dashboard: arn:${Partition}:cloudwatch::${Account}:dashboard/${DashboardName}).
func (s Scope) Dashboard(name string) ARN {
	a := s.in("cloudwatch", "dashboard/"+name)
	a.Region = ""
	return a
}

// LogDestination is a CloudWatch Logs subscription destination's ARN.
func (s Scope) LogDestination(name string) ARN { return s.in("logs", "destination:"+name) }

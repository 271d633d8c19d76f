package logs

import (
	"context"
	"errors"
	"strings"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// Subscription filters (API Reference, PutSubscriptionFilter; User Guide, "Real-time
// processing of log data with subscriptions"): at most two per log group, each sending the
// events that match its pattern to a destination. A Lambda function of the group's account and
// region is delivered to (delivery.go); Kinesis Data Streams, Firehose and cross-account
// logs destinations are accepted and stored but not delivered, as iamlocal emulates none of
// those services.

const maxSubscriptionFilters = 2

// AWS's texts: "Resource limit exceeded." for a third filter, "The specified subscription
// filter does not exist." (LocalStack's AWS-validated
// test_logs_subscription_filters.snapshot.json); the refusal of a function CloudWatch Logs may
// not invoke (reported by users of PutSubscriptionFilter, localstack/localstack#2653,
// ClaudioWaldvogel/cloudwatch-loki-shipper#6).
func filterLimit() error { return logsapi.ErrLimitExceeded("Resource limit exceeded.") }

func filterNotFound() error {
	return logsapi.ErrResourceNotFound("The specified subscription filter does not exist.")
}

func lambdaRefused() error {
	return logsapi.ErrInvalidParameter("Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.")
}

// destinationKind sorts a destination ARN: "lambda", "kinesis", "firehose" or "logs" (a
// logs destination), "" for anything else.
func destinationKind(a arn.ARN) string {
	switch {
	case a.Service == "lambda" && strings.HasPrefix(a.Resource, "function:"):
		return "lambda"
	case a.Service == "kinesis" && strings.HasPrefix(a.Resource, "stream/"):
		return "kinesis"
	case a.Service == "firehose" && strings.HasPrefix(a.Resource, "deliverystream/"):
		return "firehose"
	case a.Service == "logs" && strings.HasPrefix(a.Resource, "destination:"):
		return "logs"
	}
	return ""
}

// checkDestination refuses what AWS refuses before it looks at the log group: a function of
// another account ("AccessDeniedException: Cross-account lambda invocation passing is not
// allowed. ...", recorded against AWS with a missing group in the snapshot above), and a
// stream without the role CloudWatch Logs would put records as ("destinationArn for vendor
// kinesis cannot be used without roleArn", same snapshot).
func (c call) checkDestination(dest, role string) (string, arn.ARN, error) {
	a, err := arn.Parse(dest)
	kind := destinationKind(a)
	if err != nil || kind == "" {
		return "", a, logsapi.ErrInvalidParameter("Invalid destinationArn: %s", dest)
	}
	switch {
	case kind == "lambda" && a.Account != c.account:
		return "", a, logsapi.ErrAccessDenied("Cross-account lambda invocation passing is not allowed. You must use DestinationPolicies to create cross account lambda triggers.")
	case kind == "lambda" && a.Region != c.region:
		return "", a, lambdaRefused()
	case (kind == "kinesis" || kind == "firehose") && role == "":
		return "", a, logsapi.ErrInvalidParameter("destinationArn for vendor %s cannot be used without roleArn", kind)
	}
	return kind, a, nil
}

// PutSubscriptionFilter creates or replaces a group's filter. A Lambda destination is sent a
// test message first, as AWS does, and refused when CloudWatch Logs may not invoke it; the
// filter is stored only then.
func (s *Service) PutSubscriptionFilter(ctx context.Context, in *logsapi.PutSubscriptionFilterRequest) (*logsapi.Empty, error) {
	c := s.call(ctx)
	group, name, dest := protocol.Val(in.LogGroupName), protocol.Val(in.FilterName), protocol.Val(in.DestinationArn)
	kind, destARN, err := c.checkDestination(dest, protocol.Val(in.RoleArn))
	if err != nil {
		return nil, err
	}
	if kind == "logs" {
		if err := s.checkSubscribable(ctx, c, destARN); err != nil {
			return nil, err
		}
	}
	if _, err := compileFilter(protocol.Val(in.FilterPattern)); err != nil {
		return nil, err
	}
	dist := protocol.Val(in.Distribution)
	if dist == "" {
		dist = "ByLogStream" // what DescribeSubscriptionFilters reports when none was given (same snapshot)
	}
	rec := storage.LogSubscriptionRecord{V: 1, Name: name, Group: group, Pattern: protocol.Val(in.FilterPattern), Destination: dest,
		RoleARN: protocol.Val(in.RoleArn), Distribution: dist, ApplyOnTransformedLogs: protocol.Val(in.ApplyOnTransformedLogs),
		FieldSelection: protocol.Val(in.FieldSelectionCriteria), EmitSystemFields: in.EmitSystemFields, Created: c.now.UnixMilli()}
	check := func(tx *storage.Tx) error { return checkFilterRoom(tx, c.region, &rec) }
	if err := s.opts.DB.View(c.account, check); err != nil {
		return nil, err
	}
	if kind == "lambda" {
		if err := s.testDelivery(c, group, dest); err != nil {
			return nil, err
		}
	} else {
		s.opts.Logger.Info("subscription filter stored, not delivered: iamlocal does not emulate its destination",
			"account", c.account, "region", c.region, "group", group, "filter", name, "destination", dest)
	}
	err = s.opts.DB.Update(c.account, func(tx *storage.Tx) error {
		if err := check(tx); err != nil { // again: the test message went outside this transaction
			return err
		}
		return storage.LogSubscriptions(tx).Put(storage.LogSubscriptionKey(c.region, group, name), rec)
	})
	if err != nil {
		return nil, err
	}
	return &logsapi.Empty{}, nil
}

// checkFilterRoom checks that the group exists and has room for the filter; a filter of the
// same name is replaced and keeps its creation time.
func checkFilterRoom(tx *storage.Tx, region string, rec *storage.LogSubscriptionRecord) error {
	if !storage.LogGroups(tx).Has(storage.LogGroupKey(region, rec.Group)) {
		return groupNotFound()
	}
	if err := regexFilterQuota(tx, region, rec.Group, rec.Pattern, filterRef{false, rec.Name}); err != nil {
		return err
	}
	filters := storage.LogSubscriptions(tx)
	old, err := filters.Get(storage.LogSubscriptionKey(region, rec.Group, rec.Name))
	if err == nil {
		rec.Created = old.Created
		return nil
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	n, err := countPrefix(filters, storage.LogSubscriptionKey(region, rec.Group, ""))
	if err != nil {
		return err
	}
	if n >= maxSubscriptionFilters {
		return filterLimit()
	}
	return nil
}

// DescribeSubscriptionFilters lists a group's filters in name order, those starting with
// filterNamePrefix when given; limit 1-50, default 50.
func (s *Service) DescribeSubscriptionFilters(ctx context.Context, in *logsapi.DescribeSubscriptionFiltersRequest) (*logsapi.DescribeSubscriptionFiltersResponse, error) {
	c := s.call(ctx)
	group, prefix := protocol.Val(in.LogGroupName), protocol.Val(in.FilterNamePrefix)
	limit := limitOr(in.Limit, 50)
	offset, err := decodeOffset(protocol.Val(in.NextToken))
	if err != nil {
		return nil, err
	}
	var all []storage.LogSubscriptionRecord
	err = s.opts.DB.View(c.account, func(tx *storage.Tx) error {
		if !storage.LogGroups(tx).Has(storage.LogGroupKey(c.region, group)) {
			return groupNotFound()
		}
		return storage.LogSubscriptions(tx).Scan(storage.LogSubscriptionKey(c.region, group, prefix), func(_ string, r storage.LogSubscriptionRecord) error {
			all = append(all, r)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	out := &logsapi.DescribeSubscriptionFiltersResponse{}
	out.SubscriptionFilters, out.NextToken = offsetPage(all, offset, limit, subscriptionFilter)
	return out, nil
}

func subscriptionFilter(r storage.LogSubscriptionRecord) logsapi.SubscriptionFilter {
	f := logsapi.SubscriptionFilter{FilterName: protocol.Ptr(r.Name), LogGroupName: protocol.Ptr(r.Group),
		FilterPattern: protocol.Ptr(r.Pattern), DestinationArn: protocol.Ptr(r.Destination), Distribution: protocol.Ptr(r.Distribution),
		ApplyOnTransformedLogs: protocol.Ptr(r.ApplyOnTransformedLogs), CreationTime: protocol.Ptr(r.Created), EmitSystemFields: r.EmitSystemFields}
	if r.RoleARN != "" {
		f.RoleArn = protocol.Ptr(r.RoleARN)
	}
	if r.FieldSelection != "" {
		f.FieldSelectionCriteria = protocol.Ptr(r.FieldSelection)
	}
	return f
}

func (s *Service) DeleteSubscriptionFilter(ctx context.Context, in *logsapi.DeleteSubscriptionFilterRequest) (*logsapi.Empty, error) {
	c := s.call(ctx)
	group, name := protocol.Val(in.LogGroupName), protocol.Val(in.FilterName)
	err := s.opts.DB.Update(c.account, func(tx *storage.Tx) error {
		if !storage.LogGroups(tx).Has(storage.LogGroupKey(c.region, group)) {
			return groupNotFound()
		}
		err := storage.LogSubscriptions(tx).Delete(storage.LogSubscriptionKey(c.region, group, name))
		if errors.Is(err, storage.ErrNotFound) {
			return filterNotFound()
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &logsapi.Empty{}, nil
}

// lambdaFilters reads the filters of a group that deliver to Lambda, inside the transaction
// that ingests its events; nil when it has none.
func lambdaFilters(tx *storage.Tx, region, group string) ([]storage.LogSubscriptionRecord, error) {
	var out []storage.LogSubscriptionRecord
	err := storage.LogSubscriptions(tx).Scan(storage.LogSubscriptionKey(region, group, ""), func(_ string, r storage.LogSubscriptionRecord) error {
		if a, err := arn.Parse(r.Destination); err == nil && destinationKind(a) == "lambda" {
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

package logs

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/authz"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// Subscription destinations for other accounts ("PutDestination", API Reference): a name in
// front of a Kinesis stream or Firehose stream that CloudWatch Logs writes to as roleArn, with
// an access policy (PutDestinationPolicy) naming who may subscribe. iamlocal emulates neither
// target, so a destination is stored and nothing is written to it, as for subscription filters
// with those targets; AWS's test message to the target is not sent.

// PutDestination creates a destination or replaces its target and role; an update keeps the
// access policy, the creation time and the tags.
func (s *Service) PutDestination(ctx context.Context, in *logsapi.PutDestinationRequest) (*logsapi.PutDestinationResponse, error) {
	c := s.call(ctx)
	name := protocol.Val(in.DestinationName)
	rec := storage.LogDestinationRecord{V: 1, Name: name, Target: protocol.Val(in.TargetArn), Role: protocol.Val(in.RoleArn),
		Created: c.now.UnixMilli(), Tags: in.Tags}
	err := s.opts.DB.Update(c.account, func(tx *storage.Tx) error {
		dests := storage.LogDestinations(tx)
		key := storage.LogDestinationKey(c.region, name)
		if old, err := dests.Get(key); err == nil {
			rec.Policy, rec.Created, rec.Tags = old.Policy, old.Created, old.Tags
		}
		return dests.Put(key, rec)
	})
	if err != nil {
		return nil, err
	}
	s.opts.Logger.Info("subscription destination stored, not delivered: iamlocal does not emulate its target",
		"account", c.account, "region", c.region, "destination", name, "target", rec.Target)
	return &logsapi.PutDestinationResponse{Destination: protocol.Ptr(c.wireDestination(rec))}, nil
}

// PutDestinationPolicy sets a destination's access policy, a JSON policy document.
func (s *Service) PutDestinationPolicy(ctx context.Context, in *logsapi.PutDestinationPolicyRequest) (*logsapi.Empty, error) {
	c := s.call(ctx)
	if !json.Valid([]byte(protocol.Val(in.AccessPolicy))) {
		// The words of PutResourcePolicy's refusal (resourcepolicies.go).
		return nil, logsapi.ErrInvalidParameter("Policy document is not valid JSON.")
	}
	err := s.opts.DB.Update(c.account, func(tx *storage.Tx) error {
		dests := storage.LogDestinations(tx)
		key := storage.LogDestinationKey(c.region, protocol.Val(in.DestinationName))
		d, err := dests.Get(key)
		if err != nil {
			return err
		}
		d.Policy = protocol.Val(in.AccessPolicy)
		return dests.Put(key, d)
	})
	if errors.Is(err, storage.ErrNotFound) {
		return nil, destinationNotFound()
	}
	if err != nil {
		return nil, err
	}
	return &logsapi.Empty{}, nil
}

// DescribeDestinations lists the region's destinations in name order, those whose name starts
// with DestinationNamePrefix; limit 1-50, default 50.
func (s *Service) DescribeDestinations(ctx context.Context, in *logsapi.DescribeDestinationsRequest) (*logsapi.DescribeDestinationsResponse, error) {
	c := s.call(ctx)
	offset, err := decodeOffset(protocol.Val(in.NextToken))
	if err != nil {
		return nil, err
	}
	prefix := protocol.Val(in.DestinationNamePrefix)
	var all []storage.LogDestinationRecord
	err = s.opts.DB.View(c.account, func(tx *storage.Tx) error {
		// The key's name part is the destination's name: the scan is the prefix filter.
		return storage.LogDestinations(tx).Scan(storage.LogDestinationKey(c.region, prefix), func(_ string, d storage.LogDestinationRecord) error {
			all = append(all, d)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	dests, next := offsetPage(all, offset, limitOr(in.Limit, 50), c.wireDestination)
	return &logsapi.DescribeDestinationsResponse{Destinations: dests, NextToken: next}, nil
}

// DeleteDestination deletes a destination; the subscription filters of other accounts that
// name it stay, as they would on AWS, delivering nothing.
func (s *Service) DeleteDestination(ctx context.Context, in *logsapi.DeleteDestinationRequest) (*logsapi.Empty, error) {
	c := s.call(ctx)
	err := s.opts.DB.Update(c.account, func(tx *storage.Tx) error {
		return storage.LogDestinations(tx).Delete(storage.LogDestinationKey(c.region, protocol.Val(in.DestinationName)))
	})
	if errors.Is(err, storage.ErrNotFound) {
		return nil, destinationNotFound()
	}
	if err != nil {
		return nil, err
	}
	return &logsapi.Empty{}, nil
}

func (c call) wireDestination(d storage.LogDestinationRecord) logsapi.Destination {
	out := logsapi.Destination{DestinationName: protocol.Ptr(d.Name), TargetArn: protocol.Ptr(d.Target),
		RoleArn: protocol.Ptr(d.Role), Arn: protocol.Ptr(c.scope().LogDestination(d.Name).String()),
		CreationTime: protocol.Ptr(d.Created)}
	if d.Policy != "" {
		out.AccessPolicy = protocol.Ptr(d.Policy)
	}
	return out
}

// destinationNotFound words a missing destination as the other Logs resources are worded.
func destinationNotFound() error {
	return logsapi.ErrResourceNotFound("The specified destination does not exist.")
}

// checkSubscribable refuses a subscription filter of another account's destination unless the
// destination's access policy lets the caller subscribe: "By default, PutDestination does not
// set any access policy with the destination, which means a cross-account user cannot call
// PutSubscriptionFilter against this destination" (API Reference, PutDestination). The refusal
// is AWS's: "User with accountId: 1111111111 is not authorized to perform:
// logs:PutSubscriptionFilter on resource: arn:aws:logs:eu-west-1:2222222222:destination:
// testDestination" (aws/aws-cli#4422). A destination iamlocal does not hold (an account it
// does not serve) is stored unchecked, as before.
func (s *Service) checkSubscribable(ctx context.Context, c call, dest arn.ARN) error {
	if dest.Account == c.account {
		return nil
	}
	name := strings.TrimPrefix(dest.Resource, "destination:")
	var rec storage.LogDestinationRecord
	err := s.opts.DB.View(dest.Account, func(tx *storage.Tx) error {
		var err error
		rec, err = storage.LogDestinations(tx).Get(storage.LogDestinationKey(dest.Region, name))
		return err
	})
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if destinationAllows(rec.Policy, reqctx.From(ctx).Caller, dest.String()) {
		return nil
	}
	return logsapi.ErrAccessDenied("User with accountId: %s is not authorized to perform: logs:PutSubscriptionFilter on resource: %s", c.account, dest.String())
}

// destinationAllows evaluates a destination's access policy for the caller; no policy, or one
// that does not parse, allows no one of another account.
func destinationAllows(doc string, caller reqctx.Caller, resource string) bool {
	if doc == "" {
		return false
	}
	pol, err := authz.Parser{AnyPartition: true}.Parse(doc, authz.KindResource)
	if err != nil {
		return false
	}
	set := authz.PolicySet{Resource: []authz.Named{{Name: "destination policy", Policy: pol}}}
	req := authz.Request{Principal: authz.Principal{ARN: caller.ARN, Account: caller.Account, RoleARN: caller.RoleARN},
		Action: "logs:PutSubscriptionFilter", Resource: resource,
		Context: map[string][]string{"aws:PrincipalAccount": {caller.Account}, "aws:PrincipalArn": {caller.ARN}}}
	return authz.EvaluateCrossAccount(req, set).Resource == authz.Allow
}

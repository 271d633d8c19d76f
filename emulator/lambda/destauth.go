package lambda

import (
	"context"
	"fmt"
	"strings"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
)

// Lambda sends an asynchronous invocation's record to a destination as the function's execution
// role ("Capturing records of Lambda asynchronous invocations": the execution role needs
// lambda:InvokeFunction, sqs:SendMessage, sns:Publish, events:PutEvents or s3:PutObject on the
// destination). It checks that when the event invoke config is written, refusing it with
// "The function execution role does not have permissions to call InvokeFunction on <arn>"
// (InvalidParameterValueException, 400; as recorded from AWS::Lambda::EventInvokeConfig, which
// calls PutFunctionEventInvokeConfig), and a role that loses the permission later delivers
// nothing.

// RoleAuthorizer decides a call Lambda makes as a function's execution role, in the session
// Lambda assumed it in: nil when allowed, an *awserr.Denial when not.
type RoleAuthorizer func(ctx context.Context, session storage.SessionRecord, region, action, resource string) error

// deliveryAction is the call that delivers to a destination of the service the ARN names.
func deliveryAction(dest string) (action, op string) {
	switch serviceOf(dest) {
	case "lambda":
		return "lambda:InvokeFunction", "InvokeFunction"
	case "sqs":
		return "sqs:SendMessage", "SendMessage"
	case "sns":
		return "sns:Publish", "Publish"
	case "events":
		return "events:PutEvents", "PutEvents"
	case "s3":
		return "s3:PutObject", "PutObject"
	}
	return "", ""
}

func destinationsOf(dc *lambdaapi.DestinationConfig) []string {
	var out []string
	if dc != nil && dc.OnSuccess != nil && str(dc.OnSuccess.Destination) != "" {
		out = append(out, str(dc.OnSuccess.Destination))
	}
	if dc != nil && dc.OnFailure != nil && str(dc.OnFailure.Destination) != "" {
		out = append(out, str(dc.OnFailure.Destination))
	}
	return out
}

// destinationsRefused is the error a write of dc answers when the execution role of the
// function t names (at qualifier q) may not deliver to one of its destinations; nil when it may,
// or when the function cannot be read (the write then answers why). The role is decided as the
// session Lambda would assume it in: reading its ARN is all the check needs.
func (s *Service) destinationsRefused(ctx context.Context, t target, name, q string, dc *lambdaapi.DestinationConfig) error {
	dests := destinationsOf(dc)
	if len(dests) == 0 || s.hooks.RoleAllowed == nil {
		return nil
	}
	sess, ok := roleSession(s.executionRole(t, name, q), t.name)
	if !ok {
		return nil
	}
	for _, dest := range dests {
		if err := s.roleMayDeliver(ctx, sess, t.region, dest); err != nil {
			return err
		}
	}
	return nil
}

// roleMayDeliver decides the delivery to dest as the execution role's session sess: nil when
// allowed (or when no session was issued to decide with), the InvalidParameterValueException
// AWS words when denied.
func (s *Service) roleMayDeliver(ctx context.Context, sess storage.SessionRecord, region, dest string) error {
	action, op := deliveryAction(dest)
	if action == "" || s.hooks.RoleAllowed == nil || sess.ARN == "" {
		return nil
	}
	err := s.hooks.RoleAllowed(ctx, sess, region, action, dest)
	if _, denied := awserr.AsDenial(err); denied {
		return invalid("The function execution role does not have permissions to call %s on %s", op, dest)
	}
	return err
}

// deliveryRefused is why a settled event's record may not go to dest, "" when it may.
func (s *Service) deliveryRefused(p prepared, dest string) string {
	err := s.roleMayDeliver(context.Background(), p.session, p.fn.Region, dest)
	if err == nil {
		return ""
	}
	action, _ := deliveryAction(dest)
	return fmt.Sprintf("the execution role session %s is not allowed %s on it", p.session.ARN, action)
}

// deadLetterRefused is the error CreateFunction and UpdateFunctionConfiguration answer when the
// execution role may not send to the dead-letter queue: "The provided execution role does not
// have permissions to call SendMessage on SQS" (or "Publish on SNS"; InvalidParameterValueException,
// as Terraform and CloudFormation report it from AWS). The role is decided as the session Lambda
// would assume it in, before one is issued; nil when there is no queue or it may.
func (s *Service) deadLetterRefused(ctx context.Context, c call, function, role string, dlc *lambdaapi.DeadLetterConfig) error {
	var target string
	if dlc != nil {
		target = str(dlc.TargetArn)
	}
	service := serviceOf(target)
	if (service != "sqs" && service != "sns") || s.hooks.RoleAllowed == nil {
		return nil // no queue, or one the settings check refuses
	}
	sess, ok := roleSession(role, function)
	if !ok {
		return nil // the role check answers
	}
	action, op := deliveryAction(target)
	err := s.hooks.RoleAllowed(ctx, sess, c.region, action, target)
	if _, denied := awserr.AsDenial(err); denied {
		return invalid("The provided execution role does not have permissions to call %s on %s", op, strings.ToUpper(service))
	}
	return err
}

// roleSession is the session of role Lambda names after the function, without credentials.
func roleSession(role, function string) (storage.SessionRecord, bool) {
	a, err := arn.Parse(role)
	if err != nil || a.Service != "iam" {
		return storage.SessionRecord{}, false
	}
	kind, _, name, ok := arn.SplitIAMResource(a.Resource)
	if !ok || kind != "role" {
		return storage.SessionRecord{}, false
	}
	return storage.SessionRecord{Type: "AssumedRole", Account: a.Account, RoleName: name, RoleARN: role, SessionName: function,
		ARN: arn.Scope{Partition: a.Partition, Account: a.Account}.AssumedRole(name, function).String()}, true
}

// deadLetterRefusedOnUpdate is deadLetterRefused for UpdateFunctionConfiguration, with the role
// it names or, when it names none, the function's.
func (s *Service) deadLetterRefusedOnUpdate(ctx context.Context, c call, t target, role *string, dlc *lambdaapi.DeadLetterConfig) error {
	if dlc == nil || str(dlc.TargetArn) == "" {
		return nil
	}
	if role != nil {
		return s.deadLetterRefused(ctx, c, t.name, *role, dlc)
	}
	return s.deadLetterRefused(ctx, c, t.name, s.executionRole(t, t.name, latest), dlc)
}

// executionRole is the role ARN of the version name and q resolve to, "" when they resolve to
// none (the call then answers why).
func (s *Service) executionRole(t target, name, q string) string {
	var role string
	_ = s.view(t.scope(), func(tx *storage.Tx) error {
		r, err := Resolve(tx, t.scope(), name, q)
		role = r.Version.Role
		return err
	})
	return role
}

package lambda

import (
	"errors"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/authz"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
)

// ServiceInvocation is an asynchronous invocation an AWS service makes on its own behalf, as
// CloudWatch Logs does for a subscription filter: no IAM caller, only the function's
// resource-based policy decides ("Using resource-based policies for Lambda": a service
// principal is granted lambda:InvokeFunction, usually with aws:SourceArn and
// aws:SourceAccount conditions naming the resource that triggers it).
type ServiceInvocation struct {
	Function string // the function's ARN, qualified or not
	// Services are the principal names the service may be granted under, tried in order:
	// CloudWatch Logs is named logs.amazonaws.com or logs.<region>.amazonaws.com.
	Services      []string
	SourceARN     string // aws:SourceArn
	SourceAccount string // aws:SourceAccount
	Payload       []byte
}

// ErrServiceRefused is InvokeAsService's answer when the function does not exist or its policy
// does not allow the service; the caller words it as its own service does.
var ErrServiceRefused = errors.New("lambda: the function does not exist or its policy does not allow the service")

// InvokeAsService queues an event for the function as InvocationType Event would, once the
// function's policy allows one of inv.Services to invoke it. The event goes through the
// function's asynchronous queue (retries, destinations, the queue's bounds).
func (s *Service) InvokeAsService(inv ServiceInvocation) error {
	if s.hooks.Runner == nil {
		return awserr.NotImplemented("Invoke")
	}
	if len(inv.Payload) > maxAsyncPayload {
		return lambdaapi.ErrRequestTooLarge("Request must be smaller than %d bytes for the InvokeFunction operation", maxAsyncPayload)
	}
	ref, err := arn.ParseFunctionName(inv.Function)
	if err != nil || ref.Account == "" || ref.Region == "" {
		return ErrServiceRefused
	}
	where := arn.Scope{Partition: s.partition, Region: ref.Region, Account: ref.Account}
	now := s.clock().UTC()
	p, err := s.prepare(where, ref.Name, ref.Qualifier, now, false)
	var missing *awserr.Error
	if errors.As(err, &missing) && missing.Code == "ResourceNotFoundException" {
		return ErrServiceRefused
	} else if err != nil {
		return err
	}
	resource := where.FunctionVersion(ref.Name, ref.Qualifier).String()
	var doc string
	if err := s.view(where, func(tx *storage.Tx) (err error) {
		doc, err = FunctionPolicy(tx, resource)
		return err
	}); err != nil {
		return err
	}
	if !serviceAllowed(doc, resource, inv) {
		return ErrServiceRefused
	}
	return s.async.enqueue(p.ref(), storage.LambdaAsyncEventRecord{V: 1, RequestID: s.ids.UUID(),
		Qualifier: p.qualifier, Payload: inv.Payload, Received: now, NextAt: now})
}

// serviceAllowed evaluates the function policy for a service principal with the context AWS
// gives such calls (aws:SourceArn, aws:SourceAccount, aws:PrincipalServiceName,
// aws:PrincipalIsAWSService; IAM User Guide, "AWS global condition context keys").
func serviceAllowed(doc, resource string, inv ServiceInvocation) bool {
	if doc == "" {
		return false
	}
	pol, err := authz.Parser{AnyPartition: true}.Parse(doc, authz.KindResource)
	if err != nil {
		return false
	}
	set := authz.PolicySet{Resource: []authz.Named{{Name: "function policy", Policy: pol}}}
	for _, svc := range inv.Services {
		req := authz.Request{Principal: authz.Principal{Service: svc}, Action: "lambda:InvokeFunction", Resource: resource,
			Context: map[string][]string{"aws:PrincipalServiceName": {svc}, "aws:PrincipalIsAWSService": {"true"},
				"aws:SourceArn": {inv.SourceARN}, "aws:SourceAccount": {inv.SourceAccount}}}
		if authz.Evaluate(req, set).Decision == authz.Allow {
			return true
		}
	}
	return false
}

package iam

import (
	"context"

	"github.com/iamlocal/iamlocal/emulator/reqctx"
)

// PolicyWrite is a policy document IAM has stored: the operation that stored it, the policy
// ("user/alice/name" for an inline policy, a managed policy's ARN, with " v2" for a new
// version) and the document as given.
type PolicyWrite struct {
	Operation string
	Policy    string
	Document  string
}

// noteStored tells Options.PolicyStored of a document just stored. AWS stores a policy whose
// actions or resources match nothing; the hook is where the server says so.
func (s *Service) noteStored(ctx context.Context, policy, doc string) {
	if s.stored != nil {
		s.stored(ctx, PolicyWrite{Operation: reqctx.From(ctx).Operation, Policy: policy, Document: doc})
	}
}

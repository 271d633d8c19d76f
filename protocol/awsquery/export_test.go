package awsquery

import (
	"bytes"

	"github.com/iamlocal/iamlocal/protocol/model"
)

// AppendResultReflect is AppendResult walking the output by reflection even when it has
// generated code, which the tests hold the generated code to.
func AppendResultReflect(b *bytes.Buffer, svc *model.Service, op *model.Operation, out any, requestID string) {
	appendResult(b, svc, op, out, requestID, false)
}

// Escape is escape, for its byte-by-byte test.
func Escape(s string) string { return escape(s) }

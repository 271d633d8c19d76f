package awsquery_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol/awsquery"
	"github.com/iamlocal/iamlocal/protocol/model"
)

// BenchmarkEncodeGetUser writes a tagged user's GetUser result by reflection and by the
// generated encoder, into a reused buffer as the codec's pool does.
func BenchmarkEncodeGetUser(b *testing.B) {
	svc := iamapi.Model()
	op := svc.Operations["GetUser"]
	user := bob()
	user.Tags = []iamapi.Tag{{Key: p("team"), Value: p("platform")}, {Key: p("cost-center"), Value: p("cc-1234")}}
	user.PermissionsBoundary = &iamapi.AttachedPermissionsBoundary{
		PermissionsBoundaryArn: p("arn:aws:iam::aws:policy/PowerUserAccess"), PermissionsBoundaryType: p("Policy")}
	user.PasswordLastUsed = p(created.Add(90 * 24 * time.Hour))
	out := &iamapi.GetUserResponse{User: &user}
	encoders := []struct {
		name   string
		encode func(*bytes.Buffer, *model.Service, *model.Operation, any, string)
	}{
		{"reflective", awsquery.AppendResultReflect},
		{"generated", awsquery.AppendResult},
	}
	for _, e := range encoders {
		b.Run(e.name, func(b *testing.B) {
			var buf bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				e.encode(&buf, svc, op, out, requestID)
			}
		})
	}
}

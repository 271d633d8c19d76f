package protocol_test

import (
	"testing"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/protocol"
)

// A service's corrections replace a shape's pattern (in matching and in the text), an enum's
// members and order, a list member's element enum (worded bare) and leave unchecked members to
// the handler; a key the model lacks is refused.
func TestConstraintsCorrectTheModel(t *testing.T) {
	t.Parallel()
	svc := lambdaapi.Model()
	table := protocol.ConstraintTable{
		Patterns: map[string]string{"StatementId": `[a-z]+`},
		Enums: map[string][]string{
			"RecursiveLoop": {"Terminate", "Allow"},
			"PublishLayerVersionRequest$CompatibleRuntimes": {"python3.12", "nodejs22.x"},
		},
		Unchecked: []string{"CreateFunctionRequest$Runtime"},
	}
	c, err := protocol.NewConstraints(svc, table)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		op   string
		in   any
		want string // "" means valid
	}{
		{"pattern replaced in the text", "AddPermission", &lambdaapi.AddPermissionRequest{FunctionName: p("f"), StatementId: p("S1"), Action: p("lambda:InvokeFunction"), Principal: p("s3.amazonaws.com")},
			"1 validation error detected: Value 'S1' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+"},
		{"pattern replaced in matching", "AddPermission", &lambdaapi.AddPermissionRequest{FunctionName: p("f"), StatementId: p("sid"), Action: p("lambda:InvokeFunction"), Principal: p("s3.amazonaws.com")}, ""},
		{"enum order", "PutFunctionRecursionConfig", &lambdaapi.PutFunctionRecursionConfigRequest{FunctionName: p("f"), RecursiveLoop: p("Never")},
			"1 validation error detected: Value 'Never' at 'recursiveLoop' failed to satisfy constraint: Member must satisfy enum value set: [Terminate, Allow]"},
		{"list member enum worded bare", "PublishLayerVersion", &lambdaapi.PublishLayerVersionRequest{LayerName: p("l"), Content: &lambdaapi.LayerVersionContentInput{}, CompatibleRuntimes: []string{"python3.12", "cobol"}},
			"1 validation error detected: Value '[python3.12, cobol]' at 'compatibleRuntimes' failed to satisfy constraint: Member must satisfy enum value set: [python3.12, nodejs22.x]"},
		{"list member enum replaces the model's", "PublishLayerVersion", &lambdaapi.PublishLayerVersionRequest{LayerName: p("l"), Content: &lambdaapi.LayerVersionContentInput{}, CompatibleRuntimes: []string{"python3.7"}},
			"1 validation error detected: Value '[python3.7]' at 'compatibleRuntimes' failed to satisfy constraint: Member must satisfy enum value set: [python3.12, nodejs22.x]"},
		{"unchecked member", "CreateFunction", &lambdaapi.CreateFunctionRequest{FunctionName: p("f"), Role: p("arn:aws:iam::123456789012:role/r"), Code: &lambdaapi.FunctionCode{}, Runtime: p("cobol")}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := ""
			if vs := protocol.ValidateWith(input(svc, tc.op), tc.in, c); len(vs) > 0 {
				got = protocol.ValidationMessage(vs)
			}
			if got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			// Without corrections the model alone decides.
			if tc.name == "unchecked member" && len(protocol.Validate(input(svc, tc.op), tc.in)) == 0 {
				t.Error("the model's own enum did not refuse the runtime")
			}
		})
	}
	for _, bad := range []protocol.ConstraintTable{
		{Patterns: map[string]string{"NoSuchShape": "x"}},
		{Enums: map[string][]string{"CreateFunctionRequest$NoSuchMember": {"x"}}},
		{Unchecked: []string{"NoSuchShape$Runtime"}},
	} {
		if _, err := protocol.NewConstraints(svc, bad); err == nil {
			t.Errorf("NewConstraints(%v) accepted a key the model lacks", bad)
		}
	}
}

package protocol_test

import (
	"math"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/model"
)

func p[T any](v T) *T { return &v }

func input(svc *model.Service, op string) *model.Shape { return svc.Operations[op].Input }

// Messages are checked against texts AWS sent. "LS" marks a message recorded against real AWS in
// LocalStack's parity snapshots (shared/conformance/errors/localstack-aws-recorded-errors.json).
func TestValidationMessages(t *testing.T) {
	t.Parallel()
	iam, sts, lambda := iamapi.Model(), stsapi.Model(), lambdaapi.Model()
	long := strings.Repeat("a", 141)
	slashes := strings.Repeat("/", 65)
	tests := []struct {
		name string
		sh   *model.Shape
		in   any
		want string // "" means valid
	}{
		{"valid user", input(iam, "CreateUser"), &iamapi.CreateUserRequest{UserName: p("bob"), Path: p("/")}, ""},
		{"required null", input(iam, "CreateUser"), &iamapi.CreateUserRequest{},
			"1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null"},
		{"max length", input(iam, "CreateUser"), &iamapi.CreateUserRequest{UserName: p(strings.Repeat("b", 65))},
			"1 validation error detected: Value '" + strings.Repeat("b", 65) + "' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"empty string breaks pattern and min length", input(iam, "CreateUser"), &iamapi.CreateUserRequest{UserName: p("")},
			`2 validation errors detected: Value '' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+; Value '' at 'userName' failed to satisfy constraint: Member must have length greater than or equal to 1`},
		{"empty string within a * pattern", input(sts, "AssumeRole"), &stsapi.AssumeRoleRequest{RoleArn: p("arn:aws:iam::123456789012:role/r"), RoleSessionName: p("")},
			"1 validation error detected: Value '' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"},
		// integration/auth_test.go asserts the same text end to end
		{"pattern", input(iam, "CreateRole"), &iamapi.CreateRoleRequest{RoleName: p("bad name!"), AssumeRolePolicyDocument: p("{}")},
			`1 validation error detected: Value 'bad name!' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		// LS (sts): Value 'Session1:2' at 'roleSessionName'
		{"sts pattern", input(sts, "AssumeRole"), &stsapi.AssumeRoleRequest{RoleArn: p("arn:aws:iam::123456789012:role/r"), RoleSessionName: p("Session1:2")},
			`1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`},
		// Every broken constraint of one member is its own violation, pattern first.
		{"pattern and min length", input(sts, "AssumeRole"), &stsapi.AssumeRoleRequest{RoleArn: p("arn:aws:iam::123456789012:role/r"), RoleSessionName: p("!")},
			`2 validation errors detected: Value '!' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*; Value '!' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2`},
		{"pattern and max length", input(sts, "AssumeRole"), &stsapi.AssumeRoleRequest{RoleArn: p("arn:aws:iam::123456789012:role/r"), RoleSessionName: p(slashes)},
			`2 validation errors detected: Value '` + slashes + `' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*; Value '` + slashes + `' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64`},
		// Lengths count code points: one emoji is one character.
		{"supplementary character length", input(sts, "AssumeRole"), &stsapi.AssumeRoleRequest{RoleArn: p("arn:aws:iam::123456789012:role/r"), RoleSessionName: p("😀")},
			`2 validation errors detected: Value '😀' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*; Value '😀' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2`},
		{"multibyte within length", input(iam, "TagUser"), &iamapi.TagUserRequest{UserName: p("bob"), Tags: []iamapi.Tag{{Key: p("k"), Value: p(strings.Repeat("é", 256))}}}, ""},
		{"multibyte over length", input(iam, "TagUser"), &iamapi.TagUserRequest{UserName: p("bob"), Tags: []iamapi.Tag{{Key: p(strings.Repeat("é", 129)), Value: p("v")}}},
			"1 validation error detected: Value '" + strings.Repeat("é", 129) + "' at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"enum", input(iam, "ListPolicies"), &iamapi.ListPoliciesRequest{Scope: p("Mine")},
			"1 validation error detected: Value 'Mine' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]"},
		{"integer min", input(iam, "ListUsers"), &iamapi.ListUsersRequest{MaxItems: p(int32(0))},
			"1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"integer max", input(iam, "ListUsers"), &iamapi.ListUsersRequest{MaxItems: p(int32(1001))},
			"1 validation error detected: Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000"},
		{"integer bounds inclusive", input(iam, "ListUsers"), &iamapi.ListUsersRequest{MaxItems: p(int32(1000))}, ""},
		// Structures inside lists: tags.N.member.key, 1-based.
		{"nested path", input(iam, "TagUser"), &iamapi.TagUserRequest{UserName: p("bob"), Tags: []iamapi.Tag{
			{Key: p("ok"), Value: p("v")}, {Key: p("bad#key"), Value: p("v")}}},
			`1 validation error detected: Value 'bad#key' at 'tags.2.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+`},
		{"nested required", input(iam, "TagUser"), &iamapi.TagUserRequest{UserName: p("bob"), Tags: []iamapi.Tag{{Key: p("k")}}},
			"1 validation error detected: Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null"},
		{"multiple members joined", input(iam, "TagUser"), &iamapi.TagUserRequest{Tags: []iamapi.Tag{{Key: p(""), Value: p("a|b")}}},
			`4 validation errors detected: Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+; ` +
				`Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1; ` +
				`Value 'a|b' at 'tags.1.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]*; ` +
				`Value null at 'userName' failed to satisfy constraint: Member must not be null`},
		{"list length", input(iam, "TagUser"), &iamapi.TagUserRequest{UserName: p("bob"), Tags: make51Tags()},
			"1 validation error detected: Value '[" + strings.TrimSuffix(strings.Repeat("Tag, ", 51), ", ") + "]' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{"empty list is present", input(iam, "UntagUser"), &iamapi.UntagUserRequest{UserName: p("bob"), TagKeys: []string{}}, ""},
		// Sensitive members are not echoed: "Value at 'password'".
		{"sensitive", input(iam, "CreateLoginProfile"), &iamapi.CreateLoginProfileRequest{UserName: p("bob"), Password: p(strings.Repeat("x", 129))},
			"1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"sensitive pattern", input(iam, "CreateLoginProfile"), &iamapi.CreateLoginProfileRequest{UserName: p("bob"), Password: p("tab\x01")},
			"1 validation error detected: Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"},
		// Look-around patterns, through their RE2 equivalents; the message shows the model's pattern.
		{"account alias with --", input(iam, "CreateAccountAlias"), &iamapi.CreateAccountAliasRequest{AccountAlias: p("my--alias")},
			"1 validation error detected: Value 'my--alias' at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$"},
		{"account alias ok", input(iam, "CreateAccountAlias"), &iamapi.CreateAccountAliasRequest{AccountAlias: p("my-alias")}, ""},
		// LS: Value '2024' at 'name' ... pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)
		{"lambda alias all digits", input(lambda, "CreateAlias"), &lambdaapi.CreateAliasRequest{FunctionName: p("f"), FunctionVersion: p("1"), Name: p("2024")},
			"1 validation error detected: Value '2024' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)"},
		{"lambda alias ok", input(lambda, "CreateAlias"), &lambdaapi.CreateAliasRequest{FunctionName: p("f"), FunctionVersion: p("1"), Name: p("live")}, ""},
		// LS: Value 'arn:…' at 'functionName' ... length less than or equal to 140
		{"lambda function name", input(lambda, "CreateFunction"), &lambdaapi.CreateFunctionRequest{FunctionName: p(long), Role: p("arn:aws:iam::123456789012:role/r"), Code: &lambdaapi.FunctionCode{}},
			"1 validation error detected: Value '" + long + "' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 140"},
		// LS: Value '0' at 'provisionedConcurrentExecutions'
		{"lambda integer min", input(lambda, "PutProvisionedConcurrencyConfig"), &lambdaapi.PutProvisionedConcurrencyConfigRequest{FunctionName: p("f"), Qualifier: p("live"), ProvisionedConcurrentExecutions: p(int32(0))},
			"1 validation error detected: Value '0' at 'provisionedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		// LS, verbatim: list elements reported once for the list, with every element constraint.
		{"list element enum", input(lambda, "CreateFunction"), &lambdaapi.CreateFunctionRequest{FunctionName: p("f"), Role: p("arn:aws:iam::123456789012:role/r"), Code: &lambdaapi.FunctionCode{}, Architectures: []string{"X86_64"}},
			"1 validation error detected: Value '[X86_64]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]"},
		// LS, verbatim.
		{"list length joined like Java", input(lambda, "CreateFunction"), &lambdaapi.CreateFunctionRequest{FunctionName: p("f"), Role: p("arn:aws:iam::123456789012:role/r"), Code: &lambdaapi.FunctionCode{}, Architectures: []string{"x86_64", "arm64"}},
			"1 validation error detected: Value '[x86_64, arm64]' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1"},
		// Quoted from a real Lambda answer (terraform users): every constraint of the element shape.
		{"list element length", input(lambda, "CreateFunctionUrlConfig"), &lambdaapi.CreateFunctionUrlConfigRequest{FunctionName: p("f"), AuthType: p("NONE"),
			Cors: &lambdaapi.Cors{AllowMethods: []string{"POST", "OPTIONS"}}},
			"1 validation error detected: Value '[POST, OPTIONS]' at 'cors.allowMethods' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 6, Member must have length greater than or equal to 0, Member must satisfy regular expression pattern: .*, Member must not be null]"},
		// LS, verbatim: map values and keys.
		{"map value range", input(lambda, "UpdateAlias"), &lambdaapi.UpdateAliasRequest{FunctionName: p("f"), Name: p("live"),
			RoutingConfig: &lambdaapi.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"2": -1}}},
			"1 validation error detected: Value '{2=-1.0}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]"},
		{"map value too high", input(lambda, "UpdateAlias"), &lambdaapi.UpdateAliasRequest{FunctionName: p("f"), Name: p("live"),
			RoutingConfig: &lambdaapi.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"2": 2}}},
			"1 validation error detected: Value '{2=2.0}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]"},
		{"map key pattern", input(lambda, "UpdateAlias"), &lambdaapi.UpdateAliasRequest{FunctionName: p("f"), Name: p("live"),
			RoutingConfig: &lambdaapi.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"$LATEST": 0.5}}},
			"1 validation error detected: Value '{$LATEST=0.5}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]"},
		{"map ok", input(lambda, "UpdateAlias"), &lambdaapi.UpdateAliasRequest{FunctionName: p("f"), Name: p("live"),
			RoutingConfig: &lambdaapi.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"2": 0.25, "3": 1}}}, ""},
		{"sensitive map not echoed", input(lambda, "CreateFunction"), &lambdaapi.CreateFunctionRequest{FunctionName: p("f"), Role: p("arn:aws:iam::123456789012:role/r"), Code: &lambdaapi.FunctionCode{},
			Environment: &lambdaapi.Environment{Variables: map[string]string{"1BAD": "secret"}}},
			"1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]"},
		{"lambda qualifier look-around", input(lambda, "CreateFunctionUrlConfig"), &lambdaapi.CreateFunctionUrlConfigRequest{FunctionName: p("f"), AuthType: p("NONE"), Qualifier: p("1")},
			`1 validation error detected: Value '1' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ((?!^\d+$)^[0-9a-zA-Z-_]+$)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.sh == nil {
				t.Fatal("no input shape")
			}
			vs := protocol.Validate(tt.sh, tt.in)
			if tt.want == "" {
				if len(vs) != 0 {
					t.Fatalf("unexpected violations: %s", protocol.ValidationMessage(vs))
				}
				return
			}
			if got := protocol.ValidationMessage(vs); got != tt.want {
				t.Errorf("message\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func make51Tags() []iamapi.Tag {
	tags := make([]iamapi.Tag, 51)
	for i := range tags {
		tags[i] = iamapi.Tag{Key: p("k"), Value: p("v")}
	}
	return tags
}

// A synthetic model reaches what the three models do not: long/double ranges at top level, blob
// lengths, NaN, lists of lists and maps of structures (not descended into).
func TestValidateSynthetic(t *testing.T) {
	t.Parallel()
	svc, err := model.Parse([]byte(`{"shapes": {
	  "In": {"type": "structure", "members": {
	    "Big": {"shape": "L"}, "Ratio": {"shape": "D"}, "Data": {"shape": "Blob"}, "Grid": {"shape": "Grid"},
	    "Things": {"shape": "ThingMap"}, "Small": {"shape": "F"}, "Sizes": {"shape": "Sizes"}, "Secret": {"shape": "Hidden"}},
	    "required": ["Data"]},
	  "L": {"type": "long", "min": 10, "max": 9007199254740993},
	  "D": {"type": "double", "min": 0.001, "max": 10000000},
	  "F": {"type": "float", "min": 0.5},
	  "Blob": {"type": "blob", "min": 2, "max": 3},
	  "S": {"type": "string", "min": 1},
	  "Grid": {"type": "list", "member": {"shape": "Row"}},
	  "Row": {"type": "list", "member": {"shape": "S"}},
	  "Thing": {"type": "structure", "members": {"N": {"shape": "S"}}, "required": ["N"]},
	  "ThingMap": {"type": "map", "key": {"shape": "S"}, "value": {"shape": "Thing"}, "max": 1},
	  "Sizes": {"type": "list", "member": {"shape": "Size"}},
	  "Size": {"type": "integer", "min": 1, "max": 5},
	  "Hidden": {"type": "list", "member": {"shape": "S"}, "max": 1, "sensitive": true}
	}}`))
	if err != nil {
		t.Fatal(err)
	}
	type thing struct{ N *string }
	type in struct {
		Big    *int64
		Data   []byte
		Grid   [][]string
		Ratio  *float64
		Secret []string
		Sizes  []int32
		Small  *float32
		Things map[string]thing
	}
	sh := svc.Shapes["In"]
	tests := []struct {
		name string
		in   in
		want string
	}{
		{"long below", in{Data: []byte("ab"), Big: p(int64(9))},
			"1 validation error detected: Value '9' at 'big' failed to satisfy constraint: Member must have value greater than or equal to 10"},
		{"double above", in{Data: []byte("ab"), Ratio: p(2e7)},
			"1 validation error detected: Value '2.0E7' at 'ratio' failed to satisfy constraint: Member must have value less than or equal to 1.0E7"},
		{"double below", in{Data: []byte("ab"), Ratio: p(0.0001)},
			"1 validation error detected: Value '1.0E-4' at 'ratio' failed to satisfy constraint: Member must have value greater than or equal to 0.001"},
		{"NaN breaks both bounds", in{Data: []byte("ab"), Ratio: p(math.NaN())},
			"2 validation errors detected: Value 'NaN' at 'ratio' failed to satisfy constraint: Member must have value less than or equal to 1.0E7; Value 'NaN' at 'ratio' failed to satisfy constraint: Member must have value greater than or equal to 0.001"},
		{"float", in{Data: []byte("ab"), Small: p(float32(0.25))},
			"1 validation error detected: Value '0.25' at 'small' failed to satisfy constraint: Member must have value greater than or equal to 0.5"},
		{"blob length", in{Data: []byte("abcd")},
			"1 validation error detected: Value '[97 98 99 100]' at 'data' failed to satisfy constraint: Member must have length less than or equal to 3"},
		{"required blob", in{},
			"1 validation error detected: Value null at 'data' failed to satisfy constraint: Member must not be null"},
		{"list of lists", in{Data: []byte("ab"), Grid: [][]string{{"a"}, {""}}}, ""},
		{"map of structures length only", in{Data: []byte("ab"), Things: map[string]thing{"a": {}, "b": {}}},
			"1 validation error detected: Value '{a=Thing, b=Thing}' at 'things' failed to satisfy constraint: Member must have length less than or equal to 1"},
		{"list of integers", in{Data: []byte("ab"), Sizes: []int32{1, 9}},
			"1 validation error detected: Value '[1, 9]' at 'sizes' failed to satisfy constraint: Member must satisfy constraint: [Member must have value less than or equal to 5, Member must have value greater than or equal to 1, Member must not be null]"},
		{"sensitive list", in{Data: []byte("ab"), Secret: []string{"x", "y"}},
			"1 validation error detected: Value at 'secret' failed to satisfy constraint: Member must have length less than or equal to 1"},
		{"valid", in{Data: []byte("abc"), Big: p(int64(9007199254740993)), Ratio: p(1e7), Small: p(float32(0.5)), Sizes: []int32{5}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			vs := protocol.Validate(sh, &tt.in)
			got := ""
			if len(vs) > 0 {
				got = protocol.ValidationMessage(vs)
			}
			if got != tt.want {
				t.Errorf("message\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// Every operation's zero input produces exactly one "must not be null" per required member and
// nothing else; a nil input is valid (nothing to check).
func TestValidateZeroInputs(t *testing.T) {
	t.Parallel()
	for _, h := range []struct {
		svc *model.Service
		ops []protocol.Operation
	}{
		{iamapi.Model(), iamapi.Operations(iamapi.Unimplemented{})},
		{stsapi.Model(), stsapi.Operations(stsapi.Unimplemented{})},
		{lambdaapi.Model(), lambdaapi.Operations(lambdaapi.Unimplemented{})},
	} {
		for _, op := range h.ops {
			if op.Model.Input == nil {
				continue
			}
			vs := protocol.Validate(op.Model.Input, op.NewInput())
			if len(vs) != len(op.Model.Input.Required) {
				t.Errorf("%s %s: %d violations for %d required members: %v", h.svc.Name, op.Name(), len(vs), len(op.Model.Input.Required), vs)
			}
			for _, v := range vs {
				if v.Value != "null" || v.Text != "Member must not be null" {
					t.Errorf("%s %s: %+v", h.svc.Name, op.Name(), v)
				}
			}
		}
	}
}

func TestOperationHelpers(t *testing.T) {
	t.Parallel()
	op := iamapi.Operations(iamapi.Unimplemented{})[0]
	if op.Name() != op.Model.Name || op.Name() == "" {
		t.Errorf("Name() = %q", op.Name())
	}
	if *protocol.Ptr(3) != 3 || protocol.Val(protocol.Ptr("x")) != "x" || protocol.Val[int](nil) != 0 {
		t.Error("Ptr/Val")
	}
}

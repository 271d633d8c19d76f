package model_test

import (
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/protocol/model"
)

func services() map[string]*model.Service {
	return map[string]*model.Service{"iam": iamapi.Model(), "sts": stsapi.Model(), "lambda": lambdaapi.Model()}
}

func TestServiceMetadata(t *testing.T) {
	t.Parallel()
	tests := []struct {
		svc                          *model.Service
		name, protocol, version, xml string
		minOps                       int
	}{
		{iamapi.Model(), "iam", "query", "2010-05-08", "https://iam.amazonaws.com/doc/2010-05-08/", 150},
		{stsapi.Model(), "sts", "query", "2011-06-15", "https://sts.amazonaws.com/doc/2011-06-15/", 8},
		{lambdaapi.Model(), "lambda", "rest-json", "2015-03-31", "", 60},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := tt.svc
			if s.Name != tt.name || s.Protocol != tt.protocol || s.APIVersion != tt.version || s.XMLNamespace != tt.xml {
				t.Errorf("metadata = %q %q %q %q", s.Name, s.Protocol, s.APIVersion, s.XMLNamespace)
			}
			if len(s.OpNames) < tt.minOps || len(s.OpNames) != len(s.Operations) {
				t.Errorf("%d op names, %d operations", len(s.OpNames), len(s.Operations))
			}
			for i := 1; i < len(s.OpNames); i++ {
				if s.OpNames[i-1] >= s.OpNames[i] {
					t.Errorf("OpNames not sorted at %d: %q >= %q", i, s.OpNames[i-1], s.OpNames[i])
				}
			}
		})
	}
}

// Every operation of the three models resolves its input and output shapes to structures whose
// members all point at shapes of the model, and list/map shapes have element shapes.
func TestEveryOperationResolves(t *testing.T) {
	t.Parallel()
	for name, svc := range services() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, opName := range svc.OpNames {
				op := svc.Operations[opName]
				if op.Name != opName {
					t.Errorf("%s: Name = %q", opName, op.Name)
				}
				if op.ResponseCode == 0 {
					t.Errorf("%s: ResponseCode 0", opName)
				}
				if svc.Protocol == "query" {
					if op.Method != "POST" || op.RequestURI != "/" {
						t.Errorf("%s: %s %s", opName, op.Method, op.RequestURI)
					}
					if op.Output != nil && op.ResultWrapper != opName+"Result" {
						t.Errorf("%s: ResultWrapper = %q", opName, op.ResultWrapper)
					}
				} else if op.Method == "" || !strings.HasPrefix(op.RequestURI, "/20") {
					t.Errorf("%s: %s %s", opName, op.Method, op.RequestURI)
				}
				for _, sh := range []*model.Shape{op.Input, op.Output} {
					if sh == nil {
						continue
					}
					if sh.Type != "structure" || svc.Shapes[sh.Name] != sh {
						t.Errorf("%s: io shape %s is %s", opName, sh.Name, sh.Type)
					}
					checkShape(t, svc, sh, map[*model.Shape]bool{})
				}
				for _, e := range op.Errors {
					if !e.Exception || e.ErrorCode() == "" {
						t.Errorf("%s: error shape %s exception=%v code=%q", opName, e.Name, e.Exception, e.ErrorCode())
					}
				}
			}
		})
	}
}

func checkShape(t *testing.T, svc *model.Service, sh *model.Shape, seen map[*model.Shape]bool) {
	t.Helper()
	if seen[sh] {
		return
	}
	seen[sh] = true
	if svc.Shapes[sh.Name] != sh {
		t.Errorf("shape %s not in the model's table", sh.Name)
	}
	switch sh.Type {
	case "structure":
		for _, m := range sh.Members {
			if m.Shape == nil || m.GoName == "" || sh.MemberNamed(m.Name) != m {
				t.Errorf("%s.%s: unresolved member", sh.Name, m.Name)
				continue
			}
			checkShape(t, svc, m.Shape, seen)
		}
		for req := range sh.Required {
			if sh.MemberNamed(req) == nil {
				t.Errorf("%s: required %s is not a member", sh.Name, req)
			}
		}
		if sh.Payload != "" && sh.MemberNamed(sh.Payload) == nil {
			t.Errorf("%s: payload %s is not a member", sh.Name, sh.Payload)
		}
	case "list":
		if sh.Member == nil || sh.Member.Shape == nil {
			t.Fatalf("list %s has no member shape", sh.Name)
		}
		checkShape(t, svc, sh.Member.Shape, seen)
	case "map":
		if sh.Key == nil || sh.Value == nil {
			t.Fatalf("map %s has no key/value", sh.Name)
		}
		checkShape(t, svc, sh.Key.Shape, seen)
		checkShape(t, svc, sh.Value.Shape, seen)
	case "string", "integer", "long", "double", "float", "boolean", "timestamp", "blob":
	default:
		t.Errorf("shape %s has unknown type %q", sh.Name, sh.Type)
	}
}

func TestMembersSortedAndWireNames(t *testing.T) {
	t.Parallel()
	iam := iamapi.Model()
	req := iam.Shapes["CreateUserRequest"]
	var names []string
	for _, m := range req.Members {
		names = append(names, m.Name)
	}
	if got := strings.Join(names, ","); got != "Path,PermissionsBoundary,Tags,UserName" {
		t.Errorf("CreateUserRequest members = %s", got)
	}
	if !req.Required["UserName"] || req.Required["Path"] {
		t.Errorf("Required = %v", req.Required)
	}
	lambda := lambdaapi.Model()
	inv := lambda.Shapes["InvocationRequest"]
	fn := inv.MemberNamed("FunctionName")
	if fn.Location != "uri" || fn.WireName() != "FunctionName" {
		t.Errorf("FunctionName: %q %q", fn.Location, fn.WireName())
	}
	it := inv.MemberNamed("InvocationType")
	if it.Location != "header" || it.WireName() != "X-Amz-Invocation-Type" || it.Name != "InvocationType" {
		t.Errorf("InvocationType: %q %q", it.Location, it.WireName())
	}
	if inv.Payload != "Payload" {
		t.Errorf("payload = %q", inv.Payload)
	}
	if got := lambda.Operations["Invoke"]; got.Method != "POST" || got.RequestURI != "/2015-03-31/functions/{FunctionName}/invocations" {
		t.Errorf("Invoke http = %s %s", got.Method, got.RequestURI)
	}
	if got := lambda.Operations["DeleteAlias"].ResponseCode; got != 204 {
		t.Errorf("DeleteAlias response code = %d", got)
	}
	if got := lambda.Operations["CreateFunction"].ResponseCode; got != 201 {
		t.Errorf("CreateFunction response code = %d", got)
	}
	if iam.Shapes["summaryMapType"].Type != "map" || iam.Shapes["passwordType"].Sensitive != true {
		t.Error("summaryMapType or passwordType misread")
	}
	if m := iam.Shapes["maxItemsType"]; m.Min == nil || *m.Min != 1 || m.Max == nil || *m.Max != 1000 {
		t.Errorf("maxItemsType range misread")
	}
}

func TestGoName(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"UserName", "UserName"},
		{"arn", "Arn"},
		{"summaryMapType", "SummaryMapType"},
		{"message", "Message"},
		{"KMSKeyArn", "KMSKeyArn"},
		{"x-amz-invocation-type", "XAmzInvocationType"},
		{"snake_case_name", "SnakeCaseName"},
		{"dotted.name", "DottedName"},
		{"with space", "WithSpace"},
		{"__leading", "Leading"},
		{"élan", "Élan"},
	}
	for _, tt := range tests {
		if got := model.GoName(tt.in); got != tt.want {
			t.Errorf("GoName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestErrorCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		svc            *model.Service
		shape, code    string
		status         int
		sender, hasErr bool
	}{
		{iamapi.Model(), "NoSuchEntityException", "NoSuchEntity", 404, true, true},
		{iamapi.Model(), "EntityAlreadyExistsException", "EntityAlreadyExists", 409, true, true},
		{iamapi.Model(), "ServiceFailureException", "ServiceFailure", 500, false, true},
		{stsapi.Model(), "ExpiredTokenException", "ExpiredTokenException", 400, true, true},
		{stsapi.Model(), "MalformedPolicyDocumentException", "MalformedPolicyDocument", 400, true, true},
		// Lambda's REST-JSON model has no error.code: the shape name is the code.
		{lambdaapi.Model(), "ResourceNotFoundException", "ResourceNotFoundException", 404, false, true},
		{lambdaapi.Model(), "ResourceConflictException", "ResourceConflictException", 409, false, true},
	}
	for _, tt := range tests {
		sh := tt.svc.Shapes[tt.shape]
		if sh == nil {
			t.Fatalf("no shape %s", tt.shape)
		}
		if !sh.Exception {
			t.Errorf("%s: not an exception", tt.shape)
		}
		if got := sh.ErrorCode(); got != tt.code {
			t.Errorf("%s.ErrorCode() = %q, want %q", tt.shape, got, tt.code)
		}
		if sh.Error == nil {
			t.Errorf("%s: no error info", tt.shape)
			continue
		}
		if sh.Error.Status != tt.status || (tt.svc.Protocol == "query" && sh.Error.Sender != tt.sender) {
			t.Errorf("%s: status %d sender %v", tt.shape, sh.Error.Status, sh.Error.Sender)
		}
	}
	if got := (&model.Shape{Name: "Bare"}).ErrorCode(); got != "Bare" {
		t.Errorf("bare ErrorCode = %q", got)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, doc, want string }{
		{"not json", `{`, "model:"},
		{"unknown member shape", `{"shapes":{"A":{"type":"structure","members":{"x":{"shape":"Nope"}}}}}`, `unknown shape "Nope"`},
		{"unknown list member", `{"shapes":{"L":{"type":"list","member":{"shape":"Nope"}}}}`, `unknown shape "Nope"`},
		{"unknown map key", `{"shapes":{"M":{"type":"map","key":{"shape":"Nope"},"value":{"shape":"Nope"}}}}`, `unknown shape "Nope"`},
		{"unknown map value", `{"shapes":{"S":{"type":"string"},"M":{"type":"map","key":{"shape":"S"},"value":{"shape":"Nope"}}}}`, `unknown shape "Nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := model.Parse([]byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestParseSynthetic(t *testing.T) {
	t.Parallel()
	svc, err := model.Parse([]byte(`{
	  "metadata": {"apiVersion": "2020-01-01", "endpointPrefix": "ex", "protocol": "query", "xmlNamespace": "urn:ex"},
	  "operations": {"Op": {"name": "Op", "http": {"method": "POST", "requestUri": "/"},
	      "input": {"shape": "In"}, "output": {"shape": "Out", "resultWrapper": "OpResult"},
	      "errors": [{"shape": "Boom"}, {"shape": "Missing"}]},
	    "Bare": {"name": "Bare", "http": {"method": "POST", "requestUri": "/"}}},
	  "shapes": {
	    "In": {"type": "structure", "members": {"Items": {"shape": "L", "locationName": "Item"}, "Flag": {"shape": "B"}}, "required": ["Flag"]},
	    "Out": {"type": "structure", "members": {}},
	    "L": {"type": "list", "member": {"shape": "S", "locationName": "it"}, "flattened": true},
	    "S": {"type": "string"},
	    "B": {"type": "boolean"},
	    "Boom": {"type": "structure", "members": {}, "exception": true, "error": {"code": "Kaboom", "httpStatusCode": 418, "senderFault": true}}
	  }}`))
	if err != nil {
		t.Fatal(err)
	}
	op := svc.Operations["Op"]
	if op.ResponseCode != 200 || op.ResultWrapper != "OpResult" || len(op.Errors) != 1 || op.Errors[0].ErrorCode() != "Kaboom" {
		t.Errorf("op = %+v", op)
	}
	if b := svc.Operations["Bare"]; b.Input != nil || b.Output != nil {
		t.Errorf("Bare has io shapes")
	}
	items := svc.Shapes["In"].MemberNamed("Items")
	if !items.Flattened || items.WireName() != "Item" || items.Shape.Member.LocationName != "it" {
		t.Errorf("Items = %+v", items)
	}
	if svc.Shapes["Boom"].Error.Status != 418 {
		t.Errorf("Boom status")
	}
}

// The few model patterns written with Java look-arounds are enforced through their RE2 equivalents.
func TestLookaroundPatterns(t *testing.T) {
	t.Parallel()
	iam, lambda := iamapi.Model(), lambdaapi.Model()
	tests := []struct {
		sh    *model.Shape
		value string
		want  bool
	}{
		{iam.Shapes["accountAliasType"], "my-alias", true},
		{iam.Shapes["accountAliasType"], "my--alias", false},
		{iam.Shapes["accountAliasType"], "-alias", false},
		{iam.Shapes["accountAliasType"], "alias-", false},
		{iam.Shapes["accountAliasType"], "Alias", false},
		{iam.Shapes["accountAliasType"], "a1b", true},
		{lambda.Shapes["Alias"], "live", true},
		{lambda.Shapes["Alias"], "v1", true},
		{lambda.Shapes["Alias"], "2024", false},
		{lambda.Shapes["Alias"], "20-24", true},
		{lambda.Shapes["Alias"], "bad.alias", false},
	}
	for _, tt := range tests {
		if tt.sh == nil {
			t.Fatal("missing shape")
		}
		if tt.sh.PatternRE() == nil {
			t.Fatalf("%s: pattern %q not compiled", tt.sh.Name, tt.sh.Pattern)
		}
		if got := tt.sh.MatchPattern(tt.value); got != tt.want {
			t.Errorf("%s.MatchPattern(%q) = %v, want %v", tt.sh.Name, tt.value, got, tt.want)
		}
	}
	// Lambda's qualifier pattern ((?!^\d+$)^[0-9a-zA-Z-_]+$) is in the table too, wherever it is used.
	for _, sh := range lambda.Shapes {
		if sh.Pattern == `((?!^\d+$)^[0-9a-zA-Z-_]+$)` {
			if sh.MatchPattern("1") || !sh.MatchPattern("prod") {
				t.Errorf("%s: qualifier look-around not enforced", sh.Name)
			}
		}
	}
}

// Every pattern of the three models compiles for Go (RE2), directly or through its equivalent, so
// no constraint is silently skipped.
func TestEveryPatternCompiles(t *testing.T) {
	t.Parallel()
	for name, svc := range services() {
		for _, sh := range svc.Shapes {
			if sh.Pattern != "" && sh.PatternRE() == nil {
				t.Errorf("%s %s: pattern %q has no RE2 form", name, sh.Name, sh.Pattern)
			}
		}
	}
	none := &model.Shape{Name: "free", Type: "string"}
	if none.PatternRE() != nil || !none.MatchPattern("anything") {
		t.Error("a shape without pattern must match everything")
	}
	java := &model.Shape{Name: "j", Type: "string", Pattern: `[\u0041-\u0043]+`}
	if !java.MatchPattern("ABC") || java.MatchPattern("ABD") {
		t.Error(`\uXXXX escapes not translated`)
	}
	bad := &model.Shape{Name: "bad", Type: "string", Pattern: `(?<=x)y`}
	if bad.PatternRE() != nil || !bad.MatchPattern("zzz") {
		t.Error("an uncompilable pattern must be skipped, not enforced")
	}
}

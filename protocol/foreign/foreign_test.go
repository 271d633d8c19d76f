package foreign

import (
	"net/http/httptest"
	"testing"

	"github.com/iamlocal/iamlocal/protocol/awserr"
)

func TestShapeAndBytes(t *testing.T) {
	t.Parallel()
	e := awserr.New("NotImplemented", 501, false, "no <s3> & more")
	tests := []struct {
		signing, method, target, contentType, url string
		ctype, body                               string
	}{
		{"dynamodb", "POST", "DynamoDB_20120810.ListTables", "application/x-amz-json-1.0", "/",
			"application/x-amz-json-1.0", `{"__type":"NotImplemented","message":"no <s3> & more"}`},
		{"secretsmanager", "POST", "secretsmanager.ListSecrets", "application/x-amz-json-1.1", "/",
			"application/x-amz-json-1.1", `{"__type":"NotImplemented","message":"no <s3> & more"}`},
		{"cloudformation", "POST", "", "application/x-www-form-urlencoded", "/", "application/xml",
			`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<ErrorResponse><Error><Type>Receiver</Type><Code>NotImplemented</Code><Message>no &lt;s3&gt; &amp; more</Message></Error><RequestId>r1</RequestId></ErrorResponse>` + "\n"},
		{"ec2", "POST", "", "application/x-www-form-urlencoded", "/", "application/xml",
			`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Response><Errors><Error><Code>NotImplemented</Code><Message>no &lt;s3&gt; &amp; more</Message></Error></Errors><RequestID>r1</RequestID></Response>` + "\n"},
		{"s3", "GET", "", "", "/bucket?list-type=2", "application/xml",
			`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Error><Code>NotImplemented</Code><Message>no &lt;s3&gt; &amp; more</Message><RequestId>r1</RequestId></Error>` + "\n"},
		{"apigateway", "GET", "", "", "/v2/apis", "application/json", `{"message":"no <s3> & more"}`},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, tt.url, nil)
		if tt.target != "" {
			r.Header.Set("X-Amz-Target", tt.target)
		}
		if tt.contentType != "" {
			r.Header.Set("Content-Type", tt.contentType)
		}
		shape, version := ShapeOf(tt.signing, r)
		w := Error(shape, version, e, "r1")
		if w.Status != 501 || w.Header.Get("Content-Type") != tt.ctype || string(w.Body) != tt.body {
			t.Errorf("%s: %d %s %s", tt.signing, w.Status, w.Header.Get("Content-Type"), w.Body)
		}
		if shape == RESTJSON && w.Header.Get("X-Amzn-ErrorType") != "NotImplemented" {
			t.Errorf("%s: no X-Amzn-ErrorType", tt.signing)
		}
	}
}

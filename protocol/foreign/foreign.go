// Package foreign writes error responses in the protocols of services iamlocal does not serve,
// so a client of such a service (S3, DynamoDB, SQS, EC2, ...) that is pointed at iamlocal reads a
// well-formed error of its own protocol instead of failing to parse IAM's XML.
package foreign

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/protocol/jsonshape"
)

// Shape is a protocol's error shape.
type Shape int

const (
	JSON     Shape = iota // AWS JSON 1.0/1.1: {"__type": code, "message": ...}
	Query                 // AWS Query: <ErrorResponse><Error>...</Error><RequestId/></ErrorResponse>
	EC2                   // EC2 Query: <Response><Errors><Error>...</Error></Errors><RequestID/></Response>
	RESTXML               // S3: <Error><Code/><Message/><RequestId/></Error>
	RESTJSON              // REST-JSON: X-Amzn-ErrorType and {"message": ...}
)

// ShapeOf guesses the protocol of a request to the service that signed it as signingName, from
// its shape: an X-Amz-Target names a JSON operation, a form or an Action names a Query one;
// EC2 and S3 have their own error bodies; anything else is REST-JSON.
func ShapeOf(signingName string, r *http.Request) (Shape, string) {
	switch {
	case r.Header.Get("X-Amz-Target") != "":
		version := strings.TrimPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-")
		if version != "1.1" {
			version = "1.0"
		}
		return JSON, version
	case signingName == "ec2":
		return EC2, ""
	case strings.HasPrefix(signingName, "s3"):
		return RESTXML, ""
	case strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") || r.URL.Query().Has("Action"):
		return Query, ""
	}
	return RESTJSON, ""
}

// Error encodes e in shape (version: the JSON protocol's, "1.0" or "1.1").
func Error(shape Shape, version string, e *awserr.Error, requestID string) protocol.Wire {
	fault := "Sender"
	if !e.Sender {
		fault = "Receiver"
	}
	switch shape {
	case JSON:
		return protocol.NewWire(e.Status, "application/x-amz-json-"+version,
			jsonshape.MarshalFields(map[string]any{"__type": e.Code, "message": e.Message}))
	case Query:
		return xmlWire(e.Status, "<ErrorResponse><Error><Type>"+fault+"</Type><Code>"+esc(e.Code)+"</Code><Message>"+
			esc(e.Message)+"</Message></Error><RequestId>"+esc(requestID)+"</RequestId></ErrorResponse>")
	case EC2:
		return xmlWire(e.Status, "<Response><Errors><Error><Code>"+esc(e.Code)+"</Code><Message>"+esc(e.Message)+
			"</Message></Error></Errors><RequestID>"+esc(requestID)+"</RequestID></Response>")
	case RESTXML:
		return xmlWire(e.Status, "<Error><Code>"+esc(e.Code)+"</Code><Message>"+esc(e.Message)+"</Message><RequestId>"+
			esc(requestID)+"</RequestId></Error>")
	}
	w := protocol.NewWire(e.Status, "application/json", jsonshape.MarshalFields(map[string]any{"message": e.Message}))
	w.Header.Set("X-Amzn-ErrorType", e.Code)
	return w
}

func xmlWire(status int, body string) protocol.Wire {
	return protocol.NewWire(status, "application/xml", []byte(xml.Header+body+"\n"))
}

func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

package emulator

import (
	"net/http"
	"strings"

	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/protocol/foreign"
)

// notEmulated answers a request signed for a service iamlocal does not emulate (S3, DynamoDB,
// SQS, CloudFormation, EC2, ...) in that service's own protocol, naming the service and what
// iamlocal does emulate, before reading its body. 501, which the SDKs do not retry.
func (s *Server) notEmulated(w http.ResponseWriter, r *http.Request, signingName, requestID string) {
	titles := make([]string, len(s.services))
	for i, svc := range s.services {
		titles[i] = svc.title
	}
	emulated := strings.Join(titles[:len(titles)-1], ", ") + " and " + titles[len(titles)-1]
	e := awserr.New("NotImplemented", http.StatusNotImplemented, false,
		"iamlocal does not emulate the %s service; it emulates %s. Point this client at AWS or another emulator.",
		signingName, emulated)
	shape, version := foreign.ShapeOf(signingName, r)
	writeWire(w, foreign.Error(shape, version, e, requestID), requestID)
}

package executor

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Runtime API, version 2018-06-01, as "Using the Lambda runtime API for
// custom runtimes" describes it.
const rapiPrefix = "/2018-06-01/runtime"

func (sb *sandbox) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+rapiPrefix+"/invocation/next", sb.handleNext)
	mux.HandleFunc("POST "+rapiPrefix+"/invocation/{id}/response", sb.handleResponse)
	mux.HandleFunc("POST "+rapiPrefix+"/invocation/{id}/error", sb.handleError)
	mux.HandleFunc("POST "+rapiPrefix+"/init/error", sb.handleInitError)
	return mux
}

// handleNext blocks until there is an invocation for the runtime. The first
// call ends the init phase.
func (sb *sandbox) handleNext(w http.ResponseWriter, r *http.Request) {
	// What the runtime printed before asking belongs before START.
	sb.logs.sync(time.Second)
	for {
		sb.mu.Lock()
		if sb.state == stateInitializing {
			sb.state, _ = next(sb.state, evInitDone)
			sb.initAt = sb.e.opts.Clock()
			sb.endInitLocked()
		}
		switch sb.state {
		case stateIdle:
			if iv := sb.pending; iv != nil {
				sb.state, _ = next(sb.state, evDeliver)
				sb.pending, sb.inflight = nil, iv
				iv.deliveredAt = sb.e.opts.Clock()
				if iv.Deadline.IsZero() {
					iv.Deadline = iv.deliveredAt.Add(iv.timeout)
				}
				sb.logStart(iv.RequestID)
				iv.started = true
				close(iv.delivered)
				sb.mu.Unlock()
				writeEvent(w, iv)
				return
			}
		case stateInvoking:
			sb.mu.Unlock()
			rapiError(w, http.StatusForbidden, "InvalidStateTransition",
				"The runtime asked for the next invocation before answering the current one.")
			return
		default:
			// Failed or stopping: the runtime waits here until it is stopped.
			sb.mu.Unlock()
			<-r.Context().Done()
			return
		}
		sb.mu.Unlock()
		select {
		case <-sb.wake:
		case <-r.Context().Done():
			return
		}
	}
}

func writeEvent(w http.ResponseWriter, iv *invocation) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Lambda-Runtime-Aws-Request-Id", iv.RequestID)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(iv.Deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", iv.arn)
	if iv.TraceID != "" {
		h.Set("Lambda-Runtime-Trace-Id", iv.TraceID)
	}
	if iv.ClientContext != "" {
		h.Set("Lambda-Runtime-Client-Context", iv.ClientContext)
	}
	if iv.CognitoIdentity != "" {
		h.Set("Lambda-Runtime-Cognito-Identity", iv.CognitoIdentity)
	}
	h.Set("Content-Length", strconv.Itoa(len(iv.Payload)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(iv.Payload)
}

// handleResponse takes the function's result. A body over
// MaxResponsePayload is refused with 413 and the invocation fails with
// Function.ResponseSizeTooLarge. A streamed one goes to
// handleStreamedResponse (stream.go).
func (sb *sandbox) handleResponse(w http.ResponseWriter, r *http.Request) {
	if strings.EqualFold(r.Header.Get(headerResponseMode), responseStreaming) {
		sb.handleStreamedResponse(w, r)
		return
	}
	body, tooLarge, err := readLimited(r.Body, MaxResponsePayload)
	if err != nil {
		rapiError(w, http.StatusBadRequest, "InvalidRequest", "Could not read the request body.")
		return
	}
	iv, ok := sb.current(w, r.PathValue("id"), evResponse)
	if !ok {
		return
	}
	if tooLarge {
		sb.finish(iv, outcome{kind: outTooLarge, errorType: errTypeResponseTooBig,
			payload: errorDocument(errTypeResponseTooBig, responseTooLargeMsg)})
		rapiError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", rapiPayloadTooLargeMsg)
		return
	}
	iv.deliver(r.Header.Get("Content-Type"), body)
	sb.finish(iv, outcome{kind: outResponse, payload: body})
	rapiAccepted(w)
}

// handleError takes a function error the runtime reports. Its body is the
// error document the caller gets; one that is not JSON is wrapped in one.
func (sb *sandbox) handleError(w http.ResponseWriter, r *http.Request) {
	body, _, err := readLimited(r.Body, MaxResponsePayload)
	if err != nil {
		rapiError(w, http.StatusBadRequest, "InvalidRequest", "Could not read the request body.")
		return
	}
	errType := r.Header.Get("Lambda-Runtime-Function-Error-Type")
	iv, ok := sb.current(w, r.PathValue("id"), evFunctionError)
	if !ok {
		return
	}
	sb.finish(iv, outcome{kind: outFunctionError, errorType: errType, payload: errorBody(errType, body)})
	rapiAccepted(w)
}

// handleInitError fails the sandbox; the invocation that started it gets the
// error document.
func (sb *sandbox) handleInitError(w http.ResponseWriter, r *http.Request) {
	body, _, err := readLimited(r.Body, MaxResponsePayload)
	if err != nil {
		rapiError(w, http.StatusBadRequest, "InvalidRequest", "Could not read the request body.")
		return
	}
	errType := r.Header.Get("Lambda-Runtime-Function-Error-Type")
	sb.mu.Lock()
	st, terr := next(sb.state, evInitError)
	if terr != nil {
		sb.mu.Unlock()
		rapiError(w, http.StatusForbidden, "InvalidStateTransition", "The init phase is over.")
		return
	}
	sb.state = st
	sb.endInitLocked()
	if iv := sb.pending; iv != nil {
		sb.finishLocked(iv, outcome{kind: outInitError, errorType: errType, payload: errorBody(errType, body)})
	}
	sb.mu.Unlock()
	rapiAccepted(w)
}

// current checks that id is the invocation the runtime holds and applies ev.
func (sb *sandbox) current(w http.ResponseWriter, id string, ev sandboxEvent) (*invocation, bool) {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	iv := sb.inflight
	if iv == nil || iv.RequestID != id {
		rapiError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return nil, false
	}
	st, err := next(sb.state, ev)
	if err != nil {
		rapiError(w, http.StatusForbidden, "InvalidStateTransition", err.Error())
		return nil, false
	}
	sb.state = st
	sb.inflight = nil
	return iv, true
}

func errorBody(errType string, body []byte) []byte {
	if t := bytes.TrimSpace(body); len(t) > 0 && json.Valid(t) {
		return body
	}
	if errType == "" {
		errType = errTypeUnknown
	}
	return errorDocument(errType, string(body))
}

// readLimited reads at most max bytes: io.LimitReader(max+1) tells an
// oversize body without reading all of it.
func readLimited(r io.Reader, max int64) ([]byte, bool, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, false, err
	}
	if int64(len(b)) > max {
		return nil, true, nil
	}
	return b, false, nil
}

func rapiAccepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write([]byte(`{"status":"OK"}`))
}

func rapiError(w http.ResponseWriter, status int, errType, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(errorDocument(errType, msg))
}

// Package restjson is the REST-JSON protocol codec (Lambda): requests bound from the URI, query
// string, headers and JSON or raw payload into generated structs; results and errors encoded back.
package restjson

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	smithytime "github.com/aws/smithy-go/time"
	"github.com/gorilla/mux"

	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/protocol/jsonshape"
	"github.com/iamlocal/iamlocal/protocol/model"
)

// NewRouter registers every operation's method and URI template. Routes with a static query
// (?find=LayerVersion) are registered first so they win over their plain twins.
func NewRouter(ops []protocol.Operation, handle func(op protocol.Operation) http.Handler) *mux.Router {
	r := mux.NewRouter().UseEncodedPath()
	sorted := append([]protocol.Operation(nil), ops...)
	sort.SliceStable(sorted, func(i, j int) bool {
		return strings.Contains(sorted[i].Model.RequestURI, "?") && !strings.Contains(sorted[j].Model.RequestURI, "?")
	})
	for _, op := range sorted {
		path, query, _ := strings.Cut(op.Model.RequestURI, "?")
		h := handle(op)
		// Older SDKs (aws-sdk-go v1, old botocore) send some of these URIs with a trailing
		// slash (GET /2015-03-31/functions/), which Lambda accepts: match both spellings.
		paths := []string{path}
		if !strings.HasSuffix(path, "/") {
			paths = append(paths, path+"/")
		}
		for _, p := range paths {
			route := r.Methods(op.Model.Method).Path(muxTemplate(p))
			if query != "" {
				for _, kv := range strings.Split(query, "&") {
					k, v, _ := strings.Cut(kv, "=")
					route = route.Queries(k, v)
				}
			}
			route.Handler(h)
		}
	}
	return r
}

var greedy = regexp.MustCompile(`\{(\w+)\+\}`)

// muxTemplate turns the model's {Name+} greedy labels into mux patterns.
func muxTemplate(path string) string { return greedy.ReplaceAllString(path, "{$1:.+}") }

// Decode binds the request into in (pointer to the operation's input struct).
func Decode(op *model.Operation, r *http.Request, vars map[string]string, body []byte, in any) error {
	sh := op.Input
	if sh == nil {
		return nil
	}
	v := reflect.ValueOf(in).Elem()
	query := r.URL.Query()
	for _, m := range sh.Members {
		f := v.FieldByName(m.GoName)
		if !f.IsValid() {
			continue
		}
		switch m.Location {
		case "uri":
			raw, ok := vars[m.WireName()]
			if !ok {
				continue
			}
			s, err := url.PathUnescape(raw)
			if err != nil {
				return badRequest("Invalid URI component %s", m.WireName())
			}
			if err := setScalar(m.Shape, f, s, m.WireName()); err != nil {
				return err
			}
		case "querystring":
			vals, ok := query[m.WireName()]
			if !ok || len(vals) == 0 {
				continue
			}
			if m.Shape.Type == "list" {
				if err := setList(m.Shape.Member.Shape, f, vals, m.WireName()); err != nil {
					return err
				}
				continue
			}
			if err := setScalar(m.Shape, f, vals[0], m.WireName()); err != nil {
				return err
			}
		case "header":
			val := r.Header.Get(m.WireName())
			if val == "" {
				continue
			}
			if err := setScalar(m.Shape, f, val, m.WireName()); err != nil {
				return err
			}
		}
	}
	if sh.Payload != "" {
		m := sh.MemberNamed(sh.Payload)
		f := v.FieldByName(m.GoName)
		if m.Shape.Type == "blob" || m.Shape.Type == "string" {
			switch {
			case len(body) == 0:
			case f.Kind() == reflect.Slice:
				f.SetBytes(append([]byte(nil), body...))
			case f.Kind() == reflect.Pointer && f.Type().Elem().Kind() == reflect.String: // a string payload was dropped before
				s := reflect.New(f.Type().Elem())
				s.Elem().SetString(string(body))
				f.Set(s)
			}
			return nil
		}
		nv := reflect.New(f.Type().Elem())
		if err := jsonshape.Unmarshal(m.Shape, body, nv.Interface()); err != nil {
			return badJSON(err)
		}
		f.Set(nv)
		return nil
	}
	if err := jsonshape.Unmarshal(sh, body, in); err != nil {
		return badJSON(err)
	}
	return nil
}

func badRequest(format string, args ...any) *awserr.Error {
	return awserr.New("ValidationException", http.StatusBadRequest, true, format, args...)
}

// badJSON answers unparseable bodies as Lambda does.
func badJSON(err error) *awserr.Error {
	if te, ok := err.(*jsonshape.TypeError); ok {
		return awserr.New("InvalidRequestContentException", http.StatusBadRequest, true,
			"Could not parse request body into json: Could not parse payload into json: Unexpected type for field %s, expected %s", te.Path, te.Want)
	}
	return awserr.New("InvalidRequestContentException", http.StatusBadRequest, true,
		"Could not parse request body into json: Could not parse payload into json: %s", err.Error())
}

// setList fills a list bound to repeated query parameters (?tagKeys=a&tagKeys=b).
func setList(elem *model.Shape, f reflect.Value, vals []string, name string) error {
	out := reflect.MakeSlice(f.Type(), len(vals), len(vals))
	for i, raw := range vals {
		// Each element goes through a pointer so setScalar's conversions apply to it too.
		p := reflect.New(reflect.PointerTo(f.Type().Elem())).Elem()
		if f.Type().Elem().Kind() == reflect.Slice { // a list of blobs
			p = reflect.New(f.Type().Elem()).Elem()
		}
		if err := setScalar(elem, p, raw, name); err != nil {
			return err
		}
		if p.Kind() == reflect.Pointer {
			p = p.Elem()
		}
		out.Index(i).Set(p)
	}
	f.Set(out)
	return nil
}

func setScalar(sh *model.Shape, f reflect.Value, raw, name string) error {
	if f.Kind() != reflect.Pointer && sh.Type != "blob" {
		return badRequest("Invalid value for %s", name) // a list or map bound to one string: not in the models
	}
	var val any
	switch sh.Type {
	case "integer":
		n, err := strconv.ParseInt(raw, 10, 32)
		if err != nil {
			return badRequest("Invalid value for %s", name)
		}
		val = int32(n)
	case "long":
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return badRequest("Invalid value for %s", name)
		}
		val = n
	case "boolean":
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return badRequest("Invalid value for %s", name)
		}
		val = b
	case "double", "float":
		n, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return badRequest("Invalid value for %s", name)
		}
		val = n
	case "timestamp":
		// Query strings carry ISO 8601 and headers HTTP dates, as the SDKs send them.
		t, err := time.Parse(time.RFC3339, raw)
		if err != nil {
			if t, err = http.ParseTime(raw); err != nil {
				return badRequest("Invalid value for %s", name)
			}
		}
		val = t.UTC()
	case "blob":
		if f.Kind() != reflect.Slice {
			return badRequest("Invalid value for %s", name)
		}
		f.SetBytes([]byte(raw))
		return nil
	default:
		val = raw
	}
	p := reflect.New(f.Type().Elem())
	p.Elem().Set(reflect.ValueOf(val).Convert(f.Type().Elem()))
	f.Set(p)
	return nil
}

// Result is an encoded response.
type Result struct {
	Status      int
	Header      http.Header
	ContentType string
	Body        []byte
}

// EncodeResult encodes out (pointer to the operation's output struct, or nil).
func EncodeResult(op *model.Operation, out any) Result {
	res := Result{Status: op.ResponseCode, Header: http.Header{}, ContentType: "application/json"}
	sh := op.Output
	rv := reflect.ValueOf(out)
	if sh == nil || out == nil || rv.Kind() != reflect.Pointer || rv.IsNil() {
		res.Body = []byte("{}")
		if sh == nil {
			res.Body = nil
		}
		return res
	}
	v := rv.Elem()
	for _, m := range sh.Members {
		f := v.FieldByName(m.GoName)
		if !f.IsValid() || (f.Kind() == reflect.Pointer && f.IsNil()) {
			continue
		}
		switch m.Location {
		case "header":
			if f.Kind() == reflect.Pointer {
				res.Header.Set(m.WireName(), scalarText(f.Elem()))
			}
		case "statusCode":
			if f.Kind() == reflect.Pointer && f.Elem().CanInt() {
				res.Status = int(f.Elem().Int())
			}
		}
	}
	if sh.Payload != "" {
		m := sh.MemberNamed(sh.Payload)
		f := v.FieldByName(m.GoName)
		if f.Kind() == reflect.Slice {
			res.Body = f.Bytes()
			return res
		}
		res.Body = jsonshape.Marshal(m.Shape, f.Interface())
		return res
	}
	res.Body = jsonshape.Marshal(sh, out)
	return res
}

func scalarText(v reflect.Value) string {
	if t, ok := v.Interface().(time.Time); ok {
		return smithytime.FormatHTTPDate(t) // headers carry Smithy's http-date (IMF-fixdate, RFC 7231)
	}
	switch v.Kind() {
	case reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'f', -1, v.Type().Bits())
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	}
	return v.String()
}

// EncodeError renders a Lambda error: the x-amzn-ErrorType header names the code; the body has
// "Type":"User" for modelled errors and the message under the key the model spells ("Message"
// or "message"). Errors from the authentication layer are not modelled and carry only "message".
func EncodeError(svc *model.Service, e *awserr.Error) Result {
	res := Result{Status: e.Status, Header: http.Header{}, ContentType: "application/json"}
	res.Header.Set("x-amzn-ErrorType", e.Code)
	fields := map[string]any{}
	for k, v := range e.Fields {
		fields[k] = v
	}
	key := "message"
	if sh, ok := svc.Shapes[e.Code]; ok && sh.Exception {
		if sh.MemberNamed("Message") != nil {
			key = "Message"
		}
		// Members the model binds to headers (TooManyRequestsException's retryAfterSeconds is
		// Retry-After) go there, not into the body.
		for k, v := range fields {
			if m := sh.MemberNamed(k); m != nil && m.Location == "header" {
				res.Header.Set(m.WireName(), fmt.Sprint(v))
				delete(fields, k)
			}
		}
		switch {
		case e.Untyped:
		case e.Sender:
			fields["Type"] = "User"
		default:
			fields["Type"] = "Service"
		}
	}
	if e.MessageKey != "" {
		key = e.MessageKey
	}
	fields[key] = e.Message
	res.Body = jsonshape.MarshalFields(fields)
	return res
}

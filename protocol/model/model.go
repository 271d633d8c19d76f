// Package model reads the botocore-format AWS service models (internal/awsdata/models) into a
// graph of shapes that the codecs walk. It knows nothing of HTTP or of any one service.
package model

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// Service is one API model: its protocol, operations and shapes.
type Service struct {
	Name     string // endpoint prefix: iam, sts, lambda, logs, monitoring
	Protocol string // query, rest-json, json, smithy-rpc-v2-cbor
	// Protocols is every protocol the service answers in, in the model's order of preference
	// (CloudWatch: smithy-rpc-v2-cbor, json, query); Protocol alone when the model lists none.
	Protocols    []string
	APIVersion   string
	XMLNamespace string
	TargetPrefix string
	JSONVersion  string
	Operations   map[string]*Operation
	OpNames      []string // sorted
	Shapes       map[string]*Shape
}

// Operation is one API action.
type Operation struct {
	Name          string
	Method        string
	RequestURI    string
	ResponseCode  int
	Input         *Shape // nil when the operation takes no input
	Output        *Shape // nil when it returns nothing
	ResultWrapper string
	// RequestCompression lists the encodings a client may compress the body with (gzip).
	RequestCompression []string
	Errors             []*Shape
}

// ErrorInfo is the wire identity of an exception shape.
type ErrorInfo struct {
	Code   string
	Status int
	Sender bool
}

// Shape is a node of the type graph.
type Shape struct {
	Name      string
	Type      string // structure, list, map, string, integer, long, double, boolean, timestamp, blob
	Members   []*Member
	byName    map[string]*Member
	Required  map[string]bool
	Member    *Member // list element
	Key       *Member // map key
	Value     *Member // map value
	Min, Max  *float64
	Pattern   string
	Enum      []string
	Flattened bool
	Exception bool
	Error     *ErrorInfo
	Payload   string // REST: member sent as the whole body
	Sensitive bool
	Streaming bool

	patternOnce sync.Once
	patternRE   *regexp.Regexp
	patternNot  *regexp.Regexp
}

// Member is a structure member or a list/map element reference.
type Member struct {
	Name            string // as in the model
	GoName          string // exported Go field name
	Shape           *Shape
	Location        string // uri, querystring, header, headers, statusCode ("" = body)
	LocationName    string
	Flattened       bool
	TimestampFormat string
	JSONValue       bool
	IdempotencyTok  bool
	// field remembers where GoName is in the last struct type Field looked in: codecs look up
	// each member of every request and response, and reflect finds a field by name by
	// scanning the struct's fields.
	field atomic.Pointer[fieldIndex]
}

type fieldIndex struct {
	typ   reflect.Type
	index []int // nil: the type has no such field
}

// Field is the field of struct v that the member is held in (by GoName), or the zero Value
// when v's type has none: v.FieldByName(m.GoName), without the search once it has been made
// for v's type.
func (m *Member) Field(v reflect.Value) reflect.Value {
	t := v.Type()
	fi := m.field.Load()
	if fi == nil || fi.typ != t {
		fi = &fieldIndex{typ: t}
		if sf, ok := t.FieldByName(m.GoName); ok {
			fi.index = sf.Index
		}
		m.field.Store(fi)
	}
	switch len(fi.index) {
	case 0:
		return reflect.Value{}
	case 1:
		return v.Field(fi.index[0])
	}
	return v.FieldByIndex(fi.index)
}

// WireName is the name the member carries on the wire.
func (m *Member) WireName() string {
	if m.LocationName != "" {
		return m.LocationName
	}
	return m.Name
}

// MemberNamed returns a structure's member by model name.
func (s *Shape) MemberNamed(name string) *Member { return s.byName[name] }

// PatternRE returns the shape's pattern compiled for Go, anchored to the whole value; nil if none
// or if the Java-flavoured pattern has no RE2 equivalent.
func (s *Shape) PatternRE() *regexp.Regexp {
	s.patternOnce.Do(s.compilePattern)
	return s.patternRE
}

// MatchPattern reports whether v satisfies the shape's pattern (true when there is none).
func (s *Shape) MatchPattern(v string) bool {
	s.patternOnce.Do(s.compilePattern)
	if s.patternRE == nil {
		return true
	}
	return s.patternRE.MatchString(v) && (s.patternNot == nil || !s.patternNot.MatchString(v))
}

func (s *Shape) compilePattern() {
	if s.Pattern == "" {
		return
	}
	must, mustNot := javaToRE2(s.Pattern), ""
	if eq, ok := lookaroundEquivalents[s.Pattern]; ok {
		must, mustNot = eq[0], eq[1]
	}
	re, err := regexp.Compile("^(?:" + must + ")$")
	if err != nil {
		return
	}
	s.patternRE = re
	if mustNot != "" {
		s.patternNot = regexp.MustCompile(mustNot)
	}
}

// lookaroundEquivalents rewrites the few model patterns that use Java look-arounds (which RE2
// lacks) as a pattern the value must match plus one it must not match (unanchored).
var lookaroundEquivalents = map[string][2]string{
	`^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`: {`[a-z0-9][a-z0-9-]{1,61}[a-z0-9]`, `--`},
	`(?!^[0-9]+$)([a-zA-Z0-9-_]+)`:              {`[a-zA-Z0-9-_]+`, `^[0-9]+$`},
	`(^(?!(system\x2e)))(^[_a-zA-Z0-9])([^$]*)`: {`[_a-zA-Z0-9][^$]*`, `^system\.`},
	`((?!^\d+$)^[0-9a-zA-Z-_]+$)`:               {`[0-9a-zA-Z-_]+`, `^[0-9]+$`},
	`[0-9A-Za-z\.\-_]*(?<!\.)`:                  {`[0-9A-Za-z.\-_]*`, `\.$`},
}

var javaUnicodeEscape = regexp.MustCompile(`\\u([0-9A-Fa-f]{4})`)

// javaToRE2 rewrites the Java regex escapes the AWS models use (\uXXXX) into RE2 syntax.
func javaToRE2(p string) string {
	return javaUnicodeEscape.ReplaceAllString(p, `\x{$1}`)
}

type rawRef struct {
	Shape           string `json:"shape"`
	Location        string `json:"location"`
	LocationName    string `json:"locationName"`
	Flattened       bool   `json:"flattened"`
	TimestampFormat string `json:"timestampFormat"`
	JSONValue       bool   `json:"jsonvalue"`
	IdempotencyTok  bool   `json:"idempotencyToken"`
	ResultWrapper   string `json:"resultWrapper"`
}

type rawShape struct {
	Type      string            `json:"type"`
	Members   map[string]rawRef `json:"members"`
	Required  []string          `json:"required"`
	Member    *rawRef           `json:"member"`
	Key       *rawRef           `json:"key"`
	Value     *rawRef           `json:"value"`
	Min       *float64          `json:"min"`
	Max       *float64          `json:"max"`
	Pattern   string            `json:"pattern"`
	Enum      []string          `json:"enum"`
	Flattened bool              `json:"flattened"`
	Exception bool              `json:"exception"`
	Payload   string            `json:"payload"`
	Sensitive bool              `json:"sensitive"`
	Streaming bool              `json:"streaming"`
	Error     *struct {
		Code           string `json:"code"`
		HTTPStatusCode int    `json:"httpStatusCode"`
		SenderFault    bool   `json:"senderFault"`
	} `json:"error"`
}

type rawModel struct {
	Metadata struct {
		APIVersion     string   `json:"apiVersion"`
		EndpointPrefix string   `json:"endpointPrefix"`
		Protocol       string   `json:"protocol"`
		Protocols      []string `json:"protocols"`
		XMLNamespace   string   `json:"xmlNamespace"`
		TargetPrefix   string   `json:"targetPrefix"`
		JSONVersion    string   `json:"jsonVersion"`
	} `json:"metadata"`
	Operations map[string]struct {
		Name string `json:"name"`
		HTTP struct {
			Method       string `json:"method"`
			RequestURI   string `json:"requestUri"`
			ResponseCode int    `json:"responseCode"`
		} `json:"http"`
		Input       *rawRef  `json:"input"`
		Output      *rawRef  `json:"output"`
		Errors      []rawRef `json:"errors"`
		Compression *struct {
			Encodings []string `json:"encodings"`
		} `json:"requestcompression"`
	} `json:"operations"`
	Shapes map[string]rawShape `json:"shapes"`
}

// Parse reads a botocore service model.
func Parse(data []byte) (*Service, error) {
	var raw rawModel
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	svc := &Service{
		Name:         raw.Metadata.EndpointPrefix,
		Protocol:     raw.Metadata.Protocol,
		Protocols:    raw.Metadata.Protocols,
		APIVersion:   raw.Metadata.APIVersion,
		XMLNamespace: raw.Metadata.XMLNamespace,
		TargetPrefix: raw.Metadata.TargetPrefix,
		JSONVersion:  raw.Metadata.JSONVersion,
		Operations:   map[string]*Operation{},
		Shapes:       map[string]*Shape{},
	}
	if len(svc.Protocols) == 0 && svc.Protocol != "" {
		svc.Protocols = []string{svc.Protocol}
	}
	for name, rs := range raw.Shapes {
		svc.Shapes[name] = &Shape{Name: name, Type: rs.Type, Min: rs.Min, Max: rs.Max, Pattern: rs.Pattern,
			Enum: rs.Enum, Flattened: rs.Flattened, Exception: rs.Exception, Payload: rs.Payload,
			Sensitive: rs.Sensitive, Streaming: rs.Streaming}
		if rs.Error != nil {
			svc.Shapes[name].Error = &ErrorInfo{Code: rs.Error.Code, Status: rs.Error.HTTPStatusCode, Sender: rs.Error.SenderFault}
		}
	}
	ref := func(r *rawRef, name string) (*Member, error) {
		if r == nil {
			return nil, nil
		}
		sh := svc.Shapes[r.Shape]
		if sh == nil {
			return nil, fmt.Errorf("model: unknown shape %q", r.Shape)
		}
		return &Member{Name: name, GoName: GoName(name), Shape: sh, Location: r.Location, LocationName: r.LocationName,
			Flattened: r.Flattened || sh.Flattened, TimestampFormat: r.TimestampFormat, JSONValue: r.JSONValue,
			IdempotencyTok: r.IdempotencyTok}, nil
	}
	for name, rs := range raw.Shapes {
		sh := svc.Shapes[name]
		var err error
		if sh.Member, err = ref(rs.Member, "member"); err != nil {
			return nil, err
		}
		if sh.Key, err = ref(rs.Key, "key"); err != nil {
			return nil, err
		}
		if sh.Value, err = ref(rs.Value, "value"); err != nil {
			return nil, err
		}
		names := make([]string, 0, len(rs.Members))
		for mn := range rs.Members {
			names = append(names, mn)
		}
		sort.Strings(names)
		sh.byName = map[string]*Member{}
		for _, mn := range names {
			r := rs.Members[mn]
			m, err := ref(&r, mn)
			if err != nil {
				return nil, err
			}
			sh.Members = append(sh.Members, m)
			sh.byName[mn] = m
		}
		sh.Required = map[string]bool{}
		for _, r := range rs.Required {
			sh.Required[r] = true
		}
	}
	for name, ro := range raw.Operations {
		op := &Operation{Name: name, Method: ro.HTTP.Method, RequestURI: ro.HTTP.RequestURI, ResponseCode: ro.HTTP.ResponseCode}
		if op.ResponseCode == 0 {
			op.ResponseCode = 200
		}
		if ro.Compression != nil {
			op.RequestCompression = ro.Compression.Encodings
		}
		if ro.Input != nil {
			op.Input = svc.Shapes[ro.Input.Shape]
		}
		if ro.Output != nil {
			op.Output = svc.Shapes[ro.Output.Shape]
			op.ResultWrapper = ro.Output.ResultWrapper
		}
		for _, e := range ro.Errors {
			if sh := svc.Shapes[e.Shape]; sh != nil {
				op.Errors = append(op.Errors, sh)
			}
		}
		svc.Operations[name] = op
		svc.OpNames = append(svc.OpNames, name)
	}
	sort.Strings(svc.OpNames)
	return svc, nil
}

// ErrorCode is the wire code of an exception shape: the model's error.code, else the shape name.
func (s *Shape) ErrorCode() string {
	if s.Error != nil && s.Error.Code != "" {
		return s.Error.Code
	}
	return s.Name
}

// GoName turns a model name into an exported Go identifier.
func GoName(name string) string {
	if name == "" {
		return name
	}
	var b strings.Builder
	up := true
	for _, r := range name {
		if r == '_' || r == '-' || r == '.' || r == ' ' {
			up = true
			continue
		}
		if up {
			b.WriteString(strings.ToUpper(string(r)))
			up = false
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Embedded returns a loader of a model embedded in a generated package: parsed on first use,
// then shared (read-only). The embedded models are generated and tested, so a parse failure is
// a build defect and panics.
func Embedded(data []byte) func() *Service {
	return sync.OnceValue(func() *Service {
		svc, err := Parse(data)
		if err != nil {
			panic("embedded model: " + err.Error())
		}
		return svc
	})
}

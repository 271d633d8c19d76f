package sts

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"sort"
	"strings"

	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/protocol"
)

// Encoded authorization messages (STS API Reference, DecodeAuthorizationMessage): some
// AccessDenied errors carry an opaque message that only STS can turn back into the details
// of the decision. The authorizer encodes with EncodeAuthorizationMessage and the server's
// message key; DecodeAuthorizationMessage decodes with the same key into AWS's JSON shape.

// AuthorizationMessage is the content of an encoded authorization message.
type AuthorizationMessage struct {
	Allowed       bool
	ExplicitDeny  bool
	Matched       []MatchedStatement
	PrincipalID   string // AIDA..., AROA...:session, or the account id for root
	PrincipalName string // the user name, when the principal is an IAM user
	PrincipalARN  string
	Action        string // "ec2:RunInstances"
	Resource      string
	// Context is the request's condition keys and their values.
	Context map[string][]string
}

// MatchedStatement is a policy statement that matched the request.
type MatchedStatement struct {
	StatementID string
	Effect      string // Allow | Deny
	Principals  []string
	Actions     []string
	Resources   []string
}

// The decoded JSON, as AWS lays it out: lists are {"items": [...]}, and values of a list of
// strings are {"value": ...} objects.
type (
	wireItems[T any] struct {
		Items []T `json:"items"`
	}
	wireValue struct {
		Value string `json:"value"`
	}
	wireCondition struct {
		Key    string               `json:"key"`
		Values wireItems[wireValue] `json:"values"`
	}
	wireStatement struct {
		StatementID     string               `json:"statementId"`
		Effect          string               `json:"effect"`
		Principals      wireItems[wireValue] `json:"principals"`
		PrincipalGroups wireItems[wireValue] `json:"principalGroups"`
		Actions         wireItems[wireValue] `json:"actions"`
		Resources       wireItems[wireValue] `json:"resources"`
		Conditions      wireItems[wireValue] `json:"conditions"`
	}
	wirePrincipal struct {
		ID   string `json:"id"`
		Name string `json:"name,omitempty"`
		ARN  string `json:"arn"`
	}
	wireContext struct {
		Principal  wirePrincipal            `json:"principal"`
		Action     string                   `json:"action"`
		Resource   string                   `json:"resource"`
		Conditions wireItems[wireCondition] `json:"conditions"`
	}
	wireMessage struct {
		Allowed           bool                     `json:"allowed"`
		ExplicitDeny      bool                     `json:"explicitDeny"`
		MatchedStatements wireItems[wireStatement] `json:"matchedStatements"`
		Failures          wireItems[wireValue]     `json:"failures"`
		Context           wireContext              `json:"context"`
	}
)

func values(list []string) wireItems[wireValue] {
	out := wireItems[wireValue]{Items: []wireValue{}}
	for _, v := range list {
		out.Items = append(out.Items, wireValue{Value: v})
	}
	return out
}

// decodedJSON renders m as DecodeAuthorizationMessage returns it.
func (m AuthorizationMessage) decodedJSON() string {
	w := wireMessage{
		Allowed: m.Allowed, ExplicitDeny: m.ExplicitDeny,
		MatchedStatements: wireItems[wireStatement]{Items: []wireStatement{}},
		Failures:          wireItems[wireValue]{Items: []wireValue{}},
		Context: wireContext{
			Principal: wirePrincipal{ID: m.PrincipalID, Name: m.PrincipalName, ARN: m.PrincipalARN},
			Action:    m.Action, Resource: m.Resource,
			Conditions: wireItems[wireCondition]{Items: []wireCondition{}},
		},
	}
	for _, st := range m.Matched {
		w.MatchedStatements.Items = append(w.MatchedStatements.Items, wireStatement{
			StatementID: st.StatementID, Effect: strings.ToUpper(st.Effect),
			Principals: values(st.Principals), PrincipalGroups: values(nil),
			Actions: values(st.Actions), Resources: values(st.Resources), Conditions: values(nil),
		})
	}
	keys := make([]string, 0, len(m.Context))
	for k := range m.Context {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w.Context.Conditions.Items = append(w.Context.Conditions.Items, wireCondition{Key: k, Values: values(m.Context[k])})
	}
	b, _ := json.Marshal(w) // plain structs of strings and bools: cannot fail
	return string(b)
}

// messageAEAD is AES-256-GCM under the SHA-256 of the key.
func messageAEAD(key []byte) cipher.AEAD {
	sum := sha256.Sum256(key)
	return aeadOf(sum[:])
}

func aeadOf(key32 []byte) cipher.AEAD {
	block, _ := aes.NewCipher(key32) // 32 bytes: cannot fail
	aead, _ := cipher.NewGCM(block)
	return aead
}

// EncodeAuthorizationMessage encrypts msg under key. The result is opaque, URL-safe text that
// the DecodeAuthorizationMessage of a Service with the same MessageKey decodes. Encoding is
// deterministic: the nonce derives from the key and the message.
func EncodeAuthorizationMessage(key []byte, msg AuthorizationMessage) string {
	return encodeMessage(messageAEAD(key), msg)
}

func encodeMessage(aead cipher.AEAD, msg AuthorizationMessage) string {
	plain, _ := json.Marshal(msg) // strings, bools, string maps: cannot fail
	mac := hmac.New(sha256.New, []byte("iamlocal authorization message"))
	mac.Write(plain)
	nonce := mac.Sum(nil)[:aead.NonceSize()]
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, plain, nil))
}

var errBadMessage = errors.New("sts: invalid authorization message")

func decodeMessage(aead cipher.AEAD, s string) (AuthorizationMessage, error) {
	var m AuthorizationMessage
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(raw) < aead.NonceSize()+aead.Overhead() {
		return m, errBadMessage
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], nil)
	if err != nil || json.Unmarshal(plain, &m) != nil {
		return m, errBadMessage
	}
	return m, nil
}

// DecodeAuthorizationMessage decodes a message encoded with this server's key. The pipeline
// authorizes sts:DecodeAuthorizationMessage before the handler runs.
func (s *Service) DecodeAuthorizationMessage(_ context.Context, in *stsapi.DecodeAuthorizationMessageRequest) (*stsapi.DecodeAuthorizationMessageResponse, error) {
	m, err := decodeMessage(aeadOf(s.msgKey), protocol.Val(in.EncodedMessage))
	if err != nil {
		return nil, stsapi.ErrInvalidAuthorizationMessage("The encoded authorization message is invalid.")
	}
	return &stsapi.DecodeAuthorizationMessageResponse{DecodedMessage: protocol.Ptr(m.decodedJSON())}, nil
}

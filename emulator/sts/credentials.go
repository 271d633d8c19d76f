package sts

import (
	"bytes"
	"compress/flate"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/authz"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// Temporary credentials: an ASIA access key id that encodes its account as AWS's do, a
// 40-character secret and an opaque session token, written to the global session index.
const (
	// sessionTokenPrefix is how AWS session tokens begin (the base64 of their version header).
	sessionTokenPrefix = "IQoJb3JpZ2luX2Vj"
	sessionTokenLen    = 428
	maxPolicyARNs      = 10
	maxSessionTags     = 50
	// packedLimit is the space, in compressed bytes, that session policies, policy ARNs and
	// tags share ("Passing session tags in AWS STS", "Session policies"). AWS does not
	// publish its packing; a full 2048-character policy stays well under it, 50 long tags
	// do not.
	packedLimit = 2048
)

// Account ids live in bits 46..7 of the first six bytes of the base32-decoded key id, below
// the four-character prefix (the encoding AWS has used for access keys since 2019).
const accountMask = 0x7fffffffff80

var keyEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// accessKeyID makes a key id (prefix + 16 characters) that encodes account.
func (s *Service) accessKeyID(prefix, account string) string {
	acct, _ := strconv.ParseUint(account, 10, 64)
	var b [10]byte
	s.ids.Src.Read(b[:])
	var head [8]byte
	copy(head[2:], b[:6])
	v := binary.BigEndian.Uint64(head[:])
	v = v&^accountMask | (acct<<7)&accountMask
	binary.BigEndian.PutUint64(head[:], v)
	copy(b[:6], head[2:])
	return prefix + keyEncoding.EncodeToString(b[:])
}

// accountOfKeyID decodes the account from a key id; ok is false when the id does not carry
// the encoding.
func accountOfKeyID(id string) (string, bool) {
	if len(id) != 20 {
		return "", false
	}
	raw, err := keyEncoding.DecodeString(id[4:])
	if err != nil {
		return "", false
	}
	var head [8]byte
	copy(head[2:], raw[:6])
	v := (binary.BigEndian.Uint64(head[:]) & accountMask) >> 7
	return fmt.Sprintf("%012d", v), true
}

// newSession fills the credential fields of a session record valid for d from now.
func (s *Service) newSession(account string, now time.Time, d time.Duration) storage.SessionRecord {
	return storage.SessionRecord{
		V:           1,
		AccessKeyID: s.accessKeyID("ASIA", account),
		Secret:      s.ids.Secret(),
		Token:       sessionTokenPrefix + s.ids.Token(sessionTokenLen-len(sessionTokenPrefix)),
		Account:     account,
		Issued:      now.UTC().Truncate(time.Second),
		Expiration:  now.Add(d).UTC().Truncate(time.Second),
	}
}

func putSession(tx *storage.Tx, rec storage.SessionRecord) error {
	return storage.Sessions(tx).Insert(rec.AccessKeyID, rec)
}

func wireCredentials(rec storage.SessionRecord) *stsapi.Credentials {
	return &stsapi.Credentials{
		AccessKeyId:     protocol.Ptr(rec.AccessKeyID),
		SecretAccessKey: protocol.Ptr(rec.Secret),
		SessionToken:    protocol.Ptr(rec.Token),
		Expiration:      protocol.Ptr(rec.Expiration),
	}
}

// sessionPolicies are the session policies of an AssumeRole*, GetFederationToken request.
type sessionPolicies struct {
	Inline string
	ARNs   []string
}

// parseSessionPolicies checks the inline policy (MalformedPolicyDocument, as IAM words it)
// and the managed policy ARNs, as the partition's IAM does.
func parseSessionPolicies(partition string, policy *string, arns []stsapi.PolicyDescriptorType) (sessionPolicies, error) {
	var out sessionPolicies
	if policy != nil {
		if _, err := (authz.Parser{Partition: partition}).Parse(*policy, authz.KindSession); err != nil {
			var me *authz.MalformedError
			if errors.As(err, &me) {
				return out, stsapi.ErrMalformedPolicyDocument("%s", me.Message)
			}
			return out, err
		}
		out.Inline = *policy
	}
	if len(arns) > maxPolicyARNs {
		return out, invalidParameter("The number of session policy ARNs must not exceed %d.", maxPolicyARNs)
	}
	for _, a := range arns {
		text := protocol.Val(a.Arn)
		if !validPolicyARN(partition, text) {
			return out, invalidParameter("The policy ARN %s is invalid.", text)
		}
		out.ARNs = append(out.ARNs, text)
	}
	return out, nil
}

// validPolicyARN accepts arn:aws:iam::<account|aws>:policy/... of the partition.
func validPolicyARN(partition, text string) bool {
	a, err := arn.Parse(text)
	return err == nil && a.Partition == partition && a.Service == "iam" && a.Region == "" &&
		(a.Account == arn.AWSAccount || arn.IsAccountID(a.Account)) && strings.HasPrefix(a.Resource, "policy/") && len(a.Resource) > len("policy/")
}

func (p sessionPolicies) records() (policies, arns []string) {
	if p.Inline != "" {
		policies = []string{p.Inline}
	}
	return policies, p.ARNs
}

// sessionTags are the tags of a session: display keys, values and the transitive keys.
type sessionTags struct {
	Keys       []string // in request order
	Values     map[string]string
	Transitive []string
}

// parseTags checks Tags and TransitiveTagKeys ("Passing session tags in AWS STS": at most
// 50 tags, keys unique case-insensitively, transitive keys among the tags).
func parseTags(tags []stsapi.Tag, transitive []string) (sessionTags, error) {
	out := sessionTags{Values: map[string]string{}}
	if len(tags) > maxSessionTags {
		return out, invalidParameter("The number of session tags must not exceed %d.", maxSessionTags)
	}
	seen := map[string]bool{}
	for _, t := range tags {
		k := protocol.Val(t.Key)
		if seen[strings.ToLower(k)] {
			return out, invalidParameter("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[strings.ToLower(k)] = true
		out.Keys = append(out.Keys, k)
		out.Values[k] = protocol.Val(t.Value)
	}
	for _, k := range transitive {
		if !seen[strings.ToLower(k)] {
			return out, invalidParameter("The specified transitive tag key must be included in the requested tags.")
		}
		out.Transitive = append(out.Transitive, out.canonical(k))
	}
	return out, nil
}

// canonical returns the display key of k among the tags (keys compare case-insensitively).
func (t sessionTags) canonical(k string) string {
	for _, have := range t.Keys {
		if strings.EqualFold(have, k) {
			return have
		}
	}
	return k
}

// packedSize is the percentage of the packed space the session policies and tags use.
func packedSize(p sessionPolicies, t sessionTags) int32 {
	if p.Inline == "" && len(p.ARNs) == 0 && len(t.Keys) == 0 {
		return 0
	}
	var raw bytes.Buffer
	raw.WriteString(p.Inline)
	for _, a := range p.ARNs {
		raw.WriteString(a)
	}
	for _, k := range t.Keys {
		raw.WriteString(k)
		raw.WriteString(t.Values[k])
	}
	var packed bytes.Buffer
	w, _ := flate.NewWriter(&packed, flate.BestCompression)
	_, _ = w.Write(raw.Bytes())
	_ = w.Close()
	return int32((packed.Len()*100 + packedLimit - 1) / packedLimit)
}

// checkPacked answers PackedPolicyTooLarge above 100%, and returns the size otherwise.
func checkPacked(p sessionPolicies, t sessionTags) (*int32, error) {
	n := packedSize(p, t)
	if n > 100 {
		return nil, stsapi.ErrPackedPolicyTooLarge("Packed policy consumes %d%% of allotted space, please use smaller policy.", n)
	}
	if p.Inline == "" && len(p.ARNs) == 0 && len(t.Keys) == 0 {
		return nil, nil
	}
	return protocol.Ptr(n), nil
}

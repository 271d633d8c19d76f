package sts

import (
	"context"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"

	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
)

// AssumeRoleWithSAML (STS API Reference; IAM User Guide, "Configure SAML assertions for the
// authentication response", "Troubleshoot SAML 2.0 federation"). The base64 SAML response
// must carry an XML signature (of the Response or of the Assertion) by a certificate of the
// SAML provider's metadata, be addressed to AWS's sign-in endpoint, be unexpired, and name
// the requested role and provider in its Role attribute.
const (
	samlAssertionNS = "urn:oasis:names:tc:SAML:2.0:assertion"
	samlProtocolNS  = "urn:oasis:names:tc:SAML:2.0:protocol"
	samlAttrPrefix  = "https://aws.amazon.com/SAML/Attributes/"
	// samlRedeemWithin is how long after IssueInstant an assertion is accepted.
	samlRedeemWithin = 5 * time.Minute
	samlMaxDuration  = 12 * time.Hour
)

// The recipients (Destination, SubjectConfirmationData Recipient) and audiences AWS accepts:
// the global and regional sign-in endpoints, and the SAML audience urn:amazon:webservices.
var (
	samlRecipient   = regexp.MustCompile(`^https://([a-z0-9-]+\.)?signin\.aws\.amazon\.com/saml(/acs/[A-Z0-9]+)?$`)
	sessionNameRule = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
)

func samlAudienceOK(a string) bool {
	return a == "urn:amazon:webservices" || samlRecipient.MatchString(a)
}

// samlAssertion is what the handler reads from a verified assertion.
type samlAssertion struct {
	Issuer, Subject, SubjectFormat, Recipient string
	IssueInstant, NotOnOrAfter                time.Time
	Audiences                                 []string
	Attrs                                     map[string][]string
}

func child(el *etree.Element, ns, tag string) *etree.Element {
	for _, c := range el.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == ns {
			return c
		}
	}
	return nil
}

func children(el *etree.Element, ns, tag string) []*etree.Element {
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == ns {
			out = append(out, c)
		}
	}
	return out
}

func samlTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	return t
}

// verifySAML checks the signature with the provider's certificates and returns the signed
// assertion (as validated: signature removed, canonical).
func verifySAML(doc []byte, certs []string) (*etree.Element, error) {
	bad := invalidToken("Response signature invalid")
	tree := etree.NewDocument()
	if err := tree.ReadFromBytes(doc); err != nil || tree.Root() == nil {
		return nil, invalidToken("Invalid SAML response: the response could not be parsed")
	}
	resp := tree.Root()
	if resp.Tag != "Response" || resp.NamespaceURI() != samlProtocolNS {
		return nil, invalidToken("Invalid SAML response: the document is not a SAML 2.0 Response")
	}
	for _, c := range certs {
		der, err := base64.StdEncoding.DecodeString(c)
		if err != nil {
			continue
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			continue
		}
		// AWS does not reject assertions for the expiry of the IdP's certificate: validate
		// at a time the certificate is valid.
		vc := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{cert}})
		vc.Clock = dsig.NewFakeClockAt(cert.NotBefore.Add(time.Second))
		if child(resp, "http://www.w3.org/2000/09/xmldsig#", "Signature") != nil {
			if v, err := vc.Validate(resp); err == nil {
				if a := child(v, samlAssertionNS, "Assertion"); a != nil {
					return a, nil
				}
				return nil, invalidToken("Invalid SAML response: the response contains no assertion")
			}
			continue
		}
		if a := child(resp, samlAssertionNS, "Assertion"); a != nil {
			// The assertion may use prefixes the response declares: carry them over
			// before validating it on its own.
			nsctx, err := etreeutils.NewDefaultNSContext().SubContext(resp)
			if err != nil {
				return nil, bad
			}
			if det, err := etreeutils.NSDetatch(nsctx, a); err == nil {
				if v, err := vc.Validate(det); err == nil {
					return v, nil
				}
			}
		}
	}
	return nil, bad
}

// readAssertion extracts the facts STS uses from a verified assertion.
func readAssertion(a *etree.Element) samlAssertion {
	out := samlAssertion{Attrs: map[string][]string{}, IssueInstant: samlTime(a.SelectAttrValue("IssueInstant", ""))}
	if iss := child(a, samlAssertionNS, "Issuer"); iss != nil {
		out.Issuer = strings.TrimSpace(iss.Text())
	}
	if sub := child(a, samlAssertionNS, "Subject"); sub != nil {
		if id := child(sub, samlAssertionNS, "NameID"); id != nil {
			out.Subject, out.SubjectFormat = strings.TrimSpace(id.Text()), id.SelectAttrValue("Format", "")
		}
		for _, sc := range children(sub, samlAssertionNS, "SubjectConfirmation") {
			if d := child(sc, samlAssertionNS, "SubjectConfirmationData"); d != nil {
				out.Recipient = d.SelectAttrValue("Recipient", out.Recipient)
				if t := samlTime(d.SelectAttrValue("NotOnOrAfter", "")); !t.IsZero() {
					out.NotOnOrAfter = t
				}
			}
		}
	}
	if cond := child(a, samlAssertionNS, "Conditions"); cond != nil {
		if t := samlTime(cond.SelectAttrValue("NotOnOrAfter", "")); !t.IsZero() && (out.NotOnOrAfter.IsZero() || t.Before(out.NotOnOrAfter)) {
			out.NotOnOrAfter = t
		}
		for _, ar := range children(cond, samlAssertionNS, "AudienceRestriction") {
			for _, au := range children(ar, samlAssertionNS, "Audience") {
				out.Audiences = append(out.Audiences, strings.TrimSpace(au.Text()))
			}
		}
	}
	for _, st := range children(a, samlAssertionNS, "AttributeStatement") {
		for _, at := range children(st, samlAssertionNS, "Attribute") {
			name := at.SelectAttrValue("Name", "")
			for _, v := range children(at, samlAssertionNS, "AttributeValue") {
				out.Attrs[name] = append(out.Attrs[name], strings.TrimSpace(v.Text()))
			}
		}
	}
	return out
}

// samlTags reads PrincipalTag:<key> and TransitiveTagKeys attributes ("Passing session tags
// using AssumeRoleWithSAML").
func samlTags(attrs map[string][]string) (sessionTags, error) {
	out := sessionTags{Values: map[string]string{}}
	for name, vals := range attrs {
		k, ok := strings.CutPrefix(name, samlAttrPrefix+"PrincipalTag:")
		if !ok || len(vals) == 0 {
			continue
		}
		for _, have := range out.Keys {
			if strings.EqualFold(have, k) {
				return out, invalidParameter("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
			}
		}
		out.Keys = append(out.Keys, k)
		out.Values[k] = vals[0]
	}
	for _, k := range attrs[samlAttrPrefix+"TransitiveTagKeys"] {
		c := out.canonical(k)
		if _, ok := out.Values[c]; !ok {
			return out, invalidParameter("The specified transitive tag key must be included in the requested tags.")
		}
		out.Transitive = append(out.Transitive, c)
	}
	if len(out.Keys) > maxSessionTags {
		return out, invalidParameter("The number of session tags must not exceed %d.", maxSessionTags)
	}
	return out, nil
}

// subjectType shortens the persistent and transient NameID formats, as the response does.
func subjectType(format string) string {
	switch format {
	case "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent":
		return "persistent"
	case "urn:oasis:names:tc:SAML:2.0:nameid-format:transient":
		return "transient"
	}
	return format
}

// hasRolePair reports whether the Role attribute grants role through provider: each value is
// "<role arn>,<provider arn>" in either order.
func hasRolePair(values []string, role, provider string) bool {
	for _, v := range values {
		a, b, ok := strings.Cut(v, ",")
		a, b = strings.TrimSpace(a), strings.TrimSpace(b)
		if ok && ((a == role && b == provider) || (a == provider && b == role)) {
			return true
		}
	}
	return false
}

// samlProvider reads a PrincipalArn, arn:aws:iam::123456789012:saml-provider/name.
func samlProvider(partition, principal string) (account, name string, ok bool) {
	a, err := arn.Parse(principal)
	if err != nil || a.Partition != partition || a.Service != "iam" || a.Region != "" || !arn.IsAccountID(a.Account) {
		return "", "", false
	}
	name, ok = strings.CutPrefix(a.Resource, "saml-provider/")
	return a.Account, name, ok && name != ""
}

// checkAssertion checks a signed assertion against its provider and the time, and returns the
// role session name it carries.
func checkAssertion(a samlAssertion, prov storage.SAMLProviderRecord, now time.Time) (string, error) {
	switch {
	case a.Issuer != prov.EntityID:
		return "", invalidToken("Issuer of the SAML assertion does not match the SAML provider's metadata")
	case !samlRecipient.MatchString(a.Recipient):
		return "", invalidToken("SAML assertion is not addressed to AWS: Recipient %s", a.Recipient)
	case len(a.Audiences) > 0 && !slices.ContainsFunc(a.Audiences, samlAudienceOK):
		return "", invalidToken("SAML assertion audience does not include urn:amazon:webservices")
	case !a.NotOnOrAfter.IsZero() && !now.Before(a.NotOnOrAfter):
		return "", stsapi.ErrExpiredToken("Response has expired")
	case !a.IssueInstant.IsZero() && now.Sub(a.IssueInstant) > samlRedeemWithin:
		return "", stsapi.ErrExpiredToken("Token must be redeemed within 5 minutes of issuance")
	}
	session := a.first("RoleSessionName")
	if session == "" {
		return "", invalidToken("RoleSessionName is required in AuthnResponse")
	}
	if !sessionNameRule.MatchString(session) {
		return "", invalidToken("RoleSessionName in AuthnResponse must satisfy regular expression pattern: [\\w+=,.@-]{2,64}")
	}
	return session, nil
}

// first is the first value of the AWS SAML attribute name ("" when absent).
func (a samlAssertion) first(name string) string {
	if v := a.Attrs[samlAttrPrefix+name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (s *Service) AssumeRoleWithSAML(ctx context.Context, in *stsapi.AssumeRoleWithSAMLRequest) (*stsapi.AssumeRoleWithSAMLResponse, error) {
	const action = "sts:AssumeRoleWithSAML"
	denied := accessDenied("Not authorized to perform %s", action)
	arn := protocol.Val(in.RoleArn)
	partition := s.partition(ctx)
	ref, isRole, err := parseRoleARN(partition, arn)
	if err != nil {
		return nil, err
	}
	principal := protocol.Val(in.PrincipalArn)
	provAcct, provName, ok := samlProvider(partition, principal)
	if !ok {
		return nil, awserr.Validation("%s is invalid", principal)
	}
	doc, err := base64.StdEncoding.DecodeString(strings.TrimSpace(protocol.Val(in.SAMLAssertion)))
	if err != nil {
		return nil, invalidToken("Invalid base64 SAMLResponse")
	}
	var prov storage.SAMLProviderRecord
	err = s.db.View(provAcct, func(tx *storage.Tx) error {
		var err error
		prov, err = storage.SAMLProviders(tx).Get(storage.Key(provName))
		if isNotFound(err) || (err == nil && prov.Name != provName) {
			return invalidToken("Specified provider doesn't exist")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	signed, err := verifySAML(doc, prov.SigningCerts)
	if err != nil {
		return nil, err
	}
	a := readAssertion(signed)
	session, err := checkAssertion(a, prov, s.now(ctx))
	if err != nil {
		return nil, err
	}
	if !isRole || !hasRolePair(a.Attrs[samlAttrPrefix+"Role"], arn, principal) {
		return nil, denied
	}
	var maxDur time.Duration
	if v := a.Attrs[samlAttrPrefix+"SessionDuration"]; len(v) > 0 {
		if n, err := strconv.Atoi(v[0]); err == nil && n >= 900 && time.Duration(n)*time.Second <= samlMaxDuration {
			maxDur = time.Duration(n) * time.Second
		}
	}
	policies, err := parseSessionPolicies(partition, in.Policy, in.PolicyArns)
	if err != nil {
		return nil, err
	}
	tags, err := samlTags(a.Attrs)
	if err != nil {
		return nil, err
	}
	source := a.first("SourceIdentity")
	sum := sha1.Sum([]byte(a.Issuer + provAcct + "/" + provName))
	qualifier := base64.StdEncoding.EncodeToString(sum[:])
	keys := map[string][]string{
		"saml:aud": {a.Recipient}, "saml:iss": {a.Issuer}, "saml:sub": {a.Subject}, "saml:sub_type": {subjectType(a.SubjectFormat)},
		"saml:namequalifier": {qualifier}, "saml:doc": {provAcct + "/" + provName},
	}
	f := federated{Action: action, Role: ref, Provider: principal, Session: session, Duration: in.DurationSeconds,
		MaxDuration: maxDur, Context: keys, Policies: policies, Tags: tags, Source: source}
	rec, packed, err := s.assumeFederated(ctx, f)
	if err != nil {
		return nil, err
	}
	out := &stsapi.AssumeRoleWithSAMLResponse{
		AssumedRoleUser:  &stsapi.AssumedRoleUser{Arn: protocol.Ptr(rec.ARN), AssumedRoleId: protocol.Ptr(rec.UserID)},
		Audience:         protocol.Ptr(a.Recipient),
		Credentials:      wireCredentials(rec),
		Issuer:           protocol.Ptr(a.Issuer),
		NameQualifier:    protocol.Ptr(qualifier),
		PackedPolicySize: packed,
		Subject:          protocol.Ptr(a.Subject),
		SubjectType:      protocol.Ptr(subjectType(a.SubjectFormat)),
	}
	if source != "" {
		out.SourceIdentity = protocol.Ptr(source)
	}
	return out, nil
}

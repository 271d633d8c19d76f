// Package policyset gathers, inside one storage transaction, every policy that applies to a
// principal (inline, attached managed, group, boundary, session) and compiles them through a
// bounded cache, so the pure authz engine gets a ready authz.PolicySet.
package policyset

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/authz"
	"github.com/iamlocal/iamlocal/emulator/iam/awsmanaged"
	"github.com/iamlocal/iamlocal/storage"
)

// Cache compiles policy documents once. Documents are keyed by their text, so an edited policy
// is simply a new entry; the cache is cleared when it grows past its bound.
type Cache struct {
	mu  sync.Mutex
	m   map[cacheKey]*authz.Policy
	max int
}

type cacheKey struct {
	kind authz.Kind
	doc  string
}

// NewCache returns a cache holding at most max compiled documents (default 4096).
func NewCache(max int) *Cache {
	if max <= 0 {
		max = 4096
	}
	return &Cache{m: map[cacheKey]*authz.Policy{}, max: max}
}

// Compile parses doc as kind, from the cache when possible.
func (c *Cache) Compile(doc string, kind authz.Kind) (*authz.Policy, error) {
	k := cacheKey{kind, doc}
	c.mu.Lock()
	p, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return p, nil
	}
	// Documents were validated when written, in the request's partition; AWS managed ones name
	// the aws partition's resources wherever they are attached. Neither is refused here.
	p, err := authz.Parser{AnyPartition: true}.Parse(doc, kind)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[k] = p
	c.mu.Unlock()
	return p, nil
}

// Entity is the principal's IAM entity facts the authorizer needs besides policies.
type Entity struct {
	Tags     map[string]string // principal tags (user or role tags, overridden by session tags)
	Boundary string            // permissions boundary ARN, "" when none
}

// ManagedDocument returns the default-version document of a managed policy (AWS or customer).
// An AWS managed policy ARN is read in its own partition: it was checked against the
// request's when it was attached or passed.
func ManagedDocument(tx *storage.Tx, policyARN string) (string, error) {
	a, _ := arn.Parse(policyARN)
	if awsmanaged.IsAWSManaged(a.Partition, policyARN) {
		p, ok := awsmanaged.Get(a.Partition, policyARN)
		if !ok {
			return "", fmt.Errorf("policyset: %s: %w", policyARN, storage.ErrNotFound)
		}
		return p.Document, nil
	}
	_, _, name, _ := arn.SplitIAMResource(a.Resource)
	rec, err := storage.Policies(tx).Get(storage.Key(name))
	if err != nil {
		return "", fmt.Errorf("policyset: %s: %w", policyARN, err)
	}
	if rec.ARN != policyARN {
		return "", fmt.Errorf("policyset: %s: %w", policyARN, storage.ErrNotFound)
	}
	v, err := storage.PolicyVersions(tx).Get(storage.Join(storage.Key(name), rec.DefaultVersion))
	if err != nil {
		return "", fmt.Errorf("policyset: %s %s: %w", policyARN, rec.DefaultVersion, err)
	}
	return v.Document, nil
}

// collector accumulates named, compiled policies.
type collector struct {
	tx    *storage.Tx
	cache *Cache
	out   []authz.Named
}

func (c *collector) add(name, doc string, kind authz.Kind) error {
	p, err := c.cache.Compile(doc, kind)
	if err != nil {
		// A stored policy was validated on write; one that no longer parses (a stricter
		// parser) must not silently grant or deny, so it is reported.
		return fmt.Errorf("policyset: compile %s: %w", name, err)
	}
	c.out = append(c.out, authz.Named{Name: name, Policy: p})
	return nil
}

// entityPolicies adds the inline and attached policies of one user, group or role.
func (c *collector) entityPolicies(kind, name string) error {
	prefix := storage.Prefix(kind, storage.Key(name))
	err := storage.InlinePolicies(c.tx).Scan(prefix, func(_ string, p storage.InlinePolicyRecord) error {
		return c.add(fmt.Sprintf("%s/%s/%s", kind, name, p.Name), p.Document, authz.KindIdentity)
	})
	if err != nil {
		return err
	}
	var arns []string
	err = storage.Attachments(c.tx).Scan(prefix, func(_ string, a storage.AttachmentRecord) error {
		arns = append(arns, a.PolicyARN)
		return nil
	})
	if err != nil {
		return err
	}
	for _, arn := range arns {
		doc, err := ManagedDocument(c.tx, arn)
		if errors.Is(err, storage.ErrNotFound) {
			continue // detached concurrently or deleted: grants nothing
		} else if err != nil {
			return err
		}
		if err := c.add(arn, doc, authz.KindIdentity); err != nil {
			return err
		}
	}
	return nil
}

// boundary compiles a permissions boundary by ARN.
func boundary(tx *storage.Tx, cache *Cache, arn string) (*authz.Named, error) {
	if arn == "" {
		return nil, nil
	}
	doc, err := ManagedDocument(tx, arn)
	if err != nil {
		return nil, err
	}
	p, err := cache.Compile(doc, authz.KindBoundary)
	if err != nil {
		return nil, err
	}
	return &authz.Named{Name: arn, Policy: p}, nil
}

// ForUser collects an IAM user's identity policies (its own and its groups') and boundary.
func ForUser(tx *storage.Tx, cache *Cache, userName string) (authz.PolicySet, Entity, error) {
	u, err := storage.Users(tx).Get(storage.Key(userName))
	if err != nil {
		return authz.PolicySet{}, Entity{}, err
	}
	c := &collector{tx: tx, cache: cache}
	if err := c.entityPolicies(storage.KindUser, u.Name); err != nil {
		return authz.PolicySet{}, Entity{}, err
	}
	var groups []string
	err = storage.UserGroups(tx).Scan(storage.Prefix(storage.Key(u.Name)), func(_ string, m storage.MembershipRecord) error {
		groups = append(groups, m.Group)
		return nil
	})
	if err != nil {
		return authz.PolicySet{}, Entity{}, err
	}
	sort.Strings(groups)
	for _, g := range groups {
		if err := c.entityPolicies(storage.KindGroup, g); err != nil {
			return authz.PolicySet{}, Entity{}, err
		}
	}
	b, err := boundary(tx, cache, u.Boundary)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return authz.PolicySet{}, Entity{}, err
	}
	return authz.PolicySet{Identity: c.out, Boundary: b}, Entity{Tags: tagMap(u.Tags), Boundary: u.Boundary}, nil
}

// ForRole collects a role's identity policies and boundary.
func ForRole(tx *storage.Tx, cache *Cache, roleName string) (authz.PolicySet, Entity, error) {
	r, err := storage.Roles(tx).Get(storage.Key(roleName))
	if err != nil {
		return authz.PolicySet{}, Entity{}, err
	}
	c := &collector{tx: tx, cache: cache}
	if err := c.entityPolicies(storage.KindRole, r.Name); err != nil {
		return authz.PolicySet{}, Entity{}, err
	}
	b, err := boundary(tx, cache, r.Boundary)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return authz.PolicySet{}, Entity{}, err
	}
	return authz.PolicySet{Identity: c.out, Boundary: b}, Entity{Tags: tagMap(r.Tags), Boundary: r.Boundary}, nil
}

// ForSession collects the policies of temporary credentials: the role's (assumed role) or the
// IAM user's (GetSessionToken, GetFederationToken), narrowed by the session policies passed when
// the session was created. Session tags override the entity's tags.
func ForSession(tx *storage.Tx, cache *Cache, s storage.SessionRecord) (authz.PolicySet, Entity, error) {
	var set authz.PolicySet
	var ent Entity
	var err error
	switch s.Type {
	case "AssumedRole":
		set, ent, err = ForRole(tx, cache, s.RoleName)
	default:
		if s.UserName == "" { // a root user's GetSessionToken credentials act as the root
			return authz.PolicySet{}, Entity{Tags: map[string]string{}}, nil
		}
		set, ent, err = ForUser(tx, cache, s.UserName)
	}
	if err != nil {
		return authz.PolicySet{}, Entity{}, err
	}
	// GetFederationToken with no policy grants nothing: AWS treats it as an empty session policy.
	if s.Type == "FederatedUser" || len(s.Policies) > 0 || len(s.PolicyARNs) > 0 {
		set.HasSession = true
		for i, doc := range s.Policies {
			p, err := cache.Compile(doc, authz.KindSession)
			if err != nil {
				return authz.PolicySet{}, Entity{}, err
			}
			set.Session = append(set.Session, authz.Named{Name: fmt.Sprintf("session-policy-%d", i+1), Policy: p})
		}
		for _, arn := range s.PolicyARNs {
			doc, err := ManagedDocument(tx, arn)
			if errors.Is(err, storage.ErrNotFound) {
				continue
			} else if err != nil {
				return authz.PolicySet{}, Entity{}, err
			}
			p, err := cache.Compile(doc, authz.KindSession)
			if err != nil {
				return authz.PolicySet{}, Entity{}, err
			}
			set.Session = append(set.Session, authz.Named{Name: arn, Policy: p})
		}
	}
	if ent.Tags == nil {
		ent.Tags = map[string]string{}
	}
	for k, v := range s.Tags {
		for old := range ent.Tags { // session tag keys replace entity tags case-insensitively
			if strings.EqualFold(old, k) {
				delete(ent.Tags, old)
			}
		}
		ent.Tags[k] = v
	}
	return set, ent, nil
}

func tagMap(tags []storage.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

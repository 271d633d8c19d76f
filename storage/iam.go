package storage

import (
	"strings"
	"time"
)

// The IAM records. Names are unique case-insensitively, so every name key is Key(name) and the
// record keeps the display name. Records carry a version field "v" for future migrations.

// Tag is an IAM tag.
type Tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

type UserRecord struct {
	V                int       `json:"v"`
	Name             string    `json:"name"`
	ID               string    `json:"id"`
	Path             string    `json:"path"`
	Created          time.Time `json:"created"`
	Boundary         string    `json:"boundary,omitempty"` // permissions boundary policy ARN
	Tags             []Tag     `json:"tags,omitempty"`
	PasswordLastUsed time.Time `json:"pwUsed,omitempty"`
}

type GroupRecord struct {
	V       int       `json:"v"`
	Name    string    `json:"name"`
	ID      string    `json:"id"`
	Path    string    `json:"path"`
	Created time.Time `json:"created"`
}

type RoleRecord struct {
	V                  int       `json:"v"`
	Name               string    `json:"name"`
	ID                 string    `json:"id"`
	Path               string    `json:"path"`
	Created            time.Time `json:"created"`
	TrustPolicy        string    `json:"trust"` // the document as submitted (decoded, not URL-encoded)
	Description        string    `json:"desc,omitempty"`
	MaxSessionDuration int32     `json:"maxSession"`
	Boundary           string    `json:"boundary,omitempty"`
	Tags               []Tag     `json:"tags,omitempty"`
	LastUsed           time.Time `json:"lastUsed,omitempty"`
	LastUsedRegion     string    `json:"lastUsedRegion,omitempty"`
	ServiceLinked      bool      `json:"slr,omitempty"`
}

// PolicyRecord is a customer managed policy. Its versions live in PolicyVersions.
type PolicyRecord struct {
	V              int       `json:"v"`
	Name           string    `json:"name"`
	ID             string    `json:"id"`
	Path           string    `json:"path"`
	ARN            string    `json:"arn"`
	Description    string    `json:"desc,omitempty"`
	Created        time.Time `json:"created"`
	Updated        time.Time `json:"updated"`
	DefaultVersion string    `json:"default"` // "v3"
	NextVersion    int       `json:"next"`    // number of the next version to create
	Tags           []Tag     `json:"tags,omitempty"`
}

type PolicyVersionRecord struct {
	V         int       `json:"v"`
	VersionID string    `json:"id"`
	Document  string    `json:"doc"`
	Created   time.Time `json:"created"`
}

// InlinePolicyRecord is a policy embedded in a user, group or role.
type InlinePolicyRecord struct {
	V        int    `json:"v"`
	Name     string `json:"name"`
	Document string `json:"doc"`
}

// AttachmentRecord is a managed policy (customer or AWS) attached to a user, group or role.
type AttachmentRecord struct {
	V          int    `json:"v"`
	PolicyARN  string `json:"arn"`
	PolicyName string `json:"name"`
}

// MembershipRecord links a user and a group (stored under both directions).
type MembershipRecord struct {
	V     int    `json:"v"`
	User  string `json:"user"`
	Group string `json:"group"`
}

// Entity kinds used in composite keys.
const (
	KindUser  = "user"
	KindGroup = "group"
	KindRole  = "role"
)

// Key is the case-insensitive storage key of an IAM name.
func Key(name string) string { return strings.ToLower(name) }

// sep separates the parts of a composite key; \x00 never occurs in IAM names or ARNs, so prefix
// scans are exact.
const sep = "\x00"

// Join builds a composite key.
func Join(parts ...string) string { return strings.Join(parts, sep) }

// Prefix builds a composite key prefix ending in the separator.
func Prefix(parts ...string) string { return Join(parts...) + sep }

// Users, Groups and Roles are keyed by Key(name). Users and roles index their permissions
// boundary (PolicyUsage). A user read every request is decoded once (memos).
func Users(tx *Tx) Table[UserRecord] {
	t := indexedTable(tx, "iam.users", userIndexes)
	if tx.memos != nil {
		t.memo = &tx.memos.users
	}
	return t
}

func Groups(tx *Tx) Table[GroupRecord] { return AccountTable[GroupRecord](tx, "iam.groups") }
func Roles(tx *Tx) Table[RoleRecord]   { return indexedTable(tx, "iam.roles", roleIndexes) }

// Policies are customer managed policies keyed by Key(name), indexed by ARN (PoliciesByARN).
func Policies(tx *Tx) Table[PolicyRecord] { return indexedTable(tx, "iam.policies", policyIndexes) }

// PolicyVersions are keyed Join(Key(policyName), versionID).
func PolicyVersions(tx *Tx) Table[PolicyVersionRecord] {
	return AccountTable[PolicyVersionRecord](tx, "iam.policyversions")
}

// InlinePolicies are keyed Join(kind, Key(entityName), policyName).
func InlinePolicies(tx *Tx) Table[InlinePolicyRecord] {
	return AccountTable[InlinePolicyRecord](tx, "iam.inline")
}

// Attachments are keyed Join(kind, Key(entityName), policyARN), indexed by policy
// (PolicyUsage). Entity.Attachments builds the keys.
func Attachments(tx *Tx) Table[AttachmentRecord] {
	return indexedTable(tx, "iam.attachments", attachmentIndexes)
}

// GroupMembers are keyed Join(Key(group), Key(user)); UserGroups the reverse.
func GroupMembers(tx *Tx) Table[MembershipRecord] {
	return AccountTable[MembershipRecord](tx, "iam.groupmembers")
}
func UserGroups(tx *Tx) Table[MembershipRecord] {
	return AccountTable[MembershipRecord](tx, "iam.usergroups")
}

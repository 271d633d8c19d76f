package storage

// CloudWatch Logs subscription filters and resource policies. Both are regional, so their keys
// start with the region, as the other Logs tables' do. A group's filters sit under
// LogSubscriptionKey(region, group, ""), so deleting a group deletes them with one prefix.

// LogSubscriptionRecord is one subscription filter of a log group.
type LogSubscriptionRecord struct {
	V           int    `json:"v"`
	Name        string `json:"name"`
	Group       string `json:"group"`
	Pattern     string `json:"pattern"`
	Destination string `json:"destination"`
	RoleARN     string `json:"role,omitempty"`
	// Distribution is Random or ByLogStream (the default AWS reports).
	Distribution           string   `json:"distribution,omitempty"`
	ApplyOnTransformedLogs bool     `json:"transformed,omitempty"`
	FieldSelection         string   `json:"fieldSelection,omitempty"`
	EmitSystemFields       []string `json:"systemFields,omitempty"`
	Created                int64    `json:"created"` // ms since the epoch
}

// LogResourcePolicyRecord is one resource policy: account-scoped (a name) or attached to one
// log group (its ARN, with a revision id).
type LogResourcePolicyRecord struct {
	V           int    `json:"v"`
	Name        string `json:"name"`
	Document    string `json:"document"`
	Updated     int64  `json:"updated"` // ms since the epoch
	ResourceARN string `json:"resource,omitempty"`
	Revision    string `json:"revision,omitempty"`
}

// LogSubscriptions are keyed by LogSubscriptionKey(region, group, filter).
func LogSubscriptions(tx *Tx) Table[LogSubscriptionRecord] {
	return AccountTable[LogSubscriptionRecord](tx, "logs.subscriptions")
}

// LogResourcePolicies are keyed by LogAccountPolicyKey or LogResourceScopedPolicyKey.
func LogResourcePolicies(tx *Tx) Table[LogResourcePolicyRecord] {
	return AccountTable[LogResourcePolicyRecord](tx, "logs.resourcepolicies")
}

// LogSubscriptionKey is the key of a filter; LogSubscriptionKey(region, group, "") is the
// prefix of the group's filters.
func LogSubscriptionKey(region, group, filter string) string { return Join(region, group, filter) }

// The two scopes of resource policies ("ACCOUNT" and "RESOURCE") are kept apart by a tag
// after the region, so a name and an ARN never collide and each scope is one prefix.
const (
	logPolicyAccount  = "a"
	logPolicyResource = "r"
)

// LogAccountPolicyKey is the key of an account-scoped policy; name "" is the scope's prefix.
func LogAccountPolicyKey(region, name string) string { return Join(region, logPolicyAccount, name) }

// LogResourceScopedPolicyKey is the key of the policy attached to a resource ARN; "" is the
// scope's prefix.
func LogResourceScopedPolicyKey(region, resourceARN string) string {
	return Join(region, logPolicyResource, resourceARN)
}

// LogDestinationRecord is a cross-account subscription destination (PutDestination): the
// physical target CloudWatch Logs writes to as the role, and who may subscribe to it.
type LogDestinationRecord struct {
	V       int               `json:"v"`
	Name    string            `json:"name"`
	Target  string            `json:"target"`
	Role    string            `json:"role"`
	Policy  string            `json:"policy,omitempty"` // PutDestinationPolicy's access policy
	Created int64             `json:"created"`          // ms since the epoch
	Tags    map[string]string `json:"tags,omitempty"`
}

// LogDestinations are keyed by LogDestinationKey.
func LogDestinations(tx *Tx) Table[LogDestinationRecord] {
	return AccountTable[LogDestinationRecord](tx, "logs.destinations")
}

// LogDestinationKey is the key of a destination; LogDestinationKey(region, "") is the prefix
// of the region's.
func LogDestinationKey(region, name string) string { return Join(region, name) }

package storage

import "time"

// Records of the roles-and-policies family that storage/iam.go does not declare.

// InstanceProfileRecord is an instance profile; Roles holds the display names of its roles
// (IAM allows at most one).
type InstanceProfileRecord struct {
	V       int       `json:"v"`
	Name    string    `json:"name"`
	ID      string    `json:"id"`
	Path    string    `json:"path"`
	Created time.Time `json:"created"`
	Roles   []string  `json:"roles,omitempty"`
	Tags    []Tag     `json:"tags,omitempty"`
}

// InstanceProfiles are keyed by Key(name), indexed by role (RoleEntity.InstanceProfiles).
func InstanceProfiles(tx *Tx) Table[InstanceProfileRecord] {
	return indexedTable(tx, "iam.instanceprofiles", profileIndexes)
}

// DeletionTaskRecord is the outcome of a DeleteServiceLinkedRole call.
type DeletionTaskRecord struct {
	V       int       `json:"v"`
	Status  string    `json:"status"` // SUCCEEDED: the role is deleted within the call
	Created time.Time `json:"created"`
}

// DeletionTasks are keyed by the DeletionTaskId.
func DeletionTasks(tx *Tx) Table[DeletionTaskRecord] {
	return AccountTable[DeletionTaskRecord](tx, "iam.slrdeletiontasks")
}

// LastAccessedJobRecord is a GenerateServiceLastAccessedDetails report, computed when the job is
// created (iamlocal records no service access, so the report lists what the policies allow).
type LastAccessedJobRecord struct {
	V           int                   `json:"v"`
	ARN         string                `json:"arn"`
	Granularity string                `json:"granularity"`
	Created     time.Time             `json:"created"`
	Services    []LastAccessedService `json:"services,omitempty"`
	Entities    []LastAccessedEntity  `json:"entities,omitempty"`
	Actions     map[string][]string   `json:"actions,omitempty"` // namespace -> allowed action names (ACTION_LEVEL)
}

// LastAccessedService is a service namespace that the entity's policies allow.
type LastAccessedService struct {
	Namespace string `json:"ns"`
	Name      string `json:"name"`
}

// LastAccessedEntity is an IAM entity reported by GetServiceLastAccessedDetailsWithEntities,
// with the namespaces its own policies allow.
type LastAccessedEntity struct {
	ARN        string   `json:"arn"`
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Path       string   `json:"path"`
	Type       string   `json:"type"` // USER | ROLE | GROUP
	Namespaces []string `json:"ns,omitempty"`
}

// LastAccessedJobs are keyed by JobId.
func LastAccessedJobs(tx *Tx) Table[LastAccessedJobRecord] {
	return AccountTable[LastAccessedJobRecord](tx, "iam.lastaccessedjobs")
}

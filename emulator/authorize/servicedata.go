package authorize

import (
	"encoding/json"
	"strings"
	"sync"

	"github.com/iamlocal/iamlocal/internal/awsdata"
)

// actionInfo is what the Service Authorization Reference says of one action.
type actionInfo struct {
	ResourceTypes []struct {
		Name     string `json:"name"`
		Required bool   `json:"required"`
	} `json:"resourceTypes"`
	ConditionKeys []string `json:"conditionKeys"`
}

// hasKey reports whether the action documents a condition key (case-insensitive).
func (a *actionInfo) hasKey(key string) bool {
	for _, k := range a.ConditionKeys {
		if strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}

// resourceType is the first required resource type, else the first listed, else "".
func (a *actionInfo) resourceType() string {
	for _, r := range a.ResourceTypes {
		if r.Required {
			return r.Name
		}
	}
	if len(a.ResourceTypes) > 0 {
		return a.ResourceTypes[0].Name
	}
	return ""
}

// actions maps "service:action" (lower case) to its reference entry. Read once; immutable.
var actions = sync.OnceValue(func() map[string]*actionInfo {
	out := map[string]*actionInfo{}
	for _, svc := range awsdata.ServicePrefixes() { // iam, sts, lambda, logs, cloudwatch
		raw, _ := awsdata.ServiceAuthorization(svc) // known: ServicePrefixes lists what is embedded
		var doc struct {
			Actions map[string]*actionInfo `json:"actions"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			panic("authorize: embedded " + svc + ".json: " + err.Error())
		}
		for name, a := range doc.Actions {
			out[strings.ToLower(svc+":"+name)] = a
			out[svc+":"+name] = a // exact case: the mapping builds names this way, no lowering needed
		}
	}
	return out
})

// lookupAction returns the reference entry of "service:Action", or an empty one.
func lookupAction(action string) *actionInfo {
	all := actions()
	if a, ok := all[action]; ok {
		return a
	}
	if a, ok := all[strings.ToLower(action)]; ok {
		return a
	}
	return &actionInfo{}
}

// iamOp is an IAM operation's action name and reference entry.
type iamOp struct {
	action string
	info   *actionInfo
}

// iamOps holds every IAM operation's action, so a request neither builds "iam:"+op nor looks
// it up among every service's actions.
var iamOps = sync.OnceValue(func() map[string]iamOp {
	out := map[string]iamOp{}
	for name, a := range actions() {
		if op, ok := strings.CutPrefix(name, "iam:"); ok {
			out[op] = iamOp{action: name, info: a}
		}
	}
	return out
})

// iamAction returns "iam:"+op and its reference entry (an empty one when op is unknown).
func iamAction(op string) (string, *actionInfo) {
	if a, ok := iamOps()[op]; ok {
		return a.action, a.info
	}
	action := "iam:" + op
	return action, lookupAction(action)
}

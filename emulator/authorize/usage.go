package authorize

import (
	"sort"
	"sync"
	"time"
)

// Usage records, per principal, the distinct calls that went through: allowed, or let through
// by soft enforcement. It is what a least-privilege policy for that principal must allow
// (Suggest), kept apart from the decision log's ring so a long test run loses none of it.
type Usage struct {
	mu          sync.Mutex
	byPrincipal map[string]map[usageKey]*usageEntry
	n           int
}

type usageKey struct{ action, resource string }

type usageEntry struct {
	last time.Time
	keys map[string]map[string]bool // narrowing condition keys and the values seen
}

// maxUsage bounds the distinct calls kept; beyond it new ones are not recorded.
const maxUsage = 100_000

// narrowingKeys are the condition keys a suggested policy may pin to the values a run used:
// those that only ever narrow what the statement allows (iam:PassedToService names the service
// a role is passed to, "Granting a user permissions to pass a role to an AWS service").
var narrowingKeys = map[string]bool{"iam:PassedToService": true}

// Call is one distinct call a principal made: an action on a resource, with the narrowing
// condition keys' values it carried.
type Call struct {
	Action, Resource string
	Last             time.Time
	Keys             map[string][]string
}

func (u *Usage) note(principals []string, c check, at time.Time) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.byPrincipal == nil {
		u.byPrincipal = map[string]map[usageKey]*usageEntry{}
	}
	for _, p := range principals {
		calls := u.byPrincipal[p]
		if calls == nil {
			calls = map[usageKey]*usageEntry{}
			u.byPrincipal[p] = calls
		}
		k := usageKey{c.action, c.resource}
		e := calls[k]
		if e == nil {
			if u.n >= maxUsage {
				return
			}
			e = &usageEntry{}
			calls[k] = e
			u.n++
		}
		if at.After(e.last) {
			e.last = at
		}
		for key, values := range c.ctx {
			if !narrowingKeys[key] {
				continue
			}
			if e.keys == nil {
				e.keys = map[string]map[string]bool{}
			}
			if e.keys[key] == nil {
				e.keys[key] = map[string]bool{}
			}
			for _, v := range values {
				e.keys[key][v] = true
			}
		}
	}
}

// Calls returns the distinct calls of principal (a caller ARN, or the role ARN of its sessions)
// made at since or later, sorted by action and resource.
func (u *Usage) Calls(principal string, since time.Time) []Call {
	u.mu.Lock()
	defer u.mu.Unlock()
	var out []Call
	for k, e := range u.byPrincipal[principal] {
		if e.last.Before(since) {
			continue
		}
		c := Call{Action: k.action, Resource: k.resource, Last: e.last}
		for key, vals := range e.keys {
			if c.Keys == nil {
				c.Keys = map[string][]string{}
			}
			for v := range vals {
				c.Keys[key] = append(c.Keys[key], v)
			}
			sort.Strings(c.Keys[key])
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Action < out[j].Action || out[i].Action == out[j].Action && out[i].Resource < out[j].Resource
	})
	return out
}

// Clear forgets every recorded call (a reset).
func (u *Usage) Clear() {
	u.mu.Lock()
	u.byPrincipal, u.n = nil, 0
	u.mu.Unlock()
}

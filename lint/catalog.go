package lint

import (
	"strings"
	"sync"
)

// catalog is the Service Authorization Reference of every AWS service: what a policy may name.
// It stays live for the process once a policy is linted, so its bulk holds no pointers for the
// collector to trace: every text is a range of one string, and records refer to each other by
// index ranges.
type catalog struct {
	texts     string        // every name, ARN template and condition key, each distinct text once
	services  []serviceRec  // sorted by prefix, for suggestions and wildcards
	byLower   []uint32      // indices of services, sorted by lower-case prefix, for lookup
	actions   []actionRec   // each service's contiguous, sorted by canonical name
	byLowerIn []uint32      // parallel to actions: in each service's range, indices sorted by lower-case name
	resources []resourceRec // each action's contiguous
	keys      []keyRec      // each distinct condition key once
	keyLists  []uint32      // indices of keys, a range for each service, action and the global keys
	// global are the aws:* keys (and the few service keys AWS documents as global) any
	// action accepts.
	global span
}

// textRef is a text of the catalog: c.texts[off : off+n].
type textRef struct{ off, n uint32 }

// span is the range [lo, hi) of one of the catalog's slices.
type span struct{ lo, hi uint32 }

type serviceRec struct {
	prefix    textRef
	lower     textRef // prefix, lower case
	condensed textRef // the service's name, lower case, letters and digits only, without Amazon/AWS
	actions   span    // of actions and byLowerIn
	keys      span    // of keyLists
}

type actionRec struct {
	name      textRef // service:Action as the reference spells it
	lower     textRef // Action alone, lower case
	resources span
	keys      span // of keyLists: the action's keys and those of its resource types
}

type resourceRec struct {
	typ      textRef
	arn      textRef // ARN template: arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}
	required bool
}

// keyRec is a condition key as the reference writes it, and its pattern: lower case, its
// ${TagKey}-style placeholders (also <key>, and the global file's tag-key) as wildcards.
type keyRec struct{ text, pattern textRef }

// services is the catalog, parsed from the embedded reference on first use.
var services = sync.OnceValue(buildCatalog)

func (c *catalog) text(r textRef) string { return c.texts[r.off : r.off+r.n] }

// serviceInfo is one service of the catalog, found by lookup; the zero value is none.
type serviceInfo struct {
	c   *catalog
	rec *serviceRec
}

// actionInfo is one action of the catalog, found by lookup; the zero value is none.
type actionInfo struct {
	c   *catalog
	rec *actionRec
}

func (s serviceInfo) prefix() string    { return s.c.text(s.rec.prefix) }
func (s serviceInfo) condensed() string { return s.c.text(s.rec.condensed) }

// acceptsKey reports whether the service lists a condition key of a policy.
func (s serviceInfo) acceptsKey(key string) bool { return s.c.anyKeyMatches(s.rec.keys, key) }

// action is the service's action of that name, compared without case.
func (s serviceInfo) action(name string) (actionInfo, bool) {
	lower := strings.ToLower(name)
	order := s.c.byLowerIn[s.rec.actions.lo:s.rec.actions.hi]
	i, ok := search(len(order), lower, func(i int) string { return s.c.text(s.c.actions[order[i]].lower) })
	if !ok {
		return actionInfo{}, false
	}
	return actionInfo{s.c, &s.c.actions[order[i]]}, true
}

// actionRecs are the service's actions in canonical order.
func (s serviceInfo) actionRecs() []actionRec {
	return s.c.actions[s.rec.actions.lo:s.rec.actions.hi]
}

func (a actionInfo) name() string { return a.c.text(a.rec.name) }

// acceptsKey reports whether a condition key of a policy is one of the action's or of its
// resource types.
func (a actionInfo) acceptsKey(key string) bool { return a.c.anyKeyMatches(a.rec.keys, key) }

func (a actionInfo) resourceRecs() []resourceRec {
	return a.c.resources[a.rec.resources.lo:a.rec.resources.hi]
}

// search is the index of target among n texts sorted in byte order, textAt(i) the i-th.
func search(n int, target string, textAt func(int) string) (int, bool) {
	lo, hi := 0, n
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if textAt(mid) < target {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, lo < n && textAt(lo) == target
}

func (c *catalog) service(prefix string) (serviceInfo, bool) {
	lower := strings.ToLower(prefix)
	i, ok := search(len(c.byLower), lower, func(i int) string { return c.text(c.services[c.byLower[i]].lower) })
	if !ok {
		return serviceInfo{}, false
	}
	return serviceInfo{c, &c.services[c.byLower[i]]}, true
}

// action is the reference's entry of service:Action (names compare without case).
func (c *catalog) action(full string) (actionInfo, bool) {
	prefix, name, ok := strings.Cut(full, ":")
	if !ok {
		return actionInfo{}, false
	}
	s, ok := c.service(prefix)
	if !ok {
		return actionInfo{}, false
	}
	return s.action(name)
}

// matching lists the actions a pattern with wildcards names ("lambda:Get*"), by service
// prefix and then canonical name.
func (c *catalog) matching(pattern string) []actionInfo {
	prefix, name, ok := strings.Cut(strings.ToLower(pattern), ":")
	if !ok {
		return nil
	}
	var out []actionInfo
	for i := range c.services {
		s := &c.services[i]
		if !globMatch(prefix, c.text(s.lower)) {
			continue
		}
		for j := s.actions.lo; j < s.actions.hi; j++ {
			if globMatch(name, c.text(c.actions[j].lower)) {
				out = append(out, actionInfo{c, &c.actions[j]})
			}
		}
	}
	return out
}

// isGlobalKey reports a key every action accepts.
func (c *catalog) isGlobalKey(key string) bool { return c.anyKeyMatches(c.global, key) }

// anyKeyMatches reports whether a condition key of a policy is one of a list (names compare
// without case).
func (c *catalog) anyKeyMatches(list span, key string) bool {
	lower := strings.ToLower(key)
	for _, k := range c.keyLists[list.lo:list.hi] {
		if globMatch(c.text(c.keys[k].pattern), lower) {
			return true
		}
	}
	return false
}

// globMatch matches s against a pattern whose * matches any run and ? any one character.
func globMatch(pattern, s string) bool {
	px, sx := 0, 0
	star, mark := -1, 0
	for sx < len(s) {
		switch {
		case px < len(pattern) && (pattern[px] == '?' || pattern[px] == s[sx]):
			px++
			sx++
		case px < len(pattern) && pattern[px] == '*':
			star, mark = px, sx
			px++
		case star >= 0:
			px = star + 1
			mark++
			sx = mark
		default:
			return false
		}
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}

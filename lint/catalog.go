package lint

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/iamlocal/iamlocal/internal/awsdata"
)

// catalog is the Service Authorization Reference of every AWS service: what a policy may name.
type catalog struct {
	services map[string]*serviceInfo // by lower-case prefix
	byName   []*serviceInfo          // sorted by prefix, for suggestions
	// global are the aws:* keys (and the few service keys AWS documents as global) any
	// action accepts.
	global []keyPattern
}

type serviceInfo struct {
	prefix    string
	condensed string // the service's name, lower case, letters and digits only, without Amazon/AWS
	actions   map[string]*actionInfo
	names     []string // canonical action names, sorted
	keys      []keyPattern
}

type actionInfo struct {
	name      string // service:Action as the reference spells it
	resources []resourceRef
	keys      []keyPattern // the action's keys and those of its resource types
}

type resourceRef struct {
	typ      string
	arn      string // ARN template: arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}
	required bool
}

// keyPattern is a condition key as the reference writes it, its ${TagKey}-style placeholders
// (also <key>, and the global file's tag-key) read as wildcards.
type keyPattern struct {
	text    string
	pattern string // lower case, placeholders as *
}

var placeholder = regexp.MustCompile(`\$\{[^}]*\}|<[^>]*>`)

func newKeyPattern(text string) keyPattern {
	p := placeholder.ReplaceAllString(text, "*")
	if strings.HasSuffix(p, "/tag-key") { // global-condition-keys.json: aws:ResourceTag/tag-key
		p = strings.TrimSuffix(p, "tag-key") + "*"
	}
	return keyPattern{text: text, pattern: strings.ToLower(p)}
}

// matches reports whether a condition key of a policy is this key (names compare without case).
func (k keyPattern) matches(key string) bool {
	return globMatch(k.pattern, strings.ToLower(key))
}

func matchAny(keys []keyPattern, key string) bool {
	for _, k := range keys {
		if k.matches(key) {
			return true
		}
	}
	return false
}

// services is the catalog, parsed from the embedded reference on first use.
var services = sync.OnceValue(buildCatalog)

// buildCatalog parses the embedded reference.
func buildCatalog() *catalog {
	var doc map[string]struct {
		Name    string `json:"name"`
		Actions map[string]struct {
			Resources     [][]any  `json:"resources"` // [type, required]
			ConditionKeys []string `json:"conditionKeys"`
		} `json:"actions"`
		ResourceTypes map[string]struct {
			ARN           string   `json:"arn"`
			ConditionKeys []string `json:"conditionKeys"`
		} `json:"resourceTypes"`
		ConditionKeys []string `json:"conditionKeys"`
	}
	if err := json.Unmarshal(awsdata.AllServices(), &doc); err != nil {
		panic("lint: embedded all-services.json: " + err.Error()) // fixed at build time
	}
	c := &catalog{services: map[string]*serviceInfo{}}
	globalSeen := map[string]bool{}
	addGlobal := func(k string) {
		if !globalSeen[strings.ToLower(k)] {
			globalSeen[strings.ToLower(k)] = true
			c.global = append(c.global, newKeyPattern(k))
		}
	}
	for prefix, svc := range doc {
		s := &serviceInfo{prefix: prefix, condensed: condense(svc.Name), actions: map[string]*actionInfo{}}
		for _, k := range svc.ConditionKeys {
			s.keys = append(s.keys, newKeyPattern(k))
			if strings.HasPrefix(k, "aws:") {
				addGlobal(k)
			}
		}
		for name, a := range svc.Actions {
			info := &actionInfo{name: prefix + ":" + name}
			for _, k := range a.ConditionKeys {
				info.keys = append(info.keys, newKeyPattern(k))
			}
			for _, r := range a.Resources {
				typ, _ := r[0].(string)
				required, _ := r[1].(bool)
				rt := svc.ResourceTypes[typ]
				info.resources = append(info.resources, resourceRef{typ: typ, arn: rt.ARN, required: required})
				for _, k := range rt.ConditionKeys {
					info.keys = append(info.keys, newKeyPattern(k))
				}
			}
			s.actions[strings.ToLower(name)] = info
			s.names = append(s.names, name)
		}
		sort.Strings(s.names)
		c.services[strings.ToLower(prefix)] = s
		c.byName = append(c.byName, s)
	}
	sort.Slice(c.byName, func(i, j int) bool { return c.byName[i].prefix < c.byName[j].prefix })
	var global struct {
		GlobalConditionKeys []struct{ Key string } `json:"globalConditionKeys"`
	}
	if err := json.Unmarshal(awsdata.GlobalConditionKeys(), &global); err != nil {
		panic("lint: embedded global-condition-keys.json: " + err.Error())
	}
	for _, k := range global.GlobalConditionKeys {
		addGlobal(k.Key)
	}
	return c
}

// condense is a service name as a prefix might misspell it: "Amazon CloudWatch Logs" is
// cloudwatchlogs.
func condense(name string) string {
	name = strings.ToLower(name)
	for _, vendor := range []string{"amazon ", "aws "} {
		name = strings.TrimPrefix(name, vendor)
	}
	var b strings.Builder
	for _, r := range name {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (c *catalog) service(prefix string) *serviceInfo { return c.services[strings.ToLower(prefix)] }

// action is the reference's entry of service:Action (names compare without case), nil when
// either is unknown.
func (c *catalog) action(full string) *actionInfo {
	prefix, name, ok := strings.Cut(full, ":")
	s := c.service(prefix)
	if !ok || s == nil {
		return nil
	}
	return s.actions[strings.ToLower(name)]
}

// matching lists the actions a pattern with wildcards names ("lambda:Get*").
func (c *catalog) matching(pattern string) []*actionInfo {
	prefix, name, ok := strings.Cut(strings.ToLower(pattern), ":")
	if !ok {
		return nil
	}
	var out []*actionInfo
	for _, s := range c.byName {
		if !globMatch(prefix, strings.ToLower(s.prefix)) {
			continue
		}
		for _, n := range s.names {
			if globMatch(name, strings.ToLower(n)) {
				out = append(out, s.actions[strings.ToLower(n)])
			}
		}
	}
	return out
}

// isGlobalKey reports a key every action accepts.
func (c *catalog) isGlobalKey(key string) bool { return matchAny(c.global, key) }

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

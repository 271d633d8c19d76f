package lint

import (
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/iamlocal/iamlocal/internal/awsdata"
)

// referenceService is one service of the embedded all-services.json.
type referenceService struct {
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

// catalogBuilder lays the catalog out; its maps serve the build only and are dropped after.
type catalogBuilder struct {
	c      *catalog
	text   strings.Builder
	texts  map[string]textRef
	keys   map[string]uint32 // by key text, index in c.keys
	global map[string]bool   // lower-case global keys already listed
	// globalKeys collects the global list while the services' lists are laid out.
	globalKeys []uint32
}

// buildCatalog parses the embedded reference.
func buildCatalog() *catalog {
	var doc map[string]referenceService
	if err := json.Unmarshal(awsdata.AllServices(), &doc); err != nil {
		panic("lint: embedded all-services.json: " + err.Error()) // fixed at build time
	}
	var global struct {
		GlobalConditionKeys []struct{ Key string } `json:"globalConditionKeys"`
	}
	if err := json.Unmarshal(awsdata.GlobalConditionKeys(), &global); err != nil {
		panic("lint: embedded global-condition-keys.json: " + err.Error())
	}
	b := &catalogBuilder{c: &catalog{}, texts: map[string]textRef{}, keys: map[string]uint32{}, global: map[string]bool{}}
	prefixes := make([]string, 0, len(doc))
	for prefix := range doc {
		prefixes = append(prefixes, prefix)
	}
	sort.Strings(prefixes)
	for _, prefix := range prefixes {
		b.addService(prefix, doc[prefix])
	}
	for _, k := range global.GlobalConditionKeys {
		b.addGlobal(k.Key)
	}
	c := b.c
	lo := uint32(len(c.keyLists))
	c.keyLists = append(c.keyLists, b.globalKeys...)
	c.global = span{lo, uint32(len(c.keyLists))}
	c.byLower = make([]uint32, len(c.services))
	for i := range c.byLower {
		c.byLower[i] = uint32(i)
	}
	slices.SortFunc(c.byLower, func(i, j uint32) int {
		return strings.Compare(b.textOf(c.services[i].lower), b.textOf(c.services[j].lower))
	})
	// Copies sized exactly: appending grew each by doubling.
	c.texts = strings.Clone(b.text.String())
	c.services, c.actions, c.byLowerIn = slices.Clone(c.services), slices.Clone(c.actions), slices.Clone(c.byLowerIn)
	c.resources, c.keys, c.keyLists = slices.Clone(c.resources), slices.Clone(c.keys), slices.Clone(c.keyLists)
	return c
}

// addService lays out a service and its actions, sorted by canonical name.
func (b *catalogBuilder) addService(prefix string, svc referenceService) {
	c := b.c
	s := serviceRec{prefix: b.intern(prefix), lower: b.intern(strings.ToLower(prefix)), condensed: b.intern(condense(svc.Name))}
	keys := make([]uint32, 0, len(svc.ConditionKeys))
	for _, k := range svc.ConditionKeys {
		keys = append(keys, b.key(k))
		if strings.HasPrefix(k, "aws:") {
			b.addGlobal(k)
		}
	}
	s.keys = b.keyList(keys)
	names := make([]string, 0, len(svc.Actions))
	for name := range svc.Actions {
		names = append(names, name)
	}
	sort.Strings(names)
	s.actions.lo = uint32(len(c.actions))
	for _, name := range names {
		a := svc.Actions[name]
		rec := actionRec{name: b.intern(prefix + ":" + name), lower: b.intern(strings.ToLower(name))}
		keys = keys[:0]
		for _, k := range a.ConditionKeys {
			keys = append(keys, b.key(k))
		}
		rec.resources.lo = uint32(len(c.resources))
		for _, r := range a.Resources {
			typ, _ := r[0].(string)
			required, _ := r[1].(bool)
			rt := svc.ResourceTypes[typ]
			c.resources = append(c.resources, resourceRec{typ: b.intern(typ), arn: b.intern(rt.ARN), required: required})
			for _, k := range rt.ConditionKeys {
				keys = append(keys, b.key(k))
			}
		}
		rec.resources.hi = uint32(len(c.resources))
		rec.keys = b.keyList(keys)
		c.actions = append(c.actions, rec)
	}
	s.actions.hi = uint32(len(c.actions))
	order := make([]uint32, 0, len(names))
	for i := s.actions.lo; i < s.actions.hi; i++ {
		order = append(order, i)
	}
	slices.SortFunc(order, func(i, j uint32) int {
		return strings.Compare(b.textOf(c.actions[i].lower), b.textOf(c.actions[j].lower))
	})
	c.byLowerIn = append(c.byLowerIn, order...)
	c.services = append(c.services, s)
}

// intern is the catalog's text for s, laid out the first time it is seen.
func (b *catalogBuilder) intern(s string) textRef {
	if r, ok := b.texts[s]; ok {
		return r
	}
	r := textRef{uint32(b.text.Len()), uint32(len(s))}
	b.text.WriteString(s)
	b.texts[s] = r
	return r
}

// textOf reads a text already laid out; c.texts is set only when the build ends.
func (b *catalogBuilder) textOf(r textRef) string { return b.text.String()[r.off : r.off+r.n] }

var placeholder = regexp.MustCompile(`\$\{[^}]*\}|<[^>]*>`)

// key is the index of a condition key, laid out the first time it is seen.
func (b *catalogBuilder) key(text string) uint32 {
	if i, ok := b.keys[text]; ok {
		return i
	}
	p := placeholder.ReplaceAllString(text, "*")
	if strings.HasSuffix(p, "/tag-key") { // global-condition-keys.json: aws:ResourceTag/tag-key
		p = strings.TrimSuffix(p, "tag-key") + "*"
	}
	i := uint32(len(b.c.keys))
	b.c.keys = append(b.c.keys, keyRec{text: b.intern(text), pattern: b.intern(strings.ToLower(p))})
	b.keys[text] = i
	return i
}

// keyList lays out a list of keys, each once (a key an action and its resource type both
// list matches the same), and is its range.
func (b *catalogBuilder) keyList(keys []uint32) span {
	lo := uint32(len(b.c.keyLists))
	for _, k := range keys {
		if !slices.Contains(b.c.keyLists[lo:], k) {
			b.c.keyLists = append(b.c.keyLists, k)
		}
	}
	return span{lo, uint32(len(b.c.keyLists))}
}

// addGlobal lists a key any action accepts, once whatever its case.
func (b *catalogBuilder) addGlobal(k string) {
	if lower := strings.ToLower(k); !b.global[lower] {
		b.global[lower] = true
		b.globalKeys = append(b.globalKeys, b.key(k))
	}
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

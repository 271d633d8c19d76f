package protocol

import (
	"fmt"
	"strings"

	"github.com/iamlocal/iamlocal/protocol/model"
)

// Constraints are a service's corrections to its model where AWS enforces, and quotes, newer
// constraints than the model it publishes: a pattern that admits a new partition's regions, an
// enum in the order its messages list it, or a member the service checks in its own words. A
// key names a shape ("FunctionName") or one structure's member ("CreateFunctionRequest$Runtime",
// Smithy's member syntax), which wins over its shape's entry.
type Constraints struct {
	shapes    map[string]*model.Shape // replacements of scalar shapes
	listEnums map[string][]string     // list members whose elements' enum is worded bare
	unchecked map[string]bool         // members the service's handler checks
}

// ConstraintTable is the source form of Constraints, kept beside the service with the source
// of every entry.
type ConstraintTable struct {
	// Patterns replace a string shape's pattern, in matching and in the message.
	Patterns map[string]string
	// Enums replace a string shape's enum values and their order. On a list member they replace
	// its elements' enum, and a failure is worded "Member must satisfy enum value set: [...]"
	// rather than as the list's element constraints.
	Enums map[string][]string
	// Unchecked members are left out of the model's validation: the handler answers them.
	Unchecked []string
}

// NewConstraints resolves a table against the model it corrects; a key the model lacks is an
// error, so a model update cannot leave an override silently unused.
func NewConstraints(svc *model.Service, t ConstraintTable) (*Constraints, error) {
	c := &Constraints{shapes: map[string]*model.Shape{}, listEnums: map[string][]string{}, unchecked: map[string]bool{}}
	for key, pattern := range t.Patterns {
		base, err := lookupShape(svc, key)
		if err != nil {
			return nil, err
		}
		c.replace(key, base).Pattern = pattern
	}
	for key, enum := range t.Enums {
		base, err := lookupShape(svc, key)
		if err != nil {
			return nil, err
		}
		if base.Type == "list" {
			c.listEnums[key] = enum
			continue
		}
		c.replace(key, base).Enum = enum
	}
	for _, key := range t.Unchecked {
		if _, err := lookupShape(svc, key); err != nil {
			return nil, err
		}
		c.unchecked[key] = true
	}
	return c, nil
}

// replace returns the replacement of key's shape, made from base on first use.
func (c *Constraints) replace(key string, base *model.Shape) *model.Shape {
	if sh, ok := c.shapes[key]; ok {
		return sh
	}
	sh := &model.Shape{Name: base.Name, Type: base.Type, Min: base.Min, Max: base.Max, Pattern: base.Pattern,
		Enum: base.Enum, Sensitive: base.Sensitive}
	c.shapes[key] = sh
	return sh
}

func lookupShape(svc *model.Service, key string) (*model.Shape, error) {
	owner, member, isMember := strings.Cut(key, "$")
	sh := svc.Shapes[owner]
	if sh != nil && isMember {
		m := sh.MemberNamed(member)
		if m == nil {
			return nil, fmt.Errorf("constraints: %s has no member %s", owner, member)
		}
		return m.Shape, nil
	}
	if sh == nil {
		return nil, fmt.Errorf("constraints: no shape %s", owner)
	}
	return sh, nil
}

// member returns the shape a structure's member is validated against and whether it is
// validated at all.
func (c *Constraints) member(owner *model.Shape, m *model.Member) (*model.Shape, string, bool) {
	key := owner.Name + "$" + m.Name
	if c == nil {
		return m.Shape, key, true
	}
	if c.unchecked[key] {
		return nil, key, false
	}
	if sh, ok := c.shapes[key]; ok {
		return sh, key, true
	}
	return c.scalar(m.Shape), key, true
}

// scalar returns the replacement of a shape by name, or the shape itself.
func (c *Constraints) scalar(sh *model.Shape) *model.Shape {
	if c == nil {
		return sh
	}
	if r, ok := c.shapes[sh.Name]; ok {
		return r
	}
	return sh
}

// Validate is protocol.Validate with the service's corrections; a nil Dialect.Constraints
// validates against the model alone.
func (d Dialect) Validate(sh *model.Shape, v any) []Violation {
	if d.Constraints == nil {
		return ValidateWith(sh, v, nil)
	}
	return ValidateWith(sh, v, d.Constraints())
}

// listEnum is the corrected enum of a list member's elements, if the table has one.
func (c *Constraints) listEnum(key string) ([]string, bool) {
	if c == nil || key == "" {
		return nil, false
	}
	enum, ok := c.listEnums[key]
	return enum, ok
}

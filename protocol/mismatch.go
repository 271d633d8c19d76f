package protocol

import "strconv"

// Mismatch is a value of the wrong kind for its member, on its way out of a decoder that binds
// straight into typed inputs: the path is put together only once a value fails, as each level
// returns (segments innermost first), so binding builds no path strings.
type Mismatch struct {
	segments []segment
	Want     string // the kind the member wanted: "string", "structure", ...
}

// segment is a member or map key name, or a list index.
type segment struct {
	name  string
	index int // -1 for a name
}

// Fail starts a mismatch at the innermost value.
func Fail(want string) *Mismatch { return &Mismatch{Want: want} }

// At prefixes the member or key name the failing value sits under.
func (m *Mismatch) At(name string) *Mismatch {
	m.segments = append(m.segments, segment{name: name, index: -1})
	return m
}

// AtIndex prefixes the list index the failing value sits at.
func (m *Mismatch) AtIndex(i int) *Mismatch {
	m.segments = append(m.segments, segment{index: i})
	return m
}

// Path is the failing value's place as the JSON protocols word it: a.b[2].c.
func (m *Mismatch) Path() string {
	path := ""
	for i := len(m.segments) - 1; i >= 0; i-- {
		switch s := m.segments[i]; {
		case s.index >= 0:
			path += "[" + strconv.Itoa(s.index) + "]"
		case path == "":
			path = s.name
		default:
			path += "." + s.name
		}
	}
	return path
}

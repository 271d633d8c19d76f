package model

import (
	"reflect"
	"testing"
)

type fieldHolder struct {
	UserName *string
	embedded
}

type embedded struct{ Path string }

type otherHolder struct {
	Other    int
	UserName *string
}

// Field finds what FieldByName finds, for every type it is asked about in turn (a member's
// remembered index belongs to one type), embedded fields included.
func TestMemberFieldIsFieldByName(t *testing.T) {
	t.Parallel()
	name := "alice"
	values := []reflect.Value{
		reflect.ValueOf(fieldHolder{UserName: &name, embedded: embedded{Path: "/team/"}}),
		reflect.ValueOf(otherHolder{Other: 7, UserName: &name}),
		reflect.ValueOf(fieldHolder{}),
	}
	for _, tc := range []struct {
		name   string
		goName string
	}{
		{"direct field", "UserName"},
		{"embedded field", "Path"},
		{"absent field", "Missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := &Member{GoName: tc.goName}
			for round := range 2 { // the second round reads the remembered index
				for i, v := range values {
					got, want := m.Field(v), v.FieldByName(tc.goName)
					if got.IsValid() != want.IsValid() {
						t.Fatalf("round %d, value %d: valid %v, FieldByName's %v", round, i, got.IsValid(), want.IsValid())
					}
					if want.IsValid() && !reflect.DeepEqual(got.Interface(), want.Interface()) {
						t.Errorf("round %d, value %d: %v, FieldByName's %v", round, i, got.Interface(), want.Interface())
					}
				}
			}
		})
	}
}

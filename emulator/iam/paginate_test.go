package iam

import (
	"fmt"
	"testing"

	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
)

func TestPaginate(t *testing.T) {
	t.Parallel()
	var items []string
	for i := 0; i < 250; i++ {
		items = append(items, fmt.Sprintf("k%03d", i))
	}
	id := func(s string) string { return s }

	// Walk every page with MaxItems 100: 100, 100, 50, markers only while truncated.
	var got []string
	var marker *string
	for pages := 0; ; pages++ {
		p, err := paginate(items, id, marker, protocol.Ptr(int32(100)))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p.Items...)
		if !p.Truncated {
			if p.Marker != nil {
				t.Fatal("marker on the last page")
			}
			if pages != 2 {
				t.Fatalf("pages = %d, want 3", pages+1)
			}
			break
		}
		marker = p.Marker
	}
	if len(got) != len(items) {
		t.Fatalf("got %d items, want %d", len(got), len(items))
	}

	// Default page size is 100.
	if p, _ := paginate(items, id, nil, nil); len(p.Items) != 100 || !p.Truncated {
		t.Fatalf("default page: %d items, truncated %v", len(p.Items), p.Truncated)
	}
	// A marker whose item was deleted resumes at the next key.
	p, _ := paginate(items, id, nil, protocol.Ptr(int32(10)))
	rest := append(append([]string{}, items[:10]...), items[11:]...)
	p2, err := paginate(rest, id, p.Marker, protocol.Ptr(int32(1)))
	if err != nil || p2.Items[0] != "k011" {
		t.Fatalf("resume after deletion: %v %v", p2.Items, err)
	}
	// A foreign marker is a ValidationError.
	for _, bad := range []string{"garbage", markerPrefix + "!!!"} {
		_, err := paginate(items, id, &bad, nil)
		if e, ok := awserr.As(err); !ok || e.Code != "ValidationError" || e.Message != "Invalid Marker." {
			t.Fatalf("marker %q: err = %v", bad, err)
		}
	}
}

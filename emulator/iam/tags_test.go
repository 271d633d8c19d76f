package iam

import (
	"testing"

	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// TestTagRules checks each kind of resource's key rules on one merge, remove and page.
func TestTagRules(t *testing.T) {
	t.Parallel()
	existing := []storage.Tag{{Key: "Env", Value: "dev"}, {Key: "TEAM", Value: "a"}}
	tests := []struct {
		name      string
		rules     tagRules
		add       []string // key, value pairs
		want      string   // after merge, in list order
		afterDrop string   // after removing "env"
		dupKeys   []string // a request naming these keys answers InvalidInput duplicate
	}{
		{"users: no case, ordered without case", userTagRules, []string{"cost", "1", "team", "b"}, "cost=1,Env=dev,team=b", "cost=1,team=b", []string{"k", "K"}},
		{"roles: no case, ordered by bytes", roleTagRules, []string{"cost", "1", "team", "b"}, "Env=dev,cost=1,team=b", "cost=1,team=b", []string{"k", "K"}},
		{"policies: with case", policyTagRules, []string{"cost", "1", "team", "b"}, "Env=dev,TEAM=a,cost=1,team=b", "Env=dev,TEAM=a,cost=1,team=b", []string{"k", "k"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.rules.merge(existing, fedTags(tc.add...))
			fedOK(t, err)
			if s := fedTagString(tagsToAPI(got)); s != tc.want {
				t.Fatalf("merge = %s, want %s", s, tc.want)
			}
			if s := fedTagString(tagsToAPI(tc.rules.remove(got, []string{"env"}))); s != tc.afterDrop {
				t.Fatalf("remove = %s, want %s", s, tc.afterDrop)
			}
			_, err = tc.rules.merge(nil, fedTags(tc.dupKeys[0], "1", tc.dupKeys[1], "2"))
			fedCode(t, err, "InvalidInput", tc.rules.duplicate)
			// Paging resumes in list order, whatever order the stored tags are in.
			reversed := append([]storage.Tag(nil), got...)
			for i, j := 0, len(reversed)-1; i < j; i, j = i+1, j-1 {
				reversed[i], reversed[j] = reversed[j], reversed[i]
			}
			var paged []storage.Tag
			var marker *string
			for {
				p, err := tc.rules.page(reversed, marker, protocol.Ptr(int32(1)))
				fedOK(t, err)
				for _, tag := range p.Items {
					paged = append(paged, storage.Tag{Key: *tag.Key, Value: *tag.Value})
				}
				if !p.Truncated {
					break
				}
				marker = p.Marker
			}
			if s := fedTagString(tagsToAPI(paged)); s != tc.want {
				t.Fatalf("paged = %s, want %s", s, tc.want)
			}
		})
	}
	p, err := userTagRules.page(nil, nil, nil)
	fedOK(t, err)
	if p.Items == nil || len(p.Items) != 0 || p.Truncated {
		t.Fatalf("page of no tags = %+v, want an empty list", p)
	}
}

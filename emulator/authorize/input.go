package authorize

import "github.com/iamlocal/iamlocal/api/members"

// tagContext fills aws:RequestTag/<k> and aws:TagKeys for the tags a request carries; Untag
// operations name keys only (TagKeys).
func tagContext(in any, ctx *map[string][]string) {
	tags := members.TagsMap(in)
	var keys []string
	for k, v := range tags {
		put(ctx, "aws:RequestTag/"+k, []string{v})
		keys = append(keys, k)
	}
	keys = append(keys, members.TagKeys(in)...)
	if len(keys) > 0 {
		put(ctx, "aws:TagKeys", keys)
	}
}

// put sets a condition key in a check's context, allocating the map on first use: most checks
// carry no operation-specific keys.
func put(ctx *map[string][]string, key string, values []string) {
	if *ctx == nil {
		*ctx = map[string][]string{}
	}
	(*ctx)[key] = values
}

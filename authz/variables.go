package authz

import "strings"

// PolicyVariables returns the context keys that the policy variables of s reference (${key} and
// ${key, 'default'}), spelled as written, in order and with repeats. The escapes ${*}, ${?} and
// ${$}, and ${...} text that is not a well-formed variable, are literal text and reference no key
// ("IAM policy elements: Variables and tags", "Special characters"). s is read as a 2012-10-17
// document reads a Resource or condition value: in 2008-10-17 documents ${...} is always
// literal, so their values reference nothing and callers should not ask.
//
// It is the tokenizer the engine matches with, so a key listed here is one evaluation looks up.
func PolicyVariables(s string) []string {
	if !strings.Contains(s, "${") {
		return nil
	}
	var keys []string
	for _, t := range tokenize(s, true) {
		if t.kind == tokVar {
			keys = append(keys, t.rawKey)
		}
	}
	return keys
}

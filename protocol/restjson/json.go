package restjson

import (
	"bytes"
	"encoding/json"
)

// jsonString quotes s as AWS's Java services do, leaving <, > and & unescaped.
func jsonString(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always marshals
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

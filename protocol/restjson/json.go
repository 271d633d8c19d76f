package restjson

import "encoding/json"

func jsonString(s string) []byte {
	raw, _ := json.Marshal(s) // a string always marshals
	return raw
}

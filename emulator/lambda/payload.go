package lambda

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
)

// jacksonLocation is how Lambda's parser (Jackson) ends its messages, with the source redacted.
const jacksonLocation = "\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: %d, column: %d]"

// checkPayload refuses an Invoke payload that is not JSON in UTF-8 as Lambda does:
// InvalidRequestContentException "Could not parse request body into json: Could not parse
// payload into json: <Jackson's words>" (invoke_function_invalid_payload_body and
// invoke_function_invalid_payload_message of TestLambdaErrors, in conformance/errors). An empty
// payload is the empty event, as Lambda takes it.
func checkPayload(p []byte) error {
	if len(bytes.TrimSpace(p)) == 0 || utf8.Valid(p) && json.Valid(p) {
		return nil
	}
	return lambdaapi.ErrInvalidRequestContent("Could not parse request body into json: Could not parse payload into json: %s", jacksonError(p))
}

// jacksonError words the first fault of p as Jackson's UTF-8 parser does: a byte that cannot
// start a value is an "Unexpected character" at its own column; a byte that cannot start a UTF-8
// sequence inside a token is an "Invalid UTF-8 start byte" reported one column past it.
func jacksonError(p []byte) string {
	syntaxAt := len(p)
	var se *json.SyntaxError
	if err := json.Unmarshal(p, new(any)); errors.As(err, &se) {
		syntaxAt = int(se.Offset) - 1 // Offset counts the byte that failed
	}
	badUTF8 := firstInvalidUTF8(p)
	if syntaxAt >= 0 && syntaxAt < len(p) && atValueStart(p, syntaxAt) {
		line, col := position(p, syntaxAt)
		return fmt.Sprintf("Unexpected character (%s): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"+jacksonLocation,
			charDesc(p[syntaxAt]), line, col)
	}
	if badUTF8 >= 0 {
		line, col := position(p, badUTF8)
		return fmt.Sprintf("Invalid UTF-8 start byte 0x%x"+jacksonLocation, p[badUTF8], line, col+1)
	}
	at := max(0, min(syntaxAt, len(p)-1))
	line, col := position(p, at)
	return fmt.Sprintf("Unexpected character (%s): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"+jacksonLocation,
		charDesc(p[at]), line, col)
}

// atValueStart reports whether only white space comes before offset i, or a byte after which a
// value must follow ([ , :).
func atValueStart(p []byte, i int) bool {
	for j := i - 1; j >= 0; j-- {
		switch p[j] {
		case ' ', '\t', '\r', '\n':
			continue
		case '[', ',', ':':
			return true
		}
		return false
	}
	return true
}

func firstInvalidUTF8(p []byte) int {
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}

// position is Jackson's 1-based line and column of byte offset i (columns count bytes).
func position(p []byte, i int) (line, col int) {
	line, start := 1, 0
	for j := 0; j < i; j++ {
		if p[j] == '\n' {
			line, start = line+1, j+1
		}
	}
	return line, i - start + 1
}

// charDesc is Jackson's description of a character (ParserMinimalBase._getCharDesc): control
// characters, the C1 range included, by code, others quoted with their code.
func charDesc(b byte) string {
	if b < 0x20 || b >= 0x7f && b <= 0x9f {
		return fmt.Sprintf("(CTRL-CHAR, code %d)", b)
	}
	return fmt.Sprintf("'%c' (code %d)", rune(b), b)
}

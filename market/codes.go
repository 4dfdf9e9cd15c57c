package market

import (
	"crypto/rand"
	"io"
	"regexp"
	"strings"
)

// CodeAlphabet is the verification codes' alphabet: digits and capitals
// without the look-alikes 0, O, 1 and I.
const CodeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// CodeLength is the length of the codes this service issues (6–8 are valid).
const CodeLength = 8

var codeRE = regexp.MustCompile(`^[2-9A-HJ-NP-Z]{6,8}$`)

// NormalizeCode upper-cases and trims a code; ok is false when it is not
// 6–8 characters of CodeAlphabet.
func NormalizeCode(code string) (string, bool) {
	c := strings.ToUpper(strings.TrimSpace(code))
	return c, codeRE.MatchString(c)
}

// newCode draws a verification code from r (crypto/rand when nil).
func newCode(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, CodeLength)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = CodeAlphabet[int(b[i])%len(CodeAlphabet)] // 256 % 32 == 0: uniform
	}
	return string(b), nil
}

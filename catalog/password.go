package catalog

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters for new hashes (OWASP's first recommendation:
// 19 MiB, 2 passes, 1 lane). Stored hashes carry their own parameters, so
// raising these later keeps old hashes verifiable.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16
)

var b64 = base64.RawStdEncoding

// HashPassword returns the argon2id hash of password in the PHC string form
// $argon2id$v=19$m=…,t=…,p=…$salt$hash.
func HashPassword(password string) string {
	salt := make([]byte, argonSaltLen)
	_, _ = rand.Read(salt)
	sum := argon2.IDKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(sum))
}

// argonHash is a parsed PHC string.
type argonHash struct {
	memory  uint32
	time    uint32
	threads uint8
	salt    []byte
	sum     []byte
}

// parseArgonHash reads a PHC argon2id string, bounding every parameter so a
// corrupt row cannot make verification allocate without limit.
func parseArgonHash(s string) (argonHash, error) {
	var h argonHash
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return h, fmt.Errorf("password: not an argon2id hash")
	}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return h, fmt.Errorf("password: bad parameter %q", kv)
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return h, fmt.Errorf("password: bad parameter %q", kv)
		}
		switch k {
		case "m":
			h.memory = uint32(n)
		case "t":
			h.time = uint32(n)
		case "p":
			if n > 255 {
				return h, fmt.Errorf("password: bad parameter %q", kv)
			}
			h.threads = uint8(n)
		default:
			return h, fmt.Errorf("password: unknown parameter %q", k)
		}
	}
	if h.memory < 8 || h.memory > 1<<20 || h.time < 1 || h.time > 16 || h.threads < 1 || h.threads > 16 {
		return h, fmt.Errorf("password: parameters out of range")
	}
	var err error
	if h.salt, err = b64.DecodeString(parts[4]); err != nil || len(h.salt) < 8 || len(h.salt) > 64 {
		return h, fmt.Errorf("password: bad salt")
	}
	if h.sum, err = b64.DecodeString(parts[5]); err != nil || len(h.sum) < 16 || len(h.sum) > 64 {
		return h, fmt.Errorf("password: bad hash")
	}
	return h, nil
}

// VerifyPassword reports whether password matches the stored hash, in
// constant time; a malformed hash never matches.
func VerifyPassword(hash, password string) bool {
	h, err := parseArgonHash(hash)
	if err != nil {
		return false
	}
	sum := argon2.IDKey([]byte(password), h.salt, h.time, h.memory, h.threads, uint32(len(h.sum)))
	return subtle.ConstantTimeCompare(sum, h.sum) == 1
}

// dummyHash is verified against when a login names no account, so the
// answer takes as long as for a wrong password.
var dummyHash = sync.OnceValue(func() string { return HashPassword("not a password of anyone") })

// BurnPasswordCheck spends the time of one verification.
func BurnPasswordCheck(password string) { _ = VerifyPassword(dummyHash(), password) }
